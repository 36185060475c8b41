/*
 * mcsec - TS 33.220 B.2 KDF, the TS 33.180 Annex F derivations and the
 * Annex G key purpose tags.  Readings: DESIGN.md section 4.
 */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "evp_cache.h"
#include "kdf.h"
#include "mcsec_err.h"

#define KEY_ID_LEN 4

/* TS 33.180 Annex G, Table G-1 */
static const char *const purpose_names[] = {
		"GMK", "PCK", "CSK", "SPK", "MKFC", "MSCCK", "MuSiK"};
#define N_PURPOSES (sizeof(purpose_names) / sizeof(purpose_names[0]))

const char *mcsec_key_purpose_name(unsigned purpose)
{
	if(purpose >= N_PURPOSES)
		return NULL;
	return purpose_names[purpose];
}

int mcsec_key_purpose_from_name(const char *name)
{
	if(!name)
		return -1;
	for(size_t i = 0; i < N_PURPOSES; i++)
		if(!strcasecmp(name, purpose_names[i]))
			return (int)i;
	return -1;
}

/* Feed FC||P0||L0||...||Pn||Ln (TS 33.220 B.2.1) to an update function. */
typedef int (*s_update_fn)(void *ctx, const uint8_t *d, size_t n);

static int build_s(void *ctx, s_update_fn upd, uint8_t fc,
		const mcsec_kdf_param_t *params, size_t nparams)
{
	if(!upd(ctx, &fc, 1))
		return MCSEC_ERR_INTERNAL;
	for(size_t i = 0; i < nparams; i++) {
		uint8_t l[2];
		if(params[i].len > 0xffff || (params[i].len && !params[i].data))
			return MCSEC_ERR_ARG;
		l[0] = (uint8_t)(params[i].len >> 8);
		l[1] = (uint8_t)params[i].len;
		if(params[i].len && !upd(ctx, params[i].data, params[i].len))
			return MCSEC_ERR_INTERNAL;
		if(!upd(ctx, l, 2))
			return MCSEC_ERR_INTERNAL;
	}
	return MCSEC_OK;
}

static int mac_update(void *ctx, const uint8_t *d, size_t n)
{
	return EVP_MAC_update((EVP_MAC_CTX *)ctx, d, n);
}

static int md_update(void *ctx, const uint8_t *d, size_t n)
{
	return EVP_DigestUpdate((EVP_MD_CTX *)ctx, d, n);
}

/* TS 33.220 B.2: derived key = HMAC-SHA-256(Key, S) */
int mcsec_kdf(const uint8_t *key, size_t keylen, uint8_t fc,
		const mcsec_kdf_param_t *params, size_t nparams,
		uint8_t out[MCSEC_KDF_OUT_LEN])
{
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM p[2];
	size_t outl = 0;
	int rc = MCSEC_ERR_INTERNAL;

	if(!key || !keylen || !out || (nparams && !params))
		return MCSEC_ERR_ARG;
	mac = mcsec_evp_hmac(); /* fetched once per process */
	if(!mac)
		goto out;
	ctx = EVP_MAC_CTX_new(mac);
	if(!ctx)
		goto out;
	p[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_end();
	if(!EVP_MAC_init(ctx, key, keylen, p))
		goto out;
	rc = build_s(ctx, mac_update, fc, params, nparams);
	if(rc != MCSEC_OK)
		goto out;
	rc = MCSEC_ERR_INTERNAL;
	if(!EVP_MAC_final(ctx, out, &outl, MCSEC_KDF_OUT_LEN)
			|| outl != MCSEC_KDF_OUT_LEN)
		goto out;
	rc = MCSEC_OK;
out:
	EVP_MAC_CTX_free(ctx);
	if(rc != MCSEC_OK && out)
		OPENSSL_cleanse(out, MCSEC_KDF_OUT_LEN);
	return rc;
}

size_t mcsec_int_octets(uint64_t v, uint8_t out[8])
{
	size_t n = 1;
	uint64_t t = v >> 8;

	while(t) {
		n++;
		t >>= 8;
	}
	for(size_t i = 0; i < n; i++)
		out[n - 1 - i] = (uint8_t)(v >> (8 * i));
	return n;
}

/* TS 33.180 F.2.1.1: P5 = Floor((TIME - P4) / P3) */
int mcsec_key_period_no(uint64_t ntp_time, uint64_t period, uint64_t offset,
		uint64_t *period_no)
{
	if(!period_no || period == 0 || ntp_time < offset)
		return MCSEC_ERR_ARG;
	*period_no = (ntp_time - offset) / period;
	return MCSEC_OK;
}

/* TS 33.180 F.2.1.1 */
int mcsec_uid(const char *uri, size_t uri_len, const char *kms_uri,
		size_t kms_len, uint64_t period, uint64_t offset, uint64_t period_no,
		uint8_t uid[MCSEC_UID_LEN])
{
	static const char fixed[] = "MIKEY-SAKKE-UID";
	uint8_t p3[8], p4[8], p5[8];
	mcsec_kdf_param_t prm[6];
	EVP_MD_CTX *md = NULL;
	unsigned int outl = 0;
	int rc;

	if(!uri || !uri_len || !kms_uri || !kms_len || !uid || period == 0)
		return MCSEC_ERR_ARG;
	/* F.2.1.1 says P4 "shall be less than P3"; the hash itself is defined
	 * for any value, so that is left to whoever checks the KMS certificate. */
	prm[0] = (mcsec_kdf_param_t){(const uint8_t *)fixed, sizeof(fixed) - 1};
	prm[1] = (mcsec_kdf_param_t){(const uint8_t *)uri, uri_len};
	prm[2] = (mcsec_kdf_param_t){(const uint8_t *)kms_uri, kms_len};
	prm[3] = (mcsec_kdf_param_t){p3, mcsec_int_octets(period, p3)};
	prm[4] = (mcsec_kdf_param_t){p4, mcsec_int_octets(offset, p4)};
	prm[5] = (mcsec_kdf_param_t){p5, mcsec_int_octets(period_no, p5)};

	md = EVP_MD_CTX_new();
	if(!md)
		return MCSEC_ERR_INTERNAL;
	rc = MCSEC_ERR_INTERNAL;
	if(!EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto out;
	/* FC = 0x00 (a dummy value, F.2.1.1 NOTE 1) */
	rc = build_s(md, md_update, 0x00, prm, 6);
	if(rc != MCSEC_OK)
		goto out;
	rc = MCSEC_ERR_INTERNAL;
	if(!EVP_DigestFinal_ex(md, uid, &outl) || outl != MCSEC_UID_LEN)
		goto out;
	rc = MCSEC_OK;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

/* TS 33.180 F.1.3 */
int mcsec_user_salt(const uint8_t *gmk, size_t gmk_len, const char *uri,
		size_t uri_len, uint32_t *salt)
{
	uint8_t k[MCSEC_KDF_OUT_LEN];
	mcsec_kdf_param_t p0;
	int rc;

	if(!gmk || !gmk_len || !uri || !uri_len || !salt)
		return MCSEC_ERR_ARG;
	p0 = (mcsec_kdf_param_t){(const uint8_t *)uri, uri_len};
	rc = mcsec_kdf(gmk, gmk_len, 0x50, &p0, 1, k);
	if(rc == MCSEC_OK)
		/* the 28 least significant bits of the 256-bit output */
		*salt = (((uint32_t)k[28] << 24) | ((uint32_t)k[29] << 16)
						| ((uint32_t)k[30] << 8) | k[31])
				& 0x0fffffffu;
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

static void key_id_octets(uint32_t id, uint8_t out[KEY_ID_LEN])
{
	out[0] = (uint8_t)(id >> 24);
	out[1] = (uint8_t)(id >> 16);
	out[2] = (uint8_t)(id >> 8);
	out[3] = (uint8_t)id;
}

/* F.1.4 / F.1.5: a 128-bit key takes the 128 least significant bits, a
 * 256-bit key the whole output. */
static int truncate_out(const uint8_t k[MCSEC_KDF_OUT_LEN], size_t key_len,
		uint8_t out[32], size_t *out_len)
{
	memcpy(out, k + MCSEC_KDF_OUT_LEN - key_len, key_len);
	*out_len = key_len;
	return MCSEC_OK;
}

/* TS 33.180 F.1.4 */
int mcsec_xml_key(const uint8_t *xpk, size_t xpk_len, uint8_t fc,
		const char *mc_id, size_t mc_id_len, uint32_t xpk_id, uint8_t out[32],
		size_t *out_len)
{
	uint8_t k[MCSEC_KDF_OUT_LEN], idb[KEY_ID_LEN];
	mcsec_kdf_param_t p[2];
	int rc;

	if(!xpk || (xpk_len != 16 && xpk_len != 32) || !mc_id || !mc_id_len || !out
			|| !out_len || (fc != MCSEC_FC_XML_CONF && fc != MCSEC_FC_XML_INT))
		return MCSEC_ERR_ARG;
	key_id_octets(xpk_id, idb);
	p[0] = (mcsec_kdf_param_t){(const uint8_t *)mc_id, mc_id_len};
	p[1] = (mcsec_kdf_param_t){idb, KEY_ID_LEN};
	rc = mcsec_kdf(xpk, xpk_len, fc, p, 2, k);
	if(rc == MCSEC_OK)
		rc = truncate_out(k, xpk_len, out, out_len);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

/* TS 33.180 F.1.5 */
int mcsec_dpck(const uint8_t *dppk, size_t dppk_len, uint32_t dppk_id,
		uint8_t out[32], size_t *out_len)
{
	uint8_t k[MCSEC_KDF_OUT_LEN], idb[KEY_ID_LEN];
	mcsec_kdf_param_t p0;
	int rc;

	if(!dppk || (dppk_len != 16 && dppk_len != 32) || !out || !out_len)
		return MCSEC_ERR_ARG;
	key_id_octets(dppk_id, idb);
	p0 = (mcsec_kdf_param_t){idb, KEY_ID_LEN};
	rc = mcsec_kdf(dppk, dppk_len, 0x53, &p0, 1, k);
	if(rc == MCSEC_OK)
		rc = truncate_out(k, dppk_len, out, out_len);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}
