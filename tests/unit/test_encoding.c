/*
 * Hex and base64 codecs (encoding.c): RFC 4648 section 10 vectors, strict
 * rejection of malformed input, output bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encoding.h"

static long hexd(const char *s, uint8_t *out, size_t cap)
{
	return mcsec_hex_decode(s, strlen(s), out, cap);
}

static void test_hex_decode(void **state)
{
	uint8_t o[16];
	(void)state;
	assert_int_equal(hexd("", o, sizeof(o)), 0);
	assert_int_equal(hexd("00ff10", o, sizeof(o)), 3);
	assert_memory_equal(o, "\x00\xff\x10", 3);
	assert_int_equal(hexd("aBcDeF", o, sizeof(o)), 3);
	assert_memory_equal(o, "\xab\xcd\xef", 3);
	/* whitespace anywhere, even inside an octet */
	assert_int_equal(hexd(" 0 1\n\t02\r\n", o, sizeof(o)), 2);
	assert_memory_equal(o, "\x01\x02", 2);
	/* bad characters, odd digit counts */
	assert_int_equal(hexd("0g", o, sizeof(o)), -1);
	assert_int_equal(hexd("0x01", o, sizeof(o)), -1);
	assert_int_equal(hexd("abc", o, sizeof(o)), -1);
	assert_int_equal(hexd("a", o, sizeof(o)), -1);
	assert_int_equal(hexd("a b c", o, sizeof(o)), -1);
	assert_int_equal(hexd("-1", o, sizeof(o)), -1);
	/* a NUL inside the given length is not skipped */
	assert_int_equal(mcsec_hex_decode("00\0"
									  "11",
							 5, o, sizeof(o)),
			-1);
	/* capacity: exact fits, one more does not */
	assert_int_equal(hexd("0102", o, 2), 2);
	assert_int_equal(hexd("010203", o, 2), -1);
	assert_int_equal(hexd("01", o, 0), -1);
	/* only in_len characters are read */
	assert_int_equal(mcsec_hex_decode("0102zz", 4, o, sizeof(o)), 2);
}

static void test_hex_encode(void **state)
{
	char s[16];
	(void)state;
	memset(s, 'x', sizeof(s));
	mcsec_hex_encode((const uint8_t *)"\x00\xab\xff", 3, s);
	assert_string_equal(s, "00abff");
	mcsec_hex_encode((const uint8_t *)"", 0, s);
	assert_string_equal(s, "");
	/* round trip of every octet value */
	uint8_t all[256], back[256];
	char h[513];
	for(int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	mcsec_hex_encode(all, 256, h);
	assert_int_equal(strlen(h), 512);
	assert_int_equal(mcsec_hex_decode(h, 512, back, 256), 256);
	assert_memory_equal(all, back, 256);
}

/* RFC 4648 section 10 */
static const struct
{
	const char *plain, *b64, *b64url;
} rfc4648[] = {
		{"", "", ""},
		{"f", "Zg==", "Zg"},
		{"fo", "Zm8=", "Zm8"},
		{"foo", "Zm9v", "Zm9v"},
		{"foob", "Zm9vYg==", "Zm9vYg"},
		{"fooba", "Zm9vYmE=", "Zm9vYmE"},
		{"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void test_hex_digit_and_memdup(void **state)
{
	const char raw[4] = {'a', '\0', 'b', 'c'};
	char *d;

	(void)state;
	assert_int_equal(mcsec_hex_digit('0'), 0);
	assert_int_equal(mcsec_hex_digit('9'), 9);
	assert_int_equal(mcsec_hex_digit('a'), 10);
	assert_int_equal(mcsec_hex_digit('F'), 15);
	assert_int_equal(mcsec_hex_digit('g'), -1);
	assert_int_equal(mcsec_hex_digit('/'), -1);
	assert_int_equal(mcsec_hex_digit(':'), -1);
	assert_int_equal(mcsec_hex_digit('@'), -1);
	assert_int_equal(mcsec_hex_digit('G'), -1);
	assert_int_equal(mcsec_hex_digit('`'), -1);

	/* copies exactly n octets, embedded NUL included, and terminates */
	d = mcsec_memdup_str(raw, sizeof(raw));
	assert_non_null(d);
	assert_memory_equal(d, raw, sizeof(raw));
	assert_int_equal(d[sizeof(raw)], '\0');
	free(d);
	d = mcsec_memdup_str(NULL, 0);
	assert_non_null(d);
	assert_int_equal(d[0], '\0');
	free(d);
}

static void test_b64_vectors(void **state)
{
	char s[32];
	uint8_t o[32];
	(void)state;
	for(size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t pl = strlen(rfc4648[i].plain);
		const char *e = rfc4648[i].b64, *u = rfc4648[i].b64url;

		assert_int_equal(mcsec_b64_encode((const uint8_t *)rfc4648[i].plain, pl,
								 s, sizeof(s), 0),
				strlen(e));
		assert_string_equal(s, e);
		assert_int_equal(mcsec_b64_encode((const uint8_t *)rfc4648[i].plain, pl,
								 s, sizeof(s), 1),
				strlen(u));
		assert_string_equal(s, u);

		assert_int_equal(mcsec_b64_decode(e, strlen(e), o, sizeof(o), 0), pl);
		assert_memory_equal(o, rfc4648[i].plain, pl);
		/* url: without padding, and with it */
		assert_int_equal(mcsec_b64_decode(u, strlen(u), o, sizeof(o), 1), pl);
		assert_memory_equal(o, rfc4648[i].plain, pl);
		assert_int_equal(mcsec_b64_decode(e, strlen(e), o, sizeof(o), 1), pl);
		assert_memory_equal(o, rfc4648[i].plain, pl);
	}
}

static void test_b64_alphabets(void **state)
{
	const uint8_t v[3] = {0xfb, 0xff, 0xbf};
	char s[8];
	uint8_t o[8];
	(void)state;
	assert_int_equal(mcsec_b64_encode(v, 3, s, sizeof(s), 0), 4);
	assert_string_equal(s, "+/+/");
	assert_int_equal(mcsec_b64_encode(v, 3, s, sizeof(s), 1), 4);
	assert_string_equal(s, "-_-_");
	assert_int_equal(mcsec_b64_decode("+/+/", 4, o, sizeof(o), 0), 3);
	assert_memory_equal(o, v, 3);
	assert_int_equal(mcsec_b64_decode("-_-_", 4, o, sizeof(o), 1), 3);
	assert_memory_equal(o, v, 3);
	/* the other alphabet is rejected */
	assert_int_equal(mcsec_b64_decode("-_-_", 4, o, sizeof(o), 0), -1);
	assert_int_equal(mcsec_b64_decode("+/+/", 4, o, sizeof(o), 1), -1);
}

static long b64d(const char *s, int url)
{
	uint8_t o[64];
	return mcsec_b64_decode(s, strlen(s), o, sizeof(o), url);
}

static void test_b64_strict(void **state)
{
	(void)state;
	/* standard base64 requires correct padding */
	assert_int_equal(b64d("Zg", 0), -1);
	assert_int_equal(b64d("Zg=", 0), -1);
	assert_int_equal(b64d("Zm8", 0), -1);
	assert_int_equal(b64d("Zm8==", 0), -1);
	assert_int_equal(b64d("Zm9v=", 0), -1);
	assert_int_equal(b64d("Zm9v==", 0), -1);
	assert_int_equal(b64d("Zg===", 0), -1);
	assert_int_equal(b64d("====", 0), -1);
	assert_int_equal(b64d("=", 1), -1);
	/* a lone symbol cannot encode an octet */
	assert_int_equal(b64d("Z", 0), -1);
	assert_int_equal(b64d("Zm9vY", 1), -1);
	assert_int_equal(b64d("Zm9vY===", 0), -1);
	/* data after padding */
	assert_int_equal(b64d("Zg==Zg==", 0), -1);
	assert_int_equal(b64d("Zg=a", 0), -1);
	assert_int_equal(b64d("Zm8=Zm9v", 1), -1);
	/* non-canonical trailing bits */
	assert_int_equal(b64d("Zh==", 0), -1);
	assert_int_equal(b64d("Zm9=", 0), -1);
	assert_int_equal(b64d("Zh", 1), -1);
	/* invalid characters */
	assert_int_equal(b64d("Zm9v!", 0), -1);
	assert_int_equal(b64d("Zm.v", 0), -1);
	/* url: wrong amount of padding */
	assert_int_equal(b64d("Zg=", 1), -1);
	assert_int_equal(b64d("Zm8==", 1), -1);
	/* whitespace is skipped, including between padding */
	assert_int_equal(b64d(" Zm9v\r\nYmFy \n", 0), 6);
	assert_int_equal(b64d("Zg=\n=", 0), 1);
}

static void test_b64_bounds(void **state)
{
	uint8_t o[8];
	char s[16];
	(void)state;
	/* decode capacity: exact fits, one short does not */
	assert_int_equal(mcsec_b64_decode("Zm9vYmFy", 8, o, 6, 0), 6);
	assert_int_equal(mcsec_b64_decode("Zm9vYmFy", 8, o, 5, 0), -1);
	assert_int_equal(mcsec_b64_decode("Zm9vYg==", 8, o, 4, 0), 4);
	assert_int_equal(mcsec_b64_decode("Zm9vYg==", 8, o, 3, 0), -1);
	assert_int_equal(mcsec_b64_decode("Zm9vYmE=", 8, o, 4, 0), -1);
	assert_int_equal(mcsec_b64_decode("Zm9vYmE", 7, o, 5, 1), 5);
	assert_int_equal(mcsec_b64_decode("Zm9vYmE", 7, o, 4, 1), -1);
	/* encode capacity includes the NUL */
	assert_int_equal(MCSEC_B64_ENC_LEN(3), 5);
	assert_int_equal(mcsec_b64_encode((const uint8_t *)"foo", 3, s, 5, 0), 4);
	assert_int_equal(mcsec_b64_encode((const uint8_t *)"foo", 3, s, 4, 0), -1);
	assert_int_equal(mcsec_b64_encode((const uint8_t *)"f", 1, s, 5, 0), 4);
	assert_int_equal(mcsec_b64_encode((const uint8_t *)"f", 1, s, 4, 0), -1);
	assert_int_equal(mcsec_b64_encode((const uint8_t *)"f", 1, s, 3, 1), 2);
	assert_int_equal(mcsec_b64_encode((const uint8_t *)"f", 1, s, 2, 1), -1);
	assert_int_equal(mcsec_b64_encode((const uint8_t *)"", 0, s, 1, 0), 0);
	assert_int_equal(mcsec_b64_encode((const uint8_t *)"", 0, s, 0, 0), -1);
}

static void test_b64_round_trip(void **state)
{
	uint8_t in[64], out[64];
	char s[128];
	(void)state;
	for(size_t len = 0; len <= sizeof(in); len++) {
		for(size_t i = 0; i < len; i++)
			in[i] = (uint8_t)(i * 37 + len);
		for(int url = 0; url <= 1; url++) {
			long n = mcsec_b64_encode(in, len, s, sizeof(s), url);
			assert_true(n >= 0);
			assert_int_equal(strlen(s), (size_t)n);
			assert_int_equal(
					mcsec_b64_decode(s, (size_t)n, out, sizeof(out), url), len);
			assert_memory_equal(in, out, len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_hex_decode),
			cmocka_unit_test(test_hex_encode),
			cmocka_unit_test(test_hex_digit_and_memdup),
			cmocka_unit_test(test_b64_vectors),
			cmocka_unit_test(test_b64_alphabets),
			cmocka_unit_test(test_b64_strict),
			cmocka_unit_test(test_b64_bounds),
			cmocka_unit_test(test_b64_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
