/*
 * mcsec - KMS key material (TS 33.180 Annex D.3): KmsCertificate and
 * KmsKeySet, parsed from XML alone or inside KmsResponse (KmsInit,
 * KmsKeyProv, KmsCertCache) or SignedKmsResponse, and written as a real
 * KMS would send them.  Times are NTP seconds; 0 means "not given".
 */
#ifndef MCSEC_KMS_H
#define MCSEC_KMS_H

#include <stddef.h>
#include <stdint.h>

#include "eccsi.h"
#include "kdf.h"
#include "sakke.h"

#define MCSEC_KMS_NS "urn:3gpp:ns:mcsecKMSInterface:1.0"
#define MCSEC_KMS_SECEXT_NS "urn:3gpp:ns:mcsecKMSSecExt:1.0"

enum mcsec_kms_role
{
	MCSEC_KMS_ROLE_ROOT = 0,
	MCSEC_KMS_ROLE_EXTERNAL = 1,
};

/* D.3.2 KmsCertificate. */
typedef struct mcsec_kms_cert
{
	char version[16]; /* "1.1.0" or "1.2.0" */
	int role;		  /* enum mcsec_kms_role */
	int is_security_gateway;
	char *cert_uri; /* optional, may be NULL */
	char *kms_uri;
	char *issuer;		 /* optional */
	uint64_t valid_from; /* NTP seconds, 0 = not given */
	uint64_t valid_to;	 /* NTP seconds, 0 = not given */
	int revoked;
	int user_id_format; /* must be 2 */
	uint64_t user_key_period;
	uint64_t user_key_offset;
	uint8_t pub_enc_key[MCSEC_SAKKE_POINT_LEN];	 /* Z_T */
	uint8_t pub_auth_key[MCSEC_ECCSI_POINT_LEN]; /* KPAK */
	int parameter_set;							 /* 1 */
	char **domains;								 /* KmsDomainList */
	size_t ndomains;
} mcsec_kms_cert_t;

/* D.3.3 KmsKeySet.  Secrets cleansed by mcsec_kms_keyset_free(). */
typedef struct mcsec_kms_keyset
{
	char version[16];
	char *kms_uri;
	char *cert_uri; /* optional */
	char *issuer;	/* optional */
	char *user_uri;
	uint8_t user_id[MCSEC_UID_LEN];
	uint64_t valid_from, valid_to;
	uint64_t key_period_no;
	int revoked;
	uint8_t rsk[MCSEC_SAKKE_POINT_LEN];	 /* UserDecryptKey */
	uint8_t ssk[MCSEC_ECCSI_SCALAR_LEN]; /* UserSigningKeySSK */
	uint8_t pvt[MCSEC_ECCSI_POINT_LEN];	 /* UserPubTokenPVT */
} mcsec_kms_keyset_t;

void mcsec_kms_cert_free(mcsec_kms_cert_t *c);
void mcsec_kms_keyset_free(mcsec_kms_keyset_t *k);

/* A named symmetric key used by the security extension (D.3.5.2):
 * a TrK (kw-aes256 key wrapping) or an InK (HMAC-SHA256 over
 * SignedKmsResponse). */
typedef struct mcsec_kms_named_key
{
	const char *name; /* e.g. "tk.11.user@example.org" */
	const uint8_t *key;
	size_t key_len;
} mcsec_kms_named_key_t;

typedef struct mcsec_kms_parse_opts
{
	const mcsec_kms_named_key_t *trks; /* to unwrap EncryptedKey values */
	size_t ntrks;
	const mcsec_kms_named_key_t *inks; /* to verify SignedKmsResponse */
	size_t ninks;
	/* Non-zero: refuse (MCSEC_ERR_BAD_SIGNATURE) any document other than a
	 * SignedKmsResponse whose HMAC verified with a configured InK or TrK.
	 * Zero: a signature made with a key that is not configured is not
	 * checked and doc->signature says MCSEC_KMS_SIG_UNCHECKED; one made with
	 * a configured key must verify. */
	int require_signature;
} mcsec_kms_parse_opts_t;

/* What is known about the D.3.5.2 signature of a parsed document. */
enum mcsec_kms_sig_state
{
	MCSEC_KMS_SIG_NONE = 0,		 /* not signed (no SignedKmsResponse or no
								  * ds:Signature in it) */
	MCSEC_KMS_SIG_UNCHECKED = 1, /* signed with a key that is not configured */
	MCSEC_KMS_SIG_VERIFIED = 2,	 /* HMAC-SHA256 verified */
};

/* Result of parsing one XML document: every KmsCertificate and KmsKeySet
 * found in it. */
typedef struct mcsec_kms_doc
{
	mcsec_kms_cert_t **certs;
	size_t ncerts;
	mcsec_kms_keyset_t **keysets;
	size_t nkeysets;
	int signature;		 /* enum mcsec_kms_sig_state */
	char *signature_key; /* KeyName of the InK/TrK that signed, or NULL */
	int wrapped;		 /* number of key values unwrapped with a TrK */
} mcsec_kms_doc_t;

/* Limits of the hardened parser. */
#define MCSEC_KMS_MAX_DOC (1u << 20)
#define MCSEC_KMS_MAX_DEPTH 32

/* Parse KMS XML (hardened: no network, no DTD, no entities).
 * On failure returns a negative code and writes a message to errbuf. */
int mcsec_kms_parse(const char *xml, size_t len,
		const mcsec_kms_parse_opts_t *opts, mcsec_kms_doc_t *doc, char *errbuf,
		size_t errlen);
void mcsec_kms_doc_free(mcsec_kms_doc_t *doc);

/* Write XML as a KMS does (D.3.4 layout): a KmsResponse with KmsInit
 * holding the cert, or a KmsResponse with KmsKeyProv holding the key set.
 * user_uri is the KmsResponse UserUri (NULL: the key set's UserUri).
 * Caller frees *out (free(); key set documents hold secrets: cleanse
 * first, e.g. OPENSSL_clear_free(*out, *out_len)). */
int mcsec_kms_write_init(
		const mcsec_kms_cert_t *c, char **out, size_t *out_len);
int mcsec_kms_write_keyprov(const mcsec_kms_keyset_t *k, const char *user_uri,
		char **out, size_t *out_len);

/* Options of the _ex writers: the D.3.5.2 security extension. */
typedef struct mcsec_kms_write_opts
{
	/* Wrap UserDecryptKey, UserSigningKeySSK and UserPubTokenPVT as xmlenc
	 * EncryptedKey, kw-aes256 (RFC 3394) under this 256-bit TrK. Values
	 * whose length is not a multiple of 8 octets (the 257- and 65-octet
	 * points) are zero-padded to one before wrapping (our reading: D.3.5.2
	 * names kw-aes256 but does not say how to fit a point into it). */
	const mcsec_kms_named_key_t *trk;
	/* Sign: emit a SignedKmsResponse (Id "xmldoc") with an enveloped
	 * HMAC-SHA256 ds:Signature whose KeyName is this key's name. */
	const mcsec_kms_named_key_t *ink;
	uint64_t time; /* KmsResponse Time, NTP seconds; 0 = now */
} mcsec_kms_write_opts_t;

int mcsec_kms_write_init_ex(const mcsec_kms_cert_t *c,
		const mcsec_kms_write_opts_t *opts, char **out, size_t *out_len);
/* Several key sets in one KmsKeyProv (all of the same KMS). */
int mcsec_kms_write_keyprov_ex(const mcsec_kms_keyset_t *const *k, size_t nk,
		const char *user_uri, const mcsec_kms_write_opts_t *opts, char **out,
		size_t *out_len);

/* xs:dateTime <-> NTP seconds. Parsing accepts YYYY-MM-DDThh:mm:ss with
 * optional fractional seconds (dropped) and optional Z or +hh:mm / -hh:mm;
 * no zone means UTC. Years 1900..9999. Formatting writes the D.3.4 example
 * form YYYY-MM-DDThh:mm:ss (UTC, no zone). */
#define MCSEC_KMS_TIME_LEN 20
int mcsec_kms_time_parse(const char *s, size_t len, uint64_t *ntp);
int mcsec_kms_time_format(uint64_t ntp, char out[MCSEC_KMS_TIME_LEN]);

#endif
