/*
 * SAKKE (RFC 6508, parameter set 1 of RFC 6509): the Appendix A example end
 * to end and every intermediate, every check of 6.1.2 and 6.2.2 failing on
 * its own, and random round trips.  Run with cwd = repo top (reads
 * tests/vectors/rfc6508-appendix-a.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/rand.h>

#include "encoding.h"
#include "mcsec_err.h"
#include "sakke.h"
#include "sakke_fp.h"
#include "sakke_internal.h"
#include "sakke_params.h"

#define VEC "tests/vectors/rfc6508-appendix-a.txt"

static struct
{
	uint8_t p[128], q[128], px[128], py[128], g[128];
	uint8_t z[128], Z[257], b[64], K[257], ssv[16], r[128], R[257], gr[128];
	uint8_t mask[16], H[16], sed[273];
	size_t b_len;
} V;

/* value of name=HEX from the vector file, right-aligned into want octets */
static void vec(const char *name, uint8_t *out, size_t want, size_t *got)
{
	FILE *f = fopen(VEC, "r");
	char line[2048];
	size_t nl = strlen(name);
	int found = 0;
	assert_non_null(f);
	while(fgets(line, sizeof(line), f)) {
		if(line[0] == '#' || strncmp(line, name, nl) || line[nl] != '=')
			continue;
		uint8_t tmp[512];
		char *val = line + nl + 1;
		long n = mcsec_hex_decode(val, strcspn(val, "\r\n"), tmp, sizeof(tmp));
		assert_true(n > 0);
		if(got) {
			memcpy(out, tmp, (size_t)n);
			*got = (size_t)n;
		} else {
			assert_true((size_t)n <= want);
			memset(out, 0, want - (size_t)n);
			memcpy(out + want - (size_t)n, tmp, (size_t)n);
		}
		found = 1;
		break;
	}
	fclose(f);
	assert_true(found);
}

static int load(void **state)
{
	(void)state;
	vec("p", V.p, 128, NULL);
	vec("q", V.q, 128, NULL);
	vec("Px", V.px, 128, NULL);
	vec("Py", V.py, 128, NULL);
	vec("g", V.g, 128, NULL);
	vec("z", V.z, 128, NULL);
	V.Z[0] = 4;
	vec("Zx", V.Z + 1, 128, NULL);
	vec("Zy", V.Z + 129, 128, NULL);
	vec("b", V.b, 0, &V.b_len);
	V.K[0] = 4;
	vec("Kx", V.K + 1, 128, NULL);
	vec("Ky", V.K + 129, 128, NULL);
	vec("SSV", V.ssv, 16, NULL);
	vec("r", V.r, 128, NULL);
	V.R[0] = 4;
	vec("Rx", V.R + 1, 128, NULL);
	vec("Ry", V.R + 129, 128, NULL);
	vec("gr", V.gr, 128, NULL);
	vec("mask", V.mask, 16, NULL);
	vec("H", V.H, 16, NULL);
	memcpy(V.sed, V.R, 257);
	memcpy(V.sed + 257, V.H, 16);
	return 0;
}

static mcsec_sakke_key_t *rfc_key(void)
{
	mcsec_sakke_key_t *k = NULL;
	assert_int_equal(mcsec_sakke_key_new(V.Z, V.b, V.b_len, V.K, &k), MCSEC_OK);
	assert_non_null(k);
	return k;
}

/* ---- known answers ---- */

static void test_params_match_rfc6509(void **state)
{
	(void)state;
	assert_memory_equal(sakke_param_p, V.p, 128);
	assert_memory_equal(sakke_param_q, V.q, 128);
	assert_memory_equal(sakke_param_px, V.px, 128);
	assert_memory_equal(sakke_param_py, V.py, 128);
	assert_memory_equal(sakke_param_g, V.g, 128);
}

static void test_kms_public_key(void **state)
{
	uint8_t Z[257];
	(void)state;
	assert_int_equal(mcsec_sakke_internal_public_key(V.z, Z), MCSEC_OK);
	assert_memory_equal(Z, V.Z, 257);
}

static void test_kms_issue_rsk(void **state)
{
	uint8_t K[257];
	(void)state;
	assert_int_equal(mcsec_sakke_kms_issue(V.z, V.b, V.b_len, K), MCSEC_OK);
	assert_memory_equal(K, V.K, 257);
}

static void test_r(void **state)
{
	uint8_t r[128];
	(void)state;
	assert_int_equal(mcsec_sakke_internal_r(V.ssv, V.b, V.b_len, r), MCSEC_OK);
	assert_memory_equal(r, V.r, 128);
}

static void test_g_pow_r_and_mask(void **state)
{
	uint8_t w[128], mask[16], h[16];
	(void)state;
	assert_int_equal(mcsec_sakke_internal_gpow(V.r, w), MCSEC_OK);
	assert_memory_equal(w, V.gr, 128);
	assert_int_equal(mcsec_sakke_internal_mask(V.gr, mask), MCSEC_OK);
	assert_memory_equal(mask, V.mask, 16);
	for(int i = 0; i < 16; i++)
		h[i] = V.ssv[i] ^ mask[i];
	assert_memory_equal(h, V.H, 16);
}

static void test_encap_rfc(void **state)
{
	uint8_t sed[273];
	(void)state;
	/* twice: the second goes through the per-(Z, ID) table */
	for(int i = 0; i < 3; i++) {
		memset(sed, 0, sizeof(sed));
		assert_int_equal(
				mcsec_sakke_encap(V.Z, V.b, V.b_len, V.ssv, sed), MCSEC_OK);
		assert_memory_equal(sed, V.R, 257);
		assert_memory_equal(sed + 257, V.H, 16);
	}
}

static void test_validate_rfc_rsk(void **state)
{
	(void)state;
	assert_int_equal(
			mcsec_sakke_validate_rsk(V.Z, V.b, V.b_len, V.K), MCSEC_OK);
}

static void test_pairing_rfc(void **state)
{
	uint8_t w[128];
	mcsec_sakke_key_t *k = rfc_key();
	(void)state;
	assert_int_equal(mcsec_sakke_internal_pairing(k, V.R, w), MCSEC_OK);
	assert_memory_equal(w, V.gr, 128);
	mcsec_sakke_key_free(k);
}

static void test_decap_rfc(void **state)
{
	uint8_t ssv[16];
	mcsec_sakke_key_t *k = rfc_key();
	uint64_t n0 = mcsec_sakke_decap_count();
	(void)state;
	memset(ssv, 0, sizeof(ssv));
	assert_int_equal(mcsec_sakke_decap(k, V.sed, sizeof(V.sed), ssv), MCSEC_OK);
	assert_memory_equal(ssv, V.ssv, 16);
	assert_int_equal(mcsec_sakke_decap_count(), n0 + 1);
	mcsec_sakke_key_free(k);
}

/* ---- RFC 6508 6.1.2: bad RSKs ---- */

static void expect_bad_rsk(
		const uint8_t *Z, const uint8_t *id, size_t id_len, const uint8_t *K)
{
	mcsec_sakke_key_t *k = (mcsec_sakke_key_t *)1;
	assert_int_equal(
			mcsec_sakke_validate_rsk(Z, id, id_len, K), MCSEC_ERR_INVALID_KEY);
	assert_int_equal(
			mcsec_sakke_key_new(Z, id, id_len, K, &k), MCSEC_ERR_INVALID_KEY);
	assert_null(k);
}

/* y -> p - y (big-endian 128 octets) */
static void negate_y(uint8_t *pt)
{
	int borrow = 0;
	for(int i = 127; i >= 0; i--) {
		int d = V.p[i] - pt[129 + i] - borrow;
		borrow = d < 0;
		pt[129 + i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

/* coordinate at off -> coordinate + p (still 128 octets for these values) */
static void add_p(uint8_t *pt, int off)
{
	int carry = 0;
	for(int i = 127; i >= 0; i--) {
		int s = V.p[i] + pt[off + i] + carry;
		pt[off + i] = (uint8_t)s;
		carry = s >> 8;
	}
	assert_int_equal(carry, 0);
}

static void test_validate_rejects(void **state)
{
	uint8_t K[257], id2[64];
	(void)state;
	/* -RSK: on the curve, order q, wrong */
	memcpy(K, V.K, 257);
	negate_y(K);
	expect_bad_rsk(V.Z, V.b, V.b_len, K);
	/* the RSK of another identity */
	memcpy(id2, V.b, V.b_len);
	id2[5] ^= 1;
	expect_bad_rsk(V.Z, id2, V.b_len, V.K);
	/* another KMS */
	expect_bad_rsk(V.R, V.b, V.b_len, V.K);
	/* off the curve */
	memcpy(K, V.K, 257);
	K[256] ^= 1;
	expect_bad_rsk(V.Z, V.b, V.b_len, K);
	/* the point (0, 0) of order 2 */
	memset(K, 0, 257);
	K[0] = 4;
	expect_bad_rsk(V.Z, V.b, V.b_len, K);
	/* P itself (order q, wrong) */
	K[0] = 4;
	memcpy(K + 1, V.px, 128);
	memcpy(K + 129, V.py, 128);
	expect_bad_rsk(V.Z, V.b, V.b_len, K);
	/* coordinate not reduced: (x, y + p) satisfies the equation mod p */
	memcpy(K, V.K, 257);
	add_p(K, 129);
	expect_bad_rsk(V.Z, V.b, V.b_len, K);
	/* KMS public key not reduced: (Zx + p, Zy) */
	{
		uint8_t Z[257];
		memcpy(Z, V.Z, 257);
		add_p(Z, 1);
		expect_bad_rsk(Z, V.b, V.b_len, V.K);
	}
	/* wrong prefix */
	memcpy(K, V.K, 257);
	K[0] = 2;
	expect_bad_rsk(V.Z, V.b, V.b_len, K);
}

/* ---- RFC 6508 6.2.2: every check failing on its own ---- */

static void expect_decap_fail(
		mcsec_sakke_key_t *k, const uint8_t *sed, size_t len)
{
	uint8_t ssv[16];
	uint64_t n0 = mcsec_sakke_decap_count();
	memset(ssv, 0xA5, sizeof(ssv));
	assert_int_equal(
			mcsec_sakke_decap(k, sed, len, ssv), MCSEC_ERR_DECAP_FAILED);
	for(int i = 0; i < 16; i++)
		assert_int_equal(ssv[i], 0xA5); /* nothing written */
	assert_int_equal(mcsec_sakke_decap_count(), n0 + 1);
}

static void test_decap_rejects(void **state)
{
	uint8_t s[300];
	mcsec_sakke_key_t *k = rfc_key();
	(void)state;

	/* the unmodified SED passes (so each failure below is its own check) */
	uint8_t ssv[16];
	assert_int_equal(mcsec_sakke_decap(k, V.sed, 273, ssv), MCSEC_OK);

	/* wrong lengths */
	expect_decap_fail(k, V.sed, 272);
	memcpy(s, V.sed, 273);
	s[273] = 0;
	expect_decap_fail(k, s, 274);
	expect_decap_fail(k, V.sed, 0);
	expect_decap_fail(k, V.sed, 257);
	/* prefixes: infinity (0x00), compressed (0x02/0x03), hybrid (0x06) */
	const uint8_t prefixes[] = {0x00, 0x02, 0x03, 0x06, 0x05};
	for(size_t i = 0; i < sizeof(prefixes); i++) {
		memcpy(s, V.sed, 273);
		s[0] = prefixes[i];
		expect_decap_fail(k, s, 273);
	}
	/* infinity as all-zero coordinates */
	memset(s, 0, 273);
	s[0] = 4;
	memcpy(s + 257, V.H, 16);
	expect_decap_fail(k, s, 273);
	/* (0, 0): on the curve, order 2 */
	expect_decap_fail(k, s, 273);
	/* off the curve */
	memcpy(s, V.sed, 273);
	s[256] ^= 1;
	expect_decap_fail(k, s, 273);
	/* x >= p: (x + p, y) satisfies the equation mod p */
	memcpy(s, V.sed, 273);
	add_p(s, 1);
	expect_decap_fail(k, s, 273);
	/* y >= p */
	memcpy(s, V.sed, 273);
	add_p(s, 129);
	expect_decap_fail(k, s, 273);
	/* x = p exactly */
	memcpy(s, V.sed, 273);
	memcpy(s + 1, V.p, 128);
	expect_decap_fail(k, s, 273);
	/* tampered H: the re-encryption test fails */
	for(int bit = 0; bit < 128; bit += 37) {
		memcpy(s, V.sed, 273);
		s[257 + bit / 8] ^= (uint8_t)(1 << (bit % 8));
		expect_decap_fail(k, s, 273);
	}
	/* tampered R: -R (valid point of order q) and P */
	memcpy(s, V.sed, 273);
	negate_y(s);
	expect_decap_fail(k, s, 273);
	memcpy(s, V.sed, 273);
	memcpy(s + 1, V.px, 128);
	memcpy(s + 129, V.py, 128);
	expect_decap_fail(k, s, 273);
	/* NULL arguments */
	expect_decap_fail(k, NULL, 273);
	assert_int_equal(
			mcsec_sakke_decap(NULL, V.sed, 273, ssv), MCSEC_ERR_DECAP_FAILED);
	mcsec_sakke_key_free(k);
}

static void test_decap_other_identity(void **state)
{
	uint8_t id2[64], sed[273];
	mcsec_sakke_key_t *k = rfc_key();
	(void)state;
	memcpy(id2, V.b, V.b_len);
	id2[V.b_len - 2] ^= 0x01; /* ...0124 */
	assert_int_equal(
			mcsec_sakke_encap(V.Z, id2, V.b_len, V.ssv, sed), MCSEC_OK);
	assert_memory_not_equal(sed, V.R, 257);
	expect_decap_fail(k, sed, 273);
	mcsec_sakke_key_free(k);
}

/* ---- random keys and round trips ---- */

static void test_random_round_trips(void **state)
{
	uint8_t z[128], Z[257], K[257], id[40], ssv[16], out[16], sed[273];
	(void)state;
	assert_int_equal(mcsec_sakke_kms_generate(z, Z), MCSEC_OK);
	for(int i = 0; i < 3; i++) {
		size_t id_len = 1 + (size_t)i * 13;
		mcsec_sakke_key_t *k = NULL;
		assert_int_equal(RAND_bytes(id, sizeof(id)), 1);
		assert_int_equal(mcsec_sakke_kms_issue(z, id, id_len, K), MCSEC_OK);
		assert_int_equal(mcsec_sakke_validate_rsk(Z, id, id_len, K), MCSEC_OK);
		assert_int_equal(mcsec_sakke_key_new(Z, id, id_len, K, &k), MCSEC_OK);
		for(int j = 0; j < 3; j++) {
			assert_int_equal(RAND_bytes(ssv, sizeof(ssv)), 1);
			assert_int_equal(
					mcsec_sakke_encap(Z, id, id_len, ssv, sed), MCSEC_OK);
			memset(out, 0, sizeof(out));
			assert_int_equal(
					mcsec_sakke_decap(k, sed, sizeof(sed), out), MCSEC_OK);
			assert_memory_equal(out, ssv, 16);
		}
		/* another KMS's public key does not validate this RSK */
		expect_bad_rsk(V.Z, id, id_len, K);
		mcsec_sakke_key_free(k);
	}
}

/* An identifier whose integer value is 0 (a = 0, [a]P + Z = Z): RFC 6508
 * gives it no special meaning, so issue, validation and a round trip work
 * (wolfSSL 5.5.4 fails to validate such an RSK; see test_wolf_sakke). */
static void test_identifier_zero(void **state)
{
	static const uint8_t zero_ids[][4] = {{0}, {0, 0, 0, 0}};
	static const size_t zero_lens[] = {1, 4};
	uint8_t z[128], Z[257], K[257], ssv[16], out[16], sed[273];
	(void)state;
	assert_int_equal(mcsec_sakke_kms_generate(z, Z), MCSEC_OK);
	for(size_t i = 0; i < 2; i++) {
		mcsec_sakke_key_t *k = NULL;
		assert_int_equal(mcsec_sakke_kms_issue(z, zero_ids[i], zero_lens[i], K),
				MCSEC_OK);
		assert_int_equal(
				mcsec_sakke_validate_rsk(Z, zero_ids[i], zero_lens[i], K),
				MCSEC_OK);
		assert_int_equal(
				mcsec_sakke_key_new(Z, zero_ids[i], zero_lens[i], K, &k),
				MCSEC_OK);
		assert_int_equal(RAND_bytes(ssv, sizeof(ssv)), 1);
		assert_int_equal(
				mcsec_sakke_encap(Z, zero_ids[i], zero_lens[i], ssv, sed),
				MCSEC_OK);
		assert_int_equal(mcsec_sakke_decap(k, sed, sizeof(sed), out), MCSEC_OK);
		assert_memory_equal(out, ssv, 16);
		mcsec_sakke_key_free(k);
	}
}

static void test_kms_issue_args(void **state)
{
	uint8_t zero[128], K[257], qq[128];
	(void)state;
	memset(zero, 0, sizeof(zero));
	assert_int_equal(
			mcsec_sakke_kms_issue(zero, V.b, V.b_len, K), MCSEC_ERR_ARG);
	memcpy(qq, V.q, 128);
	assert_int_equal(mcsec_sakke_kms_issue(qq, V.b, V.b_len, K), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_sakke_kms_issue(V.z, NULL, 3, K), MCSEC_ERR_ARG);
}

static void test_encap_args(void **state)
{
	uint8_t Z[257], sed[273];
	(void)state;
	memcpy(Z, V.Z, 257);
	Z[200] ^= 1; /* off the curve */
	assert_int_equal(
			mcsec_sakke_encap(Z, V.b, V.b_len, V.ssv, sed), MCSEC_ERR_ARG);
	Z[200] ^= 1;
	Z[0] = 0;
	assert_int_equal(
			mcsec_sakke_encap(Z, V.b, V.b_len, V.ssv, sed), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_sakke_encap(NULL, V.b, V.b_len, V.ssv, sed), MCSEC_ERR_ARG);
	/* identifiers over 4096 octets */
	{
		static uint8_t long_id[4097];
		mcsec_sakke_key_t *k = NULL;
		uint8_t K[257];
		assert_int_equal(
				mcsec_sakke_encap(V.Z, long_id, sizeof(long_id), V.ssv, sed),
				MCSEC_ERR_ARG);
		assert_int_equal(
				mcsec_sakke_validate_rsk(V.Z, long_id, sizeof(long_id), V.K),
				MCSEC_ERR_ARG);
		assert_int_equal(
				mcsec_sakke_key_new(V.Z, long_id, sizeof(long_id), V.K, &k),
				MCSEC_ERR_ARG);
		assert_int_equal(
				mcsec_sakke_kms_issue(V.z, long_id, sizeof(long_id), K),
				MCSEC_ERR_ARG);
		/* 4096 octets are fine */
		assert_int_equal(
				mcsec_sakke_kms_issue(V.z, long_id, 4096, K), MCSEC_OK);
		assert_int_equal(
				mcsec_sakke_validate_rsk(V.Z, long_id, 4096, K), MCSEC_OK);
	}
}

/* The portable C multiplication and the BMI2 one agree, and the RFC example
 * runs end to end on the portable one. */
static void test_portable_multiplication(void **state)
{
	sakke_fp_t a, b, r1, r2;
	uint8_t buf[128], sed[273], ssv[16];
	mcsec_sakke_key_t *k = rfc_key();
	(void)state;
	assert_int_equal(sakke_fp_init(), MCSEC_OK);
	for(int i = 0; i < 2000; i++) {
		assert_int_equal(RAND_bytes(buf, sizeof(buf)), 1);
		buf[0] &= 0x7f; /* < 2^1023 < p */
		sakke_int_from_bytes(&a, buf);
		assert_int_equal(RAND_bytes(buf, sizeof(buf)), 1);
		buf[0] = (uint8_t)(i & 1 ? 0x99 : buf[0] & 0x7f); /* near p too */
		sakke_int_from_bytes(&b, buf);
		if(!sakke_int_lt_mask(&b, &sakke_p_int))
			continue;
		sakke_fp_use_mulx(0);
		sakke_fp_mul(&r1, &a, &b);
		sakke_fp_use_mulx(1);
		sakke_fp_mul(&r2, &a, &b);
		assert_memory_equal(&r1, &r2, sizeof(r1));
		assert_true(sakke_int_lt_mask(&r1, &sakke_p_int) != 0);
	}
	sakke_fp_use_mulx(0);
	assert_int_equal(
			mcsec_sakke_encap(V.Z, V.b, V.b_len, V.ssv, sed), MCSEC_OK);
	assert_memory_equal(sed, V.sed, 273);
	assert_int_equal(mcsec_sakke_decap(k, V.sed, 273, ssv), MCSEC_OK);
	assert_memory_equal(ssv, V.ssv, 16);
	sakke_fp_use_mulx(1);
	mcsec_sakke_key_free(k);
}

/* Blinded field inversion: a * a^-1 = 1, and zero has no inverse. */
static void test_field_inverse(void **state)
{
	sakke_fp_t a, ai, one, zero;
	uint8_t buf[128];
	(void)state;
	assert_int_equal(sakke_fp_init(), MCSEC_OK);
	for(int i = 0; i < 20; i++) {
		assert_int_equal(RAND_bytes(buf, sizeof(buf)), 1);
		buf[0] &= 0x7f;
		sakke_int_from_bytes(&a, buf);
		sakke_fp_to_mont(&a, &a);
		assert_int_equal(sakke_fp_inv(&ai, &a), MCSEC_OK);
		sakke_fp_mul(&one, &a, &ai);
		assert_memory_equal(&one, &sakke_fp_one, sizeof(one));
	}
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(sakke_fp_inv(&ai, &zero), MCSEC_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_params_match_rfc6509),
			cmocka_unit_test(test_kms_public_key),
			cmocka_unit_test(test_kms_issue_rsk),
			cmocka_unit_test(test_r),
			cmocka_unit_test(test_g_pow_r_and_mask),
			cmocka_unit_test(test_encap_rfc),
			cmocka_unit_test(test_validate_rfc_rsk),
			cmocka_unit_test(test_pairing_rfc),
			cmocka_unit_test(test_decap_rfc),
			cmocka_unit_test(test_validate_rejects),
			cmocka_unit_test(test_decap_rejects),
			cmocka_unit_test(test_decap_other_identity),
			cmocka_unit_test(test_random_round_trips),
			cmocka_unit_test(test_identifier_zero),
			cmocka_unit_test(test_kms_issue_args),
			cmocka_unit_test(test_encap_args),
			cmocka_unit_test(test_portable_multiplication),
			cmocka_unit_test(test_field_inverse),
	};
	return cmocka_run_group_tests(tests, load, NULL);
}
