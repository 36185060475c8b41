/*
 * mcsec - internal: the HMAC-SHA256 XML signature of a SignedKmsResponse
 * (TS 33.180 D.3.5.2, example D.3.4), shared by the parser (verify) and
 * the writer (sign). Not part of the public API.
 */
#ifndef MCSEC_KMS_SIG_H
#define MCSEC_KMS_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "kms.h"

#define MCSEC_DSIG_NS "http://www.w3.org/2000/09/xmldsig#"
#define MCSEC_XENC_NS "http://www.w3.org/2001/04/xmlenc#"
#define MCSEC_ALG_C14N "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define MCSEC_ALG_HMAC_SHA256 \
	"http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
#define MCSEC_ALG_SHA256 "http://www.w3.org/2001/04/xmlenc#sha256"
#define MCSEC_ALG_ENVELOPED \
	"http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define MCSEC_ALG_KW_AES256 "http://www.w3.org/2001/04/xmlenc#kw-aes256"
#define MCSEC_ALG_KWP_AES256 "http://www.w3.org/2009/xmlenc11#kw-aes-256-pad"

/* Inclusive C14N 1.0 without comments of the subtree rooted at top, with
 * the subtree excl (may be NULL) left out. *out is malloc'd. */
int mcsec_kms_c14n(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr excl,
		uint8_t **out, size_t *out_len);

/* Element test: local name and namespace URI. */
int mcsec_kms_is(const xmlNode *n, const char *ns, const char *name);

/* The text content of an element that must have no element children
 * (NULL if it has one); free with xmlFree. */
xmlChar *mcsec_kms_text(const xmlNode *n);
/* The next element sibling from n (n itself if it is one), skipping
 * comments, processing instructions and whitespace-only text. Sets *bad
 * when non-whitespace text is met (mixed content is not allowed). */
xmlNodePtr mcsec_kms_next_el(xmlNodePtr n, int *bad);

/* Best effort before xmlFreeDoc: overwrite the text of every text node
 * (key values in hex or base64) that the document itself owns. */
void mcsec_kms_cleanse_tree(xmlDocPtr doc);

/* Verify the ds:Signature sig, a child of the SignedKmsResponse root whose
 * KmsResponse child is resp. Sets doc->signature / doc->signature_key. */
int mcsec_kms_sig_verify(xmlDocPtr xdoc, xmlNodePtr root, xmlNodePtr resp,
		xmlNodePtr sig, const mcsec_kms_parse_opts_t *opts,
		mcsec_kms_doc_t *doc, char *err, size_t errlen);

/* Fill DigestValue and SignatureValue of sig (a child of root, written by
 * kms_write.c with empty values) with key. */
int mcsec_kms_sig_sign(xmlDocPtr xdoc, xmlNodePtr root, xmlNodePtr sig,
		const mcsec_kms_named_key_t *key);

#endif
