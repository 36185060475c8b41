/*
 * mcsec - XML content encryption (TS 33.180 9.3.4.2) of one document, with
 * the policy's URI attribute encryption (9.3.4.3) and key-material rules.
 *
 * Produced (xmlenc 1.1, DESIGN.md section 4):
 *   <elem type="Encrypted"><EncryptedData xmlns="...xmlenc#"
 *       Type="...xmlenc#Content"><EncryptionMethod Algorithm="...aes128-gcm"/>
 *     <ds:KeyInfo><ds:KeyName>base64(XPK-ID)</ds:KeyName></ds:KeyInfo>
 *     <CipherData><CipherValue>base64(IV||ct||tag)</CipherValue></CipherData>
 *   </EncryptedData></elem>
 * Key material (hex octets) becomes an <EncryptedKey> with kw-aes256
 * (RFC 3394) under a 256-bit confidentiality key.
 *
 * Accepted on decryption, nothing else: EncryptedData with optional Id and
 * Type #Content; EncryptionMethod aes128-gcm (aes256-gcm with a 256-bit key)
 * without children; ds:KeyInfo holding exactly one ds:KeyName; CipherData
 * holding one CipherValue.  EncryptedKey likewise with kw-aes256.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "encoding.h"
#include "keywrap.h"
#include "mcsec_err.h"
#include "xml_internal.h"

#define MAX_TARGETS 1024

/* ---------- helpers ---------- */

static int rule_matches(const mcsec_xml_rule_t *r, xmlNodePtr n)
{
	if(n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, r->elem))
		return 0;
	if(!strcmp(r->ns, "*"))
		return 1;
	if(!*r->ns)
		return n->ns == NULL;
	return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, r->ns);
}

/* Next node in document order, not descending into n when skip is set. */
static xmlNodePtr next_node(xmlNodePtr n, int skip)
{
	if(!skip && n->type == XML_ELEMENT_NODE && n->children)
		return n->children;
	while(n && !n->next)
		n = n->parent;
	return n && n->type != XML_DOCUMENT_NODE ? n->next : NULL;
}

static xmlChar *attr_value(xmlAttrPtr a)
{
	return xmlNodeListGetString(a->doc, a->children, 1);
}

/* Builds the xmlenc skeleton shared by EncryptedData and EncryptedKey. */
static xmlNodePtr new_enc_node(xmlDocPtr doc, const char *name,
		const char *type, const char *alg, uint32_t xpk_id,
		const char *cipher_b64)
{
	xmlNodePtr e, em, ki, cd;
	xmlNsPtr xenc, ds;
	char kn[12];

	if(mcsec_xml_key_name(xpk_id, kn) != MCSEC_OK)
		return NULL;
	e = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);
	if(!e)
		return NULL;
	xenc = xmlNewNs(e, BAD_CAST MCSEC_XMLENC_NS, NULL);
	if(!xenc)
		goto fail;
	xmlSetNs(e, xenc);
	if(!xmlSetProp(e, BAD_CAST "Type", BAD_CAST type))
		goto fail;
	em = xmlNewChild(e, xenc, BAD_CAST "EncryptionMethod", NULL);
	if(!em || !xmlSetProp(em, BAD_CAST "Algorithm", BAD_CAST alg))
		goto fail;
	ki = xmlNewDocNode(doc, NULL, BAD_CAST "KeyInfo", NULL);
	if(!ki || !xmlAddChild(e, ki))
		goto fail;
	ds = xmlNewNs(ki, BAD_CAST MCSEC_DSIG_NS, BAD_CAST "ds");
	if(!ds)
		goto fail;
	xmlSetNs(ki, ds);
	if(!xmlNewTextChild(ki, ds, BAD_CAST "KeyName", BAD_CAST kn))
		goto fail;
	cd = xmlNewChild(e, xenc, BAD_CAST "CipherData", NULL);
	if(!cd
			|| !xmlNewTextChild(
					cd, xenc, BAD_CAST "CipherValue", BAD_CAST cipher_b64))
		goto fail;
	return e;
fail:
	xmlFreeNode(e);
	return NULL;
}

static void drop_children(xmlNodePtr n)
{
	xmlNodePtr c = n->children;
	while(c) {
		xmlNodePtr next = c->next;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
		c = next;
	}
}

/* Hex codec for key material without secret-dependent branches or table
 * indexes (the generic one in encoding.c uses both). */
static char ct_nibble(unsigned n)
{
	/* n > 9: (9 - n) is negative, its top bits select the 'a' offset */
	int v = (int)n;
	return (char)(v + '0' + (((9 - v) >> 8) & ('a' - '0' - 10)));
}

static void ct_hex_encode(const uint8_t *in, size_t len, char *out)
{
	for(size_t i = 0; i < len; i++) {
		out[2 * i] = ct_nibble(in[i] >> 4);
		out[2 * i + 1] = ct_nibble(in[i] & 15u);
	}
	out[2 * len] = '\0';
}

/* -1 mask when lo <= c <= hi, else 0 */
static int ct_range(int c, int lo, int hi)
{
	return ((lo - 1 - c) & (c - hi - 1)) >> 8;
}

/* Whitespace (formatting, never a hex digit) is skipped; returns octets
 * written or -1 for a bad digit, odd count or overflow. */
static long ct_hex_decode(
		const char *in, size_t in_len, uint8_t *out, size_t cap)
{
	size_t n = 0, nd = 0;
	int bad = 0, hi = 0;

	for(size_t i = 0; i < in_len; i++) {
		int c = (unsigned char)in[i], d, l, u, v;
		if(c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		d = ct_range(c, '0', '9');
		l = ct_range(c, 'a', 'f');
		u = ct_range(c, 'A', 'F');
		v = (d & (c - '0')) | (l & (c - 'a' + 10)) | (u & (c - 'A' + 10));
		bad |= ~(d | l | u);
		if(nd++ & 1) {
			if(n >= cap)
				return -1;
			out[n++] = (uint8_t)((hi << 4) | v);
		} else
			hi = v;
	}
	if(bad || (nd & 1)) {
		OPENSSL_cleanse(out, n);
		return -1;
	}
	return (long)n;
}

/* ---------- encryption ---------- */

/* 1 if any node of the list (or below) is an EncryptedData / EncryptedKey */
static int contains_enc(xmlNodePtr list)
{
	for(xmlNodePtr top = list; top; top = top->next)
		for(xmlNodePtr n = top; n;) {
			if(mcsec_xml_is(n, MCSEC_XMLENC_NS, "EncryptedData")
					|| mcsec_xml_is(n, MCSEC_XMLENC_NS, "EncryptedKey"))
				return 1;
			if(n->type == XML_ELEMENT_NODE && n->children) {
				n = n->children;
				continue;
			}
			while(n != top && !n->next)
				n = n->parent;
			n = n == top ? NULL : n->next;
		}
	return 0;
}


/* 9.3.4.2: the serialised content of elem -> EncryptedData #Content */
static int encrypt_content(xmlNodePtr elem, const mcsec_xml_keys_t *k, int mark)
{
	xmlBufferPtr buf = NULL;
	uint8_t iv[MCSEC_XML_IV_LEN], *sealed = NULL;
	char *b64 = NULL;
	size_t pt_len = 0, sealed_len = 0, b64cap;
	xmlNodePtr ed;
	int rc = MCSEC_ERR_INTERNAL;

	if(!elem->children)
		return 0; /* nothing to hide */
	/* already protected (wholly or in part): nested encryption would be
	 * refused on decryption */
	if(contains_enc(elem->children))
		return 0;
	buf = xmlBufferCreate();
	if(!buf)
		return MCSEC_ERR_INTERNAL;
	for(xmlNodePtr c = elem->children; c; c = c->next)
		if(xmlNodeDump(buf, elem->doc, c, 0, 0) < 0)
			goto out;
	pt_len = (size_t)xmlBufferLength(buf);
	if(pt_len == 0) {
		rc = 0;
		goto out;
	}
	if(pt_len > MCSEC_XML_MAX_DOC) {
		rc = MCSEC_ERR_MALFORMED;
		goto out;
	}
	sealed_len = MCSEC_XML_IV_LEN + pt_len + MCSEC_XML_TAG_LEN;
	sealed = malloc(sealed_len);
	b64cap = MCSEC_B64_ENC_LEN(sealed_len);
	b64 = malloc(b64cap);
	if(!sealed || !b64)
		goto out;
	if(RAND_bytes(iv, sizeof(iv)) != 1)
		goto out;
	rc = mcsec_gcm_seal(
			k->conf, k->conf_len, iv, xmlBufferContent(buf), pt_len, sealed);
	if(rc != MCSEC_OK)
		goto out;
	rc = MCSEC_ERR_INTERNAL;
	if(mcsec_b64_encode(sealed, sealed_len, b64, b64cap, 0) < 0)
		goto out;
	ed = new_enc_node(elem->doc, "EncryptedData", MCSEC_TYPE_CONTENT,
			k->conf_len == 16 ? MCSEC_ALG_AES128_GCM : MCSEC_ALG_AES256_GCM,
			k->xpk_id, b64);
	if(!ed)
		goto out;
	drop_children(elem);
	xmlAddChild(elem, ed);
	if(mark && !xmlSetProp(elem, BAD_CAST "type", BAD_CAST "Encrypted"))
		goto out;
	rc = 1;
out:
	if(buf) {
		/* the plaintext must not linger in freed memory */
		OPENSSL_cleanse(
				(void *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
		xmlBufferFree(buf);
	}
	free(sealed);
	free(b64);
	return rc;
}

/* 9.3.4.2 second list: hex key octets -> EncryptedKey, kw-aes256 */
static int encrypt_key(xmlNodePtr elem, const mcsec_xml_keys_t *k)
{
	uint8_t key[MCSEC_KW_MAX_DATA], wrapped[MCSEC_KW_MAX_DATA + 8];
	char b64[MCSEC_B64_ENC_LEN(MCSEC_KW_MAX_DATA + 8)];
	xmlChar *hex;
	long n;
	size_t wl;
	xmlNodePtr ek;
	int rc;

	if(contains_enc(elem->children))
		return 0; /* already protected */
	if(k->conf_len != MCSEC_KW_KEK_LEN)
		return MCSEC_ERR_UNSUPPORTED; /* kw-aes256 needs a 256-bit key */
	hex = mcsec_xml_text(elem);
	if(!hex)
		return MCSEC_ERR_MALFORMED;
	n = ct_hex_decode(
			(const char *)hex, strlen((const char *)hex), key, sizeof(key));
	OPENSSL_cleanse(hex, strlen((const char *)hex));
	xmlFree(hex);
	if(n == 0)
		return 0;
	if(n < 16 || n % 8) {
		OPENSSL_cleanse(key, sizeof(key));
		return MCSEC_ERR_MALFORMED; /* RFC 3394 2: n >= 2 64-bit blocks */
	}
	rc = mcsec_kw_wrap(k->conf, key, (size_t)n, wrapped, sizeof(wrapped), &wl);
	OPENSSL_cleanse(key, sizeof(key));
	if(rc != MCSEC_OK)
		return rc;
	if(mcsec_b64_encode(wrapped, wl, b64, sizeof(b64), 0) < 0)
		return MCSEC_ERR_INTERNAL;
	ek = new_enc_node(elem->doc, "EncryptedKey", MCSEC_TYPE_ENCKEY,
			MCSEC_ALG_KW_AES256, k->xpk_id, b64);
	if(!ek)
		return MCSEC_ERR_INTERNAL;
	drop_children(elem);
	xmlAddChild(elem, ek);
	return 1;
}

/* 9.3.4.3 */
static int encrypt_uri_attr(xmlNodePtr elem, const char *attr,
		const mcsec_xml_keys_t *k, const char *domain)
{
	xmlAttrPtr a = xmlHasNsProp(elem, BAD_CAST attr, NULL);
	xmlChar *v;
	char *enc = NULL;
	int rc;

	if(!a)
		return 0;
	v = attr_value(a);
	if(!v)
		return MCSEC_ERR_INTERNAL;
	if(!*v
			|| mcsec_uri_is_encrypted(
					(const char *)v, strlen((const char *)v))) {
		xmlFree(v);
		return 0;
	}
	rc = mcsec_uri_encrypt(
			(const char *)v, strlen((const char *)v), k, domain, &enc);
	xmlFree(v);
	if(rc != MCSEC_OK)
		return rc;
	rc = xmlSetProp(elem, BAD_CAST attr, BAD_CAST enc) ? 1 : MCSEC_ERR_INTERNAL;
	free(enc);
	return rc;
}

int mcsec_xml_encrypt_doc(const char *xml, size_t len, const char *ctype,
		size_t ctype_len, const mcsec_xml_policy_t *pol,
		const mcsec_xml_keys_t *keys, char **out, size_t *out_len,
		unsigned *count)
{
	const mcsec_xml_rule_t *rules;
	size_t nrules, ntargets = 0;
	xmlNodePtr *targets = NULL;
	const mcsec_xml_rule_t **trule = NULL;
	const char *domain;
	xmlDocPtr doc = NULL;
	unsigned done = 0;
	int rc;

	if(!xml || !ctype || !pol || !keys || !out || !out_len)
		return MCSEC_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	if(count)
		*count = 0;
	rc = mcsec_xml_parse(xml, len, &doc);
	if(rc != MCSEC_OK)
		return rc;
	rules = mcsec_xml_policy_rules(pol, ctype, ctype_len, &nrules);
	domain = mcsec_xml_policy_domain(pol, ctype, ctype_len);
	targets = calloc(MAX_TARGETS, sizeof(*targets));
	trule = calloc(MAX_TARGETS, sizeof(*trule));
	if(!targets || !trule) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	/* pass 1: URI attributes (before any content disappears) */
	for(xmlNodePtr n = xmlDocGetRootElement(doc); n; n = next_node(n, 0))
		for(size_t r = 0; r < nrules; r++)
			if(rules[r].kind == MCSEC_RULE_URI && rule_matches(&rules[r], n)) {
				rc = encrypt_uri_attr(n, rules[r].attr, keys, domain);
				if(rc < 0)
					goto out;
				done += (unsigned)rc;
			}
	/* pass 2: collect content / key targets, outermost only */
	for(xmlNodePtr n = xmlDocGetRootElement(doc); n;) {
		const mcsec_xml_rule_t *hit = NULL;
		for(size_t r = 0; r < nrules && !hit; r++)
			if(rules[r].kind != MCSEC_RULE_URI && rule_matches(&rules[r], n))
				hit = &rules[r];
		if(hit) {
			if(ntargets == MAX_TARGETS) {
				rc = MCSEC_ERR_UNSUPPORTED;
				goto out;
			}
			targets[ntargets] = n;
			trule[ntargets++] = hit;
		}
		n = next_node(n, hit != NULL);
	}
	for(size_t i = 0; i < ntargets; i++) {
		if(trule[i]->kind == MCSEC_RULE_KEY)
			rc = encrypt_key(targets[i], keys);
		else
			rc = encrypt_content(targets[i], keys, trule[i]->mark);
		if(rc < 0)
			goto out;
		done += (unsigned)rc;
	}
	rc = mcsec_xml_serialize(doc, out, out_len);
	if(rc == MCSEC_OK && count)
		*count = done;
out:
	free(targets);
	free(trule);
	xmlFreeDoc(doc);
	return rc;
}

/* ---------- decryption ---------- */

typedef struct enc_parsed
{
	const char *alg;
	int have_id;
	uint32_t xpk_id;
	xmlNodePtr cipher_value;
} enc_parsed_t;

/* Strict structure check of EncryptedData / EncryptedKey (see top). */
static int parse_enc(xmlNodePtr e, int is_key, enc_parsed_t *p)
{
	xmlNodePtr c;
	int bad = 0;

	memset(p, 0, sizeof(*p));
	for(xmlAttrPtr a = e->properties; a; a = a->next) {
		xmlChar *v;
		int ok;
		if(a->ns)
			return MCSEC_ERR_UNSUPPORTED;
		if(!strcmp((const char *)a->name, "Id"))
			continue;
		if(strcmp((const char *)a->name, "Type"))
			return MCSEC_ERR_UNSUPPORTED; /* MimeType, Encoding, Recipient */
		v = attr_value(a);
		ok = v
			 && !strcmp((const char *)v,
					 is_key ? MCSEC_TYPE_ENCKEY : MCSEC_TYPE_CONTENT);
		xmlFree(v);
		if(!ok)
			return MCSEC_ERR_UNSUPPORTED; /* #Element, whole documents */
	}
	p->alg = is_key ? MCSEC_ALG_KW_AES256 : MCSEC_ALG_AES128_GCM;
	c = mcsec_xml_next_elem(e->children, &bad);
	if(c && mcsec_xml_is(c, MCSEC_XMLENC_NS, "EncryptionMethod")) {
		xmlChar *alg = xmlGetNsProp(c, BAD_CAST "Algorithm", NULL);
		int ok = 0;
		if(alg) {
			if(is_key)
				ok = !strcmp((const char *)alg, MCSEC_ALG_KW_AES256);
			else if(!strcmp((const char *)alg, MCSEC_ALG_AES128_GCM)) {
				ok = 1;
				p->alg = MCSEC_ALG_AES128_GCM;
			} else if(!strcmp((const char *)alg, MCSEC_ALG_AES256_GCM)) {
				ok = 1;
				p->alg = MCSEC_ALG_AES256_GCM;
			}
		}
		xmlFree(alg);
		if(!ok)
			return MCSEC_ERR_UNSUPPORTED; /* CBC, RSA, ... */
		if(mcsec_xml_next_elem(c->children, &bad) || bad)
			return MCSEC_ERR_UNSUPPORTED; /* KeySize, OAEPparams, ... */
		c = mcsec_xml_next_elem(c->next, &bad);
	}
	if(c && mcsec_xml_is(c, MCSEC_DSIG_NS, "KeyInfo")) {
		xmlNodePtr kn = mcsec_xml_next_elem(c->children, &bad);
		xmlChar *t;
		int rc;
		if(bad || !kn || !mcsec_xml_is(kn, MCSEC_DSIG_NS, "KeyName")
				|| mcsec_xml_next_elem(kn->next, &bad) || bad)
			return MCSEC_ERR_UNSUPPORTED; /* RetrievalMethod, EncryptedKey.. */
		t = mcsec_xml_text(kn);
		if(!t)
			return MCSEC_ERR_MALFORMED;
		rc = mcsec_xml_key_name_parse(
				(const char *)t, strlen((const char *)t), &p->xpk_id);
		xmlFree(t);
		if(rc != MCSEC_OK)
			return MCSEC_ERR_NOT_FOUND; /* a KeyName that is no XPK-ID */
		p->have_id = 1;
		c = mcsec_xml_next_elem(c->next, &bad);
	}
	if(bad || !c || !mcsec_xml_is(c, MCSEC_XMLENC_NS, "CipherData"))
		return MCSEC_ERR_UNSUPPORTED;
	{
		xmlNodePtr cv = mcsec_xml_next_elem(c->children, &bad);
		if(bad || !cv || !mcsec_xml_is(cv, MCSEC_XMLENC_NS, "CipherValue")
				|| mcsec_xml_next_elem(cv->next, &bad) || bad)
			return MCSEC_ERR_UNSUPPORTED; /* CipherReference: no fetching */
		p->cipher_value = cv;
	}
	c = mcsec_xml_next_elem(c->next, &bad);
	if(bad || c)
		return MCSEC_ERR_UNSUPPORTED; /* EncryptionProperties, etc. */
	return MCSEC_OK;
}

static int cipher_octets(xmlNodePtr cv, uint8_t **out, size_t *out_len)
{
	xmlChar *t = mcsec_xml_text(cv);
	size_t tl;
	long n;
	uint8_t *b;

	if(!t)
		return MCSEC_ERR_MALFORMED;
	tl = strlen((const char *)t);
	b = malloc(tl / 4 * 3 + 3);
	if(!b) {
		xmlFree(t);
		return MCSEC_ERR_INTERNAL;
	}
	n = mcsec_b64_decode((const char *)t, tl, b, tl / 4 * 3 + 3, 0);
	xmlFree(t);
	if(n <= 0) {
		free(b);
		return MCSEC_ERR_MALFORMED;
	}
	*out = b;
	*out_len = (size_t)n;
	return MCSEC_OK;
}


/* Returns 1 when decrypted, 0 when skipped (unknown key), or an error. */
static int decrypt_one(xmlNodePtr e, int is_key, const mcsec_xml_keys_t *keys,
		size_t nkeys, unsigned flags)
{
	enc_parsed_t p;
	const mcsec_xml_keys_t *k;
	xmlNodePtr parent = e->parent, list = NULL;
	uint8_t *ct = NULL, *pt = NULL;
	size_t ct_len = 0, pt_len = 0;
	int rc;

	if(!parent || parent->type != XML_ELEMENT_NODE)
		return MCSEC_ERR_UNSUPPORTED; /* whole-document encryption */
	rc = parse_enc(e, is_key, &p);
	if(rc == MCSEC_ERR_NOT_FOUND)
		return (flags & MCSEC_XML_SKIP_UNKNOWN_KEY) ? 0 : rc;
	if(rc != MCSEC_OK)
		return rc;
	k = mcsec_xml_keys_find(keys, nkeys, p.have_id, p.xpk_id);
	if(!k)
		return (flags & MCSEC_XML_SKIP_UNKNOWN_KEY) ? 0 : MCSEC_ERR_NOT_FOUND;
	if((is_key && k->conf_len != MCSEC_KW_KEK_LEN)
			|| (!is_key && !strcmp(p.alg, MCSEC_ALG_AES128_GCM)
					&& k->conf_len != 16)
			|| (!is_key && !strcmp(p.alg, MCSEC_ALG_AES256_GCM)
					&& k->conf_len != 32))
		return MCSEC_ERR_UNSUPPORTED;
	rc = cipher_octets(p.cipher_value, &ct, &ct_len);
	if(rc != MCSEC_OK)
		return rc;
	if(is_key) {
		uint8_t key[MCSEC_KW_MAX_DATA];
		char hex[2 * MCSEC_KW_MAX_DATA + 1];
		size_t kl;
		xmlNodePtr tn;
		if(ct_len < 24 || ct_len % 8 || ct_len > MCSEC_KW_MAX_DATA + 8) {
			rc = MCSEC_ERR_MALFORMED;
			goto out;
		}
		rc = mcsec_kw_unwrap(k->conf, ct, ct_len, key, sizeof(key), &kl);
		if(rc == MCSEC_ERR_INVALID_KEY)
			rc = MCSEC_ERR_BAD_SIGNATURE; /* RFC 3394 2.2.3 check failed */
		if(rc != MCSEC_OK)
			goto out;
		ct_hex_encode(key, kl, hex);
		OPENSSL_cleanse(key, sizeof(key));
		tn = xmlNewDocText(e->doc, BAD_CAST hex);
		OPENSSL_cleanse(hex, sizeof(hex));
		if(!tn) {
			rc = MCSEC_ERR_INTERNAL;
			goto out;
		}
		xmlReplaceNode(e, tn);
		xmlFreeNode(e);
		rc = 1;
		goto out;
	}
	if(ct_len < MCSEC_XML_IV_LEN + MCSEC_XML_TAG_LEN) {
		rc = MCSEC_ERR_MALFORMED;
		goto out;
	}
	pt_len = ct_len - MCSEC_XML_IV_LEN - MCSEC_XML_TAG_LEN;
	pt = malloc(pt_len + 1);
	if(!pt) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	rc = mcsec_gcm_open(k->conf, k->conf_len, ct, ct_len, pt);
	if(rc != MCSEC_OK)
		goto out;
	pt[pt_len] = '\0';
	rc = mcsec_xml_parse_content(parent, (const char *)pt, pt_len, &list);
	if(rc != MCSEC_OK)
		goto out;
	if(contains_enc(list)) {
		xmlFreeNodeList(list);
		rc = MCSEC_ERR_MALFORMED; /* no nested encryption */
		goto out;
	}
	/* replace EncryptedData by the decrypted nodes, in place */
	while(list) {
		xmlNodePtr next = list->next;
		xmlUnlinkNode(list);
		list->next = NULL;
		if(!xmlAddPrevSibling(e, list)) {
			xmlFreeNode(list);
			xmlFreeNodeList(next);
			rc = MCSEC_ERR_INTERNAL;
			goto out;
		}
		list = next;
	}
	xmlUnlinkNode(e);
	xmlFreeNode(e);
	/* the MC info schemas' marker goes back to "Normal" */
	{
		xmlChar *t = xmlGetNsProp(parent, BAD_CAST "type", NULL);
		if(t && !strcmp((const char *)t, "Encrypted"))
			xmlSetProp(parent, BAD_CAST "type", BAD_CAST "Normal");
		xmlFree(t);
	}
	rc = 1;
out:
	if(pt) {
		OPENSSL_cleanse(pt, pt_len);
		free(pt);
	}
	free(ct);
	return rc;
}

static int decrypt_uri_attrs(xmlDocPtr doc, const mcsec_xml_keys_t *keys,
		size_t nkeys, unsigned flags, unsigned *done)
{
	for(xmlNodePtr n = xmlDocGetRootElement(doc); n; n = next_node(n, 0)) {
		if(n->type != XML_ELEMENT_NODE)
			continue;
		for(xmlAttrPtr a = n->properties; a; a = a->next) {
			xmlChar *v = attr_value(a);
			char *pt = NULL;
			size_t pl;
			int rc;
			if(!v)
				return MCSEC_ERR_INTERNAL;
			if(!mcsec_uri_is_encrypted(
					   (const char *)v, strlen((const char *)v))) {
				xmlFree(v);
				continue;
			}
			rc = mcsec_uri_decrypt((const char *)v, strlen((const char *)v),
					keys, nkeys, &pt, &pl);
			xmlFree(v);
			if(rc == MCSEC_ERR_NOT_FOUND
					&& (flags & MCSEC_XML_SKIP_UNKNOWN_KEY))
				continue;
			if(rc != MCSEC_OK)
				return rc;
			rc = xmlSetNsProp(n, a->ns, a->name, BAD_CAST pt)
						 ? MCSEC_OK
						 : MCSEC_ERR_INTERNAL;
			free(pt);
			if(rc != MCSEC_OK)
				return rc;
			(*done)++;
		}
	}
	return MCSEC_OK;
}

int mcsec_xml_decrypt_doc(const char *xml, size_t len,
		const mcsec_xml_keys_t *keys, size_t nkeys, unsigned flags, char **out,
		size_t *out_len, unsigned *count)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr *targets = NULL;
	int *is_key = NULL;
	size_t ntargets = 0;
	unsigned done = 0;
	int rc;

	if(!xml || !keys || !nkeys || !out || !out_len)
		return MCSEC_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	if(count)
		*count = 0;
	rc = mcsec_xml_parse(xml, len, &doc);
	if(rc != MCSEC_OK)
		return rc;
	targets = calloc(MAX_TARGETS, sizeof(*targets));
	is_key = calloc(MAX_TARGETS, sizeof(*is_key));
	if(!targets || !is_key) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	for(xmlNodePtr n = xmlDocGetRootElement(doc); n;) {
		int d = mcsec_xml_is(n, MCSEC_XMLENC_NS, "EncryptedData");
		int ek = mcsec_xml_is(n, MCSEC_XMLENC_NS, "EncryptedKey");
		if(d || ek) {
			if(ntargets == MAX_TARGETS) {
				rc = MCSEC_ERR_UNSUPPORTED;
				goto out;
			}
			targets[ntargets] = n;
			is_key[ntargets++] = ek;
		}
		n = next_node(n, d || ek);
	}
	for(size_t i = 0; i < ntargets; i++) {
		rc = decrypt_one(targets[i], is_key[i], keys, nkeys, flags);
		if(rc < 0)
			goto out;
		done += (unsigned)rc;
	}
	rc = decrypt_uri_attrs(doc, keys, nkeys, flags, &done);
	if(rc != MCSEC_OK)
		goto out;
	/* decrypted content brings its own Id attributes: still unique? */
	rc = mcsec_xml_register_ids(doc);
	if(rc != MCSEC_OK)
		goto out;
	rc = mcsec_xml_serialize(doc, out, out_len);
	if(rc == MCSEC_OK && count)
		*count = done;
out:
	free(targets);
	free(is_key);
	xmlFreeDoc(doc);
	return rc;
}

/* ---------- required protection ---------- */

/* 1 if elem holds nothing but whitespace, comments and one EncryptedData
 * (content rules) / EncryptedKey (key rules) */
static int only_enc(xmlNodePtr elem, int is_key)
{
	int bad = 0;
	xmlNodePtr c = mcsec_xml_next_elem(elem->children, &bad);

	if(bad || !c
			|| !mcsec_xml_is(c, MCSEC_XMLENC_NS,
					is_key ? "EncryptedKey" : "EncryptedData"))
		return 0;
	c = mcsec_xml_next_elem(c->next, &bad);
	return !bad && !c;
}

/* 1 if elem has content other than whitespace and comments */
static int has_content(xmlNodePtr elem)
{
	for(xmlNodePtr c = elem->children; c; c = c->next) {
		if(c->type == XML_COMMENT_NODE)
			continue;
		if(c->type == XML_TEXT_NODE && xmlIsBlankNode(c))
			continue;
		return 1;
	}
	return 0;
}

int mcsec_xml_doc_clear_items(const char *xml, size_t len, const char *ctype,
		size_t ctype_len, const mcsec_xml_policy_t *pol, unsigned *nclear)
{
	const mcsec_xml_rule_t *rules;
	size_t nrules;
	xmlDocPtr doc = NULL;
	unsigned n = 0;
	int rc;

	if(!xml || !ctype || !pol || !nclear)
		return MCSEC_ERR_ARG;
	*nclear = 0;
	rules = mcsec_xml_policy_rules(pol, ctype, ctype_len, &nrules);
	if(nrules == 0)
		return MCSEC_OK;
	rc = mcsec_xml_parse(xml, len, &doc);
	if(rc != MCSEC_OK)
		return rc;
	for(xmlNodePtr e = xmlDocGetRootElement(doc); e;) {
		int skip = 0;
		for(size_t r = 0; r < nrules; r++) {
			if(!rule_matches(&rules[r], e))
				continue;
			if(rules[r].kind == MCSEC_RULE_URI) {
				/* 9.3.4.3: a present, non-empty URI attribute */
				xmlAttrPtr a = xmlHasNsProp(e, BAD_CAST rules[r].attr, NULL);
				xmlChar *v = a ? attr_value(a) : NULL;
				if(v && *v
						&& !mcsec_uri_is_encrypted(
								(const char *)v, strlen((const char *)v)))
					n++;
				xmlFree(v);
			} else if(!skip) {
				/* 9.3.4.2: the content must be the encrypted form */
				if(has_content(e)
						&& !only_enc(e, rules[r].kind == MCSEC_RULE_KEY))
					n++;
				skip = 1; /* outermost only, as when encrypting */
			}
		}
		e = next_node(e, skip);
	}
	xmlFreeDoc(doc);
	*nclear = n;
	return MCSEC_OK;
}

/* ---------- key lookup ---------- */

static int add_id(uint32_t id, uint32_t *ids, size_t cap, size_t *n)
{
	for(size_t i = 0; i < *n; i++)
		if(ids[i] == id)
			return MCSEC_OK;
	if(*n == cap)
		return MCSEC_ERR_UNSUPPORTED;
	ids[(*n)++] = id;
	return MCSEC_OK;
}

int mcsec_xml_doc_key_ids(
		const char *xml, size_t len, uint32_t *ids, size_t cap, size_t *n)
{
	xmlDocPtr doc = NULL;
	int rc;

	if(!xml || !n || (!ids && cap))
		return MCSEC_ERR_ARG;
	rc = mcsec_xml_parse(xml, len, &doc);
	if(rc != MCSEC_OK)
		return rc;
	for(xmlNodePtr e = xmlDocGetRootElement(doc); e && rc == MCSEC_OK;
			e = next_node(e, 0)) {
		if(e->type != XML_ELEMENT_NODE)
			continue;
		if(mcsec_xml_is(e, MCSEC_DSIG_NS, "KeyName")
				&& mcsec_xml_is(e->parent, MCSEC_DSIG_NS, "KeyInfo")) {
			xmlChar *t = mcsec_xml_text(e);
			uint32_t id;
			if(t
					&& mcsec_xml_key_name_parse(
							   (const char *)t, strlen((const char *)t), &id)
							   == MCSEC_OK)
				rc = add_id(id, ids, cap, n);
			xmlFree(t);
		}
		for(xmlAttrPtr a = e->properties; a && rc == MCSEC_OK; a = a->next) {
			xmlChar *v = attr_value(a);
			uint32_t id;
			if(v
					&& mcsec_uri_key_id(
							   (const char *)v, strlen((const char *)v), &id)
							   == MCSEC_OK)
				rc = add_id(id, ids, cap, n);
			xmlFree(v);
		}
	}
	xmlFreeDoc(doc);
	return rc;
}
