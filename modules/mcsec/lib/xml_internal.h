/*
 * mcsec - internals shared by the XML protection files (not a public API).
 */
#ifndef MCSEC_XML_INTERNAL_H
#define MCSEC_XML_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "xmlprot.h"

#define MCSEC_XMLENC11_NS "http://www.w3.org/2009/xmlenc11#"
#define MCSEC_ALG_AES128_GCM "http://www.w3.org/2009/xmlenc11#aes128-gcm"
#define MCSEC_ALG_AES256_GCM "http://www.w3.org/2009/xmlenc11#aes256-gcm"
#define MCSEC_ALG_KW_AES256 "http://www.w3.org/2001/04/xmlenc#kw-aes256"
#define MCSEC_TYPE_CONTENT "http://www.w3.org/2001/04/xmlenc#Content"
#define MCSEC_TYPE_ENCKEY "http://www.w3.org/2001/04/xmlenc#EncryptedKey"
#define MCSEC_ALG_C14N10 "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define MCSEC_ALG_HMAC_SHA256 \
	"http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
#define MCSEC_ALG_SHA256 "http://www.w3.org/2001/04/xmlenc#sha256"

/* xml_parse.c: hardened parse (no network, no DTD, no entities, bounded
 * size and depth, Id attributes registered with duplicates rejected). */
int mcsec_xml_parse(const char *buf, size_t len, xmlDocPtr *doc);
/* Parse decrypted content in the context of its parent element, with the
 * same restrictions; *list receives the new nodes (not yet linked). */
int mcsec_xml_parse_content(
		xmlNodePtr parent, const char *buf, size_t len, xmlNodePtr *list);
/* (Re-)register Id / ID / id / xml:id attribute values of the whole
 * document; MCSEC_ERR_MALFORMED if a value is used twice. */
int mcsec_xml_register_ids(xmlDocPtr doc);
/* Serialise a document to a malloc'd, NUL-terminated buffer. */
int mcsec_xml_serialize(xmlDocPtr doc, char **out, size_t *out_len);
/* Element depth of node (root = 1). */
int mcsec_xml_depth(xmlNodePtr n);

/* 1 if n is an element named local in namespace ns. */
int mcsec_xml_is(xmlNodePtr n, const char *ns, const char *local);
/* Next element sibling, starting with n itself; whitespace text and
 * comments are skipped; anything else (non-blank text, PI, CDATA, entity
 * reference) makes *bad = 1. */
xmlNodePtr mcsec_xml_next_elem(xmlNodePtr n, int *bad);
/* Text content of an element that may hold only text (trimmed by caller);
 * NULL if it has element children.  xmlFree the result. */
xmlChar *mcsec_xml_text(xmlNodePtr n);

/* base64 of the 4 big-endian octets of an XPK-ID (KeyName, 9.3.4.2). */
int mcsec_xml_key_name(uint32_t id, char out[12]);
/* Parse a KeyName back; MCSEC_ERR_MALFORMED unless exactly 4 octets. */
int mcsec_xml_key_name_parse(const char *s, size_t len, uint32_t *id);
/* The key for an XPK-ID (have_id = 0: keys[0]) or NULL. */
const mcsec_xml_keys_t *mcsec_xml_keys_find(
		const mcsec_xml_keys_t *keys, size_t nkeys, int have_id, uint32_t id);

/* AES-GCM with a 16- or 32-octet key, no AAD (xmlenc 1.1 5.2.4).
 * out = IV || ciphertext || tag. */
int mcsec_gcm_seal(const uint8_t *key, size_t key_len,
		const uint8_t iv[MCSEC_XML_IV_LEN], const uint8_t *pt, size_t pt_len,
		uint8_t *out);
/* in = IV || ciphertext || tag; out holds in_len - 28 octets.
 * MCSEC_ERR_BAD_SIGNATURE if the tag does not verify (out is wiped). */
int mcsec_gcm_open(const uint8_t *key, size_t key_len, const uint8_t *in,
		size_t in_len, uint8_t *out);

/* xml_policy.c: rules for one content type, walked by xmlenc_content.c */
enum mcsec_xml_rule_kind
{
	MCSEC_RULE_CONTENT = 1, /* element content -> EncryptedData */
	MCSEC_RULE_KEY = 2,		/* hex key octets -> EncryptedKey (kw-aes256) */
	MCSEC_RULE_URI = 3,		/* URI-valued attribute */
};
typedef struct mcsec_xml_rule
{
	int kind;
	char *ns;	/* namespace URI, "" = none, "*" = any */
	char *elem; /* local name */
	char *attr; /* attribute local name (URI rules) */
	int mark;	/* set type="Encrypted" on the element (MC info schemas) */
} mcsec_xml_rule_t;

/* NULL if the policy has no section for the content type. */
const mcsec_xml_rule_t *mcsec_xml_policy_rules(const mcsec_xml_policy_t *p,
		const char *ctype, size_t ctype_len, size_t *nrules);

#endif
