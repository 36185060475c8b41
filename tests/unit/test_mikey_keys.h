/*
 * Test helper: a test KMS and key sets generated at test time with the
 * library's KMS functions, written as KMS XML and loaded through the key
 * store (the same path as operator files).
 */
#ifndef TEST_MIKEY_KEYS_H
#define TEST_MIKEY_KEYS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "eccsi.h"
#include "kdf.h"
#include "keystore.h"
#include "kms.h"
#include "sakke.h"

#define TK_PERIOD 2592000u /* 30 days */
#define TK_OFFSET 0u

typedef struct tk_kms
{
	char uri[128];
	uint8_t ksak[MCSEC_ECCSI_SCALAR_LEN], kpak[MCSEC_ECCSI_POINT_LEN];
	uint8_t z[MCSEC_SAKKE_SCALAR_LEN], Z[MCSEC_SAKKE_POINT_LEN];
	char *cert_xml;
	size_t cert_len;
} tk_kms_t;

static int tk_kms_init(tk_kms_t *k, const char *uri)
{
	mcsec_kms_cert_t c;
	int rc;

	memset(k, 0, sizeof(*k));
	snprintf(k->uri, sizeof(k->uri), "%s", uri);
	if((rc = mcsec_eccsi_kms_generate(k->ksak, k->kpak)))
		return rc;
	if((rc = mcsec_sakke_kms_generate(k->z, k->Z)))
		return rc;
	memset(&c, 0, sizeof(c));
	snprintf(c.version, sizeof(c.version), "1.1.0");
	c.role = MCSEC_KMS_ROLE_ROOT;
	c.kms_uri = k->uri;
	c.cert_uri = k->uri;
	c.issuer = k->uri;
	c.user_id_format = 2;
	c.user_key_period = TK_PERIOD;
	c.user_key_offset = TK_OFFSET;
	memcpy(c.pub_enc_key, k->Z, sizeof(k->Z));
	memcpy(c.pub_auth_key, k->kpak, sizeof(k->kpak));
	c.parameter_set = 1;
	return mcsec_kms_write_init(&c, &k->cert_xml, &k->cert_len);
}

static void tk_kms_free(tk_kms_t *k)
{
	OPENSSL_cleanse(k->ksak, sizeof(k->ksak));
	OPENSSL_cleanse(k->z, sizeof(k->z));
	free(k->cert_xml);
	k->cert_xml = NULL;
}

/* Issue a key set for uri in key period pno and return its XML. */
static int tk_issue(const tk_kms_t *k, const char *uri, uint64_t pno,
		char **xml, size_t *len)
{
	mcsec_kms_keyset_t s;
	int rc;

	memset(&s, 0, sizeof(s));
	snprintf(s.version, sizeof(s.version), "1.1.0");
	s.kms_uri = (char *)k->uri;
	s.cert_uri = (char *)k->uri;
	s.issuer = (char *)k->uri;
	s.user_uri = (char *)uri;
	s.key_period_no = pno;
	if((rc = mcsec_uid(uri, strlen(uri), k->uri, strlen(k->uri), TK_PERIOD,
				TK_OFFSET, pno, s.user_id)))
		return rc;
	if((rc = mcsec_eccsi_kms_issue(
				k->ksak, k->kpak, s.user_id, MCSEC_UID_LEN, s.ssk, s.pvt)))
		return rc;
	if((rc = mcsec_sakke_kms_issue(k->z, s.user_id, MCSEC_UID_LEN, s.rsk)))
		return rc;
	rc = mcsec_kms_write_keyprov(&s, NULL, xml, len);
	OPENSSL_cleanse(&s, sizeof(s));
	return rc;
}

static int tk_load(mcsec_keystore_t *ks, const char *xml, size_t len)
{
	char eb[256] = "";
	int rc = mcsec_keystore_load_xml(ks, xml, len, eb, sizeof(eb));
	if(rc)
		fprintf(stderr, "keystore load: %d %s\n", rc, eb);
	return rc;
}

static int tk_load_keyset(
		mcsec_keystore_t *ks, const tk_kms_t *k, const char *uri, uint64_t pno)
{
	char *x = NULL;
	size_t l = 0;
	int rc = tk_issue(k, uri, pno, &x, &l);
	if(rc == 0)
		rc = tk_load(ks, x, l);
	if(x) {
		OPENSSL_cleanse(x, l);
		free(x);
	}
	return rc;
}

static const mcsec_keystore_entry_t *tk_entry(
		const mcsec_keystore_t *ks, const char *uri, uint64_t pno)
{
	for(size_t i = 0; i < mcsec_keystore_nkeysets(ks); i++) {
		const mcsec_keystore_entry_t *e = mcsec_keystore_entry_at(ks, i);
		if(e && e->ks && !strcmp(e->ks->user_uri, uri)
				&& e->ks->key_period_no == pno)
			return e;
	}
	return NULL;
}

#endif
