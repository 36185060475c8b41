/*
 * mcsec - CSK upload body handling (TS 33.180 5.4, 9.2.1.3, I.3.4).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <libxml/tree.h>

#include "csk_upload.h"
#include "encoding.h"
#include "evp_cache.h"
#include "mcsec_err.h"
#include "mime_multipart.h"
#include "xml_internal.h"

#define MIKEY_TYPE "application/mikey" /* RFC 3830 10 */

/* RFC 2045 6: identity encodings keep the octets; base64 (6.8) is decoded;
 * anything else (quoted-printable, x-tokens) is refused */
static int decode_part(const mcsec_mime_part_t *p, mcsec_csk_body_t *out)
{
	int cte = mcsec_mime_part_cte(p);

	if(p->body_len == 0 || p->body_len > MCSEC_CSK_MAX_MIKEY)
		return MCSEC_ERR_MALFORMED;
	if(cte == MCSEC_MIME_CTE_IDENTITY) {
		out->mikey = (uint8_t *)mcsec_memdup_str(p->body, p->body_len);
		if(!out->mikey)
			return MCSEC_ERR_INTERNAL;
		out->mikey_len = p->body_len;
		return MCSEC_OK;
	}
	if(cte != MCSEC_MIME_CTE_BASE64)
		return MCSEC_ERR_MALFORMED;
	/* decoded size <= 3/4 of the encoded size */
	size_t cap = p->body_len / 4 * 3 + 3, fl = 0;
	uint8_t *raw = malloc(cap);
	if(!raw)
		return MCSEC_ERR_INTERNAL;
	/* the decoder skips blanks; line breaks (76-column base64) as well */
	char *flat = mcsec_mime_unfold(p->body, p->body_len, &fl);
	if(!flat) {
		free(raw);
		return MCSEC_ERR_INTERNAL;
	}
	long n = mcsec_b64_decode(flat, fl, raw, cap, 0);
	free(flat);
	if(n <= 0) {
		free(raw);
		return MCSEC_ERR_MALFORMED;
	}
	out->mikey = raw;
	out->mikey_len = (size_t)n;
	return MCSEC_OK;
}

int mcsec_csk_body_split(const char *body, size_t len, const char *ctype,
		size_t ctype_len, mcsec_csk_body_t *out)
{
	mcsec_mime_t m;
	mcsec_mime_out_t op[MCSEC_MIME_MAX_PARTS];
	size_t mi = SIZE_MAX, nop = 0;
	int rc;

	if(!out)
		return MCSEC_ERR_ARG;
	memset(out, 0, sizeof(*out));
	if(!body || !ctype || !ctype_len || !len)
		return MCSEC_ERR_NOT_FOUND;
	if(mcsec_mime_type_is(ctype, ctype_len, MIKEY_TYPE)) {
		/* the whole body is the I_MESSAGE (no other content) */
		mcsec_mime_part_t p = {0};
		p.body = body;
		p.body_len = len;
		return decode_part(&p, out);
	}
	if(!mcsec_mime_type_is(ctype, ctype_len, "multipart/mixed")) {
		/* another multipart type that names MIKEY: we cannot take it
		 * apart safely, and must not forward a CSK upload unprocessed */
		const char *mt;
		size_t mtl;
		if(mcsec_mime_media_type(ctype, ctype_len, &mt, &mtl) == MCSEC_OK
				&& mtl >= 10 && !strncasecmp(mt, "multipart/", 10)
				&& mcsec_mime_contains_ci(body, len, MIKEY_TYPE))
			return MCSEC_ERR_UNSUPPORTED;
		return MCSEC_ERR_NOT_FOUND;
	}
	rc = mcsec_mime_parse(body, len, ctype, ctype_len, &m);
	if(rc != MCSEC_OK)
		return rc == MCSEC_ERR_INTERNAL ? rc : MCSEC_ERR_MALFORMED;
	for(size_t i = 0; i < m.nparts; i++) {
		const mcsec_mime_part_t *p = &m.parts[i];
		if(p->ctype && mcsec_mime_type_is(p->ctype, p->ctype_len, MIKEY_TYPE)) {
			if(mi != SIZE_MAX)
				return MCSEC_ERR_MALFORMED; /* one CSK per upload */
			mi = i;
		}
	}
	if(mi == SIZE_MAX)
		return MCSEC_ERR_NOT_FOUND;
	if((rc = decode_part(&m.parts[mi], out)) != MCSEC_OK)
		goto fail;
	for(size_t i = 0; i < m.nparts; i++) {
		if(i == mi)
			continue;
		op[nop].hdr = m.parts[i].hdr;
		op[nop].hdr_len = m.parts[i].hdr_len;
		op[nop].extra_hdr = NULL;
		op[nop].extra_len = 0;
		op[nop].body = m.parts[i].body;
		op[nop].body_len = m.parts[i].body_len;
		nop++;
	}
	if(nop == 0)
		return MCSEC_OK;
	if(nop == 1) {
		/* one part left: a plain body with that part's Content-Type
		 * (RFC 2045 5.2 default when the part has none) */
		const mcsec_mime_part_t *p = &m.parts[mi == 0 ? 1 : 0];
		out->rest = mcsec_memdup_str(p->body, p->body_len);
		out->rest_len = p->body_len;
		out->rest_ctype = p->ctype ? mcsec_memdup_str(p->ctype, p->ctype_len)
								   : mcsec_memdup_str("text/plain", 10);
		if(!out->rest || !out->rest_ctype) {
			rc = MCSEC_ERR_INTERNAL;
			goto fail;
		}
		return MCSEC_OK;
	}
	rc = mcsec_mime_write(
			m.boundary, m.boundary_len, op, nop, &out->rest, &out->rest_len);
	if(rc != MCSEC_OK) {
		rc = rc == MCSEC_ERR_INTERNAL ? rc : MCSEC_ERR_MALFORMED;
		goto fail;
	}
	out->rest_ctype = mcsec_memdup_str(ctype, ctype_len);
	if(!out->rest_ctype) {
		rc = MCSEC_ERR_INTERNAL;
		goto fail;
	}
	return MCSEC_OK;
fail:
	mcsec_csk_body_clear(out);
	return rc;
}

void mcsec_csk_body_clear(mcsec_csk_body_t *b)
{
	if(!b)
		return;
	if(b->mikey) {
		/* the I_MESSAGE carries no cleartext key, but is the client's */
		OPENSSL_cleanse(b->mikey, b->mikey_len);
		free(b->mikey);
	}
	free(b->rest);
	free(b->rest_ctype);
	memset(b, 0, sizeof(*b));
}

int mcsec_csk_digest(
		const uint8_t *raw, size_t len, uint8_t out[MCSEC_CSK_DIGEST_LEN])
{
	unsigned int dl = 0;
	if(!raw || !out)
		return MCSEC_ERR_ARG;
	if(!EVP_Digest(raw, len, out, &dl, mcsec_evp_sha256(), NULL)
			|| dl != MCSEC_CSK_DIGEST_LEN)
		return MCSEC_ERR_INTERNAL;
	return MCSEC_OK;
}

int mcsec_csk_body_decrypt(const char *rest, size_t rest_len,
		const char *rest_ctype, const uint8_t csk[16], uint32_t csk_id,
		const char *mc_id, size_t mc_id_len, int raw_xpk,
		const mcsec_xml_policy_t *pol, char **out, size_t *out_len,
		char **out_ctype)
{
	mcsec_xml_keys_t keys;
	mcsec_xml_policy_t *own = NULL;
	int rc;

	if(!rest || !rest_ctype || !csk || !mc_id || !out || !out_len || !out_ctype)
		return MCSEC_ERR_ARG;
	if(!pol) {
		if((rc = mcsec_xml_policy_default(&own)) != MCSEC_OK)
			return rc;
		pol = own;
	}
	/* TS 33.180 9.3.3: XPK = CSK, XPK-ID = CSK-ID; F.1.4 keys */
	rc = mcsec_xml_keys_init(&keys, csk, 16, csk_id, mc_id, mc_id_len, raw_xpk);
	if(rc == MCSEC_OK) {
		rc = mcsec_xml_body_unprotect(rest, rest_len, rest_ctype, pol, &keys, 1,
				0, out, out_len, out_ctype);
		mcsec_xml_keys_clear(&keys);
	}
	mcsec_xml_policy_free(own);
	return rc;
}

/* ---- MC service ID candidate from the MC info body (E.7) ---- */

/* the MC info types and their request URI element (TS 24.379, 24.281,
 * 24.282: the MC service ID of the user in service authorisation) */
static const struct
{
	const char *type;
	const char *elem;
} mc_info[] = {
		{"application/vnd.3gpp.mcptt-info+xml", "mcptt-request-uri"},
		{"application/vnd.3gpp.mcvideo-info+xml", "mcvideo-request-uri"},
		{"application/vnd.3gpp.mcdata-info+xml", "mcdata-request-uri"},
};
#define N_MC_INFO (sizeof(mc_info) / sizeof(mc_info[0]))
#define MCX_ID_MAX_NEST 4 /* <mcptt-request-uri><mcpttURI>: 1 is enough */

/* index into mc_info of an MC info Content-Type, or -1 */
static int mc_info_index(const char *ct, size_t len)
{
	for(size_t i = 0; i < N_MC_INFO; i++)
		if(mcsec_mime_type_is(ct, len, mc_info[i].type))
			return (int)i;
	return -1;
}

static int is_blank_text(const xmlChar *s)
{
	for(; s && *s; s++)
		if(*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

/* 1 if the subtree of n holds an EncryptedData or EncryptedKey element
 * (9.3.4.2; in any namespace: a look-alike is no clear value either) */
static int has_encrypted_data(xmlNodePtr n)
{
	for(xmlNodePtr c = n->children; c; c = c->next) {
		if(c->type != XML_ELEMENT_NODE)
			continue;
		if(!strcmp((const char *)c->name, "EncryptedData")
				|| !strcmp((const char *)c->name, "EncryptedKey")
				|| has_encrypted_data(c))
			return 1;
	}
	return 0;
}

/* elements named local in the subtree of n (n included): count, first */
static void find_elems(
		xmlNodePtr n, const char *local, int *count, xmlNodePtr *first)
{
	for(; n; n = n->next) {
		if(n->type != XML_ELEMENT_NODE)
			continue;
		if(!strcmp((const char *)n->name, local)) {
			if((*count)++ == 0)
				*first = n;
		}
		find_elems(n->children, local, count, first);
	}
}

/* the trimmed clear value of element e (see mcsec_csk_body_mcx_id) */
static int elem_value(xmlNodePtr e, char **out)
{
	xmlChar *type, *txt;
	xmlNodePtr n = e, only;
	size_t b, l;
	int nest, nel, rc;

	type = xmlGetProp(e, (const xmlChar *)"type");
	if(type) {
		/* TS 24.379 protectionType: "Normal" or "Encrypted" */
		int enc = !strcasecmp((const char *)type, "Encrypted");
		xmlFree(type);
		if(enc)
			return MCSEC_ERR_UNSUPPORTED;
	}
	if(has_encrypted_data(e))
		return MCSEC_ERR_UNSUPPORTED;
	for(nest = 0;; nest++) {
		int text = 0;
		nel = 0;
		only = NULL;
		for(xmlNodePtr c = n->children; c; c = c->next) {
			if(c->type == XML_ELEMENT_NODE) {
				nel++;
				only = c;
			} else if(c->type == XML_TEXT_NODE
					  || c->type == XML_CDATA_SECTION_NODE) {
				text |= !is_blank_text(c->content);
			} else if(c->type != XML_COMMENT_NODE) {
				return MCSEC_ERR_MALFORMED;
			}
		}
		if(nel == 0)
			break;
		/* one element child and no text beside it: its value */
		if(nel > 1 || text || nest >= MCX_ID_MAX_NEST)
			return MCSEC_ERR_MALFORMED;
		n = only;
	}
	txt = xmlNodeGetContent(n);
	if(!txt)
		return MCSEC_ERR_MALFORMED;
	l = strlen((const char *)txt);
	for(b = 0; b < l && strchr(" \t\r\n", txt[b]); b++)
		;
	while(l > b && strchr(" \t\r\n", txt[l - 1]))
		l--;
	l -= b;
	rc = MCSEC_OK;
	if(l == 0 || l > MCSEC_CSK_MAX_MCX_ID)
		rc = MCSEC_ERR_MALFORMED;
	for(size_t i = 0; rc == MCSEC_OK && i < l; i++)
		if(txt[b + i] < 0x20 || txt[b + i] == 0x7f)
			rc = MCSEC_ERR_MALFORMED;
	/* 9.3.4.3 form (sip:<ct>;iv=..;key-id=..;alg=128-aes-gcm@domain) */
	if(rc == MCSEC_OK && mcsec_uri_is_encrypted((const char *)txt + b, l))
		rc = MCSEC_ERR_UNSUPPORTED;
	if(rc == MCSEC_OK) {
		*out = mcsec_memdup_str((const char *)txt + b, l);
		if(!*out)
			rc = MCSEC_ERR_INTERNAL;
	}
	xmlFree(txt);
	return rc;
}

/* the candidate in one MC info body; NOT_FOUND when it lacks the element */
static int info_mcx_id(
		const char *xml, size_t len, const char *elem, char **out)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr first = NULL;
	int n = 0, rc;

	rc = mcsec_xml_parse(xml, len, &doc);
	if(rc != MCSEC_OK)
		return rc == MCSEC_ERR_INTERNAL ? rc : MCSEC_ERR_MALFORMED;
	find_elems(xmlDocGetRootElement(doc), elem, &n, &first);
	if(n == 0)
		rc = MCSEC_ERR_NOT_FOUND;
	else if(n > 1)
		rc = MCSEC_ERR_MALFORMED; /* which one would the client mean? */
	else
		rc = elem_value(first, out);
	xmlFreeDoc(doc);
	return rc;
}

/* fold one body's result into the running candidate */
static int merge_candidate(int rc, char *v, char **best)
{
	if(rc == MCSEC_ERR_NOT_FOUND)
		return MCSEC_OK;
	if(rc != MCSEC_OK)
		return rc;
	if(!*best) {
		*best = v;
		return MCSEC_OK;
	}
	rc = strcmp(*best, v) ? MCSEC_ERR_MALFORMED : MCSEC_OK;
	free(v);
	return rc;
}

int mcsec_csk_body_mcx_id(const char *rest, size_t rest_len,
		const char *rest_ctype, const char *elem, char **out)
{
	mcsec_mime_t m;
	char *best = NULL, *v;
	size_t ctl;
	int rc, k;

	if(!out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	if(elem && !*elem)
		return MCSEC_ERR_ARG;
	if(!rest || !rest_len || !rest_ctype)
		return MCSEC_ERR_NOT_FOUND;
	ctl = strlen(rest_ctype);
	if((k = mc_info_index(rest_ctype, ctl)) >= 0) {
		v = NULL;
		rc = info_mcx_id(rest, rest_len, elem ? elem : mc_info[k].elem, &v);
		if(rc == MCSEC_OK)
			*out = v;
		return rc;
	}
	if(!mcsec_mime_type_is(rest_ctype, ctl, "multipart/mixed"))
		return MCSEC_ERR_NOT_FOUND;
	rc = mcsec_mime_parse(rest, rest_len, rest_ctype, ctl, &m);
	if(rc != MCSEC_OK)
		return rc == MCSEC_ERR_INTERNAL ? rc : MCSEC_ERR_MALFORMED;
	for(size_t i = 0; i < m.nparts && rc == MCSEC_OK; i++) {
		const mcsec_mime_part_t *p = &m.parts[i];
		if(!p->ctype || (k = mc_info_index(p->ctype, p->ctype_len)) < 0)
			continue;
		if(mcsec_mime_part_cte(p) != MCSEC_MIME_CTE_IDENTITY) {
			rc = MCSEC_ERR_UNSUPPORTED;
			break;
		}
		v = NULL;
		rc = info_mcx_id(
				p->body, p->body_len, elem ? elem : mc_info[k].elem, &v);
		rc = merge_candidate(rc, v, &best);
	}
	if(rc == MCSEC_OK && !best)
		rc = MCSEC_ERR_NOT_FOUND;
	if(rc != MCSEC_OK) {
		free(best);
		return rc;
	}
	*out = best;
	return MCSEC_OK;
}

int mcsec_csk_status(int err, const char **reason)
{
	const char *r;
	int st;

	switch(err) {
		case MCSEC_ERR_MALFORMED:
			st = 400;
			r = "Malformed CSK upload";
			break;
		case MCSEC_ERR_UNSUPPORTED:
			st = 400;
			r = "Unsupported CSK upload";
			break;
		case MCSEC_ERR_BAD_SIGNATURE:
			st = 403;
			r = "CSK upload signature or integrity check failed";
			break;
		case MCSEC_ERR_NOT_FOR_US:
			st = 403;
			r = "CSK upload not addressed to this proxy";
			break;
		case MCSEC_ERR_NO_KEYSET:
			st = 403;
			r = "CSK upload for a key period we hold no key for";
			break;
		case MCSEC_ERR_STALE:
			st = 403;
			r = "CSK upload timestamp not fresh";
			break;
		case MCSEC_ERR_REPLAYED:
			st = 403;
			r = "CSK upload replayed";
			break;
		case MCSEC_ERR_WRONG_PURPOSE:
			st = 403;
			r = "Key uploaded is not a CSK";
			break;
		case MCSEC_ERR_REVOKED:
			st = 403;
			r = "CSK upload key material revoked";
			break;
		case MCSEC_ERR_EXPIRED:
			st = 403;
			r = "CSK upload key material expired";
			break;
		case MCSEC_ERR_DECAP_FAILED:
			st = 403;
			r = "CSK upload decapsulation failed";
			break;
		case MCSEC_ERR_IDENTITY_MISMATCH:
			st = 403;
			r = "CSK upload identity mismatch";
			break;
		case MCSEC_ERR_NOT_FOUND:
			st = 403;
			r = "Encrypted XML names an unknown key";
			break;
		case MCSEC_ERR_UNKNOWN_KMS:
			st = 488;
			r = "KMS not acceptable";
			break;
		default:
			st = 500;
			r = "CSK upload internal error";
			break;
	}
	if(reason)
		*reason = r;
	return st;
}
