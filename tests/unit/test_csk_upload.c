/*
 * Unit tests: CSK upload body handling (TS 33.180 5.4, 9.2.1.3, I.3.4):
 * MIKEY part selection and Content-Transfer-Encoding, rebuilding the body
 * without it, XML decryption with the CSK, SIP status mapping, the MC
 * service ID candidate of a hidden initiator from the MC info body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csk_upload.h"
#include "encoding.h"
#include "mcsec_err.h"
#include "mime_multipart.h"
#include "xmlprot.h"

#define CT "multipart/mixed;boundary=b1"
#define INFO_CT "application/vnd.3gpp.mcptt-info+xml"
#define INFO                                                        \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"                \
	"<mcpttinfo xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\"><mcptt-Params>" \
	"<mcptt-access-token type=\"Normal\"><mcpttString>TOKEN-42"     \
	"</mcpttString></mcptt-access-token></mcptt-Params></mcpttinfo>"

/* 6 octets with CR, LF, NUL and a '-' run, as raw MIKEY may hold */
static const uint8_t raw6[6] = {0x01, 0x0d, 0x0a, 0x00, 0x2d, 0xff};

static int split(
		const char *body, size_t len, const char *ct, mcsec_csk_body_t *out)
{
	return mcsec_csk_body_split(body, len, ct, strlen(ct), out);
}

static void test_split_base64_two_parts(void **state)
{
	const char *body = "--b1\r\n"
					   "Content-Type: application/mikey\r\n"
					   "Content-Transfer-Encoding: base64\r\n"
					   "\r\n"
					   "AQ0KAC3/\r\n"
					   "--b1\r\n"
					   "Content-Type: " INFO_CT "\r\n"
					   "\r\n" INFO "\r\n"
					   "--b1--\r\n";
	mcsec_csk_body_t b;
	(void)state;

	assert_int_equal(split(body, strlen(body), CT, &b), MCSEC_OK);
	assert_int_equal(b.mikey_len, 6);
	assert_memory_equal(b.mikey, raw6, 6);
	/* one part left: plain body with its own type */
	assert_non_null(b.rest);
	assert_string_equal(b.rest, INFO);
	assert_int_equal(b.rest_len, strlen(INFO));
	assert_string_equal(b.rest_ctype, INFO_CT);
	mcsec_csk_body_clear(&b);
	assert_null(b.mikey);
	assert_null(b.rest);
}

static void test_split_binary_three_parts(void **state)
{
	char body[1024];
	size_t n = 0;
	mcsec_csk_body_t b;
	mcsec_mime_t m;
	(void)state;

#define ADD(s)                          \
	do {                                \
		memcpy(body + n, s, strlen(s)); \
		n += strlen(s);                 \
	} while(0)
	ADD("--b1\r\nContent-Type: " INFO_CT "\r\nContent-ID: <i1>\r\n\r\n");
	ADD(INFO);
	ADD("\r\n--b1\r\nContent-Type: Application/MIKEY\r\n"
		"Content-Transfer-Encoding: binary\r\n\r\n");
	memcpy(body + n, raw6, 6);
	n += 6;
	ADD("\r\n--b1\r\nContent-Type: application/resource-lists+xml\r\n\r\n"
		"<resource-lists/>\r\n--b1--\r\n");
#undef ADD
	assert_int_equal(split(body, n, CT, &b), MCSEC_OK);
	assert_int_equal(b.mikey_len, 6);
	assert_memory_equal(b.mikey, raw6, 6);
	assert_string_equal(b.rest_ctype, CT);
	/* the rest is a multipart/mixed with the two other parts, headers kept */
	assert_int_equal(
			mcsec_mime_parse(b.rest, b.rest_len, CT, strlen(CT), &m), MCSEC_OK);
	assert_int_equal(m.nparts, 2);
	assert_true(mcsec_mime_type_is(
			m.parts[0].ctype, m.parts[0].ctype_len, INFO_CT));
	assert_int_equal(m.parts[0].cid_len, 2);
	assert_memory_equal(m.parts[0].cid, "i1", 2);
	assert_int_equal(m.parts[0].body_len, strlen(INFO));
	assert_memory_equal(m.parts[1].body, "<resource-lists/>", 17);
	assert_null(memchr(b.rest, 0x01, b.rest_len));
	mcsec_csk_body_clear(&b);
}

static void test_split_single_mikey_body(void **state)
{
	mcsec_csk_body_t b;
	(void)state;

	assert_int_equal(
			split((const char *)raw6, 6, "application/mikey", &b), MCSEC_OK);
	assert_int_equal(b.mikey_len, 6);
	assert_memory_equal(b.mikey, raw6, 6);
	assert_null(b.rest);
	assert_null(b.rest_ctype);
	mcsec_csk_body_clear(&b);

	/* only the MIKEY part in a multipart: nothing left */
	const char *body = "--b1\r\nContent-Type: application/mikey\r\n\r\n"
					   "mikey AQ0KAC3/\r\n--b1--\r\n";
	assert_int_equal(split(body, strlen(body), CT, &b), MCSEC_OK);
	assert_int_equal(b.mikey_len, 14);
	assert_memory_equal(b.mikey, "mikey AQ0KAC3/", 14);
	assert_null(b.rest);
	mcsec_csk_body_clear(&b);
}

static void test_split_nothing_to_do(void **state)
{
	mcsec_csk_body_t b;
	const char *body = "--b1\r\nContent-Type: " INFO_CT "\r\n\r\n" INFO
					   "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nx\r\n"
					   "--b1--\r\n";
	(void)state;

	assert_int_equal(split(body, strlen(body), CT, &b), MCSEC_ERR_NOT_FOUND);
	assert_null(b.mikey);
	assert_null(b.rest);
	assert_int_equal(
			split(INFO, strlen(INFO), INFO_CT, &b), MCSEC_ERR_NOT_FOUND);
	assert_int_equal(split("", 0, CT, &b), MCSEC_ERR_NOT_FOUND);
	assert_int_equal(
			split("v=0\r\n", 5, "application/sdp", &b), MCSEC_ERR_NOT_FOUND);
	/* another multipart type without MIKEY passes */
	assert_int_equal(
			split(body, strlen(body), "multipart/related;boundary=b1", &b),
			MCSEC_ERR_NOT_FOUND);
}

static void test_split_reject(void **state)
{
	mcsec_csk_body_t b;
	char big[MCSEC_CSK_MAX_MIKEY + 200];
	(void)state;

	/* two MIKEY parts */
	const char *two = "--b1\r\nContent-Type: application/mikey\r\n\r\nAQ==\r\n"
					  "--b1\r\nContent-Type: application/mikey\r\n\r\nAg==\r\n"
					  "--b1--\r\n";
	assert_int_equal(split(two, strlen(two), CT, &b), MCSEC_ERR_MALFORMED);
	assert_null(b.mikey);
	/* unknown / unsupported transfer encoding */
	const char *qp = "--b1\r\nContent-Type: application/mikey\r\n"
					 "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
					 "=01\r\n--b1--\r\n";
	assert_int_equal(split(qp, strlen(qp), CT, &b), MCSEC_ERR_MALFORMED);
	/* base64 that does not decode */
	const char *bad = "--b1\r\nContent-Type: application/mikey\r\n"
					  "Content-Transfer-Encoding: base64\r\n\r\n"
					  "AQ0KAC3*\r\n--b1--\r\n";
	assert_int_equal(split(bad, strlen(bad), CT, &b), MCSEC_ERR_MALFORMED);
	/* empty MIKEY part */
	const char *empty = "--b1\r\nContent-Type: application/mikey\r\n\r\n"
						"\r\n--b1--\r\n";
	assert_int_equal(split(empty, strlen(empty), CT, &b), MCSEC_ERR_MALFORMED);
	/* no close delimiter */
	const char *open = "--b1\r\nContent-Type: application/mikey\r\n\r\n"
					   "AQ==\r\n";
	assert_int_equal(split(open, strlen(open), CT, &b), MCSEC_ERR_MALFORMED);
	/* too big */
	size_t n = (size_t)snprintf(big, sizeof(big),
			"--b1\r\nContent-Type: application/mikey\r\n\r\n");
	memset(big + n, 'A', MCSEC_CSK_MAX_MIKEY + 4);
	n += MCSEC_CSK_MAX_MIKEY + 4;
	memcpy(big + n, "\r\n--b1--\r\n", 10);
	n += 10;
	assert_int_equal(split(big, n, CT, &b), MCSEC_ERR_MALFORMED);
	/* a multipart we cannot take apart that carries MIKEY */
	assert_int_equal(
			split(two, strlen(two), "multipart/related;boundary=b1", &b),
			MCSEC_ERR_UNSUPPORTED);
	/* bad arguments */
	assert_int_equal(mcsec_csk_body_split("x", 1, CT, 2, NULL), MCSEC_ERR_ARG);
}

static void test_digest(void **state)
{
	/* FIPS 180-2 B.1: SHA-256("abc") */
	static const char *want =
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	uint8_t d[MCSEC_CSK_DIGEST_LEN];
	char hex[2 * MCSEC_CSK_DIGEST_LEN + 1];
	(void)state;

	assert_int_equal(mcsec_csk_digest((const uint8_t *)"abc", 3, d), MCSEC_OK);
	mcsec_hex_encode(d, sizeof(d), hex);
	assert_string_equal(hex, want);
	assert_int_equal(mcsec_csk_digest(NULL, 3, d), MCSEC_ERR_ARG);
}

static void test_decrypt(void **state)
{
	static const uint8_t csk[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
			0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	uint8_t other[16];
	const char *mcid = "sip:alice@example.org";
	mcsec_xml_policy_t *pol = NULL;
	mcsec_xml_keys_t k;
	char *enc = NULL, *out = NULL, *oct = NULL;
	size_t enc_len = 0, out_len = 0;
	unsigned cnt = 0;
	(void)state;

	assert_int_equal(mcsec_xml_init(), MCSEC_OK);
	assert_int_equal(mcsec_xml_policy_default(&pol), MCSEC_OK);
	assert_int_equal(mcsec_xml_keys_init(
							 &k, csk, 16, 0x20000001u, mcid, strlen(mcid), 0),
			MCSEC_OK);
	assert_int_equal(mcsec_xml_encrypt_doc(INFO, strlen(INFO), INFO_CT,
							 strlen(INFO_CT), pol, &k, &enc, &enc_len, &cnt),
			MCSEC_OK);
	mcsec_xml_keys_clear(&k);
	assert_true(cnt >= 1);
	assert_null(strstr(enc, "TOKEN-42"));

	assert_int_equal(
			mcsec_csk_body_decrypt(enc, enc_len, INFO_CT, csk, 0x20000001u,
					mcid, strlen(mcid), 0, pol, &out, &out_len, &oct),
			MCSEC_OK);
	assert_non_null(strstr(out, "<mcpttString>TOKEN-42</mcpttString>"));
	assert_string_equal(oct, INFO_CT);
	free(out);
	free(oct);
	out = oct = NULL;
	/* NULL policy = the built-in default */
	assert_int_equal(
			mcsec_csk_body_decrypt(enc, enc_len, INFO_CT, csk, 0x20000001u,
					mcid, strlen(mcid), 0, NULL, &out, &out_len, &oct),
			MCSEC_OK);
	assert_non_null(strstr(out, "TOKEN-42"));
	free(out);
	free(oct);
	out = oct = NULL;

	/* another CSK, or the keys of another MC service ID: the GCM tag fails */
	memcpy(other, csk, 16);
	other[15] ^= 1;
	assert_int_equal(
			mcsec_csk_body_decrypt(enc, enc_len, INFO_CT, other, 0x20000001u,
					mcid, strlen(mcid), 0, pol, &out, &out_len, &oct),
			MCSEC_ERR_BAD_SIGNATURE);
	assert_null(out);
	assert_int_equal(
			mcsec_csk_body_decrypt(enc, enc_len, INFO_CT, csk, 0x20000001u,
					"sip:bob@example.org", 19, 0, pol, &out, &out_len, &oct),
			MCSEC_ERR_BAD_SIGNATURE);
	/* the XML names another XPK-ID than the uploaded CSK-ID */
	assert_int_equal(
			mcsec_csk_body_decrypt(enc, enc_len, INFO_CT, csk, 0x20000002u,
					mcid, strlen(mcid), 0, pol, &out, &out_len, &oct),
			MCSEC_ERR_NOT_FOUND);
	assert_int_equal(mcsec_csk_body_decrypt(NULL, 0, INFO_CT, csk, 1, mcid,
							 strlen(mcid), 0, pol, &out, &out_len, &oct),
			MCSEC_ERR_ARG);
	free(enc);
	mcsec_xml_policy_free(pol);
}

static void test_status(void **state)
{
	const char *r = NULL;
	(void)state;

	assert_int_equal(mcsec_csk_status(MCSEC_ERR_MALFORMED, &r), 400);
	assert_non_null(strstr(r, "Malformed"));
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_UNSUPPORTED, &r), 400);
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_BAD_SIGNATURE, &r), 403);
	assert_non_null(strstr(r, "signature"));
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_NOT_FOR_US, &r), 403);
	assert_non_null(strstr(r, "not addressed"));
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_STALE, &r), 403);
	assert_non_null(strstr(r, "fresh"));
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_REPLAYED, &r), 403);
	assert_non_null(strstr(r, "replayed"));
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_REVOKED, &r), 403);
	assert_non_null(strstr(r, "revoked"));
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_IDENTITY_MISMATCH, &r), 403);
	assert_non_null(strstr(r, "identity"));
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_WRONG_PURPOSE, &r), 403);
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_DECAP_FAILED, &r), 403);
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_NO_KEYSET, &r), 403);
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_EXPIRED, &r), 403);
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_UNKNOWN_KMS, &r), 488);
	assert_non_null(strstr(r, "KMS"));
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_INTERNAL, &r), 500);
	assert_int_equal(mcsec_csk_status(MCSEC_ERR_IO, &r), 500);
	assert_int_equal(mcsec_csk_status(-999, NULL), 500);
}

/* ---- MC service ID candidate from the MC info body (E.7) ---- */

#define RURI(v)                                                     \
	"<mcptt-request-uri type=\"Normal\"><mcpttURI>" v "</mcpttURI>" \
	"</mcptt-request-uri>"
#define MCINFO(inner)                                               \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"                \
	"<mcpttinfo xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\"><mcptt-Params>" \
	"<mcptt-access-token type=\"Normal\"><mcpttString>TOKEN-42"     \
	"</mcpttString></mcptt-access-token>" inner "</mcptt-Params></mcpttinfo>"
#define VIDEO_CT "application/vnd.3gpp.mcvideo-info+xml"
#define VIDEO(v)                                                          \
	"<mcvideoinfo xmlns=\"urn:3gpp:ns:mcvideoInfo:1.0\"><mcvideo-Params>" \
	"<mcvideo-request-uri type=\"Normal\"><mcvideoURI>" v                 \
	"</mcvideoURI></mcvideo-request-uri></mcvideo-Params></mcvideoinfo>"

static int mcx_id(const char *body, const char *ct, const char *elem, char **v)
{
	*v = NULL;
	return mcsec_csk_body_mcx_id(body, strlen(body), ct, elem, v);
}

static void test_mcx_id_found(void **state)
{
	const char *multi =
			"--b1\r\n"
			"Content-Type: application/sdp\r\n"
			"\r\n"
			"v=0\r\n"
			"--b1\r\n"
			"Content-Type: " INFO_CT "\r\n"
			"\r\n" MCINFO(RURI(
					"sip:alice@example.org")) "\r\n"
											  "--b1\r\n"
											  "Content-Type: " VIDEO_CT "\r\n"
											  "Content-Transfer-Encoding: "
											  "8bit\r\n"
											  "\r\n" VIDEO("sip:alice@example."
														   "org") "\r\n"
																  "--b1--\r\n";
	char *v;
	(void)state;

	/* a single MC info body; surrounding blanks trimmed */
	assert_int_equal(mcx_id(MCINFO(RURI("\r\n  sip:alice@example.org \t")),
							 INFO_CT, NULL, &v),
			MCSEC_OK);
	assert_string_equal(v, "sip:alice@example.org");
	free(v);
	/* multipart: the mcptt-info and mcvideo-info parts agree */
	assert_int_equal(mcx_id(multi, CT, NULL, &v), MCSEC_OK);
	assert_string_equal(v, "sip:alice@example.org");
	free(v);
	/* MCVideo alone: its own request URI element */
	assert_int_equal(
			mcx_id(VIDEO("sip:vid@example.org"), VIDEO_CT, NULL, &v), MCSEC_OK);
	assert_string_equal(v, "sip:vid@example.org");
	free(v);
	/* a configured element, whose text is the value itself */
	assert_int_equal(mcx_id(MCINFO("<mcptt-client-id>sip:x@example.org"
								   "</mcptt-client-id>"),
							 INFO_CT, "mcptt-client-id", &v),
			MCSEC_OK);
	assert_string_equal(v, "sip:x@example.org");
	free(v);
	/* comments are ignored; Content-Type parameters are fine */
	assert_int_equal(mcx_id(MCINFO("<mcptt-request-uri><!-- c --><mcpttURI>"
								   "sip:c@example.org</mcpttURI>"
								   "</mcptt-request-uri>"),
							 INFO_CT ";charset=UTF-8", NULL, &v),
			MCSEC_OK);
	assert_string_equal(v, "sip:c@example.org");
	free(v);
}

static void test_mcx_id_absent(void **state)
{
	const char *nomc = "--b1\r\n"
					   "Content-Type: application/sdp\r\n"
					   "\r\n"
					   "v=0\r\n"
					   "--b1--\r\n";
	char *v;
	(void)state;

	assert_int_equal(
			mcx_id(MCINFO(""), INFO_CT, NULL, &v), MCSEC_ERR_NOT_FOUND);
	assert_null(v);
	/* the element of another MC info type does not count */
	assert_int_equal(mcx_id(MCINFO(RURI("sip:a@example.org")), INFO_CT,
							 "mcvideo-request-uri", &v),
			MCSEC_ERR_NOT_FOUND);
	assert_int_equal(mcx_id(nomc, CT, NULL, &v), MCSEC_ERR_NOT_FOUND);
	assert_int_equal(mcx_id("v=0\r\n", "application/sdp", NULL, &v),
			MCSEC_ERR_NOT_FOUND);
	/* XML of another type is not an MC info body */
	assert_int_equal(mcx_id(MCINFO(RURI("sip:a@example.org")),
							 "application/xml", NULL, &v),
			MCSEC_ERR_NOT_FOUND);
	assert_int_equal(mcsec_csk_body_mcx_id(NULL, 0, INFO_CT, NULL, &v),
			MCSEC_ERR_NOT_FOUND);
	assert_int_equal(mcx_id(MCINFO(""), INFO_CT, "", &v), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_csk_body_mcx_id("x", 1, INFO_CT, NULL, NULL), MCSEC_ERR_ARG);
}

static void test_mcx_id_encrypted(void **state)
{
	static const uint8_t csk[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
			0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
	const char *mcid = "sip:alice@example.org";
	const char *clear = MCINFO(RURI("sip:alice@example.org"));
	mcsec_xml_policy_t *pol = NULL;
	mcsec_xml_keys_t k;
	char *enc = NULL, *euri = NULL, *doc, *v;
	size_t enc_len = 0;
	unsigned cnt = 0;
	(void)state;

	/* the default policy encrypts the request URI element (9.3.2) */
	assert_int_equal(mcsec_xml_init(), MCSEC_OK);
	assert_int_equal(mcsec_xml_policy_default(&pol), MCSEC_OK);
	assert_int_equal(mcsec_xml_keys_init(
							 &k, csk, 16, 0x20000003u, mcid, strlen(mcid), 0),
			MCSEC_OK);
	assert_int_equal(mcsec_xml_encrypt_doc(clear, strlen(clear), INFO_CT,
							 strlen(INFO_CT), pol, &k, &enc, &enc_len, &cnt),
			MCSEC_OK);
	assert_null(strstr(enc, "alice"));
	assert_int_equal(mcsec_csk_body_mcx_id(enc, enc_len, INFO_CT, NULL, &v),
			MCSEC_ERR_UNSUPPORTED);
	assert_null(v);
	/* EncryptedData without the type marker, and the marker alone */
	assert_int_equal(
			mcx_id(MCINFO("<mcptt-request-uri><EncryptedData "
						  "xmlns=\"http://www.w3.org/2001/04/xmlenc#\">"
						  "<CipherData><CipherValue>AAAA</CipherValue>"
						  "</CipherData></EncryptedData>"
						  "</mcptt-request-uri>"),
					INFO_CT, NULL, &v),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(mcx_id(MCINFO("<mcptt-request-uri type=\"Encrypted\">"
								   "<mcpttURI>sip:a@example.org</mcpttURI>"
								   "</mcptt-request-uri>"),
							 INFO_CT, NULL, &v),
			MCSEC_ERR_UNSUPPORTED);
	/* an encrypted URI value (9.3.4.3) in clear text */
	assert_int_equal(
			mcsec_uri_encrypt(mcid, strlen(mcid), &k, NULL, &euri), MCSEC_OK);
	doc = malloc(strlen(euri) + 512);
	assert_non_null(doc);
	snprintf(doc, strlen(euri) + 512, MCINFO(RURI("%s")), euri);
	assert_int_equal(mcx_id(doc, INFO_CT, NULL, &v), MCSEC_ERR_UNSUPPORTED);
	free(doc);
	free(euri);
	mcsec_xml_keys_clear(&k);
	free(enc);
	mcsec_xml_policy_free(pol);
}

static void test_mcx_id_duplicates(void **state)
{
	const char *two =
			"--b1\r\n"
			"Content-Type: " INFO_CT "\r\n"
			"\r\n" MCINFO(RURI(
					"sip:alice@example.org")) "\r\n"
											  "--b1\r\n"
											  "Content-Type: " VIDEO_CT "\r\n"
											  "\r\n" VIDEO("sip:bob@example."
														   "org") "\r\n"
																  "--b1--\r\n";
	char *v;
	(void)state;

	/* twice in one body, even with the same value */
	assert_int_equal(
			mcx_id(MCINFO(RURI("sip:a@example.org") RURI("sip:a@example.org")),
					INFO_CT, NULL, &v),
			MCSEC_ERR_MALFORMED);
	assert_null(v);
	assert_int_equal(
			mcx_id(MCINFO(RURI("sip:a@example.org") RURI("sip:b@example.org")),
					INFO_CT, NULL, &v),
			MCSEC_ERR_MALFORMED);
	/* two MC info bodies naming different users */
	assert_int_equal(mcx_id(two, CT, NULL, &v), MCSEC_ERR_MALFORMED);
	assert_null(v);
}

static void test_mcx_id_malformed(void **state)
{
	char big[MCSEC_CSK_MAX_MCX_ID + 2], *doc, *v;
	size_t cap = MCSEC_XML_MAX_DOC + 1024;
	const char *b64part = "--b1\r\n"
						  "Content-Type: " INFO_CT "\r\n"
						  "Content-Transfer-Encoding: base64\r\n"
						  "\r\n"
						  "PGE+PC9hPg==\r\n"
						  "--b1--\r\n";
	(void)state;

	/* the longest value accepted, one octet more refused */
	memset(big, 'a', sizeof(big));
	memcpy(big, "sip:", 4);
	big[MCSEC_CSK_MAX_MCX_ID] = '\0';
	doc = malloc(cap);
	assert_non_null(doc);
	snprintf(doc, cap, MCINFO(RURI("%s")), big);
	assert_int_equal(mcx_id(doc, INFO_CT, NULL, &v), MCSEC_OK);
	assert_int_equal(strlen(v), MCSEC_CSK_MAX_MCX_ID);
	free(v);
	big[MCSEC_CSK_MAX_MCX_ID] = 'a';
	big[MCSEC_CSK_MAX_MCX_ID + 1] = '\0';
	snprintf(doc, cap, MCINFO(RURI("%s")), big);
	assert_int_equal(mcx_id(doc, INFO_CT, NULL, &v), MCSEC_ERR_MALFORMED);
	assert_null(v);
	/* a document over the parser's size limit */
	memset(doc, ' ', cap - 1);
	doc[cap - 1] = '\0';
	memcpy(doc, "<a>", 3);
	memcpy(doc + cap - 5, "</a>", 4);
	assert_int_equal(mcx_id(doc, INFO_CT, NULL, &v), MCSEC_ERR_MALFORMED);
	free(doc);
	/* empty, a control character, mixed content, two children, nesting */
	assert_int_equal(
			mcx_id(MCINFO(RURI(" ")), INFO_CT, NULL, &v), MCSEC_ERR_MALFORMED);
	assert_int_equal(
			mcx_id(MCINFO(RURI("sip:a\tb@example.org")), INFO_CT, NULL, &v),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(mcx_id(MCINFO("<mcptt-request-uri>x<mcpttURI>sip:a@b"
								   "</mcpttURI></mcptt-request-uri>"),
							 INFO_CT, NULL, &v),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(mcx_id(MCINFO("<mcptt-request-uri><mcpttURI>sip:a@b"
								   "</mcpttURI><mcpttURI>sip:c@d</mcpttURI>"
								   "</mcptt-request-uri>"),
							 INFO_CT, NULL, &v),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(mcx_id(MCINFO("<mcptt-request-uri><a><b><c><d><e>sip:a@b"
								   "</e></d></c></b></a></mcptt-request-uri>"),
							 INFO_CT, NULL, &v),
			MCSEC_ERR_MALFORMED);
	/* not XML, a DTD, an unterminated multipart, base64 MC info */
	assert_int_equal(
			mcx_id("<mcpttinfo>", INFO_CT, NULL, &v), MCSEC_ERR_MALFORMED);
	assert_int_equal(mcx_id("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
							 INFO_CT, NULL, &v),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(mcx_id("--b1\r\nContent-Type: " INFO_CT "\r\n\r\n<a/>", CT,
							 NULL, &v),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(mcx_id(b64part, CT, NULL, &v), MCSEC_ERR_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_split_base64_two_parts),
			cmocka_unit_test(test_split_binary_three_parts),
			cmocka_unit_test(test_split_single_mikey_body),
			cmocka_unit_test(test_split_nothing_to_do),
			cmocka_unit_test(test_split_reject),
			cmocka_unit_test(test_digest),
			cmocka_unit_test(test_decrypt),
			cmocka_unit_test(test_status),
			cmocka_unit_test(test_mcx_id_found),
			cmocka_unit_test(test_mcx_id_absent),
			cmocka_unit_test(test_mcx_id_encrypted),
			cmocka_unit_test(test_mcx_id_duplicates),
			cmocka_unit_test(test_mcx_id_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
