/*
 * mcsec - per-process cache of OpenSSL 3 algorithm objects.
 *
 * EVP_sha256() / EVP_aes_128_gcm() are legacy handles: every
 * EVP_DigestInit_ex / EVP_CipherInit_ex with them fetches the provider
 * implementation again (a locked method-store lookup).  The objects here
 * are fetched once per process and kept until exit, which removes that
 * lookup from the per-message paths (CSK upload digest, replay key, xmlenc
 * AES-GCM, the Annex F KDF's HMAC).  Each falls back to the legacy handle if the fetch fails.
 */
#ifndef MCSEC_EVP_CACHE_H
#define MCSEC_EVP_CACHE_H

#include <stddef.h>

#include <openssl/evp.h>

/* SHA-256 */
const EVP_MD *mcsec_evp_sha256(void);
/* HMAC (the digest is chosen with the context's parameters); NULL if the
 * provider has none */
EVP_MAC *mcsec_evp_hmac(void);
/* AES-GCM for a 16- or 32-octet key; NULL for any other length */
const EVP_CIPHER *mcsec_evp_aes_gcm(size_t key_len);

#endif
