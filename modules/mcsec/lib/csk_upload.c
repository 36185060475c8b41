/*
 * mcsec - CSK upload body handling (TS 33.180 5.4, 9.2.1.3, I.3.4).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "csk_upload.h"
#include "encoding.h"
#include "mcsec_err.h"
#include "mime_multipart.h"

#define MIKEY_TYPE "application/mikey" /* RFC 3830 10 */

static char *dup_mem(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if(!s)
		return NULL;
	if(n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* 1 if the octets contain s (ASCII case-insensitive) */
static int contains_ci(const char *p, size_t n, const char *s)
{
	size_t sl = strlen(s);
	for(size_t i = 0; sl <= n && i <= n - sl; i++)
		if(!strncasecmp(p + i, s, sl))
			return 1;
	return 0;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Content-Transfer-Encoding value (RFC 2045 6.1) equals tok, ignoring case
 * and surrounding blanks */
static int cte_is(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);
	while(n && is_ws(*v)) {
		v++;
		n--;
	}
	while(n && is_ws(v[n - 1]))
		n--;
	return n == tl && !strncasecmp(v, tok, tl);
}

/* RFC 2045 6: identity encodings keep the octets; base64 (6.8) is decoded;
 * anything else (quoted-printable, x-tokens) is refused */
static int decode_part(const mcsec_mime_part_t *p, mcsec_csk_body_t *out)
{
	if(p->body_len == 0 || p->body_len > MCSEC_CSK_MAX_MIKEY)
		return MCSEC_ERR_MALFORMED;
	if(!p->cte || cte_is(p->cte, p->cte_len, "binary")
			|| cte_is(p->cte, p->cte_len, "8bit")
			|| cte_is(p->cte, p->cte_len, "7bit")) {
		out->mikey = (uint8_t *)dup_mem(p->body, p->body_len);
		if(!out->mikey)
			return MCSEC_ERR_INTERNAL;
		out->mikey_len = p->body_len;
		return MCSEC_OK;
	}
	if(!cte_is(p->cte, p->cte_len, "base64"))
		return MCSEC_ERR_MALFORMED;
	/* decoded size <= 3/4 of the encoded size */
	size_t cap = p->body_len / 4 * 3 + 3;
	uint8_t *raw = malloc(cap);
	if(!raw)
		return MCSEC_ERR_INTERNAL;
	/* the decoder skips blanks; line breaks (76-column base64) as well */
	char *flat = malloc(p->body_len);
	size_t fl = 0;
	if(!flat) {
		free(raw);
		return MCSEC_ERR_INTERNAL;
	}
	for(size_t i = 0; i < p->body_len; i++)
		if(p->body[i] != '\r' && p->body[i] != '\n')
			flat[fl++] = p->body[i];
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
				&& contains_ci(body, len, MIKEY_TYPE))
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
		out->rest = dup_mem(p->body, p->body_len);
		out->rest_len = p->body_len;
		out->rest_ctype = p->ctype ? dup_mem(p->ctype, p->ctype_len)
								   : dup_mem("text/plain", 10);
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
	out->rest_ctype = dup_mem(ctype, ctype_len);
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
	if(!EVP_Digest(raw, len, out, &dl, EVP_sha256(), NULL)
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
