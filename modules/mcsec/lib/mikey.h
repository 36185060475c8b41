/*
 * mcsec - MIKEY-SAKKE I_MESSAGE (RFC 3830, RFC 6043, RFC 6509, TS 33.180
 * Annex E): parser, verification and key extraction, builder, replay cache.
 *
 * Readings (DESIGN.md section 4): HDR data type 26, V 0, PRF 1; CS ID map
 * type 1 (empty, #CS 0) or 2 (GENERIC-ID, RFC 6043 6.1.1), SRTP-ID (0,
 * RFC 3830 6.1.1) tolerated on input; T type 0
 * (NTP-UTC); IDR payloads (RFC 6043 6.6) with roles IDRi 1, IDRr 2,
 * IDRkmsi 6, IDRkmsr 7, IDRuidi 8, IDRuidr 9; SAKKE params 1, ID scheme 2;
 * general extensions SAKKE-to-self (6) and key parameters (7); SIGN type 2
 * (ECCSI).  The signed octets are the whole message up to and including the
 * 2-octet SIGN header.  Times are NTP seconds unless said otherwise.
 *
 * Typical receiver use (the module):
 *   mcsec_mikey_parse_any(body, len, &msg, &err);
 *   mcsec_mikey_extract(keystore, msg, &opts, &res, &err);
 *   ... use res.key / res.key_id ...
 *   mcsec_mikey_result_clear(&res); mcsec_mikey_msg_free(msg);
 */
#ifndef MCSEC_MIKEY_H
#define MCSEC_MIKEY_H

#include <stddef.h>
#include <stdint.h>

#include "kdf.h"
#include "keystore.h"
#include "kms.h"

/* RFC 3830 6 / RFC 6043 / RFC 6509 payload types ("next payload"). */
enum mcsec_mikey_payload
{
	MCSEC_MIKEY_PT_LAST = 0,
	MCSEC_MIKEY_PT_SIGN = 4,
	MCSEC_MIKEY_PT_T = 5,
	MCSEC_MIKEY_PT_SP = 10,
	MCSEC_MIKEY_PT_RAND = 11,
	MCSEC_MIKEY_PT_IDR = 14,
	MCSEC_MIKEY_PT_GENEXT = 21,
	MCSEC_MIKEY_PT_SAKKE = 26,
};

#define MCSEC_MIKEY_VERSION 1
#define MCSEC_MIKEY_DATA_TYPE_SAKKE 26	   /* RFC 6509 4.1 */
#define MCSEC_MIKEY_PRF_HMAC_SHA256 1	   /* RFC 6043 6.1 */
#define MCSEC_MIKEY_MAP_SRTP_ID 0		   /* RFC 3830 6.1.1 (tolerated) */
#define MCSEC_MIKEY_MAP_EMPTY 1			   /* RFC 4738 */
#define MCSEC_MIKEY_MAP_GENERIC_ID 2	   /* RFC 6043 6.1.1 */
#define MCSEC_MIKEY_TS_NTP_UTC 0		   /* RFC 3830 6.6 */
#define MCSEC_MIKEY_SAKKE_PARAMS_1 1	   /* RFC 6509 4.2 */
#define MCSEC_MIKEY_SAKKE_ID_SCHEME_UID 2  /* TS 33.180 E.1.2 */
#define MCSEC_MIKEY_SAKKE_ID_SCHEME_URI 1  /* RFC 6509, E.3.1 wording */
#define MCSEC_MIKEY_SIGN_ECCSI 2		   /* RFC 6509 4.3 */
#define MCSEC_MIKEY_GENEXT_SAKKE_TO_SELF 6 /* TS 33.180 E.5 */
#define MCSEC_MIKEY_GENEXT_KEY_PARAMS 7	   /* TS 33.180 E.6 */
#define MCSEC_MIKEY_KEY_LEN 16			   /* TS 33.180 E.1.1 */
#define MCSEC_MIKEY_DEFAULT_WINDOW 300	   /* seconds */

/* RFC 6043 6.6 ID roles and TS 33.180 E.7 roles. */
enum mcsec_mikey_role
{
	MCSEC_MIKEY_ROLE_IDRI = 1,
	MCSEC_MIKEY_ROLE_IDRR = 2,
	MCSEC_MIKEY_ROLE_IDRKMSI = 6,
	MCSEC_MIKEY_ROLE_IDRKMSR = 7,
	MCSEC_MIKEY_ROLE_IDRUIDI = 8,
	MCSEC_MIKEY_ROLE_IDRUIDR = 9,
};
/* RFC 6043 6.6 ID types. */
#define MCSEC_MIKEY_IDTYPE_NAI 0
#define MCSEC_MIKEY_IDTYPE_URI 1
#define MCSEC_MIKEY_IDTYPE_BYTES 2

/* Detail of a failure: code is the returned mcsec_err_t; for
 * MCSEC_ERR_MALFORMED, offset is the octet offset into the raw message where
 * the problem was found and what names the payload / field. */
typedef struct mcsec_mikey_err
{
	int code;
	size_t offset;
	const char *what;
} mcsec_mikey_err_t;

/* One GENERIC-ID crypto session (RFC 6043 6.1.1).  Pointers reference the
 * message's own copy of the raw octets. */
typedef struct mcsec_mikey_cs
{
	uint8_t cs_id;
	uint8_t prot_type;
	uint8_t s_flag;
	uint8_t npolicies;
	const uint8_t *policies; /* npolicies policy numbers */
	uint16_t session_data_len;
	const uint8_t *session_data;
	uint8_t spi_len;
	const uint8_t *spi;
} mcsec_mikey_cs_t;

/* An IDR payload (RFC 6043 6.6). */
typedef struct mcsec_mikey_idr
{
	int present;
	uint8_t role;
	uint8_t type;
	const uint8_t *data;
	uint16_t len;
	size_t offset; /* of the payload in the raw message */
} mcsec_mikey_idr_t;

/* A Security Policy payload (RFC 3830 6.10). */
typedef struct mcsec_mikey_sp
{
	uint8_t policy_no;
	uint8_t prot_type;
	const uint8_t *params; /* type(1) length(1) value ... */
	uint16_t params_len;
} mcsec_mikey_sp_t;

/* A SAKKE payload (RFC 6509 4.2). */
typedef struct mcsec_mikey_sakke
{
	int present;
	uint8_t params;
	uint8_t id_scheme;
	const uint8_t *data; /* SED: R || H */
	uint16_t len;
	size_t offset;
} mcsec_mikey_sakke_t;

#define MCSEC_MIKEY_MAX_SP 16
#define MCSEC_MIKEY_MAX_PAYLOADS 32

/* A parsed I_MESSAGE.  Owns a copy of the raw octets. */
typedef struct mcsec_mikey_msg
{
	uint8_t *raw;
	size_t len;
	/* HDR (RFC 3830 6.1) */
	uint8_t version, data_type, v, prf;
	uint32_t csb_id;
	uint8_t ncs, map_type;
	mcsec_mikey_cs_t *cs; /* ncs entries for GENERIC-ID */
	/* T (RFC 3830 6.6), NTP-UTC */
	uint64_t t_ntp64; /* full 64-bit NTP timestamp */
	uint64_t t_secs;  /* seconds part */
	/* RAND (RFC 3830 6.11) */
	const uint8_t *rand;
	uint8_t rand_len;
	/* identities: initiator is IDRi or IDRuidi, responder IDRr or IDRuidr */
	mcsec_mikey_idr_t idi, idr, kmsi, kmsr;
	int hidden_i, hidden_r;
	mcsec_mikey_sp_t sp[MCSEC_MIKEY_MAX_SP];
	size_t nsp;
	mcsec_mikey_sakke_t sakke, sakke_self;
	/* key parameters general extension: its data (8.5.4 protected payload) */
	const uint8_t *kp;
	uint16_t kp_len;
	size_t kp_offset;
	/* SIGN (RFC 3830 6.5) */
	uint8_t sig_type;
	const uint8_t *sig;
	uint16_t sig_len;
	size_t signed_len; /* octets covered by the signature */
	/* payload boundaries (start offsets, HDR first, SIGN last) for tools
	 * and tests; payload_type[i] is the type of the payload at offset i */
	size_t npayloads;
	size_t payload_off[MCSEC_MIKEY_MAX_PAYLOADS];
	uint8_t payload_type[MCSEC_MIKEY_MAX_PAYLOADS];
} mcsec_mikey_msg_t;

/* Parse raw binary.  Every length is checked; duplicate or missing mandatory
 * payloads, unknown payload types and unsupported values are rejected.
 * err may be NULL. */
int mcsec_mikey_parse(const uint8_t *in, size_t len, mcsec_mikey_msg_t **out,
		mcsec_mikey_err_t *err);
/* Same, but the input may also be base64 or "mikey <base64>" (SDP
 * key-mgmt form, RFC 4567), surrounding whitespace allowed. */
int mcsec_mikey_parse_any(const uint8_t *in, size_t len,
		mcsec_mikey_msg_t **out, mcsec_mikey_err_t *err);
/* Convert the accepted input forms into raw octets (malloc'd). */
int mcsec_mikey_decode_input(
		const uint8_t *in, size_t len, uint8_t **raw, size_t *raw_len);
void mcsec_mikey_msg_free(mcsec_mikey_msg_t *m);

const char *mcsec_mikey_payload_name(uint8_t type);

/* ---- key parameters (TS 33.180 E.6 inside an 8.5.4 protected payload) ---- */

#define MCSEC_KP_STATUS_NOT_REVOKED 0x1u /* E.6.9 bit 0: 1 = not revoked */
#define MCSEC_KP_STATUS_SHARED_SEGW 0x2u /* E.6.9 bit 1 */
#define MCSEC_KP_MAX_GROUPS 255
#define MCSEC_KP_MSG_TYPE 0x43	   /* emitted 8.5.4 message type */
#define MCSEC_KP_ALG_AES_128_GCM 1 /* 8.5.4.2 DP_AES_128_GCM */

/* Decrypted Key Parameters payload content (E.6.1).  Times are UNIX seconds
 * as carried (E.6.4, E.6.10); 0 has the meanings given there. */
typedef struct mcsec_mikey_keyparams
{
	uint8_t key_type; /* E.6.11 */
	uint32_t status;  /* E.6.9 */
	uint64_t activation;
	uint64_t expiry;
	char *text; /* NUL-terminated copy (may contain no NUL inside) */
	size_t text_len;
	int has_groups;
	size_t ngroups;
	char **groups; /* NUL-terminated copies of the Group ID values */
	size_t *group_lens;
	int has_reserved;
	/* protected payload header (8.5.4.1) */
	uint8_t msg_type;
	uint64_t date_time;
	uint8_t alg;
	uint32_t dppk_id;
} mcsec_mikey_keyparams_t;

/* Encode content and protect it: out receives the general extension data
 * (8.5.4 message).  iv: 16 octets (NULL = random); date_time: UNIX seconds. */
int mcsec_mikey_kp_protect(const mcsec_mikey_keyparams_t *kp,
		const uint8_t key[MCSEC_MIKEY_KEY_LEN], uint32_t dppk_id,
		uint64_t date_time, const uint8_t *iv, uint8_t **out, size_t *out_len);
/* Parse and decrypt the general extension data with the distributed key.
 * MCSEC_ERR_MALFORMED (structure), MCSEC_ERR_UNSUPPORTED (algorithm),
 * MCSEC_ERR_DECAP_FAILED (authentication failed). */
int mcsec_mikey_kp_unprotect(const uint8_t *data, size_t len,
		const uint8_t key[MCSEC_MIKEY_KEY_LEN], mcsec_mikey_keyparams_t *kp,
		mcsec_mikey_err_t *err);
/* Only the cleartext header (no key needed); content fields left zero. */
int mcsec_mikey_kp_header(const uint8_t *data, size_t len,
		mcsec_mikey_keyparams_t *kp, mcsec_mikey_err_t *err);
void mcsec_mikey_keyparams_clear(mcsec_mikey_keyparams_t *kp);

/* ---- replay cache ---- */

/* Bounded per-process cache of (initiator, CSB-ID, RAND) seen; each entry
 * lives until its message's T + window.  When full, the oldest insertion is
 * dropped (counted in evicted_live if it had not expired). */
typedef struct mcsec_mikey_replay mcsec_mikey_replay_t;
mcsec_mikey_replay_t *mcsec_mikey_replay_new(size_t capacity);
void mcsec_mikey_replay_free(mcsec_mikey_replay_t *r);
/* MCSEC_OK if not seen (nothing stored), MCSEC_ERR_REPLAYED if seen and
 * not expired at now. */
int mcsec_mikey_replay_check(mcsec_mikey_replay_t *r, const uint8_t *initiator,
		size_t ilen, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
		uint64_t now);
/* Record an entry valid until expires (NTP seconds). */
int mcsec_mikey_replay_add(mcsec_mikey_replay_t *r, const uint8_t *initiator,
		size_t ilen, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
		uint64_t expires, uint64_t now);
size_t mcsec_mikey_replay_count(const mcsec_mikey_replay_t *r, uint64_t now);
uint64_t mcsec_mikey_replay_evicted_live(const mcsec_mikey_replay_t *r);

/* ---- verification and extraction (TS 33.180 5.2.2-5.2.6, E.1-E.7) ---- */

typedef struct mcsec_mikey_extract_opts
{
	int expected_purpose;		 /* enum mcsec_key_purpose, or -1 for any */
	const char *const *our_uris; /* accept only these receivers (NULL: any
								  key set of the store) */
	size_t n_our_uris;
	const char *initiator_uri; /* candidate initiator (identity hiding) */
	uint64_t now;			   /* NTP seconds; 0 = current time */
	uint32_t window;		   /* freshness window; 0 = 300 s */
	int no_time_check;
	mcsec_mikey_replay_t *replay; /* optional */
	int allow_sakke_to_self;	  /* decapsulate SAKKE-to-self when we are
								   the initiator (default 0) */
	/* Interop option, off by default (DESIGN.md 4 fixes the signed range
	 * as ending with the 2-octet SIGN header): also accept a signature over
	 * the message without that header, as some deployed clients make it.
	 * A message failing both costs two ECCSI verifications. */
	int compat_sign_range;
} mcsec_mikey_extract_opts_t;

/* Defaults: any purpose, any receiver, now, 300 s, no replay cache. */
void mcsec_mikey_extract_opts_init(mcsec_mikey_extract_opts_t *o);

typedef struct mcsec_mikey_result
{
	uint8_t key[MCSEC_MIKEY_KEY_LEN]; /* secret: cleansed by _clear */
	uint32_t key_id;				  /* K-ID (GMK-ID for a GMK) */
	uint32_t csb_id;				  /* as carried (GUK-ID for a GMK) */
	int has_guk_id;
	uint32_t guk_id;
	unsigned purpose; /* Annex G tag */
	uint8_t rand[255];
	size_t rand_len;
	uint64_t time;		  /* T, NTP seconds */
	char *initiator;	  /* URI, or UID in hex when hidden and unbound */
	int initiator_hidden; /* IDRuidi was used */
	int initiator_bound;  /* candidate URI matched IDRuidi */
	uint8_t initiator_uid[MCSEC_UID_LEN];
	char *responder;	  /* our URI (from the key set) */
	int responder_hidden; /* IDRuidr was used */
	char *kms_initiator, *kms_responder;
	int via_sakke_to_self;
	int compat_sign_range_used; /* signature matched without the header */
	int has_key_params;
	mcsec_mikey_keyparams_t kp;
	const mcsec_keystore_entry_t *entry; /* our key set that decapsulated */
} mcsec_mikey_result_t;

/* Verify and extract, in the order that bounds cost: freshness, initiator
 * KMS certificate, ECCSI signature (before any SAKKE work), replay, purpose,
 * identity binding, receiver key set, SAKKE decapsulation, GUK-ID -> GMK-ID,
 * key parameters.  On failure res holds no key material. */
int mcsec_mikey_extract(const mcsec_keystore_t *ks, const mcsec_mikey_msg_t *m,
		const mcsec_mikey_extract_opts_t *opts, mcsec_mikey_result_t *res,
		mcsec_mikey_err_t *err);
void mcsec_mikey_result_clear(mcsec_mikey_result_t *r);

/* ---- builder (initiator) ---- */

typedef struct mcsec_mikey_build_opts
{
	const mcsec_keystore_entry_t *initiator; /* key set with its signer */
	const mcsec_kms_cert_t *responder_cert;	 /* receiver's KMS */
	const char *responder_uri;
	uint8_t key[MCSEC_MIKEY_KEY_LEN]; /* the key distributed */
	uint32_t key_id;				  /* K-ID; purpose tag in the top bits */
	const uint8_t *rand;			  /* NULL: 16 random octets */
	size_t rand_len;
	uint64_t time;				/* NTP seconds for T; 0 = now */
	int hide_ids;				/* IDRuidi / IDRuidr (E.7) */
	int sakke_to_self;			/* E.5 */
	int no_guk;					/* GMK without end-point diversity (tests) */
	const mcsec_mikey_cs_t *cs; /* GENERIC-ID sessions (0: empty map) */
	size_t ncs;
	int add_sp; /* SP with the default profile (E.2.2/E.3.2/E.4.2) */
	const mcsec_mikey_keyparams_t *kp; /* optional E.6 */
	uint64_t kp_date_time; /* UNIX seconds for the 8.5.4 header; 0 = now */
} mcsec_mikey_build_opts_t;

/* Build and sign.  *out is malloc'd raw binary. */
int mcsec_mikey_build(
		const mcsec_mikey_build_opts_t *o, uint8_t **out, size_t *out_len);

/* Default SRTP policy parameters for a purpose (E.2.2, E.3.2, E.4.2):
 * writes type/length/value triples; returns their length or 0. */
size_t mcsec_mikey_default_policy(unsigned purpose, uint8_t *buf, size_t cap);

#endif
