/*
 * mcsec - replay cache for MIKEY I_MESSAGEs (RFC 3830 5.4: a receiver keeps
 * what it accepted within the timestamp window).  A documented per-process
 * cache: the module creates one per worker process.
 *
 * Keyed by SHA-256(len(initiator) || initiator || CSB-ID || len(RAND) ||
 * RAND); bounded capacity; each entry lives until its message's T + window;
 * when full the oldest insertion is overwritten.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "evp_cache.h"
#include "mcsec_err.h"
#include "mikey.h"

typedef struct replay_entry
{
	uint8_t digest[32];
	uint64_t expires;
	long next; /* bucket chain, -1 = end */
	int used;
} replay_entry_t;

struct mcsec_mikey_replay
{
	replay_entry_t *e;
	size_t cap;
	size_t head; /* next ring slot to (over)write */
	long *bucket;
	size_t nbuckets; /* power of two */
	uint64_t evicted_live;
};

mcsec_mikey_replay_t *mcsec_mikey_replay_new(size_t capacity)
{
	mcsec_mikey_replay_t *r;

	if(capacity == 0 || capacity > (1u << 24))
		return NULL;
	r = calloc(1, sizeof(*r));
	if(!r)
		return NULL;
	r->cap = capacity;
	r->nbuckets = 16;
	while(r->nbuckets < capacity)
		r->nbuckets <<= 1;
	r->e = calloc(capacity, sizeof(*r->e));
	r->bucket = malloc(r->nbuckets * sizeof(long));
	if(!r->e || !r->bucket) {
		mcsec_mikey_replay_free(r);
		return NULL;
	}
	for(size_t i = 0; i < r->nbuckets; i++)
		r->bucket[i] = -1;
	return r;
}

void mcsec_mikey_replay_free(mcsec_mikey_replay_t *r)
{
	if(!r)
		return;
	free(r->e);
	free(r->bucket);
	free(r);
}

static int replay_digest(const uint8_t *ini, size_t ilen, uint32_t csb,
		const uint8_t *rand, size_t rlen, uint8_t d[32])
{
	uint8_t l[4], c[4];
	unsigned dl = 0;
	int ok;
	EVP_MD_CTX *m = EVP_MD_CTX_new();

	if(!m)
		return MCSEC_ERR_INTERNAL;
	l[0] = (uint8_t)(ilen >> 24);
	l[1] = (uint8_t)(ilen >> 16);
	l[2] = (uint8_t)(ilen >> 8);
	l[3] = (uint8_t)ilen;
	c[0] = (uint8_t)(csb >> 24);
	c[1] = (uint8_t)(csb >> 16);
	c[2] = (uint8_t)(csb >> 8);
	c[3] = (uint8_t)csb;
	ok = EVP_DigestInit_ex(m, mcsec_evp_sha256(), NULL) == 1
		 && EVP_DigestUpdate(m, l, 4) == 1
		 && (ilen == 0 || EVP_DigestUpdate(m, ini, ilen) == 1)
		 && EVP_DigestUpdate(m, c, 4) == 1
		 && EVP_DigestUpdate(m, (uint8_t[]){(uint8_t)rlen}, 1) == 1
		 && (rlen == 0 || EVP_DigestUpdate(m, rand, rlen) == 1)
		 && EVP_DigestFinal_ex(m, d, &dl) == 1 && dl == 32;
	EVP_MD_CTX_free(m);
	return ok ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

static size_t bucket_of(const mcsec_mikey_replay_t *r, const uint8_t d[32])
{
	uint32_t h = ((uint32_t)d[0] << 24) | ((uint32_t)d[1] << 16)
				 | ((uint32_t)d[2] << 8) | d[3];
	return h & (r->nbuckets - 1);
}

static long find(const mcsec_mikey_replay_t *r, const uint8_t d[32])
{
	for(long i = r->bucket[bucket_of(r, d)]; i >= 0; i = r->e[i].next)
		if(!memcmp(r->e[i].digest, d, 32))
			return i;
	return -1;
}

static void unlink_entry(mcsec_mikey_replay_t *r, long idx)
{
	long *p = &r->bucket[bucket_of(r, r->e[idx].digest)];
	while(*p >= 0) {
		if(*p == idx) {
			*p = r->e[idx].next;
			break;
		}
		p = &r->e[*p].next;
	}
	r->e[idx].used = 0;
	r->e[idx].next = -1;
}

int mcsec_mikey_replay_check(mcsec_mikey_replay_t *r, const uint8_t *ini,
		size_t ilen, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
		uint64_t now)
{
	uint8_t d[32];
	long i;
	int rc;

	if(!r || (!ini && ilen) || (!rand && rand_len) || rand_len > 255)
		return MCSEC_ERR_ARG;
	if((rc = replay_digest(ini, ilen, csb_id, rand, rand_len, d)))
		return rc;
	i = find(r, d);
	if(i >= 0 && r->e[i].expires >= now)
		return MCSEC_ERR_REPLAYED;
	return MCSEC_OK;
}

int mcsec_mikey_replay_add(mcsec_mikey_replay_t *r, const uint8_t *ini,
		size_t ilen, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
		uint64_t expires, uint64_t now)
{
	uint8_t d[32];
	long i;
	size_t b;
	int rc;

	if(!r || (!ini && ilen) || (!rand && rand_len) || rand_len > 255)
		return MCSEC_ERR_ARG;
	if((rc = replay_digest(ini, ilen, csb_id, rand, rand_len, d)))
		return rc;
	i = find(r, d);
	if(i >= 0) {
		if(r->e[i].expires < expires)
			r->e[i].expires = expires;
		return MCSEC_OK;
	}
	i = (long)r->head;
	if(r->e[i].used) {
		if(r->e[i].expires >= now)
			r->evicted_live++;
		unlink_entry(r, i);
	}
	memcpy(r->e[i].digest, d, 32);
	r->e[i].expires = expires;
	r->e[i].used = 1;
	b = bucket_of(r, d);
	r->e[i].next = r->bucket[b];
	r->bucket[b] = i;
	r->head = (r->head + 1) % r->cap;
	return MCSEC_OK;
}

size_t mcsec_mikey_replay_count(const mcsec_mikey_replay_t *r, uint64_t now)
{
	size_t n = 0;
	if(!r)
		return 0;
	for(size_t i = 0; i < r->cap; i++)
		if(r->e[i].used && r->e[i].expires >= now)
			n++;
	return n;
}

uint64_t mcsec_mikey_replay_evicted_live(const mcsec_mikey_replay_t *r)
{
	return r ? r->evicted_live : 0;
}
