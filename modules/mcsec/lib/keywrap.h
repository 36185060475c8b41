/*
 * mcsec - AES key wrap with a 256-bit KEK: RFC 3394 (xmlenc kw-aes256,
 * http://www.w3.org/2001/04/xmlenc#kw-aes256) and RFC 5649 with padding
 * (xmlenc 1.1 kw-aes-256-pad), used by the KMS security extension
 * (TS 33.180 D.3.5.2) to carry key material under a TrK.
 */
#ifndef MCSEC_KEYWRAP_H
#define MCSEC_KEYWRAP_H

#include <stddef.h>
#include <stdint.h>

#define MCSEC_KW_KEK_LEN 32
#define MCSEC_KW_IV_LEN 8
/* Largest key data we wrap or unwrap (a SAKKE point padded, with room). */
#define MCSEC_KW_MAX_DATA 1024

/* RFC 3394 2.2.1: in_len must be a multiple of 8 and >= 16.
 * out must hold in_len + 8 octets; *out_len is set to in_len + 8. */
int mcsec_kw_wrap(const uint8_t kek[MCSEC_KW_KEK_LEN], const uint8_t *in,
		size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);
/* RFC 3394 2.2.2 with the 2.2.3 integrity check. MCSEC_ERR_INVALID_KEY
 * when the check fails (wrong KEK or tampered data); nothing is left in
 * out then. out must hold in_len - 8 octets. */
int mcsec_kw_unwrap(const uint8_t kek[MCSEC_KW_KEK_LEN], const uint8_t *in,
		size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

/* RFC 5649 (any in_len from 1); out must hold in_len rounded up to 8,
 * plus 8. */
int mcsec_kwp_wrap(const uint8_t kek[MCSEC_KW_KEK_LEN], const uint8_t *in,
		size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);
int mcsec_kwp_unwrap(const uint8_t kek[MCSEC_KW_KEK_LEN], const uint8_t *in,
		size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

#endif
