/*
 * RFC 3394 AES key wrap with a 256-bit KEK (xmlenc kw-aes256): the
 * section 4 vectors 4.3, 4.5, 4.6 (tests/vectors/kms/rfc3394-kek256.txt),
 * integrity-check failures, length checks, and RFC 5649 round trips.
 * Run with cwd = repo top.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encoding.h"
#include "keywrap.h"
#include "mcsec_err.h"

#define VEC "tests/vectors/kms/rfc3394-kek256.txt"

struct kwvec
{
	char name[16];
	uint8_t kek[32], key[64], ct[72];
	size_t key_len, ct_len;
};

static size_t load(struct kwvec *v, size_t max)
{
	FILE *f = fopen(VEC, "r");
	char line[512], name[16], kek[80], key[160], ct[200];
	size_t n = 0;

	assert_non_null(f);
	while(fgets(line, sizeof(line), f) && n < max) {
		long a, b, c;
		if(line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(
				sscanf(line, "%15s %79s %159s %199s", name, kek, key, ct), 4);
		snprintf(v[n].name, sizeof(v[n].name), "%s", name);
		a = mcsec_hex_decode(kek, strlen(kek), v[n].kek, 32);
		b = mcsec_hex_decode(key, strlen(key), v[n].key, 64);
		c = mcsec_hex_decode(ct, strlen(ct), v[n].ct, 72);
		assert_int_equal(a, 32);
		assert_true(b >= 16 && c == b + 8);
		v[n].key_len = (size_t)b;
		v[n].ct_len = (size_t)c;
		n++;
	}
	fclose(f);
	return n;
}

static void test_rfc3394_vectors(void **state)
{
	struct kwvec v[8];
	size_t n = load(v, 8);
	uint8_t out[80];
	size_t olen;
	int seen46 = 0;

	(void)state;
	assert_int_equal(n, 3);
	for(size_t i = 0; i < n; i++) {
		assert_int_equal(mcsec_kw_wrap(v[i].kek, v[i].key, v[i].key_len, out,
								 sizeof(out), &olen),
				MCSEC_OK);
		assert_int_equal(olen, v[i].ct_len);
		assert_memory_equal(out, v[i].ct, olen);
		memset(out, 0, sizeof(out));
		assert_int_equal(mcsec_kw_unwrap(v[i].kek, v[i].ct, v[i].ct_len, out,
								 sizeof(out), &olen),
				MCSEC_OK);
		assert_int_equal(olen, v[i].key_len);
		assert_memory_equal(out, v[i].key, olen);
		if(!strcmp(v[i].name, "4.6"))
			seen46 = 1;
	}
	assert_true(seen46);
}

/* RFC 3394 2.2.3: a changed bit anywhere, or the wrong KEK, fails the
 * integrity check and nothing is returned. */
static void test_unwrap_integrity(void **state)
{
	struct kwvec v[8];
	size_t n = load(v, 8);
	uint8_t out[80], bad[72], kek[32];
	size_t olen = 12345;

	(void)state;
	assert_true(n >= 3);
	for(size_t pos = 0; pos < v[2].ct_len; pos++) {
		memcpy(bad, v[2].ct, v[2].ct_len);
		bad[pos] ^= 0x01;
		memset(out, 0xAA, sizeof(out));
		assert_int_equal(mcsec_kw_unwrap(v[2].kek, bad, v[2].ct_len, out,
								 sizeof(out), &olen),
				MCSEC_ERR_INVALID_KEY);
		for(size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xAA);
	}
	memcpy(kek, v[2].kek, 32);
	kek[31] ^= 0x80;
	assert_int_equal(
			mcsec_kw_unwrap(kek, v[2].ct, v[2].ct_len, out, sizeof(out), &olen),
			MCSEC_ERR_INVALID_KEY);
	assert_int_equal(olen, 12345);
}

static void test_lengths(void **state)
{
	uint8_t kek[32] = {1}, in[64] = {2}, out[128];
	size_t olen;

	(void)state;
	/* wrap: multiple of 8, at least 16 */
	assert_int_equal(
			mcsec_kw_wrap(kek, in, 8, out, sizeof(out), &olen), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_kw_wrap(kek, in, 17, out, sizeof(out), &olen), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_kw_wrap(kek, in, 32, out, 39, &olen), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_kw_wrap(kek, in, 32, out, 40, &olen), MCSEC_OK);
	assert_int_equal(olen, 40);
	/* unwrap: at least 24, multiple of 8 */
	assert_int_equal(mcsec_kw_unwrap(kek, out, 16, in, sizeof(in), &olen),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(mcsec_kw_unwrap(kek, out, 39, in, sizeof(in), &olen),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(
			mcsec_kw_unwrap(kek, out, 40, in, 31, &olen), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_kw_unwrap(kek, out, 40, in, 32, &olen), MCSEC_OK);
	assert_int_equal(olen, 32);
}

/* RFC 5649: the 257- and 65-octet points wrap without padding rules of
 * our own; a changed octet fails. */
static void test_kwp_roundtrip(void **state)
{
	uint8_t kek[32], in[257], w[280], out[280];
	size_t wl, ol;
	static const size_t lens[] = {1, 7, 8, 32, 65, 257};

	(void)state;
	for(size_t i = 0; i < sizeof(kek); i++)
		kek[i] = (uint8_t)(i * 7 + 1);
	for(size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i ^ 0x5c);
	for(size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		assert_int_equal(
				mcsec_kwp_wrap(kek, in, lens[i], w, sizeof(w), &wl), MCSEC_OK);
		assert_int_equal(wl, (lens[i] + 7) / 8 * 8 + 8);
		assert_int_equal(
				mcsec_kwp_unwrap(kek, w, wl, out, sizeof(out), &ol), MCSEC_OK);
		assert_int_equal(ol, lens[i]);
		assert_memory_equal(out, in, ol);
		w[wl - 1] ^= 1;
		assert_int_equal(mcsec_kwp_unwrap(kek, w, wl, out, sizeof(out), &ol),
				MCSEC_ERR_INVALID_KEY);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_rfc3394_vectors),
			cmocka_unit_test(test_unwrap_integrity),
			cmocka_unit_test(test_lengths),
			cmocka_unit_test(test_kwp_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
