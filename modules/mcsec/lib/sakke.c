/*
 * mcsec - SAKKE (RFC 6508) with parameter set 1 (RFC 6509 Appendix A).
 * See sakke.h.  Field, curve, pairing, hashing and tables live in the
 * sakke_*.c files; this file holds the scheme (RFC 6508 6).
 *
 * Per-process state: the fixed-base table of P (built on first use,
 * read-only afterwards), a small cache of encapsulation tables keyed by
 * (Z, ID) guarded by a mutex, and the decapsulation counter.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mcsec_err.h"
#include "sakke.h"
#include "sakke_ct.h"
#include "sakke_curve.h"
#include "sakke_fixed_base.h"
#include "sakke_gpow.h"
#include "sakke_hash.h"
#include "sakke_internal.h"
#include "sakke_pairing.h"
#include "sakke_params.h"

struct mcsec_sakke_key
{
	sakke_miller_t miller; /* derived from the RSK: secret */
	sakke_fb_t qb_table;   /* [b]P + Z: public */
	uint8_t *id;
	size_t id_len;
};

static uint64_t decap_count;

/* Longest identifier accepted (MIKEY-SAKKE uses 32-octet UIDs). */
#define SAKKE_ID_MAX 4096

/* ---- P table -------------------------------------------------------- */

static sakke_fb_t *p_table;
static int p_table_rc = MCSEC_ERR_INTERNAL;
static pthread_once_t p_table_once = PTHREAD_ONCE_INIT;

static void p_table_build(void)
{
	sakke_fb_t *t;
	if(sakke_curve_init() != MCSEC_OK)
		return;
	t = malloc(sizeof(*t));
	if(!t)
		return;
	if(sakke_fb_build(t, &sakke_P) != MCSEC_OK) {
		free(t);
		return;
	}
	p_table = t;
	p_table_rc = MCSEC_OK;
}

static int sakke_init(void)
{
	int rc = sakke_curve_init();
	if(rc != MCSEC_OK)
		return rc;
	if(pthread_once(&p_table_once, p_table_build) != 0)
		return MCSEC_ERR_INTERNAL;
	return p_table_rc;
}

/* ---- scalars -------------------------------------------------------- */

static int bn_to_int(sakke_fp_t *r, const BIGNUM *bn)
{
	uint8_t buf[SAKKE_FP_BYTES];
	int ok = BN_bn2binpad(bn, buf, sizeof(buf)) == (int)sizeof(buf);
	if(ok)
		sakke_int_from_bytes(r, buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok;
}

/* b = OS2I(ID) mod q (RFC 6508 2.2: the identifier as an integer) */
static int id_to_int(sakke_fp_t *b, const uint8_t *id, size_t id_len)
{
	if(id_len > SAKKE_ID_MAX)
		return MCSEC_ERR_ARG;
	BIGNUM *x = BN_bin2bn(id, (int)id_len, NULL);
	BIGNUM *q = BN_bin2bn(sakke_param_q, SAKKE_FP_BYTES, NULL);
	BN_CTX *ctx = BN_CTX_new();
	int ok = x && q && ctx && BN_nnmod(x, x, q, ctx) && bn_to_int(b, x);
	BN_free(x);
	BN_free(q);
	BN_CTX_free(ctx);
	return ok ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

/* [b]P + Z (RFC 6508 6.1.2, 6.2.1 step 3); public values */
static int id_point(
		sakke_aff_t *qb, const sakke_aff_t *Z, const uint8_t *id, size_t id_len)
{
	sakke_fp_t b;
	sakke_jac_t bp, z, s;
	int rc = id_to_int(&b, id, id_len);
	if(rc != MCSEC_OK)
		return rc;
	if(sakke_fp_is_zero_mask(&b)) {
		sakke_jac_from_aff(&s, Z);
	} else {
		sakke_fb_mul(&bp, p_table, &b);
		sakke_jac_from_aff(&z, Z);
		sakke_jac_add_ct(&s, &bp, &z);
	}
	return sakke_jac_to_aff(qb, &s) == MCSEC_OK ? MCSEC_OK : MCSEC_ERR_ARG;
}

/* ---- KMS side (RFC 6508 6.1.1) -------------------------------------- */

int mcsec_sakke_kms_generate(
		uint8_t z[MCSEC_SAKKE_SCALAR_LEN], uint8_t Z[MCSEC_SAKKE_POINT_LEN])
{
	BIGNUM *q = NULL, *zz = NULL;
	sakke_fp_t zi;
	sakke_jac_t zj;
	sakke_aff_t za;
	int rc = sakke_init();
	if(!z || !Z)
		return MCSEC_ERR_ARG;
	if(rc != MCSEC_OK)
		return rc;
	rc = MCSEC_ERR_INTERNAL;
	q = BN_bin2bn(sakke_param_q, SAKKE_FP_BYTES, NULL);
	zz = BN_secure_new();
	/* z uniform in [2, q-1] */
	if(!q || !zz || !BN_sub_word(q, 2) || !BN_priv_rand_range(zz, q)
			|| !BN_add_word(zz, 2) || !bn_to_int(&zi, zz))
		goto out;
	sakke_fb_mul(&zj, p_table, &zi);
	if(sakke_jac_to_aff(&za, &zj) != MCSEC_OK)
		goto out;
	sakke_int_to_bytes(z, &zi);
	sakke_point_encode(Z, &za);
	rc = MCSEC_OK;
out:
	BN_free(q);
	BN_clear_free(zz);
	OPENSSL_cleanse(&zi, sizeof(zi));
	OPENSSL_cleanse(&zj, sizeof(zj));
	return rc;
}

int mcsec_sakke_kms_issue(const uint8_t z[MCSEC_SAKKE_SCALAR_LEN],
		const uint8_t *id, size_t id_len, uint8_t rsk[MCSEC_SAKKE_POINT_LEN])
{
	BIGNUM *q = NULL, *zz = NULL, *a = NULL, *inv = NULL;
	BN_CTX *ctx = NULL;
	sakke_fp_t k;
	sakke_jac_t kj;
	sakke_aff_t ka;
	int rc = sakke_init();
	if(!z || !rsk || (!id && id_len) || id_len > SAKKE_ID_MAX)
		return MCSEC_ERR_ARG;
	if(rc != MCSEC_OK)
		return rc;
	rc = MCSEC_ERR_INTERNAL;
	ctx = BN_CTX_secure_new();
	q = BN_bin2bn(sakke_param_q, SAKKE_FP_BYTES, NULL);
	zz = BN_secure_new();
	a = BN_bin2bn(id, (int)id_len, NULL);
	inv = BN_secure_new();
	if(!ctx || !q || !zz || !a || !inv
			|| !BN_bin2bn(z, MCSEC_SAKKE_SCALAR_LEN, zz))
		goto out;
	if(BN_is_zero(zz) || BN_cmp(zz, q) >= 0) {
		rc = MCSEC_ERR_ARG;
		goto out;
	}
	/* RSK = [(a + z)^-1]P */
	BN_set_flags(zz, BN_FLG_CONSTTIME);
	if(!BN_mod_add(zz, zz, a, q, ctx))
		goto out;
	if(BN_is_zero(zz)) {
		rc = MCSEC_ERR_ARG; /* ID = -z: no key exists */
		goto out;
	}
	BN_set_flags(zz, BN_FLG_CONSTTIME);
	if(!BN_mod_inverse(inv, zz, q, ctx) || !bn_to_int(&k, inv))
		goto out;
	sakke_fb_mul(&kj, p_table, &k);
	if(sakke_jac_to_aff(&ka, &kj) != MCSEC_OK)
		goto out;
	sakke_point_encode(rsk, &ka);
	rc = MCSEC_OK;
out:
	BN_free(q);
	BN_clear_free(zz);
	BN_free(a);
	BN_clear_free(inv);
	BN_CTX_free(ctx);
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(&kj, sizeof(kj));
	OPENSSL_cleanse(&ka, sizeof(ka));
	return rc;
}

/* ---- RSK validation (RFC 6508 6.1.2) and receiver keys --------------- */

/* Lines of the RSK and the check <[a]P + Z, RSK> == g. */
static int validate(sakke_miller_t *m, sakke_aff_t *qa,
		const uint8_t Z[MCSEC_SAKKE_POINT_LEN], const uint8_t *id,
		size_t id_len, const uint8_t rsk[MCSEC_SAKKE_POINT_LEN])
{
	sakke_aff_t z, k;
	sakke_fp_t w;
	int rc = sakke_init();
	if(rc != MCSEC_OK)
		return rc;
	if(sakke_point_decode(&z, Z) != MCSEC_OK
			|| sakke_point_decode(&k, rsk) != MCSEC_OK)
		return MCSEC_ERR_INVALID_KEY;
	rc = id_point(qa, &z, id, id_len);
	if(rc != MCSEC_OK)
		return rc == MCSEC_ERR_ARG ? MCSEC_ERR_INVALID_KEY : rc;
	rc = sakke_miller_precompute(m, &k);
	if(rc == MCSEC_OK)
		rc = sakke_pairing_eval(&w, m, qa);
	if(rc == MCSEC_ERR_ARG)
		rc = MCSEC_ERR_INVALID_KEY;
	if(rc == MCSEC_OK && !sakke_fp_eq_mask(&w, &sakke_g))
		rc = MCSEC_ERR_INVALID_KEY;
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(&w, sizeof(w));
	return rc;
}

int mcsec_sakke_validate_rsk(const uint8_t Z[MCSEC_SAKKE_POINT_LEN],
		const uint8_t *id, size_t id_len,
		const uint8_t rsk[MCSEC_SAKKE_POINT_LEN])
{
	sakke_miller_t *m;
	sakke_aff_t qa;
	int rc;
	if(!Z || !rsk || (!id && id_len) || id_len > SAKKE_ID_MAX)
		return MCSEC_ERR_ARG;
	m = malloc(sizeof(*m));
	if(!m)
		return MCSEC_ERR_INTERNAL;
	rc = validate(m, &qa, Z, id, id_len, rsk);
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
	return rc;
}

int mcsec_sakke_key_new(const uint8_t Z[MCSEC_SAKKE_POINT_LEN],
		const uint8_t *id, size_t id_len,
		const uint8_t rsk[MCSEC_SAKKE_POINT_LEN], mcsec_sakke_key_t **out)
{
	mcsec_sakke_key_t *k;
	sakke_aff_t qb;
	int rc;
	if(!Z || !rsk || !out || (!id && id_len) || id_len > SAKKE_ID_MAX)
		return MCSEC_ERR_ARG;
	*out = NULL;
	k = calloc(1, sizeof(*k));
	if(!k)
		return MCSEC_ERR_INTERNAL;
	k->id = malloc(id_len ? id_len : 1);
	if(!k->id) {
		free(k);
		return MCSEC_ERR_INTERNAL;
	}
	if(id_len)
		memcpy(k->id, id, id_len);
	k->id_len = id_len;
	rc = validate(&k->miller, &qb, Z, id, id_len, rsk);
	if(rc == MCSEC_OK)
		rc = sakke_fb_build(&k->qb_table, &qb);
	if(rc != MCSEC_OK) {
		mcsec_sakke_key_free(k);
		return rc == MCSEC_ERR_ARG ? MCSEC_ERR_INVALID_KEY : rc;
	}
	*out = k;
	return MCSEC_OK;
}

void mcsec_sakke_key_free(mcsec_sakke_key_t *k)
{
	if(!k)
		return;
	OPENSSL_cleanse(&k->miller, sizeof(k->miller));
	free(k->id);
	free(k);
}

/* ---- encapsulation (RFC 6508 6.2.1) ----------------------------------- */

#define ENCAP_CACHE_SLOTS 4

/* Tables for [r]([b]P + Z) per (Z, ID): a table is built the second time
 * the same (Z, ID) is seen (first use takes the variable-base path). */
static struct
{
	uint8_t tag[32]; /* SHA-256(Z || ID) */
	int used;
	sakke_fb_t *table; /* NULL while seen only once */
	uint64_t last_use;
} encap_cache[ENCAP_CACHE_SLOTS];
static uint64_t encap_clock;
static pthread_mutex_t encap_lock = PTHREAD_MUTEX_INITIALIZER;

static int tag_of(uint8_t tag[32], const uint8_t Z[MCSEC_SAKKE_POINT_LEN],
		const uint8_t *id, size_t id_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)
			 && EVP_DigestUpdate(ctx, Z, MCSEC_SAKKE_POINT_LEN)
			 && (id_len == 0 || EVP_DigestUpdate(ctx, id, id_len))
			 && EVP_DigestFinal_ex(ctx, tag, &n) && n == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

/* R = [r]Qb, through the cache when possible; holds the lock throughout. */
static int encap_point(sakke_jac_t *R, const uint8_t tag[32],
		const sakke_aff_t *qb, const sakke_fp_t *r)
{
	int slot = -1, victim = 0, rc = MCSEC_OK;
	pthread_mutex_lock(&encap_lock);
	encap_clock++;
	for(int i = 0; i < ENCAP_CACHE_SLOTS; i++) {
		if(encap_cache[i].used && memcmp(encap_cache[i].tag, tag, 32) == 0) {
			slot = i;
			break;
		}
		if(!encap_cache[i].used
				|| (encap_cache[victim].used
						&& encap_cache[i].last_use
								   < encap_cache[victim].last_use))
			victim = i;
	}
	if(slot < 0) {
		free(encap_cache[victim].table);
		encap_cache[victim].table = NULL;
		memcpy(encap_cache[victim].tag, tag, 32);
		encap_cache[victim].used = 1;
		encap_cache[victim].last_use = encap_clock;
		sakke_scalar_mul(R, qb, r);
		goto out;
	}
	encap_cache[slot].last_use = encap_clock;
	if(!encap_cache[slot].table) {
		sakke_fb_t *t = malloc(sizeof(*t));
		if(t && sakke_fb_build(t, qb) == MCSEC_OK) {
			encap_cache[slot].table = t;
		} else {
			free(t);
			sakke_scalar_mul(R, qb, r);
			goto out;
		}
	}
	sakke_fb_mul(R, encap_cache[slot].table, r);
out:
	pthread_mutex_unlock(&encap_lock);
	return rc;
}

int mcsec_sakke_encap(const uint8_t Z[MCSEC_SAKKE_POINT_LEN], const uint8_t *id,
		size_t id_len, const uint8_t ssv[MCSEC_SAKKE_SSV_LEN],
		uint8_t sed[MCSEC_SAKKE_SED_LEN])
{
	sakke_aff_t z, qb, ra;
	sakke_jac_t rj;
	sakke_fp_t r, w;
	uint8_t tag[32], wb[SAKKE_FP_BYTES], mask[MCSEC_SAKKE_SSV_LEN];
	int rc = sakke_init();
	if(!Z || !ssv || !sed || (!id && id_len) || id_len > SAKKE_ID_MAX)
		return MCSEC_ERR_ARG;
	if(rc != MCSEC_OK)
		return rc;
	if(sakke_point_decode(&z, Z) != MCSEC_OK)
		return MCSEC_ERR_ARG;
	rc = id_point(&qb, &z, id, id_len);
	if(rc == MCSEC_OK)
		rc = tag_of(tag, Z, id, id_len);
	/* step 2: r = HashToIntegerRange(SSV || b, q) */
	if(rc == MCSEC_OK)
		rc = sakke_hash_to_q(&r, ssv, MCSEC_SAKKE_SSV_LEN, id, id_len);
	/* step 3: R = [r]([b]P + Z) */
	if(rc == MCSEC_OK)
		rc = encap_point(&rj, tag, &qb, &r);
	if(rc == MCSEC_OK && sakke_jac_to_aff(&ra, &rj) != MCSEC_OK)
		rc = MCSEC_ERR_INTERNAL; /* r = 0 mod q: negligible */
	/* step 4: H = SSV xor HashToIntegerRange(g^r, 2^n) */
	if(rc == MCSEC_OK)
		rc = sakke_gpow(&w, &r);
	if(rc == MCSEC_OK) {
		sakke_fp_to_bytes(wb, &w);
		rc = sakke_hash_to_2n(mask, wb, sizeof(wb));
	}
	/* step 5: Encapsulated Data = R || H */
	if(rc == MCSEC_OK) {
		sakke_point_encode(sed, &ra);
		for(int i = 0; i < MCSEC_SAKKE_SSV_LEN; i++)
			sed[MCSEC_SAKKE_POINT_LEN + i] = ssv[i] ^ mask[i];
	}
	OPENSSL_cleanse(&r, sizeof(r));
	OPENSSL_cleanse(&w, sizeof(w));
	OPENSSL_cleanse(wb, sizeof(wb));
	OPENSSL_cleanse(mask, sizeof(mask));
	OPENSSL_cleanse(&rj, sizeof(rj));
	return rc;
}

/* ---- decapsulation (RFC 6508 6.2.2) ----------------------------------- */

int mcsec_sakke_decap(const mcsec_sakke_key_t *k, const uint8_t *sed,
		size_t sed_len, uint8_t ssv[MCSEC_SAKKE_SSV_LEN])
{
	sakke_aff_t R;
	sakke_jac_t test;
	sakke_fp_t w, r;
	uint8_t wb[SAKKE_FP_BYTES], s[MCSEC_SAKKE_SSV_LEN];
	uint64_t ok = 0;
	int rc;

	__atomic_fetch_add(&decap_count, 1, __ATOMIC_RELAXED);
	if(!k || !sed || !ssv || sed_len != MCSEC_SAKKE_SED_LEN)
		return MCSEC_ERR_DECAP_FAILED;
	/* step 1: R on E, coordinates < p, uncompressed, not infinity */
	if(sakke_point_decode(&R, sed) != MCSEC_OK)
		return MCSEC_ERR_DECAP_FAILED;
	/* step 2: w = <R, RSK> */
	rc = sakke_pairing_eval(&w, &k->miller, &R);
	/* step 3: SSV = H xor HashToIntegerRange(w, 2^n) */
	if(rc == MCSEC_OK) {
		sakke_fp_to_bytes(wb, &w);
		rc = sakke_hash_to_2n(s, wb, sizeof(wb));
	}
	if(rc == MCSEC_OK) {
		for(int i = 0; i < MCSEC_SAKKE_SSV_LEN; i++)
			s[i] ^= sed[MCSEC_SAKKE_POINT_LEN + i];
		/* step 4: r = HashToIntegerRange(SSV || b, q) */
		rc = sakke_hash_to_q(&r, s, sizeof(s), k->id, k->id_len);
	}
	if(rc == MCSEC_OK) {
		/* step 5: TEST = [r]([b]P + Z) must equal R */
		sakke_fb_mul(&test, &k->qb_table, &r);
		ok = sakke_jac_eq_aff_mask(&test, &R);
	}
	/* The outcome of the comparison is what the protocol reveals. */
	SAKKE_DECLASSIFY(&ok, sizeof(ok));
	if(rc == MCSEC_OK && ok)
		memcpy(ssv, s, sizeof(s));
	OPENSSL_cleanse(&w, sizeof(w));
	OPENSSL_cleanse(&r, sizeof(r));
	OPENSSL_cleanse(wb, sizeof(wb));
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(&test, sizeof(test));
	return (rc == MCSEC_OK && ok) ? MCSEC_OK : MCSEC_ERR_DECAP_FAILED;
}

uint64_t mcsec_sakke_decap_count(void)
{
	return __atomic_load_n(&decap_count, __ATOMIC_RELAXED);
}

/* ---- internals for tests (sakke_internal.h) ----------------------------- */

int mcsec_sakke_internal_public_key(const uint8_t z[MCSEC_SAKKE_SCALAR_LEN],
		uint8_t Z[MCSEC_SAKKE_POINT_LEN])
{
	sakke_fp_t zi;
	sakke_jac_t zj;
	sakke_aff_t za;
	int rc = sakke_init();
	if(rc != MCSEC_OK)
		return rc;
	sakke_int_from_bytes(&zi, z);
	if(!sakke_int_lt_mask(&zi, &sakke_q_int))
		return MCSEC_ERR_ARG;
	sakke_fb_mul(&zj, p_table, &zi);
	rc = sakke_jac_to_aff(&za, &zj);
	if(rc == MCSEC_OK)
		sakke_point_encode(Z, &za);
	OPENSSL_cleanse(&zi, sizeof(zi));
	return rc;
}

int mcsec_sakke_internal_r(const uint8_t ssv[MCSEC_SAKKE_SSV_LEN],
		const uint8_t *id, size_t id_len, uint8_t r[MCSEC_SAKKE_SCALAR_LEN])
{
	sakke_fp_t v;
	int rc = sakke_init();
	if(rc == MCSEC_OK)
		rc = sakke_hash_to_q(&v, ssv, MCSEC_SAKKE_SSV_LEN, id, id_len);
	if(rc == MCSEC_OK)
		sakke_int_to_bytes(r, &v);
	return rc;
}

int mcsec_sakke_internal_gpow(const uint8_t r[MCSEC_SAKKE_SCALAR_LEN],
		uint8_t w[MCSEC_SAKKE_SCALAR_LEN])
{
	sakke_fp_t v, out;
	int rc = sakke_init();
	if(rc != MCSEC_OK)
		return rc;
	sakke_int_from_bytes(&v, r);
	if(!sakke_int_lt_mask(&v, &sakke_q_int))
		return MCSEC_ERR_ARG;
	rc = sakke_gpow(&out, &v);
	if(rc == MCSEC_OK)
		sakke_fp_to_bytes(w, &out);
	return rc;
}

int mcsec_sakke_internal_mask(const uint8_t w[MCSEC_SAKKE_SCALAR_LEN],
		uint8_t mask[MCSEC_SAKKE_SSV_LEN])
{
	return sakke_hash_to_2n(mask, w, MCSEC_SAKKE_SCALAR_LEN);
}

int mcsec_sakke_internal_pairing(const mcsec_sakke_key_t *k,
		const uint8_t R[MCSEC_SAKKE_POINT_LEN],
		uint8_t w[MCSEC_SAKKE_SCALAR_LEN])
{
	sakke_aff_t ra;
	sakke_fp_t v;
	int rc;
	if(sakke_point_decode(&ra, R) != MCSEC_OK)
		return MCSEC_ERR_MALFORMED;
	rc = sakke_pairing_eval(&v, &k->miller, &ra);
	if(rc == MCSEC_OK)
		sakke_fp_to_bytes(w, &v);
	return rc;
}

void mcsec_sakke_internal_secret_region(
		const mcsec_sakke_key_t *k, const void **ptr, size_t *len)
{
	*ptr = &k->miller;
	*len = sizeof(k->miller);
}
