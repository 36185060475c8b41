/*
 * mcsec - Kamailio module: 3GPP TS 33.180 Annex I Client/Interconnection Signalling Proxy
 *
 * Shared state of the Kamailio glue (module parameters and counters).
 */
#ifndef MCSEC_MOD_H
#define MCSEC_MOD_H

#include <time.h>

#include "core/str.h"
#include "core/atomic_ops.h"

#define MCSEC_MOD_VERSION "0.1.0"

/* a repeatable string module parameter (values kept in pkg memory of the main process,
 * inherited by every child at fork) */
typedef struct mcsec_strlist
{
	str *items;
	int n;
	int size;
} mcsec_strlist_t;

/* shared counters (shm), real values only */
typedef struct mcsec_counters
{
	atomic_t identity_checks;  /* mcsec_is_identity() calls */
	atomic_t identity_matches; /* ... that matched a configured identity */
} mcsec_counters_t;

extern mcsec_strlist_t mcsec_identities; /* modparam identity (MDSI URIs) */
extern mcsec_strlist_t
		mcsec_kms_certs; /* modparam kms_cert (files or directories) */
extern mcsec_strlist_t
		mcsec_key_sets; /* modparam key_set (files or directories) */
extern mcsec_counters_t *mcsec_counters;
extern time_t mcsec_started;

int mcsec_rpc_register(void);

#endif
