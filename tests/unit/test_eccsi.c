/*
 * ECCSI (RFC 6507): Appendix A known answers, every check of 5.1.2 and
 * 5.2.2 failing on its own, random round trips and the verification cache.
 * Run with cwd = repo top (reads tests/vectors/rfc6507-appendix-a.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/rand.h>

#include "eccsi.h"
#include "encoding.h"
#include "mcsec_err.h"

#define VEC "tests/vectors/rfc6507-appendix-a.txt"

/* P-256 (RFC 6509 / FIPS 186-3) */
static const char *P_HEX =
		"FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF";
static const char *Q_HEX =
		"FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

/* ---- the RFC 6507 Appendix A vector, read from the data file ---- */

static struct
{
	uint8_t ksak[32], kpak[65], id[64], v[32], pvt[65], hs[32], ssk[32];
	uint8_t m[64], j[32], J[65], r[32], he[32], s[32], sig[129];
	size_t id_len, m_len;
} V;

static void vec_field(
		const char *name, uint8_t *out, size_t cap, size_t want, size_t *got)
{
	FILE *f = fopen(VEC, "r");
	char line[1024];
	size_t nl = strlen(name);
	int found = 0;

	assert_non_null(f);
	while(fgets(line, sizeof(line), f)) {
		if(line[0] == '#' || strncmp(line, name, nl) || line[nl] != '=')
			continue;
		char *val = line + nl + 1;
		long n = mcsec_hex_decode(val, strcspn(val, "\r\n"), out, cap);
		assert_true(n > 0);
		if(want)
			assert_int_equal(n, want);
		if(got)
			*got = (size_t)n;
		found = 1;
		break;
	}
	fclose(f);
	if(!found)
		fail_msg("vector field %s missing", name);
}

static int load_vector(void **state)
{
	(void)state;
	vec_field("KSAK", V.ksak, 32, 32, NULL);
	vec_field("KPAK", V.kpak, 65, 65, NULL);
	vec_field("ID", V.id, sizeof(V.id), 0, &V.id_len);
	vec_field("v", V.v, 32, 32, NULL);
	vec_field("PVT", V.pvt, 65, 65, NULL);
	vec_field("HS", V.hs, 32, 32, NULL);
	vec_field("SSK", V.ssk, 32, 32, NULL);
	vec_field("M", V.m, sizeof(V.m), 0, &V.m_len);
	vec_field("j", V.j, 32, 32, NULL);
	vec_field("J", V.J, 65, 65, NULL);
	vec_field("r", V.r, 32, 32, NULL);
	vec_field("HE", V.he, 32, 32, NULL);
	vec_field("s", V.s, 32, 32, NULL);
	vec_field("Sig", V.sig, 129, 129, NULL);
	return 0;
}

static void hex32(const char *hex, uint8_t out[32])
{
	assert_int_equal(mcsec_hex_decode(hex, strlen(hex), out, 32), 32);
}

static int verify_vec(const uint8_t *sig)
{
	return mcsec_eccsi_verify(V.kpak, V.id, V.id_len, V.m, V.m_len, sig);
}

/* ---- known answers ---- */

static void test_kat_kms(void **state)
{
	uint8_t kpak[65], ssk[32], pvt[65], hs[32];
	(void)state;
	/* the vector file itself: ID is "2011-02\0tel:+447700900123\0" */
	assert_int_equal(V.id_len, 26);
	assert_memory_equal(V.id, "2011-02\0tel:+447700900123\0", 26);
	assert_int_equal(V.m_len, 8);
	assert_memory_equal(V.m, "message\0", 8);

	assert_int_equal(mcsec_eccsi_kms_public(V.ksak, kpak), MCSEC_OK);
	assert_memory_equal(kpak, V.kpak, 65);
	assert_int_equal(mcsec_eccsi_kms_issue_with_v(
							 V.ksak, V.kpak, V.id, V.id_len, V.v, ssk, pvt),
			MCSEC_OK);
	assert_memory_equal(pvt, V.pvt, 65);
	assert_memory_equal(ssk, V.ssk, 32);
	assert_int_equal(
			mcsec_eccsi_hs(V.kpak, V.id, V.id_len, V.pvt, hs), MCSEC_OK);
	assert_memory_equal(hs, V.hs, 32);
	assert_int_equal(mcsec_eccsi_validate(V.kpak, V.id, V.id_len, V.ssk, V.pvt),
			MCSEC_OK);
}

static void test_kat_sign(void **state)
{
	mcsec_eccsi_signer_t *s = NULL;
	uint8_t sig[129], he[32], J[65];
	(void)state;

	/* J = [j]G, r = Jx */
	assert_int_equal(mcsec_eccsi_kms_public(V.j, J), MCSEC_OK);
	assert_memory_equal(J, V.J, 65);
	assert_memory_equal(J + 1, V.r, 32);

	assert_int_equal(
			mcsec_eccsi_signer_new(V.kpak, V.id, V.id_len, V.ssk, V.pvt, &s),
			MCSEC_OK);
	assert_int_equal(
			mcsec_eccsi_sign_with_j(s, V.m, V.m_len, V.j, sig), MCSEC_OK);
	assert_memory_equal(sig, V.r, 32);
	assert_memory_equal(sig + 32, V.s, 32);
	assert_memory_equal(sig + 64, V.pvt, 65);
	assert_memory_equal(sig, V.sig, 129);
	assert_int_equal(mcsec_eccsi_he(V.hs, V.r, V.m, V.m_len, he), MCSEC_OK);
	assert_memory_equal(he, V.he, 32);
	mcsec_eccsi_signer_free(s);
}

static void test_kat_verify(void **state)
{
	(void)state;
	mcsec_eccsi_cache_clear();
	assert_int_equal(verify_vec(V.sig), MCSEC_OK);
	/* again from the cache */
	assert_int_equal(verify_vec(V.sig), MCSEC_OK);
}

/* ---- 5.2.2: every check fails on its own ---- */

static void expect_bad(const uint8_t *sig)
{
	/* cold and warm: the cache must not skip any check */
	mcsec_eccsi_cache_clear();
	assert_int_equal(verify_vec(sig), MCSEC_ERR_BAD_SIGNATURE);
	assert_int_equal(verify_vec(V.sig), MCSEC_OK);
	assert_int_equal(verify_vec(sig), MCSEC_ERR_BAD_SIGNATURE);
}

static void test_verify_pvt_checks(void **state)
{
	uint8_t sig[129];
	(void)state;

	/* PVT not on the curve */
	memcpy(sig, V.sig, 129);
	sig[128] ^= 0x01;
	expect_bad(sig);
	/* PVT as the point at infinity (0x00) */
	memset(sig + 64, 0, 65);
	memcpy(sig, V.sig, 64);
	expect_bad(sig);
	/* compressed / hybrid / unknown point formats */
	for(uint8_t f = 0; f < 8; f++) {
		if(f == 4)
			continue;
		memcpy(sig, V.sig, 129);
		sig[64] = f;
		expect_bad(sig);
	}
	/* x coordinate = p (not a field element) */
	memcpy(sig, V.sig, 129);
	hex32(P_HEX, sig + 65);
	expect_bad(sig);
	/* a valid point that is not the signer's PVT: the KPAK */
	memcpy(sig, V.sig, 129);
	memcpy(sig + 64, V.kpak, 65);
	expect_bad(sig);
}

static void test_verify_s_range(void **state)
{
	uint8_t sig[129], q[32];
	BIGNUM *b = BN_new();
	(void)state;

	hex32(Q_HEX, q);
	memcpy(sig, V.sig, 129);
	memset(sig + 32, 0, 32); /* s = 0 */
	expect_bad(sig);
	memcpy(sig + 32, q, 32); /* s = q */
	expect_bad(sig);
	/* s = q + s_valid is s_valid modulo q: must still be rejected */
	assert_non_null(BN_bin2bn(q, 32, b));
	BN_add_word(b, 1);
	assert_int_equal(BN_bn2binpad(b, sig + 32, 32), 32); /* s = q + 1 */
	expect_bad(sig);
	memset(sig + 32, 0xff, 32); /* s = 2^256 - 1 */
	expect_bad(sig);
	BN_free(b);
}

static void test_verify_r_range(void **state)
{
	uint8_t sig[129], p[32];
	BIGNUM *b = BN_new();
	(void)state;

	hex32(P_HEX, p);
	memcpy(sig, V.sig, 129);
	memset(sig, 0, 32); /* r = 0 */
	expect_bad(sig);
	memcpy(sig, p, 32); /* r = p */
	expect_bad(sig);
	assert_non_null(BN_bin2bn(p, 32, b));
	BN_add_word(b, 1);
	assert_int_equal(BN_bn2binpad(b, sig, 32), 32); /* r = p + 1 */
	expect_bad(sig);
	memset(sig, 0xff, 32);
	expect_bad(sig);
	BN_free(b);
}

static void test_verify_jx_ne_r(void **state)
{
	uint8_t sig[129];
	(void)state;
	/* r altered, still in range: Jx != r */
	memcpy(sig, V.sig, 129);
	sig[31] ^= 0x01;
	expect_bad(sig);
	/* s altered, still in range */
	memcpy(sig, V.sig, 129);
	sig[63] ^= 0x01;
	expect_bad(sig);
}

static void test_verify_message_id_kpak(void **state)
{
	uint8_t m[8], id[26], kpak2[65], ksak2[32];
	(void)state;

	mcsec_eccsi_cache_clear();
	/* every single-bit flip of the message */
	for(size_t i = 0; i < 8 * V.m_len; i++) {
		memcpy(m, V.m, 8);
		m[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(
				mcsec_eccsi_verify(V.kpak, V.id, V.id_len, m, 8, V.sig),
				MCSEC_ERR_BAD_SIGNATURE);
	}
	/* truncated / extended message */
	assert_int_equal(mcsec_eccsi_verify(V.kpak, V.id, V.id_len, V.m, 7, V.sig),
			MCSEC_ERR_BAD_SIGNATURE);
	/* wrong ID */
	memcpy(id, V.id, 26);
	id[20] ^= 0x01;
	assert_int_equal(mcsec_eccsi_verify(V.kpak, id, 26, V.m, 8, V.sig),
			MCSEC_ERR_BAD_SIGNATURE);
	assert_int_equal(mcsec_eccsi_verify(V.kpak, V.id, 25, V.m, 8, V.sig),
			MCSEC_ERR_BAD_SIGNATURE);
	/* another KMS's KPAK */
	assert_int_equal(mcsec_eccsi_kms_generate(ksak2, kpak2), MCSEC_OK);
	assert_int_equal(mcsec_eccsi_verify(kpak2, V.id, 26, V.m, 8, V.sig),
			MCSEC_ERR_BAD_SIGNATURE);
	/* a KPAK that is not a point: caller fault */
	memcpy(kpak2, V.kpak, 65);
	kpak2[64] ^= 1;
	mcsec_eccsi_cache_clear();
	assert_int_equal(
			mcsec_eccsi_verify(kpak2, V.id, 26, V.m, 8, V.sig), MCSEC_ERR_ARG);
	kpak2[0] = 0x02;
	assert_int_equal(
			mcsec_eccsi_verify(kpak2, V.id, 26, V.m, 8, V.sig), MCSEC_ERR_ARG);
	/* the genuine one still passes */
	assert_int_equal(verify_vec(V.sig), MCSEC_OK);
	/* NULL arguments */
	assert_int_equal(
			mcsec_eccsi_verify(NULL, V.id, 26, V.m, 8, V.sig), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_eccsi_verify(V.kpak, V.id, 26, V.m, 8, NULL), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_eccsi_verify(V.kpak, NULL, 26, V.m, 8, V.sig), MCSEC_ERR_ARG);
}

/* J = [s]([HE]G + [r]Y) at infinity needs HE + r*k = 0 (mod q) for
 * Y = [k]G; reachable only through the Y seam. */
static void test_verify_j_infinity(void **state)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *q = NULL, *k = BN_new(), *he = BN_new(), *r = BN_new();
	BIGNUM *j = BN_new(), *t = BN_new();
	uint8_t hs[32], msg[16], sig[129], heb[32], kb[32], y[65], jb[32], J[65];
	(void)state;

	assert_int_equal(BN_hex2bn(&q, Q_HEX), 64);
	RAND_bytes(hs, 32);
	RAND_bytes(msg, sizeof(msg));

	/* positive control: an honest signature against Y = [k]G */
	BN_rand_range(k, q);
	BN_add_word(k, 1);
	BN_bn2binpad(k, kb, 32);
	assert_int_equal(mcsec_eccsi_kms_public(kb, y), MCSEC_OK);
	BN_rand_range(j, q);
	BN_add_word(j, 1);
	BN_bn2binpad(j, jb, 32);
	assert_int_equal(mcsec_eccsi_kms_public(jb, J), MCSEC_OK);
	memcpy(sig, J + 1, 32); /* r = Jx */
	memcpy(sig + 64, y, 65);
	assert_int_equal(mcsec_eccsi_he(hs, sig, msg, sizeof(msg), heb), MCSEC_OK);
	BN_bin2bn(heb, 32, he);
	BN_bin2bn(sig, 32, r);
	BN_mod_mul(t, r, k, q, ctx);
	BN_mod_add(t, t, he, q, ctx);
	BN_mod_inverse(t, t, q, ctx);
	BN_mod_mul(t, t, j, q, ctx); /* s = j / (HE + r k) */
	BN_bn2binpad(t, sig + 32, 32);
	assert_int_equal(
			mcsec_eccsi_verify_with_y(y, hs, msg, sizeof(msg), sig), MCSEC_OK);

	/* now k = -HE / r: [HE]G + [r]Y = O for any s */
	memset(sig, 0, 32);
	sig[31] = 0x07; /* r = 7 */
	BN_set_word(r, 7);
	assert_int_equal(mcsec_eccsi_he(hs, sig, msg, sizeof(msg), heb), MCSEC_OK);
	BN_bin2bn(heb, 32, he);
	BN_mod_inverse(t, r, q, ctx);
	BN_mod_mul(t, t, he, q, ctx);
	BN_mod_sub(k, q, t, q, ctx);
	BN_bn2binpad(k, kb, 32);
	assert_int_equal(mcsec_eccsi_kms_public(kb, y), MCSEC_OK);
	memset(sig + 32, 0, 32);
	sig[63] = 0x05; /* s = 5 */
	assert_int_equal(mcsec_eccsi_verify_with_y(y, hs, msg, sizeof(msg), sig),
			MCSEC_ERR_BAD_SIGNATURE);
	/* (without the infinity check the affine conversion of J would fail
	 * and the result would be MCSEC_ERR_INTERNAL, not a bad signature) */
	BN_free(q);
	BN_free(k);
	BN_free(he);
	BN_free(r);
	BN_free(j);
	BN_free(t);
	BN_CTX_free(ctx);
}

/* A signature with a small s (crafted through the Y seam: k is chosen so
 * that s = 3 is correct) verifies; s + q, the same value modulo q, must be
 * rejected by the 0 < s < q check alone. */
static void test_verify_s_not_reduced(void **state)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *q = NULL, *k = BN_new(), *he = BN_new(), *r = BN_new();
	BIGNUM *j = BN_new(), *t = BN_new();
	uint8_t hs[32], msg[20], sig[129], heb[32], kb[32], y[65], jb[32], J[65];
	(void)state;

	assert_int_equal(BN_hex2bn(&q, Q_HEX), 64);
	RAND_bytes(hs, 32);
	RAND_bytes(msg, sizeof(msg));
	BN_rand_range(j, q);
	BN_add_word(j, 1);
	BN_bn2binpad(j, jb, 32);
	assert_int_equal(mcsec_eccsi_kms_public(jb, J), MCSEC_OK);
	memcpy(sig, J + 1, 32); /* r = Jx */
	assert_int_equal(mcsec_eccsi_he(hs, sig, msg, sizeof(msg), heb), MCSEC_OK);
	BN_bin2bn(heb, 32, he);
	BN_bin2bn(sig, 32, r);
	/* k = (j/3 - HE) / r */
	BN_set_word(t, 3);
	BN_mod_inverse(t, t, q, ctx);
	BN_mod_mul(t, t, j, q, ctx);
	BN_mod_sub(t, t, he, q, ctx);
	BN_mod_inverse(k, r, q, ctx);
	BN_mod_mul(k, k, t, q, ctx);
	BN_bn2binpad(k, kb, 32);
	assert_int_equal(mcsec_eccsi_kms_public(kb, y), MCSEC_OK);
	memcpy(sig + 64, y, 65);
	BN_set_word(t, 3);
	BN_bn2binpad(t, sig + 32, 32);
	assert_int_equal(
			mcsec_eccsi_verify_with_y(y, hs, msg, sizeof(msg), sig), MCSEC_OK);
	BN_add(t, t, q); /* s + q < 2^256 */
	assert_int_equal(BN_bn2binpad(t, sig + 32, 32), 32);
	assert_int_equal(mcsec_eccsi_verify_with_y(y, hs, msg, sizeof(msg), sig),
			MCSEC_ERR_BAD_SIGNATURE);

	BN_free(q);
	BN_free(k);
	BN_free(he);
	BN_free(r);
	BN_free(j);
	BN_free(t);
	BN_CTX_free(ctx);
}

static void test_verify_count(void **state)
{
	uint64_t c0 = mcsec_eccsi_verify_count();
	uint8_t sig[129];
	(void)state;
	memcpy(sig, V.sig, 129);
	sig[5] ^= 1;
	verify_vec(V.sig);
	verify_vec(sig);
	memset(sig, 0, 32);
	verify_vec(sig);
	assert_int_equal(mcsec_eccsi_verify_count() - c0, 3);
}

/* ---- 5.1.2 validation and KMS side ---- */

static void test_validate_failures(void **state)
{
	uint8_t ssk[32], pvt[65], id[26], kpak2[65], ksak2[32], q[32];
	mcsec_eccsi_signer_t *s = (mcsec_eccsi_signer_t *)1;
	BIGNUM *b = BN_new();
	(void)state;

#define BAD_KEY(kpak_, id_, idl_, ssk_, pvt_)                                \
	do {                                                                     \
		assert_int_equal(mcsec_eccsi_validate(kpak_, id_, idl_, ssk_, pvt_), \
				MCSEC_ERR_INVALID_KEY);                                      \
		assert_int_equal(                                                    \
				mcsec_eccsi_signer_new(kpak_, id_, idl_, ssk_, pvt_, &s),    \
				MCSEC_ERR_INVALID_KEY);                                      \
		assert_null(s);                                                      \
	} while(0)

	/* PVT off the curve */
	memcpy(pvt, V.pvt, 65);
	pvt[64] ^= 1;
	BAD_KEY(V.kpak, V.id, 26, V.ssk, pvt);
	/* PVT infinity / other encodings */
	memset(pvt, 0, 65);
	BAD_KEY(V.kpak, V.id, 26, V.ssk, pvt);
	memcpy(pvt, V.pvt, 65);
	pvt[0] = 0x03;
	BAD_KEY(V.kpak, V.id, 26, V.ssk, pvt);
	/* another valid point as PVT */
	BAD_KEY(V.kpak, V.id, 26, V.ssk, V.kpak);
	/* SSK off by one */
	memcpy(ssk, V.ssk, 32);
	ssk[31] ^= 1;
	BAD_KEY(V.kpak, V.id, 26, ssk, V.pvt);
	/* SSK = 0, SSK = q, SSK = SSK + q (same residue, out of range) */
	memset(ssk, 0, 32);
	BAD_KEY(V.kpak, V.id, 26, ssk, V.pvt);
	hex32(Q_HEX, q);
	BAD_KEY(V.kpak, V.id, 26, q, V.pvt);
	memset(ssk, 0xff, 32);
	BAD_KEY(V.kpak, V.id, 26, ssk, V.pvt);
	/* wrong ID */
	memcpy(id, V.id, 26);
	id[0] ^= 1;
	BAD_KEY(V.kpak, id, 26, V.ssk, V.pvt);
	BAD_KEY(V.kpak, V.id, 25, V.ssk, V.pvt);
	/* another KMS */
	assert_int_equal(mcsec_eccsi_kms_generate(ksak2, kpak2), MCSEC_OK);
	BAD_KEY(kpak2, V.id, 26, V.ssk, V.pvt);
	/* KPAK not a point: caller fault */
	memcpy(kpak2, V.kpak, 65);
	kpak2[1] ^= 1;
	assert_int_equal(
			mcsec_eccsi_validate(kpak2, V.id, 26, V.ssk, V.pvt), MCSEC_ERR_ARG);
	/* the genuine pair */
	assert_int_equal(mcsec_eccsi_signer_new(V.kpak, V.id, 26, V.ssk, V.pvt, &s),
			MCSEC_OK);
	assert_non_null(s);
	mcsec_eccsi_signer_free(s);
	mcsec_eccsi_signer_free(NULL);
	BN_free(b);
#undef BAD_KEY
}

static void test_kms_args(void **state)
{
	uint8_t zero[32] = {0}, q[32], ssk[32], pvt[65], kpak2[65], ksak2[32];
	uint8_t sig[129];
	mcsec_eccsi_signer_t *s;
	(void)state;

	hex32(Q_HEX, q);
	assert_int_equal(mcsec_eccsi_kms_public(zero, kpak2), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_eccsi_kms_public(q, kpak2), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_eccsi_kms_issue(zero, V.kpak, V.id, 26, ssk, pvt),
			MCSEC_ERR_ARG);
	/* KPAK not belonging to KSAK */
	assert_int_equal(mcsec_eccsi_kms_generate(ksak2, kpak2), MCSEC_OK);
	assert_int_equal(mcsec_eccsi_kms_issue(V.ksak, kpak2, V.id, 26, ssk, pvt),
			MCSEC_ERR_ARG);
	assert_int_equal(mcsec_eccsi_kms_issue_with_v(
							 V.ksak, V.kpak, V.id, 26, zero, ssk, pvt),
			MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_eccsi_kms_issue_with_v(V.ksak, V.kpak, V.id, 26, q, ssk, pvt),
			MCSEC_ERR_ARG);
	/* j out of range */
	assert_int_equal(mcsec_eccsi_signer_new(V.kpak, V.id, 26, V.ssk, V.pvt, &s),
			MCSEC_OK);
	assert_int_equal(
			mcsec_eccsi_sign_with_j(s, V.m, 8, zero, sig), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_eccsi_sign_with_j(s, V.m, 8, q, sig), MCSEC_ERR_ARG);
	mcsec_eccsi_signer_free(s);
}

/* ---- random round trips ---- */

static void test_random_round_trip(void **state)
{
	uint8_t ksak[32], kpak[65], kpak_chk[65], ssk[32], pvt[65];
	uint8_t sig1[129], sig2[129], id[32], msg[100];
	mcsec_eccsi_signer_t *s;
	(void)state;

	for(int i = 0; i < 10; i++) {
		RAND_bytes(id, sizeof(id));
		RAND_bytes(msg, sizeof(msg));
		assert_int_equal(mcsec_eccsi_kms_generate(ksak, kpak), MCSEC_OK);
		assert_int_equal(mcsec_eccsi_kms_public(ksak, kpak_chk), MCSEC_OK);
		assert_memory_equal(kpak, kpak_chk, 65);
		assert_int_equal(
				mcsec_eccsi_kms_issue(ksak, kpak, id, 32, ssk, pvt), MCSEC_OK);
		assert_int_equal(
				mcsec_eccsi_validate(kpak, id, 32, ssk, pvt), MCSEC_OK);
		assert_int_equal(
				mcsec_eccsi_signer_new(kpak, id, 32, ssk, pvt, &s), MCSEC_OK);
		assert_int_equal(mcsec_eccsi_sign(s, msg, sizeof(msg), sig1), MCSEC_OK);
		assert_int_equal(mcsec_eccsi_sign(s, msg, sizeof(msg), sig2), MCSEC_OK);
		/* a fresh j each time */
		assert_memory_not_equal(sig1, sig2, 64);
		assert_int_equal(
				mcsec_eccsi_verify(kpak, id, 32, msg, sizeof(msg), sig1),
				MCSEC_OK);
		assert_int_equal(
				mcsec_eccsi_verify(kpak, id, 32, msg, sizeof(msg), sig2),
				MCSEC_OK);
		msg[i] ^= 0x80;
		assert_int_equal(
				mcsec_eccsi_verify(kpak, id, 32, msg, sizeof(msg), sig1),
				MCSEC_ERR_BAD_SIGNATURE);
		/* empty message */
		assert_int_equal(mcsec_eccsi_sign(s, NULL, 0, sig1), MCSEC_OK);
		assert_int_equal(
				mcsec_eccsi_verify(kpak, id, 32, NULL, 0, sig1), MCSEC_OK);
		mcsec_eccsi_signer_free(s);
	}
}

/* ---- verification cache ---- */

#define NIDS (MCSEC_ECCSI_CACHE_SIZE + 6)

static void test_cache(void **state)
{
	static uint8_t ids[NIDS][32], sigs[NIDS][129];
	uint8_t ksak[32], kpak[65], ssk[32], pvt[65], longid[300], sig[129];
	const uint8_t msg[] = "cache";
	mcsec_eccsi_signer_t *s;
	uint64_t h0;
	(void)state;

	assert_int_equal(mcsec_eccsi_kms_generate(ksak, kpak), MCSEC_OK);
	for(int i = 0; i < NIDS; i++) {
		RAND_bytes(ids[i], 32);
		assert_int_equal(
				mcsec_eccsi_kms_issue(ksak, kpak, ids[i], 32, ssk, pvt),
				MCSEC_OK);
		assert_int_equal(mcsec_eccsi_signer_new(kpak, ids[i], 32, ssk, pvt, &s),
				MCSEC_OK);
		assert_int_equal(
				mcsec_eccsi_sign(s, msg, sizeof(msg), sigs[i]), MCSEC_OK);
		mcsec_eccsi_signer_free(s);
	}
	mcsec_eccsi_cache_clear();
	h0 = mcsec_eccsi_cache_hits();
	for(int i = 0; i < NIDS; i++)
		assert_int_equal(
				mcsec_eccsi_verify(kpak, ids[i], 32, msg, sizeof(msg), sigs[i]),
				MCSEC_OK);
	assert_int_equal(mcsec_eccsi_cache_hits(), h0); /* all distinct */
	/* the most recent one is cached */
	assert_int_equal(mcsec_eccsi_verify(kpak, ids[NIDS - 1], 32, msg,
							 sizeof(msg), sigs[NIDS - 1]),
			MCSEC_OK);
	assert_int_equal(mcsec_eccsi_cache_hits(), h0 + 1);
	/* the oldest was evicted (bounded size) but still verifies */
	assert_int_equal(
			mcsec_eccsi_verify(kpak, ids[0], 32, msg, sizeof(msg), sigs[0]),
			MCSEC_OK);
	assert_int_equal(mcsec_eccsi_cache_hits(), h0 + 1);
	/* a cached identity: a tampered message or another PVT still fails */
	memcpy(sig, sigs[NIDS - 1], 129);
	assert_int_equal(mcsec_eccsi_verify(kpak, ids[NIDS - 1], 32, msg,
							 sizeof(msg) - 1, sig),
			MCSEC_ERR_BAD_SIGNATURE);
	memcpy(sig + 64, sigs[NIDS - 2] + 64, 65);
	assert_int_equal(
			mcsec_eccsi_verify(kpak, ids[NIDS - 1], 32, msg, sizeof(msg), sig),
			MCSEC_ERR_BAD_SIGNATURE);
	/* a cached (KPAK, PVT) under a different ID */
	assert_int_equal(mcsec_eccsi_verify(kpak, ids[NIDS - 2], 32, msg,
							 sizeof(msg), sigs[NIDS - 1]),
			MCSEC_ERR_BAD_SIGNATURE);

	/* identities longer than the cache bound verify without caching */
	RAND_bytes(longid, sizeof(longid));
	assert_int_equal(
			mcsec_eccsi_kms_issue(ksak, kpak, longid, sizeof(longid), ssk, pvt),
			MCSEC_OK);
	assert_int_equal(
			mcsec_eccsi_signer_new(kpak, longid, sizeof(longid), ssk, pvt, &s),
			MCSEC_OK);
	assert_int_equal(mcsec_eccsi_sign(s, msg, sizeof(msg), sig), MCSEC_OK);
	mcsec_eccsi_signer_free(s);
	h0 = mcsec_eccsi_cache_hits();
	for(int i = 0; i < 2; i++)
		assert_int_equal(mcsec_eccsi_verify(kpak, longid, sizeof(longid), msg,
								 sizeof(msg), sig),
				MCSEC_OK);
	assert_int_equal(mcsec_eccsi_cache_hits(), h0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_kat_kms),
			cmocka_unit_test(test_kat_sign),
			cmocka_unit_test(test_kat_verify),
			cmocka_unit_test(test_verify_pvt_checks),
			cmocka_unit_test(test_verify_s_range),
			cmocka_unit_test(test_verify_r_range),
			cmocka_unit_test(test_verify_jx_ne_r),
			cmocka_unit_test(test_verify_message_id_kpak),
			cmocka_unit_test(test_verify_j_infinity),
			cmocka_unit_test(test_verify_s_not_reduced),
			cmocka_unit_test(test_verify_count),
			cmocka_unit_test(test_validate_failures),
			cmocka_unit_test(test_kms_args),
			cmocka_unit_test(test_random_round_trip),
			cmocka_unit_test(test_cache),
	};
	return cmocka_run_group_tests(tests, load_vector, NULL);
}
