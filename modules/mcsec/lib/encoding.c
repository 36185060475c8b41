/*
 * mcsec - strict hex and base64 codecs.
 */
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

char *mcsec_memdup_str(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if(!s)
		return NULL;
	if(n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int mcsec_hex_digit(char c)
{
	if(c >= '0' && c <= '9')
		return c - '0';
	if(c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if(c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

long mcsec_hex_decode(
		const char *in, size_t in_len, uint8_t *out, size_t out_cap)
{
	size_t n = 0;
	int hi = -1;

	for(size_t i = 0; i < in_len; i++) {
		int v;
		if(is_space(in[i]))
			continue;
		v = mcsec_hex_digit(in[i]);
		if(v < 0)
			return -1;
		if(hi < 0) {
			hi = v;
			continue;
		}
		if(n >= out_cap)
			return -1;
		out[n++] = (uint8_t)((hi << 4) | v);
		hi = -1;
	}
	if(hi >= 0)
		return -1;
	return (long)n;
}

void mcsec_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for(size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int b64val(char c, int url)
{
	if(c >= 'A' && c <= 'Z')
		return c - 'A';
	if(c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if(c >= '0' && c <= '9')
		return c - '0' + 52;
	if(!url && c == '+')
		return 62;
	if(!url && c == '/')
		return 63;
	if(url && c == '-')
		return 62;
	if(url && c == '_')
		return 63;
	return -1;
}

long mcsec_b64_decode(
		const char *in, size_t in_len, uint8_t *out, size_t out_cap, int url)
{
	uint32_t acc = 0;
	size_t nsym = 0, n = 0, npad = 0;

	for(size_t i = 0; i < in_len; i++) {
		char c = in[i];
		int v;
		if(is_space(c))
			continue;
		if(c == '=') {
			npad++;
			if(npad > 2)
				return -1;
			continue;
		}
		if(npad)
			return -1; /* data after padding */
		v = b64val(c, url);
		if(v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		nsym++;
		if(nsym % 4 == 0) {
			if(n + 3 > out_cap)
				return -1;
			out[n++] = (uint8_t)(acc >> 16);
			out[n++] = (uint8_t)(acc >> 8);
			out[n++] = (uint8_t)acc;
			acc = 0;
		}
	}
	switch(nsym % 4) {
		case 0:
			if(npad)
				return -1;
			break;
		case 1:
			return -1;
		case 2:
			if((!url && npad != 2) || (url && npad != 0 && npad != 2))
				return -1;
			if(acc & 0x0f)
				return -1; /* non-canonical trailing bits */
			if(n + 1 > out_cap)
				return -1;
			out[n++] = (uint8_t)(acc >> 4);
			break;
		case 3:
			if((!url && npad != 1) || (url && npad != 0 && npad != 1))
				return -1;
			if(acc & 0x03)
				return -1;
			if(n + 2 > out_cap)
				return -1;
			out[n++] = (uint8_t)(acc >> 10);
			out[n++] = (uint8_t)(acc >> 2);
			break;
	}
	return (long)n;
}

long mcsec_b64_encode(
		const uint8_t *in, size_t len, char *out, size_t out_cap, int url)
{
	const char *alpha = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
							  "wxyz0123456789-_"
							: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
							  "wxyz0123456789+/";
	size_t need = url ? (len / 3) * 4 + ((len % 3) ? (len % 3) + 1 : 0) + 1
					  : MCSEC_B64_ENC_LEN(len);
	size_t o = 0, i = 0;

	if(out_cap < need)
		return -1;
	for(; i + 3 <= len; i += 3) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8)
					 | in[i + 2];
		out[o++] = alpha[(v >> 18) & 63];
		out[o++] = alpha[(v >> 12) & 63];
		out[o++] = alpha[(v >> 6) & 63];
		out[o++] = alpha[v & 63];
	}
	if(len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = alpha[(v >> 18) & 63];
		out[o++] = alpha[(v >> 12) & 63];
		if(!url) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if(len - i == 2) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
		out[o++] = alpha[(v >> 18) & 63];
		out[o++] = alpha[(v >> 12) & 63];
		out[o++] = alpha[(v >> 6) & 63];
		if(!url)
			out[o++] = '=';
	}
	out[o] = '\0';
	return (long)o;
}
