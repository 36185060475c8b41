/*
 * mcsec - the key store: many KMS certificates and many key sets
 * (identities x key periods), loaded from files or directories,
 * validated on load, selected by identity, KMS URI and time.
 */
#ifndef MCSEC_KEYSTORE_H
#define MCSEC_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "eccsi.h"
#include "kms.h"
#include "sakke.h"

/* A loaded, validated key set with its precomputed contexts. */
typedef struct mcsec_keystore_entry
{
	mcsec_kms_keyset_t *ks;		  /* parsed key set (owns secrets) */
	const mcsec_kms_cert_t *cert; /* certificate of ks->kms_uri */
	mcsec_sakke_key_t *sakke;	  /* receiver key, precomputed */
	mcsec_eccsi_signer_t *signer; /* signer for ks->user_id */
} mcsec_keystore_entry_t;

typedef struct mcsec_keystore mcsec_keystore_t;

mcsec_keystore_t *mcsec_keystore_new(void);
void mcsec_keystore_free(mcsec_keystore_t *ks);

/* Named transport / integrity keys for the D.3.5.2 security extension;
 * must be added before loading documents that need them. Copied. */
int mcsec_keystore_add_trk(mcsec_keystore_t *ks, const char *name,
		const uint8_t *key, size_t key_len);
int mcsec_keystore_add_ink(mcsec_keystore_t *ks, const char *name,
		const uint8_t *key, size_t key_len);

/* The time used for "now" when refusing expired material on load, in NTP
 * seconds; 0 (the default) = the real clock. For tests and for tools that
 * work at a given time (mikey extract --at). */
void mcsec_keystore_set_time(mcsec_keystore_t *ks, uint64_t ntp);
/* Non-zero: only documents whose SignedKmsResponse HMAC verified with a
 * configured InK/TrK are loaded (mcsec_kms_parse_opts_t.require_signature). */
void mcsec_keystore_set_require_signature(mcsec_keystore_t *ks, int on);

/* Load a file, or every *.xml file of a directory (in name order).
 * Certificates are loaded before key sets whatever the order; every key
 * set is validated: its KMS certificate must be loaded (by KmsUri,
 * MCSEC_ERR_UNKNOWN_KMS), UserID must equal the F.2.1 UID of UserUri,
 * KmsUri, the certificate's period and offset and KeyPeriodNo
 * (MCSEC_ERR_IDENTITY_MISMATCH), SSK/PVT must validate against KPAK and RSK
 * against Z (MCSEC_ERR_INVALID_KEY). Revoked certificates and key sets are
 * refused (MCSEC_ERR_REVOKED), so is material whose ValidTo is before now
 * (MCSEC_ERR_EXPIRED); KPAK must be a P-256 point and Z a point of the
 * SAKKE curve (MCSEC_ERR_INVALID_KEY). A certificate for a KMS
 * URI already loaded, or a key set for a (UserUri, KmsUri, KeyPeriodNo)
 * already loaded, is skipped when identical and refused (MCSEC_ERR_ARG)
 * when different: the first one loaded stays. A load is all or nothing:
 * on any error nothing of that file or directory is added. errbuf names
 * the file (for directories), the element and the reason. */
int mcsec_keystore_load_path(
		mcsec_keystore_t *ks, const char *path, char *errbuf, size_t errlen);
/* Load from memory (takes what the document holds). */
int mcsec_keystore_load_xml(mcsec_keystore_t *ks, const char *xml, size_t len,
		char *errbuf, size_t errlen);

/* The certificate for kms_uri usable at ntp_time (0 = ignore time):
 * MCSEC_ERR_UNKNOWN_KMS, MCSEC_ERR_REVOKED or MCSEC_ERR_EXPIRED otherwise. */
int mcsec_keystore_find_cert(const mcsec_keystore_t *ks, const char *kms_uri,
		size_t kms_len, uint64_t ntp_time, const mcsec_kms_cert_t **out);

/* The key set of user_uri under kms_uri for key period period_no. */
int mcsec_keystore_find_keyset(const mcsec_keystore_t *ks, const char *user_uri,
		size_t uri_len, const char *kms_uri, size_t kms_len, uint64_t period_no,
		const mcsec_keystore_entry_t **out);
/* The key set whose UserID is uid under kms_uri (identity hiding, E.7). */
int mcsec_keystore_find_keyset_by_uid(const mcsec_keystore_t *ks,
		const uint8_t uid[MCSEC_UID_LEN], const char *kms_uri, size_t kms_len,
		const mcsec_keystore_entry_t **out);

size_t mcsec_keystore_ncerts(const mcsec_keystore_t *ks);
size_t mcsec_keystore_nkeysets(const mcsec_keystore_t *ks);
const mcsec_kms_cert_t *mcsec_keystore_cert_at(
		const mcsec_keystore_t *ks, size_t i);
const mcsec_keystore_entry_t *mcsec_keystore_entry_at(
		const mcsec_keystore_t *ks, size_t i);

#endif
