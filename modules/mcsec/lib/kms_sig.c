/*
 * mcsec - the XML signature of a SignedKmsResponse (TS 33.180 D.3.5.2,
 * example D.3.4): HMAC-SHA256 (RFC 4051 2.2.2) keyed with the InK (or the
 * TrK, D.1) named in ds:KeyInfo/ds:KeyName, over SignedInfo canonicalised
 * with C14N 1.0 (W3C xmldsig-core 4.3); one Reference to the
 * SignedKmsResponse (enveloped: the ds:Signature itself left out,
 * xmldsig-core 6.6.4) or to the KmsResponse it carries, SHA-256 digest.
 *
 * Accepted and nothing else: CanonicalizationMethod C14N 1.0;
 * SignatureMethod hmac-sha256 with an optional HMACOutputLength from 128
 * to 256 (the D.3.4 examples carry 128; xmldsig errata E11 floor);
 * Transforms among enveloped-signature and C14N 1.0; DigestMethod sha256.
 * The signed node is chosen by document structure, never by an ID lookup,
 * so no other element of the document can stand in for it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/dict.h>
#include <libxml/xmlIO.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "encoding.h"
#include "kms_sig.h"
#include "mcsec_err.h"


int mcsec_kms_is(const xmlNode *n, const char *ns, const char *name)
{
	if(!n || n->type != XML_ELEMENT_NODE || !n->name
			|| strcmp((const char *)n->name, name) != 0)
		return 0;
	if(!ns)
		return n->ns == NULL;
	return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, ns);
}

static int all_ws(const xmlChar *s)
{
	if(!s)
		return 1;
	for(; *s; s++)
		if(*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

xmlNodePtr mcsec_kms_next_el(xmlNodePtr n, int *bad)
{
	for(; n; n = n->next) {
		if(n->type == XML_ELEMENT_NODE)
			return n;
		if((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
				&& !all_ws(n->content))
			*bad = 1;
		else if(n->type != XML_TEXT_NODE && n->type != XML_COMMENT_NODE
				&& n->type != XML_PI_NODE && n->type != XML_CDATA_SECTION_NODE)
			*bad = 1;
	}
	return NULL;
}

xmlChar *mcsec_kms_text(const xmlNode *n)
{
	for(const xmlNode *c = n->children; c; c = c->next)
		if(c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE
				&& c->type != XML_COMMENT_NODE && c->type != XML_PI_NODE)
			return NULL;
	return xmlNodeGetContent(n);
}

void mcsec_kms_cleanse_tree(xmlDocPtr doc)
{
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, n = root;

	while(n) {
		if((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
				&& n->content
				&& !(doc->dict && xmlDictOwns(doc->dict, n->content)))
			OPENSSL_cleanse(n->content, strlen((const char *)n->content));
		if(n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while(n && n != root && !n->next)
			n = n->parent;
		if(!n || n == root)
			break;
		n = n->next;
	}
}

/* ---- canonicalisation of a subtree ---- */

struct c14n_sel
{
	xmlNodePtr top, excl;
};

/* xmlC14NIsVisibleCallback: for namespace nodes libxml2 passes the owning
 * element as parent; attributes and other nodes have node->parent. */
static int c14n_visible(void *ud, xmlNodePtr node, xmlNodePtr parent)
{
	const struct c14n_sel *sel = ud;
	xmlNodePtr n = node;

	if(!node)
		return 0;
	if(node->type == XML_NAMESPACE_DECL)
		n = parent;
	for(; n; n = n->parent) {
		if(n == sel->excl)
			return 0;
		if(n == sel->top)
			return 1;
	}
	return 0;
}

int mcsec_kms_c14n(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr excl,
		uint8_t **out, size_t *out_len)
{
	struct c14n_sel sel = {top, excl};
	xmlOutputBufferPtr buf;
	const xmlChar *content;
	size_t n;
	int rc = MCSEC_ERR_INTERNAL;

	*out = NULL;
	*out_len = 0;
	buf = xmlAllocOutputBuffer(NULL);
	if(!buf)
		return MCSEC_ERR_INTERNAL;
	if(xmlC14NExecute(doc, c14n_visible, &sel, XML_C14N_1_0, NULL, 0, buf)
			< 0) {
		rc = MCSEC_ERR_MALFORMED;
		goto out;
	}
	content = xmlOutputBufferGetContent(buf);
	n = xmlOutputBufferGetSize(buf);
	*out = malloc(n ? n : 1);
	if(!*out)
		goto out;
	if(n)
		memcpy(*out, content, n);
	*out_len = n;
	rc = MCSEC_OK;
out:
	xmlOutputBufferClose(buf);
	return rc;
}

static int attr_is(xmlNodePtr n, const char *attr, const char *want)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)attr);
	int ok = v && !strcmp((const char *)v, want);
	xmlFree(v);
	return ok;
}

static void trim(const char **s, size_t *len)
{
	while(*len && strchr(" \t\r\n", (*s)[0]))
		(*s)++, (*len)--;
	while(*len && strchr(" \t\r\n", (*s)[*len - 1]))
		(*len)--;
}

/* The parts of a ds:Signature this profile allows. */
struct sig_parts
{
	xmlNodePtr signed_info, sig_value, digest_value;
	xmlChar *ref_uri;
	xmlChar *key_name;
	unsigned hmac_bits;
};

static void sig_parts_free(struct sig_parts *p)
{
	xmlFree(p->ref_uri);
	xmlFree(p->key_name);
}

static int no_children(xmlNodePtr n)
{
	int bad = 0;
	return mcsec_kms_next_el(n->children, &bad) == NULL && !bad;
}

static int parse_reference(
		xmlNodePtr ref, struct sig_parts *p, char *err, size_t errlen)
{
	int bad = 0;
	xmlNodePtr c = mcsec_kms_next_el(ref->children, &bad);

	p->ref_uri = xmlGetNoNsProp(ref, (const xmlChar *)"URI");
	if(!p->ref_uri || p->ref_uri[0] != '#' || !p->ref_uri[1])
		return mcsec_errf(err, errlen, MCSEC_ERR_BAD_SIGNATURE,
				"Signature/Reference: URI must be '#<Id of the signed "
				"KmsResponse>'");
	if(mcsec_kms_is(c, MCSEC_DSIG_NS, "Transforms")) {
		int tb = 0;
		for(xmlNodePtr t = mcsec_kms_next_el(c->children, &tb); t;
				t = mcsec_kms_next_el(t->next, &tb)) {
			if(!mcsec_kms_is(t, MCSEC_DSIG_NS, "Transform")
					|| !(attr_is(t, "Algorithm", MCSEC_ALG_ENVELOPED)
							|| attr_is(t, "Algorithm", MCSEC_ALG_C14N))
					|| !no_children(t))
				return mcsec_errf(err, errlen, MCSEC_ERR_UNSUPPORTED,
						"Signature/Reference/Transforms: only "
						"enveloped-signature and C14N 1.0 are accepted");
		}
		if(tb)
			bad = 1;
		c = mcsec_kms_next_el(c->next, &bad);
	}
	if(!mcsec_kms_is(c, MCSEC_DSIG_NS, "DigestMethod"))
		return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
				"Signature/Reference: DigestMethod missing");
	if(!attr_is(c, "Algorithm", MCSEC_ALG_SHA256) || !no_children(c))
		return mcsec_errf(err, errlen, MCSEC_ERR_UNSUPPORTED,
				"Signature/Reference/DigestMethod: only %s is accepted",
				MCSEC_ALG_SHA256);
	c = mcsec_kms_next_el(c->next, &bad);
	if(!mcsec_kms_is(c, MCSEC_DSIG_NS, "DigestValue"))
		return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
				"Signature/Reference: DigestValue missing");
	p->digest_value = c;
	if(mcsec_kms_next_el(c->next, &bad) || bad)
		return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
				"Signature/Reference: unexpected content");
	return MCSEC_OK;
}

static int parse_signature(
		xmlNodePtr sig, struct sig_parts *p, char *err, size_t errlen)
{
	int bad = 0, rc;
	xmlNodePtr si, c;

	memset(p, 0, sizeof(*p));
	p->hmac_bits = 256;
	si = mcsec_kms_next_el(sig->children, &bad);
	if(!mcsec_kms_is(si, MCSEC_DSIG_NS, "SignedInfo"))
		return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
				"Signature: SignedInfo missing");
	p->signed_info = si;
	c = mcsec_kms_next_el(si->next, &bad);
	if(!mcsec_kms_is(c, MCSEC_DSIG_NS, "SignatureValue"))
		return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
				"Signature: SignatureValue missing");
	p->sig_value = c;
	c = mcsec_kms_next_el(c->next, &bad);
	if(mcsec_kms_is(c, MCSEC_DSIG_NS, "KeyInfo")) {
		int kb = 0;
		xmlNodePtr kn = mcsec_kms_next_el(c->children, &kb);
		if(!mcsec_kms_is(kn, MCSEC_DSIG_NS, "KeyName")
				|| mcsec_kms_next_el(kn->next, &kb) || kb)
			return mcsec_errf(err, errlen, MCSEC_ERR_UNSUPPORTED,
					"Signature/KeyInfo: exactly one KeyName is expected");
		p->key_name = mcsec_kms_text(kn);
		if(!p->key_name)
			return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
					"Signature/KeyInfo/KeyName: not text");
		c = mcsec_kms_next_el(c->next, &bad);
	}
	if(c || bad)
		return mcsec_errf(err, errlen, MCSEC_ERR_UNSUPPORTED,
				"Signature: unexpected element or text after SignatureValue/"
				"KeyInfo");

	/* SignedInfo: CanonicalizationMethod, SignatureMethod, one Reference */
	c = mcsec_kms_next_el(si->children, &bad);
	if(!mcsec_kms_is(c, MCSEC_DSIG_NS, "CanonicalizationMethod"))
		return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
				"Signature/SignedInfo: CanonicalizationMethod missing");
	if(!attr_is(c, "Algorithm", MCSEC_ALG_C14N) || !no_children(c))
		return mcsec_errf(err, errlen, MCSEC_ERR_UNSUPPORTED,
				"Signature/SignedInfo/CanonicalizationMethod: only C14N 1.0 "
				"(%s) is accepted",
				MCSEC_ALG_C14N);
	c = mcsec_kms_next_el(c->next, &bad);
	if(!mcsec_kms_is(c, MCSEC_DSIG_NS, "SignatureMethod"))
		return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
				"Signature/SignedInfo: SignatureMethod missing");
	if(!attr_is(c, "Algorithm", MCSEC_ALG_HMAC_SHA256))
		return mcsec_errf(err, errlen, MCSEC_ERR_UNSUPPORTED,
				"Signature/SignedInfo/SignatureMethod: only %s is accepted",
				MCSEC_ALG_HMAC_SHA256);
	{
		int hb = 0;
		xmlNodePtr h = mcsec_kms_next_el(c->children, &hb);
		if(h) {
			xmlChar *t;
			char *end;
			unsigned long v;
			if(!mcsec_kms_is(h, MCSEC_DSIG_NS, "HMACOutputLength")
					|| mcsec_kms_next_el(h->next, &hb) || hb)
				return mcsec_errf(err, errlen, MCSEC_ERR_UNSUPPORTED,
						"Signature/SignedInfo/SignatureMethod: unexpected "
						"content");
			t = mcsec_kms_text(h);
			if(!t)
				return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
						"Signature/SignedInfo/SignatureMethod/"
						"HMACOutputLength: not a number");
			v = strtoul((const char *)t, &end, 10);
			if(end == (char *)t || !all_ws((const xmlChar *)end) || v < 128
					|| v > 256 || v % 8) {
				xmlFree(t);
				return mcsec_errf(err, errlen, MCSEC_ERR_BAD_SIGNATURE,
						"Signature/SignedInfo/SignatureMethod/"
						"HMACOutputLength: must be 128..256 and a multiple "
						"of 8");
			}
			xmlFree(t);
			p->hmac_bits = (unsigned)v;
		}
		if(hb)
			return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
					"Signature/SignedInfo/SignatureMethod: text content");
	}
	c = mcsec_kms_next_el(c->next, &bad);
	if(!mcsec_kms_is(c, MCSEC_DSIG_NS, "Reference"))
		return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
				"Signature/SignedInfo: Reference missing");
	rc = parse_reference(c, p, err, errlen);
	if(rc)
		return rc;
	if(mcsec_kms_next_el(c->next, &bad) || bad)
		return mcsec_errf(err, errlen, MCSEC_ERR_UNSUPPORTED,
				"Signature/SignedInfo: exactly one Reference is accepted");
	return MCSEC_OK;
}

static const mcsec_kms_named_key_t *find_key(
		const mcsec_kms_named_key_t *keys, size_t n, const char *name)
{
	for(size_t i = 0; keys && i < n; i++)
		if(keys[i].name && !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* digest of the referenced node and HMAC of SignedInfo */
static int sig_compute(xmlDocPtr xdoc, xmlNodePtr target, xmlNodePtr sig,
		xmlNodePtr signed_info, const mcsec_kms_named_key_t *key,
		uint8_t digest[32], uint8_t mac[32], int digest_only)
{
	uint8_t *c = NULL;
	size_t clen;
	unsigned mlen = 0;
	int rc;

	rc = mcsec_kms_c14n(xdoc, target, sig, &c, &clen);
	if(rc)
		return rc;
	if(EVP_Digest(c, clen, digest, NULL, EVP_sha256(), NULL) != 1) {
		free(c);
		return MCSEC_ERR_INTERNAL;
	}
	free(c);
	if(digest_only)
		return MCSEC_OK;
	rc = mcsec_kms_c14n(xdoc, signed_info, NULL, &c, &clen);
	if(rc)
		return rc;
	if(!HMAC(EVP_sha256(), key->key, (int)key->key_len, c, clen, mac, &mlen)
			|| mlen != 32) {
		free(c);
		return MCSEC_ERR_INTERNAL;
	}
	free(c);
	return MCSEC_OK;
}

static int b64_text(xmlNodePtr n, uint8_t *out, size_t cap, long *len)
{
	xmlChar *t = mcsec_kms_text(n);
	if(!t)
		return -1;
	*len = mcsec_b64_decode(
			(const char *)t, strlen((const char *)t), out, cap, 0);
	xmlFree(t);
	return *len < 0 ? -1 : 0;
}

int mcsec_kms_sig_verify(xmlDocPtr xdoc, xmlNodePtr root, xmlNodePtr resp,
		xmlNodePtr sig, const mcsec_kms_parse_opts_t *opts,
		mcsec_kms_doc_t *doc, char *err, size_t errlen)
{
	struct sig_parts p;
	const mcsec_kms_named_key_t *key = NULL;
	xmlNodePtr target = NULL;
	xmlChar *id;
	uint8_t digest[32], mac[32], got_d[40], got_s[40];
	long dlen, slen;
	int rc;

	rc = parse_signature(sig, &p, err, errlen);
	if(rc)
		goto out;
	/* which node the Reference names: by structure only */
	id = xmlGetNoNsProp(root, (const xmlChar *)"Id");
	if(id && !strcmp((const char *)id, (const char *)p.ref_uri + 1))
		target = root;
	xmlFree(id);
	if(!target) {
		id = xmlGetNoNsProp(resp, (const xmlChar *)"Id");
		if(id && !strcmp((const char *)id, (const char *)p.ref_uri + 1))
			target = resp;
		xmlFree(id);
	}
	if(!target) {
		rc = mcsec_errf(err, errlen, MCSEC_ERR_BAD_SIGNATURE,
				"Signature/Reference: URI '%.64s' is not the Id of the "
				"SignedKmsResponse or of its KmsResponse",
				(const char *)p.ref_uri);
		goto out;
	}
	if(p.key_name) {
		char *nm = (char *)p.key_name;
		size_t nl = strlen(nm);
		const char *ts = nm;
		trim(&ts, &nl);
		memmove(nm, ts, nl);
		nm[nl] = '\0';
		key = find_key(opts ? opts->inks : NULL, opts ? opts->ninks : 0, nm);
		if(!key)
			key = find_key(
					opts ? opts->trks : NULL, opts ? opts->ntrks : 0, nm);
		free(doc->signature_key);
		doc->signature_key = strdup(nm);
		if(!doc->signature_key) {
			rc = MCSEC_ERR_INTERNAL;
			goto out;
		}
	}
	if(!key) {
		doc->signature = MCSEC_KMS_SIG_UNCHECKED;
		if(opts && opts->require_signature) {
			rc = mcsec_errf(err, errlen, MCSEC_ERR_BAD_SIGNATURE,
					"SignedKmsResponse: signed with key '%.128s', which is "
					"not configured (signature required)",
					p.key_name ? (const char *)p.key_name : "(no KeyName)");
			goto out;
		}
		rc = MCSEC_OK;
		goto out;
	}
	if(b64_text(p.digest_value, got_d, sizeof(got_d), &dlen) || dlen != 32) {
		rc = mcsec_errf(err, errlen, MCSEC_ERR_BAD_SIGNATURE,
				"Signature/Reference/DigestValue: not a base64 SHA-256 "
				"value");
		goto out;
	}
	if(b64_text(p.sig_value, got_s, sizeof(got_s), &slen)
			|| (size_t)slen != p.hmac_bits / 8) {
		rc = mcsec_errf(err, errlen, MCSEC_ERR_BAD_SIGNATURE,
				"Signature/SignatureValue: not a base64 HMAC of %u bits",
				p.hmac_bits);
		goto out;
	}
	rc = sig_compute(xdoc, target, sig, p.signed_info, key, digest, mac, 0);
	if(rc) {
		mcsec_errf(
				err, errlen, rc, "SignedKmsResponse: canonicalisation failed");
		goto out;
	}
	if(CRYPTO_memcmp(digest, got_d, 32) != 0) {
		rc = mcsec_errf(err, errlen, MCSEC_ERR_BAD_SIGNATURE,
				"SignedKmsResponse: digest mismatch (content was altered)");
		goto out;
	}
	if(CRYPTO_memcmp(mac, got_s, (size_t)slen) != 0) {
		rc = mcsec_errf(err, errlen, MCSEC_ERR_BAD_SIGNATURE,
				"SignedKmsResponse: HMAC-SHA256 with key '%.128s' does not "
				"verify",
				key->name);
		goto out;
	}
	doc->signature = MCSEC_KMS_SIG_VERIFIED;
	rc = MCSEC_OK;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	sig_parts_free(&p);
	return rc;
}

int mcsec_kms_sig_sign(xmlDocPtr xdoc, xmlNodePtr root, xmlNodePtr sig,
		const mcsec_kms_named_key_t *key)
{
	struct sig_parts p;
	uint8_t digest[32], mac[32];
	char b64[MCSEC_B64_ENC_LEN(32)];
	char perr[128];
	int rc;

	rc = parse_signature(sig, &p, perr, sizeof(perr));
	if(rc)
		goto out;
	rc = sig_compute(xdoc, root, sig, NULL, key, digest, mac, 1);
	if(rc)
		goto out;
	mcsec_b64_encode(digest, 32, b64, sizeof(b64), 0);
	xmlNodeSetContent(p.digest_value, (const xmlChar *)b64);
	rc = sig_compute(xdoc, root, sig, p.signed_info, key, digest, mac, 0);
	if(rc)
		goto out;
	mcsec_b64_encode(mac, p.hmac_bits / 8, b64, sizeof(b64), 0);
	xmlNodeSetContent(p.sig_value, (const xmlChar *)b64);
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	sig_parts_free(&p);
	return rc;
}
