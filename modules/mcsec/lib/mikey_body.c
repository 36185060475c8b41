/*
 * mcsec - MIKEY I_MESSAGEs in a SIP body (application/mikey parts and
 * SDP key-mgmt lines), for KMS policy at the edge (TS 33.180 5.2.8.2.3).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "mcsec_err.h"
#include "mikey.h"
#include "mikey_body.h"
#include "mime_multipart.h"
#include "sdp_keymgmt.h"

#define MIKEY_TYPE "application/mikey"
#define SDP_TYPE "application/sdp"

static int add(mcsec_mikey_body_t *b, const uint8_t *in, size_t len, int src,
		size_t part, size_t line, const char **what)
{
	mcsec_mikey_item_t *it;
	int rc;

	if(b->n >= MCSEC_MIKEY_BODY_MAX) {
		*what = "too many MIKEY messages in the body";
		return MCSEC_ERR_MALFORMED;
	}
	if(len == 0 || len > MCSEC_MIKEY_BODY_MAX_ONE) {
		*what = len ? "MIKEY message too long" : "empty MIKEY part";
		return MCSEC_ERR_MALFORMED;
	}
	it = &b->items[b->n];
	rc = mcsec_mikey_decode_input(in, len, &it->raw, &it->len);
	if(rc != MCSEC_OK) {
		*what = "MIKEY part is not raw MIKEY, base64 or 'mikey <base64>'";
		return rc == MCSEC_ERR_INTERNAL ? rc : MCSEC_ERR_MALFORMED;
	}
	it->src = src;
	it->part = part;
	it->line = line;
	b->n++;
	return MCSEC_OK;
}

/* RFC 2045 6: identity encodings as they are, base64 without its line
 * breaks; anything else refused */
static int add_part(mcsec_mikey_body_t *b, const mcsec_mime_part_t *p,
		size_t part, const char **what)
{
	int cte = mcsec_mime_part_cte(p), rc;
	char *flat;
	size_t fl = 0;

	if(cte == MCSEC_MIME_CTE_IDENTITY)
		return add(b, (const uint8_t *)p->body, p->body_len,
				MCSEC_MIKEY_SRC_PART, part, 0, what);
	if(cte != MCSEC_MIME_CTE_BASE64) {
		*what = "unsupported Content-Transfer-Encoding of a MIKEY part";
		return MCSEC_ERR_MALFORMED;
	}
	if(p->body_len == 0 || p->body_len > MCSEC_MIKEY_BODY_MAX_ONE) {
		*what = p->body_len ? "MIKEY message too long" : "empty MIKEY part";
		return MCSEC_ERR_MALFORMED;
	}
	flat = mcsec_mime_unfold(p->body, p->body_len, &fl);
	if(!flat)
		return MCSEC_ERR_INTERNAL;
	rc = add(b, (const uint8_t *)flat, fl, MCSEC_MIKEY_SRC_PART, part, 0, what);
	free(flat);
	return rc;
}

static int add_sdp(mcsec_mikey_body_t *b, const char *sdp, size_t len,
		size_t part, const char **what)
{
	mcsec_sdp_keymgmt_t km[MCSEC_SDP_KEYMGMT_MAX];
	size_t n = 0;
	int rc = mcsec_sdp_keymgmt_find(
			sdp, len, "mikey", km, MCSEC_SDP_KEYMGMT_MAX, &n, NULL);

	if(rc != MCSEC_OK) {
		*what = "malformed a=key-mgmt line in the SDP";
		return rc;
	}
	for(size_t i = 0; i < n && rc == MCSEC_OK; i++)
		rc = add(b, (const uint8_t *)km[i].data, km[i].data_len,
				MCSEC_MIKEY_SRC_SDP, part, km[i].line, what);
	return rc;
}

int mcsec_mikey_body_scan(const char *body, size_t len, const char *ctype,
		size_t ctype_len, mcsec_mikey_body_t *out, const char **what)
{
	const char *dummy;
	mcsec_mime_t m;
	int rc = MCSEC_OK;

	if(!what)
		what = &dummy;
	*what = NULL;
	if(!out || (!body && len) || (!ctype && ctype_len))
		return MCSEC_ERR_ARG;
	memset(out, 0, sizeof(*out));
	if(!len || !ctype_len)
		return MCSEC_OK;
	if(mcsec_mime_type_is(ctype, ctype_len, MIKEY_TYPE))
		rc = add(out, (const uint8_t *)body, len, MCSEC_MIKEY_SRC_PART, 0, 0,
				what);
	else if(mcsec_mime_type_is(ctype, ctype_len, SDP_TYPE))
		rc = add_sdp(out, body, len, 0, what);
	else if(mcsec_mime_type_is(ctype, ctype_len, "multipart/mixed")) {
		rc = mcsec_mime_parse(body, len, ctype, ctype_len, &m);
		if(rc != MCSEC_OK) {
			*what = "multipart body does not parse";
			rc = rc == MCSEC_ERR_INTERNAL ? rc : MCSEC_ERR_MALFORMED;
		}
		for(size_t i = 0; rc == MCSEC_OK && i < m.nparts; i++) {
			const mcsec_mime_part_t *p = &m.parts[i];
			if(!p->ctype)
				continue; /* text/plain (RFC 2045 5.2) */
			if(mcsec_mime_type_is(p->ctype, p->ctype_len, MIKEY_TYPE))
				rc = add_part(out, p, i + 1, what);
			else if(mcsec_mime_type_is(p->ctype, p->ctype_len, SDP_TYPE))
				rc = add_sdp(out, p->body, p->body_len, i + 1, what);
		}
	} else {
		const char *mt;
		size_t mtl;
		/* another multipart type holding MIKEY: refused, never forwarded
		 * unexamined */
		if(mcsec_mime_media_type(ctype, ctype_len, &mt, &mtl) == MCSEC_OK
				&& mtl >= 10 && !strncasecmp(mt, "multipart/", 10)
				&& (mcsec_mime_contains_ci(body, len, MIKEY_TYPE)
						|| mcsec_mime_contains_ci(body, len, "a=key-mgmt:"))) {
			*what = "MIKEY inside a multipart type other than "
					"multipart/mixed";
			rc = MCSEC_ERR_UNSUPPORTED;
		}
	}
	if(rc != MCSEC_OK)
		mcsec_mikey_body_clear(out);
	return rc;
}

void mcsec_mikey_body_clear(mcsec_mikey_body_t *b)
{
	if(!b)
		return;
	for(size_t i = 0; i < b->n; i++) {
		if(b->items[i].raw) {
			OPENSSL_cleanse(b->items[i].raw, b->items[i].len);
			free(b->items[i].raw);
		}
	}
	memset(b, 0, sizeof(*b));
}
