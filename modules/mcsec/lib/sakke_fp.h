/*
 * mcsec - arithmetic in F_p and F_p^2 = F_p[i]/(i^2 + 1) for SAKKE parameter
 * set 1 (RFC 6509 Appendix A: p is a 1024-bit prime, p = 3 mod 4).
 *
 * Elements are 16 little-endian 64-bit limbs in Montgomery form (a*2^1024
 * mod p), fully reduced.  Every function runs in time independent of the
 * values (no branch, no memory index on the data); masks are 0 or ~0.
 * Own fixed-size code instead of BIGNUM: no allocation, no top-word
 * normalisation (which branches on the value), and faster at this size.
 */
#ifndef MCSEC_SAKKE_FP_H
#define MCSEC_SAKKE_FP_H

#include <stddef.h>
#include <stdint.h>

#define SAKKE_LIMBS 16
#define SAKKE_FP_BYTES 128

typedef struct sakke_fp
{
	uint64_t v[SAKKE_LIMBS];
} sakke_fp_t;

/* a + i*b */
typedef struct sakke_fp2
{
	sakke_fp_t a, b;
} sakke_fp2_t;

/* Integer (not Montgomery) limbs of p, q, 2q, 4q. */
extern sakke_fp_t sakke_p_int, sakke_q_int;
/* Montgomery forms of 1 and of small constants. */
extern sakke_fp_t sakke_fp_one;

/* One-time set-up of the constants (idempotent, thread-safe). */
int sakke_fp_init(void);

/* Big-endian 128 octets <-> integer limbs (no reduction). */
void sakke_int_from_bytes(sakke_fp_t *r, const uint8_t in[SAKKE_FP_BYTES]);
void sakke_int_to_bytes(uint8_t out[SAKKE_FP_BYTES], const sakke_fp_t *a);
/* ~0 if a < m (integers), else 0. */
uint64_t sakke_int_lt_mask(const sakke_fp_t *a, const sakke_fp_t *m);
/* r = a + b, returns the carry (0/1). */
uint64_t sakke_int_add(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b);
/* r = a - b, returns the borrow (0/1). */
uint64_t sakke_int_sub(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b);

/* Montgomery conversions: integer < p <-> field element. */
void sakke_fp_to_mont(sakke_fp_t *r, const sakke_fp_t *a);
void sakke_fp_from_mont(sakke_fp_t *r, const sakke_fp_t *a);
/* Field element <-> 128-octet big-endian value (RFC 6508 4). */
void sakke_fp_to_bytes(uint8_t out[SAKKE_FP_BYTES], const sakke_fp_t *a);

void sakke_fp_mul(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b);
void sakke_fp_sqr(sakke_fp_t *r, const sakke_fp_t *a);
void sakke_fp_add(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b);
void sakke_fp_sub(sakke_fp_t *r, const sakke_fp_t *a, const sakke_fp_t *b);
void sakke_fp_neg(sakke_fp_t *r, const sakke_fp_t *a);
/* r = a if mask == ~0, unchanged if mask == 0. */
void sakke_fp_cmov(sakke_fp_t *r, const sakke_fp_t *a, uint64_t mask);
uint64_t sakke_fp_eq_mask(const sakke_fp_t *a, const sakke_fp_t *b);
uint64_t sakke_fp_is_zero_mask(const sakke_fp_t *a);
/* r = a^-1 (blinded with a fresh random factor, so the variable-time
 * OpenSSL inverse sees only a uniformly random value).  Returns MCSEC_OK,
 * MCSEC_ERR_ARG if a == 0, MCSEC_ERR_INTERNAL on library failure. */
int sakke_fp_inv(sakke_fp_t *r, const sakke_fp_t *a);
/* In-place inversion of n elements with one inversion (Montgomery's trick);
 * MCSEC_ERR_ARG if any is zero.  scratch holds n elements. */
int sakke_fp_batch_inv(sakke_fp_t *x, size_t n, sakke_fp_t *scratch);

/* Tests: select the portable C or the BMI2 multiplication (default: BMI2
 * when the CPU has it).  Call after sakke_fp_init(), single-threaded. */
void sakke_fp_use_mulx(int on);
/* sakke_fp_mulx.c: BMI2 Montgomery product, fully reduced */
int sakke_fp_mulx_available(void);
void sakke_fp_mulx_mont(uint64_t out[SAKKE_LIMBS], const uint64_t *a,
		const uint64_t *b, const uint64_t *p, uint64_t pinv);

void sakke_fp2_mul(sakke_fp2_t *r, const sakke_fp2_t *x, const sakke_fp2_t *y);
void sakke_fp2_sqr(sakke_fp2_t *r, const sakke_fp2_t *x);
/* r = x * (1 + i*t) */
void sakke_fp2_mul_1it(
		sakke_fp2_t *r, const sakke_fp2_t *x, const sakke_fp_t *t);

#endif
