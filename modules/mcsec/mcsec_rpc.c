/*
 * mcsec - Kamailio module: RPC commands (mcsec.*)
 */
#include <time.h>

#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/ver.h"

#include "mcsec_mod.h"

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

static rpc_export_t mcsec_rpc_cmds[] = {
		{"mcsec.status", mcsec_rpc_status, mcsec_rpc_status_doc, 0},
		{0, 0, 0, 0}};

int mcsec_rpc_register(void)
{
	if(rpc_register_array(mcsec_rpc_cmds) != 0) {
		LM_ERR("failed to register the RPC commands\n");
		return -1;
	}
	return 0;
}
