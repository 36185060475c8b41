/*
 * mcsec - Kamailio module: the CSK store (shared memory).
 *
 * One binding per (MC service ID, proxy identity the client uploaded to):
 * TS 33.180 I.3.5 lets one client upload two CSKs through two identities of
 * the same proxy; both are kept (and counted) until the key download issue
 * resolves them.  Hash table by MC service ID with one lock per slot; every
 * entry is one shm block of at most MCSEC_CSK_ENTRY_MAX octets; the CSK is
 * cleansed before the block is freed.  A timer process removes expired
 * entries.
 *
 * The same file keeps the replay table: (initiator IDR data, CSB-ID, RAND)
 * digests of accepted uploads until T + freshness window, in shm so that a
 * replay reaching another worker process is caught too.
 */
#ifndef MCSEC_CSK_STORE_H
#define MCSEC_CSK_STORE_H

#include <stdint.h>
#include <time.h>

#define MCSEC_CSK_ENTRY_MAX 512 /* shm octets per binding, block included */
#define MCSEC_CSK_RAND_MAX 32
#define MCSEC_CSK_DIGEST 32

/* What the module stores and what lookups return (a copy; wipe csk after
 * use with mcsec_csk_binding_clear). */
typedef struct mcsec_csk_binding
{
	char mcx_id[256];
	char impu[256];
	char proxy_id[256];
	char kms_uri[256];
	uint8_t csk[16];
	uint32_t csk_id;
	uint8_t rand[MCSEC_CSK_RAND_MAX];
	uint8_t rand_len;
	uint64_t period_no;
	time_t created, expires;
	uint8_t digest[MCSEC_CSK_DIGEST]; /* SHA-256 of the I_MESSAGE */
	unsigned hits;					  /* refreshes served from the store */
} mcsec_csk_binding_t;

void mcsec_csk_binding_clear(mcsec_csk_binding_t *b);

int mcsec_csk_store_init(unsigned size_log2);
void mcsec_csk_store_destroy(void);

/* Insert or replace the binding (mcx_id, proxy_id).  *other_ids (optional)
 * = number of other bindings of the same mcx_id (I.3.5 second identity).
 * -2 if the strings do not fit an entry, -1 on shm exhaustion. */
int mcsec_csk_store_put(const mcsec_csk_binding_t *b, int *other_ids);

/* Refresh recognition: a binding of mcx_id whose I_MESSAGE digest is
 * digest.  1 and *out filled (expiry extended to new_expires) when found,
 * 0 when not. */
int mcsec_csk_store_find_digest(const char *mcx_id, int mcx_len,
		const uint8_t digest[MCSEC_CSK_DIGEST], time_t new_expires,
		mcsec_csk_binding_t *out);

/* The binding of a client for XML protection (TS 33.180 9.3.3: XPK = CSK):
 * id is the client's MC service ID or IMPU (exact octets; an IMPU is found
 * through a second index, IMPU -> MC service ID, so both are one slot
 * visit each); when have_id, only a binding with that CSK-ID qualifies.
 * Of several live bindings (I.3.5 second identity) the newest.  1 and *out
 * filled (CSK included: wipe with mcsec_csk_binding_clear) or 0. */
int mcsec_csk_store_lookup(const char *id, int len, int have_id,
		uint32_t csk_id, mcsec_csk_binding_t *out);

/* Remove every binding whose MC service ID or IMPU equals id (len bytes);
 * returns how many. */
int mcsec_csk_store_remove(const char *id, int len);

/* Walk all bindings (copies, CSK not included) under the slot locks. */
typedef int (*mcsec_csk_walk_f)(const mcsec_csk_binding_t *b, void *arg);
int mcsec_csk_store_walk(mcsec_csk_walk_f f, void *arg);

/* Remove expired bindings and replay entries (timer). */
void mcsec_csk_store_expire(time_t now);

/* Replay table: 0 if added, -1 if already there and not expired, -2 on
 * shm exhaustion.  key: SHA-256 of what identifies the message. */
int mcsec_replay_add(const uint8_t key[32], time_t expires, time_t now);
/* 1 if key is in the replay table and not expired */
int mcsec_replay_seen(const uint8_t key[32], time_t now);

typedef struct mcsec_csk_store_stats
{
	long entries;
	long shm_used;
	long replay_entries;
} mcsec_csk_store_stats_t;
void mcsec_csk_store_stats(mcsec_csk_store_stats_t *s);

#endif
