/*
 * mcsec - HashToIntegerRange (RFC 6508 5.1) with SHA-256 (RFC 6509 A).
 */
#ifndef MCSEC_SAKKE_HASH_H
#define MCSEC_SAKKE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "sakke_fp.h"

/* r = HashToIntegerRange(s, q) as integer limbs (< q), constant time in s.
 * MCSEC_OK or MCSEC_ERR_INTERNAL. */
int sakke_hash_to_q(sakke_fp_t *r, const uint8_t *s1, size_t len1,
		const uint8_t *s2, size_t len2);
/* out = HashToIntegerRange(s, 2^n), n = 128, as 16 octets big-endian. */
int sakke_hash_to_2n(uint8_t out[16], const uint8_t *s, size_t len);

#endif
