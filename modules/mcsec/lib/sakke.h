/*
 * mcsec - SAKKE (RFC 6508) with parameter set 1 (RFC 6509 Appendix A).
 *
 * Octet formats: points on E(F_p) are uncompressed 0x04||x||y with 128-octet
 * coordinates (257 octets); scalars (the KMS master secret z) are 128 octets
 * big-endian; SSV is n = 128 bits; the SAKKE Encapsulated Data is R||H
 * (257 + 16 = 273 octets, RFC 6508 4 / RFC 6509 4.2).
 * ID is the receiver identifier; in MIKEY-SAKKE the 32-octet UID (F.2.1).
 */
#ifndef MCSEC_SAKKE_H
#define MCSEC_SAKKE_H

#include <stddef.h>
#include <stdint.h>

#define MCSEC_SAKKE_SCALAR_LEN 128
#define MCSEC_SAKKE_POINT_LEN 257
#define MCSEC_SAKKE_SSV_LEN 16
#define MCSEC_SAKKE_SED_LEN (MCSEC_SAKKE_POINT_LEN + MCSEC_SAKKE_SSV_LEN)

/* KMS side (test KMS): z random in [2, q-1], Z = [z]P. */
int mcsec_sakke_kms_generate(uint8_t z[MCSEC_SAKKE_SCALAR_LEN],
		uint8_t Z[MCSEC_SAKKE_POINT_LEN]);
/* RFC 6508 6.1.1: RSK = [(a + z)^-1]P. */
int mcsec_sakke_kms_issue(const uint8_t z[MCSEC_SAKKE_SCALAR_LEN],
		const uint8_t *id, size_t id_len, uint8_t rsk[MCSEC_SAKKE_POINT_LEN]);

/* RFC 6508 6.1.2: <[a]P + Z, RSK> == g. MCSEC_ERR_INVALID_KEY if not. */
int mcsec_sakke_validate_rsk(const uint8_t Z[MCSEC_SAKKE_POINT_LEN],
		const uint8_t *id, size_t id_len,
		const uint8_t rsk[MCSEC_SAKKE_POINT_LEN]);

/* RFC 6508 6.2.1: encapsulate ssv to ID under KMS public key Z. */
int mcsec_sakke_encap(const uint8_t Z[MCSEC_SAKKE_POINT_LEN],
		const uint8_t *id, size_t id_len, const uint8_t ssv[MCSEC_SAKKE_SSV_LEN],
		uint8_t sed[MCSEC_SAKKE_SED_LEN]);

/* A receiver key: validated RSK plus precomputation that depends only on
 * (Z, ID, RSK): Miller-loop line coefficients, [b]P + Z and its tables.
 * Secrets are cleansed on free. */
typedef struct mcsec_sakke_key mcsec_sakke_key_t;
int mcsec_sakke_key_new(const uint8_t Z[MCSEC_SAKKE_POINT_LEN],
		const uint8_t *id, size_t id_len,
		const uint8_t rsk[MCSEC_SAKKE_POINT_LEN], mcsec_sakke_key_t **out);
void mcsec_sakke_key_free(mcsec_sakke_key_t *k);

/* RFC 6508 6.2.2 with every check (R on the curve, not infinity,
 * coordinates < p, [r]([b]P + Z) == R before any output).  Every failure
 * returns MCSEC_ERR_DECAP_FAILED (uniform); ssv is written only on success. */
int mcsec_sakke_decap(const mcsec_sakke_key_t *k, const uint8_t *sed,
		size_t sed_len, uint8_t ssv[MCSEC_SAKKE_SSV_LEN]);

/* Number of decapsulations attempted by this process (for tests). */
uint64_t mcsec_sakke_decap_count(void);

#endif
