/*
 * mcsec - TS 33.220 B.2 KDF and the TS 33.180 Annex F derivations.
 *
 * Readings (DESIGN.md section 4): KDF = HMAC-SHA-256(key, FC||P0||L0||...),
 * Li two octets big-endian; a 128-bit output is the LAST 16 octets.
 * Integers inside S are big-endian, minimal octets, 0 is one octet 0x00.
 * Key IDs inside S are always 4 raw octets with length 0x0004.
 * Times are NTP seconds (seconds since 0h 1 January 1900).
 */
#ifndef MCSEC_KDF_H
#define MCSEC_KDF_H

#include <stddef.h>
#include <stdint.h>

#define MCSEC_KDF_OUT_LEN 32
#define MCSEC_UID_LEN 32
#define MCSEC_NTP_UNIX_OFFSET 2208988800ULL

/* Annex G key purpose tags: top 4 bits of a 32-bit key ID. */
enum mcsec_key_purpose
{
	MCSEC_PURPOSE_GMK = 0,
	MCSEC_PURPOSE_PCK = 1,
	MCSEC_PURPOSE_CSK = 2,
	MCSEC_PURPOSE_SPK = 3,
	MCSEC_PURPOSE_MKFC = 4,
	MCSEC_PURPOSE_MSCCK = 5,
	MCSEC_PURPOSE_MUSIK = 6,
};

static inline unsigned mcsec_key_purpose(uint32_t key_id)
{
	return (unsigned)(key_id >> 28);
}
/* "GMK", "PCK", ..., or NULL for an unassigned tag. */
const char *mcsec_key_purpose_name(unsigned purpose);
/* Parse a purpose name (case-insensitive); -1 if unknown. */
int mcsec_key_purpose_from_name(const char *name);

/* One P_i of S. */
typedef struct mcsec_kdf_param
{
	const uint8_t *data;
	size_t len; /* must be <= 0xffff */
} mcsec_kdf_param_t;

/* TS 33.220 B.2: out = HMAC-SHA-256(key, FC||P0||L0||...||Pn||Ln). */
int mcsec_kdf(const uint8_t *key, size_t keylen, uint8_t fc,
		const mcsec_kdf_param_t *params, size_t nparams,
		uint8_t out[MCSEC_KDF_OUT_LEN]);

/* Minimal big-endian octets of v (0 -> one octet 0x00); returns length. */
size_t mcsec_int_octets(uint64_t v, uint8_t out[8]);

/* F.2.1: key period number = floor((time - offset) / period).
 * Returns MCSEC_ERR_ARG if period is 0 or time < offset. */
int mcsec_key_period_no(uint64_t ntp_time, uint64_t period, uint64_t offset,
		uint64_t *period_no);

/* F.2.1: the MIKEY-SAKKE UID (SHA-256 of S, FC 0x00, P0 "MIKEY-SAKKE-UID"). */
int mcsec_uid(const char *uri, size_t uri_len, const char *kms_uri,
		size_t kms_len, uint64_t period, uint64_t offset, uint64_t period_no,
		uint8_t uid[MCSEC_UID_LEN]);

/* F.1.3: user salt = 28 least significant bits of KDF(GMK, 0x50, URI). */
int mcsec_user_salt(const uint8_t *gmk, size_t gmk_len, const char *uri,
		size_t uri_len, uint32_t *salt);
/* F.1.3: GUK-ID = GMK-ID xor salt (and back: the operation is its inverse). */
static inline uint32_t mcsec_guk_id(uint32_t id, uint32_t salt)
{
	return id ^ (salt & 0x0fffffffu);
}

/* F.1.4: signalling confidentiality (FC 0x51) or integrity (FC 0x52) key
 * from an XPK of 16 or 32 octets; *out_len is set to xpk_len. */
#define MCSEC_FC_XML_CONF 0x51
#define MCSEC_FC_XML_INT 0x52
int mcsec_xml_key(const uint8_t *xpk, size_t xpk_len, uint8_t fc,
		const char *mc_id, size_t mc_id_len, uint32_t xpk_id, uint8_t out[32],
		size_t *out_len);

/* F.1.5: DPCK = KDF(DPPK, 0x53, DPPK-ID as 4 octets); *out_len = dppk_len. */
int mcsec_dpck(const uint8_t *dppk, size_t dppk_len, uint32_t dppk_id,
		uint8_t out[32], size_t *out_len);

#endif
