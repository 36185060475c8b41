/*
 * mcsec - hex for secret octet strings (KMS key values D.3.3, the test
 * KMS's secret file) without branches or table look-ups on the digits:
 * only the layout (whitespace, length) decides control flow.
 */
#ifndef MCSEC_HEX_CT_H
#define MCSEC_HEX_CT_H

#include <stddef.h>
#include <stdint.h>

/* As mcsec_hex_decode (encoding.h): upper or lower case, whitespace
 * skipped; returns the octet count, or -1 on a bad character, an odd digit
 * count or more than out_cap octets (out may then hold partial data). */
long mcsec_hex_ct_decode(
		const char *in, size_t in_len, uint8_t *out, size_t out_cap);
/* Upper-case hex (the D.3.4 examples' form); out holds 2*len+1. */
void mcsec_hex_ct_encode_upper(const uint8_t *in, size_t len, char *out);

#endif
