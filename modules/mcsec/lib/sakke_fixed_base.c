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

int sakke_fb_build(sakke_fb_t *tb, const sakke_aff_t *Q)
{
	sakke_jac_t *pts = malloc(NPTS * sizeof(*pts));
	sakke_fp_t *z = malloc(NPTS * sizeof(*z));
	sakke_fp_t *scratch = malloc(NPTS * sizeof(*scratch));
	sakke_jac_t base, two;
	int rc = MCSEC_ERR_INTERNAL;
	if(!pts || !z || !scratch)
		goto out;
	sakke_jac_from_aff(&base, Q);
	for(int j = 0; j < SAKKE_FB_WINDOWS; j++) {
		sakke_jac_t *row = pts + j * SAKKE_FB_ENTRIES;
		row[0] = base;
		sakke_jac_dbl(&two, &base);
		for(int e = 1; e < SAKKE_FB_ENTRIES; e++)
			sakke_jac_add_ct(&row[e], &row[e - 1], &two);
		for(int i = 0; i < SAKKE_FB_W; i++)
			sakke_jac_dbl(&base, &base);
	}
	for(int i = 0; i < NPTS; i++)
		z[i] = pts[i].z;
	rc = sakke_fp_batch_inv(z, NPTS, scratch);
	if(rc != MCSEC_OK)
		goto out;
	for(int i = 0; i < NPTS; i++) {
		sakke_fp_t zi2, zi3;
		sakke_aff_t *a = &tb->t[i / SAKKE_FB_ENTRIES][i % SAKKE_FB_ENTRIES];
		sakke_fp_sqr(&zi2, &z[i]);
		sakke_fp_mul(&zi3, &zi2, &z[i]);
		sakke_fp_mul(&a->x, &pts[i].x, &zi2);
		sakke_fp_mul(&a->y, &pts[i].y, &zi3);
	}
	rc = MCSEC_OK;
out:
	free(pts);
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
