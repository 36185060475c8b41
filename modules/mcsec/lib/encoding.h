/*
 * mcsec - strict hex and base64 codecs (bounds-checked, no allocation).
 */
#ifndef MCSEC_ENCODING_H
#define MCSEC_ENCODING_H

#include <stddef.h>
#include <stdint.h>

/* Value of one hex digit (either case), or -1. */
int mcsec_hex_digit(char c);

/* Copy n octets into a new NUL-terminated string (malloc'd; NULL on
 * allocation failure). The caller checks for embedded NULs if it cares. */
char *mcsec_memdup_str(const void *p, size_t n);

/* Hex: upper or lower case in, lower case out. Whitespace is skipped when
 * decoding (KMS XML octet strings may be wrapped). Returns the number of
 * octets written, or -1 on a bad character, odd digit count or overflow. */
long mcsec_hex_decode(
		const char *in, size_t in_len, uint8_t *out, size_t out_cap);
/* Writes 2*len characters plus a NUL; out must hold 2*len+1. */
void mcsec_hex_encode(const uint8_t *in, size_t len, char *out);

/* Base64 (RFC 4648 4). Decoding skips whitespace, requires correct padding
 * when url is 0, accepts missing padding when url is 1 (base64url, 5).
 * Returns octets written or -1. */
long mcsec_b64_decode(
		const char *in, size_t in_len, uint8_t *out, size_t out_cap, int url);
/* Returns characters written (NUL added), or -1 if out_cap is too small.
 * url=1: base64url without padding. */
long mcsec_b64_encode(
		const uint8_t *in, size_t len, char *out, size_t out_cap, int url);
#define MCSEC_B64_ENC_LEN(n) ((((n) + 2) / 3) * 4 + 1)

#endif
