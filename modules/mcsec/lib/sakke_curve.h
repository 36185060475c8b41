/*
 * mcsec - the SAKKE curve E: y^2 = x^3 - 3x over F_p (RFC 6508 2.1, 3),
 * parameter set 1 (RFC 6509 Appendix A).  Coordinates in Montgomery form.
 * Jacobian (X, Y, Z) stands for (X/Z^2, Y/Z^3); Z = 0 is the point at
 * infinity.  Scalars are integer limbs (sakke_fp_t, not Montgomery).
 */
#ifndef MCSEC_SAKKE_CURVE_H
#define MCSEC_SAKKE_CURVE_H

#include <stdint.h>

#include "sakke_fp.h"

#define SAKKE_POINT_OCTETS 257

typedef struct sakke_aff
{
	sakke_fp_t x, y;
} sakke_aff_t;

typedef struct sakke_jac
{
	sakke_fp_t x, y, z;
} sakke_jac_t;

/* The base point P and g (its F_p representation, Montgomery form). */
extern sakke_aff_t sakke_P;
extern sakke_fp_t sakke_g;

/* Set-up of field and curve constants (idempotent, thread-safe). */
int sakke_curve_init(void);

/* RFC 6508 4: 0x04 || x || y, 128 octets each.  Checks the prefix,
 * x < p, y < p and the curve equation (a valid encoding is never the point
 * at infinity).  Public data only (variable time).  MCSEC_ERR_MALFORMED. */
int sakke_point_decode(sakke_aff_t *r, const uint8_t in[SAKKE_POINT_OCTETS]);
void sakke_point_encode(uint8_t out[SAKKE_POINT_OCTETS], const sakke_aff_t *a);

void sakke_jac_from_aff(sakke_jac_t *r, const sakke_aff_t *a);
/* r = 2a (a = -3 formulas; infinity and 2-torsion give infinity). */
void sakke_jac_dbl(sakke_jac_t *r, const sakke_jac_t *a);
/* r = a + b for a != +-b, neither infinity (the caller's invariant). */
void sakke_jac_madd(sakke_jac_t *r, const sakke_jac_t *a, const sakke_aff_t *b);
/* r = a + b for any a, b (infinity, equal, opposite), constant time. */
void sakke_jac_add_ct(
		sakke_jac_t *r, const sakke_jac_t *a, const sakke_jac_t *b);
void sakke_jac_neg_ct(sakke_jac_t *r, uint64_t mask);
/* ~0 if the Jacobian point equals the affine one (Z != 0), else 0. */
uint64_t sakke_jac_eq_aff_mask(const sakke_jac_t *a, const sakke_aff_t *b);
/* To affine; MCSEC_ERR_ARG for infinity. */
int sakke_jac_to_aff(sakke_aff_t *r, const sakke_jac_t *a);

/* Odd-digit regular recoding (constant time): k odd, k < 2^(w*m);
 * d[0..m-1] odd in [-(2^w - 1), 2^w - 1] with k = sum d[i] 2^(w i). */
void sakke_recode_odd(int8_t *d, unsigned m, unsigned w, const sakke_fp_t *k);
/* k' = k if k is odd, else k + q (same multiple of a point of order q);
 * k < q. */
void sakke_scalar_make_odd(sakke_fp_t *r, const sakke_fp_t *k);
/* Constant-time table scan index: ~0 if a == b. */
static inline uint64_t sakke_ct_eq_u32(uint32_t a, uint32_t b)
{
	return (uint64_t)0 - ((((uint64_t)(a ^ b)) - 1) >> 63);
}

/* r = [k]A for k < q (variable base, constant time in k). */
void sakke_scalar_mul(
		sakke_jac_t *r, const sakke_aff_t *A, const sakke_fp_t *k);

#endif
