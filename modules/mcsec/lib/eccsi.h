/*
 * mcsec - ECCSI (RFC 6507) over NIST P-256 with OpenSSL EC.
 *
 * Octet formats (RFC 6507 / RFC 6509, D.3): points are uncompressed
 * 0x04||x||y (65 octets), scalars are 32 octets big-endian.
 * A signature is r(32)||s(32)||PVT(65) = 129 octets (RFC 6507 3.3).
 * ID is the identifier signed for; in MIKEY-SAKKE the 32-octet UID (F.2.1).
 */
#ifndef MCSEC_ECCSI_H
#define MCSEC_ECCSI_H

#include <stddef.h>
#include <stdint.h>

#define MCSEC_ECCSI_SCALAR_LEN 32
#define MCSEC_ECCSI_POINT_LEN 65
#define MCSEC_ECCSI_SIG_LEN 129

/* KMS side (test KMS): KSAK random in [1, q-1], KPAK = [KSAK]G. */
int mcsec_eccsi_kms_generate(uint8_t ksak[MCSEC_ECCSI_SCALAR_LEN],
		uint8_t kpak[MCSEC_ECCSI_POINT_LEN]);
/* RFC 6507 5.1.1: issue (SSK, PVT) for ID. */
int mcsec_eccsi_kms_issue(const uint8_t ksak[MCSEC_ECCSI_SCALAR_LEN],
		const uint8_t kpak[MCSEC_ECCSI_POINT_LEN], const uint8_t *id,
		size_t id_len, uint8_t ssk[MCSEC_ECCSI_SCALAR_LEN],
		uint8_t pvt[MCSEC_ECCSI_POINT_LEN]);

/* RFC 6507 5.1.2: validate a received (SSK, PVT) against KPAK and ID.
 * MCSEC_ERR_INVALID_KEY if it fails. */
int mcsec_eccsi_validate(const uint8_t kpak[MCSEC_ECCSI_POINT_LEN],
		const uint8_t *id, size_t id_len,
		const uint8_t ssk[MCSEC_ECCSI_SCALAR_LEN],
		const uint8_t pvt[MCSEC_ECCSI_POINT_LEN]);

/* A signer: validated SSK/PVT with HS precomputed. SSK cleansed on free. */
typedef struct mcsec_eccsi_signer mcsec_eccsi_signer_t;
int mcsec_eccsi_signer_new(const uint8_t kpak[MCSEC_ECCSI_POINT_LEN],
		const uint8_t *id, size_t id_len,
		const uint8_t ssk[MCSEC_ECCSI_SCALAR_LEN],
		const uint8_t pvt[MCSEC_ECCSI_POINT_LEN], mcsec_eccsi_signer_t **out);
void mcsec_eccsi_signer_free(mcsec_eccsi_signer_t *s);
/* RFC 6507 5.2.1 with a fresh random j. */
int mcsec_eccsi_sign(const mcsec_eccsi_signer_t *s, const uint8_t *msg,
		size_t msg_len, uint8_t sig[MCSEC_ECCSI_SIG_LEN]);
/* Same with a caller-chosen j (known-answer tests only). */
int mcsec_eccsi_sign_with_j(const mcsec_eccsi_signer_t *s, const uint8_t *msg,
		size_t msg_len, const uint8_t j[MCSEC_ECCSI_SCALAR_LEN],
		uint8_t sig[MCSEC_ECCSI_SIG_LEN]);

/* RFC 6507 5.2.2 with every check. MCSEC_OK or MCSEC_ERR_BAD_SIGNATURE
 * (MCSEC_ERR_ARG / MCSEC_ERR_INTERNAL for caller or library faults; a KPAK
 * that is not an uncompressed point on P-256 is MCSEC_ERR_ARG).
 * Keeps a small per-process cache keyed by (KPAK, ID, PVT) of what the
 * verification can reuse ([HS]PVT + KPAK). */
int mcsec_eccsi_verify(const uint8_t kpak[MCSEC_ECCSI_POINT_LEN],
		const uint8_t *id, size_t id_len, const uint8_t *msg, size_t msg_len,
		const uint8_t sig[MCSEC_ECCSI_SIG_LEN]);

/* Number of verifications performed by this process (for tests). */
uint64_t mcsec_eccsi_verify_count(void);

/*
 * Building blocks, exposed for known-answer tests (RFC 6507 Appendix A) and
 * the benchmark.  Not needed by protocol code.
 */
/* KPAK = [KSAK]G (also J = [j]G). KSAK must be in [1, q-1]. */
int mcsec_eccsi_kms_public(const uint8_t ksak[MCSEC_ECCSI_SCALAR_LEN],
		uint8_t kpak[MCSEC_ECCSI_POINT_LEN]);
/* RFC 6507 5.1.1 with a caller-chosen v (known-answer tests only). */
int mcsec_eccsi_kms_issue_with_v(const uint8_t ksak[MCSEC_ECCSI_SCALAR_LEN],
		const uint8_t kpak[MCSEC_ECCSI_POINT_LEN], const uint8_t *id,
		size_t id_len, const uint8_t v[MCSEC_ECCSI_SCALAR_LEN],
		uint8_t ssk[MCSEC_ECCSI_SCALAR_LEN],
		uint8_t pvt[MCSEC_ECCSI_POINT_LEN]);
/* RFC 6507 5.1.1 step 3: HS = hash(G || KPAK || ID || PVT). */
int mcsec_eccsi_hs(const uint8_t kpak[MCSEC_ECCSI_POINT_LEN], const uint8_t *id,
		size_t id_len, const uint8_t pvt[MCSEC_ECCSI_POINT_LEN],
		uint8_t hs[32]);
/* RFC 6507 5.2.1 step 3: HE = hash(HS || r || M). */
int mcsec_eccsi_he(const uint8_t hs[32],
		const uint8_t r[MCSEC_ECCSI_SCALAR_LEN], const uint8_t *msg,
		size_t msg_len, uint8_t he[32]);

/* RFC 6507 5.2.2 steps 3, 5 and 6 (with the r and s range checks) for a
 * given Y = [HS]PVT + KPAK.  A test seam: it lets tests craft the step 6
 * failures (J at infinity) that cannot be reached through the hashes. */
int mcsec_eccsi_verify_with_y(const uint8_t y[MCSEC_ECCSI_POINT_LEN],
		const uint8_t hs[32], const uint8_t *msg, size_t msg_len,
		const uint8_t sig[MCSEC_ECCSI_SIG_LEN]);

/* The verification cache: MCSEC_ECCSI_CACHE_SIZE entries, least recently
 * used evicted; only identities up to MCSEC_ECCSI_CACHE_MAX_ID octets are
 * cached.  Per process, not thread-safe (Kamailio workers are processes). */
#define MCSEC_ECCSI_CACHE_SIZE 64
#define MCSEC_ECCSI_CACHE_MAX_ID 256
void mcsec_eccsi_cache_clear(void);
/* Verifications that found their (KPAK, ID, PVT) in the cache. */
uint64_t mcsec_eccsi_cache_hits(void);

#endif
