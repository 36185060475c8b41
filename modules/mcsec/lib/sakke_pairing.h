/*
 * mcsec - the reduced Tate-Lichtenbaum pairing of RFC 6508 3.2 for
 * parameter set 1, with the first argument fixed (the receiver's RSK).
 *
 * <R, Q> is computed with the Miller loop over the non-adjacent form of
 * q - 1 (same function as the RFC's binary loop up to F_p factors) of the
 * fixed point K, lines evaluated at the distortion image psi(R) = (-x, i y)
 * (RFC 6508 3.1), then raised to c = (p+1)/q = 4 in PF_p and returned as
 * its F_p representative (RFC 6508 2.1: x1 + i x2 -> x2/x1).  On <P> the
 * pairing is symmetric, so <R, K> = <K, R> for R, K in <P>.  Line factors
 * that lie in F_p (verticals, denominators) vanish in PF_p and are dropped.
 */
#ifndef MCSEC_SAKKE_PAIRING_H
#define MCSEC_SAKKE_PAIRING_H

#include "sakke_curve.h"

/* NAF(q - 1) has 1022 digits, 353 of them non-zero: 1021 doublings and
 * 352 additions/subtractions of K */
#define SAKKE_MILLER_OPS 1373

typedef struct sakke_line
{
	sakke_fp_t lambda, c; /* line Y = lambda X + c through the step's points */
} sakke_line_t;

typedef struct sakke_miller
{
	sakke_line_t line[SAKKE_MILLER_OPS];
} sakke_miller_t;

/* Line coefficients for K.  MCSEC_ERR_INVALID_KEY unless K has order q
 * ([q-1]K == -K); MCSEC_ERR_INTERNAL on library failure. */
int sakke_miller_precompute(sakke_miller_t *m, const sakke_aff_t *K);
/* w = <R, K> (Montgomery form).  R must be on E; the result is only
 * meaningful for R in <P>.  MCSEC_ERR_ARG in the degenerate case. */
int sakke_pairing_eval(
		sakke_fp_t *w, const sakke_miller_t *m, const sakke_aff_t *R);

#endif
