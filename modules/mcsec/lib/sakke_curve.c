/*
 * mcsec - point arithmetic on the SAKKE curve E: y^2 = x^3 - 3x over F_p
 * (RFC 6508 2.1, RFC 6509 Appendix A).  See sakke_curve.h.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mcsec_err.h"
#include "sakke_curve.h"
#include "sakke_params.h"

sakke_aff_t sakke_P;
sakke_fp_t sakke_g;

static int curve_init_rc = MCSEC_ERR_INTERNAL;
static pthread_once_t curve_once = PTHREAD_ONCE_INIT;

/* Curve equation check on a Montgomery-form affine point: y^2 == x^3 - 3x */
static int on_curve(const sakke_aff_t *a)
{
	sakke_fp_t l, r, t;
	sakke_fp_sqr(&l, &a->y);
	sakke_fp_sqr(&r, &a->x);
	sakke_fp_mul(&r, &r, &a->x);
	sakke_fp_add(&t, &a->x, &a->x);
	sakke_fp_add(&t, &t, &a->x);
	sakke_fp_sub(&r, &r, &t);
	return sakke_fp_eq_mask(&l, &r) != 0;
}

static void curve_init_once(void)
{
	sakke_fp_t t;
	if(sakke_fp_init() != MCSEC_OK)
		return;
	sakke_int_from_bytes(&t, sakke_param_px);
	sakke_fp_to_mont(&sakke_P.x, &t);
	sakke_int_from_bytes(&t, sakke_param_py);
	sakke_fp_to_mont(&sakke_P.y, &t);
	sakke_int_from_bytes(&t, sakke_param_g);
	sakke_fp_to_mont(&sakke_g, &t);
	if(!on_curve(&sakke_P))
		return;
	curve_init_rc = MCSEC_OK;
}

int sakke_curve_init(void)
{
	if(pthread_once(&curve_once, curve_init_once) != 0)
		return MCSEC_ERR_INTERNAL;
	return curve_init_rc;
}

int sakke_point_decode(sakke_aff_t *r, const uint8_t in[SAKKE_POINT_OCTETS])
{
	sakke_fp_t x, y;
	if(in[0] != 0x04)
		return MCSEC_ERR_MALFORMED;
	sakke_int_from_bytes(&x, in + 1);
	sakke_int_from_bytes(&y, in + 1 + SAKKE_FP_BYTES);
	if(!sakke_int_lt_mask(&x, &sakke_p_int)
			|| !sakke_int_lt_mask(&y, &sakke_p_int))
		return MCSEC_ERR_MALFORMED;
	sakke_fp_to_mont(&r->x, &x);
	sakke_fp_to_mont(&r->y, &y);
	if(!on_curve(r))
		return MCSEC_ERR_MALFORMED;
	return MCSEC_OK;
}

void sakke_point_encode(uint8_t out[SAKKE_POINT_OCTETS], const sakke_aff_t *a)
{
	out[0] = 0x04;
	sakke_fp_to_bytes(out + 1, &a->x);
	sakke_fp_to_bytes(out + 1 + SAKKE_FP_BYTES, &a->y);
}

void sakke_jac_from_aff(sakke_jac_t *r, const sakke_aff_t *a)
{
	r->x = a->x;
	r->y = a->y;
	r->z = sakke_fp_one;
}

/* dbl-2001-b (a = -3): delta = Z^2, gamma = Y^2, beta = X gamma,
 * alpha = 3 (X - delta)(X + delta), X3 = alpha^2 - 8 beta,
 * Z3 = (Y + Z)^2 - gamma - delta, Y3 = alpha (4 beta - X3) - 8 gamma^2 */
void sakke_jac_dbl(sakke_jac_t *r, const sakke_jac_t *a)
{
	sakke_fp_t delta, gamma, beta, alpha, t, u;
	sakke_fp_sqr(&delta, &a->z);
	sakke_fp_sqr(&gamma, &a->y);
	sakke_fp_mul(&beta, &a->x, &gamma);
	sakke_fp_sub(&t, &a->x, &delta);
	sakke_fp_add(&u, &a->x, &delta);
	sakke_fp_mul(&alpha, &t, &u);
	sakke_fp_add(&t, &alpha, &alpha);
	sakke_fp_add(&alpha, &t, &alpha);
	sakke_fp_add(&t, &a->y, &a->z);
	sakke_fp_sqr(&t, &t);
	sakke_fp_sub(&t, &t, &gamma);
	sakke_fp_sub(&r->z, &t, &delta);
	sakke_fp_add(&beta, &beta, &beta);
	sakke_fp_add(&beta, &beta, &beta); /* 4 beta */
	sakke_fp_sqr(&t, &alpha);
	sakke_fp_sub(&t, &t, &beta);
	sakke_fp_sub(&r->x, &t, &beta);
	sakke_fp_sub(&u, &beta, &r->x);
	sakke_fp_mul(&u, &alpha, &u);
	sakke_fp_sqr(&gamma, &gamma);
	sakke_fp_add(&gamma, &gamma, &gamma);
	sakke_fp_add(&gamma, &gamma, &gamma);
	sakke_fp_add(&gamma, &gamma, &gamma); /* 8 gamma^2 */
	sakke_fp_sub(&r->y, &u, &gamma);
}

/* Mixed addition: U2 = x2 Z1^2, S2 = y2 Z1^3, H = U2 - X1, R = S2 - Y1,
 * X3 = R^2 - H^3 - 2 X1 H^2, Y3 = R (X1 H^2 - X3) - Y1 H^3, Z3 = Z1 H */
void sakke_jac_madd(sakke_jac_t *r, const sakke_jac_t *a, const sakke_aff_t *b)
{
	sakke_fp_t zz, u2, s2, h, rr, hh, hhh, v, t;
	sakke_fp_sqr(&zz, &a->z);
	sakke_fp_mul(&u2, &b->x, &zz);
	sakke_fp_mul(&s2, &zz, &a->z);
	sakke_fp_mul(&s2, &s2, &b->y);
	sakke_fp_sub(&h, &u2, &a->x);
	sakke_fp_sub(&rr, &s2, &a->y);
	sakke_fp_sqr(&hh, &h);
	sakke_fp_mul(&hhh, &hh, &h);
	sakke_fp_mul(&v, &a->x, &hh);
	sakke_fp_mul(&r->z, &a->z, &h);
	sakke_fp_sqr(&t, &rr);
	sakke_fp_sub(&t, &t, &hhh);
	sakke_fp_sub(&t, &t, &v);
	sakke_fp_sub(&t, &t, &v);
	sakke_fp_sub(&v, &v, &t);
	sakke_fp_mul(&v, &v, &rr);
	sakke_fp_mul(&hhh, &hhh, &a->y);
	sakke_fp_sub(&r->y, &v, &hhh);
	r->x = t;
}

static void jac_cmov(sakke_jac_t *r, const sakke_jac_t *a, uint64_t mask)
{
	sakke_fp_cmov(&r->x, &a->x, mask);
	sakke_fp_cmov(&r->y, &a->y, mask);
	sakke_fp_cmov(&r->z, &a->z, mask);
}

void sakke_jac_neg_ct(sakke_jac_t *r, uint64_t mask)
{
	sakke_fp_t ny;
	sakke_fp_neg(&ny, &r->y);
	sakke_fp_cmov(&r->y, &ny, mask);
}

void sakke_jac_add_ct(
		sakke_jac_t *r, const sakke_jac_t *a, const sakke_jac_t *b)
{
	sakke_fp_t z1z1, z2z2, u1, u2, s1, s2, h, rr, hh, hhh, v, t;
	sakke_jac_t sum, dbl;
	uint64_t a_inf = sakke_fp_is_zero_mask(&a->z);
	uint64_t b_inf = sakke_fp_is_zero_mask(&b->z);

	sakke_fp_sqr(&z1z1, &a->z);
	sakke_fp_sqr(&z2z2, &b->z);
	sakke_fp_mul(&u1, &a->x, &z2z2);
	sakke_fp_mul(&u2, &b->x, &z1z1);
	sakke_fp_mul(&s1, &z2z2, &b->z);
	sakke_fp_mul(&s1, &s1, &a->y);
	sakke_fp_mul(&s2, &z1z1, &a->z);
	sakke_fp_mul(&s2, &s2, &b->y);
	sakke_fp_sub(&h, &u2, &u1);
	sakke_fp_sub(&rr, &s2, &s1);
	sakke_fp_sqr(&hh, &h);
	sakke_fp_mul(&hhh, &hh, &h);
	sakke_fp_mul(&v, &u1, &hh);
	sakke_fp_mul(&sum.z, &a->z, &b->z);
	sakke_fp_mul(&sum.z, &sum.z, &h); /* 0 when a = -b: infinity */
	sakke_fp_sqr(&t, &rr);
	sakke_fp_sub(&t, &t, &hhh);
	sakke_fp_sub(&t, &t, &v);
	sakke_fp_sub(&sum.x, &t, &v);
	sakke_fp_sub(&v, &v, &sum.x);
	sakke_fp_mul(&v, &v, &rr);
	sakke_fp_mul(&hhh, &hhh, &s1);
	sakke_fp_sub(&sum.y, &v, &hhh);

	sakke_jac_dbl(&dbl, a);
	uint64_t same = sakke_fp_is_zero_mask(&h) & sakke_fp_is_zero_mask(&rr)
					& ~a_inf & ~b_inf;
	jac_cmov(&sum, &dbl, same);
	jac_cmov(&sum, b, a_inf);
	jac_cmov(&sum, a, b_inf & ~a_inf);
	*r = sum;
}

uint64_t sakke_jac_eq_aff_mask(const sakke_jac_t *a, const sakke_aff_t *b)
{
	sakke_fp_t zz, t;
	uint64_t m;
	sakke_fp_sqr(&zz, &a->z);
	sakke_fp_mul(&t, &b->x, &zz);
	m = sakke_fp_eq_mask(&t, &a->x);
	sakke_fp_mul(&zz, &zz, &a->z);
	sakke_fp_mul(&t, &b->y, &zz);
	m &= sakke_fp_eq_mask(&t, &a->y);
	return m & ~sakke_fp_is_zero_mask(&a->z);
}

int sakke_jac_to_aff(sakke_aff_t *r, const sakke_jac_t *a)
{
	sakke_fp_t zi, zi2;
	int rc = sakke_fp_inv(&zi, &a->z);
	if(rc != MCSEC_OK)
		return MCSEC_ERR_ARG;
	sakke_fp_sqr(&zi2, &zi);
	sakke_fp_mul(&r->x, &a->x, &zi2);
	sakke_fp_mul(&zi2, &zi2, &zi);
	sakke_fp_mul(&r->y, &a->y, &zi2);
	return MCSEC_OK;
}

void sakke_recode_odd(int8_t *d, unsigned m, unsigned w, const sakke_fp_t *k)
{
	sakke_fp_t t = *k;
	uint64_t wmask = ((uint64_t)1 << (w + 1)) - 1;
	for(unsigned i = 0; i + 1 < m; i++) {
		/* d = (t mod 2^(w+1)) - 2^w; t = (t - d) / 2^w = (t >> w) | 1 */
		d[i] = (int8_t)((int)(t.v[0] & wmask) - (1 << w));
		for(int j = 0; j < SAKKE_LIMBS - 1; j++)
			t.v[j] = (t.v[j] >> w) | (t.v[j + 1] << (64 - w));
		t.v[SAKKE_LIMBS - 1] >>= w;
		t.v[0] |= 1;
	}
	d[m - 1] = (int8_t)t.v[0];
	OPENSSL_cleanse(&t, sizeof(t));
}

void sakke_scalar_make_odd(sakke_fp_t *r, const sakke_fp_t *k)
{
	sakke_fp_t kq;
	uint64_t even = (k->v[0] & 1) - 1; /* ~0 if even */
	sakke_int_add(&kq, k, &sakke_q_int);
	*r = *k;
	sakke_fp_cmov(r, &kq, even);
	OPENSSL_cleanse(&kq, sizeof(kq));
}

#define SM_W 4
#define SM_ENTRIES (1 << (SM_W - 1))
#define SM_WINDOWS 256 /* ceil(1023 / 4) */

void sakke_scalar_mul(sakke_jac_t *r, const sakke_aff_t *A, const sakke_fp_t *k)
{
	sakke_jac_t tab[SM_ENTRIES], two, acc, sel;
	int8_t d[SM_WINDOWS];
	sakke_fp_t kk;

	/* tab[e] = (2e + 1) A */
	sakke_jac_from_aff(&tab[0], A);
	sakke_jac_dbl(&two, &tab[0]);
	for(int e = 1; e < SM_ENTRIES; e++)
		sakke_jac_add_ct(&tab[e], &tab[e - 1], &two);

	sakke_scalar_make_odd(&kk, k);
	sakke_recode_odd(d, SM_WINDOWS, SM_W, &kk);

	memset(&acc, 0, sizeof(acc));
	for(int i = SM_WINDOWS - 1; i >= 0; i--) {
		int32_t di = d[i];
		uint32_t s = (uint32_t)(di >> 31); /* all ones if negative */
		uint32_t idx = ((((uint32_t)di ^ s) - s) - 1) >> 1;
		if(i != SM_WINDOWS - 1)
			for(int j = 0; j < SM_W; j++)
				sakke_jac_dbl(&acc, &acc);
		memset(&sel, 0, sizeof(sel));
		for(int e = 0; e < SM_ENTRIES; e++)
			jac_cmov(&sel, &tab[e], sakke_ct_eq_u32((uint32_t)e, idx));
		sakke_jac_neg_ct(&sel, (uint64_t)0 - (s & 1));
		sakke_jac_add_ct(&acc, &acc, &sel);
	}
	*r = acc;
	OPENSSL_cleanse(&acc, sizeof(acc));
	OPENSSL_cleanse(&sel, sizeof(sel));
	OPENSSL_cleanse(&kk, sizeof(kk));
	OPENSSL_cleanse(d, sizeof(d));
	OPENSSL_cleanse(tab, sizeof(tab));
}
