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
	char version[16];	/* "1.1.0" or "1.2.0" */
	int role;			/* enum mcsec_kms_role */
	int is_security_gateway;
	char *cert_uri;		/* optional, may be NULL */
	char *kms_uri;
	char *issuer;		/* optional */
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
	uint8_t rsk[MCSEC_SAKKE_POINT_LEN];		 /* UserDecryptKey */
	uint8_t ssk[MCSEC_ECCSI_SCALAR_LEN];	 /* UserSigningKeySSK */
	uint8_t pvt[MCSEC_ECCSI_POINT_LEN];		 /* UserPubTokenPVT */
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
} mcsec_kms_parse_opts_t;

/* Result of parsing one XML document: every KmsCertificate and KmsKeySet
 * found in it. */
typedef struct mcsec_kms_doc
{
	mcsec_kms_cert_t **certs;
	size_t ncerts;
	mcsec_kms_keyset_t **keysets;
	size_t nkeysets;
} mcsec_kms_doc_t;

/* Parse KMS XML (hardened: no network, no DTD, no entities).
 * On failure returns a negative code and writes a message to errbuf. */
int mcsec_kms_parse(const char *xml, size_t len,
		const mcsec_kms_parse_opts_t *opts, mcsec_kms_doc_t *doc,
		char *errbuf, size_t errlen);
void mcsec_kms_doc_free(mcsec_kms_doc_t *doc);

/* Write XML as a KMS does: a KmsResponse with KmsInit holding the cert,
 * or a KmsResponse with KmsKeyProv holding the key set. Caller frees *out. */
int mcsec_kms_write_init(const mcsec_kms_cert_t *c, char **out, size_t *out_len);
int mcsec_kms_write_keyprov(const mcsec_kms_keyset_t *k, const char *user_uri,
		char **out, size_t *out_len);

#endif
