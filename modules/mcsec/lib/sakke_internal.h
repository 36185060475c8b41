/*
 * mcsec - SAKKE internals exposed for known-answer tests and the
 * constant-time harness only (not part of the library's API).
 */
#ifndef MCSEC_SAKKE_INTERNAL_H
#define MCSEC_SAKKE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sakke.h"

/* RFC 6508 2.2: Z = [z]P for a given master secret z (known answers). */
int mcsec_sakke_internal_public_key(const uint8_t z[MCSEC_SAKKE_SCALAR_LEN],
		uint8_t Z[MCSEC_SAKKE_POINT_LEN]);
/* RFC 6508 6.2.1 step 2: r = HashToIntegerRange(SSV || b, q), 128 octets. */
int mcsec_sakke_internal_r(const uint8_t ssv[MCSEC_SAKKE_SSV_LEN],
		const uint8_t *id, size_t id_len, uint8_t r[MCSEC_SAKKE_SCALAR_LEN]);
/* RFC 6508 6.2.1 step 4a: g^r as its F_p representative, 128 octets. */
int mcsec_sakke_internal_gpow(const uint8_t r[MCSEC_SAKKE_SCALAR_LEN],
		uint8_t w[MCSEC_SAKKE_SCALAR_LEN]);
/* HashToIntegerRange(w, 2^n), the mask of 6.2.1 step 4b / 6.2.2 step 3. */
int mcsec_sakke_internal_mask(const uint8_t w[MCSEC_SAKKE_SCALAR_LEN],
		uint8_t mask[MCSEC_SAKKE_SSV_LEN]);
/* RFC 6508 6.2.2 step 2: w = <R, RSK> with the key's precomputation. */
int mcsec_sakke_internal_pairing(const mcsec_sakke_key_t *k,
		const uint8_t R[MCSEC_SAKKE_POINT_LEN],
		uint8_t w[MCSEC_SAKKE_SCALAR_LEN]);
/* The key's secret-derived memory (line coefficients of the RSK), so the
 * constant-time harness can mark it undefined for valgrind. */
void mcsec_sakke_internal_secret_region(
		const mcsec_sakke_key_t *k, const void **ptr, size_t *len);

#endif
