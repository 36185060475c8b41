/*
 * mcsec - Kamailio module: the CSK store and the replay table (shm).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "core/atomic_ops.h"
#include "core/dprint.h"
#include "core/hashes.h"
#include "core/locking.h"
#include "core/mem/shm_mem.h"

#include "mcsec_csk_store.h"

/* one binding: fixed fields, then mcx_id | impu | proxy_id | kms_uri
 * (no NUL) in data[] */
typedef struct csk_entry
{
	struct csk_entry *next;
	unsigned hash;
	int size; /* octets allocated */
	uint16_t mcx_len, impu_len, pid_len, kms_len;
	uint8_t csk[16];
	uint32_t csk_id;
	uint8_t rand[MCSEC_CSK_RAND_MAX];
	uint8_t rand_len;
	uint64_t period_no;
	time_t created, expires;
	uint8_t digest[MCSEC_CSK_DIGEST];
	unsigned hits;
	char data[];
} csk_entry_t;

/* shm allocator block header allowance within MCSEC_CSK_ENTRY_MAX */
#define SHM_BLOCK_OVERHEAD 32

typedef struct replay_entry
{
	struct replay_entry *next;
	time_t expires;
	uint8_t key[32];
} replay_entry_t;

typedef struct slot
{
	csk_entry_t *first;
	replay_entry_t *replay;
	gen_lock_t lock;
} slot_t;

/* IMPU index: IMPU -> MC service ID, one node per (IMPU, MC service ID)
 * pair with the number of bindings that have it.  Own slots and locks;
 * lock order: a store slot lock may be held while an index lock is taken,
 * never the other way round (lookups copy from the index, release it, then
 * take the store slot). */
typedef struct impu_node
{
	struct impu_node *next;
	unsigned hash; /* of the IMPU */
	int refs;
	uint16_t impu_len, mcx_len;
	char data[]; /* impu | mcx_id */
} impu_node_t;

typedef struct impu_slot
{
	impu_node_t *first;
	gen_lock_t lock;
} impu_slot_t;

typedef struct store
{
	unsigned size; /* power of 2 */
	atomic_t entries;
	atomic_t shm_used;
	atomic_t replay_entries;
	impu_slot_t *impu; /* size slots */
	slot_t slots[];
} store_t;

static store_t *store = NULL;
int mcsec_replay_max = 200000; /* modparam replay_max */

static unsigned id_hash(const char *s, int len)
{
	str k = {(char *)s, len};
	return core_hash(&k, NULL, 0);
}

void mcsec_csk_binding_clear(mcsec_csk_binding_t *b)
{
	if(b)
		OPENSSL_cleanse(b, sizeof(*b));
}

int mcsec_csk_store_init(unsigned size_log2)
{
	unsigned n, i;

	if(size_log2 < 4 || size_log2 > 20) {
		LM_ERR("csk_table_size must be 4..20 (log2 of the slot count)\n");
		return -1;
	}
	n = 1u << size_log2;
	store = shm_malloc(sizeof(store_t) + n * sizeof(slot_t));
	if(!store) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(store, 0, sizeof(store_t) + n * sizeof(slot_t));
	store->size = n;
	atomic_set(&store->entries, 0);
	atomic_set(&store->shm_used, 0);
	atomic_set(&store->replay_entries, 0);
	for(i = 0; i < n; i++)
		if(lock_init(&store->slots[i].lock) == 0) {
			LM_ERR("cannot init a slot lock\n");
			return -1;
		}
	store->impu = shm_malloc(n * sizeof(impu_slot_t));
	if(!store->impu) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(store->impu, 0, n * sizeof(impu_slot_t));
	for(i = 0; i < n; i++)
		if(lock_init(&store->impu[i].lock) == 0) {
			LM_ERR("cannot init an index slot lock\n");
			return -1;
		}
	return 0;
}

static void impu_index_del(const char *impu, int il, const char *mcx, int ml);

static void entry_free(csk_entry_t *e)
{
	/* the store slot lock is held: index lock taken inside it (see top) */
	impu_index_del(e->data + e->mcx_len, e->impu_len, e->data, e->mcx_len);
	atomic_add(&store->shm_used, -e->size);
	atomic_dec(&store->entries);
	/* the CSK and what identifies it: cleansed before release */
	OPENSSL_cleanse(e, (size_t)e->size);
	shm_free(e);
}

static void replay_free(replay_entry_t *r)
{
	atomic_dec(&store->replay_entries);
	shm_free(r);
}

void mcsec_csk_store_destroy(void)
{
	unsigned i;

	if(!store)
		return;
	for(i = 0; i < store->size; i++) {
		slot_t *s = &store->slots[i];
		while(s->first) {
			csk_entry_t *e = s->first;
			s->first = e->next;
			entry_free(e);
		}
		while(s->replay) {
			replay_entry_t *r = s->replay;
			s->replay = r->next;
			replay_free(r);
		}
		lock_destroy(&s->lock);
	}
	if(store->impu) {
		for(i = 0; i < store->size; i++) {
			impu_slot_t *x = &store->impu[i];
			while(x->first) {
				impu_node_t *nd = x->first;
				x->first = nd->next;
				shm_free(nd);
			}
			lock_destroy(&x->lock);
		}
		shm_free(store->impu);
	}
	shm_free(store);
	store = NULL;
}

static const char *e_mcx(const csk_entry_t *e)
{
	return e->data;
}
static const char *e_impu(const csk_entry_t *e)
{
	return e->data + e->mcx_len;
}
static const char *e_pid(const csk_entry_t *e)
{
	return e->data + e->mcx_len + e->impu_len;
}
static const char *e_kms(const csk_entry_t *e)
{
	return e->data + e->mcx_len + e->impu_len + e->pid_len;
}

static int eq(const char *a, int al, const char *b, int bl)
{
	return al == bl && (al == 0 || !memcmp(a, b, al));
}

/* ---- IMPU index ---- */

static void impu_index_add(const char *impu, int il, const char *mcx, int ml)
{
	unsigned h;
	impu_slot_t *x;
	impu_node_t *nd, *n;
	int linked = 0;

	if(il <= 0 || !store->impu)
		return;
	h = id_hash(impu, il);
	x = &store->impu[h & (store->size - 1)];
	n = shm_malloc(sizeof(*n) + il + ml);
	lock_get(&x->lock);
	for(nd = x->first; nd; nd = nd->next)
		if(nd->hash == h && eq(nd->data, nd->impu_len, impu, il)
				&& eq(nd->data + nd->impu_len, nd->mcx_len, mcx, ml)) {
			nd->refs++;
			break;
		}
	if(!nd && n) {
		n->hash = h;
		n->refs = 1;
		n->impu_len = (uint16_t)il;
		n->mcx_len = (uint16_t)ml;
		memcpy(n->data, impu, il);
		memcpy(n->data + il, mcx, ml);
		n->next = x->first;
		x->first = n;
		linked = 1;
	}
	lock_release(&x->lock);
	if(n && !linked)
		shm_free(n);
	if(!nd && !linked)
		LM_WARN("no shm for the IMPU index: binding found by MC service ID "
				"only\n");
}

static void impu_index_del(const char *impu, int il, const char *mcx, int ml)
{
	unsigned h;
	impu_slot_t *x;
	impu_node_t **pp;

	if(il <= 0 || !store->impu)
		return;
	h = id_hash(impu, il);
	x = &store->impu[h & (store->size - 1)];
	lock_get(&x->lock);
	for(pp = &x->first; *pp; pp = &(*pp)->next) {
		impu_node_t *nd = *pp;
		if(nd->hash == h && eq(nd->data, nd->impu_len, impu, il)
				&& eq(nd->data + nd->impu_len, nd->mcx_len, mcx, ml)) {
			if(--nd->refs <= 0) {
				*pp = nd->next;
				shm_free(nd);
			}
			break;
		}
	}
	lock_release(&x->lock);
}

/* copy an entry out; with_key: also the CSK */
static void entry_copy(
		const csk_entry_t *e, mcsec_csk_binding_t *b, int with_key)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->mcx_id, e_mcx(e), e->mcx_len);
	memcpy(b->impu, e_impu(e), e->impu_len);
	memcpy(b->proxy_id, e_pid(e), e->pid_len);
	memcpy(b->kms_uri, e_kms(e), e->kms_len);
	if(with_key)
		memcpy(b->csk, e->csk, sizeof(b->csk));
	b->csk_id = e->csk_id;
	memcpy(b->rand, e->rand, e->rand_len);
	b->rand_len = e->rand_len;
	b->period_no = e->period_no;
	b->created = e->created;
	b->expires = e->expires;
	memcpy(b->digest, e->digest, sizeof(b->digest));
	b->hits = e->hits;
}

int mcsec_csk_store_put(const mcsec_csk_binding_t *b, int *other_ids)
{
	size_t ml = strnlen(b->mcx_id, sizeof(b->mcx_id)),
		   il = strnlen(b->impu, sizeof(b->impu)),
		   pl = strnlen(b->proxy_id, sizeof(b->proxy_id)),
		   kl = strnlen(b->kms_uri, sizeof(b->kms_uri));
	size_t size = sizeof(csk_entry_t) + ml + il + pl + kl;
	csk_entry_t *e, **pp;
	slot_t *s;
	int others = 0;

	if(!store)
		return -1;
	if(size + SHM_BLOCK_OVERHEAD > MCSEC_CSK_ENTRY_MAX
			|| b->rand_len > MCSEC_CSK_RAND_MAX)
		return -2;
	e = shm_malloc(size);
	if(!e) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(e, 0, size);
	e->size = (int)size;
	e->hash = id_hash(b->mcx_id, (int)ml);
	e->mcx_len = (uint16_t)ml;
	e->impu_len = (uint16_t)il;
	e->pid_len = (uint16_t)pl;
	e->kms_len = (uint16_t)kl;
	memcpy(e->data, b->mcx_id, ml);
	memcpy(e->data + ml, b->impu, il);
	memcpy(e->data + ml + il, b->proxy_id, pl);
	memcpy(e->data + ml + il + pl, b->kms_uri, kl);
	memcpy(e->csk, b->csk, sizeof(e->csk));
	e->csk_id = b->csk_id;
	memcpy(e->rand, b->rand, b->rand_len);
	e->rand_len = b->rand_len;
	e->period_no = b->period_no;
	e->created = b->created;
	e->expires = b->expires;
	memcpy(e->digest, b->digest, sizeof(e->digest));
	atomic_add(&store->shm_used, e->size);
	atomic_inc(&store->entries);

	s = &store->slots[e->hash & (store->size - 1)];
	lock_get(&s->lock);
	for(pp = &s->first; *pp;) {
		csk_entry_t *o = *pp;
		if(o->hash == e->hash && eq(e_mcx(o), o->mcx_len, b->mcx_id, (int)ml)) {
			if(eq(e_pid(o), o->pid_len, b->proxy_id, (int)pl)) {
				/* a new upload through the same identity replaces the old */
				*pp = o->next;
				entry_free(o);
				continue;
			}
			others++;
		}
		pp = &o->next;
	}
	e->next = s->first;
	s->first = e;
	impu_index_add(b->impu, (int)il, b->mcx_id, (int)ml);
	lock_release(&s->lock);
	if(other_ids)
		*other_ids = others;
	return 0;
}

int mcsec_csk_store_find_digest(const char *mcx_id, int mcx_len,
		const uint8_t digest[MCSEC_CSK_DIGEST], time_t new_expires,
		mcsec_csk_binding_t *out)
{
	unsigned h;
	slot_t *s;
	csk_entry_t *e;
	int found = 0;

	if(!store || mcx_len <= 0)
		return 0;
	h = id_hash(mcx_id, mcx_len);
	s = &store->slots[h & (store->size - 1)];
	lock_get(&s->lock);
	for(e = s->first; e; e = e->next) {
		/* the digest is of a public message: no secret in this compare */
		if(e->hash == h && eq(e_mcx(e), e->mcx_len, mcx_id, mcx_len)
				&& !memcmp(e->digest, digest, MCSEC_CSK_DIGEST)) {
			if(new_expires > e->expires)
				e->expires = new_expires;
			e->hits++;
			entry_copy(e, out, 1);
			found = 1;
			break;
		}
	}
	lock_release(&s->lock);
	return found;
}

/* newest live binding of mcx_id (with impu when impu_len > 0, with csk_id
 * when have_id) in its store slot; 1 and *out (CSK included) or 0 */
static int find_in_slot(const char *mcx, int ml, const char *impu, int impu_len,
		int have_id, uint32_t csk_id, time_t now, mcsec_csk_binding_t *out)
{
	unsigned h = id_hash(mcx, ml);
	slot_t *s = &store->slots[h & (store->size - 1)];
	csk_entry_t *e, *best = NULL;
	int found = 0;

	lock_get(&s->lock);
	for(e = s->first; e; e = e->next) {
		if(e->hash != h || !eq(e_mcx(e), e->mcx_len, mcx, ml)
				|| e->expires <= now)
			continue;
		if(impu_len > 0 && !eq(e_impu(e), e->impu_len, impu, impu_len))
			continue;
		if(have_id && e->csk_id != csk_id)
			continue;
		if(!best || e->created > best->created)
			best = e;
	}
	if(best) {
		entry_copy(best, out, 1);
		found = 1;
	}
	lock_release(&s->lock);
	return found;
}

#define MAX_IMPU_CANDIDATES 4

int mcsec_csk_store_lookup(const char *id, int len, int have_id,
		uint32_t csk_id, mcsec_csk_binding_t *out)
{
	char cand[MAX_IMPU_CANDIDATES][256];
	int cand_len[MAX_IMPU_CANDIDATES], nc = 0, i;
	time_t now = time(NULL);
	unsigned h;
	impu_slot_t *x;
	impu_node_t *nd;

	if(!store || !id || len <= 0 || !out)
		return 0;
	/* the id is an MC service ID: one slot */
	if(find_in_slot(id, len, NULL, 0, have_id, csk_id, now, out))
		return 1;
	/* the id is an IMPU: its MC service IDs from the index, then their
	 * slots, where the IMPU is checked again under the store lock */
	if(!store->impu)
		return 0;
	h = id_hash(id, len);
	x = &store->impu[h & (store->size - 1)];
	lock_get(&x->lock);
	for(nd = x->first; nd && nc < MAX_IMPU_CANDIDATES; nd = nd->next)
		if(nd->hash == h && eq(nd->data, nd->impu_len, id, len)
				&& nd->mcx_len < sizeof(cand[0])) {
			memcpy(cand[nc], nd->data + nd->impu_len, nd->mcx_len);
			cand_len[nc++] = nd->mcx_len;
		}
	lock_release(&x->lock);
	for(i = 0; i < nc; i++)
		if(find_in_slot(
				   cand[i], cand_len[i], id, len, have_id, csk_id, now, out))
			return 1;
	return 0;
}

int mcsec_csk_store_remove(const char *id, int len)
{
	unsigned i;
	int n = 0;

	if(!store || len <= 0)
		return 0;
	/* by IMPU too: every slot is visited (RPC and de-REGISTER only) */
	for(i = 0; i < store->size; i++) {
		slot_t *s = &store->slots[i];
		csk_entry_t **pp;
		if(!s->first)
			continue;
		lock_get(&s->lock);
		for(pp = &s->first; *pp;) {
			csk_entry_t *e = *pp;
			if(eq(e_mcx(e), e->mcx_len, id, len)
					|| eq(e_impu(e), e->impu_len, id, len)) {
				*pp = e->next;
				entry_free(e);
				n++;
				continue;
			}
			pp = &e->next;
		}
		lock_release(&s->lock);
	}
	return n;
}

int mcsec_csk_store_walk(mcsec_csk_walk_f f, void *arg)
{
	unsigned i;
	mcsec_csk_binding_t b;
	int rc = 0;

	if(!store)
		return 0;
	for(i = 0; i < store->size && rc == 0; i++) {
		slot_t *s = &store->slots[i];
		csk_entry_t *e;
		if(!s->first)
			continue;
		lock_get(&s->lock);
		for(e = s->first; e && rc == 0; e = e->next) {
			entry_copy(e, &b, 0);
			rc = f(&b, arg);
		}
		lock_release(&s->lock);
	}
	return rc;
}

void mcsec_csk_store_expire(time_t now)
{
	unsigned i;

	if(!store)
		return;
	for(i = 0; i < store->size; i++) {
		slot_t *s = &store->slots[i];
		csk_entry_t **pp;
		replay_entry_t **rp;
		if(!s->first && !s->replay)
			continue;
		lock_get(&s->lock);
		for(pp = &s->first; *pp;) {
			csk_entry_t *e = *pp;
			if(e->expires <= now) {
				*pp = e->next;
				entry_free(e);
				continue;
			}
			pp = &e->next;
		}
		for(rp = &s->replay; *rp;) {
			replay_entry_t *r = *rp;
			if(r->expires <= now) {
				*rp = r->next;
				replay_free(r);
				continue;
			}
			rp = &r->next;
		}
		lock_release(&s->lock);
	}
}

int mcsec_replay_add(const uint8_t key[32], time_t expires, time_t now)
{
	unsigned h;
	slot_t *s;
	replay_entry_t *r, *n;

	if(!store)
		return -2;
	memcpy(&h, key, sizeof(h)); /* a SHA-256 output: already uniform */
	s = &store->slots[h & (store->size - 1)];
	n = NULL;
	if(atomic_get(&store->replay_entries) < mcsec_replay_max) {
		n = shm_malloc(sizeof(*n));
		if(n) {
			memcpy(n->key, key, 32);
			n->expires = expires;
			atomic_inc(&store->replay_entries);
		}
	}
	lock_get(&s->lock);
	for(r = s->replay; r; r = r->next)
		if(r->expires > now && !memcmp(r->key, key, 32)) {
			lock_release(&s->lock);
			if(n)
				replay_free(n);
			return -1;
		}
	if(!n) {
		lock_release(&s->lock);
		return -2; /* fail closed: a full table accepts nothing new */
	}
	n->next = s->replay;
	s->replay = n;
	lock_release(&s->lock);
	return 0;
}

int mcsec_replay_seen(const uint8_t key[32], time_t now)
{
	unsigned h;
	slot_t *s;
	replay_entry_t *r;
	int seen = 0;

	if(!store)
		return 0;
	memcpy(&h, key, sizeof(h));
	s = &store->slots[h & (store->size - 1)];
	lock_get(&s->lock);
	for(r = s->replay; r; r = r->next)
		if(r->expires > now && !memcmp(r->key, key, 32)) {
			seen = 1;
			break;
		}
	lock_release(&s->lock);
	return seen;
}

void mcsec_csk_store_stats(mcsec_csk_store_stats_t *st)
{
	memset(st, 0, sizeof(*st));
	if(!store)
		return;
	st->entries = atomic_get(&store->entries);
	st->shm_used = atomic_get(&store->shm_used);
	st->replay_entries = atomic_get(&store->replay_entries);
}
