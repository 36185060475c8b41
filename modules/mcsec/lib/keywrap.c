/*
 * mcsec - AES-256 key wrap (RFC 3394) and key wrap with padding (RFC 5649)
 * through OpenSSL's EVP wrap ciphers.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keywrap.h"
#include "mcsec_err.h"

static int kw_run(const EVP_CIPHER *cipher, int enc,
		const uint8_t kek[MCSEC_KW_KEK_LEN], const uint8_t *in, size_t in_len,
		uint8_t *out, size_t out_len_expected_max, size_t *out_len)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t *tmp;
	int n = 0, fin = 0, rc = enc ? MCSEC_ERR_INTERNAL : MCSEC_ERR_INVALID_KEY;

	/* OpenSSL writes into out before the integrity check of an unwrap
	 * fails, so unwrap into a scratch buffer and copy only on success. */
	tmp = OPENSSL_malloc(out_len_expected_max + 16);
	if(!tmp)
		return MCSEC_ERR_INTERNAL;
	ctx = EVP_CIPHER_CTX_new();
	if(!ctx) {
		OPENSSL_free(tmp);
		return MCSEC_ERR_INTERNAL;
	}
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if(EVP_CipherInit_ex(ctx, cipher, NULL, kek, NULL, enc) != 1) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	if(EVP_CipherUpdate(ctx, tmp, &n, in, (int)in_len) != 1 || n < 0)
		goto out;
	if(EVP_CipherFinal_ex(ctx, tmp + n, &fin) != 1)
		goto out;
	if((size_t)n + (size_t)fin > out_len_expected_max)
		goto out;
	memcpy(out, tmp, (size_t)n + (size_t)fin);
	*out_len = (size_t)n + (size_t)fin;
	rc = MCSEC_OK;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_clear_free(tmp, out_len_expected_max + 16);
	return rc;
}

/* RFC 3394 2.2.1 */
int mcsec_kw_wrap(const uint8_t kek[MCSEC_KW_KEK_LEN], const uint8_t *in,
		size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
	if(!kek || !in || !out || !out_len || in_len < 16 || in_len % 8
			|| in_len > MCSEC_KW_MAX_DATA || out_cap < in_len + 8)
		return MCSEC_ERR_ARG;
	return kw_run(
			EVP_aes_256_wrap(), 1, kek, in, in_len, out, in_len + 8, out_len);
}

/* RFC 3394 2.2.2, 2.2.3 */
int mcsec_kw_unwrap(const uint8_t kek[MCSEC_KW_KEK_LEN], const uint8_t *in,
		size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
	if(!kek || !in || !out || !out_len)
		return MCSEC_ERR_ARG;
	if(in_len < 24 || in_len % 8 || in_len > MCSEC_KW_MAX_DATA + 8)
		return MCSEC_ERR_MALFORMED;
	if(out_cap < in_len - 8)
		return MCSEC_ERR_ARG;
	return kw_run(
			EVP_aes_256_wrap(), 0, kek, in, in_len, out, in_len - 8, out_len);
}

/* RFC 5649 4.1 */
int mcsec_kwp_wrap(const uint8_t kek[MCSEC_KW_KEK_LEN], const uint8_t *in,
		size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t padded = (in_len + 7) / 8 * 8;
	if(!kek || !in || !out || !out_len || in_len == 0
			|| in_len > MCSEC_KW_MAX_DATA || out_cap < padded + 8)
		return MCSEC_ERR_ARG;
	return kw_run(EVP_aes_256_wrap_pad(), 1, kek, in, in_len, out, padded + 8,
			out_len);
}

/* RFC 5649 4.2, 3 (AIV and padding checks) */
int mcsec_kwp_unwrap(const uint8_t kek[MCSEC_KW_KEK_LEN], const uint8_t *in,
		size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
	if(!kek || !in || !out || !out_len)
		return MCSEC_ERR_ARG;
	if(in_len < 16 || in_len % 8 || in_len > MCSEC_KW_MAX_DATA + 8)
		return MCSEC_ERR_MALFORMED;
	if(out_cap < in_len - 8)
		return MCSEC_ERR_ARG;
	return kw_run(EVP_aes_256_wrap_pad(), 0, kek, in, in_len, out, in_len - 8,
			out_len);
}
