/*
 * mcsec - HashToIntegerRange (RFC 6508 5.1), Hash = SHA-256 (RFC 6509 A).
 *
 *   A = Hash(s); h_0 = 0^hashlen; l = Ceiling(lg(n) / hashlen);
 *   h_i = Hash(h_(i-1)); v_i = Hash(h_i || A); v = (v_1 || ... || v_l) mod n
 *
 * For n = q (lg q ~ 1021.3) l = 4 and v' has 1024 bits; for n = 2^128,
 * l = 1 and v is the last 16 octets of v_1.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mcsec_err.h"
#include "sakke_hash.h"

#define HLEN 32

static int sha256_2(uint8_t out[HLEN], const uint8_t *a, size_t alen,
		const uint8_t *b, size_t blen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int olen = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)
			 && EVP_DigestUpdate(ctx, a, alen)
			 && (blen == 0 || EVP_DigestUpdate(ctx, b, blen))
			 && EVP_DigestFinal_ex(ctx, out, &olen) && olen == HLEN;
	EVP_MD_CTX_free(ctx);
	return ok ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

/* v' = v_1 || ... || v_l for A = Hash(s1 || s2) */
static int expand(uint8_t *v, int l, const uint8_t *s1, size_t len1,
		const uint8_t *s2, size_t len2)
{
	uint8_t a[HLEN], h[HLEN];
	int rc = sha256_2(a, s1, len1, s2, len2);
	memset(h, 0, sizeof(h));
	for(int i = 0; rc == MCSEC_OK && i < l; i++) {
		rc = sha256_2(h, h, HLEN, NULL, 0);
		if(rc == MCSEC_OK)
			rc = sha256_2(v + HLEN * i, h, HLEN, a, HLEN);
	}
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(h, sizeof(h));
	return rc;
}

/* r = r - m if r >= m (constant time) */
static void cond_sub(sakke_fp_t *r, const sakke_fp_t *m)
{
	sakke_fp_t t;
	uint64_t borrow = sakke_int_sub(&t, r, m);
	sakke_fp_cmov(r, &t, borrow - 1);
	OPENSSL_cleanse(&t, sizeof(t));
}

int sakke_hash_to_q(sakke_fp_t *r, const uint8_t *s1, size_t len1,
		const uint8_t *s2, size_t len2)
{
	uint8_t v[4 * HLEN];
	sakke_fp_t q2, q4;
	int rc = expand(v, 4, s1, len1, s2, len2);
	if(rc == MCSEC_OK) {
		/* v' < 2^1024 < 8q (p > 2^1023): subtract 4q, 2q, q as needed */
		sakke_int_from_bytes(r, v);
		sakke_int_add(&q2, &sakke_q_int, &sakke_q_int);
		sakke_int_add(&q4, &q2, &q2);
		cond_sub(r, &q4);
		cond_sub(r, &q2);
		cond_sub(r, &sakke_q_int);
	}
	OPENSSL_cleanse(v, sizeof(v));
	return rc;
}

int sakke_hash_to_2n(uint8_t out[16], const uint8_t *s, size_t len)
{
	uint8_t v[HLEN];
	int rc = expand(v, 1, s, len, NULL, 0);
	if(rc == MCSEC_OK)
		memcpy(out, v + HLEN - 16, 16);
	OPENSSL_cleanse(v, sizeof(v));
	return rc;
}
