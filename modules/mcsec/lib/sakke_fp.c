/*
 * mcsec - F_p and F_p^2 arithmetic for SAKKE parameter set 1
 * (RFC 6508 2.1, RFC 6509 Appendix A).  See sakke_fp.h.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mcsec_err.h"
#include "sakke_fp.h"
#include "sakke_params.h"

typedef unsigned __int128 u128;

#define N SAKKE_LIMBS

sakke_fp_t sakke_p_int, sakke_q_int;
sakke_fp_t sakke_fp_one;

/* Per-process constants, written once under pthread_once. */
static uint64_t p_inv;	 /* -p^-1 mod 2^64 */
static sakke_fp_t fp_r2; /* 2^2048 mod p */
static sakke_fp_t fp_r3; /* 2^3072 mod p */
static int use_mulx;	 /* CPU has BMI2: sakke_fp_mulx.c */
static int fp_init_rc = MCSEC_ERR_INTERNAL;
static pthread_once_t fp_once = PTHREAD_ONCE_INIT;

void sakke_int_from_bytes(sakke_fp_t *r, const uint8_t in[SAKKE_FP_BYTES])
{
	for(int i = 0; i < N; i++) {
		uint64_t w = 0;
		const uint8_t *s = in + SAKKE_FP_BYTES - 8 * (i + 1);
		for(int j = 0; j < 8; j++)
			w = (w << 8) | s[j];
		r->v[i] = w;
	}
}

void sakke_int_to_bytes(uint8_t out[SAKKE_FP_BYTES], const sakke_fp_t *a)
{
	for(int i = 0; i < N; i++) {
		uint64_t w = a->v[i];
		uint8_t *d = out + SAKKE_FP_BYTES - 8 * (i + 1);
		for(int j = 7; j >= 0; j--) {
			d[j] = (uint8_t)w;
			w >>= 8;
		}
	}
}

/* 1024-bit add/subtract with carry chains (adc/sbb on x86-64). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <x86intrin.h>
static inline uint64_t int_add(
		uint64_t *r, const uint64_t *a, const uint64_t *b)
{
	unsigned char c = 0;
	unsigned long long t;
#pragma GCC unroll 16
	for(int i = 0; i < N; i++) {
		c = _addcarry_u64(c, a[i], b[i], &t);
		r[i] = t;
	}
	return c;
}
static inline uint64_t int_sub(
		uint64_t *r, const uint64_t *a, const uint64_t *b)
{
	unsigned char c = 0;
	unsigned long long t;
#pragma GCC unroll 16
	for(int i = 0; i < N; i++) {
		c = _subborrow_u64(c, a[i], b[i], &t);
		r[i] = t;
	}
	return c;
}
#else
static inline uint64_t int_add(
		uint64_t *r, const uint64_t *a, const uint64_t *b)
{
	u128 c = 0;
	for(int i = 0; i < N; i++) {
		c += (u128)a[i] + b[i];
		r[i] = (uint64_t)c;
		c >>= 64;
	}
	return (uint64_t)c;
}
static inline uint64_t int_sub(
		uint64_t *r, const uint64_t *a, const uint64_t *b)
{
	uint64_t borrow = 0;
	for(int i = 0; i < N; i++) {
		u128 d = (u128)a[i] - b[i] - borrow;
		r[i] = (uint64_t)d;
		borrow = (uint64_t)(d >> 64) & 1;
	}
	return borrow;
}
#endif

/* r = keep ? x : y, word by word */
static inline void select_words(
		uint64_t *r, const uint64_t *x, const uint64_t *y, uint64_t keep)
{
#pragma GCC unroll 16
	for(int i = 0; i < N; i++)
		r[i] = (x[i] & keep) | (y[i] & ~keep);
}

uint64_t sakke_int_add(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b)
{
	return int_add(r->v, a->v, b->v);
}

uint64_t sakke_int_sub(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b)
{
	return int_sub(r->v, a->v, b->v);
}

uint64_t sakke_int_lt_mask(const sakke_fp_t *a, const sakke_fp_t *m)
{
	sakke_fp_t t;
	return (uint64_t)0 - sakke_int_sub(&t, a, m);
}

void sakke_fp_cmov(sakke_fp_t *r, const sakke_fp_t *a, uint64_t mask)
{
	for(int i = 0; i < N; i++)
		r->v[i] ^= mask & (r->v[i] ^ a->v[i]);
}

uint64_t sakke_fp_is_zero_mask(const sakke_fp_t *a)
{
	uint64_t acc = 0;
	for(int i = 0; i < N; i++)
		acc |= a->v[i];
	/* acc == 0 -> ~0; else 0 */
	return ((acc | (0 - acc)) >> 63) - 1;
}

uint64_t sakke_fp_eq_mask(const sakke_fp_t *a, const sakke_fp_t *b)
{
	sakke_fp_t d;
	for(int i = 0; i < N; i++)
		d.v[i] = a->v[i] ^ b->v[i];
	return sakke_fp_is_zero_mask(&d);
}

/* Montgomery multiplication, FIOS (multiplication and reduction in one
 * pass per word of b); a, b < p; result < p.  Since p > 2^1023 the running
 * value can reach 2p > 2^1024, hence the extra word t[N]. */
void sakke_fp_mul(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b)
{
	const uint64_t *p = sakke_p_int.v;
	uint64_t t[N + 1];
	if(use_mulx) {
		sakke_fp_mulx_mont(r->v, a->v, b->v, p, p_inv);
		return;
	}
	memset(t, 0, sizeof(t));
	for(int i = 0; i < N; i++) {
		uint64_t bi = b->v[i];
		u128 s1 = (u128)a->v[0] * bi + t[0];
		uint64_t m = (uint64_t)s1 * p_inv;
		u128 s2 = (u128)m * p[0] + (uint64_t)s1;
		uint64_t c1 = (uint64_t)(s1 >> 64), c2 = (uint64_t)(s2 >> 64);
#pragma GCC unroll 16
		for(int j = 1; j < N; j++) {
			s1 = (u128)a->v[j] * bi + t[j] + c1;
			c1 = (uint64_t)(s1 >> 64);
			s2 = (u128)m * p[j] + (uint64_t)s1 + c2;
			c2 = (uint64_t)(s2 >> 64);
			t[j - 1] = (uint64_t)s2;
		}
		u128 s = (u128)t[N] + c1 + c2;
		t[N - 1] = (uint64_t)s;
		t[N] = (uint64_t)(s >> 64);
	}
	/* t < 2p: subtract p unless that borrows out of t[N]. */
	uint64_t u[N];
	uint64_t borrow = int_sub(u, t, p);
	uint64_t keep = t[N] - borrow; /* ~0 iff t < p */
	select_words(r->v, t, u, keep);
}

void sakke_fp_sqr(sakke_fp_t *r, const sakke_fp_t *a)
{
	sakke_fp_mul(r, a, a);
}

void sakke_fp_add(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b)
{
	uint64_t s[N], u[N];
	uint64_t carry = int_add(s, a->v, b->v);
	uint64_t borrow = int_sub(u, s, sakke_p_int.v);
	uint64_t keep = carry - borrow; /* ~0 iff s < p (and no carry) */
	select_words(r->v, s, u, keep);
}

void sakke_fp_sub(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b)
{
	uint64_t d[N], u[N];
	uint64_t borrow = int_sub(d, a->v, b->v);
	int_add(u, d, sakke_p_int.v);
	select_words(r->v, u, d, 0 - borrow);
}

void sakke_fp_neg(sakke_fp_t *r, const sakke_fp_t *a)
{
	sakke_fp_t z;
	memset(&z, 0, sizeof(z));
	sakke_fp_sub(r, &z, a);
}

void sakke_fp_to_mont(sakke_fp_t *r, const sakke_fp_t *a)
{
	sakke_fp_mul(r, a, &fp_r2);
}

void sakke_fp_from_mont(sakke_fp_t *r, const sakke_fp_t *a)
{
	sakke_fp_t one;
	memset(&one, 0, sizeof(one));
	one.v[0] = 1;
	sakke_fp_mul(r, a, &one);
}

void sakke_fp_to_bytes(uint8_t out[SAKKE_FP_BYTES], const sakke_fp_t *a)
{
	sakke_fp_t t;
	sakke_fp_from_mont(&t, a);
	sakke_int_to_bytes(out, &t);
	OPENSSL_cleanse(&t, sizeof(t));
}

static int bn_from_int(BIGNUM *bn, const sakke_fp_t *a)
{
	uint8_t buf[SAKKE_FP_BYTES];
	sakke_int_to_bytes(buf, a);
	int ok = BN_bin2bn(buf, sizeof(buf), bn) != NULL;
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok;
}

static int int_from_bn(sakke_fp_t *r, const BIGNUM *bn)
{
	uint8_t buf[SAKKE_FP_BYTES];
	int ok = BN_bn2binpad(bn, buf, sizeof(buf)) == (int)sizeof(buf);
	if(ok)
		sakke_int_from_bytes(r, buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok;
}

static void fp_init_once(void)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = BN_new(), *t = BN_new();
	sakke_int_from_bytes(&sakke_p_int, sakke_param_p);
	sakke_int_from_bytes(&sakke_q_int, sakke_param_q);
	/* Newton iteration for p^-1 mod 2^64, then negate. */
	uint64_t x = 1;
	for(int i = 0; i < 7; i++)
		x *= 2 - sakke_p_int.v[0] * x;
	p_inv = 0 - x;
	use_mulx = sakke_fp_mulx_available();
	if(!ctx || !p || !t || !bn_from_int(p, &sakke_p_int))
		goto out;
	/* R mod p, R^2 mod p, R^3 mod p with R = 2^1024 */
	if(!BN_set_word(t, 1) || !BN_lshift(t, t, 1024) || !BN_mod(t, t, p, ctx)
			|| !int_from_bn(&sakke_fp_one, t))
		goto out;
	if(!BN_set_word(t, 1) || !BN_lshift(t, t, 2048) || !BN_mod(t, t, p, ctx)
			|| !int_from_bn(&fp_r2, t))
		goto out;
	if(!BN_set_word(t, 1) || !BN_lshift(t, t, 3072) || !BN_mod(t, t, p, ctx)
			|| !int_from_bn(&fp_r3, t))
		goto out;
	fp_init_rc = MCSEC_OK;
out:
	BN_free(p);
	BN_free(t);
	BN_CTX_free(ctx);
}

void sakke_fp_use_mulx(int on)
{
	use_mulx = on && sakke_fp_mulx_available();
}

int sakke_fp_init(void)
{
	if(pthread_once(&fp_once, fp_init_once) != 0)
		return MCSEC_ERR_INTERNAL;
	return fp_init_rc;
}

int sakke_fp_inv(sakke_fp_t *r, const sakke_fp_t *a)
{
	/* a = xR.  Blind with tau: y = mont(a, tauR) = x*tau*R; BN inverse of
	 * the integer y gives (x tau)^-1 R^-1; times R^3 and tauR (Montgomery
	 * products) gives x^-1 R. */
	uint8_t buf[SAKKE_FP_BYTES];
	sakke_fp_t tau, y, yi;
	BIGNUM *bn = NULL, *bp = NULL, *bi = NULL;
	BN_CTX *ctx = NULL;
	int rc = MCSEC_ERR_INTERNAL;

	do {
		if(RAND_priv_bytes(buf, sizeof(buf)) != 1)
			goto out;
		buf[0] &= 0x7f; /* < 2^1023 < p */
		sakke_int_from_bytes(&tau, buf);
	} while(sakke_fp_is_zero_mask(&tau));
	sakke_fp_mul(&y, a, &tau); /* y = x * tau' where tau' = tau R^-1 */
	ctx = BN_CTX_new();
	bn = BN_new();
	bp = BN_new();
	if(!ctx || !bn || !bp || !bn_from_int(bn, &y)
			|| !bn_from_int(bp, &sakke_p_int))
		goto out;
	bi = BN_mod_inverse(NULL, bn, bp, ctx);
	if(!bi) {
		/* only a zero input (y = a tau = 0) has no inverse */
		if(BN_is_zero(bn))
			rc = MCSEC_ERR_ARG;
		goto out;
	}
	if(!int_from_bn(&yi, bi))
		goto out;
	/* yi = (x tau')^-1 R^-1 as an integer; mont(yi, R3) = (x tau')^-1 R;
	 * mont(that, tau) = x^-1 tau'^-1 tau R^-1 ... with tau' = tau R^-1:
	 * = x^-1 R. */
	sakke_fp_mul(&yi, &yi, &fp_r3);
	sakke_fp_mul(r, &yi, &tau);
	rc = MCSEC_OK;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(&tau, sizeof(tau));
	OPENSSL_cleanse(&y, sizeof(y));
	OPENSSL_cleanse(&yi, sizeof(yi));
	BN_clear_free(bn);
	BN_clear_free(bi);
	BN_free(bp);
	BN_CTX_free(ctx);
	return rc;
}

int sakke_fp_batch_inv(sakke_fp_t *x, size_t n, sakke_fp_t *scratch)
{
	sakke_fp_t acc, t;
	int rc;
	if(n == 0)
		return MCSEC_OK;
	/* scratch[i] = x[0] * ... * x[i] */
	scratch[0] = x[0];
	for(size_t i = 1; i < n; i++)
		sakke_fp_mul(&scratch[i], &scratch[i - 1], &x[i]);
	rc = sakke_fp_inv(&acc, &scratch[n - 1]);
	if(rc != MCSEC_OK)
		return rc;
	for(size_t i = n - 1; i > 0; i--) {
		sakke_fp_mul(&t, &acc, &scratch[i - 1]); /* x[i]^-1 */
		sakke_fp_mul(&acc, &acc, &x[i]);
		x[i] = t;
	}
	x[0] = acc;
	OPENSSL_cleanse(&acc, sizeof(acc));
	OPENSSL_cleanse(&t, sizeof(t));
	return MCSEC_OK;
}

/* Karatsuba: (a + ib)(c + id) = (ac - bd) + i((a+b)(c+d) - ac - bd) */
void sakke_fp2_mul(sakke_fp2_t *r, const sakke_fp2_t *x, const sakke_fp2_t *y)
{
	sakke_fp_t ac, bd, s, t;
	sakke_fp_mul(&ac, &x->a, &y->a);
	sakke_fp_mul(&bd, &x->b, &y->b);
	sakke_fp_add(&s, &x->a, &x->b);
	sakke_fp_add(&t, &y->a, &y->b);
	sakke_fp_mul(&s, &s, &t);
	sakke_fp_sub(&s, &s, &ac);
	sakke_fp_sub(&r->b, &s, &bd);
	sakke_fp_sub(&r->a, &ac, &bd);
}

/* (a + ib)^2 = (a+b)(a-b) + i 2ab */
void sakke_fp2_sqr(sakke_fp2_t *r, const sakke_fp2_t *x)
{
	sakke_fp_t s, d, m;
	sakke_fp_add(&s, &x->a, &x->b);
	sakke_fp_sub(&d, &x->a, &x->b);
	sakke_fp_mul(&m, &x->a, &x->b);
	sakke_fp_mul(&r->a, &s, &d);
	sakke_fp_add(&r->b, &m, &m);
}

/* (a + ib)(1 + it) = (a - bt) + i(b + at) */
void sakke_fp2_mul_1it(
		sakke_fp2_t *r, const sakke_fp2_t *x, const sakke_fp_t *t)
{
	sakke_fp_t bt, at;
	sakke_fp_mul(&bt, &x->b, t);
	sakke_fp_mul(&at, &x->a, t);
	sakke_fp_sub(&bt, &x->a, &bt);
	sakke_fp_add(&r->b, &x->b, &at);
	r->a = bt;
}
