/*
 * mcsec - constant-time hex codec for secret values.
 */
#include "hex_ct.h"

/* -1 if lo <= v <= hi, else 0 (v, lo, hi small ints; arithmetic shift). */
static int in_range(int v, int lo, int hi)
{
	return ~(((v - lo) | (hi - v)) >> (sizeof(int) * 8 - 1));
}

/* 0..15 for a hex digit, -1 otherwise, from masks only. */
static int digit_value(unsigned char c)
{
	int d = (int)c - '0';
	int l = (int)(c | 0x20) - 'a' + 10;
	int md = in_range(d, 0, 9), ml = in_range(l, 10, 15);
	return (d & md) | (l & ml) | ~(md | ml);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

long mcsec_hex_ct_decode(
		const char *in, size_t in_len, uint8_t *out, size_t out_cap)
{
	size_t n = 0;
	int have_hi = 0, hi = 0, bad = 0;

	for(size_t i = 0; i < in_len; i++) {
		int v;
		/* layout, not secret: a digit is never whitespace */
		if(is_space(in[i]))
			continue;
		v = digit_value((unsigned char)in[i]);
		bad |= v; /* negative once any character was not a digit */
		if(!have_hi) {
			hi = v;
			have_hi = 1;
			continue;
		}
		if(n >= out_cap)
			return -1;
		out[n++] = (uint8_t)(((hi & 0xf) << 4) | (v & 0xf));
		have_hi = 0;
	}
	if(have_hi || bad < 0)
		return -1;
	return (long)n;
}

void mcsec_hex_ct_encode_upper(const uint8_t *in, size_t len, char *out)
{
	for(size_t i = 0; i < len; i++) {
		int h = in[i] >> 4, l = in[i] & 0xf;
		/* '0' + n, plus 7 more for n > 9 ('A' - '0' - 10) */
		out[2 * i] = (char)('0' + h + (in_range(h, 10, 15) & 7));
		out[2 * i + 1] = (char)('0' + l + (in_range(l, 10, 15) & 7));
	}
	out[2 * len] = '\0';
}
