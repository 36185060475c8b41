/*
 * mcsec - Kamailio module: 3GPP TS 33.180 Annex I Client/Interconnection Signalling Proxy
 *
 * Shared state of the Kamailio glue (module parameters and counters).
 */
#ifndef MCSEC_MOD_H
#define MCSEC_MOD_H

#include <stdint.h>
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

#define MCSEC_NERR 19 /* -MCSEC_ERR_MIN + 1: failures counted per code */

/* shared counters (shm), real values only */
typedef struct mcsec_counters
{
	atomic_t identity_checks;		/* mcsec_is_identity() calls */
	atomic_t identity_matches;		/* ... that matched a configured identity */
	atomic_t uploads_ok;			/* CSK uploads accepted (fresh + refresh) */
	atomic_t uploads_failed;		/* ... refused (replied by the module) */
	atomic_t failed_by[MCSEC_NERR]; /* by -mcsec_err_t */
	atomic_t decapsulations;		/* fresh uploads: ECCSI + SAKKE done */
	atomic_t cache_hits;			/* refreshes recognised by digest */
	atomic_t deregistrations;		/* bindings removed by de-REGISTER */
	atomic_t revoked;				/* bindings removed by mcsec.revoke */
	atomic_t dual_bindings;			/* I.3.5: client bound via a 2nd identity */
	atomic_t passthrough;			/* bodies without a MIKEY part */
	/* CPU time (thread clock) of fresh uploads in the process doing them
	 * (mcsec.upload_cpu): the verify + extract call alone, and the whole
	 * mcsec_csk_upload() call around it; 64-bit, __atomic builtins */
	uint64_t crypto_n;
	uint64_t crypto_ns;
	uint64_t fresh_ns;
} mcsec_counters_t;

/* script-visible results of the last mcsec_csk_upload() in this process
 * ($mcsec(...)); valid for the message msg_id/msg_pid only */
typedef struct mcsec_upload_pv
{
	unsigned int msg_id;
	int msg_pid;
	int err_code;
	char err_reason[96];
	char mcx_id[256];
	char csk_id[9];
	char impu[256];
} mcsec_upload_pv_t;

#define MCSEC_SRC_PAI 0	 /* P-Asserted-Identity, else From */
#define MCSEC_SRC_FROM 1 /* From */
#define MCSEC_SRC_XML 2	 /* a clear element of the MC info body */

extern mcsec_strlist_t mcsec_identities; /* modparam identity (MDSI URIs) */
extern mcsec_strlist_t
		mcsec_kms_certs; /* modparam kms_cert (files or directories) */
extern mcsec_strlist_t
		mcsec_key_sets; /* modparam key_set (files or directories) */
extern mcsec_counters_t *mcsec_counters;
extern time_t mcsec_started;
extern str mcsec_xml_policy_path; /* modparam xml_policy */
extern str mcsec_kms_policy_path; /* modparam kms_policy */
extern str mcsec_krr_key_path;	  /* modparam krr_key (PEM) */
extern str mcsec_krr_cert_path;	  /* modparam krr_cert (PEM) */
extern int mcsec_raw_xpk;		  /* modparam raw_xpk */
extern int mcsec_csk_lifetime;	  /* modparam csk_lifetime (s) */
extern int mcsec_window;		  /* modparam freshness_window (s) */
extern int mcsec_mcx_id_source;	  /* modparam mcx_id_source */
extern char *mcsec_mcx_id_elem;	  /* "xml:<element>" of it; NULL = default */
extern int mcsec_replay_max;	  /* modparam replay_max */
extern mcsec_upload_pv_t mcsec_upload_pv;

int mcsec_rpc_register(void);

struct sip_msg;
int mcsec_upload_init(void);
void mcsec_upload_destroy(void);
struct mcsec_xml_policy;
/* the XML protection policy (modparam xml_policy, else the built-in one) */
const struct mcsec_xml_policy *mcsec_upload_xml_policy(void);
size_t mcsec_upload_ncerts(void);
size_t mcsec_upload_nkeysets(void);
int mcsec_csk_upload_run(struct sip_msg *msg, int cached_only, str *candidate);
/* scheduling of an async task worker (modparams async_sched, async_nice);
 * no-op elsewhere and after the first effective call */
void mcsec_async_sched_apply(void);

#endif
