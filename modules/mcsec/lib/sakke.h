/*
 * mcsec - SAKKE (RFC 6508) with parameter set 1 (RFC 6509 Appendix A).
 *
 * Octet formats: points on E(F_p) are uncompressed 0x04||x||y with 128-octet
 * coordinates (257 octets); scalars (the KMS master secret z) are 128 octets
 * big-endian; SSV is n = 128 bits; the SAKKE Encapsulated Data is R||H
 * (257 + 16 = 273 octets, RFC 6508 4 / RFC 6509 4.2).
 * ID is the receiver identifier; in MIKEY-SAKKE the 32-octet UID (F.2.1);
 * as an integer it is OS2I(ID) mod q (RFC 6508 2.2, 6.1.1).  IDs longer
 * than 4096 octets are refused with MCSEC_ERR_ARG.
 *
 * Implementation (sakke_*.c): own constant-time F_p / F_p^2 Montgomery
 * arithmetic (BMI2 mulx kernel when available), the Tate-Lichtenbaum
 * pairing with the Miller loop over the fixed RSK (lines precomputed per
 * key), fixed-base tables for [r]([b]P + Z) and g^r.  No branch or memory
 * index depends on z, RSK, r, SSV or w in this code; field inversions of
 * secret-derived values are blinded before OpenSSL's BN_mod_inverse.
 *
 * Per-process state: the tables of P (1.4 MB) and g (700 KB), built on
 * first use; a cache of up to 4 encapsulation tables (1.4 MB each) keyed
 * by (Z, ID), built on the second encapsulation to the same (Z, ID) and
 * guarded by a mutex; the decapsulation counter.  A receiver key holds
 * about 1.75 MB (lines 350 KB, table 1.4 MB).
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
int mcsec_sakke_kms_generate(
		uint8_t z[MCSEC_SAKKE_SCALAR_LEN], uint8_t Z[MCSEC_SAKKE_POINT_LEN]);
/* RFC 6508 6.1.1: RSK = [(a + z)^-1]P. */
int mcsec_sakke_kms_issue(const uint8_t z[MCSEC_SAKKE_SCALAR_LEN],
		const uint8_t *id, size_t id_len, uint8_t rsk[MCSEC_SAKKE_POINT_LEN]);

/* RFC 6508 6.1.2: <[a]P + Z, RSK> == g. MCSEC_ERR_INVALID_KEY if not, or if
 * Z or RSK is not a valid point or RSK does not have order q. */
int mcsec_sakke_validate_rsk(const uint8_t Z[MCSEC_SAKKE_POINT_LEN],
		const uint8_t *id, size_t id_len,
		const uint8_t rsk[MCSEC_SAKKE_POINT_LEN]);

/* RFC 6508 6.2.1: encapsulate ssv to ID under KMS public key Z
 * (deterministic: r = HashToIntegerRange(SSV || b, q)).  MCSEC_ERR_ARG if
 * Z is not a valid point. */
int mcsec_sakke_encap(const uint8_t Z[MCSEC_SAKKE_POINT_LEN], const uint8_t *id,
		size_t id_len, const uint8_t ssv[MCSEC_SAKKE_SSV_LEN],
		uint8_t sed[MCSEC_SAKKE_SED_LEN]);

/* A receiver key: validated RSK plus precomputation that depends only on
 * (Z, ID, RSK): Miller-loop line coefficients, [b]P + Z and its tables.
 * Validates the RSK (6.1.2) first: MCSEC_ERR_INVALID_KEY.  The key is
 * read-only afterwards (decapsulations may share it).  Secrets are
 * cleansed on free. */
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
