/*
 * mcsec - Tate-Lichtenbaum pairing for SAKKE (RFC 6508 3.2).
 * See sakke_pairing.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mcsec_err.h"
#include "sakke_pairing.h"

/* The Miller loop's shape (RFC 6508 3.2 step 2, with the NAF of q - 1):
 * after the top digit, for each digit a doubling and, for a digit +-1, an
 * addition of +-K.  OP_ADD/OP_SUB always follow an OP_DBL. */
enum
{
	OP_DBL = 0,
	OP_ADD = 1,
	OP_SUB = 2
};
static uint8_t op_kind[SAKKE_MILLER_OPS];
static int ops_rc = MCSEC_ERR_INTERNAL;
static pthread_once_t ops_once = PTHREAD_ONCE_INIT;

static void ops_init_once(void)
{
	sakke_fp_t k, one;
	int8_t naf[64 * SAKKE_LIMBS + 2];
	int len = 0;
	size_t n = 0;
	if(sakke_curve_init() != MCSEC_OK)
		return;
	k = sakke_q_int;
	k.v[0] &= ~(uint64_t)1; /* q - 1 (q is odd) */
	memset(&one, 0, sizeof(one));
	one.v[0] = 1;
	while(!sakke_fp_is_zero_mask(&k) && len < (int)sizeof(naf)) {
		int8_t z = 0;
		if(k.v[0] & 1) {
			z = (k.v[0] & 2) ? -1 : 1; /* 2 - (k mod 4) */
			if(z == 1)
				sakke_int_sub(&k, &k, &one);
			else
				sakke_int_add(&k, &k, &one);
		}
		naf[len++] = z;
		for(int j = 0; j < SAKKE_LIMBS - 1; j++)
			k.v[j] = (k.v[j] >> 1) | (k.v[j + 1] << 63);
		k.v[SAKKE_LIMBS - 1] >>= 1;
	}
	if(len < 2 || naf[len - 1] != 1)
		return;
	for(int i = len - 2; i >= 0; i--) {
		if(n >= SAKKE_MILLER_OPS)
			return;
		op_kind[n++] = OP_DBL;
		if(naf[i]) {
			if(n >= SAKKE_MILLER_OPS)
				return;
			op_kind[n++] = naf[i] > 0 ? OP_ADD : OP_SUB;
		}
	}
	if(n == SAKKE_MILLER_OPS)
		ops_rc = MCSEC_OK;
}

static int ops_init(void)
{
	if(pthread_once(&ops_once, ops_init_once) != 0)
		return MCSEC_ERR_INTERNAL;
	return ops_rc;
}

int sakke_miller_precompute(sakke_miller_t *m, const sakke_aff_t *K)
{
	/* Jacobian steps; line j has slope num[j] / den[j] where den[j] is
	 * the Z of the point after step j; doubling lines also need the
	 * affine point before the step (X, Y over den[j-1]). */
	const size_t n = SAKKE_MILLER_OPS;
	sakke_fp_t *num = NULL, *den = NULL, *px = NULL, *py = NULL,
			   *scratch = NULL;
	sakke_jac_t T;
	sakke_aff_t nk;
	int rc = ops_init();
	if(rc != MCSEC_OK)
		return rc;
	rc = MCSEC_ERR_INTERNAL;
	num = malloc(n * sizeof(*num));
	den = malloc(n * sizeof(*den));
	px = malloc(n * sizeof(*px));
	py = malloc(n * sizeof(*py));
	scratch = malloc(n * sizeof(*scratch));
	if(!num || !den || !px || !py || !scratch)
		goto out;

	nk = *K;
	sakke_fp_neg(&nk.y, &nk.y);
	sakke_jac_from_aff(&T, K);
	for(size_t j = 0; j < n; j++) {
		sakke_fp_t t, u;
		const sakke_aff_t *S = op_kind[j] == OP_SUB ? &nk : K;
		if(op_kind[j] == OP_DBL) {
			/* tangent: lambda = 3 (x^2 - 1) / 2y = 3 (X^2 - Z^4) / 2YZ */
			sakke_fp_sqr(&t, &T.z);
			sakke_fp_sub(&u, &T.x, &t);
			sakke_fp_add(&t, &T.x, &t);
			sakke_fp_mul(&t, &t, &u);
			sakke_fp_add(&u, &t, &t);
			sakke_fp_add(&num[j], &u, &t);
			px[j] = T.x;
			py[j] = T.y;
			sakke_jac_dbl(&T, &T);
		} else {
			/* chord through T and S = +-K:
			 * lambda = (yS Z^3 - Y) / (xS Z^2 - X) Z */
			sakke_fp_sqr(&t, &T.z);
			sakke_fp_mul(&u, &t, &T.z);
			sakke_fp_mul(&u, &u, &S->y);
			sakke_fp_sub(&num[j], &u, &T.y);
			sakke_jac_madd(&T, &T, S);
		}
		den[j] = T.z;
	}
	/* T = [q-1]K must be -K, i.e. K has order q (or is degenerate). */
	if(!sakke_jac_eq_aff_mask(&T, &nk)) {
		rc = MCSEC_ERR_INVALID_KEY;
		goto out;
	}
	/* den[j] != 0 for every step of a point of odd order q */
	rc = sakke_fp_batch_inv(den, n, scratch);
	if(rc != MCSEC_OK) {
		rc = rc == MCSEC_ERR_ARG ? MCSEC_ERR_INVALID_KEY : rc;
		goto out;
	}
	for(size_t j = 0; j < n; j++) {
		sakke_line_t *l = &m->line[j];
		sakke_fp_mul(&l->lambda, &num[j], &den[j]);
		if(op_kind[j] == OP_DBL) {
			sakke_fp_t iz, iz2, x, y;
			if(j == 0)
				iz = sakke_fp_one;
			else
				iz = den[j - 1];
			sakke_fp_sqr(&iz2, &iz);
			sakke_fp_mul(&x, &px[j], &iz2);
			sakke_fp_mul(&iz2, &iz2, &iz);
			sakke_fp_mul(&y, &py[j], &iz2);
			/* c = y - lambda x */
			sakke_fp_mul(&x, &x, &l->lambda);
			sakke_fp_sub(&l->c, &y, &x);
		} else {
			const sakke_aff_t *S = op_kind[j] == OP_SUB ? &nk : K;
			sakke_fp_t t;
			sakke_fp_mul(&t, &S->x, &l->lambda);
			sakke_fp_sub(&l->c, &S->y, &t);
		}
	}
	rc = MCSEC_OK;
out:
	if(num)
		OPENSSL_cleanse(num, n * sizeof(*num));
	if(den)
		OPENSSL_cleanse(den, n * sizeof(*den));
	if(px)
		OPENSSL_cleanse(px, n * sizeof(*px));
	if(py)
		OPENSSL_cleanse(py, n * sizeof(*py));
	if(scratch)
		OPENSSL_cleanse(scratch, n * sizeof(*scratch));
	free(num);
	free(den);
	free(px);
	free(py);
	free(scratch);
	OPENSSL_cleanse(&T, sizeof(T));
	return rc;
}

int sakke_pairing_eval(
		sakke_fp_t *w, const sakke_miller_t *m, const sakke_aff_t *R)
{
	/* Line Y = lambda X + c at psi(R) = (-xR, i yR):
	 * l = i yR - lambda (-xR) - c = (lambda xR - c) + i yR */
	sakke_fp2_t f, l;
	sakke_fp_t inv, yy, a1, a2;
	int rc = ops_init();
	if(rc != MCSEC_OK)
		return rc;
	f.a = sakke_fp_one;
	memset(&f.b, 0, sizeof(f.b));
	l.b = R->y;
	sakke_fp_sqr(&yy, &R->y);
	for(size_t j = 0; j < SAKKE_MILLER_OPS; j++) {
		/* every step starts with a doubling */
		sakke_fp2_sqr(&f, &f);
		sakke_fp_mul(&a1, &m->line[j].lambda, &R->x);
		sakke_fp_sub(&a1, &a1, &m->line[j].c);
		if(j + 1 < SAKKE_MILLER_OPS && op_kind[j + 1] != OP_DBL) {
			/* doubling and addition lines together:
			 * (a1 + i y)(a2 + i y) = (a1 a2 - y^2) + i y (a1 + a2) */
			j++;
			sakke_fp_mul(&a2, &m->line[j].lambda, &R->x);
			sakke_fp_sub(&a2, &a2, &m->line[j].c);
			sakke_fp_mul(&l.a, &a1, &a2);
			sakke_fp_sub(&l.a, &l.a, &yy);
			sakke_fp_add(&a1, &a1, &a2);
			sakke_fp_mul(&l.b, &a1, &R->y);
			sakke_fp2_mul(&f, &f, &l);
			l.b = R->y;
		} else {
			l.a = a1;
			sakke_fp2_mul(&f, &f, &l);
		}
	}
	/* RFC 6508 3.2 step 3: v^c, c = (p+1)/q = 4 */
	sakke_fp2_sqr(&f, &f);
	sakke_fp2_sqr(&f, &f);
	/* step 4: representative x2/x1 */
	rc = sakke_fp_inv(&inv, &f.a);
	if(rc == MCSEC_OK)
		sakke_fp_mul(w, &f.b, &inv);
	OPENSSL_cleanse(&f, sizeof(f));
	OPENSSL_cleanse(&l, sizeof(l));
	OPENSSL_cleanse(&inv, sizeof(inv));
	OPENSSL_cleanse(&a1, sizeof(a1));
	OPENSSL_cleanse(&a2, sizeof(a2));
	return rc;
}
