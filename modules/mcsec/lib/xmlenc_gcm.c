/*
 * mcsec - AES-GCM as xmlenc 1.1 5.2.4 uses it (and TS 33.180 9.3.4.3):
 * 96-bit IV, 128-bit tag, no additional authenticated data, output
 * IV || ciphertext || tag.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "evp_cache.h"
#include "mcsec_err.h"
#include "xml_internal.h"

/* fetched once per process (no implicit fetch at every init) */
static const EVP_CIPHER *gcm_for(size_t key_len)
{
	return mcsec_evp_aes_gcm(key_len);
}

int mcsec_gcm_seal(const uint8_t *key, size_t key_len,
		const uint8_t iv[MCSEC_XML_IV_LEN], const uint8_t *pt, size_t pt_len,
		uint8_t *out)
{
	const EVP_CIPHER *c = gcm_for(key_len);
	EVP_CIPHER_CTX *ctx;
	int n = 0, n2 = 0, ok;

	if(!c || !iv || (!pt && pt_len) || !out || pt_len > (size_t)1 << 30)
		return MCSEC_ERR_ARG;
	ctx = EVP_CIPHER_CTX_new();
	if(!ctx)
		return MCSEC_ERR_INTERNAL;
	memcpy(out, iv, MCSEC_XML_IV_LEN);
	ok = EVP_EncryptInit_ex(ctx, c, NULL, NULL, NULL) == 1
		 && EVP_CIPHER_CTX_ctrl(
					ctx, EVP_CTRL_GCM_SET_IVLEN, MCSEC_XML_IV_LEN, NULL)
					== 1
		 && EVP_EncryptInit_ex(ctx, NULL, NULL, key, iv) == 1
		 && (pt_len == 0
				 || EVP_EncryptUpdate(
							ctx, out + MCSEC_XML_IV_LEN, &n, pt, (int)pt_len)
							== 1)
		 && EVP_EncryptFinal_ex(ctx, out + MCSEC_XML_IV_LEN + n, &n2) == 1
		 && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, MCSEC_XML_TAG_LEN,
					out + MCSEC_XML_IV_LEN + n + n2)
					== 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

int mcsec_gcm_open(const uint8_t *key, size_t key_len, const uint8_t *in,
		size_t in_len, uint8_t *out)
{
	const EVP_CIPHER *c = gcm_for(key_len);
	EVP_CIPHER_CTX *ctx;
	size_t ct_len;
	uint8_t tag[MCSEC_XML_TAG_LEN];
	int n = 0, n2 = 0, ok, fin;

	if(!c || !in || !out)
		return MCSEC_ERR_ARG;
	if(in_len < MCSEC_XML_IV_LEN + MCSEC_XML_TAG_LEN
			|| in_len > (size_t)1 << 30)
		return MCSEC_ERR_MALFORMED;
	ct_len = in_len - MCSEC_XML_IV_LEN - MCSEC_XML_TAG_LEN;
	memcpy(tag, in + in_len - MCSEC_XML_TAG_LEN, MCSEC_XML_TAG_LEN);
	ctx = EVP_CIPHER_CTX_new();
	if(!ctx)
		return MCSEC_ERR_INTERNAL;
	ok = EVP_DecryptInit_ex(ctx, c, NULL, NULL, NULL) == 1
		 && EVP_CIPHER_CTX_ctrl(
					ctx, EVP_CTRL_GCM_SET_IVLEN, MCSEC_XML_IV_LEN, NULL)
					== 1
		 && EVP_DecryptInit_ex(ctx, NULL, NULL, key, in) == 1
		 && (ct_len == 0
				 || EVP_DecryptUpdate(
							ctx, out, &n, in + MCSEC_XML_IV_LEN, (int)ct_len)
							== 1)
		 && EVP_CIPHER_CTX_ctrl(
					ctx, EVP_CTRL_GCM_SET_TAG, MCSEC_XML_TAG_LEN, tag)
					== 1;
	fin = ok ? EVP_DecryptFinal_ex(ctx, out + n, &n2) : 0;
	EVP_CIPHER_CTX_free(ctx);
	if(!ok)
		return MCSEC_ERR_INTERNAL;
	if(fin != 1) {
		OPENSSL_cleanse(out, ct_len);
		return MCSEC_ERR_BAD_SIGNATURE;
	}
	return MCSEC_OK;
}
