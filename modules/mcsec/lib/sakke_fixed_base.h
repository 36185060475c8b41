/*
 * mcsec - fixed-base scalar multiplication on the SAKKE curve: a table of
 * affine points (2e+1) 2^(6j) Q for one public point Q (e.g. [b]P + Z,
 * RFC 6508 6.2.1 step 3 / 6.2.2 step 5), so [k]Q costs one mixed addition
 * per 6-bit window and no doubling.  Table entries are read with
 * constant-time scans; the digits are odd (regular recoding), so the
 * sequence of operations is the same for every k.
 */
#ifndef MCSEC_SAKKE_FIXED_BASE_H
#define MCSEC_SAKKE_FIXED_BASE_H

#include "sakke_curve.h"

#define SAKKE_FB_W 6
#define SAKKE_FB_ENTRIES (1 << (SAKKE_FB_W - 1))
#define SAKKE_FB_WINDOWS 171 /* ceil(1023 / 6): k + q < 2^1023 */

typedef struct sakke_fb
{
	sakke_aff_t t[SAKKE_FB_WINDOWS][SAKKE_FB_ENTRIES];
} sakke_fb_t;

/* MCSEC_OK, MCSEC_ERR_ARG if Q is degenerate, MCSEC_ERR_INTERNAL. */
int sakke_fb_build(sakke_fb_t *tb, const sakke_aff_t *Q);
/* r = [k]Q for k < q.  For the negligible set of k where a partial sum
 * meets +-the addend the result is wrong with Z = 0 (never a wrong finite
 * point that could pass sakke_jac_eq_aff_mask). */
void sakke_fb_mul(sakke_jac_t *r, const sakke_fb_t *tb, const sakke_fp_t *k);

#endif
