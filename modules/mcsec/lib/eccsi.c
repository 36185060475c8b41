/*
 * mcsec - ECCSI (RFC 6507) over NIST P-256 (RFC 6509 parameter set) with
 * OpenSSL EC.
 *
 * Encodings (RFC 6507 3.3): points are 0x04||x||y, N = 32 octets per value;
 * G in HS is encoded the same way; r is the N-octet Jx, HE/HS are SHA-256.
 *
 * Secrets (KSAK, v, SSK, j) only meet OpenSSL's constant-time paths:
 * EC_POINT_mul with the generator (nistz256 precomputed tables / ladder),
 * Montgomery multiplication, BN_mod_add_quick and Fermat inversion with
 * BN_mod_exp_mont_consttime, all with BN_FLG_CONSTTIME.  Residual: the
 * BIGNUM representation strips leading zero words (BN_bin2bn,
 * bn_correct_top), as in OpenSSL's own ECDSA.
 *
 * Per-process state: the P-256 group and constants (created once), the
 * verification counters and the (KPAK, ID, PVT) -> Y cache.  Not
 * thread-safe; Kamailio workers are processes.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "eccsi.h"
#include "mcsec_err.h"

#define N MCSEC_ECCSI_SCALAR_LEN
#define PLEN MCSEC_ECCSI_POINT_LEN
#define HLEN 32
#define MAX_TRIES 16

static struct
{
	EC_GROUP *group;
	BIGNUM *p, *q, *q_minus_2, *rr; /* rr = 2^512 mod q (Montgomery) */
	BN_MONT_CTX *mont_q;
	EVP_MD *sha256;
	uint8_t G[PLEN];
	int ok;
} P256;

static pthread_once_t p256_once = PTHREAD_ONCE_INIT;

static void p256_init(void)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *t = BN_new();

	P256.group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	P256.p = BN_new();
	P256.q = BN_new();
	P256.q_minus_2 = BN_new();
	P256.rr = BN_new();
	P256.mont_q = BN_MONT_CTX_new();
	P256.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if(!ctx || !t || !P256.group || !P256.p || !P256.q || !P256.q_minus_2
			|| !P256.rr || !P256.mont_q || !P256.sha256)
		goto out;
	if(!EC_GROUP_get_curve(P256.group, P256.p, NULL, NULL, ctx)
			|| !BN_copy(P256.q, EC_GROUP_get0_order(P256.group))
			|| !BN_sub(P256.q_minus_2, P256.q, BN_value_one())
			|| !BN_sub_word(P256.q_minus_2, 1)
			|| !BN_MONT_CTX_set(P256.mont_q, P256.q, ctx)
			|| !BN_set_bit(t, 2 * 8 * N) || !BN_nnmod(P256.rr, t, P256.q, ctx))
		goto out;
	/* Generator multiples: OpenSSL 3 P-256 (nistz256) uses its built-in
	 * precomputed tables, so no EC_GROUP_precompute_mult is needed. */
	if(EC_POINT_point2oct(P256.group, EC_GROUP_get0_generator(P256.group),
			   POINT_CONVERSION_UNCOMPRESSED, P256.G, PLEN, ctx)
			!= PLEN)
		goto out;
	P256.ok = 1;
out:
	BN_free(t);
	BN_CTX_free(ctx);
}

static int p256(void)
{
	if(pthread_once(&p256_once, p256_init) != 0)
		return 0;
	return P256.ok;
}

/* ---- hashing ---- */

typedef struct
{
	const uint8_t *d;
	size_t n;
} part_t;

static int sha256_parts(const part_t *parts, size_t nparts, uint8_t out[HLEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int l = 0;
	int ok = md && EVP_DigestInit_ex(md, P256.sha256, NULL);

	for(size_t i = 0; ok && i < nparts; i++)
		ok = !parts[i].n || EVP_DigestUpdate(md, parts[i].d, parts[i].n);
	ok = ok && EVP_DigestFinal_ex(md, out, &l) && l == HLEN;
	EVP_MD_CTX_free(md);
	return ok ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

/* RFC 6507 5.1.1 step 3 / 5.1.2 step 2 / 5.2.2 step 2 */
static int compute_hs(const uint8_t kpak[PLEN], const uint8_t *id,
		size_t id_len, const uint8_t pvt[PLEN], uint8_t hs[HLEN])
{
	part_t p[4] = {{P256.G, PLEN}, {kpak, PLEN}, {id, id_len}, {pvt, PLEN}};
	return sha256_parts(p, 4, hs);
}

/* RFC 6507 5.2.1 step 3 / 5.2.2 step 3 */
static int compute_he(const uint8_t hs[HLEN], const uint8_t r[N],
		const uint8_t *msg, size_t msg_len, uint8_t he[HLEN])
{
	part_t p[3] = {{hs, HLEN}, {r, N}, {msg, msg_len}};
	return sha256_parts(p, 3, he);
}

int mcsec_eccsi_hs(const uint8_t kpak[PLEN], const uint8_t *id, size_t id_len,
		const uint8_t pvt[PLEN], uint8_t hs[32])
{
	if(!kpak || !pvt || !hs || (!id && id_len))
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	return compute_hs(kpak, id, id_len, pvt, hs);
}

int mcsec_eccsi_he(const uint8_t hs[32], const uint8_t r[N], const uint8_t *msg,
		size_t msg_len, uint8_t he[32])
{
	if(!hs || !r || !he || (!msg && msg_len))
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	return compute_he(hs, r, msg, msg_len, he);
}

/* ---- points and scalars ---- */

/* An uncompressed point on P-256 (oct2point checks the curve equation;
 * the 0x04 form cannot encode infinity). */
static int decode_point(const uint8_t in[PLEN], EC_POINT *pt, BN_CTX *ctx)
{
	if(in[0] != 0x04)
		return 0;
	if(!EC_POINT_oct2point(P256.group, pt, in, PLEN, ctx))
		return 0;
	return !EC_POINT_is_at_infinity(P256.group, pt)
		   && EC_POINT_is_on_curve(P256.group, pt, ctx) == 1;
}

static int encode_point(const EC_POINT *pt, uint8_t out[PLEN], BN_CTX *ctx)
{
	return EC_POINT_point2oct(P256.group, pt, POINT_CONVERSION_UNCOMPRESSED,
				   out, PLEN, ctx)
		   == PLEN;
}

/* A secret scalar from N octets, flagged for OpenSSL's constant-time paths. */
static BIGNUM *secret_bn(const uint8_t in[N])
{
	BIGNUM *b = BN_secure_new();
	if(!b)
		return NULL;
	BN_set_flags(b, BN_FLG_CONSTTIME);
	if(!BN_bin2bn(in, N, b)) {
		BN_clear_free(b);
		return NULL;
	}
	return b;
}

static BIGNUM *secret_bn_new(void)
{
	BIGNUM *b = BN_secure_new();
	if(b)
		BN_set_flags(b, BN_FLG_CONSTTIME);
	return b;
}

/* 1 if 0 < x < q.  Applied to secrets only to reject invalid input; the
 * outcome is public (the operation fails). */
static int in_range_q(const BIGNUM *x)
{
	return !BN_is_zero(x) && !BN_is_negative(x) && BN_cmp(x, P256.q) < 0;
}

/* r = a*b mod q, a and b reduced; Montgomery in and out (constant time). */
static int mul_mod_q(BIGNUM *r, const BIGNUM *a, const BIGNUM *b, BN_CTX *ctx)
{
	return BN_mod_mul_montgomery(r, a, b, P256.mont_q, ctx)
		   && BN_mod_mul_montgomery(r, r, P256.rr, P256.mont_q, ctx);
}

/* r = a^-1 mod q by Fermat (q prime), constant time. */
static int inv_mod_q(BIGNUM *r, const BIGNUM *a, BN_CTX *ctx)
{
	return BN_mod_exp_mont_consttime(
			r, a, P256.q_minus_2, P256.q, ctx, P256.mont_q);
}

/* A public hash value as an integer mod q. */
static int hash_mod_q(BIGNUM *r, const uint8_t h[HLEN], BN_CTX *ctx)
{
	return BN_bin2bn(h, HLEN, r) && BN_nnmod(r, r, P256.q, ctx);
}

static int random_scalar(BIGNUM *k, BN_CTX *ctx)
{
	/* uniform in [1, q-1] */
	BIGNUM *qm1 = BN_CTX_get(ctx);
	return qm1 && BN_sub(qm1, P256.q, BN_value_one())
		   && BN_priv_rand_range_ex(k, qm1, 0, ctx) && BN_add_word(k, 1);
}

/* ---- KMS side ---- */

int mcsec_eccsi_kms_public(const uint8_t ksak[N], uint8_t kpak[PLEN])
{
	BN_CTX *ctx = NULL;
	BIGNUM *k = NULL;
	EC_POINT *pt = NULL;
	int rc = MCSEC_ERR_INTERNAL;

	if(!ksak || !kpak)
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	ctx = BN_CTX_secure_new();
	k = secret_bn(ksak);
	pt = EC_POINT_new(P256.group);
	if(!ctx || !k || !pt)
		goto out;
	if(!in_range_q(k)) {
		rc = MCSEC_ERR_ARG;
		goto out;
	}
	if(!EC_POINT_mul(P256.group, pt, k, NULL, NULL, ctx)
			|| !encode_point(pt, kpak, ctx))
		goto out;
	rc = MCSEC_OK;
out:
	EC_POINT_free(pt);
	BN_clear_free(k);
	BN_CTX_free(ctx);
	return rc;
}

int mcsec_eccsi_kms_generate(uint8_t ksak[N], uint8_t kpak[PLEN])
{
	BN_CTX *ctx = NULL;
	BIGNUM *k = NULL;
	int rc = MCSEC_ERR_INTERNAL;

	if(!ksak || !kpak)
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	ctx = BN_CTX_secure_new();
	k = secret_bn_new();
	if(!ctx || !k)
		goto out;
	BN_CTX_start(ctx);
	if(!random_scalar(k, ctx) || BN_bn2binpad(k, ksak, N) != N) {
		BN_CTX_end(ctx);
		goto out;
	}
	BN_CTX_end(ctx);
	rc = mcsec_eccsi_kms_public(ksak, kpak);
out:
	if(rc != MCSEC_OK)
		OPENSSL_cleanse(ksak, N);
	BN_clear_free(k);
	BN_CTX_free(ctx);
	return rc;
}

/* RFC 6507 5.1.1 steps 2-4 for one v.  Returns MCSEC_ERR_INVALID_KEY when
 * SSK or HS is zero modulo q (the caller retries with a fresh v). */
static int issue_with_v(const BIGNUM *ksak, const uint8_t kpak[PLEN],
		const uint8_t *id, size_t id_len, const BIGNUM *v, uint8_t ssk[N],
		uint8_t pvt[PLEN], BN_CTX *ctx)
{
	EC_POINT *pt = EC_POINT_new(P256.group);
	BIGNUM *hs, *t;
	uint8_t hsb[HLEN];
	int rc = MCSEC_ERR_INTERNAL;

	BN_CTX_start(ctx);
	hs = BN_CTX_get(ctx);
	t = BN_CTX_get(ctx);
	if(!pt || !t)
		goto out;
	BN_set_flags(t, BN_FLG_CONSTTIME);
	/* 5.1.1 step 2: PVT = [v]G */
	if(!EC_POINT_mul(P256.group, pt, v, NULL, NULL, ctx)
			|| !encode_point(pt, pvt, ctx))
		goto out;
	/* step 3: HS = hash(G || KPAK || ID || PVT) */
	if(compute_hs(kpak, id, id_len, pvt, hsb) != MCSEC_OK
			|| !hash_mod_q(hs, hsb, ctx))
		goto out;
	/* step 4: SSK = (KSAK + HS * v) modulo q */
	if(!mul_mod_q(t, hs, v, ctx) || !BN_mod_add_quick(t, t, ksak, P256.q))
		goto out;
	/* "If either SSK or HS is zero modulo q, the KMS MUST erase the SSK" */
	if(BN_is_zero(t) || BN_is_zero(hs)) {
		rc = MCSEC_ERR_INVALID_KEY;
		goto out;
	}
	if(BN_bn2binpad(t, ssk, N) != N)
		goto out;
	rc = MCSEC_OK;
out:
	if(rc != MCSEC_OK)
		OPENSSL_cleanse(ssk, N);
	if(t)
		BN_clear(t);
	BN_CTX_end(ctx);
	EC_POINT_free(pt);
	return rc;
}

static int kms_issue(const uint8_t ksak[N], const uint8_t kpak[PLEN],
		const uint8_t *id, size_t id_len, const uint8_t *vin, uint8_t ssk[N],
		uint8_t pvt[PLEN])
{
	BN_CTX *ctx = NULL;
	BIGNUM *k = NULL, *v = NULL;
	EC_POINT *kp = NULL;
	uint8_t kpak_chk[PLEN];
	int rc = MCSEC_ERR_INTERNAL;

	if(!ksak || !kpak || !ssk || !pvt || (!id && id_len))
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	ctx = BN_CTX_secure_new();
	k = secret_bn(ksak);
	v = vin ? secret_bn(vin) : secret_bn_new();
	kp = EC_POINT_new(P256.group);
	if(!ctx || !k || !v || !kp)
		goto out;
	rc = MCSEC_ERR_ARG;
	if(!in_range_q(k) || (vin && !in_range_q(v)))
		goto out;
	/* KPAK must be the public half of KSAK: HS binds the KPAK */
	if(!decode_point(kpak, kp, ctx))
		goto out;
	rc = mcsec_eccsi_kms_public(ksak, kpak_chk);
	if(rc != MCSEC_OK)
		goto out;
	if(CRYPTO_memcmp(kpak_chk, kpak, PLEN) != 0) {
		rc = MCSEC_ERR_ARG;
		goto out;
	}
	for(int tries = 0; tries < MAX_TRIES; tries++) {
		/* 5.1.1 step 1: a random non-zero v */
		if(!vin) {
			BN_CTX_start(ctx);
			int ok = random_scalar(v, ctx);
			BN_CTX_end(ctx);
			if(!ok) {
				rc = MCSEC_ERR_INTERNAL;
				goto out;
			}
		}
		rc = issue_with_v(k, kpak, id, id_len, v, ssk, pvt, ctx);
		if(rc != MCSEC_ERR_INVALID_KEY || vin)
			break;
	}
	if(rc == MCSEC_ERR_INVALID_KEY && !vin)
		rc = MCSEC_ERR_INTERNAL;
out:
	EC_POINT_free(kp);
	BN_clear_free(k);
	BN_clear_free(v);
	BN_CTX_free(ctx);
	return rc;
}

int mcsec_eccsi_kms_issue(const uint8_t ksak[N], const uint8_t kpak[PLEN],
		const uint8_t *id, size_t id_len, uint8_t ssk[N], uint8_t pvt[PLEN])
{
	return kms_issue(ksak, kpak, id, id_len, NULL, ssk, pvt);
}

int mcsec_eccsi_kms_issue_with_v(const uint8_t ksak[N],
		const uint8_t kpak[PLEN], const uint8_t *id, size_t id_len,
		const uint8_t v[N], uint8_t ssk[N], uint8_t pvt[PLEN])
{
	if(!v)
		return MCSEC_ERR_ARG;
	return kms_issue(ksak, kpak, id, id_len, v, ssk, pvt);
}

/* ---- validation of a received (SSK, PVT), RFC 6507 5.1.2 ---- */

static int validate(const uint8_t kpak[PLEN], const uint8_t *id, size_t id_len,
		const BIGNUM *ssk, const uint8_t pvt[PLEN], uint8_t hs_out[HLEN],
		BN_CTX *ctx)
{
	EC_POINT *P = EC_POINT_new(P256.group), *K = EC_POINT_new(P256.group);
	EC_POINT *lhs = EC_POINT_new(P256.group), *rhs = EC_POINT_new(P256.group);
	BIGNUM *hs;
	int rc = MCSEC_ERR_INTERNAL;

	BN_CTX_start(ctx);
	hs = BN_CTX_get(ctx);
	if(!P || !K || !lhs || !rhs || !hs)
		goto out;
	if(!decode_point(kpak, K, ctx)) {
		rc = MCSEC_ERR_ARG;
		goto out;
	}
	rc = MCSEC_ERR_INVALID_KEY;
	/* 0 < SSK < q: a KMS never issues anything else (5.1.1 step 4) */
	if(!in_range_q(ssk))
		goto out;
	/* step 1: PVT lies on E (and is not the point at infinity) */
	if(!decode_point(pvt, P, ctx))
		goto out;
	/* step 2: HS = hash(G || KPAK || ID || PVT) */
	rc = MCSEC_ERR_INTERNAL;
	if(compute_hs(kpak, id, id_len, pvt, hs_out) != MCSEC_OK
			|| !hash_mod_q(hs, hs_out, ctx))
		goto out;
	/* step 3: KPAK = [SSK]G - [HS]PVT, checked as [SSK]G == KPAK + [HS]PVT */
	if(!EC_POINT_mul(P256.group, lhs, ssk, NULL, NULL, ctx)
			|| !EC_POINT_mul(P256.group, rhs, NULL, P, hs, ctx)
			|| !EC_POINT_add(P256.group, rhs, rhs, K, ctx))
		goto out;
	switch(EC_POINT_cmp(P256.group, lhs, rhs, ctx)) {
		case 0:
			rc = MCSEC_OK;
			break;
		case 1:
			rc = MCSEC_ERR_INVALID_KEY;
			break;
		default:
			rc = MCSEC_ERR_INTERNAL;
	}
out:
	BN_CTX_end(ctx);
	EC_POINT_clear_free(lhs);
	EC_POINT_free(rhs);
	EC_POINT_free(P);
	EC_POINT_free(K);
	return rc;
}

int mcsec_eccsi_validate(const uint8_t kpak[PLEN], const uint8_t *id,
		size_t id_len, const uint8_t ssk[N], const uint8_t pvt[PLEN])
{
	BN_CTX *ctx = NULL;
	BIGNUM *k = NULL;
	uint8_t hs[HLEN];
	int rc = MCSEC_ERR_INTERNAL;

	if(!kpak || !ssk || !pvt || (!id && id_len))
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	ctx = BN_CTX_secure_new();
	k = secret_bn(ssk);
	if(ctx && k)
		rc = validate(kpak, id, id_len, k, pvt, hs, ctx);
	BN_clear_free(k);
	BN_CTX_free(ctx);
	return rc;
}

/* ---- signer ---- */

struct mcsec_eccsi_signer
{
	BIGNUM *ssk; /* secure heap, BN_FLG_CONSTTIME */
	uint8_t hs[HLEN];
	uint8_t pvt[PLEN];
};

int mcsec_eccsi_signer_new(const uint8_t kpak[PLEN], const uint8_t *id,
		size_t id_len, const uint8_t ssk[N], const uint8_t pvt[PLEN],
		mcsec_eccsi_signer_t **out)
{
	mcsec_eccsi_signer_t *s = NULL;
	BN_CTX *ctx = NULL;
	int rc = MCSEC_ERR_INTERNAL;

	if(!kpak || !ssk || !pvt || !out || (!id && id_len))
		return MCSEC_ERR_ARG;
	*out = NULL;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	s = OPENSSL_zalloc(sizeof(*s));
	ctx = BN_CTX_secure_new();
	if(!s || !ctx)
		goto out;
	s->ssk = secret_bn(ssk);
	if(!s->ssk)
		goto out;
	/* RFC 6507 5.1.2: every SSK MUST be validated before use */
	rc = validate(kpak, id, id_len, s->ssk, pvt, s->hs, ctx);
	if(rc != MCSEC_OK)
		goto out;
	memcpy(s->pvt, pvt, PLEN);
	*out = s;
	s = NULL;
out:
	mcsec_eccsi_signer_free(s);
	BN_CTX_free(ctx);
	return rc;
}

void mcsec_eccsi_signer_free(mcsec_eccsi_signer_t *s)
{
	if(!s)
		return;
	BN_clear_free(s->ssk);
	OPENSSL_clear_free(s, sizeof(*s));
}

/* RFC 6507 5.2.1 steps 2-6 for one j.  MCSEC_ERR_BAD_SIGNATURE means "this
 * j cannot be used" (r = 0 or HE + r*SSK = 0 mod q): choose another. */
static int sign_with_bn_j(const mcsec_eccsi_signer_t *s, const uint8_t *msg,
		size_t msg_len, const BIGNUM *j, uint8_t sig[MCSEC_ECCSI_SIG_LEN],
		BN_CTX *ctx)
{
	EC_POINT *J = EC_POINT_new(P256.group);
	BIGNUM *jx, *r, *he, *t;
	uint8_t heb[HLEN];
	int rc = MCSEC_ERR_INTERNAL;

	BN_CTX_start(ctx);
	jx = BN_CTX_get(ctx);
	r = BN_CTX_get(ctx);
	he = BN_CTX_get(ctx);
	t = BN_CTX_get(ctx);
	if(!J || !t)
		goto out;
	BN_set_flags(t, BN_FLG_CONSTTIME);
	/* step 2: J = [j]G, r = Jx as an N-octet integer */
	if(!EC_POINT_mul(P256.group, J, j, NULL, NULL, ctx)
			|| !EC_POINT_get_affine_coordinates(P256.group, J, jx, NULL, ctx)
			|| BN_bn2binpad(jx, sig, N) != N)
		goto out;
	if(BN_is_zero(jx)) { /* a verifier rejects r = 0 (5.2.2 step 6) */
		rc = MCSEC_ERR_BAD_SIGNATURE;
		goto out;
	}
	/* step 3: HE = hash(HS || r || M) */
	if(compute_he(s->hs, sig, msg, msg_len, heb) != MCSEC_OK
			|| !hash_mod_q(he, heb, ctx) || !BN_nnmod(r, jx, P256.q, ctx))
		goto out;
	/* step 4: HE + r * SSK must be non-zero modulo q */
	if(!mul_mod_q(t, r, s->ssk, ctx) || !BN_mod_add_quick(t, t, he, P256.q))
		goto out;
	if(BN_is_zero(t)) {
		rc = MCSEC_ERR_BAD_SIGNATURE;
		goto out;
	}
	/* step 5: s' = ((HE + r * SSK)^-1 * j) modulo q */
	if(!inv_mod_q(t, t, ctx) || !mul_mod_q(t, t, j, ctx))
		goto out;
	/* step 6: s = s' (q < 2^256, so s' always fits N octets) */
	if(BN_bn2binpad(t, sig + N, N) != N)
		goto out;
	/* step 7: Sig = (r || s || PVT) */
	memcpy(sig + 2 * N, s->pvt, PLEN);
	rc = MCSEC_OK;
out:
	if(t)
		BN_clear(t);
	BN_CTX_end(ctx);
	EC_POINT_clear_free(J);
	OPENSSL_cleanse(heb, sizeof(heb));
	return rc;
}

int mcsec_eccsi_sign(const mcsec_eccsi_signer_t *s, const uint8_t *msg,
		size_t msg_len, uint8_t sig[MCSEC_ECCSI_SIG_LEN])
{
	BN_CTX *ctx = NULL;
	BIGNUM *j = NULL;
	int rc = MCSEC_ERR_INTERNAL;

	if(!s || !sig || (!msg && msg_len))
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	ctx = BN_CTX_secure_new();
	j = secret_bn_new();
	if(!ctx || !j)
		goto out;
	/* 5.2.1 step 1: a fresh random j in [1, q-1]; steps 2 and 4 say to
	 * start again with another j when the result would be unusable */
	for(int tries = 0; tries < MAX_TRIES; tries++) {
		BN_CTX_start(ctx);
		int ok = random_scalar(j, ctx);
		BN_CTX_end(ctx);
		if(!ok) {
			rc = MCSEC_ERR_INTERNAL;
			goto out;
		}
		rc = sign_with_bn_j(s, msg, msg_len, j, sig, ctx);
		if(rc != MCSEC_ERR_BAD_SIGNATURE)
			break;
	}
	if(rc == MCSEC_ERR_BAD_SIGNATURE)
		rc = MCSEC_ERR_INTERNAL;
out:
	if(rc != MCSEC_OK && sig)
		OPENSSL_cleanse(sig, MCSEC_ECCSI_SIG_LEN);
	BN_clear_free(j);
	BN_CTX_free(ctx);
	return rc;
}

int mcsec_eccsi_sign_with_j(const mcsec_eccsi_signer_t *s, const uint8_t *msg,
		size_t msg_len, const uint8_t jb[N], uint8_t sig[MCSEC_ECCSI_SIG_LEN])
{
	BN_CTX *ctx = NULL;
	BIGNUM *j = NULL;
	int rc = MCSEC_ERR_INTERNAL;

	if(!s || !jb || !sig || (!msg && msg_len))
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	ctx = BN_CTX_secure_new();
	j = secret_bn(jb);
	if(!ctx || !j)
		goto out;
	if(!in_range_q(j)) {
		rc = MCSEC_ERR_ARG;
		goto out;
	}
	rc = sign_with_bn_j(s, msg, msg_len, j, sig, ctx);
	if(rc == MCSEC_ERR_BAD_SIGNATURE) /* this j is unusable */
		rc = MCSEC_ERR_ARG;
out:
	if(rc != MCSEC_OK && sig)
		OPENSSL_cleanse(sig, MCSEC_ECCSI_SIG_LEN);
	BN_clear_free(j);
	BN_CTX_free(ctx);
	return rc;
}

/* ---- verification, RFC 6507 5.2.2 ---- */

static uint64_t verify_count, cache_hits, cache_tick;

typedef struct
{
	int used;
	uint64_t last_use;
	uint8_t hs[HLEN];
	uint8_t kpak[PLEN];
	uint8_t pvt[PLEN];
	size_t id_len;
	uint8_t id[MCSEC_ECCSI_CACHE_MAX_ID];
	EC_POINT *Y; /* [HS]PVT + KPAK */
} y_entry_t;

static y_entry_t y_cache[MCSEC_ECCSI_CACHE_SIZE];

uint64_t mcsec_eccsi_verify_count(void)
{
	return verify_count;
}

uint64_t mcsec_eccsi_cache_hits(void)
{
	return cache_hits;
}

void mcsec_eccsi_cache_clear(void)
{
	for(size_t i = 0; i < MCSEC_ECCSI_CACHE_SIZE; i++) {
		EC_POINT_free(y_cache[i].Y);
		memset(&y_cache[i], 0, sizeof(y_cache[i]));
	}
}

static const EC_POINT *cache_find(const uint8_t hs[HLEN],
		const uint8_t kpak[PLEN], const uint8_t *id, size_t id_len,
		const uint8_t pvt[PLEN])
{
	for(size_t i = 0; i < MCSEC_ECCSI_CACHE_SIZE; i++) {
		y_entry_t *e = &y_cache[i];
		if(e->used && e->id_len == id_len && !memcmp(e->hs, hs, HLEN)
				&& !memcmp(e->kpak, kpak, PLEN) && !memcmp(e->pvt, pvt, PLEN)
				&& (!id_len || !memcmp(e->id, id, id_len))) {
			e->last_use = ++cache_tick;
			return e->Y;
		}
	}
	return NULL;
}

static void cache_put(const uint8_t hs[HLEN], const uint8_t kpak[PLEN],
		const uint8_t *id, size_t id_len, const uint8_t pvt[PLEN],
		const EC_POINT *Y)
{
	y_entry_t *victim = &y_cache[0];
	EC_POINT *copy;

	if(id_len > MCSEC_ECCSI_CACHE_MAX_ID)
		return;
	for(size_t i = 0; i < MCSEC_ECCSI_CACHE_SIZE; i++) {
		if(!y_cache[i].used) {
			victim = &y_cache[i];
			break;
		}
		if(y_cache[i].last_use < victim->last_use)
			victim = &y_cache[i];
	}
	copy = EC_POINT_dup(Y, P256.group);
	if(!copy)
		return;
	EC_POINT_free(victim->Y);
	victim->Y = copy;
	victim->used = 1;
	victim->last_use = ++cache_tick;
	memcpy(victim->hs, hs, HLEN);
	memcpy(victim->kpak, kpak, PLEN);
	memcpy(victim->pvt, pvt, PLEN);
	victim->id_len = id_len;
	if(id_len)
		memcpy(victim->id, id, id_len);
}

/* 0 < r < p (r is compared with Jx as an integer in step 6) and 0 < s < q
 * (s is an N-octet integer modulo q, 5.2.1 step 6). */
static int check_r_s(const uint8_t *rb, const uint8_t *sb, BIGNUM *r, BIGNUM *s)
{
	if(!BN_bin2bn(rb, N, r) || !BN_bin2bn(sb, N, s))
		return MCSEC_ERR_INTERNAL;
	if(BN_is_zero(r) || BN_cmp(r, P256.p) >= 0)
		return MCSEC_ERR_BAD_SIGNATURE;
	if(BN_is_zero(s) || BN_cmp(s, P256.q) >= 0)
		return MCSEC_ERR_BAD_SIGNATURE;
	return MCSEC_OK;
}

/* RFC 6507 5.2.2 steps 3, 5 and 6 once Y = [HS]PVT + KPAK is known. */
static int verify_with_y(const EC_POINT *Y, const uint8_t hsb[HLEN],
		const uint8_t *rb, const BIGNUM *r, const BIGNUM *s, const uint8_t *msg,
		size_t msg_len, BN_CTX *ctx)
{
	uint8_t heb[HLEN];
	BIGNUM *he, *u1, *u2, *jx;
	EC_POINT *J = EC_POINT_new(P256.group);
	int rc = MCSEC_ERR_INTERNAL;

	BN_CTX_start(ctx);
	he = BN_CTX_get(ctx);
	u1 = BN_CTX_get(ctx);
	u2 = BN_CTX_get(ctx);
	jx = BN_CTX_get(ctx);
	if(!J || !jx)
		goto out;
	/* step 3: HE = hash(HS || r || M) */
	if(compute_he(hsb, rb, msg, msg_len, heb) != MCSEC_OK
			|| !hash_mod_q(he, heb, ctx))
		goto out;
	/* step 5: J = [s]([HE]G + [r]Y) = [s*HE]G + [s*r]Y, one double-scalar
	 * multiplication (all values public) */
	if(!BN_mod_mul(u1, s, he, P256.q, ctx) || !BN_mod_mul(u2, s, r, P256.q, ctx)
			|| !EC_POINT_mul(P256.group, J, u1, Y, u2, ctx))
		goto out;
	rc = MCSEC_ERR_BAD_SIGNATURE;
	/* step 6: J is not infinity; Jx = r modulo p (both < p: compared as
	 * integers, never reduced modulo q) and non-zero (r != 0 checked) */
	if(EC_POINT_is_at_infinity(P256.group, J))
		goto out;
	if(!EC_POINT_get_affine_coordinates(P256.group, J, jx, NULL, ctx)) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	if(BN_cmp(jx, r) != 0)
		goto out;
	rc = MCSEC_OK;
out:
	BN_CTX_end(ctx);
	EC_POINT_free(J);
	return rc;
}

int mcsec_eccsi_verify(const uint8_t kpak[PLEN], const uint8_t *id,
		size_t id_len, const uint8_t *msg, size_t msg_len,
		const uint8_t sig[MCSEC_ECCSI_SIG_LEN])
{
	const uint8_t *pvt;
	uint8_t hsb[HLEN];
	BN_CTX *ctx = NULL;
	BIGNUM *r, *s, *hs;
	EC_POINT *Ynew = NULL, *P = NULL, *K = NULL;
	const EC_POINT *Y;
	int rc = MCSEC_ERR_INTERNAL;

	if(!kpak || !sig || (!id && id_len) || (!msg && msg_len))
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	verify_count++;
	pvt = sig + 2 * N;

	ctx = BN_CTX_new();
	if(!ctx)
		return MCSEC_ERR_INTERNAL;
	BN_CTX_start(ctx);
	r = BN_CTX_get(ctx);
	s = BN_CTX_get(ctx);
	hs = BN_CTX_get(ctx);
	if(!hs)
		goto out;
	/* Structural checks first, before any curve arithmetic */
	rc = check_r_s(sig, sig + N, r, s);
	if(rc != MCSEC_OK)
		goto out;
	/* step 1: PVT in uncompressed form (RFC 6509 / the MIKEY SIGN) */
	rc = MCSEC_ERR_BAD_SIGNATURE;
	if(pvt[0] != 0x04)
		goto out;

	/* step 2: HS = hash(G || KPAK || ID || PVT) */
	if(compute_hs(kpak, id, id_len, pvt, hsb) != MCSEC_OK) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	Y = cache_find(hsb, kpak, id, id_len, pvt);
	if(Y) {
		cache_hits++;
	} else {
		P = EC_POINT_new(P256.group);
		K = EC_POINT_new(P256.group);
		Ynew = EC_POINT_new(P256.group);
		if(!P || !K || !Ynew) {
			rc = MCSEC_ERR_INTERNAL;
			goto out;
		}
		if(!decode_point(kpak, K, ctx)) {
			rc = MCSEC_ERR_ARG;
			goto out;
		}
		/* step 1: PVT lies on E and is not the point at infinity */
		if(!decode_point(pvt, P, ctx))
			goto out;
		/* step 4: Y = [HS]PVT + KPAK */
		if(!hash_mod_q(hs, hsb, ctx)
				|| !EC_POINT_mul(P256.group, Ynew, NULL, P, hs, ctx)
				|| !EC_POINT_add(P256.group, Ynew, Ynew, K, ctx)) {
			rc = MCSEC_ERR_INTERNAL;
			goto out;
		}
		/* Y = [SSK]G for a validly issued pair, never infinity */
		if(EC_POINT_is_at_infinity(P256.group, Ynew))
			goto out;
		cache_put(hsb, kpak, id, id_len, pvt, Ynew);
		Y = Ynew;
	}
	rc = verify_with_y(Y, hsb, sig, r, s, msg, msg_len, ctx);
out:
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	EC_POINT_free(Ynew);
	EC_POINT_free(P);
	EC_POINT_free(K);
	return rc;
}

int mcsec_eccsi_verify_with_y(const uint8_t y[PLEN], const uint8_t hs[32],
		const uint8_t *msg, size_t msg_len,
		const uint8_t sig[MCSEC_ECCSI_SIG_LEN])
{
	BN_CTX *ctx = NULL;
	BIGNUM *r, *s;
	EC_POINT *Y = NULL;
	int rc = MCSEC_ERR_INTERNAL;

	if(!y || !hs || !sig || (!msg && msg_len))
		return MCSEC_ERR_ARG;
	if(!p256())
		return MCSEC_ERR_INTERNAL;
	ctx = BN_CTX_new();
	Y = EC_POINT_new(P256.group);
	if(!ctx || !Y)
		goto out;
	BN_CTX_start(ctx);
	r = BN_CTX_get(ctx);
	s = BN_CTX_get(ctx);
	if(!s) {
		BN_CTX_end(ctx);
		goto out;
	}
	rc = check_r_s(sig, sig + N, r, s);
	if(rc == MCSEC_OK) {
		if(!decode_point(y, Y, ctx))
			rc = MCSEC_ERR_ARG;
		else
			rc = verify_with_y(Y, hs, sig, r, s, msg, msg_len, ctx);
	}
	BN_CTX_end(ctx);
out:
	EC_POINT_free(Y);
	BN_CTX_free(ctx);
	return rc;
}
