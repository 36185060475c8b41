/*
 * mcsec - XML signalling protection (TS 33.180 9.3, I.3.7).
 *
 *  - content encryption (9.3.4.2): the content of a chosen element is
 *    replaced by an xmlenc 1.1 <EncryptedData Type="...#Content"> with
 *    aes128-gcm, ds:KeyInfo/ds:KeyName = base64(XPK-ID), CipherValue =
 *    base64(IV(12) || ciphertext || tag(16)); key material (hex octets) by
 *    an <EncryptedKey> with kw-aes256 (needs a 256-bit key);
 *  - URI attribute encryption (9.3.4.3):
 *    sip:<ct>;iv=<iv>;key-id=<XPK-ID>;alg=128-aes-gcm@<encryption domain>,
 *    each field base64url without padding (DESIGN.md section 4);
 *  - integrity (9.3.5): one ds:Signature (HMAC-SHA256, C14N 1.0 SignedInfo,
 *    Reference cid:<Content-ID>, SHA-256 over the raw octets of the part)
 *    per XML MIME body, carried in an application/vnd.3gpp.mcptt-signed+xml
 *    (mcvideo/mcdata variants) part whose root is <signatures>.
 *
 * Keys (9.3.3, F.1.4): XPK = CSK (XPK-ID = CSK-ID) towards clients, an SPK
 * towards partner domains.  By default the confidentiality (FC 0x51) and
 * integrity (FC 0x52) keys are derived with mcsec_xml_key(); raw_xpk = 1
 * uses the XPK itself for both (interop option, 9.3.4.2 "using the CSK").
 *
 * Hardening: documents are parsed with no network, no DTD, no entity
 * expansion, at most MCSEC_XML_MAX_DOC octets and MCSEC_XML_MAX_DEPTH
 * levels; only the algorithms above are accepted; Id attributes are
 * registered explicitly and duplicates rejected; references are cid: only
 * and the octets processed after verification are the octets verified.
 *
 * Output buffers are malloc'd and NUL-terminated; release them with free().
 * Call mcsec_xml_init() once per process (after fork) before anything else
 * here, and mcsec_xml_shutdown() once at exit.
 */
#ifndef MCSEC_XMLPROT_H
#define MCSEC_XMLPROT_H

#include <stddef.h>
#include <stdint.h>

#define MCSEC_XML_MAX_DOC (256 * 1024) /* octets per XML document */
#define MCSEC_XML_MAX_DEPTH 48		   /* element nesting */
#define MCSEC_XML_MAX_URI 2048		   /* plaintext URI octets */
#define MCSEC_XML_IV_LEN 12			   /* 96-bit GCM IV (9.3.4.3) */
#define MCSEC_XML_TAG_LEN 16
#define MCSEC_XML_DEFAULT_DOMAIN "mc1-encryption.3gppnetwork.org"

#define MCSEC_XMLENC_NS "http://www.w3.org/2001/04/xmlenc#"
#define MCSEC_DSIG_NS "http://www.w3.org/2000/09/xmldsig#"

/* Process-wide set-up: libxml2 parser init and an external entity loader
 * that refuses every load.  Idempotent; returns MCSEC_OK. */
int mcsec_xml_init(void);
/* Releases libxml2 global state; call once, at process exit. */
void mcsec_xml_shutdown(void);

/* The keys one XPK gives (F.1.4).  Cleansed by mcsec_xml_keys_clear(). */
typedef struct mcsec_xml_keys
{
	uint32_t xpk_id;
	uint8_t conf[32]; /* confidentiality key, conf_len octets (16 or 32) */
	size_t conf_len;
	uint8_t integ[32]; /* integrity key, integ_len octets */
	size_t integ_len;
} mcsec_xml_keys_t;

/* Derive (raw_xpk = 0) or copy (raw_xpk = 1) the keys of an XPK of 16 or 32
 * octets for the MC service user ID mc_id (P0 of F.1.4). */
int mcsec_xml_keys_init(mcsec_xml_keys_t *k, const uint8_t *xpk, size_t xpk_len,
		uint32_t xpk_id, const char *mc_id, size_t mc_id_len, int raw_xpk);
void mcsec_xml_keys_clear(mcsec_xml_keys_t *k);

/* ---- policy (xml_policy.c; file format in cfg/xml-policy.example) ---- */
typedef struct mcsec_xml_policy mcsec_xml_policy_t;

/* What TS 33.180 9.3.2 lists, in the mcptt/mcvideo/mcdata-info, location,
 * pidf and resource-lists bodies. */
int mcsec_xml_policy_default(mcsec_xml_policy_t **out);
/* Parse a policy text; on MCSEC_ERR_MALFORMED *err_line (if not NULL) is
 * the 1-based line at fault. */
int mcsec_xml_policy_parse(
		const char *text, size_t len, mcsec_xml_policy_t **out, int *err_line);
int mcsec_xml_policy_load(
		const char *path, mcsec_xml_policy_t **out, int *err_line);
void mcsec_xml_policy_free(mcsec_xml_policy_t *p);
/* Encryption domain for a content type (never NULL). */
const char *mcsec_xml_policy_domain(
		const mcsec_xml_policy_t *p, const char *ctype, size_t ctype_len);
/* 1 if XML bodies of this content type must carry a valid signature. */
int mcsec_xml_policy_integrity(
		const mcsec_xml_policy_t *p, const char *ctype, size_t ctype_len);

/* ---- one XML document (xmlenc_content.c) ---- */

/* Decryption flags */
#define MCSEC_XML_SKIP_UNKNOWN_KEY \
	0x1 /* leave EncryptedData/URIs whose
										  XPK-ID matches no key in place */

/* Apply the policy rules of content type ctype (content encryption,
 * key-material wrapping, URI attribute encryption) to the document.
 * *count (optional) = number of items protected. */
int mcsec_xml_encrypt_doc(const char *xml, size_t len, const char *ctype,
		size_t ctype_len, const mcsec_xml_policy_t *pol,
		const mcsec_xml_keys_t *keys, char **out, size_t *out_len,
		unsigned *count);
/* Decrypt every EncryptedData / EncryptedKey and every encrypted URI
 * attribute with the key whose XPK-ID the item names (keys[0] when it
 * names none).  MCSEC_ERR_BAD_SIGNATURE when a GCM tag or key-wrap check
 * fails, MCSEC_ERR_NOT_FOUND for an unknown XPK-ID (unless skipped),
 * MCSEC_ERR_UNSUPPORTED for any other algorithm or xmlenc feature. */
int mcsec_xml_decrypt_doc(const char *xml, size_t len,
		const mcsec_xml_keys_t *keys, size_t nkeys, unsigned flags, char **out,
		size_t *out_len, unsigned *count);

/* The XPK-IDs one document names (ds:KeyInfo/ds:KeyName of EncryptedData,
 * EncryptedKey or Signature, key-id of encrypted URI attributes), each
 * once, so a caller can fetch the keys first.  KeyNames that are no XPK-ID
 * are ignored.  MCSEC_ERR_UNSUPPORTED if there are more than cap. */
int mcsec_xml_doc_key_ids(
		const char *xml, size_t len, uint32_t *ids, size_t cap, size_t *n);

/* Required protection (a receiver that insists on the policy): *nclear =
 * number of items the policy rules of ctype cover that are in clear (an
 * element with content that is not exactly one EncryptedData/EncryptedKey,
 * a non-empty URI attribute that is not an encrypted URI). */
int mcsec_xml_doc_clear_items(const char *xml, size_t len, const char *ctype,
		size_t ctype_len, const mcsec_xml_policy_t *pol, unsigned *nclear);

/* ---- URI attribute values (xmlenc_uri.c) ---- */

/* domain NULL = MCSEC_XML_DEFAULT_DOMAIN.  Needs a 16-octet conf key. */
int mcsec_uri_encrypt(const char *uri, size_t len, const mcsec_xml_keys_t *keys,
		const char *domain, char **out);
/* The same with a caller-chosen IV: known-answer tests only. */
int mcsec_uri_encrypt_iv(const char *uri, size_t len,
		const mcsec_xml_keys_t *keys, const char *domain,
		const uint8_t iv[MCSEC_XML_IV_LEN], char **out);
/* 1 if the value has the form of an encrypted URI (no key needed). */
int mcsec_uri_is_encrypted(const char *v, size_t len);
/* Reads the key-id field of an encrypted URI. */
int mcsec_uri_key_id(const char *v, size_t len, uint32_t *xpk_id);
int mcsec_uri_decrypt(const char *v, size_t len, const mcsec_xml_keys_t *keys,
		size_t nkeys, char **out, size_t *out_len);

/* ---- MIME bodies of a SIP message (xmldsig_body.c) ---- */

/* Sign every XML part of a multipart/mixed body (a single XML body is first
 * wrapped in a multipart/mixed).  Parts without a Content-ID get one.  The
 * result keeps the boundary; *out_ctype is the Content-Type for it. */
int mcsec_xml_body_sign(const char *body, size_t len, const char *ctype,
		const mcsec_xml_keys_t *keys, char **out, size_t *out_len,
		char **out_ctype);
/* MCSEC_OK only if there is exactly one signatures part and every XML part
 * has exactly one valid signature in it (and no signature names anything
 * else).  *nsigned (optional) = number of parts verified. */
int mcsec_xml_body_verify(const char *body, size_t len, const char *ctype,
		const mcsec_xml_keys_t *keys, size_t nkeys, unsigned *nsigned);
/* mcsec_xml_doc_key_ids over every XML part of a body (single or
 * multipart/mixed), the signatures part included. */
int mcsec_xml_body_key_ids(const char *body, size_t len, const char *ctype,
		uint32_t *ids, size_t cap, size_t *n);
/* mcsec_xml_doc_clear_items over every XML part of a body (single or
 * multipart/mixed); the signatures part is not looked at.  *nclear is 0
 * whenever the result is not MCSEC_OK. */
int mcsec_xml_body_clear_items(const char *body, size_t len, const char *ctype,
		const mcsec_xml_policy_t *pol, unsigned *nclear);
/* Module entry points: encrypt every XML part by the policy, then sign if
 * the policy requires integrity for any of them; and back: verify (required
 * when the policy says so, always when a signatures part is present),
 * remove the signatures part, decrypt every XML part.  When one part is
 * left, it is returned as a single body with its own Content-Type. */
int mcsec_xml_body_protect(const char *body, size_t len, const char *ctype,
		const mcsec_xml_policy_t *pol, const mcsec_xml_keys_t *keys, char **out,
		size_t *out_len, char **out_ctype);
int mcsec_xml_body_unprotect(const char *body, size_t len, const char *ctype,
		const mcsec_xml_policy_t *pol, const mcsec_xml_keys_t *keys,
		size_t nkeys, unsigned flags, char **out, size_t *out_len,
		char **out_ctype);

#endif
