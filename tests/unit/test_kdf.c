/*
 * TS 33.220 B.2 KDF and TS 33.180 Annex F derivations.  Layout tests build
 * S octet by octet here and compute the HMAC / hash independently with
 * OpenSSL's one-shot functions, so what is checked is the S layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "encoding.h"
#include "kdf.h"
#include "mcsec_err.h"

static void hmac256(const uint8_t *key, size_t klen, const uint8_t *s,
		size_t slen, uint8_t out[32])
{
	unsigned int l = 0;
	assert_non_null(HMAC(EVP_sha256(), key, (int)klen, s, slen, out, &l));
	assert_int_equal(l, 32);
}

/* append P || L (two octets big-endian) */
static size_t put_p(uint8_t *s, size_t n, const void *p, size_t len)
{
	memcpy(s + n, p, len);
	n += len;
	s[n++] = (uint8_t)(len >> 8);
	s[n++] = (uint8_t)len;
	return n;
}

static void test_kdf_generic(void **state)
{
	uint8_t key[20], out[32], exp[32], s[64];
	const uint8_t a[] = {1, 2, 3}, b[] = "hello";
	mcsec_kdf_param_t p[2] = {{a, sizeof(a)}, {b, 5}};
	size_t n = 0;
	(void)state;

	RAND_bytes(key, sizeof(key));
	s[n++] = 0x42;
	n = put_p(s, n, a, 3);
	n = put_p(s, n, b, 5);
	hmac256(key, sizeof(key), s, n, exp);
	assert_int_equal(mcsec_kdf(key, sizeof(key), 0x42, p, 2, out), MCSEC_OK);
	assert_memory_equal(out, exp, 32);

	/* no parameters: S = FC */
	hmac256(key, sizeof(key), s, 1, exp);
	assert_int_equal(mcsec_kdf(key, sizeof(key), 0x42, NULL, 0, out), MCSEC_OK);
	assert_memory_equal(out, exp, 32);

	/* an empty P contributes only L = 0x0000 */
	mcsec_kdf_param_t e = {NULL, 0};
	uint8_t s2[3] = {0x42, 0, 0};
	hmac256(key, sizeof(key), s2, 3, exp);
	assert_int_equal(mcsec_kdf(key, sizeof(key), 0x42, &e, 1, out), MCSEC_OK);
	assert_memory_equal(out, exp, 32);

	/* argument checks */
	mcsec_kdf_param_t big = {a, 0x10000};
	assert_int_equal(
			mcsec_kdf(key, sizeof(key), 0x42, &big, 1, out), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_kdf(NULL, 16, 0x42, p, 2, out), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_kdf(key, 0, 0x42, p, 2, out), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_kdf(key, 16, 0x42, NULL, 2, out), MCSEC_ERR_ARG);
}

static void test_int_octets(void **state)
{
	uint8_t o[8];
	(void)state;
	assert_int_equal(mcsec_int_octets(0, o), 1);
	assert_int_equal(o[0], 0x00);
	assert_int_equal(mcsec_int_octets(0xff, o), 1);
	assert_int_equal(o[0], 0xff);
	assert_int_equal(mcsec_int_octets(0x100, o), 2);
	assert_memory_equal(o, "\x01\x00", 2);
	/* F.2.1.2: 2592000 -> 27 8D 00, 1388 -> 05 6C */
	assert_int_equal(mcsec_int_octets(2592000, o), 3);
	assert_memory_equal(o, "\x27\x8d\x00", 3);
	assert_int_equal(mcsec_int_octets(1388, o), 2);
	assert_memory_equal(o, "\x05\x6c", 2);
	assert_int_equal(mcsec_int_octets(UINT64_MAX, o), 8);
	assert_memory_equal(o, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	assert_int_equal(mcsec_int_octets(0x0100000000000000ULL, o), 8);
	assert_int_equal(o[0], 0x01);
}

static void test_key_period_no(void **state)
{
	uint64_t n = 0;
	(void)state;
	/* F.2.1.2 */
	assert_int_equal(
			mcsec_key_period_no(3599719634ULL, 2592000, 0, &n), MCSEC_OK);
	assert_int_equal(n, 1388);
	assert_int_equal(mcsec_key_period_no(100, 10, 5, &n), MCSEC_OK);
	assert_int_equal(n, 9);
	assert_int_equal(mcsec_key_period_no(5, 10, 5, &n), MCSEC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mcsec_key_period_no(4, 10, 5, &n), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_key_period_no(100, 0, 0, &n), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_key_period_no(100, 10, 0, NULL), MCSEC_ERR_ARG);
}

/* F.2.1.2 example, with the corrected printed value (DESIGN.md 4) */
static void test_uid_example(void **state)
{
	static const char s_hex[] =
			"004d494b45592d53414b4b452d554944000f7369703a75736572406578616d706c"
			"652e6f726700146b6d732e6578616d706c652e6f7267000f278d00000300000105"
			"6c0002";
	static const char uid_hex[] =
			"3a81fb14c3b1d0fe43c9c577104d55a6d81788bfd2f09743c4557746a5a0353b";
	uint8_t s[128], exp[32], uid[32];
	long n;
	(void)state;

	/* the S printed in F.2.1.2 hashes to the corrected UID */
	n = mcsec_hex_decode(s_hex, strlen(s_hex), s, sizeof(s));
	assert_true(n > 0);
	SHA256(s, (size_t)n, exp);
	assert_int_equal(mcsec_hex_decode(uid_hex, 64, uid, 32), 32);
	assert_memory_equal(exp, uid, 32);

	assert_int_equal(mcsec_uid("sip:user@example.org", 20, "kms.example.org",
							 15, 2592000, 0, 1388, uid),
			MCSEC_OK);
	assert_memory_equal(uid, exp, 32);

	/* every input matters */
	uint8_t other[32];
	assert_int_equal(mcsec_uid("sip:user@example.org", 20, "kms.example.org",
							 15, 2592000, 0, 1389, other),
			MCSEC_OK);
	assert_memory_not_equal(other, exp, 32);
	assert_int_equal(mcsec_uid("sip:user@example.org", 20, "kms.example.org",
							 15, 2592000, 1, 1388, other),
			MCSEC_OK);
	assert_memory_not_equal(other, exp, 32);
	assert_int_equal(mcsec_uid("sip:user@example.org", 20, "kms.example.org",
							 15, 2592001, 0, 1388, other),
			MCSEC_OK);
	assert_memory_not_equal(other, exp, 32);
	assert_int_equal(mcsec_uid("sip:user@example.orh", 20, "kms.example.org",
							 15, 2592000, 0, 1388, other),
			MCSEC_OK);
	assert_memory_not_equal(other, exp, 32);
	assert_int_equal(mcsec_uid("sip:user@example.org", 20, "kms.example.orh",
							 15, 2592000, 0, 1388, other),
			MCSEC_OK);
	assert_memory_not_equal(other, exp, 32);

	assert_int_equal(mcsec_uid(NULL, 20, "k", 1, 1, 0, 0, uid), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_uid("u", 1, "k", 1, 0, 0, 0, uid), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_uid("u", 1, "k", 0, 1, 0, 0, uid), MCSEC_ERR_ARG);
}

/* UID layout with multi-octet lengths and a long identifier */
static void test_uid_layout(void **state)
{
	char uri[300];
	const char *kms = "secgroup1.kms.example.org";
	uint8_t s[512], exp[32], uid[32], i3[8], i4[8], i5[8];
	size_t n = 0, l3, l4, l5;
	(void)state;

	memset(uri, 'a', sizeof(uri));
	memcpy(uri, "sip:", 4);
	l3 = mcsec_int_octets(86400, i3);
	l4 = mcsec_int_octets(3600, i4);
	l5 = mcsec_int_octets(41666, i5);
	s[n++] = 0x00;
	n = put_p(s, n, "MIKEY-SAKKE-UID", 15);
	n = put_p(s, n, uri, sizeof(uri));
	n = put_p(s, n, kms, strlen(kms));
	n = put_p(s, n, i3, l3);
	n = put_p(s, n, i4, l4);
	n = put_p(s, n, i5, l5);
	assert_int_equal(s[1 + 15 + 2 + 300], 0x01); /* L1 = 0x012c */
	assert_int_equal(s[1 + 15 + 2 + 301], 0x2c);
	SHA256(s, n, exp);
	assert_int_equal(mcsec_uid(uri, sizeof(uri), kms, strlen(kms), 86400, 3600,
							 41666, uid),
			MCSEC_OK);
	assert_memory_equal(uid, exp, 32);
}

/* F.1.3: S = 0x50 || URI || L; salt = 28 LSB; GUK-ID = GMK-ID xor salt */
static void test_user_salt_layout(void **state)
{
	const char *uri = "sip:alice@mcptt.example.org";
	uint8_t gmk[16], s[128], h[32];
	uint32_t salt = 0, exp;
	size_t n = 0;
	(void)state;

	RAND_bytes(gmk, sizeof(gmk));
	s[n++] = 0x50;
	n = put_p(s, n, uri, strlen(uri));
	hmac256(gmk, 16, s, n, h);
	exp = (((uint32_t)h[28] << 24) | ((uint32_t)h[29] << 16)
				  | ((uint32_t)h[30] << 8) | h[31])
		  & 0x0fffffff;
	assert_int_equal(
			mcsec_user_salt(gmk, 16, uri, strlen(uri), &salt), MCSEC_OK);
	assert_int_equal(salt, exp);
	assert_int_equal(salt & 0xf0000000u, 0);

	/* GUK-ID keeps the purpose tag and inverts */
	uint32_t gmk_id = 0x0abcdef1, guk = mcsec_guk_id(gmk_id, salt);
	assert_int_equal(guk >> 28, gmk_id >> 28);
	assert_int_equal(guk, gmk_id ^ salt);
	assert_int_equal(mcsec_guk_id(guk, salt), gmk_id);
	/* a salt with high bits set (caller error) cannot touch the tag */
	assert_int_equal(mcsec_guk_id(0x10000000, 0xffffffff) >> 28, 1);

	assert_int_equal(mcsec_user_salt(NULL, 16, uri, 3, &salt), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_user_salt(gmk, 16, NULL, 3, &salt), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_user_salt(gmk, 16, uri, 0, &salt), MCSEC_ERR_ARG);
}

/* F.1.4: S = FC || MC ID || L0 || XPK-ID(4) || 0x0004 */
static void test_xml_key_layout(void **state)
{
	const char *mcid = "sip:bob@mcptt.example.org";
	uint8_t xpk[32], s[128], h[32], out[32];
	const uint8_t idb[4] = {0x2a, 0xbc, 0xde, 0xf0};
	size_t n, olen = 0;
	(void)state;

	RAND_bytes(xpk, sizeof(xpk));
	for(int fc = 0x51; fc <= 0x52; fc++) {
		for(size_t klen = 16; klen <= 32; klen += 16) {
			n = 0;
			s[n++] = (uint8_t)fc;
			n = put_p(s, n, mcid, strlen(mcid));
			n = put_p(s, n, idb, 4);
			assert_memory_equal(s + n - 6, "\x2a\xbc\xde\xf0\x00\x04", 6);
			hmac256(xpk, klen, s, n, h);
			memset(out, 0, sizeof(out));
			assert_int_equal(mcsec_xml_key(xpk, klen, (uint8_t)fc, mcid,
									 strlen(mcid), 0x2abcdef0, out, &olen),
					MCSEC_OK);
			assert_int_equal(olen, klen);
			/* 128-bit: the last 16 octets; 256-bit: all */
			assert_memory_equal(out, h + 32 - klen, klen);
		}
	}
	/* the two FCs give different keys */
	uint8_t c[32], i[32];
	assert_int_equal(mcsec_xml_key(xpk, 16, MCSEC_FC_XML_CONF, mcid,
							 strlen(mcid), 1, c, &olen),
			MCSEC_OK);
	assert_int_equal(mcsec_xml_key(xpk, 16, MCSEC_FC_XML_INT, mcid,
							 strlen(mcid), 1, i, &olen),
			MCSEC_OK);
	assert_memory_not_equal(c, i, 16);

	assert_int_equal(mcsec_xml_key(xpk, 24, 0x51, mcid, 3, 1, out, &olen),
			MCSEC_ERR_ARG);
	assert_int_equal(mcsec_xml_key(xpk, 16, 0x53, mcid, 3, 1, out, &olen),
			MCSEC_ERR_ARG);
	assert_int_equal(mcsec_xml_key(xpk, 16, 0x51, mcid, 0, 1, out, &olen),
			MCSEC_ERR_ARG);
	assert_int_equal(mcsec_xml_key(xpk, 16, 0x51, NULL, 3, 1, out, &olen),
			MCSEC_ERR_ARG);
}

/* F.1.5: S = 0x53 || DPPK-ID(4) || 0x0004 */
static void test_dpck_layout(void **state)
{
	uint8_t dppk[32], h[32], out[32];
	const uint8_t s[7] = {0x53, 0x40, 0x00, 0x00, 0x07, 0x00, 0x04};
	size_t olen = 0;
	(void)state;

	RAND_bytes(dppk, sizeof(dppk));
	for(size_t klen = 16; klen <= 32; klen += 16) {
		hmac256(dppk, klen, s, sizeof(s), h);
		assert_int_equal(
				mcsec_dpck(dppk, klen, 0x40000007, out, &olen), MCSEC_OK);
		assert_int_equal(olen, klen);
		assert_memory_equal(out, h + 32 - klen, klen);
	}
	assert_int_equal(mcsec_dpck(dppk, 20, 1, out, &olen), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_dpck(NULL, 16, 1, out, &olen), MCSEC_ERR_ARG);
}

static void test_purpose_names(void **state)
{
	static const char *names[] = {
			"GMK", "PCK", "CSK", "SPK", "MKFC", "MSCCK", "MuSiK"};
	(void)state;
	for(unsigned i = 0; i < 7; i++) {
		assert_string_equal(mcsec_key_purpose_name(i), names[i]);
		assert_int_equal(mcsec_key_purpose_from_name(names[i]), (int)i);
		assert_int_equal(mcsec_key_purpose((uint32_t)i << 28 | 0x0123456), i);
	}
	assert_null(mcsec_key_purpose_name(7));
	assert_null(mcsec_key_purpose_name(15));
	assert_int_equal(mcsec_key_purpose_from_name("musik"), 6);
	assert_int_equal(mcsec_key_purpose_from_name("csk"), 2);
	assert_int_equal(mcsec_key_purpose_from_name("XPK"), -1);
	assert_int_equal(mcsec_key_purpose_from_name(""), -1);
	assert_int_equal(mcsec_key_purpose_from_name(NULL), -1);
	assert_int_equal(mcsec_key_purpose(0xf0000000u), 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_kdf_generic),
			cmocka_unit_test(test_int_octets),
			cmocka_unit_test(test_key_period_no),
			cmocka_unit_test(test_uid_example),
			cmocka_unit_test(test_uid_layout),
			cmocka_unit_test(test_user_salt_layout),
			cmocka_unit_test(test_xml_key_layout),
			cmocka_unit_test(test_dpck_layout),
			cmocka_unit_test(test_purpose_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
