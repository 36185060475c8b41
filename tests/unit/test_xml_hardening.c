/*
 * Unit tests: every hardening rule of the XML protection (TS 33.180 9.3 as
 * read in DESIGN.md section 4): parser limits (DTD, entities, external
 * loads, depth, size, duplicate IDs), xmlenc restrictions (GCM only, no
 * CipherReference, no RetrievalMethod, content type only, no nesting), and
 * xmldsig restrictions (HMAC-SHA256 full length, C14N 1.0, SHA-256, one cid:
 * reference, no transforms) with signature-wrapping variants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_xml_util.h"
#include "mime_multipart.h"
#include "xml_internal.h"

static mcsec_xml_keys_t K;

static int dec(const char *doc)
{
	char *out = NULL;
	size_t ol;
	int rc = mcsec_xml_decrypt_doc(doc, strlen(doc), &K, 1, 0, &out, &ol, NULL);
	free(out);
	return rc;
}

/* <r><e>EncryptedData of pt</e></r>, built by hand with the given pieces. */
static char *enc_doc(const char *pt, const char *type_attr, const char *method,
		const char *keyinfo, const char *cipherdata_extra, const char *after)
{
	uint8_t iv[MCSEC_XML_IV_LEN] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
	size_t pl = strlen(pt), sl = MCSEC_XML_IV_LEN + pl + MCSEC_XML_TAG_LEN;
	uint8_t *sealed = malloc(sl);
	char *b64 = malloc(MCSEC_B64_ENC_LEN(sl)), *doc = malloc(8192 + 2 * sl);

	if(mcsec_gcm_seal(K.conf, K.conf_len, iv, (const uint8_t *)pt, pl, sealed)
					!= MCSEC_OK
			|| mcsec_b64_encode(sealed, sl, b64, MCSEC_B64_ENC_LEN(sl), 0) < 0)
		abort();
	sprintf(doc,
			"<r "
			"xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><e><EncryptedData "
			"xmlns=\"http://www.w3.org/2001/04/xmlenc#\" "
			"%s>%s%s<CipherData><CipherValue>%s"
			"</CipherValue>%s</CipherData>%s</EncryptedData></e></r>",
			type_attr, method, keyinfo, b64, cipherdata_extra, after);
	free(sealed);
	free(b64);
	return doc;
}

#define TYPE_C "Type=\"http://www.w3.org/2001/04/xmlenc#Content\""
#define GCM              \
	"<EncryptionMethod " \
	"Algorithm=\"http://www.w3.org/2009/xmlenc11#aes128-gcm\"/>"
#define KI "<ds:KeyInfo><ds:KeyName>IACrzQ==</ds:KeyName></ds:KeyInfo>"

/* ---------- parser ---------- */

static void test_parser_dtd_entities(void **state)
{
	char *big;
	(void)state;
	/* internal subset with an entity */
	assert_int_equal(dec("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"),
			MCSEC_ERR_UNSUPPORTED);
	/* billion laughs */
	assert_int_equal(
			dec("<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
				"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
				"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
				"<!ENTITY d "
				"\"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]><l>&d;&d;&d;</l>"),
			MCSEC_ERR_UNSUPPORTED);
	/* external entity (XXE) and external DTD */
	assert_int_equal(dec("<!DOCTYPE a [<!ENTITY x SYSTEM "
						 "\"file:///etc/passwd\">]><a>&x;</a>"),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(
			dec("<!DOCTYPE a SYSTEM \"http://127.0.0.1:1/x.dtd\"><a/>"),
			MCSEC_ERR_UNSUPPORTED);
	/* a parameter entity */
	assert_int_equal(dec("<!DOCTYPE a [<!ENTITY % p SYSTEM "
						 "\"file:///etc/passwd\"> %p;]><a/>"),
			MCSEC_ERR_UNSUPPORTED);
	/* undeclared namespace prefixes */
	assert_int_equal(dec("<a><x:b/></a>"), MCSEC_ERR_MALFORMED);
	assert_int_equal(dec("<a x:c=\"1\"/>"), MCSEC_ERR_MALFORMED);
	/* an undeclared entity is not well-formed */
	assert_int_equal(dec("<a>&x;</a>"), MCSEC_ERR_MALFORMED);
	/* XInclude is not processed: the element stays an element */
	{
		const char *xi =
				"<a xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
				"<xi:include href=\"file:///etc/passwd\" parse=\"text\"/></a>";
		char *out = NULL;
		size_t ol;
		assert_int_equal(mcsec_xml_decrypt_doc(
								 xi, strlen(xi), &K, 1, 0, &out, &ol, NULL),
				MCSEC_OK);
		assert_null(strstr(out, "root:"));
		assert_non_null(strstr(out, "xi:include"));
		free(out);
	}
	/* not well-formed, empty, too large */
	assert_int_equal(dec("<a><b></a>"), MCSEC_ERR_MALFORMED);
	assert_int_equal(dec(""), MCSEC_ERR_MALFORMED);
	big = malloc(MCSEC_XML_MAX_DOC + 16);
	memset(big, ' ', MCSEC_XML_MAX_DOC + 8);
	memcpy(big, "<a>", 3);
	memcpy(big + MCSEC_XML_MAX_DOC + 4, "</a>", 5);
	assert_int_equal(dec(big), MCSEC_ERR_MALFORMED);
	free(big);
}

static void test_parser_depth(void **state)
{
	char doc[4096];
	size_t o = 0;
	(void)state;

	for(int i = 0; i < MCSEC_XML_MAX_DEPTH; i++)
		o += (size_t)sprintf(doc + o, "<a>");
	for(int i = 0; i < MCSEC_XML_MAX_DEPTH; i++)
		o += (size_t)sprintf(doc + o, "</a>");
	assert_int_equal(dec(doc), MCSEC_OK);
	o = 0;
	for(int i = 0; i <= MCSEC_XML_MAX_DEPTH; i++)
		o += (size_t)sprintf(doc + o, "<a>");
	for(int i = 0; i <= MCSEC_XML_MAX_DEPTH; i++)
		o += (size_t)sprintf(doc + o, "</a>");
	assert_int_equal(dec(doc), MCSEC_ERR_MALFORMED);
	/* decrypted content may not push the document past the limit either */
	{
		char pt[1024], *d;
		o = 0;
		for(int i = 0; i < MCSEC_XML_MAX_DEPTH; i++)
			o += (size_t)sprintf(pt + o, "<a>");
		for(int i = 0; i < MCSEC_XML_MAX_DEPTH; i++)
			o += (size_t)sprintf(pt + o, "</a>");
		d = enc_doc(pt, TYPE_C, GCM, KI, "", "");
		assert_int_equal(dec(d), MCSEC_ERR_MALFORMED);
		free(d);
	}
}

static void test_parser_ids(void **state)
{
	(void)state;
	assert_int_equal(dec("<a><b Id=\"x\"/><c Id=\"y\"/></a>"), MCSEC_OK);
	assert_int_equal(
			dec("<a><b Id=\"x\"/><c Id=\"x\"/></a>"), MCSEC_ERR_MALFORMED);
	assert_int_equal(
			dec("<a><b ID=\"x\"/><c id=\"x\"/></a>"), MCSEC_ERR_MALFORMED);
	assert_int_equal(dec("<a><b xml:id=\"x\"/><c xml:id=\"x\"/></a>"),
			MCSEC_ERR_MALFORMED);
	/* an Id brought in by decrypted content that already exists */
	{
		char *d = enc_doc("<c Id=\"dup\"/>", TYPE_C, GCM, KI, "", "");
		char *d2 = replace(d, "<e>", "<b Id=\"dup\"/><e>");
		assert_int_equal(dec(d), MCSEC_OK);
		assert_int_equal(dec(d2), MCSEC_ERR_MALFORMED);
		free(d);
		free(d2);
	}
}

/* ---------- xmlenc ---------- */

static void test_xmlenc_accepts_minimal(void **state)
{
	char *d;
	(void)state;
	d = enc_doc("secret &amp; <x>y</x>", TYPE_C, GCM, KI, "", "");
	assert_int_equal(dec(d), MCSEC_OK);
	free(d);
	/* Type, EncryptionMethod and KeyInfo may be absent (9.3.4.2) */
	d = enc_doc("secret", "", "", "", "", "");
	assert_int_equal(dec(d), MCSEC_OK);
	free(d);
}

static void test_xmlenc_rejects(void **state)
{
	static const struct
	{
		const char *type, *method, *ki, *cd_extra, *after;
		int rc;
	} cases[] = {
			/* CBC (and any other algorithm) */
			{TYPE_C,
					"<EncryptionMethod "
					"Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes128-cbc\"/"
					">",
					KI, "", "", MCSEC_ERR_UNSUPPORTED},
			{TYPE_C,
					"<EncryptionMethod "
					"Algorithm=\"http://www.w3.org/2009/xmlenc11#aes192-gcm\"/"
					">",
					KI, "", "", MCSEC_ERR_UNSUPPORTED},
			{TYPE_C, "<EncryptionMethod/>", KI, "", "", MCSEC_ERR_UNSUPPORTED},
			/* aes256-gcm with a 128-bit key */
			{TYPE_C,
					"<EncryptionMethod "
					"Algorithm=\"http://www.w3.org/2009/xmlenc11#aes256-gcm\"/"
					">",
					KI, "", "", MCSEC_ERR_UNSUPPORTED},
			/* KeySize or any child of EncryptionMethod */
			{TYPE_C,
					"<EncryptionMethod "
					"Algorithm=\"http://www.w3.org/2009/xmlenc11#aes128-gcm\">"
					"<KeySize>128</KeySize></EncryptionMethod>",
					KI, "", "", MCSEC_ERR_UNSUPPORTED},
			/* Type #Element (whole element), MimeType, unknown attribute */
			{"Type=\"http://www.w3.org/2001/04/xmlenc#Element\"", GCM, KI, "",
					"", MCSEC_ERR_UNSUPPORTED},
			{TYPE_C " MimeType=\"text/xml\"", GCM, KI, "", "",
					MCSEC_ERR_UNSUPPORTED},
			{TYPE_C " Encoding=\"http://www.w3.org/2000/09/xmldsig#base64\"",
					GCM, KI, "", "", MCSEC_ERR_UNSUPPORTED},
			/* key references that would fetch or unwrap something */
			{TYPE_C, GCM,
					"<ds:KeyInfo><ds:RetrievalMethod "
					"URI=\"http://127.0.0.1:1/k\"/></ds:KeyInfo>",
					"", "", MCSEC_ERR_UNSUPPORTED},
			{TYPE_C, GCM,
					"<ds:KeyInfo><EncryptedKey><CipherData><CipherValue>AAAA</"
					"CipherValue>"
					"</CipherData></EncryptedKey></ds:KeyInfo>",
					"", "", MCSEC_ERR_UNSUPPORTED},
			{TYPE_C, GCM,
					"<ds:KeyInfo><ds:KeyName>IACrzQ==</"
					"ds:KeyName><ds:KeyName>IACrzQ==</ds:KeyName>"
					"</ds:KeyInfo>",
					"", "", MCSEC_ERR_UNSUPPORTED},
			/* CipherReference next to CipherValue; EncryptionProperties */
			{TYPE_C, GCM, KI, "<CipherReference URI=\"http://127.0.0.1:1/\"/>",
					"", MCSEC_ERR_UNSUPPORTED},
			{TYPE_C, GCM, KI, "", "<EncryptionProperties/>",
					MCSEC_ERR_UNSUPPORTED},
			/* text where only elements belong */
			{TYPE_C, GCM, KI, "", "junk", MCSEC_ERR_UNSUPPORTED},
			/* a KeyName that is no XPK-ID */
			{TYPE_C, GCM,
					"<ds:KeyInfo><ds:KeyName>tk.11.user@example.org</"
					"ds:KeyName></ds:KeyInfo>",
					"", "", MCSEC_ERR_NOT_FOUND},
	};
	(void)state;

	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = enc_doc("secret", cases[i].type, cases[i].method, cases[i].ki,
				cases[i].cd_extra, cases[i].after);
		int rc = dec(d);
		if(rc != cases[i].rc)
			fprintf(stderr, "case %zu: %d\n", i, rc);
		assert_int_equal(rc, cases[i].rc);
		free(d);
	}
	/* CipherReference instead of CipherValue */
	assert_int_equal(dec("<r><e><EncryptedData "
						 "xmlns=\"http://www.w3.org/2001/04/xmlenc#\">"
						 "<CipherData><CipherReference "
						 "URI=\"file:///etc/passwd\"/></CipherData>"
						 "</EncryptedData></e></r>"),
			MCSEC_ERR_UNSUPPORTED);
	/* whole-document encryption (EncryptedData as the root) */
	assert_int_equal(
			dec("<EncryptedData xmlns=\"http://www.w3.org/2001/04/xmlenc#\">"
				"<CipherData><CipherValue>AAAA</CipherValue></CipherData>"
				"</EncryptedData>"),
			MCSEC_ERR_UNSUPPORTED);
	/* CipherValue too short to hold IV and tag, or not base64 */
	assert_int_equal(dec("<r><e><EncryptedData "
						 "xmlns=\"http://www.w3.org/2001/04/xmlenc#\">"
						 "<CipherData><CipherValue>"
						 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</CipherValue>"
						 "</CipherData></EncryptedData></e></r>"),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(dec("<r><e><EncryptedData "
						 "xmlns=\"http://www.w3.org/2001/04/xmlenc#\">"
						 "<CipherData><CipherValue>!!!!</CipherValue>"
						 "</CipherData></EncryptedData></e></r>"),
			MCSEC_ERR_MALFORMED);
}

static void test_xmlenc_decrypted_content(void **state)
{
	char *d;
	(void)state;
	/* nested encryption inside decrypted content */
	d = enc_doc("<EncryptedData "
				"xmlns=\"http://www.w3.org/2001/04/xmlenc#\"><CipherData>"
				"<CipherValue>AAAA</CipherValue></CipherData></EncryptedData>",
			TYPE_C, GCM, KI, "", "");
	assert_int_equal(dec(d), MCSEC_ERR_MALFORMED);
	free(d);
	/* a DOCTYPE or an entity inside decrypted content */
	d = enc_doc("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>", TYPE_C, GCM, KI,
			"", "");
	assert_int_equal(dec(d), MCSEC_ERR_MALFORMED);
	free(d);
	d = enc_doc("&undefined;", TYPE_C, GCM, KI, "", "");
	assert_int_equal(dec(d), MCSEC_ERR_MALFORMED);
	free(d);
	/* an undeclared prefix inside decrypted content */
	d = enc_doc("<zz:a/>", TYPE_C, GCM, KI, "", "");
	assert_int_equal(dec(d), MCSEC_ERR_MALFORMED);
	free(d);
	/* not well-formed */
	d = enc_doc("<a>", TYPE_C, GCM, KI, "", "");
	assert_int_equal(dec(d), MCSEC_ERR_MALFORMED);
	free(d);
	/* tag check: one changed ciphertext octet */
	d = enc_doc("secret", TYPE_C, GCM, KI, "", "");
	{
		char *p = strstr(d, "<CipherValue>") + 13 + 20;
		*p = *p == 'A' ? 'B' : 'A';
	}
	assert_int_equal(dec(d), MCSEC_ERR_BAD_SIGNATURE);
	free(d);
}

/* ---------- xmldsig ---------- */

static const char SCT[] = "multipart/mixed;boundary=hb";

static char *signed_body(size_t *len)
{
	const char *body =
			"--hb\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\n"
			"Content-ID: <a@x.example>\r\n\r\n"
			"<mcpttinfo "
			"xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\"><x>1</x></mcpttinfo>\r\n"
			"--hb\r\nContent-Type: application/resource-lists+xml\r\n"
			"Content-ID: <b@x.example>\r\n\r\n"
			"<resource-lists "
			"xmlns=\"urn:ietf:params:xml:ns:resource-lists\"/>\r\n"
			"--hb--\r\n";
	char *out = NULL, *oct = NULL;
	if(mcsec_xml_body_sign(body, strlen(body), SCT, &K, &out, len, &oct)
			!= MCSEC_OK)
		abort();
	free(oct);
	return out;
}

static int ver(const char *b)
{
	return mcsec_xml_body_verify(b, strlen(b), SCT, &K, 1, NULL);
}

/* apply one textual change to a valid signed body and verify */
static int ver_changed(const char *from, const char *to)
{
	size_t l;
	char *b = signed_body(&l), *c = replace(b, from, to);
	int rc;
	if(!c) {
		fprintf(stderr, "pattern not found: %s\n", from);
		abort();
	}
	rc = ver(c);
	free(b);
	free(c);
	return rc;
}

#define SIGM               \
	"<ds:SignatureMethod " \
	"Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#hmac-sha256\"/>"

static void test_dsig_baseline(void **state)
{
	size_t l;
	char *b = signed_body(&l);
	unsigned n = 0;
	(void)state;
	assert_int_equal(mcsec_xml_body_verify(b, l, SCT, &K, 1, &n), MCSEC_OK);
	assert_int_equal(n, 2);
	free(b);
	/* the changes below only count if an unrelated edit keeps it valid */
	assert_int_equal(
			ver_changed("<signatures>", "<signatures>  <!-- c -->"), MCSEC_OK);
}

static void test_dsig_algorithms(void **state)
{
	(void)state;
	/* HMACOutputLength: truncated MACs */
	assert_int_equal(
			ver_changed(SIGM,
					"<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/"
					"xmldsig-more#hmac-sha256\"><ds:HMACOutputLength>128"
					"</ds:HMACOutputLength></ds:SignatureMethod>"),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(
			ver_changed("xmldsig-more#hmac-sha256", "xmldsig-more#rsa-sha256"),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(ver_changed("2001/04/xmldsig-more#hmac-sha256",
							 "2000/09/xmldsig#hmac-sha1"),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(ver_changed("REC-xml-c14n-20010315\"",
							 "REC-xml-c14n-20010315#WithComments\""),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(
			ver_changed("http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
					"http://www.w3.org/2001/10/xml-exc-c14n#"),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(ver_changed("http://www.w3.org/2001/04/xmlenc#sha256",
							 "http://www.w3.org/2000/09/xmldsig#sha1"),
			MCSEC_ERR_UNSUPPORTED);
	/* a SignatureValue cut to 128 bits */
	{
		size_t l;
		char *b = signed_body(&l), *p = strstr(b, "<ds:SignatureValue>") + 19;
		char *q = strstr(p, "</ds:SignatureValue>"), *c;
		char cut[64];
		memcpy(cut, p, (size_t)(q - p));
		cut[q - p] = '\0';
		c = replace(b, cut, "AAAAAAAAAAAAAAAAAAAAAA==");
		assert_int_equal(ver(c), MCSEC_ERR_MALFORMED);
		free(c);
		free(b);
	}
}

static void test_dsig_references(void **state)
{
	(void)state;
	assert_int_equal(ver_changed("URI=\"cid:a@x.example\"",
							 "URI=\"http://127.0.0.1:1/a\""),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(ver_changed("URI=\"cid:a@x.example\"",
							 "URI=\"file:///etc/passwd\""),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(ver_changed("URI=\"cid:a@x.example\"", "URI=\"#a\""),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(ver_changed("URI=\"cid:a@x.example\"", "URI=\"\""),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(
			ver_changed(" URI=\"cid:a@x.example\"", ""), MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(ver_changed("URI=\"cid:a@x.example\"", "URI=\"cid:a%zz\""),
			MCSEC_ERR_MALFORMED);
	/* a reference to no part at all */
	assert_int_equal(ver_changed("URI=\"cid:a@x.example\"",
							 "URI=\"cid:nobody@x.example\""),
			MCSEC_ERR_BAD_SIGNATURE);
	/* transforms (XPath, XSLT or any other) */
	assert_int_equal(
			ver_changed("<ds:DigestMethod",
					"<ds:Transforms><ds:Transform "
					"Algorithm=\"http://www.w3.org/TR/1999/"
					"REC-xpath-19991116\"><ds:XPath>1</ds:XPath></ds:Transform>"
					"</ds:Transforms><ds:DigestMethod"),
			MCSEC_ERR_UNSUPPORTED);
	/* two References in one SignedInfo */
	assert_int_equal(
			ver_changed("</ds:Reference>",
					"</ds:Reference><ds:Reference URI=\"cid:b@x.example\">"
					"<ds:DigestMethod "
					"Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>"
					"<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>"),
			MCSEC_ERR_UNSUPPORTED);
	/* ds:Object (a place to hide a second signed node) */
	assert_int_equal(ver_changed("</ds:KeyInfo>",
							 "</ds:KeyInfo><ds:Object>x</ds:Object>"),
			MCSEC_ERR_UNSUPPORTED);
	/* an unknown key */
	assert_int_equal(
			ver_changed("<ds:KeyName>IACrzQ==", "<ds:KeyName>IACrzg=="),
			MCSEC_ERR_NOT_FOUND);
	/* a DTD in the signatures part */
	assert_int_equal(
			ver_changed(
					"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<signatures>",
					"<!DOCTYPE signatures [<!ENTITY e \"x\">]><signatures>"),
			MCSEC_ERR_UNSUPPORTED);
}

static void test_dsig_wrapping(void **state)
{
	size_t l;
	char *b, *c, *sig, *s0, *s1;
	(void)state;

	/* anything but ds:Signature under <signatures> */
	assert_int_equal(ver_changed("<signatures>", "<signatures><extra/>"),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(ver_changed("<signatures>", "<signatures>text"),
			MCSEC_ERR_MALFORMED);
	/* a Signature moved into a wrapper element */
	b = signed_body(&l);
	c = replace(
			b, "<signatures>\n<ds:Signature", "<signatures>\n<w><ds:Signature");
	sig = replace(c, "</ds:Signature>\n<ds:Signature",
			"</ds:Signature></w>\n<ds:Signature");
	assert_int_equal(ver(sig), MCSEC_ERR_MALFORMED);
	free(c);
	free(sig);
	/* the same valid Signature twice (one part, two signatures) */
	s0 = strstr(b, "<ds:Signature ");
	s1 = strstr(s0 + 1, "<ds:Signature ");
	{
		size_t sl = (size_t)(s1 - s0);
		char *one = malloc(sl + 1), *two = malloc(2 * sl + 1);
		memcpy(one, s0, sl);
		one[sl] = '\0';
		memcpy(two, one, sl);
		memcpy(two + sl, one, sl + 1);
		c = replace(b, one, two);
		assert_int_equal(ver(c), MCSEC_ERR_MALFORMED);
		free(c);
		/* one XML part left without a signature */
		c = replace(b, one, "");
		assert_int_equal(ver(c), MCSEC_ERR_BAD_SIGNATURE);
		free(c);
		free(one);
		free(two);
	}
	/* an added, unsigned XML part */
	c = replace(b, "--hb--",
			"--hb\r\nContent-Type: application/pidf+xml\r\n\r\n<p/>\r\n--hb--");
	assert_int_equal(ver(c), MCSEC_ERR_BAD_SIGNATURE);
	free(c);
	/* a second part with an already signed Content-ID */
	c = replace(b, "--hb--",
			"--hb\r\nContent-Type: application/pidf+xml\r\nContent-ID: "
			"<a@x.example>\r\n\r\n"
			"<p/>\r\n--hb--");
	assert_int_equal(ver(c), MCSEC_ERR_MALFORMED);
	free(c);
	/* Content-IDs swapped: each signature now names the other body */
	c = replace(b, "<a@x.example>", "<tmp@x.example>");
	sig = replace(c, "<b@x.example>", "<a@x.example>");
	free(c);
	c = replace(sig, "<tmp@x.example>", "<b@x.example>");
	assert_int_equal(ver(c), MCSEC_ERR_BAD_SIGNATURE);
	free(c);
	free(sig);
	/* a second signatures part */
	{
		char *sp = strstr(b,
				"--hb\r\nContent-Type: application/vnd.3gpp.mcptt-signed+xml");
		size_t n = strlen(sp) - strlen("--hb--\r\n");
		char *dup = malloc(l + n + 1);
		memcpy(dup, b, (size_t)(sp - b) + n);
		memcpy(dup + (sp - b) + n, sp, strlen(sp) + 1);
		assert_int_equal(ver(dup), MCSEC_ERR_MALFORMED);
		free(dup);
	}
	/* a signature naming the signatures part itself */
	c = replace(b, "Content-Type: application/vnd.3gpp.mcptt-signed+xml\r\n",
			"Content-Type: "
			"application/vnd.3gpp.mcptt-signed+xml\r\nContent-ID: "
			"<s@x.example>\r\n");
	sig = replace(c, "URI=\"cid:a@x.example\"", "URI=\"cid:s@x.example\"");
	assert_int_equal(ver(sig), MCSEC_ERR_BAD_SIGNATURE);
	free(c);
	free(sig);
	/* unprotect forwards the verified octets: a valid body decrypts */
	{
		mcsec_xml_policy_t *pol = NULL;
		char *o = NULL, *oct = NULL;
		size_t ol;
		assert_int_equal(mcsec_xml_policy_default(&pol), MCSEC_OK);
		assert_int_equal(mcsec_xml_body_unprotect(
								 b, l, SCT, pol, &K, 1, 0, &o, &ol, &oct),
				MCSEC_OK);
		assert_null(strstr(o, "signed+xml"));
		/* nothing was encrypted: the verified octets go on unchanged */
		assert_non_null(strstr(o,
				"\r\n\r\n<mcpttinfo xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\">"
				"<x>1</x></mcpttinfo>\r\n--hb"));
		assert_null(strstr(o, "<?xml"));
		free(o);
		free(oct);
		c = replace(b, "<x>1</x>", "<x>2</x>");
		assert_int_equal(mcsec_xml_body_unprotect(c, strlen(c), SCT, pol, &K, 1,
								 0, &o, &ol, &oct),
				MCSEC_ERR_BAD_SIGNATURE);
		assert_null(o);
		free(c);
		mcsec_xml_policy_free(pol);
	}
	free(b);
}

/* bodies the signatures cannot cover are refused, never passed through */
static void test_body_no_bypass(void **state)
{
	mcsec_xml_policy_t *pol = NULL;
	char many[4096], *o = NULL, *oct = NULL;
	size_t ol;
	const char *nested =
			"--hb\r\nContent-Type: multipart/mixed;boundary=in\r\n\r\n"
			"--in\r\nContent-Type: application/pidf+xml\r\n\r\n<p/>\r\n"
			"--in--\r\n--hb--\r\n";
	(void)state;

	assert_int_equal(mcsec_xml_policy_default(&pol), MCSEC_OK);
	many[0] = '\0';
	for(int i = 0; i <= MCSEC_MIME_MAX_PARTS; i++)
		strcat(many,
				"--hb\r\nContent-Type: application/pidf+xml\r\n\r\n<p/>\r\n");
	strcat(many, "--hb--\r\n");
	assert_int_equal(mcsec_xml_body_unprotect(many, strlen(many), SCT, pol, &K,
							 1, 0, &o, &ol, &oct),
			MCSEC_ERR_UNSUPPORTED);
	assert_null(o);
	assert_int_equal(mcsec_xml_body_protect(
							 many, strlen(many), SCT, pol, &K, &o, &ol, &oct),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(
			mcsec_xml_body_verify(many, strlen(many), SCT, &K, 1, NULL),
			MCSEC_ERR_UNSUPPORTED);
	/* another multipart type */
	assert_int_equal(mcsec_xml_body_unprotect(many, strlen(many),
							 "multipart/related;boundary=hb", pol, &K, 1, 0, &o,
							 &ol, &oct),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(mcsec_xml_body_protect(many, strlen(many),
							 "multipart/alternative;boundary=hb", pol, &K, &o,
							 &ol, &oct),
			MCSEC_ERR_UNSUPPORTED);
	/* a multipart inside a part */
	assert_int_equal(mcsec_xml_body_unprotect(nested, strlen(nested), SCT, pol,
							 &K, 1, 0, &o, &ol, &oct),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(mcsec_xml_body_protect(nested, strlen(nested), SCT, pol,
							 &K, &o, &ol, &oct),
			MCSEC_ERR_UNSUPPORTED);
	/* a malformed multipart is an error, not a single body */
	assert_int_equal(mcsec_xml_body_unprotect(
							 "junk", 4, SCT, pol, &K, 1, 0, &o, &ol, &oct),
			MCSEC_ERR_MALFORMED);
	assert_null(o);
	mcsec_xml_policy_free(pol);
}

static int setup(void **state)
{
	(void)state;
	mcsec_xml_init();
	test_keys(&K, 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_parser_dtd_entities),
			cmocka_unit_test(test_parser_depth),
			cmocka_unit_test(test_parser_ids),
			cmocka_unit_test(test_xmlenc_accepts_minimal),
			cmocka_unit_test(test_xmlenc_rejects),
			cmocka_unit_test(test_xmlenc_decrypted_content),
			cmocka_unit_test(test_dsig_baseline),
			cmocka_unit_test(test_dsig_algorithms),
			cmocka_unit_test(test_dsig_references),
			cmocka_unit_test(test_dsig_wrapping),
			cmocka_unit_test(test_body_no_bypass),
	};
	int r = cmocka_run_group_tests(tests, setup, NULL);
	mcsec_xml_shutdown();
	return r;
}
