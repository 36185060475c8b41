/*
 * Unit tests: XML signalling protection (TS 33.180 9.3) - keys (F.1.4),
 * URI attribute encryption known answers (9.3.4.3), content encryption and
 * key material (9.3.4.2), xmlsec1-made vectors, body signatures (9.3.5),
 * protect/unprotect, policy parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_xml_util.h"
#include "xml_internal.h"

static const char CT_INFO[] = "application/vnd.3gpp.mcptt-info+xml";

static void test_keys_f14(void **state)
{
	mcsec_xml_keys_t k;
	uint8_t conf[16], integ[16];
	(void)state;

	test_keys(&k, 0);
	assert_int_equal(mcsec_hex_decode(kat("conf"), 32, conf, 16), 16);
	assert_int_equal(mcsec_hex_decode(kat("integ"), 32, integ, 16), 16);
	assert_int_equal(k.conf_len, 16);
	assert_int_equal(k.integ_len, 16);
	assert_memory_equal(k.conf, conf, 16);
	assert_memory_equal(k.integ, integ, 16);
	test_keys(&k, 1);
	assert_memory_equal(k.conf,
			"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f",
			16);
	mcsec_xml_keys_clear(&k);
	assert_int_equal(k.conf_len, 0);
	/* bad XPK sizes */
	assert_int_equal(
			mcsec_xml_keys_init(&k, conf, 24, 1, "a", 1, 0), MCSEC_ERR_ARG);
}

static void test_uri_kat(void **state)
{
	mcsec_xml_keys_t k;
	uint8_t iv[12];
	char *out = NULL;
	size_t n;
	char uri[256];
	(void)state;

	test_keys(&k, 0);
	assert_int_equal(mcsec_hex_decode(kat("iv"), 24, iv, 12), 12);
	strcpy(uri, kat("uri"));
	assert_int_equal(mcsec_uri_encrypt_iv(uri, strlen(uri), &k, NULL, iv, &out),
			MCSEC_OK);
	assert_string_equal(out, kat("encrypted"));
	free(out);
	assert_int_equal(mcsec_uri_decrypt(kat("encrypted"),
							 strlen(kat("encrypted")), &k, 1, &out, &n),
			MCSEC_OK);
	assert_string_equal(out, uri);
	assert_int_equal(n, strlen(uri));
	free(out);
	/* raw-XPK known answer */
	test_keys(&k, 1);
	assert_int_equal(mcsec_uri_encrypt_iv(uri, strlen(uri), &k, NULL, iv, &out),
			MCSEC_OK);
	assert_string_equal(out, kat("encrypted-raw-xpk"));
	free(out);
	mcsec_xml_keys_clear(&k);
}

static void test_uri_reject(void **state)
{
	mcsec_xml_keys_t k, other;
	char enc[512], *out = NULL, *bad;
	size_t n;
	uint32_t id;
	(void)state;

	test_keys(&k, 0);
	strcpy(enc, kat("encrypted"));
	assert_true(mcsec_uri_is_encrypted(enc, strlen(enc)));
	assert_int_equal(mcsec_uri_key_id(enc, strlen(enc), &id), MCSEC_OK);
	assert_int_equal(id, 0x2000abcd);
	/* one flipped ciphertext character: GCM tag fails */
	bad = strdup(enc);
	bad[5] = bad[5] == 'A' ? 'B' : 'A';
	assert_int_equal(mcsec_uri_decrypt(bad, strlen(bad), &k, 1, &out, &n),
			MCSEC_ERR_BAD_SIGNATURE);
	assert_null(out);
	free(bad);
	/* unknown key id */
	other = k;
	other.xpk_id = 0x20000001;
	assert_int_equal(mcsec_uri_decrypt(enc, strlen(enc), &other, 1, &out, &n),
			MCSEC_ERR_NOT_FOUND);
	/* other algorithm */
	bad = replace(enc, "128-aes-gcm", "128-aes-cbc");
	assert_int_equal(mcsec_uri_decrypt(bad, strlen(bad), &k, 1, &out, &n),
			MCSEC_ERR_UNSUPPORTED);
	free(bad);
	/* structure: missing fields, wrong order, standard base64, no domain */
	{
		static const char *const bads[] = {
				"sip:alice@example.org",
				"sip:abc;iv=yv66vvrO263eyviI;alg=128-aes-gcm@d.example",
				"sip:abc;key-id=IACrzQ;iv=yv66vvrO263eyviI;alg=128-aes-gcm@d."
				"example",
				"sip:ab+c;iv=yv66vvrO263eyviI;key-id=IACrzQ;alg=128-aes-gcm@d."
				"example",
				"sip:abc;iv=yv66vvrO263eyviI;key-id=IACrzQ;alg=128-aes-gcm",
				"sip:abc;iv=yv66vvrO263eyviI;key-id=IACrzQ;alg=128-aes-gcm@",
				"sip:abc;iv=yv66vvrO263eyviI;key-id=IACrzQ;alg=128-aes-gcm;x=1@"
				"d.example",
				"sips:abc;iv=yv66vvrO263eyviI;key-id=IACrzQ;alg=128-aes-gcm@d."
				"example",
				"sip:abc;iv=yv66vvrO263eyviI;key-id=IACrzQ;alg=128-aes-gcm@d@e",
				"sip:;iv=yv66vvrO263eyviI;key-id=IACrzQ;alg=128-aes-gcm@d."
				"example",
		};
		for(size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
			assert_false(mcsec_uri_is_encrypted(bads[i], strlen(bads[i])));
			assert_int_equal(mcsec_uri_decrypt(
									 bads[i], strlen(bads[i]), &k, 1, &out, &n),
					MCSEC_ERR_MALFORMED);
		}
	}
	/* short IV (9 octets), short ciphertext (< tag) */
	{
		const char *s1 = "sip:6KWyNKBHL7MXKu6MIz9P5_"
						 "tKezORpYVrQ5Xnk6OrCXSvLugEvmY;iv=yv66vvrO263e;"
						 "key-id=IACrzQ;alg=128-aes-gcm@d.example";
		const char *s2 = "sip:6KWyNKBHL7MXKu6M;iv=yv66vvrO263eyviI;key-id="
						 "IACrzQ;alg=128-aes-gcm@"
						 "d.example";
		assert_int_equal(mcsec_uri_decrypt(s1, strlen(s1), &k, 1, &out, &n),
				MCSEC_ERR_MALFORMED);
		assert_int_equal(mcsec_uri_decrypt(s2, strlen(s2), &k, 1, &out, &n),
				MCSEC_ERR_MALFORMED);
	}
	/* encrypt: bad domain, empty URI, 256-bit key is not 128-AES-GCM */
	assert_int_equal(mcsec_uri_encrypt("sip:a@b", 7, &k, "bad domain", &out),
			MCSEC_ERR_ARG);
	assert_int_equal(mcsec_uri_encrypt("", 0, &k, NULL, &out), MCSEC_ERR_ARG);
	{
		mcsec_xml_keys_t k32;
		uint8_t x[32] = {1};
		assert_int_equal(
				mcsec_xml_keys_init(&k32, x, 32, 1, "a", 1, 0), MCSEC_OK);
		assert_int_equal(mcsec_uri_encrypt("sip:a@b", 7, &k32, NULL, &out),
				MCSEC_ERR_UNSUPPORTED);
	}
	/* a control character in the plaintext is refused on the way back */
	{
		uint8_t iv[12] = {0};
		char *e = NULL;
		assert_int_equal(mcsec_uri_encrypt_iv("sip:a\n@b", 8, &k, NULL, iv, &e),
				MCSEC_OK);
		assert_int_equal(mcsec_uri_decrypt(e, strlen(e), &k, 1, &out, &n),
				MCSEC_ERR_MALFORMED);
		free(e);
		/* nor invalid UTF-8 */
		assert_int_equal(
				mcsec_uri_encrypt_iv("sip:\xff@b", 8, &k, NULL, iv, &e),
				MCSEC_OK);
		assert_int_equal(mcsec_uri_decrypt(e, strlen(e), &k, 1, &out, &n),
				MCSEC_ERR_MALFORMED);
		free(e);
	}
}

static void test_content_roundtrip(void **state)
{
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = NULL;
	char *doc, *enc = NULL, *dec = NULL;
	size_t len, el, dl;
	unsigned cnt = 0;
	(void)state;

	test_keys(&k, 0);
	assert_int_equal(mcsec_xml_policy_default(&pol), MCSEC_OK);
	doc = read_vec("mcptt_info.xml", &len);
	assert_int_equal(mcsec_xml_encrypt_doc(doc, len, CT_INFO, strlen(CT_INFO),
							 pol, &k, &enc, &el, &cnt),
			MCSEC_OK);
	assert_int_equal(cnt, 2);
	assert_null(strstr(enc, "group1"));
	assert_null(strstr(enc, "alice&amp;co"));
	assert_non_null(strstr(enc, "<ds:KeyName>IACrzQ==</ds:KeyName>"));
	assert_non_null(strstr(enc, "aes128-gcm"));
	assert_non_null(strstr(enc, "type=\"Encrypted\""));
	/* emergency-ind is not in the policy */
	assert_non_null(strstr(enc, "<mcpttBoolean>false</mcpttBoolean>"));
	/* a fresh random IV every time: the same input never encrypts alike */
	{
		char *enc2 = NULL;
		size_t e2;
		assert_int_equal(mcsec_xml_encrypt_doc(doc, len, CT_INFO,
								 strlen(CT_INFO), pol, &k, &enc2, &e2, NULL),
				MCSEC_OK);
		assert_string_not_equal(enc, enc2);
		free(enc2);
	}
	/* an element holding an EncryptedData deeper down is left alone too */
	{
		const char *nd =
				"<mcpttinfo xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\"><mcptt-Params>"
				"<mcptt-request-uri><w><EncryptedData "
				"xmlns=\"http://www.w3.org/"
				"2001/04/xmlenc#\"/></w></mcptt-request-uri></mcptt-Params>"
				"</mcpttinfo>";
		char *enc2 = NULL;
		size_t e2;
		assert_int_equal(mcsec_xml_encrypt_doc(nd, strlen(nd), CT_INFO,
								 strlen(CT_INFO), pol, &k, &enc2, &e2, &cnt),
				MCSEC_OK);
		assert_int_equal(cnt, 0);
		free(enc2);
	}
	/* encrypting again changes nothing already protected */
	{
		char *enc2 = NULL;
		size_t e2;
		assert_int_equal(mcsec_xml_encrypt_doc(enc, el, CT_INFO,
								 strlen(CT_INFO), pol, &k, &enc2, &e2, &cnt),
				MCSEC_OK);
		assert_int_equal(cnt, 0);
		free(enc2);
	}
	assert_int_equal(mcsec_xml_decrypt_doc(enc, el, &k, 1, 0, &dec, &dl, &cnt),
			MCSEC_OK);
	assert_int_equal(cnt, 2);
	assert_string_equal(dec, doc); /* same serialisation as the vector */
	free(dec);
	/* wrong key: the GCM tag fails */
	{
		mcsec_xml_keys_t w;
		test_keys(&w, 1);
		assert_int_equal(
				mcsec_xml_decrypt_doc(enc, el, &w, 1, 0, &dec, &dl, NULL),
				MCSEC_ERR_BAD_SIGNATURE);
		/* another XPK-ID: not found, or left alone when asked to skip */
		w.xpk_id = 0x20000002;
		assert_int_equal(
				mcsec_xml_decrypt_doc(enc, el, &w, 1, 0, &dec, &dl, NULL),
				MCSEC_ERR_NOT_FOUND);
		assert_int_equal(mcsec_xml_decrypt_doc(enc, el, &w, 1,
								 MCSEC_XML_SKIP_UNKNOWN_KEY, &dec, &dl, &cnt),
				MCSEC_OK);
		assert_int_equal(cnt, 0);
		assert_non_null(strstr(dec, "EncryptedData"));
		free(dec);
		/* with both keys the right one is picked by KeyName */
		{
			mcsec_xml_keys_t two[2] = {w, k};
			assert_int_equal(
					mcsec_xml_decrypt_doc(enc, el, two, 2, 0, &dec, &dl, &cnt),
					MCSEC_OK);
			assert_int_equal(cnt, 2);
			free(dec);
		}
	}
	free(enc);
	free(doc);
	mcsec_xml_policy_free(pol);
}

static void test_xmlsec1_vector(void **state)
{
	mcsec_xml_keys_t k;
	char *v, *plain, *dec = NULL;
	size_t len, pl, dl;
	unsigned cnt;
	(void)state;

	test_keys(&k, 0);
	v = read_vec("xmlsec1_encrypted.xml", &len);
	plain = read_vec("mcptt_info.xml", &pl);
	assert_int_equal(
			mcsec_xml_decrypt_doc(v, len, &k, 1, 0, &dec, &dl, &cnt), MCSEC_OK);
	assert_int_equal(cnt, 1);
	assert_string_equal(dec, plain);
	free(dec);
	free(v);
	free(plain);
}

static void test_uri_attributes_in_doc(void **state)
{
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = NULL;
	const char *pidf =
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
			"entity=\"sip:somebody@mcptt.org\"><tuple "
			"id=\"acD4rhU87bK\"><status>"
			"<affiliation xmlns=\"urn:3gpp:ns:mcpttPresInfo:1.0\" "
			"group=\"sip:thegroup@mcptt.org\"/></status></tuple></presence>\n";
	const char *ct = "application/pidf+xml";
	char *enc = NULL, *dec = NULL;
	size_t el, dl;
	unsigned cnt;
	(void)state;

	test_keys(&k, 0);
	const char *pt = "domain = enc.example\n[application/pidf+xml]\n"
					 "uri = urn:ietf:params:xml:ns:pidf presence entity\n"
					 "uri = * affiliation group\n";
	assert_int_equal(
			mcsec_xml_policy_parse(pt, strlen(pt), &pol, NULL), MCSEC_OK);
	assert_int_equal(mcsec_xml_encrypt_doc(pidf, strlen(pidf), ct, strlen(ct),
							 pol, &k, &enc, &el, &cnt),
			MCSEC_OK);
	assert_int_equal(cnt, 2);
	assert_null(strstr(enc, "somebody"));
	assert_null(strstr(enc, "thegroup"));
	assert_non_null(strstr(enc, ";alg=128-aes-gcm@enc.example\""));
	assert_int_equal(mcsec_xml_decrypt_doc(enc, el, &k, 1, 0, &dec, &dl, &cnt),
			MCSEC_OK);
	assert_int_equal(cnt, 2);
	assert_string_equal(dec, pidf);
	free(enc);
	free(dec);
	mcsec_xml_policy_free(pol);
}

static void test_key_material(void **state)
{
	mcsec_xml_keys_t k16, k32;
	mcsec_xml_policy_t *pol = NULL;
	uint8_t trk[32];
	const char *doc =
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<KeySet xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\">"
			"<UserSigningKeySSK>000102030405060708090A0B0C0D0E0F"
			"101112131415161718191A1B1C1D1E1F</UserSigningKeySSK></KeySet>\n";
	const char *pol_text =
			"[application/test+xml]\n"
			"key = urn:3gpp:ns:mcsecKMSInterface:1.0 UserSigningKeySSK\n";
	const char *ct = "application/test+xml";
	char *enc = NULL, *dec = NULL, *bad;
	size_t el, dl;
	unsigned cnt;
	(void)state;

	for(int i = 0; i < 32; i++)
		trk[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(
			mcsec_xml_keys_init(&k32, trk, 32, 0x2000abcd, "sip:a@b", 7, 0),
			MCSEC_OK);
	assert_int_equal(k32.conf_len, 32);
	test_keys(&k16, 0);
	assert_int_equal(
			mcsec_xml_policy_parse(pol_text, strlen(pol_text), &pol, NULL),
			MCSEC_OK);
	/* not hex, odd digit count, not a multiple of 64 bits */
	{
		static const char *const bad_docs[] = {
				"<KeySet "
				"xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\"><"
				"UserSigningKeySSK>"
				"000102030405060708090A0B0C0D0E0G</UserSigningKeySSK></KeySet>",
				"<KeySet "
				"xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\"><"
				"UserSigningKeySSK>"
				"000102030405060708090A0B0C0D0E0F1</UserSigningKeySSK></"
				"KeySet>",
				"<KeySet "
				"xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\"><"
				"UserSigningKeySSK>"
				"000102030405060708090A0B0C0D0E0F1011</UserSigningKeySSK></"
				"KeySet>",
		};
		for(size_t i = 0; i < 3; i++)
			assert_int_equal(
					mcsec_xml_encrypt_doc(bad_docs[i], strlen(bad_docs[i]), ct,
							strlen(ct), pol, &k32, &enc, &el, &cnt),
					MCSEC_ERR_MALFORMED);
	}
	/* kw-aes256 needs a 256-bit key */
	assert_int_equal(mcsec_xml_encrypt_doc(doc, strlen(doc), ct, strlen(ct),
							 pol, &k16, &enc, &el, &cnt),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(mcsec_xml_encrypt_doc(doc, strlen(doc), ct, strlen(ct),
							 pol, &k32, &enc, &el, &cnt),
			MCSEC_OK);
	assert_int_equal(cnt, 1);
	assert_non_null(strstr(enc, "<EncryptedKey"));
	assert_non_null(strstr(enc, "kw-aes256"));
	assert_null(strstr(enc, "0A0B0C0D"));
	assert_int_equal(
			mcsec_xml_decrypt_doc(enc, el, &k32, 1, 0, &dec, &dl, &cnt),
			MCSEC_OK);
	assert_int_equal(cnt, 1);
	assert_non_null(strstr(dec, ">000102030405060708090a0b0c0d0e0f1011121314151"
								"61718191a1b1c1d1e1f<"));
	free(dec);
	/* RFC 3394 integrity check: another key is detected */
	{
		mcsec_xml_keys_t w = k32;
		w.conf[0] ^= 1;
		assert_int_equal(
				mcsec_xml_decrypt_doc(enc, el, &w, 1, 0, &dec, &dl, NULL),
				MCSEC_ERR_BAD_SIGNATURE);
	}
	/* an EncryptedKey with another algorithm is refused */
	bad = replace(enc, "kw-aes256", "kw-aes128");
	assert_int_equal(mcsec_xml_decrypt_doc(
							 bad, strlen(bad), &k32, 1, 0, &dec, &dl, NULL),
			MCSEC_ERR_UNSUPPORTED);
	free(bad);
	free(enc);
	mcsec_xml_policy_free(pol);
}

static void test_key_material_kat(void **state)
{
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = NULL;
	uint8_t xpk[32];
	char *v = read_vec("key_material_kat.txt", NULL), doc[512], want[128];
	char *enc = NULL, *p;
	const char *pt = "[application/test+xml]\nkey = - K\n";
	size_t el;
	(void)state;

	p = strstr(v, "\nxpk=") + 5;
	assert_int_equal(mcsec_hex_decode(p, 64, xpk, 32), 32);
	p = strstr(v, "\nkey=") + 5;
	snprintf(doc, sizeof(doc), "<K>%.64s</K>", p);
	p = strstr(v, "\nciphervalue=") + 13;
	snprintf(want, sizeof(want), "<CipherValue>%.*s</CipherValue>",
			(int)strcspn(p, "\n"), p);
	assert_int_equal(
			mcsec_xml_keys_init(&k, xpk, 32, 0x2000abcd, "x", 1, 1), MCSEC_OK);
	assert_int_equal(
			mcsec_xml_policy_parse(pt, strlen(pt), &pol, NULL), MCSEC_OK);
	assert_int_equal(
			mcsec_xml_encrypt_doc(doc, strlen(doc), "application/test+xml", 20,
					pol, &k, &enc, &el, NULL),
			MCSEC_OK);
	assert_non_null(strstr(enc, want));
	free(enc);
	free(v);
	mcsec_xml_policy_free(pol);
}

static void test_body_sign_verify(void **state)
{
	mcsec_xml_keys_t k;
	const char *ct = "multipart/mixed; boundary=\"xx-b\"";
	char *info, *body, *out = NULL, *oct = NULL;
	size_t il, bl, ol;
	unsigned ns = 0;
	(void)state;

	test_keys(&k, 0);
	info = read_vec("mcptt_info.xml", &il);
	body = malloc(il + 512);
	bl = (size_t)sprintf(body,
			"--xx-b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n"
			"--xx-b\r\nContent-Type: %s\r\n\r\n%s\r\n--xx-b--\r\n",
			CT_INFO, info);
	assert_int_equal(
			mcsec_xml_body_sign(body, bl, ct, &k, &out, &ol, &oct), MCSEC_OK);
	assert_string_equal(oct, ct);
	assert_non_null(strstr(
			out, "Content-Type: application/vnd.3gpp.mcptt-signed+xml\r\n"));
	assert_non_null(strstr(out, "Content-ID: <xml1."));
	assert_int_equal(mcsec_xml_body_verify(out, ol, ct, &k, 1, &ns), MCSEC_OK);
	assert_int_equal(ns, 1);
	/* the wrong integrity key */
	{
		mcsec_xml_keys_t w = k;
		w.integ[3] ^= 0x40;
		assert_int_equal(mcsec_xml_body_verify(out, ol, ct, &w, 1, NULL),
				MCSEC_ERR_BAD_SIGNATURE);
	}
	/* one octet of the signed part changed */
	{
		char *t = replace(out, "group1", "group2");
		assert_int_equal(mcsec_xml_body_verify(t, strlen(t), ct, &k, 1, NULL),
				MCSEC_ERR_BAD_SIGNATURE);
		free(t);
	}
	/* the SDP part is not XML: not required to be signed, may change */
	{
		char *t = replace(out, "v=0", "v=1");
		assert_int_equal(
				mcsec_xml_body_verify(t, strlen(t), ct, &k, 1, NULL), MCSEC_OK);
		free(t);
	}
	/* unsigned body */
	assert_int_equal(mcsec_xml_body_verify(body, bl, ct, &k, 1, NULL),
			MCSEC_ERR_BAD_SIGNATURE);
	/* signing a signed body again is refused */
	{
		char *o2 = NULL, *c2 = NULL;
		size_t l2;
		assert_int_equal(mcsec_xml_body_sign(out, ol, ct, &k, &o2, &l2, &c2),
				MCSEC_ERR_UNSUPPORTED);
	}
	free(out);
	free(oct);

	/* a single XML body is wrapped in a multipart/mixed */
	assert_int_equal(
			mcsec_xml_body_sign(info, il, CT_INFO, &k, &out, &ol, &oct),
			MCSEC_OK);
	assert_true(strncmp(oct, "multipart/mixed;boundary=", 25) == 0);
	assert_int_equal(mcsec_xml_body_verify(out, ol, oct, &k, 1, &ns), MCSEC_OK);
	assert_int_equal(ns, 1);
	free(out);
	free(oct);
	free(body);
	free(info);
}

static void test_xmlsec1_signed_body(void **state)
{
	mcsec_xml_keys_t k;
	char *b, *ct;
	size_t bl;
	unsigned ns = 0;
	(void)state;

	test_keys(&k, 0);
	b = read_vec("xmlsec1_signed_body.txt", &bl);
	ct = read_vec("xmlsec1_signed_body.ctype", NULL);
	assert_int_equal(mcsec_xml_body_verify(b, bl, ct, &k, 1, &ns), MCSEC_OK);
	assert_int_equal(ns, 2);
	free(b);
	free(ct);
	/* ds prefix, a default namespace and xml:lang inherited from the root
	 * (C14N 1.0 document subset), no KeyInfo */
	b = read_vec("xmlsec1_signed_inherited_ns.txt", &bl);
	ct = read_vec("xmlsec1_signed_inherited_ns.ctype", NULL);
	assert_int_equal(mcsec_xml_body_verify(b, bl, ct, &k, 1, &ns), MCSEC_OK);
	assert_int_equal(ns, 1);
	{
		/* the inherited declarations are signed: dropping xml:lang breaks it */
		char *c = replace(b, " xml:lang=\"en\"", "");
		assert_int_equal(mcsec_xml_body_verify(c, strlen(c), ct, &k, 1, NULL),
				MCSEC_ERR_BAD_SIGNATURE);
		free(c);
	}
	free(b);
	free(ct);
}

static void test_protect_unprotect(void **state)
{
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = NULL;
	char *pt, *info, *p = NULL, *pct = NULL, *u = NULL, *uct = NULL;
	size_t il, pl, ul;
	int line = 0;
	(void)state;

	test_keys(&k, 0);
	pt = read_vec("../../../cfg/xml-policy.example", NULL);
	assert_int_equal(
			mcsec_xml_policy_parse(pt, strlen(pt), &pol, &line), MCSEC_OK);
	free(pt);
	assert_true(mcsec_xml_policy_integrity(pol, CT_INFO, strlen(CT_INFO)));
	assert_false(mcsec_xml_policy_integrity(pol, "application/sdp", 15));
	info = read_vec("mcptt_info.xml", &il);
	/* single body: encrypted, then wrapped and signed */
	assert_int_equal(
			mcsec_xml_body_protect(info, il, CT_INFO, pol, &k, &p, &pl, &pct),
			MCSEC_OK);
	assert_null(strstr(p, "group1"));
	assert_non_null(strstr(p, "mcptt-signed+xml"));
	assert_int_equal(
			mcsec_xml_body_unprotect(p, pl, pct, pol, &k, 1, 0, &u, &ul, &uct),
			MCSEC_OK);
	assert_string_equal(uct, CT_INFO); /* one part left: unwrapped */
	assert_string_equal(u, info);
	free(u);
	free(uct);
	/* integrity required: an unsigned body is refused */
	assert_int_equal(mcsec_xml_body_unprotect(
							 info, il, CT_INFO, pol, &k, 1, 0, &u, &ul, &uct),
			MCSEC_ERR_BAD_SIGNATURE);
	/* non-XML bodies pass through */
	assert_int_equal(mcsec_xml_body_protect("v=0\r\n", 5, "application/sdp",
							 pol, &k, &u, &ul, &uct),
			MCSEC_OK);
	assert_string_equal(u, "v=0\r\n");
	free(u);
	free(uct);
	free(p);
	free(pct);
	free(info);
	mcsec_xml_policy_free(pol);
}

/* cfg/xml-policy.example says it holds the built-in rules (integrity aside) */
static void test_policy_example_matches_default(void **state)
{
	static const char *const cts[] = {"application/vnd.3gpp.mcptt-info+xml",
			"application/vnd.3gpp.mcvideo-info+xml",
			"application/vnd.3gpp.mcdata-info+xml",
			"application/vnd.3gpp.mcptt-location-info+xml",
			"application/pidf+xml", "application/resource-lists+xml"};
	mcsec_xml_policy_t *d = NULL, *e = NULL;
	char *t = read_vec("../../../cfg/xml-policy.example", NULL);
	(void)state;

	assert_int_equal(mcsec_xml_policy_default(&d), MCSEC_OK);
	assert_int_equal(mcsec_xml_policy_parse(t, strlen(t), &e, NULL), MCSEC_OK);
	for(size_t i = 0; i < sizeof(cts) / sizeof(cts[0]); i++) {
		size_t nd, ne;
		const mcsec_xml_rule_t *rd =
				mcsec_xml_policy_rules(d, cts[i], strlen(cts[i]), &nd);
		const mcsec_xml_rule_t *re =
				mcsec_xml_policy_rules(e, cts[i], strlen(cts[i]), &ne);
		assert_true(nd > 0);
		assert_int_equal(nd, ne);
		for(size_t r = 0; r < nd; r++) {
			assert_int_equal(rd[r].kind, re[r].kind);
			assert_string_equal(rd[r].ns, re[r].ns);
			assert_string_equal(rd[r].elem, re[r].elem);
			assert_int_equal(rd[r].mark, re[r].mark);
			if(rd[r].attr)
				assert_string_equal(rd[r].attr, re[r].attr);
		}
		assert_string_equal(mcsec_xml_policy_domain(d, cts[i], strlen(cts[i])),
				mcsec_xml_policy_domain(e, cts[i], strlen(cts[i])));
	}
	free(t);
	mcsec_xml_policy_free(d);
	mcsec_xml_policy_free(e);
}

static void test_key_ids(void **state)
{
	mcsec_xml_keys_t k, k2;
	mcsec_xml_policy_t *pol = NULL;
	char *info, *p = NULL, *pct = NULL, *t;
	size_t il, pl, n = 0;
	uint32_t ids[4];
	(void)state;

	test_keys(&k, 0);
	k2 = k;
	k2.xpk_id = 0x30000007; /* an SPK towards a partner */
	t = read_vec("../../../cfg/xml-policy.example", NULL);
	assert_int_equal(
			mcsec_xml_policy_parse(t, strlen(t), &pol, NULL), MCSEC_OK);
	free(t);
	info = read_vec("mcptt_info.xml", &il);
	assert_int_equal(
			mcsec_xml_body_protect(info, il, CT_INFO, pol, &k, &p, &pl, &pct),
			MCSEC_OK);
	assert_int_equal(mcsec_xml_body_key_ids(p, pl, pct, ids, 4, &n), MCSEC_OK);
	assert_int_equal(n, 1); /* EncryptedData and Signature name the same key */
	assert_int_equal(ids[0], 0x2000abcd);
	free(p);
	free(pct);
	/* an encrypted URI with another key */
	{
		char *u = NULL, doc[1024];
		assert_int_equal(
				mcsec_uri_encrypt("sip:g@x", 7, &k2, NULL, &u), MCSEC_OK);
		snprintf(doc, sizeof(doc),
				"<r xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" a=\"%s\">"
				"<ds:KeyInfo><ds:KeyName>IACrzQ==</ds:KeyName></ds:KeyInfo>"
				"<ds:KeyInfo><ds:KeyName>tk.1.user@example.org</ds:KeyName></"
				"ds:KeyInfo></r>",
				u);
		free(u);
		n = 0;
		assert_int_equal(
				mcsec_xml_doc_key_ids(doc, strlen(doc), ids, 4, &n), MCSEC_OK);
		assert_int_equal(n, 2); /* document order: the root's attribute first */
		assert_int_equal(ids[0], 0x30000007);
		assert_int_equal(ids[1], 0x2000abcd);
		n = 0;
		assert_int_equal(mcsec_xml_doc_key_ids(doc, strlen(doc), ids, 1, &n),
				MCSEC_ERR_UNSUPPORTED);
	}
	/* non-XML single bodies name nothing */
	n = 9;
	assert_int_equal(
			mcsec_xml_body_key_ids("v=0", 3, "application/sdp", ids, 4, &n),
			MCSEC_OK);
	assert_int_equal(n, 0);
	free(info);
	mcsec_xml_policy_free(pol);
}

static void test_policy_parse(void **state)
{
	mcsec_xml_policy_t *p = NULL;
	int line = 0;
	(void)state;

	assert_int_equal(mcsec_xml_policy_default(&p), MCSEC_OK);
	assert_string_equal(mcsec_xml_policy_domain(p, CT_INFO, strlen(CT_INFO)),
			MCSEC_XML_DEFAULT_DOMAIN);
	assert_false(mcsec_xml_policy_integrity(p, CT_INFO, strlen(CT_INFO)));
	mcsec_xml_policy_free(p);

	{
		const char *t =
				"# c\nintegrity = yes\n[application/a+xml] # x\ndomain = "
				"d.example\n"
				"integrity = no\ncontent = - e mark\n[application/b+xml]\n";
		assert_int_equal(
				mcsec_xml_policy_parse(t, strlen(t), &p, &line), MCSEC_OK);
		assert_string_equal(
				mcsec_xml_policy_domain(p, "application/a+xml;x=1", 21),
				"d.example");
		assert_false(mcsec_xml_policy_integrity(p, "Application/A+xml", 17));
		assert_true(mcsec_xml_policy_integrity(p, "application/b+xml", 17));
		assert_true(mcsec_xml_policy_integrity(p, "application/c+xml", 17));
		mcsec_xml_policy_free(p);
	}
	{
		static const struct
		{
			const char *text;
			int line;
		} bad[] = {
				{"content = a b\n", 1},		  /* rule outside a section */
				{"[x]\n", 1},				  /* not a media type */
				{"[a/b]\n[a/b]\n", 2},		  /* duplicate section */
				{"[a/b]\ncontent = ns\n", 2}, /* missing element */
				{"[a/b]\ncontent = ns e marks\n", 2}, /* unknown flag */
				{"[a/b]\nuri = ns e\n", 2},			  /* missing attribute */
				{"[a/b]\nkey = ns e mark\n", 2}, /* mark only for content */
				{"\n\nintegrity = maybe\n", 3},	 /* not a boolean */
				{"domain = bad_domain!\n", 1},	 /* invalid domain */
				{"[a/b]\nfoo = 1\n", 2},		 /* unknown directive */
				{"[a/b]\nno equals sign\n", 2},
		};
		for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			line = 0;
			assert_int_equal(mcsec_xml_policy_parse(bad[i].text,
									 strlen(bad[i].text), &p, &line),
					MCSEC_ERR_MALFORMED);
			assert_int_equal(line, bad[i].line);
			assert_null(p);
		}
	}
	assert_int_equal(mcsec_xml_policy_load("/nonexistent/policy", &p, &line),
			MCSEC_ERR_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_keys_f14),
			cmocka_unit_test(test_uri_kat),
			cmocka_unit_test(test_uri_reject),
			cmocka_unit_test(test_content_roundtrip),
			cmocka_unit_test(test_xmlsec1_vector),
			cmocka_unit_test(test_uri_attributes_in_doc),
			cmocka_unit_test(test_key_material),
			cmocka_unit_test(test_key_material_kat),
			cmocka_unit_test(test_body_sign_verify),
			cmocka_unit_test(test_xmlsec1_signed_body),
			cmocka_unit_test(test_protect_unprotect),
			cmocka_unit_test(test_key_ids),
			cmocka_unit_test(test_policy_example_matches_default),
			cmocka_unit_test(test_policy_parse),
	};
	int r;
	mcsec_xml_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	mcsec_xml_shutdown();
	return r;
}
