/*
 * mcsec - per-process cache of OpenSSL 3 algorithm objects (evp_cache.h).
 */
#include <openssl/evp.h>

#include "evp_cache.h"

/* one slot: fetched at first use; if two threads race, the loser frees its
 * copy (both are the same algorithm, so either result is right) */
static const void *cache_get(
		const void **slot, const void *(*fetch)(void), void (*drop)(void *))
{
	const void *cur = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	const void *fresh, *expected = NULL;

	if(cur)
		return cur;
	fresh = fetch();
	if(!fresh)
		return NULL;
	if(__atomic_compare_exchange_n(
			   slot, &expected, fresh, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return fresh;
	drop((void *)fresh);
	return expected;
}

static const void *fetch_sha256(void)
{
	return EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

static const void *fetch_gcm128(void)
{
	return EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
}

static const void *fetch_gcm256(void)
{
	return EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static const void *fetch_hmac(void)
{
	return EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static void drop_mac(void *p)
{
	EVP_MAC_free(p);
}

static void drop_md(void *p)
{
	EVP_MD_free(p);
}

static void drop_cipher(void *p)
{
	EVP_CIPHER_free(p);
}

static const void *sha256_slot, *gcm128_slot, *gcm256_slot, *hmac_slot;

EVP_MAC *mcsec_evp_hmac(void)
{
	const void *m = cache_get(&hmac_slot, fetch_hmac, drop_mac);
	/* an EVP_MAC is never modified once fetched; the API wants it non-const */
	return (EVP_MAC *)m;
}

const EVP_MD *mcsec_evp_sha256(void)
{
	const EVP_MD *md = cache_get(&sha256_slot, fetch_sha256, drop_md);
	return md ? md : EVP_sha256();
}

const EVP_CIPHER *mcsec_evp_aes_gcm(size_t key_len)
{
	const EVP_CIPHER *c;

	if(key_len == 16) {
		c = cache_get(&gcm128_slot, fetch_gcm128, drop_cipher);
		return c ? c : EVP_aes_128_gcm();
	}
	if(key_len == 32) {
		c = cache_get(&gcm256_slot, fetch_gcm256, drop_cipher);
		return c ? c : EVP_aes_256_gcm();
	}
	return NULL;
}
