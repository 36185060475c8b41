/*
 * mcsec - Kamailio module: RPC commands (mcsec.*)
 */
#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/ver.h"

#include "encoding.h"
#include "mcsec_csk_store.h"
#include "mcsec_err.h"
#include "mcsec_handoff.h"
#include "mcsec_kms.h"
#include "mcsec_mod.h"
#include "mcsec_protect.h"

static const char *mcsec_rpc_status_doc[] = {
		"Module version, configuration counts and counters", 0};

static void mcsec_rpc_status(rpc_t *rpc, void *ctx)
{
	void *th;
	time_t now = time(NULL);

	if(rpc->add(ctx, "{", &th) < 0) {
		rpc->fault(ctx, 500, "Internal error creating the reply");
		return;
	}
	if(rpc->struct_add(th, "ssddddddd", "version", MCSEC_MOD_VERSION,
			   "kamailio", full_version, "identities", mcsec_identities.n,
			   "kms_cert_paths", mcsec_kms_certs.n, "key_set_paths",
			   mcsec_key_sets.n, "uptime", (int)(now - mcsec_started),
			   "started", (int)mcsec_started, "identity_checks",
			   mcsec_counters ? atomic_get(&mcsec_counters->identity_checks)
							  : 0,
			   "identity_matches",
			   mcsec_counters ? atomic_get(&mcsec_counters->identity_matches)
							  : 0)
			< 0) {
		rpc->fault(ctx, 500, "Internal error filling the reply");
		return;
	}
}

/* one binding as an RPC struct: never the CSK */
static int add_binding(rpc_t *rpc, void *ctx, const mcsec_csk_binding_t *b)
{
	void *th;
	char id[9], rand[2 * MCSEC_CSK_RAND_MAX + 1], dg[2 * MCSEC_CSK_DIGEST + 1];
	uint8_t ib[4] = {(uint8_t)(b->csk_id >> 24), (uint8_t)(b->csk_id >> 16),
			(uint8_t)(b->csk_id >> 8), (uint8_t)b->csk_id};

	mcsec_hex_encode(ib, 4, id);
	mcsec_hex_encode(b->rand, b->rand_len, rand);
	mcsec_hex_encode(b->digest, MCSEC_CSK_DIGEST, dg);
	if(rpc->add(ctx, "{", &th) < 0)
		return -1;
	return rpc->struct_add(th, "ssssssddddd", "mcx_id", b->mcx_id, "impu",
			b->impu, "proxy_id", b->proxy_id, "kms_uri", b->kms_uri, "csk_id",
			id, "rand", rand, "key_period", (int)b->period_no, "created",
			(int)b->created, "expires", (int)b->expires, "ttl",
			(int)(b->expires - time(NULL)), "refreshes", (int)b->hits);
}

typedef struct walk_ctx
{
	rpc_t *rpc;
	void *ctx;
	str id; /* filter: mcx_id or impu; empty = all */
	int n;
} walk_ctx_t;

static int walk_add(const mcsec_csk_binding_t *b, void *arg)
{
	walk_ctx_t *w = arg;
	if(w->id.len > 0
			&& !((strlen(b->mcx_id) == (size_t)w->id.len
						 && !strncmp(b->mcx_id, w->id.s, w->id.len))
					|| (strlen(b->impu) == (size_t)w->id.len
							&& !strncmp(b->impu, w->id.s, w->id.len))))
		return 0;
	w->n++;
	return add_binding(w->rpc, w->ctx, b) < 0 ? -1 : 0;
}

static const char *mcsec_rpc_clients_doc[] = {
		"List the CSK bindings (MC service ID, IMPU, proxy identity, CSK-ID; "
		"never key bytes)",
		0};

static void mcsec_rpc_clients(rpc_t *rpc, void *ctx)
{
	walk_ctx_t w = {rpc, ctx, {0, 0}, 0};
	if(mcsec_csk_store_walk(walk_add, &w) < 0)
		rpc->fault(ctx, 500, "Internal error filling the reply");
}

static const char *mcsec_rpc_client_doc[] = {
		"The CSK binding(s) of one client: mcsec.client <mcx-id or impu>", 0};

static void mcsec_rpc_client(rpc_t *rpc, void *ctx)
{
	walk_ctx_t w = {rpc, ctx, {0, 0}, 0};
	if(rpc->scan(ctx, "S", &w.id) < 1 || w.id.len <= 0) {
		rpc->fault(ctx, 400, "MC service ID or IMPU expected");
		return;
	}
	if(mcsec_csk_store_walk(walk_add, &w) < 0) {
		rpc->fault(ctx, 500, "Internal error filling the reply");
		return;
	}
	if(w.n == 0)
		rpc->fault(ctx, 404, "No such client");
}

static const char *mcsec_rpc_revoke_doc[] = {
		"Remove (and wipe) the CSK binding(s) of a client: mcsec.revoke "
		"<mcx-id or impu>",
		0};

static void mcsec_rpc_revoke(rpc_t *rpc, void *ctx)
{
	str id;
	int n;
	void *th;

	if(rpc->scan(ctx, "S", &id) < 1 || id.len <= 0) {
		rpc->fault(ctx, 400, "MC service ID or IMPU expected");
		return;
	}
	n = mcsec_csk_store_remove(id.s, id.len);
	if(n == 0) {
		rpc->fault(ctx, 404, "No such client");
		return;
	}
	atomic_add(&mcsec_counters->revoked, n);
	if(rpc->add(ctx, "{", &th) < 0
			|| rpc->struct_add(th, "d", "removed", n) < 0)
		rpc->fault(ctx, 500, "Internal error filling the reply");
}

static const char *mcsec_rpc_stats_doc[] = {
		"CSK upload counters: ok, failed by reason, cache hits, entries, shm "
		"used",
		0};

static void mcsec_rpc_stats(rpc_t *rpc, void *ctx)
{
	void *th, *fh;
	mcsec_csk_store_stats_t st;
	mcsec_counters_t *c = mcsec_counters;
	int i;

	mcsec_csk_store_stats(&st);
	if(rpc->add(ctx, "{", &th) < 0) {
		rpc->fault(ctx, 500, "Internal error creating the reply");
		return;
	}
	if(rpc->struct_add(th, "dddddddddddd", "uploads_ok",
			   atomic_get(&c->uploads_ok), "uploads_failed",
			   atomic_get(&c->uploads_failed), "decapsulations",
			   atomic_get(&c->decapsulations), "cache_hits",
			   atomic_get(&c->cache_hits), "deregistrations",
			   atomic_get(&c->deregistrations), "revoked",
			   atomic_get(&c->revoked), "dual_bindings",
			   atomic_get(&c->dual_bindings), "passthrough",
			   atomic_get(&c->passthrough), "entries", (int)st.entries,
			   "shm_used", (int)st.shm_used, "replay_entries",
			   (int)st.replay_entries, "key_sets", (int)mcsec_upload_nkeysets())
					< 0
			|| rpc->struct_add(th, "{", "failed", &fh) < 0) {
		rpc->fault(ctx, 500, "Internal error filling the reply");
		return;
	}
	for(i = 1; i < MCSEC_NERR; i++) {
		int v = atomic_get(&c->failed_by[i]);
		if(v > 0 && rpc->struct_add(fh, "d", mcsec_strerror(-i), v) < 0)
			return;
	}
	if(mcsec_protect_rpc_stats(rpc, th) < 0 || mcsec_kms_rpc_stats(rpc, th) < 0
			|| mcsec_handoff_rpc_stats(rpc, th) < 0)
		rpc->fault(ctx, 500, "Internal error filling the reply");
}

static rpc_export_t mcsec_rpc_cmds[] = {
		{"mcsec.status", mcsec_rpc_status, mcsec_rpc_status_doc, 0},
		{"mcsec.clients", mcsec_rpc_clients, mcsec_rpc_clients_doc, RET_ARRAY},
		{"mcsec.client", mcsec_rpc_client, mcsec_rpc_client_doc, RET_ARRAY},
		{"mcsec.revoke", mcsec_rpc_revoke, mcsec_rpc_revoke_doc, 0},
		{"mcsec.stats", mcsec_rpc_stats, mcsec_rpc_stats_doc, 0}, {0, 0, 0, 0}};

int mcsec_rpc_register(void)
{
	if(rpc_register_array(mcsec_rpc_cmds) != 0) {
		LM_ERR("failed to register the RPC commands\n");
		return -1;
	}
	return 0;
}
