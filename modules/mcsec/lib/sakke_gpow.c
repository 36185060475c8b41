/*
 * mcsec - g^r in PF_p (RFC 6508 2.1, 6.2.1 step 4a).
 *
 * g stands for the class of 1 + i g in PF_p = F_p2* / F_p*.  The table
 * holds, for window j and odd e, the representative t with class
 * (1 + i t) = (1 + i g)^(e 2^(wj)), w = SAKKE_FB_W; the inverse of (1 + i t) in PF_p is its
 * conjugate (1 - i t), so signed odd digits cost a negation.  Built once
 * per process (about 700 KB) on first use; read-only afterwards.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mcsec_err.h"
#include "sakke_curve.h"
#include "sakke_fixed_base.h" /* window geometry and recoding */
#include "sakke_gpow.h"

#define NT (SAKKE_FB_WINDOWS * SAKKE_FB_ENTRIES)

static sakke_fp_t (*gtab)[SAKKE_FB_ENTRIES];
static int gtab_rc = MCSEC_ERR_INTERNAL;
static pthread_once_t gtab_once = PTHREAD_ONCE_INIT;

static void gtab_build(void)
{
	sakke_fp2_t *e = malloc(NT * sizeof(*e));
	sakke_fp_t *re = malloc(NT * sizeof(*re));
	sakke_fp_t *scratch = malloc(NT * sizeof(*scratch));
	sakke_fp_t(*tab)[SAKKE_FB_ENTRIES] =
			malloc(SAKKE_FB_WINDOWS * sizeof(*tab));
	sakke_fp2_t base, two;
	if(!e || !re || !scratch || !tab || sakke_curve_init() != MCSEC_OK)
		goto out;
	base.a = sakke_fp_one;
	base.b = sakke_g;
	for(int j = 0; j < SAKKE_FB_WINDOWS; j++) {
		sakke_fp2_t *row = e + j * SAKKE_FB_ENTRIES;
		row[0] = base;
		sakke_fp2_sqr(&two, &base);
		for(int k = 1; k < SAKKE_FB_ENTRIES; k++)
			sakke_fp2_mul(&row[k], &row[k - 1], &two);
		for(int i = 0; i < SAKKE_FB_W; i++)
			sakke_fp2_sqr(&base, &base);
	}
	for(int i = 0; i < NT; i++)
		re[i] = e[i].a;
	if(sakke_fp_batch_inv(re, NT, scratch) != MCSEC_OK)
		goto out;
	for(int i = 0; i < NT; i++)
		sakke_fp_mul(&tab[i / SAKKE_FB_ENTRIES][i % SAKKE_FB_ENTRIES], &e[i].b,
				&re[i]);
	gtab = tab;
	tab = NULL;
	gtab_rc = MCSEC_OK;
out:
	free(e);
	free(re);
	free(scratch);
	free(tab);
}

int sakke_gpow(sakke_fp_t *w, const sakke_fp_t *r)
{
	int8_t d[SAKKE_FB_WINDOWS];
	sakke_fp_t rr, sel, inv;
	sakke_fp2_t acc;
	int rc;
	if(pthread_once(&gtab_once, gtab_build) != 0 || gtab_rc != MCSEC_OK)
		return MCSEC_ERR_INTERNAL;
	sakke_scalar_make_odd(&rr, r);
	sakke_recode_odd(d, SAKKE_FB_WINDOWS, SAKKE_FB_W, &rr);
	acc.a = sakke_fp_one;
	memset(&acc.b, 0, sizeof(acc.b));
	for(int j = 0; j < SAKKE_FB_WINDOWS; j++) {
		int32_t dj = d[j];
		uint32_t s = (uint32_t)(dj >> 31);
		uint32_t idx = ((((uint32_t)dj ^ s) - s) - 1) >> 1;
		sakke_fp_t neg;
		memset(&sel, 0, sizeof(sel));
		for(int k = 0; k < SAKKE_FB_ENTRIES; k++)
			sakke_fp_cmov(&sel, &gtab[j][k], sakke_ct_eq_u32((uint32_t)k, idx));
		sakke_fp_neg(&neg, &sel);
		sakke_fp_cmov(&sel, &neg, (uint64_t)0 - (s & 1));
		sakke_fp2_mul_1it(&acc, &acc, &sel);
	}
	rc = sakke_fp_inv(&inv, &acc.a);
	if(rc == MCSEC_OK)
		sakke_fp_mul(w, &acc.b, &inv);
	else
		rc = MCSEC_ERR_INTERNAL;
	OPENSSL_cleanse(d, sizeof(d));
	OPENSSL_cleanse(&rr, sizeof(rr));
	OPENSSL_cleanse(&sel, sizeof(sel));
	OPENSSL_cleanse(&inv, sizeof(inv));
	OPENSSL_cleanse(&acc, sizeof(acc));
	return rc;
}
