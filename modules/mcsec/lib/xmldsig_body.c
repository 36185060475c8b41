/*
 * mcsec - integrity of the XML MIME bodies of a SIP message (TS 33.180
 * 9.3.5) and the module's protect/unprotect entry points.
 *
 * Reading (DESIGN.md section 4): one ds:Signature per XML MIME body,
 * HMAC-SHA256 with the full 256-bit output under the F.1.4 integrity key,
 * Reference URI "cid:<Content-ID>" (RFC 2392) with no transforms and a
 * SHA-256 digest over the raw octets of the referenced part, SignedInfo
 * canonicalised with C14N 1.0; the signatures travel in their own part,
 * application/vnd.3gpp.mcptt-signed+xml (mcvideo/mcdata variants), whose
 * root is <signatures>.
 *
 * Accepted on verification, nothing else: <signatures> holding only
 * ds:Signature children; each with SignedInfo (CanonicalizationMethod C14N
 * 1.0, SignatureMethod hmac-sha256 without HMACOutputLength, exactly one
 * Reference with a cid: URI, no Transforms, DigestMethod sha256),
 * SignatureValue of 32 octets and an optional KeyInfo holding one KeyName.
 * Each XML part must be named by exactly one valid signature, and the
 * octets later decrypted and forwarded are the octets whose digest was
 * checked (no signature wrapping).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "encoding.h"
#include "mcsec_err.h"
#include "mime_multipart.h"
#include "xml_internal.h"

#define SIG_LEN 32
#define CID_DOMAIN "mcsec.invalid"
#define MAX_CID 256

static const char *const signed_types[] = {
		"application/vnd.3gpp.mcptt-signed+xml",
		"application/vnd.3gpp.mcvideo-signed+xml",
		"application/vnd.3gpp.mcdata-signed+xml",
};

static int is_signatures_part(const mcsec_mime_part_t *p)
{
	if(!p->ctype)
		return 0;
	for(size_t i = 0; i < 3; i++)
		if(mcsec_mime_type_is(p->ctype, p->ctype_len, signed_types[i]))
			return 1;
	return 0;
}

static int is_xml_part(const mcsec_mime_part_t *p)
{
	return p->ctype && mcsec_mime_type_is_xml(p->ctype, p->ctype_len)
		   && !is_signatures_part(p);
}

/* RFC 2045 6.1: only identity encodings let us parse the octets as XML */
static int identity_cte(const mcsec_mime_part_t *p)
{
	if(!p->cte)
		return 1;
	return (p->cte_len == 4 && !strncasecmp(p->cte, "7bit", 4))
		   || (p->cte_len == 4 && !strncasecmp(p->cte, "8bit", 4))
		   || (p->cte_len == 6 && !strncasecmp(p->cte, "binary", 6));
}

/* ---------- cid: URLs (RFC 2392) ---------- */

static int cid_url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		   || (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@", c);
}

/* "cid:" + percent-encoded Content-ID; out has 4 + 3*n + 1 octets */
static void cid_url(const char *cid, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 4;
	memcpy(out, "cid:", 4);
	for(size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)cid[i];
		if(cid_url_char(c))
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}


/* Decodes a cid: URL; MCSEC_ERR_UNSUPPORTED for any other reference
 * (same-document "#id", "", http:, file:, ...). */
static int cid_from_url(const char *url, char *out, size_t cap, size_t *out_len)
{
	size_t n = strlen(url), o = 0;

	if(n < 5 || strncasecmp(url, "cid:", 4))
		return MCSEC_ERR_UNSUPPORTED;
	for(size_t i = 4; i < n; i++) {
		int c = (unsigned char)url[i];
		if(c == '%') {
			int h, l;
			if(i + 2 >= n + 0 || (h = mcsec_hex_digit(url[i + 1])) < 0
					|| (l = mcsec_hex_digit(url[i + 2])) < 0)
				return MCSEC_ERR_MALFORMED;
			c = h * 16 + l;
			i += 2;
		} else if(!cid_url_char((unsigned char)c))
			return MCSEC_ERR_MALFORMED;
		if(o + 1 >= cap)
			return MCSEC_ERR_MALFORMED;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*out_len = o;
	return MCSEC_OK;
}

/* ---------- C14N 1.0 of SignedInfo (a document subset) ---------- */

/* The node set is SignedInfo and its descendants, with their namespace and
 * attribute nodes (XML-DSig 4.3.1 / C14N 1.0 2.1). */
static int in_signed_info(void *user, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr top = user, n = node;
	if(!node)
		return 0;
	if(node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE)
		n = parent;
	for(; n; n = n->parent)
		if(n == top)
			return 1;
	return 0;
}

static int c14n_signed_info(xmlNodePtr si, xmlBufferPtr *out)
{
	xmlBufferPtr b = xmlBufferCreate();
	xmlOutputBufferPtr ob;
	int r;

	if(!b)
		return MCSEC_ERR_INTERNAL;
	ob = xmlOutputBufferCreateBuffer(b, NULL);
	if(!ob) {
		xmlBufferFree(b);
		return MCSEC_ERR_INTERNAL;
	}
	r = xmlC14NExecute(si->doc, in_signed_info, si, XML_C14N_1_0, NULL, 0, ob);
	if(xmlOutputBufferClose(ob) < 0 || r < 0) {
		xmlBufferFree(b);
		return MCSEC_ERR_INTERNAL;
	}
	*out = b;
	return MCSEC_OK;
}

static int hmac_signed_info(
		xmlNodePtr si, const mcsec_xml_keys_t *k, uint8_t mac[SIG_LEN])
{
	xmlBufferPtr c = NULL;
	unsigned int ml = 0;
	int rc = c14n_signed_info(si, &c);

	if(rc != MCSEC_OK)
		return rc;
	if(!HMAC(EVP_sha256(), k->integ, (int)k->integ_len, xmlBufferContent(c),
			   (size_t)xmlBufferLength(c), mac, &ml)
			|| ml != SIG_LEN)
		rc = MCSEC_ERR_INTERNAL;
	xmlBufferFree(c);
	return rc;
}

/* ---------- signing ---------- */

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if(*len + n + 1 > *cap) {
		size_t nc = (*cap ? *cap : 1024);
		char *nb;
		while(nc < *len + n + 1)
			nc *= 2;
		nb = realloc(*buf, nc);
		if(!nb)
			return MCSEC_ERR_INTERNAL;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return MCSEC_OK;
}

/* The <signatures> document with empty SignatureValues. */
static int signatures_template(const mcsec_xml_keys_t *k, char **cids,
		const mcsec_mime_out_t *parts, const int *signme, size_t n, char **out,
		size_t *out_len)
{
	char *b = NULL, kn[12];
	size_t len = 0, cap = 0;
	int rc;

	if(mcsec_xml_key_name(k->xpk_id, kn) != MCSEC_OK)
		return MCSEC_ERR_INTERNAL;
	rc = append(&b, &len, &cap,
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<signatures>\n");
	for(size_t i = 0; i < n && rc == MCSEC_OK; i++) {
		uint8_t d[SHA256_DIGEST_LENGTH];
		char d64[MCSEC_B64_ENC_LEN(SHA256_DIGEST_LENGTH)];
		char url[4 + 3 * MAX_CID + 1];
		if(!signme[i])
			continue;
		if(!SHA256((const unsigned char *)parts[i].body, parts[i].body_len, d)
				|| mcsec_b64_encode(d, sizeof(d), d64, sizeof(d64), 0) < 0) {
			rc = MCSEC_ERR_INTERNAL;
			break;
		}
		cid_url(cids[i], strlen(cids[i]), url);
		rc = append(&b, &len, &cap,
				"<ds:Signature xmlns:ds=\"" MCSEC_DSIG_NS "\">\n"
				"<ds:SignedInfo>\n"
				"<ds:CanonicalizationMethod Algorithm=\"" MCSEC_ALG_C14N10
				"\"/>\n"
				"<ds:SignatureMethod Algorithm=\"" MCSEC_ALG_HMAC_SHA256
				"\"/>\n"
				"<ds:Reference URI=\"");
		if(rc == MCSEC_OK)
			rc = append(&b, &len, &cap, url); /* no '"', '<', '&' in it */
		if(rc == MCSEC_OK)
			rc = append(&b, &len, &cap,
					"\">\n<ds:DigestMethod Algorithm=\"" MCSEC_ALG_SHA256
					"\"/>\n<ds:DigestValue>");
		if(rc == MCSEC_OK)
			rc = append(&b, &len, &cap, d64);
		if(rc == MCSEC_OK)
			rc = append(&b, &len, &cap,
					"</ds:DigestValue>\n</ds:Reference>\n</ds:SignedInfo>\n"
					"<ds:SignatureValue/>\n<ds:KeyInfo><ds:KeyName>");
		if(rc == MCSEC_OK)
			rc = append(&b, &len, &cap, kn);
		if(rc == MCSEC_OK)
			rc = append(&b, &len, &cap,
					"</ds:KeyName></ds:KeyInfo>\n</ds:Signature>\n");
	}
	if(rc == MCSEC_OK)
		rc = append(&b, &len, &cap, "</signatures>\n");
	if(rc != MCSEC_OK) {
		free(b);
		return rc;
	}
	*out = b;
	*out_len = len;
	return MCSEC_OK;
}

/* Fill every SignatureValue of the template. */
static int sign_template(const char *tmpl, size_t tl, const mcsec_xml_keys_t *k,
		char **out, size_t *out_len)
{
	xmlDocPtr doc = NULL;
	int rc = mcsec_xml_parse(tmpl, tl, &doc);

	if(rc != MCSEC_OK)
		return rc;
	for(xmlNodePtr s = xmlDocGetRootElement(doc)->children; s; s = s->next) {
		xmlNodePtr si, sv;
		uint8_t mac[SIG_LEN];
		char m64[MCSEC_B64_ENC_LEN(SIG_LEN)];
		if(!mcsec_xml_is(s, MCSEC_DSIG_NS, "Signature"))
			continue;
		si = xmlFirstElementChild(s);
		sv = si ? xmlNextElementSibling(si) : NULL;
		if(!sv) {
			rc = MCSEC_ERR_INTERNAL;
			break;
		}
		rc = hmac_signed_info(si, k, mac);
		if(rc != MCSEC_OK)
			break;
		if(mcsec_b64_encode(mac, SIG_LEN, m64, sizeof(m64), 0) < 0) {
			rc = MCSEC_ERR_INTERNAL;
			break;
		}
		xmlNodeAddContent(sv, BAD_CAST m64);
	}
	if(rc == MCSEC_OK)
		rc = mcsec_xml_serialize(doc, out, out_len);
	xmlFreeDoc(doc);
	return rc;
}

static const char *signed_type_for(const mcsec_mime_part_t *src, size_t n)
{
	for(size_t i = 0; i < n; i++) {
		const char *mt;
		size_t mtn;
		if(!src[i].ctype
				|| mcsec_mime_media_type(
						src[i].ctype, src[i].ctype_len, &mt, &mtn))
			continue;
		for(size_t k = 0; k + 7 <= mtn; k++) {
			if(!strncasecmp(mt + k, "mcvideo", 7))
				return signed_types[1];
			if(!strncasecmp(mt + k, "mcdata", 6))
				return signed_types[2];
		}
	}
	return signed_types[0];
}


/* Splits the input into parts: multipart/mixed, or one XML body. */
static int is_multipart(const char *ctype, size_t len)
{
	const char *mt;
	size_t n;
	return mcsec_mime_media_type(ctype, len, &mt, &n) == MCSEC_OK && n > 10
		   && !strncasecmp(mt, "multipart/", 10);
}

/* Parses a multipart body; another multipart type, too many parts or a
 * nested multipart (XML bodies the signatures could not see) is refused,
 * never passed through. */
static int parse_multipart(
		const char *body, size_t len, const char *ctype, mcsec_mime_t *m)
{
	int rc = mcsec_mime_parse(body, len, ctype, strlen(ctype), m);
	if(rc != MCSEC_OK)
		return rc;
	for(size_t i = 0; i < m->nparts; i++)
		if(m->parts[i].ctype
				&& is_multipart(m->parts[i].ctype, m->parts[i].ctype_len))
			return MCSEC_ERR_UNSUPPORTED;
	return MCSEC_OK;
}

static int body_parts(const char *body, size_t len, const char *ctype,
		mcsec_mime_t *m, char *single_hdr, size_t single_cap, int *single)
{
	size_t cl = strlen(ctype);
	int rc;

	*single = 0;
	if(is_multipart(ctype, cl))
		return parse_multipart(body, len, ctype, m);
	if(!mcsec_mime_type_is_xml(ctype, cl))
		return MCSEC_ERR_UNSUPPORTED;
	for(size_t i = 0; i < cl; i++)
		if((unsigned char)ctype[i] < 0x20)
			return MCSEC_ERR_MALFORMED; /* no header injection */
	if(snprintf(single_hdr, single_cap, "Content-Type: %s\r\n", ctype)
			>= (int)single_cap)
		return MCSEC_ERR_MALFORMED;
	memset(m, 0, sizeof(*m));
	rc = mcsec_mime_new_boundary(m->boundary);
	if(rc != MCSEC_OK)
		return rc;
	m->boundary_len = strlen(m->boundary);
	m->nparts = 1;
	m->parts[0].hdr = single_hdr;
	m->parts[0].hdr_len = strlen(single_hdr);
	m->parts[0].body = body;
	m->parts[0].body_len = len;
	m->parts[0].ctype = ctype;
	m->parts[0].ctype_len = cl;
	*single = 1;
	return MCSEC_OK;
}

int mcsec_xml_body_sign(const char *body, size_t len, const char *ctype,
		const mcsec_xml_keys_t *keys, char **out, size_t *out_len,
		char **out_ctype)
{
	mcsec_mime_t m;
	mcsec_mime_out_t op[MCSEC_MIME_MAX_PARTS + 1];
	char *cids[MCSEC_MIME_MAX_PARTS] = {0};
	char extra[MCSEC_MIME_MAX_PARTS][MAX_CID + 20];
	char single_hdr[1024], sig_hdr[80];
	int signme[MCSEC_MIME_MAX_PARTS] = {0};
	char *tmpl = NULL, *sigdoc = NULL;
	size_t tl = 0, sl = 0, nsign = 0;
	int single, rc;

	if(!body || !ctype || !keys || !out || !out_len || !out_ctype)
		return MCSEC_ERR_ARG;
	*out = *out_ctype = NULL;
	*out_len = 0;
	rc = body_parts(
			body, len, ctype, &m, single_hdr, sizeof(single_hdr), &single);
	if(rc != MCSEC_OK)
		return rc;
	if(m.nparts >= MCSEC_MIME_MAX_PARTS)
		return MCSEC_ERR_UNSUPPORTED; /* no room for the signatures part */
	for(size_t i = 0; i < m.nparts; i++) {
		mcsec_mime_part_t *p = &m.parts[i];
		op[i] = (mcsec_mime_out_t){
				p->hdr, p->hdr_len, NULL, 0, p->body, p->body_len};
		if(is_signatures_part(p)) {
			rc = MCSEC_ERR_UNSUPPORTED; /* already signed */
			goto out;
		}
		if(!is_xml_part(p))
			continue;
		signme[i] = 1;
		nsign++;
		if(p->cid) {
			if(p->cid_len >= MAX_CID) {
				rc = MCSEC_ERR_UNSUPPORTED;
				goto out;
			}
			cids[i] = mcsec_memdup_str(p->cid, p->cid_len);
		} else {
			/* 9.3.5: every signed body carries a Content-ID (RFC 2392) */
			uint8_t r[8];
			char rh[17];
			if(RAND_bytes(r, sizeof(r)) != 1) {
				rc = MCSEC_ERR_INTERNAL;
				goto out;
			}
			mcsec_hex_encode(r, sizeof(r), rh);
			snprintf(
					extra[i], sizeof(extra[i]), "xml%zu.%s@" CID_DOMAIN, i, rh);
			cids[i] = mcsec_memdup_str(extra[i], strlen(extra[i]));
			snprintf(extra[i], sizeof(extra[i]), "Content-ID: <%s>\r\n",
					cids[i]);
			op[i].extra_hdr = extra[i];
			op[i].extra_len = strlen(extra[i]);
		}
		if(!cids[i]) {
			rc = MCSEC_ERR_INTERNAL;
			goto out;
		}
	}
	if(nsign == 0) { /* nothing to sign: the body goes out unchanged */
		*out = mcsec_memdup_str(body, len);
		*out_ctype = mcsec_memdup_str(ctype, strlen(ctype));
		*out_len = len;
		rc = (*out && *out_ctype) ? MCSEC_OK : MCSEC_ERR_INTERNAL;
		if(rc != MCSEC_OK) {
			free(*out);
			free(*out_ctype);
			*out = *out_ctype = NULL;
		}
		goto out;
	}
	rc = signatures_template(keys, cids, op, signme, m.nparts, &tmpl, &tl);
	if(rc == MCSEC_OK)
		rc = sign_template(tmpl, tl, keys, &sigdoc, &sl);
	if(rc != MCSEC_OK)
		goto out;
	snprintf(sig_hdr, sizeof(sig_hdr), "Content-Type: %s\r\n",
			signed_type_for(m.parts, m.nparts));
	op[m.nparts] =
			(mcsec_mime_out_t){sig_hdr, strlen(sig_hdr), NULL, 0, sigdoc, sl};
	rc = mcsec_mime_write(
			m.boundary, m.boundary_len, op, m.nparts + 1, out, out_len);
	if(rc != MCSEC_OK)
		goto out;
	if(single) {
		size_t cl = 26 + m.boundary_len + 1;
		*out_ctype = malloc(cl);
		if(*out_ctype)
			snprintf(*out_ctype, cl, "multipart/mixed;boundary=%s", m.boundary);
	} else
		*out_ctype = mcsec_memdup_str(ctype, strlen(ctype));
	if(!*out_ctype) {
		free(*out);
		*out = NULL;
		rc = MCSEC_ERR_INTERNAL;
	}
out:
	for(size_t i = 0; i < MCSEC_MIME_MAX_PARTS; i++)
		free(cids[i]);
	free(tmpl);
	free(sigdoc);
	return rc;
}

/* ---------- verification ---------- */

static int no_children(xmlNodePtr n)
{
	int bad = 0;
	return !mcsec_xml_next_elem(n->children, &bad) && !bad;
}

static int only_attrs(xmlNodePtr n, const char *a1, const char *a2)
{
	for(xmlAttrPtr a = n->properties; a; a = a->next) {
		if(a->ns)
			return 0;
		if(!(a1 && !strcmp((const char *)a->name, a1))
				&& !(a2 && !strcmp((const char *)a->name, a2)))
			return 0;
	}
	return 1;
}

static int alg_is(xmlNodePtr n, const char *alg)
{
	xmlChar *v = xmlGetNsProp(n, BAD_CAST "Algorithm", NULL);
	int ok = v && !strcmp((const char *)v, alg);
	xmlFree(v);
	return ok;
}

static int b64_text(xmlNodePtr n, uint8_t *out, size_t cap, size_t want)
{
	xmlChar *t = mcsec_xml_text(n);
	long r;
	if(!t)
		return MCSEC_ERR_MALFORMED;
	r = mcsec_b64_decode((const char *)t, strlen((const char *)t), out, cap, 0);
	xmlFree(t);
	return (r >= 0 && (size_t)r == want) ? MCSEC_OK : MCSEC_ERR_MALFORMED;
}

/* Checks one ds:Signature against the parts; marks the part it covers. */
static int verify_one(xmlNodePtr sig, const mcsec_mime_t *m,
		const mcsec_xml_keys_t *keys, size_t nkeys, int *covered)
{
	xmlNodePtr si, sv, ki, c, ref, dm, dv;
	uint8_t mac[SIG_LEN], want_mac[SIG_LEN + 4];
	uint8_t dig[SHA256_DIGEST_LENGTH], want_dig[SHA256_DIGEST_LENGTH + 4];
	char cid[MAX_CID + 1];
	size_t cid_len;
	xmlChar *uri;
	const mcsec_xml_keys_t *k;
	uint32_t id = 0;
	int have_id = 0, bad = 0, rc;
	size_t part = SIZE_MAX;

	if(!only_attrs(sig, "Id", NULL))
		return MCSEC_ERR_UNSUPPORTED;
	si = mcsec_xml_next_elem(sig->children, &bad);
	if(bad || !mcsec_xml_is(si, MCSEC_DSIG_NS, "SignedInfo")
			|| !only_attrs(si, "Id", NULL))
		return MCSEC_ERR_MALFORMED;
	sv = mcsec_xml_next_elem(si->next, &bad);
	if(bad || !mcsec_xml_is(sv, MCSEC_DSIG_NS, "SignatureValue")
			|| !only_attrs(sv, "Id", NULL))
		return MCSEC_ERR_MALFORMED;
	ki = mcsec_xml_next_elem(sv->next, &bad);
	if(ki) {
		xmlNodePtr kn;
		xmlChar *t;
		if(!mcsec_xml_is(ki, MCSEC_DSIG_NS, "KeyInfo"))
			return MCSEC_ERR_UNSUPPORTED; /* ds:Object and the like */
		kn = mcsec_xml_next_elem(ki->children, &bad);
		if(bad || !mcsec_xml_is(kn, MCSEC_DSIG_NS, "KeyName")
				|| mcsec_xml_next_elem(kn->next, &bad) || bad
				|| mcsec_xml_next_elem(ki->next, &bad) || bad)
			return MCSEC_ERR_UNSUPPORTED;
		t = mcsec_xml_text(kn);
		if(!t)
			return MCSEC_ERR_MALFORMED;
		rc = mcsec_xml_key_name_parse(
				(const char *)t, strlen((const char *)t), &id);
		xmlFree(t);
		if(rc != MCSEC_OK)
			return MCSEC_ERR_NOT_FOUND;
		have_id = 1;
	}
	if(bad)
		return MCSEC_ERR_MALFORMED;

	/* SignedInfo */
	c = mcsec_xml_next_elem(si->children, &bad);
	if(bad || !mcsec_xml_is(c, MCSEC_DSIG_NS, "CanonicalizationMethod"))
		return MCSEC_ERR_MALFORMED;
	if(!alg_is(c, MCSEC_ALG_C14N10) || !no_children(c))
		return MCSEC_ERR_UNSUPPORTED;
	c = mcsec_xml_next_elem(c->next, &bad);
	if(bad || !mcsec_xml_is(c, MCSEC_DSIG_NS, "SignatureMethod"))
		return MCSEC_ERR_MALFORMED;
	/* HMACOutputLength (a truncated MAC) or any other child is refused */
	if(!alg_is(c, MCSEC_ALG_HMAC_SHA256) || !no_children(c))
		return MCSEC_ERR_UNSUPPORTED;
	ref = mcsec_xml_next_elem(c->next, &bad);
	if(bad || !mcsec_xml_is(ref, MCSEC_DSIG_NS, "Reference"))
		return MCSEC_ERR_MALFORMED;
	if(mcsec_xml_next_elem(ref->next, &bad) || bad)
		return MCSEC_ERR_UNSUPPORTED; /* exactly one Reference */
	if(!only_attrs(ref, "URI", "Id"))
		return MCSEC_ERR_UNSUPPORTED;
	dm = mcsec_xml_next_elem(ref->children, &bad);
	if(bad || !dm)
		return MCSEC_ERR_MALFORMED;
	if(mcsec_xml_is(dm, MCSEC_DSIG_NS, "Transforms"))
		return MCSEC_ERR_UNSUPPORTED; /* no XPath, XSLT, or any transform */
	if(!mcsec_xml_is(dm, MCSEC_DSIG_NS, "DigestMethod"))
		return MCSEC_ERR_MALFORMED;
	if(!alg_is(dm, MCSEC_ALG_SHA256) || !no_children(dm))
		return MCSEC_ERR_UNSUPPORTED;
	dv = mcsec_xml_next_elem(dm->next, &bad);
	if(bad || !mcsec_xml_is(dv, MCSEC_DSIG_NS, "DigestValue")
			|| mcsec_xml_next_elem(dv->next, &bad) || bad)
		return MCSEC_ERR_MALFORMED;
	if(b64_text(dv, want_dig, sizeof(want_dig), SHA256_DIGEST_LENGTH))
		return MCSEC_ERR_MALFORMED;
	if(b64_text(sv, want_mac, sizeof(want_mac), SIG_LEN))
		return MCSEC_ERR_MALFORMED; /* also a truncated SignatureValue */

	uri = xmlGetNsProp(ref, BAD_CAST "URI", NULL);
	if(!uri)
		return MCSEC_ERR_UNSUPPORTED; /* "known by other means": not here */
	rc = cid_from_url((const char *)uri, cid, sizeof(cid), &cid_len);
	xmlFree(uri);
	if(rc != MCSEC_OK)
		return rc;
	for(size_t i = 0; i < m->nparts; i++)
		if(m->parts[i].cid && m->parts[i].cid_len == cid_len
				&& !memcmp(m->parts[i].cid, cid, cid_len))
			part = i;
	if(part == SIZE_MAX || is_signatures_part(&m->parts[part]))
		return MCSEC_ERR_BAD_SIGNATURE; /* names no part we forward */
	if(covered[part])
		return MCSEC_ERR_MALFORMED; /* two signatures for one part */

	k = mcsec_xml_keys_find(keys, nkeys, have_id, id);
	if(!k)
		return MCSEC_ERR_NOT_FOUND;
	rc = hmac_signed_info(si, k, mac);
	if(rc != MCSEC_OK)
		return rc;
	if(CRYPTO_memcmp(mac, want_mac, SIG_LEN) != 0)
		return MCSEC_ERR_BAD_SIGNATURE;
	if(!SHA256((const unsigned char *)m->parts[part].body,
			   m->parts[part].body_len, dig))
		return MCSEC_ERR_INTERNAL;
	if(CRYPTO_memcmp(dig, want_dig, sizeof(dig)) != 0)
		return MCSEC_ERR_BAD_SIGNATURE;
	covered[part] = 1;
	return MCSEC_OK;
}

/* Verifies the parsed body; *sigpart = index of the signatures part. */
static int verify_parts(const mcsec_mime_t *m, const mcsec_xml_keys_t *keys,
		size_t nkeys, size_t *sigpart, unsigned *nsigned)
{
	int covered[MCSEC_MIME_MAX_PARTS] = {0};
	size_t sp = SIZE_MAX, nsig = 0;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	int rc, bad = 0;
	unsigned n = 0;

	for(size_t i = 0; i < m->nparts; i++)
		if(is_signatures_part(&m->parts[i])) {
			if(sp != SIZE_MAX)
				return MCSEC_ERR_MALFORMED; /* two signatures parts */
			sp = i;
		}
	if(sp == SIZE_MAX)
		return MCSEC_ERR_BAD_SIGNATURE; /* unsigned */
	if(!identity_cte(&m->parts[sp]))
		return MCSEC_ERR_UNSUPPORTED;
	rc = mcsec_xml_parse(m->parts[sp].body, m->parts[sp].body_len, &doc);
	if(rc != MCSEC_OK)
		return rc;
	root = xmlDocGetRootElement(doc);
	if(strcmp((const char *)root->name, "signatures")) {
		rc = MCSEC_ERR_MALFORMED;
		goto out;
	}
	/* only ds:Signature children: nothing may hide elsewhere */
	for(xmlNodePtr s = mcsec_xml_next_elem(root->children, &bad); s;
			s = mcsec_xml_next_elem(s->next, &bad)) {
		if(!mcsec_xml_is(s, MCSEC_DSIG_NS, "Signature")
				|| ++nsig > MCSEC_MIME_MAX_PARTS) {
			rc = MCSEC_ERR_MALFORMED;
			goto out;
		}
		rc = verify_one(s, m, keys, nkeys, covered);
		if(rc != MCSEC_OK)
			goto out;
		n++;
	}
	if(bad) {
		rc = MCSEC_ERR_MALFORMED;
		goto out;
	}
	/* 9.3.5: all XML MIME bodies are integrity protected */
	for(size_t i = 0; i < m->nparts; i++)
		if(is_xml_part(&m->parts[i]) && !covered[i]) {
			rc = MCSEC_ERR_BAD_SIGNATURE;
			goto out;
		}
	*sigpart = sp;
	if(nsigned)
		*nsigned = n;
	rc = MCSEC_OK;
out:
	xmlFreeDoc(doc);
	return rc;
}

int mcsec_xml_body_verify(const char *body, size_t len, const char *ctype,
		const mcsec_xml_keys_t *keys, size_t nkeys, unsigned *nsigned)
{
	mcsec_mime_t m;
	size_t sp;
	int rc;

	if(!body || !ctype || !keys || !nkeys)
		return MCSEC_ERR_ARG;
	if(nsigned)
		*nsigned = 0;
	if(!is_multipart(ctype, strlen(ctype)))
		return MCSEC_ERR_BAD_SIGNATURE; /* a single body carries none */
	rc = parse_multipart(body, len, ctype, &m);
	if(rc != MCSEC_OK)
		return rc;
	return verify_parts(&m, keys, nkeys, &sp, nsigned);
}

/* ---------- keys a body needs ---------- */

int mcsec_xml_body_key_ids(const char *body, size_t len, const char *ctype,
		uint32_t *ids, size_t cap, size_t *n)
{
	mcsec_mime_t m;
	size_t cl;
	int rc;

	if(!body || !ctype || !n || (!ids && cap))
		return MCSEC_ERR_ARG;
	*n = 0;
	cl = strlen(ctype);
	if(!is_multipart(ctype, cl))
		return mcsec_mime_type_is_xml(ctype, cl)
					   ? mcsec_xml_doc_key_ids(body, len, ids, cap, n)
					   : MCSEC_OK;
	rc = parse_multipart(body, len, ctype, &m);
	for(size_t i = 0; rc == MCSEC_OK && i < m.nparts; i++) {
		const mcsec_mime_part_t *p = &m.parts[i];
		if(p->ctype && mcsec_mime_type_is_xml(p->ctype, p->ctype_len)
				&& identity_cte(p))
			rc = mcsec_xml_doc_key_ids(p->body, p->body_len, ids, cap, n);
	}
	return rc;
}

/* ---------- required protection ---------- */

int mcsec_xml_body_clear_items(const char *body, size_t len, const char *ctype,
		const mcsec_xml_policy_t *pol, unsigned *nclear)
{
	mcsec_mime_t m;
	size_t cl;
	unsigned n;
	int rc;

	if(!body || !ctype || !pol || !nclear)
		return MCSEC_ERR_ARG;
	*nclear = 0;
	cl = strlen(ctype);
	if(!is_multipart(ctype, cl))
		return mcsec_mime_type_is_xml(ctype, cl) ? mcsec_xml_doc_clear_items(
					   body, len, ctype, cl, pol, nclear)
												 : MCSEC_OK;
	rc = parse_multipart(body, len, ctype, &m);
	for(size_t i = 0; rc == MCSEC_OK && i < m.nparts; i++) {
		const mcsec_mime_part_t *p = &m.parts[i];
		if(!is_xml_part(p))
			continue;
		if(!identity_cte(p)) {
			*nclear = 0;
			return MCSEC_ERR_UNSUPPORTED;
		}
		n = 0;
		rc = mcsec_xml_doc_clear_items(
				p->body, p->body_len, p->ctype, p->ctype_len, pol, &n);
		*nclear += n;
	}
	if(rc != MCSEC_OK)
		*nclear = 0; /* an error is never "n items in clear" */
	return rc;
}

/* ---------- protect / unprotect ---------- */

int mcsec_xml_body_protect(const char *body, size_t len, const char *ctype,
		const mcsec_xml_policy_t *pol, const mcsec_xml_keys_t *keys, char **out,
		size_t *out_len, char **out_ctype)
{
	mcsec_mime_t m;
	mcsec_mime_out_t op[MCSEC_MIME_MAX_PARTS];
	char *enc[MCSEC_MIME_MAX_PARTS] = {0};
	char single_hdr[1024];
	char *mid = NULL;
	size_t mid_len = 0;
	unsigned cnt = 0;
	int single, integrity = 0, rc;

	if(!body || !ctype || !pol || !keys || !out || !out_len || !out_ctype)
		return MCSEC_ERR_ARG;
	*out = *out_ctype = NULL;
	*out_len = 0;
	if(!is_multipart(ctype, strlen(ctype))
			&& !mcsec_mime_type_is_xml(ctype, strlen(ctype))) {
		/* not XML: nothing to protect */
		*out = mcsec_memdup_str(body, len);
		*out_ctype = mcsec_memdup_str(ctype, strlen(ctype));
		*out_len = len;
		if(*out && *out_ctype)
			return MCSEC_OK;
		free(*out);
		free(*out_ctype);
		*out = *out_ctype = NULL;
		return MCSEC_ERR_INTERNAL;
	}
	rc = body_parts(
			body, len, ctype, &m, single_hdr, sizeof(single_hdr), &single);
	if(rc != MCSEC_OK)
		return rc;
	for(size_t i = 0; i < m.nparts; i++) {
		mcsec_mime_part_t *p = &m.parts[i];
		size_t nr, el;
		op[i] = (mcsec_mime_out_t){
				p->hdr, p->hdr_len, NULL, 0, p->body, p->body_len};
		if(is_signatures_part(p)) {
			rc = MCSEC_ERR_UNSUPPORTED; /* protected already */
			goto out;
		}
		if(!is_xml_part(p))
			continue;
		if(mcsec_xml_policy_integrity(pol, p->ctype, p->ctype_len))
			integrity = 1;
		mcsec_xml_policy_rules(pol, p->ctype, p->ctype_len, &nr);
		if(nr == 0)
			continue; /* nothing to encrypt: keep the octets */
		if(!identity_cte(p)) {
			rc = MCSEC_ERR_UNSUPPORTED;
			goto out;
		}
		rc = mcsec_xml_encrypt_doc(p->body, p->body_len, p->ctype, p->ctype_len,
				pol, keys, &enc[i], &el, &cnt);
		if(rc != MCSEC_OK)
			goto out;
		if(cnt == 0)
			continue; /* nothing matched: keep the octets as they were */
		op[i].body = enc[i];
		op[i].body_len = el;
	}
	if(single && !integrity) {
		*out = mcsec_memdup_str(op[0].body, op[0].body_len);
		*out_len = op[0].body_len;
		*out_ctype = mcsec_memdup_str(ctype, strlen(ctype));
		rc = (*out && *out_ctype) ? MCSEC_OK : MCSEC_ERR_INTERNAL;
		goto out;
	}
	if(single) {
		rc = mcsec_xml_body_sign(op[0].body, op[0].body_len, ctype, keys, out,
				out_len, out_ctype);
		goto out;
	}
	rc = mcsec_mime_write(
			m.boundary, m.boundary_len, op, m.nparts, &mid, &mid_len);
	if(rc != MCSEC_OK)
		goto out;
	if(integrity)
		rc = mcsec_xml_body_sign(
				mid, mid_len, ctype, keys, out, out_len, out_ctype);
	else {
		*out = mid;
		*out_len = mid_len;
		mid = NULL;
		*out_ctype = mcsec_memdup_str(ctype, strlen(ctype));
		rc = *out_ctype ? MCSEC_OK : MCSEC_ERR_INTERNAL;
	}
out:
	if(rc != MCSEC_OK) {
		free(*out);
		free(*out_ctype);
		*out = *out_ctype = NULL;
		*out_len = 0;
	}
	for(size_t i = 0; i < MCSEC_MIME_MAX_PARTS; i++)
		free(enc[i]);
	free(mid);
	return rc;
}

int mcsec_xml_body_unprotect(const char *body, size_t len, const char *ctype,
		const mcsec_xml_policy_t *pol, const mcsec_xml_keys_t *keys,
		size_t nkeys, unsigned flags, char **out, size_t *out_len,
		char **out_ctype)
{
	mcsec_mime_t m;
	mcsec_mime_out_t op[MCSEC_MIME_MAX_PARTS];
	char *dec[MCSEC_MIME_MAX_PARTS] = {0};
	size_t sp = SIZE_MAX, nop = 0, cl = strlen(ctype ? ctype : "");
	int rc, has_sig = 0;

	if(!body || !ctype || !pol || !keys || !nkeys || !out || !out_len
			|| !out_ctype)
		return MCSEC_ERR_ARG;
	*out = *out_ctype = NULL;
	*out_len = 0;
	if(!is_multipart(ctype, cl)) {
		/* a single body */
		if(mcsec_mime_type_is_xml(ctype, cl)) {
			if(mcsec_xml_policy_integrity(pol, ctype, cl))
				return MCSEC_ERR_BAD_SIGNATURE; /* required, absent */
			unsigned cnt = 0;
			rc = mcsec_xml_decrypt_doc(
					body, len, keys, nkeys, flags, out, out_len, &cnt);
			if(rc == MCSEC_OK && cnt == 0) { /* forward the octets as sent */
				free(*out);
				*out = mcsec_memdup_str(body, len);
				*out_len = len;
				rc = *out ? MCSEC_OK : MCSEC_ERR_INTERNAL;
			}
		} else {
			*out = mcsec_memdup_str(body, len);
			*out_len = len;
			rc = *out ? MCSEC_OK : MCSEC_ERR_INTERNAL;
		}
		if(rc == MCSEC_OK) {
			*out_ctype = mcsec_memdup_str(ctype, cl);
			if(!*out_ctype)
				rc = MCSEC_ERR_INTERNAL;
		}
		goto out;
	}
	rc = parse_multipart(body, len, ctype, &m);
	if(rc != MCSEC_OK)
		return rc;
	for(size_t i = 0; i < m.nparts; i++)
		if(is_signatures_part(&m.parts[i]))
			has_sig = 1;
	if(has_sig) {
		rc = verify_parts(&m, keys, nkeys, &sp, NULL);
		if(rc != MCSEC_OK)
			goto out;
	} else {
		for(size_t i = 0; i < m.nparts; i++)
			if(is_xml_part(&m.parts[i])
					&& mcsec_xml_policy_integrity(
							pol, m.parts[i].ctype, m.parts[i].ctype_len)) {
				rc = MCSEC_ERR_BAD_SIGNATURE;
				goto out;
			}
	}
	/* decrypt the very octets that were verified (m.parts[i].body) */
	for(size_t i = 0; i < m.nparts; i++) {
		mcsec_mime_part_t *p = &m.parts[i];
		if(i == sp)
			continue;
		op[nop] = (mcsec_mime_out_t){
				p->hdr, p->hdr_len, NULL, 0, p->body, p->body_len};
		if(is_xml_part(p)) {
			size_t dl;
			if(!identity_cte(p)) {
				rc = MCSEC_ERR_UNSUPPORTED;
				goto out;
			}
			unsigned cnt = 0;
			rc = mcsec_xml_decrypt_doc(p->body, p->body_len, keys, nkeys, flags,
					&dec[i], &dl, &cnt);
			if(rc != MCSEC_OK)
				goto out;
			if(cnt) { /* else the verified octets go on unchanged */
				op[nop].body = dec[i];
				op[nop].body_len = dl;
			}
		}
		nop++;
	}
	if(nop == 1) {
		/* one part left: it becomes the whole body */
		size_t src = (sp == 0) ? 1 : 0;
		const mcsec_mime_part_t *p = &m.parts[src];
		*out = mcsec_memdup_str(op[0].body, op[0].body_len);
		*out_len = op[0].body_len;
		*out_ctype = p->ctype ? mcsec_memdup_str(p->ctype, p->ctype_len)
							  : mcsec_memdup_str(
									  "text/plain", 10); /* RFC 2045 5.2 */
		rc = (*out && *out_ctype) ? MCSEC_OK : MCSEC_ERR_INTERNAL;
	} else {
		rc = mcsec_mime_write(
				m.boundary, m.boundary_len, op, nop, out, out_len);
		if(rc == MCSEC_OK) {
			*out_ctype = mcsec_memdup_str(ctype, cl);
			if(!*out_ctype)
				rc = MCSEC_ERR_INTERNAL;
		}
	}
out:
	if(rc != MCSEC_OK) {
		free(*out);
		free(*out_ctype);
		*out = *out_ctype = NULL;
		*out_len = 0;
	}
	for(size_t i = 0; i < MCSEC_MIME_MAX_PARTS; i++) {
		if(dec[i])
			OPENSSL_cleanse(dec[i], strlen(dec[i]));
		free(dec[i]);
	}
	return rc;
}
