/*
 * KMS XML (TS 33.180 D.3): xs:dateTime conversion, write/parse round
 * trips (plain, kw-aes256 wrapped under a TrK, signed SignedKmsResponse),
 * the spec's own D.3.4 examples, and a negative test for every check of
 * the parser. Run with cwd = repo top.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "encoding.h"
#include "hex_ct.h"
#include "keywrap.h"
#include "kms.h"
#include "mcsec_err.h"

#define VDIR "tests/vectors/kms/"

static char errbuf[512];

/* ---- helpers ---- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	if(len)
		*len = (size_t)n;
	return b;
}

/* s with every occurrence of from replaced by to (at least one must
 * exist); frees s. */
static char *repl(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	char *p, *out, *o;

	for(p = strstr(s, from); p; p = strstr(p + fl, from))
		n++;
	if(n == 0)
		fail_msg("'%s' not found", from);
	out = malloc(strlen(s) + n * (tl + 1) + 1);
	assert_non_null(out);
	o = out;
	p = s;
	for(char *q = strstr(p, from); q; q = strstr(p, from)) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		p = q + fl;
	}
	strcpy(o, p);
	free(s);
	return out;
}

static char *repl1(char *s, const char *from, const char *to)
{
	char *q = strstr(s, from), *out;
	if(!q)
		fail_msg("'%s' not found", from);
	out = malloc(strlen(s) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, s, (size_t)(q - s));
	strcpy(out + (q - s), to);
	strcat(out, q + strlen(from));
	free(s);
	return out;
}

static int parse(
		const char *xml, const mcsec_kms_parse_opts_t *o, mcsec_kms_doc_t *d)
{
	errbuf[0] = '\0';
	return mcsec_kms_parse(xml, strlen(xml), o, d, errbuf, sizeof(errbuf));
}

/* Expect failure with code and a message containing what. */
static void expect_fail(const char *xml, const mcsec_kms_parse_opts_t *o,
		int code, const char *what)
{
	mcsec_kms_doc_t d;
	int rc = parse(xml, o, &d);
	if(rc != code)
		fail_msg("expected %d, got %d (%s) for: %.300s", code, rc, errbuf,
				what ? what : "");
	if(what && !strstr(errbuf, what))
		fail_msg("error '%s' does not mention '%s'", errbuf, what);
	assert_null(d.certs);
	assert_null(d.keysets);
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for(size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 13);
}

static char *hexstr(const uint8_t *b, size_t n)
{
	char *h = malloc(2 * n + 1);
	assert_non_null(h);
	mcsec_hex_encode(b, n, h);
	return h;
}

static mcsec_kms_cert_t *make_cert(void)
{
	mcsec_kms_cert_t *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	strcpy(c->version, "1.1.0");
	c->role = MCSEC_KMS_ROLE_ROOT;
	c->cert_uri = strdup("cert1.kms.example.org");
	c->kms_uri = strdup("kms.example.org");
	c->issuer = strdup("www.example.org & <sons>");
	c->valid_from = 3157488000ULL; /* 2000-01-22 */
	c->valid_to = 4000000000ULL;
	c->user_id_format = 2;
	c->user_key_period = 2592000;
	c->user_key_offset = 0;
	fill(c->pub_enc_key, sizeof(c->pub_enc_key), 3);
	c->pub_enc_key[0] = 0x04;
	fill(c->pub_auth_key, sizeof(c->pub_auth_key), 7);
	c->pub_auth_key[0] = 0x04;
	c->parameter_set = 1;
	c->ndomains = 2;
	c->domains = calloc(2, sizeof(char *));
	c->domains[0] = strdup("sec1.example.org");
	c->domains[1] = strdup("sec2.example.org");
	return c;
}

static mcsec_kms_keyset_t *make_keyset(const char *user, uint64_t period_no)
{
	mcsec_kms_keyset_t *k = calloc(1, sizeof(*k));
	assert_non_null(k);
	strcpy(k->version, "1.1.0");
	k->kms_uri = strdup("kms.example.org");
	k->cert_uri = strdup("cert1.kms.example.org");
	k->issuer = strdup("www.example.org");
	k->user_uri = strdup(user);
	fill(k->user_id, sizeof(k->user_id), (uint8_t)period_no);
	k->key_period_no = period_no;
	k->valid_from = period_no * 2592000;
	k->valid_to = period_no * 2592000 + 2591999;
	fill(k->rsk, sizeof(k->rsk), 11);
	k->rsk[0] = 0x04;
	fill(k->ssk, sizeof(k->ssk), 17);
	fill(k->pvt, sizeof(k->pvt), 19);
	k->pvt[0] = 0x04;
	return k;
}

static void assert_str_eq_null(const char *a, const char *b)
{
	if(!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_cert_eq(const mcsec_kms_cert_t *a, const mcsec_kms_cert_t *b)
{
	assert_string_equal(a->version, b->version);
	assert_int_equal(a->role, b->role);
	assert_int_equal(a->is_security_gateway, b->is_security_gateway);
	assert_str_eq_null(a->cert_uri, b->cert_uri);
	assert_string_equal(a->kms_uri, b->kms_uri);
	assert_str_eq_null(a->issuer, b->issuer);
	assert_int_equal(a->valid_from, b->valid_from);
	assert_int_equal(a->valid_to, b->valid_to);
	assert_int_equal(a->revoked, b->revoked);
	assert_int_equal(a->user_id_format, b->user_id_format);
	assert_int_equal(a->user_key_period, b->user_key_period);
	assert_int_equal(a->user_key_offset, b->user_key_offset);
	assert_memory_equal(a->pub_enc_key, b->pub_enc_key, sizeof(a->pub_enc_key));
	assert_memory_equal(
			a->pub_auth_key, b->pub_auth_key, sizeof(a->pub_auth_key));
	assert_int_equal(a->parameter_set, b->parameter_set);
	assert_int_equal(a->ndomains, b->ndomains);
	for(size_t i = 0; i < a->ndomains; i++)
		assert_string_equal(a->domains[i], b->domains[i]);
}

static void assert_keyset_eq(
		const mcsec_kms_keyset_t *a, const mcsec_kms_keyset_t *b)
{
	assert_string_equal(a->version, b->version);
	assert_string_equal(a->kms_uri, b->kms_uri);
	assert_str_eq_null(a->cert_uri, b->cert_uri);
	assert_str_eq_null(a->issuer, b->issuer);
	assert_string_equal(a->user_uri, b->user_uri);
	assert_memory_equal(a->user_id, b->user_id, sizeof(a->user_id));
	assert_int_equal(a->valid_from, b->valid_from);
	assert_int_equal(a->valid_to, b->valid_to);
	assert_int_equal(a->key_period_no, b->key_period_no);
	assert_int_equal(a->revoked, b->revoked);
	assert_memory_equal(a->rsk, b->rsk, sizeof(a->rsk));
	assert_memory_equal(a->ssk, b->ssk, sizeof(a->ssk));
	assert_memory_equal(a->pvt, b->pvt, sizeof(a->pvt));
}

/* A plain KmsCertificate document built from a template so that single
 * fields can be changed by the negative tests. */
static char *cert_xml(void)
{
	mcsec_kms_cert_t *c = make_cert();
	char *xml;
	size_t len;
	assert_int_equal(mcsec_kms_write_init(c, &xml, &len), MCSEC_OK);
	mcsec_kms_cert_free(c);
	return xml;
}

static char *keyset_xml(void)
{
	mcsec_kms_keyset_t *k = make_keyset("sip:alice@example.org", 1514);
	char *xml;
	size_t len;
	assert_int_equal(mcsec_kms_write_keyprov(k, NULL, &xml, &len), MCSEC_OK);
	mcsec_kms_keyset_free(k);
	return xml;
}

static const uint8_t TRK_KEY[32] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
		0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22,
		0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e,
		0x2f};
static const uint8_t INK_KEY[32] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
		0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2,
		0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe,
		0xbf};
static const mcsec_kms_named_key_t TRK = {
		"tk.12.user@example.org", TRK_KEY, sizeof(TRK_KEY)};
static const mcsec_kms_named_key_t INK = {
		"ink.12.user@example.org", INK_KEY, sizeof(INK_KEY)};

/* ---- xs:dateTime ---- */

static void test_time(void **state)
{
	uint64_t t;
	char buf[MCSEC_KMS_TIME_LEN];
	static const char *bad[] = {"2014-02-30T00:00:00", "2014-13-01T00:00:00",
			"1899-12-31T23:59:59", "2014-02-23 08:39:14",
			"2014-02-23T08:39:14X", "2014-02-23T24:00:00",
			"2014-02-23T08:60:00", "2014-2-23T08:39:14", "2014-02-23T08:39",
			"2014-02-23T08:39:14.", "2014-02-23T08:39:14+15:00",
			"2014-02-23T08:39:14+01", "", "x2014-02-23T08:39:14",
			"1900-01-01T00:00:00+00:01"};

	(void)state;
	/* D.2.4: 23 Feb 2014 08:39:14 UTC is NTP D6B43232 */
	assert_int_equal(mcsec_kms_time_parse("2014-02-23T08:39:14", 19, &t), 0);
	assert_int_equal(t, 0xD6B43232ULL);
	assert_int_equal(
			mcsec_kms_time_parse(" 2014-02-23T09:39:14.250+01:00\n", 31, &t),
			0);
	assert_int_equal(t, 0xD6B43232ULL);
	assert_int_equal(
			mcsec_kms_time_parse("2014-02-23T07:09:14-01:30", 25, &t), 0);
	assert_int_equal(t, 0xD6B43232ULL);
	assert_int_equal(mcsec_kms_time_parse("1970-01-01T00:00:00Z", 20, &t), 0);
	assert_int_equal(t, MCSEC_NTP_UNIX_OFFSET);
	assert_int_equal(mcsec_kms_time_parse("1900-01-01T00:00:00", 19, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(mcsec_kms_time_parse("2000-02-29T00:00:00", 19, &t), 0);
	assert_int_not_equal(
			mcsec_kms_time_parse("1900-02-29T00:00:00", 19, &t), 0);
	for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if(mcsec_kms_time_parse(bad[i], strlen(bad[i]), &t) == 0)
			fail_msg("accepted '%s'", bad[i]);
	assert_int_equal(mcsec_kms_time_format(0xD6B43232ULL, buf), 0);
	assert_string_equal(buf, "2014-02-23T08:39:14");
	/* round trip over a spread of times */
	for(uint64_t x = 0; x < 8000000000ULL; x += 123456789ULL) {
		assert_int_equal(mcsec_kms_time_format(x, buf), 0);
		assert_int_equal(mcsec_kms_time_parse(buf, strlen(buf), &t), 0);
		assert_int_equal(t, x);
	}
}

/* The constant-time hex codec used for key values agrees with the
 * reference codec (encoding.h) on every character and on round trips. */
static void test_hex_ct(void **state)
{
	uint8_t a[4], b[4], buf[256], back[256];
	char in[3] = {0}, enc[2 * 256 + 1], ref[2 * 256 + 1];

	(void)state;
	for(int c1 = 0; c1 < 256; c1++) {
		for(int c2 = 1; c2 < 256; c2 += 7) {
			long ra, rb;
			in[0] = (char)c1;
			in[1] = (char)c2;
			ra = mcsec_hex_decode(in, 2, a, sizeof(a));
			rb = mcsec_hex_ct_decode(in, 2, b, sizeof(b));
			if(ra != rb)
				fail_msg("chars %02x %02x: %ld vs %ld", c1, c2, ra, rb);
			if(ra > 0)
				assert_memory_equal(a, b, (size_t)ra);
		}
	}
	for(int i = 0; i < 256; i++)
		buf[i] = (uint8_t)i;
	mcsec_hex_ct_encode_upper(buf, 256, enc);
	mcsec_hex_encode(buf, 256, ref);
	for(int i = 0; i < 512; i++)
		assert_int_equal(enc[i], ref[i] >= 'a' ? ref[i] - 32 : ref[i]);
	assert_int_equal(enc[512], '\0');
	assert_int_equal(mcsec_hex_ct_decode(enc, 512, back, 256), 256);
	assert_memory_equal(back, buf, 256);
	assert_int_equal(mcsec_hex_ct_decode(" 0A\n b C ", 9, back, 2), 2);
	assert_int_equal(back[0], 0x0a);
	assert_int_equal(back[1], 0xbc);
	assert_int_equal(mcsec_hex_ct_decode("0A0", 3, back, 2), -1);
	assert_int_equal(mcsec_hex_ct_decode("0A0B0C", 6, back, 2), -1);
	assert_int_equal(mcsec_hex_ct_decode("0G", 2, back, 2), -1);
	assert_int_equal(mcsec_hex_ct_decode("", 0, back, 2), 0);
}

/* ---- round trips ---- */

static void test_roundtrip_cert(void **state)
{
	mcsec_kms_cert_t *c = make_cert();
	mcsec_kms_doc_t d;
	char *xml;
	size_t len;

	(void)state;
	assert_int_equal(mcsec_kms_write_init(c, &xml, &len), MCSEC_OK);
	assert_int_equal(strlen(xml), len);
	/* D.3.4 layout */
	assert_non_null(strstr(xml, "<KmsResponse xmlns=\"" MCSEC_KMS_NS "\""));
	assert_non_null(
			strstr(xml, "<KmsMessage>\n    <KmsInit Version=\"1.0.0\">"));
	assert_non_null(
			strstr(xml, "<KmsCertificate Version=\"1.1.0\" Role=\"Root\">"));
	assert_non_null(strstr(xml, "<UserIdFormat>2</UserIdFormat>"));
	assert_non_null(strstr(xml, "<ValidFrom>2000-01-22T00:00:00</ValidFrom>"));
	assert_non_null(strstr(xml, "<ClientReqUrl>https://kms.example.org/"
								"keymanagement/identity/v1/init<"));
	assert_non_null(strstr(xml, "www.example.org &amp; &lt;sons&gt;"));
	assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
	assert_int_equal(d.ncerts, 1);
	assert_int_equal(d.nkeysets, 0);
	assert_int_equal(d.signature, MCSEC_KMS_SIG_NONE);
	assert_cert_eq(c, d.certs[0]);
	mcsec_kms_doc_free(&d);
	free(xml);

	/* External, security gateway (1.2.0), revoked, no optional fields */
	strcpy(c->version, "1.2.0");
	c->role = MCSEC_KMS_ROLE_EXTERNAL;
	c->is_security_gateway = 1;
	c->revoked = 1;
	free(c->cert_uri);
	free(c->issuer);
	c->cert_uri = c->issuer = NULL;
	c->valid_from = c->valid_to = 0;
	c->user_key_offset = 432000;
	assert_int_equal(mcsec_kms_write_init(c, &xml, &len), MCSEC_OK);
	assert_non_null(strstr(xml, "IsSecurityGateway=\"true\""));
	assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
	assert_cert_eq(c, d.certs[0]);
	mcsec_kms_doc_free(&d);
	free(xml);

	/* the writer refuses what the parser would refuse */
	strcpy(c->version, "1.1.0");
	assert_int_equal(mcsec_kms_write_init(c, &xml, &len), MCSEC_ERR_ARG);
	mcsec_kms_cert_free(c);
}

static void test_roundtrip_keyset(void **state)
{
	mcsec_kms_keyset_t *k[2] = {make_keyset("sip:alice@example.org", 1514),
			make_keyset("sip:alice@example.org", 1515)};
	mcsec_kms_doc_t d;
	char *xml;
	size_t len;

	(void)state;
	k[1]->revoked = 1;
	assert_int_equal(mcsec_kms_write_keyprov(k[0], NULL, &xml, &len), MCSEC_OK);
	assert_non_null(strstr(xml, "<KmsKeyProv Version=\"1.0.0\">\n      "
								"<KmsKeySet Version=\"1.1.0\">"));
	assert_non_null(strstr(xml, "<UserUri>sip:alice@example.org</UserUri>"));
	assert_non_null(strstr(xml, "/keymanagement/identity/v1/keyprov<"));
	assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
	assert_int_equal(d.ncerts, 0);
	assert_int_equal(d.nkeysets, 1);
	assert_int_equal(d.wrapped, 0);
	assert_keyset_eq(k[0], d.keysets[0]);
	mcsec_kms_doc_free(&d);
	free(xml);

	assert_int_equal(
			mcsec_kms_write_keyprov_ex((const mcsec_kms_keyset_t *const *)k, 2,
					"sip:admin@example.org", NULL, &xml, &len),
			MCSEC_OK);
	assert_non_null(strstr(xml, "<UserUri>sip:admin@example.org</UserUri>"));
	assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
	assert_int_equal(d.nkeysets, 2);
	assert_keyset_eq(k[0], d.keysets[0]);
	assert_keyset_eq(k[1], d.keysets[1]);
	mcsec_kms_doc_free(&d);
	free(xml);

	/* key sets of two KMSs do not go in one response */
	free(k[1]->kms_uri);
	k[1]->kms_uri = strdup("kms.other.org");
	assert_int_equal(
			mcsec_kms_write_keyprov_ex((const mcsec_kms_keyset_t *const *)k, 2,
					NULL, NULL, &xml, &len),
			MCSEC_ERR_ARG);
	mcsec_kms_keyset_free(k[0]);
	mcsec_kms_keyset_free(k[1]);
}

/* D.3.5.2: key values as xmlenc EncryptedKey, kw-aes256 under a TrK. */
static void test_wrapped_keyset(void **state)
{
	mcsec_kms_keyset_t *k = make_keyset("sip:bob@example.org", 7);
	mcsec_kms_write_opts_t wo = {.trk = &TRK};
	mcsec_kms_parse_opts_t po = {.trks = &TRK, .ntrks = 1};
	mcsec_kms_named_key_t wrong = TRK, short_trk = TRK, other = TRK;
	uint8_t wrong_key[32];
	mcsec_kms_doc_t d;
	char *xml, *rsk_hex;
	size_t len;

	(void)state;
	assert_int_equal(
			mcsec_kms_write_keyprov_ex((const mcsec_kms_keyset_t *const *)&k, 1,
					NULL, &wo, &xml, &len),
			MCSEC_OK);
	assert_non_null(
			strstr(xml, "<UserDecryptKey xsi:type=\"se:EncKeyContentType\">"));
	assert_non_null(strstr(xml, MCSEC_KMS_SECEXT_NS));
	assert_non_null(strstr(xml, "http://www.w3.org/2001/04/xmlenc#kw-aes256"));
	assert_non_null(
			strstr(xml, "<ds:KeyName>tk.12.user@example.org</ds:KeyName>"));
	/* no plain key material in the document */
	rsk_hex = hexstr(k->rsk, 16);
	for(char *p = rsk_hex; *p; p++)
		if(*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	assert_null(strstr(xml, rsk_hex));
	free(rsk_hex);

	assert_int_equal(parse(xml, &po, &d), MCSEC_OK);
	assert_int_equal(d.wrapped, 3);
	assert_keyset_eq(k, d.keysets[0]);
	mcsec_kms_doc_free(&d);

	/* no TrK configured / another name */
	expect_fail(xml, NULL, MCSEC_ERR_NOT_FOUND, "tk.12.user@example.org");
	other.name = "tk.13.user@example.org";
	po.trks = &other;
	expect_fail(xml, &po, MCSEC_ERR_NOT_FOUND, "not configured");
	/* wrong TrK value under the right name */
	memcpy(wrong_key, TRK_KEY, 32);
	wrong_key[0] ^= 1;
	wrong.key = wrong_key;
	po.trks = &wrong;
	expect_fail(xml, &po, MCSEC_ERR_INVALID_KEY, "UserDecryptKey");
	/* a TrK that is not 256 bits */
	short_trk.key_len = 16;
	po.trks = &short_trk;
	expect_fail(xml, &po, MCSEC_ERR_UNSUPPORTED, "256-bit");
	/* another algorithm */
	po.trks = &TRK;
	xml = repl(xml, "xmlenc#kw-aes256", "xmlenc#kw-aes128");
	expect_fail(xml, &po, MCSEC_ERR_UNSUPPORTED, "kw-aes256");
	free(xml);
	mcsec_kms_keyset_free(k);
}

/* One EncryptedKey element for value v wrapped as given. */
static char *enc_key_xml(const char *field, const uint8_t *v, size_t n, int kwp)
{
	uint8_t w[300];
	size_t wl;
	char b64[MCSEC_B64_ENC_LEN(300)];
	char *x = malloc(1024);
	assert_non_null(x);
	if(kwp)
		assert_int_equal(
				mcsec_kwp_wrap(TRK_KEY, v, n, w, sizeof(w), &wl), MCSEC_OK);
	else
		assert_int_equal(
				mcsec_kw_wrap(TRK_KEY, v, n, w, sizeof(w), &wl), MCSEC_OK);
	assert_true(mcsec_b64_encode(w, wl, b64, sizeof(b64), 0) > 0);
	snprintf(x, 1024,
			"<%s><EncryptedKey xmlns=\"http://www.w3.org/2001/04/xmlenc#\">"
			"<EncryptionMethod Algorithm=\"%s\"/>"
			"<ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">"
			"<ds:KeyName>tk.12.user@example.org</ds:KeyName></ds:KeyInfo>"
			"<CipherData><CipherValue>%s</CipherValue></CipherData>"
			"</EncryptedKey></%s>",
			field,
			kwp ? "http://www.w3.org/2009/xmlenc11#kw-aes-256-pad"
				: "http://www.w3.org/2001/04/xmlenc#kw-aes256",
			b64, field);
	return x;
}

/* The plain UserPubTokenPVT element of keyset_xml() replaced by repl. */
static char *with_pvt(const char *repl_el)
{
	char *xml = keyset_xml();
	char *a = strstr(xml, "<UserPubTokenPVT>"), *b, *out;
	assert_non_null(a);
	b = strstr(a, "</UserPubTokenPVT>") + strlen("</UserPubTokenPVT>");
	out = malloc(strlen(xml) + strlen(repl_el) + 1);
	memcpy(out, xml, (size_t)(a - xml));
	strcpy(out + (a - xml), repl_el);
	strcat(out, b);
	free(xml);
	return out;
}

/* Accepted encodings of a point under kw-aes256 (RFC 3394 needs a
 * multiple of 8 octets): x||y without 04, zero-padded; and kw-aes-256-pad
 * (RFC 5649) with the exact value. Anything else is refused. */
static void test_wrap_encodings(void **state)
{
	mcsec_kms_keyset_t *ref = make_keyset("sip:alice@example.org", 1514);
	mcsec_kms_parse_opts_t po = {.trks = &TRK, .ntrks = 1};
	mcsec_kms_doc_t d;
	uint8_t buf[80];
	char *el, *xml;

	(void)state;
	/* x||y (64 octets) */
	el = enc_key_xml("UserPubTokenPVT", ref->pvt + 1, 64, 0);
	xml = with_pvt(el);
	assert_int_equal(parse(xml, &po, &d), MCSEC_OK);
	assert_int_equal(d.wrapped, 1);
	assert_memory_equal(d.keysets[0]->pvt, ref->pvt, 65);
	mcsec_kms_doc_free(&d);
	free(el);
	free(xml);
	/* RFC 5649, exact 65 octets */
	el = enc_key_xml("UserPubTokenPVT", ref->pvt, 65, 1);
	xml = with_pvt(el);
	assert_int_equal(parse(xml, &po, &d), MCSEC_OK);
	assert_memory_equal(d.keysets[0]->pvt, ref->pvt, 65);
	mcsec_kms_doc_free(&d);
	free(el);
	free(xml);
	/* zero padding to 72 */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, ref->pvt, 65);
	el = enc_key_xml("UserPubTokenPVT", buf, 72, 0);
	xml = with_pvt(el);
	assert_int_equal(parse(xml, &po, &d), MCSEC_OK);
	assert_memory_equal(d.keysets[0]->pvt, ref->pvt, 65);
	mcsec_kms_doc_free(&d);
	free(el);
	free(xml);
	/* non-zero padding */
	buf[70] = 1;
	el = enc_key_xml("UserPubTokenPVT", buf, 72, 0);
	xml = with_pvt(el);
	expect_fail(xml, &po, MCSEC_ERR_MALFORMED, "expected 65-octet");
	free(el);
	free(xml);
	/* a length that fits nothing (80 octets) */
	memset(buf, 0, sizeof(buf));
	buf[0] = 4;
	el = enc_key_xml("UserPubTokenPVT", buf, 80, 0);
	xml = with_pvt(el);
	expect_fail(xml, &po, MCSEC_ERR_MALFORMED, "UserPubTokenPVT");
	free(el);
	free(xml);
	/* x||y of a value whose padded form would need the 04: 64 octets
	 * holding a full point's first 64 octets is read as x||y, so a point
	 * not starting 04 in 65/72 form is refused */
	memcpy(buf, ref->pvt, 65);
	buf[0] = 2;
	memset(buf + 65, 0, 7);
	el = enc_key_xml("UserPubTokenPVT", buf, 72, 0);
	xml = with_pvt(el);
	expect_fail(xml, &po, MCSEC_ERR_MALFORMED, "UserPubTokenPVT");
	free(el);
	free(xml);
	/* RFC 5649 with a length other than the value's */
	el = enc_key_xml("UserPubTokenPVT", ref->pvt, 64, 1);
	xml = with_pvt(el);
	expect_fail(xml, &po, MCSEC_ERR_MALFORMED, "UserPubTokenPVT");
	free(el);
	free(xml);
	/* EncryptedKey without KeyName, or without CipherValue */
	el = enc_key_xml("UserPubTokenPVT", ref->pvt + 1, 64, 0);
	xml = with_pvt(el);
	xml = repl1(xml, "<ds:KeyName>tk.12.user@example.org</ds:KeyName>", "");
	expect_fail(xml, &po, MCSEC_ERR_MALFORMED, "KeyName");
	free(xml);
	xml = with_pvt(el);
	xml = repl1(xml, "<CipherValue>", "<CipherValue>!!");
	expect_fail(xml, &po, MCSEC_ERR_MALFORMED, "base64");
	free(xml);
	xml = with_pvt(el);
	xml = repl1(
			xml, "<CipherData>", "<CipherReference URI=\"x\"/><CipherData>");
	expect_fail(xml, &po, MCSEC_ERR_UNSUPPORTED, "CipherReference");
	free(xml);
	free(el);
	mcsec_kms_keyset_free(ref);
}

/* Signed SignedKmsResponse (D.3.4 / D.3.5.2). */
static char *signed_keyprov(
		const mcsec_kms_named_key_t *ink, const mcsec_kms_named_key_t *trk)
{
	mcsec_kms_keyset_t *k = make_keyset("sip:carol@example.org", 9);
	mcsec_kms_write_opts_t wo = {.trk = trk, .ink = ink, .time = 3600000000ULL};
	char *xml;
	size_t len;
	assert_int_equal(
			mcsec_kms_write_keyprov_ex((const mcsec_kms_keyset_t *const *)&k, 1,
					NULL, &wo, &xml, &len),
			MCSEC_OK);
	mcsec_kms_keyset_free(k);
	return xml;
}

static void test_signed(void **state)
{
	mcsec_kms_parse_opts_t po = {.inks = &INK, .ninks = 1};
	mcsec_kms_named_key_t wrong = INK;
	uint8_t wk[32];
	mcsec_kms_doc_t d;
	char *xml = signed_keyprov(&INK, NULL), *t;
	mcsec_kms_keyset_t *ref = make_keyset("sip:carol@example.org", 9);

	(void)state;
	assert_non_null(strstr(xml, "<SignedKmsResponse"));
	assert_non_null(strstr(xml, "Id=\"xmldoc\""));
	assert_non_null(strstr(xml, "<Reference URI=\"#xmldoc\">"));
	assert_int_equal(parse(xml, &po, &d), MCSEC_OK);
	assert_int_equal(d.signature, MCSEC_KMS_SIG_VERIFIED);
	assert_string_equal(d.signature_key, "ink.12.user@example.org");
	assert_keyset_eq(ref, d.keysets[0]);
	mcsec_kms_doc_free(&d);

	/* not configured: parsed, recorded as unchecked */
	assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
	assert_int_equal(d.signature, MCSEC_KMS_SIG_UNCHECKED);
	assert_string_equal(d.signature_key, "ink.12.user@example.org");
	mcsec_kms_doc_free(&d);
	/* ... unless a signature is required */
	{
		mcsec_kms_parse_opts_t req = {.require_signature = 1};
		expect_fail(xml, &req, MCSEC_ERR_BAD_SIGNATURE, "not configured");
	}
	/* the InK may be given as a TrK (D.1: signed with InK or TrK) */
	{
		mcsec_kms_parse_opts_t as_trk = {
				.trks = &INK, .ntrks = 1, .require_signature = 1};
		assert_int_equal(parse(xml, &as_trk, &d), MCSEC_OK);
		assert_int_equal(d.signature, MCSEC_KMS_SIG_VERIFIED);
		mcsec_kms_doc_free(&d);
	}
	/* wrong key value */
	memcpy(wk, INK_KEY, 32);
	wk[5] ^= 0x40;
	wrong.key = wk;
	{
		mcsec_kms_parse_opts_t w = {.inks = &wrong, .ninks = 1};
		expect_fail(xml, &w, MCSEC_ERR_BAD_SIGNATURE, "HMAC");
	}
	/* tampered content: digest mismatch */
	t = repl1(strdup(xml), "sip:carol@", "sip:mallory@");
	expect_fail(t, &po, MCSEC_ERR_BAD_SIGNATURE, "digest");
	free(t);
	t = repl1(strdup(xml), "<KeyPeriodNo>9<", "<KeyPeriodNo>8<");
	expect_fail(t, &po, MCSEC_ERR_BAD_SIGNATURE, "digest");
	free(t);
	/* tampered SignedInfo (SignatureValue no longer matches) */
	t = repl1(strdup(xml), "<Reference URI=\"#xmldoc\">",
			"<Reference URI=\"#xmldoc\" Type=\"x\">");
	expect_fail(t, &po, MCSEC_ERR_BAD_SIGNATURE, "HMAC");
	free(t);
	/* a reference that is not the signed response */
	t = repl(strdup(xml), "#xmldoc", "#elsewhere");
	expect_fail(t, &po, MCSEC_ERR_BAD_SIGNATURE, "Reference");
	free(t);
	/* other algorithms */
	t = repl1(strdup(xml), "xmldsig-more#hmac-sha256",
			"xmldsig-more#hmac-sha384");
	expect_fail(t, &po, MCSEC_ERR_UNSUPPORTED, "SignatureMethod");
	free(t);
	t = repl1(strdup(xml), "REC-xml-c14n-20010315\"/>\n    <SignatureMethod",
			"REC-xml-c14n-20010315#WithComments\"/>\n    <SignatureMethod");
	expect_fail(t, &po, MCSEC_ERR_UNSUPPORTED, "CanonicalizationMethod");
	free(t);
	t = repl1(strdup(xml), "xmlenc#sha256", "xmldsig#sha1");
	expect_fail(t, &po, MCSEC_ERR_UNSUPPORTED, "DigestMethod");
	free(t);
	t = repl1(strdup(xml), "xmldsig#enveloped-signature",
			"http://www.w3.org/TR/1999/REC-xpath-19991116");
	expect_fail(t, &po, MCSEC_ERR_UNSUPPORTED, "Transforms");
	free(t);
	/* truncated HMAC below 128 bits */
	t = repl1(strdup(xml), "xmldsig-more#hmac-sha256\"/>",
			"xmldsig-more#hmac-sha256\"><HMACOutputLength>64"
			"</HMACOutputLength></SignatureMethod>");
	expect_fail(t, &po, MCSEC_ERR_BAD_SIGNATURE, "HMACOutputLength");
	free(t);
	/* a second KmsResponse smuggled in */
	t = repl1(strdup(xml), "<Signature xmlns",
			"<KmsResponse xmlns=\"" MCSEC_KMS_NS "\"/><Signature xmlns");
	expect_fail(t, &po, MCSEC_ERR_MALFORMED, "SignedKmsResponse");
	free(t);
	/* an unsigned document when a signature is required */
	{
		mcsec_kms_parse_opts_t req = {
				.inks = &INK, .ninks = 1, .require_signature = 1};
		char *plain = keyset_xml();
		expect_fail(plain, &req, MCSEC_ERR_BAD_SIGNATURE, "signature");
		free(plain);
		/* signature element removed */
		t = strdup(xml);
		{
			char *a = strstr(t, "<Signature xmlns"),
				 *b = strstr(t, "</Signature>");
			assert_non_null(a);
			assert_non_null(b);
			memmove(a, b + strlen("</Signature>"),
					strlen(b + strlen("</Signature>")) + 1);
		}
		expect_fail(t, &req, MCSEC_ERR_BAD_SIGNATURE, "signature");
		assert_int_equal(parse(t, NULL, &d), MCSEC_OK);
		assert_int_equal(d.signature, MCSEC_KMS_SIG_NONE);
		mcsec_kms_doc_free(&d);
		free(t);
	}
	free(xml);

	/* signed and wrapped together, the D.3.4.2 way */
	xml = signed_keyprov(&INK, &TRK);
	{
		mcsec_kms_parse_opts_t both = {.trks = &TRK,
				.ntrks = 1,
				.inks = &INK,
				.ninks = 1,
				.require_signature = 1};
		assert_int_equal(parse(xml, &both, &d), MCSEC_OK);
		assert_int_equal(d.signature, MCSEC_KMS_SIG_VERIFIED);
		assert_int_equal(d.wrapped, 3);
		assert_keyset_eq(ref, d.keysets[0]);
		mcsec_kms_doc_free(&d);
	}
	free(xml);
	mcsec_kms_keyset_free(ref);
}

/* A signed init (KmsInit signed with the TrK, as in D.3.4.1). */
static void test_signed_init(void **state)
{
	mcsec_kms_cert_t *c = make_cert();
	mcsec_kms_write_opts_t wo = {.ink = &TRK};
	mcsec_kms_parse_opts_t po = {.trks = &TRK, .ntrks = 1};
	mcsec_kms_doc_t d;
	char *xml;
	size_t len;

	(void)state;
	assert_int_equal(mcsec_kms_write_init_ex(c, &wo, &xml, &len), MCSEC_OK);
	assert_int_equal(parse(xml, &po, &d), MCSEC_OK);
	assert_int_equal(d.signature, MCSEC_KMS_SIG_VERIFIED);
	assert_cert_eq(c, d.certs[0]);
	mcsec_kms_doc_free(&d);
	xml = repl1(xml, "<UserKeyPeriod>2592000<", "<UserKeyPeriod>2592001<");
	expect_fail(xml, &po, MCSEC_ERR_BAD_SIGNATURE, "digest");
	free(xml);
	mcsec_kms_cert_free(c);
}

/* ---- the spec's D.3.4 examples ---- */

static char *valid_point_hex(size_t n)
{
	char *h = malloc(2 * n + 1);
	assert_non_null(h);
	h[0] = '0';
	h[1] = '4';
	for(size_t i = 2; i < 2 * n; i++)
		h[i] = "0123456789ABCDEF"[(i * 7) % 16];
	h[2 * n] = '\0';
	return h;
}

static char *fix_spec_keys(char *xml)
{
	char *enc = valid_point_hex(257), *auth = valid_point_hex(65);
	char *a = malloc(600), *b = malloc(200);
	sprintf(a, "<PubEncKey>%s</PubEncKey>", enc);
	sprintf(b, "<PubAuthKey>%s</PubAuthKey>", auth);
	xml = repl(xml, "<PubEncKey>029A2F</PubEncKey>", a);
	xml = repl(xml, "<PubAuthKey>029A2F</PubAuthKey>", b);
	free(enc);
	free(auth);
	free(a);
	free(b);
	return xml;
}

static void test_spec_kmsinit(void **state)
{
	char *xml = read_file(VDIR "d341-kmsinit-spec.xml", NULL);
	mcsec_kms_named_key_t tk11 = {"tk.11.user@example.org", TRK_KEY, 32};
	mcsec_kms_parse_opts_t po = {.trks = &tk11, .ntrks = 1};
	mcsec_kms_doc_t d;
	uint64_t t;

	(void)state;
	/* as printed: the 3-octet placeholder keys are refused */
	expect_fail(xml, NULL, MCSEC_ERR_MALFORMED, "PubEncKey");
	xml = fix_spec_keys(xml);
	/* signed with the bootstrap TrK, which we do not have: unchecked */
	assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
	assert_int_equal(d.signature, MCSEC_KMS_SIG_UNCHECKED);
	assert_string_equal(d.signature_key, "tk.11.user@example.org");
	assert_int_equal(d.ncerts, 1);
	assert_string_equal(d.certs[0]->version, "1.1.0");
	assert_int_equal(d.certs[0]->role, MCSEC_KMS_ROLE_ROOT);
	assert_string_equal(d.certs[0]->cert_uri, "cert1.kms.example.org");
	assert_string_equal(d.certs[0]->kms_uri, "kms.example.org");
	assert_string_equal(d.certs[0]->issuer, "www.example.org");
	assert_int_equal(mcsec_kms_time_parse("2000-01-26T00:00:00", 19, &t), 0);
	assert_int_equal(d.certs[0]->valid_from, t);
	assert_int_equal(mcsec_kms_time_parse("2025-01-26T23:59:59", 19, &t), 0);
	assert_int_equal(d.certs[0]->valid_to, t);
	assert_int_equal(d.certs[0]->user_id_format, 2);
	assert_int_equal(d.certs[0]->user_key_period, 2592000);
	assert_int_equal(d.certs[0]->user_key_offset, 0);
	assert_int_equal(d.certs[0]->ndomains, 2);
	assert_string_equal(d.certs[0]->domains[1], "sec2.example.org");
	mcsec_kms_doc_free(&d);
	/* with a key of that name: the example's DigestValue "nnnn" fails */
	expect_fail(xml, &po, MCSEC_ERR_BAD_SIGNATURE, "DigestValue");
	/* and with a well-formed digest, the HMAC-128 "DEADBEEF" */
	xml = repl(xml, "<DigestValue>nnnn</DigestValue>",
			"<DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</"
			"DigestValue>");
	expect_fail(xml, &po, MCSEC_ERR_BAD_SIGNATURE, "SignatureValue");
	free(xml);
}

static void test_spec_kmskeyprov(void **state)
{
	char *xml = read_file(VDIR "d342-kmskeyprov-spec.xml", NULL);
	mcsec_kms_named_key_t tk12 = {"tk.12.user@example.org", TRK_KEY, 32};
	mcsec_kms_parse_opts_t po = {.trks = &tk12, .ntrks = 1};

	(void)state;
	/* as printed: UserID is 16 octets, not 32 */
	expect_fail(xml, NULL, MCSEC_ERR_MALFORMED, "UserID");
	xml = repl1(xml, "0123456789ABCDEF0123456789ABCDEF",
			"0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
	/* the key values are wrapped with tk.12, which we do not have */
	expect_fail(xml, NULL, MCSEC_ERR_NOT_FOUND, "tk.12.user@example.org");
	/* with tk.12: "DEADBEEF" is no RFC 3394 output */
	expect_fail(xml, &po, MCSEC_ERR_MALFORMED, "CipherValue");
	free(xml);
}

static void test_spec_kmscertcache(void **state)
{
	char *xml = read_file(VDIR "d343-kmscertcache-spec.xml", NULL);
	mcsec_kms_doc_t d;

	(void)state;
	expect_fail(xml, NULL, MCSEC_ERR_MALFORMED, "PubEncKey");
	xml = fix_spec_keys(xml);
	assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
	assert_int_equal(d.signature, MCSEC_KMS_SIG_UNCHECKED);
	assert_string_equal(d.signature_key, "ink.12.user@example.org");
	assert_int_equal(d.ncerts, 2);
	assert_int_equal(d.nkeysets, 0);
	assert_int_equal(d.certs[0]->role, MCSEC_KMS_ROLE_EXTERNAL);
	assert_string_equal(d.certs[0]->cert_uri, "cert2.kms.example.org");
	assert_string_equal(d.certs[1]->kms_uri, "kms.another.example.org");
	assert_int_equal(d.certs[1]->user_key_period, 604800);
	assert_int_equal(d.certs[1]->user_key_offset, 432000);
	assert_int_equal(d.certs[1]->ndomains, 1);
	assert_string_equal(d.certs[1]->domains[0], "another.example.org");
	mcsec_kms_doc_free(&d);
	free(xml);
}

/* Independent C14N 1.0 of an XPath node-set (the xmldsig-core way of
 * selecting a document subset), for checking our own canonicalisation. */
static size_t xpath_c14n(const char *xml, const char *expr, uint8_t **out)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr obj;
	xmlChar *c = NULL;
	int n;

	assert_non_null(doc);
	ctx = xmlXPathNewContext(doc);
	assert_non_null(ctx);
	assert_int_equal(
			xmlXPathRegisterNs(ctx, (const xmlChar *)"ds",
					(const xmlChar *)"http://www.w3.org/2000/09/xmldsig#"),
			0);
	obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	assert_non_null(obj);
	assert_non_null(obj->nodesetval);
	n = xmlC14NDocDumpMemory(doc, obj->nodesetval, XML_C14N_1_0, NULL, 0, &c);
	assert_true(n > 0);
	*out = malloc((size_t)n);
	memcpy(*out, c, (size_t)n);
	xmlFree(c);
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return (size_t)n;
}

/* The D.3.4.2 example exactly as laid out in the spec (no Transforms,
 * HMACOutputLength 128, ds:KeyInfo in EncryptedKey, xsi:type), filled with
 * real values: six kw-aes256 wrapped keys under tk.12 and an HMAC by
 * ink.12 computed here independently (XPath node-set C14N). */
static void test_spec_kmskeyprov_real(void **state)
{
	char *xml = read_file(VDIR "d342-kmskeyprov-spec.xml", NULL);
	mcsec_kms_keyset_t *k[2] = {make_keyset("example:user@example.org", 1514),
			make_keyset("example:user.pseudonym@example.org", 1514)};
	mcsec_kms_named_key_t tk12 = {"tk.12.user@example.org", TRK_KEY, 32};
	mcsec_kms_named_key_t ink12 = {"ink.12.user@example.org", INK_KEY, 32};
	mcsec_kms_parse_opts_t po = {.trks = &tk12,
			.ntrks = 1,
			.inks = &ink12,
			.ninks = 1,
			.require_signature = 1};
	mcsec_kms_doc_t d;
	uint8_t *c, md[32], mac[32];
	unsigned mlen;
	size_t clen;
	char b64[MCSEC_B64_ENC_LEN(300)], tag[MCSEC_B64_ENC_LEN(300) + 64], *uid;

	(void)state;
	uid = hexstr(k[0]->user_id, 32);
	xml = repl1(xml, "0123456789ABCDEF0123456789ABCDEF", uid);
	free(uid);
	uid = hexstr(k[1]->user_id, 32);
	xml = repl1(xml, "0011223344556677889900AABBCCDDEEFF", uid);
	free(uid);
	xml = repl1(xml, "<ValidTo>2016-03-29T23:59:59</ValidTo>\n  <KeyPeriodNo>",
			"<KeyPeriodNo>");
	for(int i = 0; i < 2; i++) {
		const uint8_t *v[3] = {k[i]->rsk, k[i]->ssk, k[i]->pvt};
		const size_t n[3] = {257, 32, 65};
		for(int j = 0; j < 3; j++) {
			uint8_t padded[264] = {0}, w[272];
			size_t wl;
			memcpy(padded, v[j], n[j]);
			assert_int_equal(mcsec_kw_wrap(TRK_KEY, padded, (n[j] + 7) / 8 * 8,
									 w, sizeof(w), &wl),
					MCSEC_OK);
			mcsec_b64_encode(w, wl, b64, sizeof(b64), 0);
			snprintf(tag, sizeof(tag), "<CipherValue>%s</CipherValue>", b64);
			xml = repl1(xml, "<CipherValue>DEADBEEF</CipherValue>", tag);
		}
	}
	/* D.3.5.2 implies the enveloped transform: the digest is over the
	 * SignedKmsResponse without its Signature */
	clen = xpath_c14n(xml,
			"(//. | //@* | "
			"//namespace::*)[not(ancestor-or-self::ds:Signature)]",
			&c);
	EVP_Digest(c, clen, md, NULL, EVP_sha256(), NULL);
	free(c);
	mcsec_b64_encode(md, 32, b64, sizeof(b64), 0);
	snprintf(tag, sizeof(tag), "<DigestValue>%s</DigestValue>", b64);
	xml = repl1(xml, "<DigestValue>nnnn</DigestValue>", tag);
	clen = xpath_c14n(xml,
			"(//. | //@* | //namespace::*)[ancestor-or-self::ds:SignedInfo]",
			&c);
	HMAC(EVP_sha256(), INK_KEY, 32, c, clen, mac, &mlen);
	free(c);
	mcsec_b64_encode(mac, 16, b64, sizeof(b64), 0); /* HMACOutputLength 128 */
	snprintf(tag, sizeof(tag), "<SignatureValue>%s</SignatureValue>", b64);
	xml = repl1(xml, "<SignatureValue>DEADBEEF</SignatureValue>", tag);

	assert_int_equal(parse(xml, &po, &d), MCSEC_OK);
	assert_int_equal(d.signature, MCSEC_KMS_SIG_VERIFIED);
	assert_int_equal(d.wrapped, 6);
	assert_int_equal(d.nkeysets, 2);
	for(int i = 0; i < 2; i++) {
		assert_string_equal(d.keysets[i]->user_uri, k[i]->user_uri);
		assert_memory_equal(d.keysets[i]->user_id, k[i]->user_id, 32);
		assert_memory_equal(d.keysets[i]->rsk, k[i]->rsk, 257);
		assert_memory_equal(d.keysets[i]->ssk, k[i]->ssk, 32);
		assert_memory_equal(d.keysets[i]->pvt, k[i]->pvt, 65);
		assert_int_equal(d.keysets[i]->key_period_no, 1514);
	}
	mcsec_kms_doc_free(&d);
	/* one altered character anywhere signed fails */
	xml = repl1(xml, "<Issuer>www.example.org</Issuer>",
			"<Issuer>www.example.com</Issuer>");
	expect_fail(xml, &po, MCSEC_ERR_BAD_SIGNATURE, "digest");
	free(xml);
	mcsec_kms_keyset_free(k[0]);
	mcsec_kms_keyset_free(k[1]);
}

/* The second key set of D.3.4.2 repeats <ValidTo>: refused. */
static void test_spec_duplicate_validto(void **state)
{
	char *xml = read_file(VDIR "d342-kmskeyprov-spec.xml", NULL);
	char *ks2 = strstr(xml, "example:user.pseudonym@example.org");
	char *fixed;

	(void)state;
	assert_non_null(ks2);
	/* take the second KmsKeySet alone, with plain values */
	{
		char *start = strstr(xml, "<KmsKeySet Version = \"1.1.0\">\n        "
								  "<KmsUri>kms.example.org</KmsUri>\n        "
								  "<CertUri>cert1.kms.example.org</CertUri>\n"
								  "        <Issuer>www.example.org</Issuer>\n"
								  "        <UserUri>example:user.pseudonym");
		char *end = strstr(ks2, "<UserDecryptKey");
		size_t n;
		assert_non_null(start);
		assert_non_null(end);
		n = (size_t)(end - start);
		fixed = malloc(n + 2048);
		memcpy(fixed, start, n);
		fixed[n] = '\0';
		fixed = repl1(fixed, "<KmsKeySet Version = \"1.1.0\">",
				"<KmsKeySet xmlns=\"" MCSEC_KMS_NS "\" Version=\"1.1.0\">");
		fixed = repl1(fixed, "0011223344556677889900AABBCCDDEEFF",
				"00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEE"
				"FF");
		{
			char *enc = valid_point_hex(257), *pvt = valid_point_hex(65);
			char *tail = malloc(1200);
			sprintf(tail,
					"<UserDecryptKey>%s</UserDecryptKey>"
					"<UserSigningKeySSK>"
					"00112233445566778899AABBCCDDEEFF00112233"
					"445566778899AABBCCDDEEFF</UserSigningKeySSK>"
					"<UserPubTokenPVT>%s</UserPubTokenPVT></KmsKeySet>",
					enc, pvt);
			fixed = realloc(fixed, strlen(fixed) + strlen(tail) + 1);
			strcat(fixed, tail);
			free(enc);
			free(pvt);
			free(tail);
		}
	}
	expect_fail(fixed, NULL, MCSEC_ERR_MALFORMED,
			"ValidTo> appears more than once");
	/* and without the repeat it parses */
	fixed = repl1(fixed, "<ValidTo>2016-03-29T23:59:59</ValidTo>\n", "");
	{
		mcsec_kms_doc_t d;
		assert_int_equal(parse(fixed, NULL, &d), MCSEC_OK);
		assert_int_equal(d.nkeysets, 1);
		assert_int_equal(d.keysets[0]->key_period_no, 1514);
		assert_string_equal(
				d.keysets[0]->user_uri, "example:user.pseudonym@example.org");
		mcsec_kms_doc_free(&d);
	}
	free(fixed);
	free(xml);
}

/* ---- every check of the parser, one at a time ---- */

static void neg_cert(
		const char *from, const char *to, int code, const char *what)
{
	char *xml = repl1(cert_xml(), from, to);
	expect_fail(xml, NULL, code, what);
	free(xml);
}

static void neg_keyset(
		const char *from, const char *to, int code, const char *what)
{
	char *xml = repl1(keyset_xml(), from, to);
	expect_fail(xml, NULL, code, what);
	free(xml);
}

static void test_neg_cert(void **state)
{
	(void)state;
	neg_cert(
			"<PubEncKey>04", "<PubEncKey>0G", MCSEC_ERR_MALFORMED, "PubEncKey");
	neg_cert("<PubEncKey>04", "<PubEncKey>", MCSEC_ERR_MALFORMED, "257 octets");
	neg_cert("<PubEncKey>04", "<PubEncKey>0400", MCSEC_ERR_MALFORMED, "257");
	neg_cert("<PubEncKey>04", "<PubEncKey>02", MCSEC_ERR_MALFORMED,
			"uncompressed");
	neg_cert("<PubAuthKey>04", "<PubAuthKey>", MCSEC_ERR_MALFORMED,
			"PubAuthKey");
	neg_cert("<PubAuthKey>04", "<PubAuthKey>4", MCSEC_ERR_MALFORMED,
			"PubAuthKey");
	neg_cert("<UserIdFormat>2<", "<UserIdFormat>1<", MCSEC_ERR_UNSUPPORTED,
			"must be 2");
	neg_cert("<UserIdFormat>2<", "<UserIdFormat>x<", MCSEC_ERR_MALFORMED,
			"UserIdFormat");
	neg_cert("Role=\"Root\"", "Role=\"Root\" IsSecurityGateway=\"true\"",
			MCSEC_ERR_MALFORMED, "IsSecurityGateway requires Version 1.2.0");
	neg_cert("Version=\"1.1.0\" Role=\"Root\"",
			"Version=\"1.2.0\" Role=\"Root\" IsSecurityGateway=\"yes\"",
			MCSEC_ERR_MALFORMED, "IsSecurityGateway");
	neg_cert("Version=\"1.1.0\" ", "", MCSEC_ERR_MALFORMED, "Version");
	neg_cert("Version=\"1.1.0\" ", "Version=\"1.0.0\" ", MCSEC_ERR_UNSUPPORTED,
			"Version");
	neg_cert("Role=\"Root\"", "Role=\"root\"", MCSEC_ERR_MALFORMED, "Role");
	neg_cert("Role=\"Root\"", "", MCSEC_ERR_MALFORMED, "Role");
	neg_cert("<ParameterSet>1<", "<ParameterSet>2<", MCSEC_ERR_UNSUPPORTED,
			"ParameterSet");
	neg_cert("<UserKeyPeriod>2592000<", "<UserKeyPeriod>0<",
			MCSEC_ERR_MALFORMED, "UserKeyPeriod");
	neg_cert("<UserKeyPeriod>2592000<", "<UserKeyPeriod>-1<",
			MCSEC_ERR_MALFORMED, "UserKeyPeriod");
	neg_cert("<UserKeyOffset>0<", "<UserKeyOffset>99999999999999999999<",
			MCSEC_ERR_MALFORMED, "UserKeyOffset");
	neg_cert("<ValidFrom>2000-01-22T00:00:00<", "<ValidFrom>2000-01-20<",
			MCSEC_ERR_MALFORMED, "ValidFrom");
	neg_cert("<ValidFrom>2000-01-22T00:00:00<",
			"<ValidFrom>2099-01-20T00:00:00<", MCSEC_ERR_MALFORMED,
			"ValidFrom after ValidTo");
	neg_cert("<Revoked>false<", "<Revoked>no<", MCSEC_ERR_MALFORMED, "Revoked");
	neg_cert("<Revoked>false</Revoked>",
			"<Revoked>false</Revoked><Revoked>true</Revoked>",
			MCSEC_ERR_MALFORMED, "more than once");
	neg_cert("<ParameterSet>", "<Colour>red</Colour><ParameterSet>",
			MCSEC_ERR_MALFORMED, "unexpected element <Colour>");
	neg_cert("<ParameterSet>", "<Colour xmlns=\"\">red</Colour><ParameterSet>",
			MCSEC_ERR_MALFORMED, "not in the KMS namespace");
	neg_cert("<ParameterSet>", "stray text<ParameterSet>", MCSEC_ERR_MALFORMED,
			"text content");
	neg_cert("<KmsUri>kms.example.org</KmsUri>\n      <CertUri>", "<CertUri>",
			MCSEC_ERR_MALFORMED, "<KmsUri> missing");
	neg_cert("<KmsUri>kms.example.org</KmsUri>\n      <CertUri>",
			"<KmsUri></KmsUri><CertUri>", MCSEC_ERR_MALFORMED, "KmsUri");
	neg_cert("<KmsUri>kms.example.org</KmsUri>\n      <CertUri>",
			"<KmsUri><b>x</b></KmsUri><CertUri>", MCSEC_ERR_MALFORMED,
			"element content");
	neg_cert("<KmsDomain>sec1.example.org</KmsDomain>",
			"<Domain>sec1.example.org</Domain>", MCSEC_ERR_MALFORMED,
			"KmsDomainList");
	neg_cert("<KmsInit Version=\"1.0.0\">",
			"<KmsInit Version=\"1.0.0\"><KmsCertificate Version=\"1.1.0\" "
			"Role=\"Root\"><KmsUri>x</KmsUri><UserIdFormat>2</UserIdFormat>"
			"<UserKeyPeriod>1</UserKeyPeriod><UserKeyOffset>0</UserKeyOffset>"
			"</KmsCertificate>",
			MCSEC_ERR_MALFORMED, "PubEncKey> missing");
	neg_cert("<KmsMessage>", "<KmsMessage><KmsKeyProv/>", MCSEC_ERR_MALFORMED,
			"more than one message");
	neg_cert("<KmsMessage>",
			"<KmsError><ErrorCode>403</ErrorCode><ErrorMsg>denied</ErrorMsg>"
			"</KmsError><KmsMessage>",
			MCSEC_ERR_UNSUPPORTED, "KmsError 403: denied");
	/* UserIDFormat (table D.3.2.2-1 spelling) is accepted too */
	{
		char *xml = repl(cert_xml(), "UserIdFormat", "UserIDFormat");
		mcsec_kms_doc_t d;
		assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
		assert_int_equal(d.certs[0]->user_id_format, 2);
		mcsec_kms_doc_free(&d);
		free(xml);
	}
	/* extension elements of another namespace are ignored */
	{
		char *xml = repl1(cert_xml(), "<ParameterSet>",
				"<x:Vendor xmlns:x=\"urn:example:x\"><x:y/></x:Vendor>"
				"<ParameterSet>");
		mcsec_kms_doc_t d;
		assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
		mcsec_kms_doc_free(&d);
		free(xml);
	}
}

static void test_neg_keyset(void **state)
{
	(void)state;
	neg_keyset("<UserID>", "<UserID>00", MCSEC_ERR_MALFORMED, "UserID");
	neg_keyset("<UserID>", "<UserID>zz", MCSEC_ERR_MALFORMED, "UserID");
	neg_keyset("<UserDecryptKey>04", "<UserDecryptKey>", MCSEC_ERR_MALFORMED,
			"UserDecryptKey");
	neg_keyset("<UserDecryptKey>04", "<UserDecryptKey>03", MCSEC_ERR_MALFORMED,
			"uncompressed");
	neg_keyset("<UserSigningKeySSK>", "<UserSigningKeySSK>00",
			MCSEC_ERR_MALFORMED, "UserSigningKeySSK");
	neg_keyset("<UserPubTokenPVT>04", "<UserPubTokenPVT>04 00",
			MCSEC_ERR_MALFORMED, "UserPubTokenPVT");
	neg_keyset("<KeyPeriodNo>1514<", "<KeyPeriodNo>15x4<", MCSEC_ERR_MALFORMED,
			"KeyPeriodNo");
	neg_keyset("<KmsKeySet Version=\"1.1.0\">", "<KmsKeySet Version=\"1.2.0\">",
			MCSEC_ERR_UNSUPPORTED, "Version");
	neg_keyset("\n        <UserUri>sip:alice@example.org</UserUri>", "",
			MCSEC_ERR_MALFORMED, "<UserUri> missing");
	neg_keyset("<Revoked>false</Revoked>",
			"<Revoked>false</Revoked><KeyPeriodNo>1</KeyPeriodNo>",
			MCSEC_ERR_MALFORMED, "more than once");
	neg_keyset("<UserDecryptKey>", "<UserDecryptKey><foo/>",
			MCSEC_ERR_MALFORMED, "EncryptedKey");
	/* hex may be wrapped with whitespace */
	{
		char *xml = repl1(keyset_xml(), "<UserSigningKeySSK>",
				"<UserSigningKeySSK>\n   ");
		mcsec_kms_doc_t d;
		xml = repl1(xml, "</UserSigningKeySSK>", "\n  </UserSigningKeySSK>");
		assert_int_equal(parse(xml, NULL, &d), MCSEC_OK);
		mcsec_kms_doc_free(&d);
		free(xml);
	}
}

/* XML-level hardening. */
static void test_hardening(void **state)
{
	mcsec_kms_doc_t d;
	const char *laughs =
			"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
			"<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n"
			"<KmsKeySet xmlns=\"" MCSEC_KMS_NS "\"><KmsUri>&lol2;</KmsUri>"
			"</KmsKeySet>";
	const char *xxe = "<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><KmsKeySet/>";
	char *big, *deep, *xml;
	size_t n;

	(void)state;
	expect_fail(laughs, NULL, MCSEC_ERR_MALFORMED, "DOCTYPE");
	expect_fail(xxe, NULL, MCSEC_ERR_MALFORMED, "DOCTYPE");
	expect_fail("<KmsKeySet xmlns=\"" MCSEC_KMS_NS "\"><KmsUri>&ext;</KmsUri>"
				"</KmsKeySet>",
			NULL, MCSEC_ERR_MALFORMED, "not well-formed");
	expect_fail("<KmsKeySet", NULL, MCSEC_ERR_MALFORMED, "not well-formed");
	expect_fail("", NULL, MCSEC_ERR_MALFORMED, "empty");
	expect_fail("<KmsKeySet xmlns=\"urn:other\"/>", NULL, MCSEC_ERR_UNSUPPORTED,
			"urn:other");
	expect_fail("<KmsKeySet/>", NULL, MCSEC_ERR_UNSUPPORTED, "none");
	expect_fail("<KmsResponse xmlns=\"" MCSEC_KMS_NS "\"/>", NULL,
			MCSEC_ERR_NOT_FOUND, "no KmsCertificate");
	/* oversize: a valid document padded past 1 MiB with a comment */
	xml = keyset_xml();
	n = strlen(xml);
	big = malloc(MCSEC_KMS_MAX_DOC + 64);
	memcpy(big, xml, n);
	memcpy(big + n, "<!--", 4);
	memset(big + n + 4, 'a', MCSEC_KMS_MAX_DOC + 1 - n);
	memcpy(big + MCSEC_KMS_MAX_DOC + 5, "-->", 4);
	expect_fail(big, NULL, MCSEC_ERR_MALFORMED, "larger than");
	/* the same just under the limit parses */
	memcpy(big + MCSEC_KMS_MAX_DOC - 3 - 1, "-->", 4);
	big[MCSEC_KMS_MAX_DOC - 1] = '\0';
	assert_int_equal(parse(big, NULL, &d), MCSEC_OK);
	mcsec_kms_doc_free(&d);
	free(big);
	/* depth: extension elements nested 40 deep inside a key set */
	deep = malloc(n + 40 * 40);
	{
		char *p = strstr(xml, "<Revoked>");
		size_t pre = (size_t)(p - xml);
		char *o = deep;
		memcpy(o, xml, pre);
		o += pre;
		for(int i = 0; i < 40; i++)
			o += sprintf(o, "<x:a xmlns:x=\"urn:x\">");
		for(int i = 0; i < 40; i++)
			o += sprintf(o, "</x:a>");
		strcpy(o, p);
	}
	expect_fail(deep, NULL, MCSEC_ERR_MALFORMED, "deeper");
	free(deep);
	free(xml);
}

static void test_args(void **state)
{
	mcsec_kms_doc_t d;
	char *out;
	size_t len;
	(void)state;
	assert_int_equal(
			mcsec_kms_parse(NULL, 0, NULL, &d, NULL, 0), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_kms_parse("<a/>", 4, NULL, NULL, NULL, 0), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_kms_write_init(NULL, &out, &len), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_kms_write_keyprov(NULL, NULL, &out, &len), MCSEC_ERR_ARG);
	mcsec_kms_doc_free(NULL);
	mcsec_kms_cert_free(NULL);
	mcsec_kms_keyset_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_time),
			cmocka_unit_test(test_hex_ct),
			cmocka_unit_test(test_roundtrip_cert),
			cmocka_unit_test(test_roundtrip_keyset),
			cmocka_unit_test(test_wrapped_keyset),
			cmocka_unit_test(test_wrap_encodings),
			cmocka_unit_test(test_signed),
			cmocka_unit_test(test_signed_init),
			cmocka_unit_test(test_spec_kmsinit),
			cmocka_unit_test(test_spec_kmskeyprov),
			cmocka_unit_test(test_spec_kmskeyprov_real),
			cmocka_unit_test(test_spec_kmscertcache),
			cmocka_unit_test(test_spec_duplicate_validto),
			cmocka_unit_test(test_neg_cert),
			cmocka_unit_test(test_neg_keyset),
			cmocka_unit_test(test_hardening),
			cmocka_unit_test(test_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
