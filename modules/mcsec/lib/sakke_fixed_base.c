/*
 * mcsec - fixed-base comb-like scalar multiplication for SAKKE points.
 * See sakke_fixed_base.h.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mcsec_err.h"
#include "sakke_fixed_base.h"

#define NPTS (SAKKE_FB_WINDOWS * SAKKE_FB_ENTRIES)

/* Jacobian -> affine for n points with one inversion */
static int batch_to_aff(sakke_aff_t *out, const sakke_jac_t *in, size_t n,
		sakke_fp_t *z, sakke_fp_t *scratch)
{
	int rc;
	for(size_t i = 0; i < n; i++)
		z[i] = in[i].z;
	rc = sakke_fp_batch_inv(z, n, scratch);
	if(rc != MCSEC_OK)
		return rc;
	for(size_t i = 0; i < n; i++) {
		sakke_fp_t zi2, zi3;
		sakke_fp_sqr(&zi2, &z[i]);
		sakke_fp_mul(&zi3, &zi2, &z[i]);
		sakke_fp_mul(&out[i].x, &in[i].x, &zi2);
		sakke_fp_mul(&out[i].y, &in[i].y, &zi3);
	}
	return MCSEC_OK;
}

int sakke_fb_build(sakke_fb_t *tb, const sakke_aff_t *Q)
{
	/* B_j = 2^(wj) Q and D_j = 2 B_j, made affine together; then the odd
	 * multiples (2e+1) B_j = (2e-1) B_j + D_j with mixed additions (never
	 * exceptional: 2e-1 != +-2 mod q), made affine together. */
	sakke_jac_t *pts = malloc(NPTS * sizeof(*pts));
	sakke_aff_t *bd = malloc(2 * SAKKE_FB_WINDOWS * sizeof(*bd));
	sakke_fp_t *z = malloc(NPTS * sizeof(*z));
	sakke_fp_t *scratch = malloc(NPTS * sizeof(*scratch));
	sakke_jac_t base;
	int rc = MCSEC_ERR_INTERNAL;
	if(!pts || !bd || !z || !scratch)
		goto out;
	sakke_jac_from_aff(&base, Q);
	for(int j = 0; j < SAKKE_FB_WINDOWS; j++) {
		pts[2 * j] = base;
		sakke_jac_dbl(&pts[2 * j + 1], &base);
		for(int i = 0; i < SAKKE_FB_W; i++)
			sakke_jac_dbl(&base, &base);
	}
	rc = batch_to_aff(bd, pts, 2 * SAKKE_FB_WINDOWS, z, scratch);
	if(rc != MCSEC_OK)
		goto out;
	for(int j = 0; j < SAKKE_FB_WINDOWS; j++) {
		sakke_jac_t *row = pts + j * SAKKE_FB_ENTRIES;
		sakke_jac_t acc;
		sakke_jac_from_aff(&acc, &bd[2 * j]);
		for(int e = 1; e < SAKKE_FB_ENTRIES; e++) {
			sakke_jac_madd(&acc, &acc, &bd[2 * j + 1]);
			row[e] = acc;
		}
		sakke_jac_from_aff(&row[0], &bd[2 * j]);
	}
	rc = batch_to_aff(&tb->t[0][0], pts, NPTS, z, scratch);
out:
	free(pts);
	free(bd);
	free(z);
	free(scratch);
	return rc;
}

void sakke_fb_mul(sakke_jac_t *r, const sakke_fb_t *tb, const sakke_fp_t *k)
{
	int8_t d[SAKKE_FB_WINDOWS];
	sakke_fp_t kk;
	sakke_aff_t sel;
	sakke_jac_t acc;

	sakke_scalar_make_odd(&kk, k);
	sakke_recode_odd(d, SAKKE_FB_WINDOWS, SAKKE_FB_W, &kk);
	for(int j = 0; j < SAKKE_FB_WINDOWS; j++) {
		int32_t dj = d[j];
		uint32_t s = (uint32_t)(dj >> 31);
		uint32_t idx = ((((uint32_t)dj ^ s) - s) - 1) >> 1;
		sakke_fp_t ny;
		memset(&sel, 0, sizeof(sel));
		for(int e = 0; e < SAKKE_FB_ENTRIES; e++) {
			uint64_t m = sakke_ct_eq_u32((uint32_t)e, idx);
			sakke_fp_cmov(&sel.x, &tb->t[j][e].x, m);
			sakke_fp_cmov(&sel.y, &tb->t[j][e].y, m);
		}
		sakke_fp_neg(&ny, &sel.y);
		sakke_fp_cmov(&sel.y, &ny, (uint64_t)0 - (s & 1));
		if(j == 0)
			sakke_jac_from_aff(&acc, &sel);
		else
			sakke_jac_madd(&acc, &acc, &sel);
	}
	*r = acc;
	OPENSSL_cleanse(&acc, sizeof(acc));
	OPENSSL_cleanse(&sel, sizeof(sel));
	OPENSSL_cleanse(&kk, sizeof(kk));
	OPENSSL_cleanse(d, sizeof(d));
}
