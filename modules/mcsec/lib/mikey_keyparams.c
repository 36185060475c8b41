/*
 * mcsec - the MIKEY key-parameters general extension (TS 33.180 E.6): an
 * MCData protected payload (8.5.4) whose Payload TLV-E is the Key
 * Parameters IE with only its content encrypted under the DPCK (F.1.5) of
 * the distributed key.
 *
 * Readings (DESIGN.md section 4): emit message type 0x43, accept any type
 * with the protected bit 0x40; DP_AES_128_GCM uses the whole 16-octet IV
 * field as the GCM IV; AD = the 32 header octets; IEIs 0x00.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kdf.h"
#include "encoding.h"
#include "evp_cache.h"
#include "mcsec_err.h"
#include "mikey.h"

#define KP_HDR_LEN 32 /* 8.5.4.1: 1+5+4+1+1+16+4 */
#define KP_IV_LEN 16
#define KP_TAG_LEN 16
#define KP_FIXED_LEN \
	15 /* E.6.1: key type 1, status 4, activation 5, expiry 5 */

static int kp_fail(
		mcsec_mikey_err_t *err, int code, size_t off, const char *what)
{
	if(err) {
		err->code = code;
		err->offset = off;
		err->what = what;
	}
	return code;
}

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
	for(size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for(size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static int key_type_has_groups(uint8_t t)
{
	/* E.6.3: only for GMK, MKFC, MuSiK */
	return t == MCSEC_PURPOSE_GMK || t == MCSEC_PURPOSE_MKFC
		   || t == MCSEC_PURPOSE_MUSIK;
}

/* E.6.1 content octets. */
static int kp_encode_content(
		const mcsec_mikey_keyparams_t *kp, uint8_t **out, size_t *out_len)
{
	size_t n = KP_FIXED_LEN + 2 + kp->text_len, glen = 0, off;
	uint8_t *b;

	if(kp->text_len > 0xffff || kp->ngroups > MCSEC_KP_MAX_GROUPS
			|| kp->activation >> 40 || kp->expiry >> 40)
		return MCSEC_ERR_ARG;
	if(kp->has_groups) {
		glen = 1;
		for(size_t i = 0; i < kp->ngroups; i++) {
			if(kp->group_lens[i] > 0xffff)
				return MCSEC_ERR_ARG;
			glen += 3 + kp->group_lens[i];
		}
		if(glen > 0xffff)
			return MCSEC_ERR_ARG;
		n += 2 + glen;
	}
	if(n > 0xffff - KP_TAG_LEN)
		return MCSEC_ERR_ARG;
	b = malloc(n);
	if(!b)
		return MCSEC_ERR_INTERNAL;
	b[0] = kp->key_type;
	put_be(b + 1, kp->status, 4);
	put_be(b + 5, kp->activation, 5);
	put_be(b + 10, kp->expiry, 5);
	put_be(b + 15, kp->text_len, 2);
	if(kp->text_len)
		memcpy(b + 17, kp->text, kp->text_len);
	off = 17 + kp->text_len;
	if(kp->has_groups) {
		put_be(b + off, glen, 2);
		b[off + 2] = (uint8_t)kp->ngroups;
		off += 3;
		for(size_t i = 0; i < kp->ngroups; i++) {
			b[off] = 0x00; /* IEI */
			put_be(b + off + 1, kp->group_lens[i], 2);
			memcpy(b + off + 3, kp->groups[i], kp->group_lens[i]);
			off += 3 + kp->group_lens[i];
		}
	}
	*out = b;
	*out_len = n;
	return MCSEC_OK;
}


/* Group IDs LV-E body (E.6.3): number, then TLV-E per group.  Returns
 * MCSEC_OK only when it consumes exactly len octets. */
static int kp_parse_groups(const uint8_t *p, size_t len,
		mcsec_mikey_keyparams_t *kp, size_t base, mcsec_mikey_err_t *err)
{
	size_t off = 1, n;

	if(len < 1)
		return kp_fail(err, MCSEC_ERR_MALFORMED, base, "MC group IDs empty");
	n = p[0];
	kp->groups = calloc(n ? n : 1, sizeof(char *));
	kp->group_lens = calloc(n ? n : 1, sizeof(size_t));
	if(!kp->groups || !kp->group_lens)
		return kp_fail(err, MCSEC_ERR_INTERNAL, base, "out of memory");
	for(size_t i = 0; i < n; i++) {
		size_t gl;
		if(len - off < 3)
			return kp_fail(err, MCSEC_ERR_MALFORMED, base + off,
					"MC group ID truncated");
		gl = get_be(p + off + 1, 2);
		if(len - off - 3 < gl)
			return kp_fail(err, MCSEC_ERR_MALFORMED, base + off + 1,
					"MC group ID length overflows");
		kp->groups[i] = mcsec_memdup_str(p + off + 3, gl);
		if(!kp->groups[i])
			return kp_fail(err, MCSEC_ERR_INTERNAL, base, "out of memory");
		kp->group_lens[i] = gl;
		kp->ngroups = i + 1;
		off += 3 + gl;
	}
	if(off != len)
		return kp_fail(err, MCSEC_ERR_MALFORMED, base + off,
				"MC group IDs trailing octets");
	kp->has_groups = 1;
	return MCSEC_OK;
}

/* Offsets reported for content errors are relative to the content start. */
static int kp_parse_content(const uint8_t *p, size_t len,
		mcsec_mikey_keyparams_t *kp, mcsec_mikey_err_t *err)
{
	size_t off, tl;

	if(len < KP_FIXED_LEN + 2)
		return kp_fail(err, MCSEC_ERR_MALFORMED, 0,
				"key parameters content truncated");
	kp->key_type = p[0];
	kp->status = (uint32_t)get_be(p + 1, 4);
	kp->activation = get_be(p + 5, 5);
	kp->expiry = get_be(p + 10, 5);
	tl = get_be(p + 15, 2);
	off = 17;
	if(len - off < tl)
		return kp_fail(err, MCSEC_ERR_MALFORMED, 15,
				"key parameters text length overflows");
	kp->text = mcsec_memdup_str(p + off, tl);
	if(!kp->text)
		return kp_fail(err, MCSEC_ERR_INTERNAL, off, "out of memory");
	kp->text_len = tl;
	off += tl;
	if(off == len)
		return MCSEC_OK;
	/* MC group IDs LV-E (conditional, E.6.3), then Reserved TLV-E (E.6.6) */
	if(len - off >= 2) {
		size_t gl = get_be(p + off, 2);
		int try_groups = key_type_has_groups(kp->key_type);
		if(!try_groups && len - off - 2 >= gl && gl >= 1) {
			/* not a group key: groups only if they parse exactly */
			mcsec_mikey_keyparams_t t;
			memset(&t, 0, sizeof(t));
			try_groups = kp_parse_groups(p + off + 2, gl, &t, off + 2, NULL)
						 == MCSEC_OK;
			mcsec_mikey_keyparams_clear(&t);
		}
		if(try_groups) {
			int rc;
			if(len - off - 2 < gl)
				return kp_fail(err, MCSEC_ERR_MALFORMED, off,
						"MC group IDs length overflows");
			if((rc = kp_parse_groups(p + off + 2, gl, kp, off + 2, err)))
				return rc;
			off += 2 + gl;
			if(off == len)
				return MCSEC_OK;
		}
	}
	if(len - off >= 3) {
		size_t rl = get_be(p + off + 1, 2);
		if(len - off - 3 == rl) {
			kp->has_reserved = 1;
			return MCSEC_OK;
		}
	}
	return kp_fail(
			err, MCSEC_ERR_MALFORMED, off, "key parameters trailing octets");
}

/* AES-GCM with a 16-octet IV (8.5.4.2).  enc=1: in -> out||tag;
 * enc=0: in (ct||tag) -> out, MCSEC_ERR_DECAP_FAILED on a bad tag. */
static int kp_gcm(int enc, const uint8_t key[16], const uint8_t iv[KP_IV_LEN],
		const uint8_t *ad, size_t ad_len, const uint8_t *in, size_t in_len,
		uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int ok = 0, l;
	size_t body = enc ? in_len : in_len - KP_TAG_LEN;

	if(!c)
		return MCSEC_ERR_INTERNAL;
	if(!enc && in_len < KP_TAG_LEN)
		goto done;
	if(EVP_CipherInit_ex(c, mcsec_evp_aes_gcm(16), NULL, NULL, NULL, enc) != 1
			|| EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, KP_IV_LEN, NULL)
					   != 1
			|| EVP_CipherInit_ex(c, NULL, NULL, key, iv, enc) != 1)
		goto done;
	if(EVP_CipherUpdate(c, NULL, &l, ad, (int)ad_len) != 1)
		goto done;
	if(body && EVP_CipherUpdate(c, out, &l, in, (int)body) != 1)
		goto done;
	if(!enc
			&& EVP_CIPHER_CTX_ctrl(
					   c, EVP_CTRL_GCM_SET_TAG, KP_TAG_LEN, (void *)(in + body))
					   != 1)
		goto done;
	if(EVP_CipherFinal_ex(c, out + body, &l) != 1)
		goto done;
	if(enc
			&& EVP_CIPHER_CTX_ctrl(
					   c, EVP_CTRL_GCM_GET_TAG, KP_TAG_LEN, out + body)
					   != 1)
		goto done;
	ok = 1;
done:
	EVP_CIPHER_CTX_free(c);
	if(!ok)
		return enc ? MCSEC_ERR_INTERNAL : MCSEC_ERR_DECAP_FAILED;
	return MCSEC_OK;
}

int mcsec_mikey_kp_protect(const mcsec_mikey_keyparams_t *kp,
		const uint8_t key[MCSEC_MIKEY_KEY_LEN], uint32_t dppk_id,
		uint64_t date_time, const uint8_t *iv, uint8_t **out, size_t *out_len)
{
	uint8_t *content = NULL, *b = NULL, dpck[32];
	size_t clen, dlen, n;
	int rc;

	if(!kp || !key || !out || !out_len || date_time >> 40)
		return MCSEC_ERR_ARG;
	if((rc = kp_encode_content(kp, &content, &clen)))
		return rc;
	n = KP_HDR_LEN + 3 + clen + KP_TAG_LEN;
	b = malloc(n);
	if(!b) {
		rc = MCSEC_ERR_INTERNAL;
		goto done;
	}
	/* 8.5.4.1 header; Payload ID and sequence number 0 (E.6.1) */
	b[0] = MCSEC_KP_MSG_TYPE;
	put_be(b + 1, date_time, 5);
	put_be(b + 6, 0, 4);
	b[10] = 0;
	b[11] = MCSEC_KP_ALG_AES_128_GCM;
	if(iv)
		memcpy(b + 12, iv, KP_IV_LEN);
	else if(RAND_bytes(b + 12, KP_IV_LEN) != 1) {
		rc = MCSEC_ERR_INTERNAL;
		goto done;
	}
	put_be(b + 28, dppk_id, 4);
	/* Payload TLV-E: the Key Parameters IE, content encrypted */
	b[32] = 0x00;
	put_be(b + 33, clen + KP_TAG_LEN, 2);
	if((rc = mcsec_dpck(key, MCSEC_MIKEY_KEY_LEN, dppk_id, dpck, &dlen)))
		goto done;
	rc = kp_gcm(1, dpck, b + 12, b, KP_HDR_LEN, content, clen, b + 35);
	OPENSSL_cleanse(dpck, sizeof(dpck));
	if(rc)
		goto done;
	*out = b;
	*out_len = n;
	b = NULL;
done:
	free(b);
	if(content) {
		OPENSSL_cleanse(content, clen);
		free(content);
	}
	return rc;
}

int mcsec_mikey_kp_header(const uint8_t *d, size_t len,
		mcsec_mikey_keyparams_t *kp, mcsec_mikey_err_t *err)
{
	size_t pl;

	if(!d || !kp)
		return MCSEC_ERR_ARG;
	memset(kp, 0, sizeof(*kp));
	if(len < KP_HDR_LEN + 3)
		return kp_fail(err, MCSEC_ERR_MALFORMED, len,
				"key parameters protected payload truncated");
	kp->msg_type = d[0];
	kp->date_time = get_be(d + 1, 5);
	kp->alg = d[11];
	kp->dppk_id = (uint32_t)get_be(d + 28, 4);
	if(!(kp->msg_type & 0x40))
		return kp_fail(err, MCSEC_ERR_UNSUPPORTED, 0,
				"key parameters message type not protected (8.5.4)");
	if(kp->alg != MCSEC_KP_ALG_AES_128_GCM)
		return kp_fail(err, MCSEC_ERR_UNSUPPORTED, 11,
				"key parameters algorithm not DP_AES_128_GCM");
	pl = get_be(d + 33, 2);
	if(pl != len - KP_HDR_LEN - 3)
		return kp_fail(err, MCSEC_ERR_MALFORMED, 33,
				"key parameters payload length mismatch");
	if(pl < KP_TAG_LEN)
		return kp_fail(err, MCSEC_ERR_MALFORMED, 33,
				"key parameters payload shorter than the tag");
	return MCSEC_OK;
}

int mcsec_mikey_kp_unprotect(const uint8_t *d, size_t len,
		const uint8_t key[MCSEC_MIKEY_KEY_LEN], mcsec_mikey_keyparams_t *kp,
		mcsec_mikey_err_t *err)
{
	uint8_t dpck[32], *pt = NULL;
	size_t dlen, clen;
	int rc;
	mcsec_mikey_keyparams_t h;

	if(!key)
		return MCSEC_ERR_ARG;
	if((rc = mcsec_mikey_kp_header(d, len, kp, err)))
		return rc;
	h = *kp;
	clen = len - KP_HDR_LEN - 3 - KP_TAG_LEN;
	pt = malloc(clen ? clen : 1);
	if(!pt)
		return MCSEC_ERR_INTERNAL;
	if((rc = mcsec_dpck(key, MCSEC_MIKEY_KEY_LEN, kp->dppk_id, dpck, &dlen)))
		goto done;
	rc = kp_gcm(0, dpck, d + 12, d, KP_HDR_LEN, d + KP_HDR_LEN + 3,
			clen + KP_TAG_LEN, pt);
	OPENSSL_cleanse(dpck, sizeof(dpck));
	if(rc) {
		kp_fail(err, rc, KP_HDR_LEN + 3,
				"key parameters authentication failed");
		goto done;
	}
	rc = kp_parse_content(pt, clen, kp, err);
	if(rc && err)
		err->offset += KP_HDR_LEN + 3;
	kp->msg_type = h.msg_type;
	kp->date_time = h.date_time;
	kp->alg = h.alg;
	kp->dppk_id = h.dppk_id;
done:
	OPENSSL_cleanse(pt, clen ? clen : 1);
	free(pt);
	if(rc)
		mcsec_mikey_keyparams_clear(kp);
	return rc;
}

void mcsec_mikey_keyparams_clear(mcsec_mikey_keyparams_t *kp)
{
	if(!kp)
		return;
	free(kp->text);
	if(kp->groups)
		for(size_t i = 0; i < kp->ngroups; i++)
			free(kp->groups[i]);
	free(kp->groups);
	free(kp->group_lens);
	memset(kp, 0, sizeof(*kp));
}
