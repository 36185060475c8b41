/*
 * mcsec - Kamailio module: 3GPP TS 33.180 Annex I Client/Interconnection Signalling Proxy
 *
 * Module exports, parameters and life cycle. The protocol and crypto work lives in
 * libmcsec (lib/, no Kamailio headers); this file stays thin.
 *
 * Implemented: parameters identity/kms_cert/key_set (loaded into the key store in
 * mod_init, before fork), mcsec_is_identity(uri), the CSK upload (mcsec_upload.c,
 * mcsec_csk_store.c), $mcsec(...) (mcsec_pv.c), RPCs (mcsec_rpc.c). Later issues add
 * XML protection towards clients, SRTCP, KRR, key download, ...
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/mod_fix.h"
#include "core/kemi.h"
#include "core/ut.h"
#include "core/parser/parse_uri.h"
#include "core/pt.h"
#include "core/pvar.h"
#include "core/timer.h"

#include "mcsec_csk_store.h"
#include "mcsec_handoff.h"
#include "mcsec_kms.h"
#include "mcsec_mod.h"
#include "mcsec_protect.h"

MODULE_VERSION

mcsec_strlist_t mcsec_identities = {0};
mcsec_strlist_t mcsec_kms_certs = {0};
mcsec_strlist_t mcsec_key_sets = {0};
mcsec_counters_t *mcsec_counters = NULL;
time_t mcsec_started = 0;
str mcsec_xml_policy_path = {0, 0};
str mcsec_kms_policy_path = {0, 0};
str mcsec_krr_key_path = {0, 0};
str mcsec_krr_cert_path = {0, 0};
int mcsec_raw_xpk = 0;
int mcsec_csk_lifetime = 3600;
int mcsec_window = 300;
int mcsec_mcx_id_source = MCSEC_SRC_PAI;
char *mcsec_mcx_id_elem = NULL;
static int mcsec_csk_table_size = 10;
static int mcsec_expire_interval = 10;
static int mcsec_async_nice = 10;
/* scheduling policy of the async task workers (modparam async_sched) */
#define MCSEC_SCHED_OTHER 0 /* SCHED_OTHER with async_nice */
#define MCSEC_SCHED_BATCH 1 /* SCHED_BATCH with async_nice */
#define MCSEC_SCHED_IDLE 2	/* SCHED_IDLE: preempted at once by SIP workers */
static int mcsec_async_sched = MCSEC_SCHED_OTHER;
/* Linux policy numbers (<sched.h> names them only with _GNU_SOURCE) */
#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif

static int mod_init(void);
static int child_init(int rank);
static void mod_destroy(void);
static int mcsec_param_identity(modparam_t type, void *val);
static int mcsec_param_kms_cert(modparam_t type, void *val);
static int mcsec_param_key_set(modparam_t type, void *val);
static int w_mcsec_is_identity(sip_msg_t *msg, char *puri, char *p2);
static int w_mcsec_csk_upload(sip_msg_t *msg, char *p1, char *p2);
static int w_mcsec_csk_upload_cached(sip_msg_t *msg, char *p1, char *p2);
static int mcsec_param_mcx_id_source(modparam_t type, void *val);
static int mcsec_param_async_sched(modparam_t type, void *val);
int mcsec_pv_parse_name(pv_spec_t *sp, str *in);
int mcsec_pv_get(sip_msg_t *msg, pv_param_t *param, pv_value_t *res);

/* clang-format off */
static cmd_export_t cmds[] = {
	{"mcsec_is_identity", (cmd_function)w_mcsec_is_identity, 1,
		fixup_spve_null, fixup_free_spve_null, ANY_ROUTE},
	{"mcsec_csk_upload", (cmd_function)w_mcsec_csk_upload, 0,
		0, 0, REQUEST_ROUTE},
	{"mcsec_csk_upload", (cmd_function)w_mcsec_csk_upload, 1,
		fixup_spve_null, fixup_free_spve_null, REQUEST_ROUTE},
	{"mcsec_csk_upload_cached", (cmd_function)w_mcsec_csk_upload_cached, 0,
		0, 0, REQUEST_ROUTE},
	{"mcsec_csk_upload_cached", (cmd_function)w_mcsec_csk_upload_cached, 1,
		fixup_spve_null, fixup_free_spve_null, REQUEST_ROUTE},
	MCSEC_PROTECT_CMDS
	MCSEC_KMS_CMDS
	MCSEC_HANDOFF_CMDS
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"identity", PARAM_STRING | PARAM_USE_FUNC, (void *)mcsec_param_identity},
	{"kms_cert", PARAM_STRING | PARAM_USE_FUNC, (void *)mcsec_param_kms_cert},
	{"key_set",  PARAM_STRING | PARAM_USE_FUNC, (void *)mcsec_param_key_set},
	{"csk_table_size", PARAM_INT, &mcsec_csk_table_size},
	{"csk_lifetime", PARAM_INT, &mcsec_csk_lifetime},
	{"freshness_window", PARAM_INT, &mcsec_window},
	{"replay_max", PARAM_INT, &mcsec_replay_max},
	{"expire_interval", PARAM_INT, &mcsec_expire_interval},
	{"raw_xpk", PARAM_INT, &mcsec_raw_xpk},
	{"async_nice", PARAM_INT, &mcsec_async_nice},
	{"async_sched", PARAM_STRING | PARAM_USE_FUNC, (void *)mcsec_param_async_sched},
	{"xml_policy", PARAM_STR, &mcsec_xml_policy_path},
	{"kms_policy", PARAM_STR, &mcsec_kms_policy_path},
	{"krr_key", PARAM_STR, &mcsec_krr_key_path},
	{"krr_cert", PARAM_STR, &mcsec_krr_cert_path},
	{"mcx_id_source", PARAM_STRING | PARAM_USE_FUNC, (void *)mcsec_param_mcx_id_source},
	MCSEC_PROTECT_PARAMS
	MCSEC_KMS_PARAMS
	{0, 0, 0}
};

static pv_export_t mod_pvs[] = {
	{ {"mcsec", sizeof("mcsec") - 1}, PVT_OTHER, mcsec_pv_get, 0,
		mcsec_pv_parse_name, 0, 0, 0 },
	{ {0, 0}, 0, 0, 0, 0, 0, 0, 0 }
};

struct module_exports exports = {
	"mcsec",         /* module name */
	DEFAULT_DLFLAGS, /* dlopen flags */
	cmds,            /* cfg functions */
	params,          /* module parameters */
	0,               /* RPC (registered in mod_init) */
	mod_pvs,         /* pseudo-variables */
	0,               /* response handling function */
	mod_init,        /* module init function */
	child_init,      /* per-child init function */
	mod_destroy      /* module destroy function */
};
/* clang-format on */

/* append a copy of a parameter value (pkg memory of the main process) */
static int mcsec_strlist_add(
		mcsec_strlist_t *l, const char *name, const char *val)
{
	str *n;
	int len;

	if(val == NULL || (len = strlen(val)) == 0) {
		LM_ERR("empty value for parameter %s\n", name);
		return -1;
	}
	if(l->n == l->size) {
		int size = l->size ? 2 * l->size : 4;
		n = pkg_realloc(l->items, size * sizeof(str));
		if(n == NULL) {
			PKG_MEM_ERROR;
			return -1;
		}
		l->items = n;
		l->size = size;
	}
	n = &l->items[l->n];
	n->s = pkg_malloc(len + 1);
	if(n->s == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	memcpy(n->s, val, len + 1);
	n->len = len;
	l->n++;
	return 0;
}

static void mcsec_strlist_free(mcsec_strlist_t *l)
{
	int i;

	for(i = 0; i < l->n; i++)
		pkg_free(l->items[i].s);
	if(l->items)
		pkg_free(l->items);
	memset(l, 0, sizeof(*l));
}

static int mcsec_param_identity(modparam_t type, void *val)
{
	struct sip_uri puri;
	str s;

	if(val == NULL)
		return -1;
	s.s = (char *)val;
	s.len = strlen(s.s);
	if(parse_uri(s.s, s.len, &puri) < 0 || puri.host.len == 0) {
		LM_ERR("identity [%.*s] is not a SIP URI\n", s.len, s.s);
		return -1;
	}
	return mcsec_strlist_add(&mcsec_identities, "identity", (char *)val);
}

static int mcsec_param_mcx_id_source(modparam_t type, void *val)
{
	const char *v = (const char *)val;

	if(mcsec_mcx_id_elem) {
		pkg_free(mcsec_mcx_id_elem);
		mcsec_mcx_id_elem = NULL;
	}
	if(v && !strcasecmp(v, "pai"))
		mcsec_mcx_id_source = MCSEC_SRC_PAI;
	else if(v && !strcasecmp(v, "from"))
		mcsec_mcx_id_source = MCSEC_SRC_FROM;
	else if(v && !strcasecmp(v, "xml"))
		mcsec_mcx_id_source = MCSEC_SRC_XML; /* <mc*-request-uri> */
	else if(v && !strncasecmp(v, "xml:", 4) && v[4] != '\0') {
		/* an element local name (XML NCName characters only) */
		size_t i, n = strlen(v + 4);
		for(i = 0; i < n; i++) {
			char c = v[4 + i];
			if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
					   || (i > 0
							   && ((c >= '0' && c <= '9') || c == '-'
									   || c == '.'))))
				break;
		}
		if(i != n || n > 64) {
			LM_ERR("mcx_id_source [%s]: not an XML element name\n", v);
			return -1;
		}
		mcsec_mcx_id_elem = pkg_malloc(n + 1);
		if(!mcsec_mcx_id_elem) {
			PKG_MEM_ERROR;
			return -1;
		}
		memcpy(mcsec_mcx_id_elem, v + 4, n + 1);
		mcsec_mcx_id_source = MCSEC_SRC_XML;
	} else {
		LM_ERR("mcx_id_source [%s]: use pai, from, xml or xml:<element> (or "
			   "pass the candidate to mcsec_csk_upload())\n",
				v ? v : "");
		return -1;
	}
	return 0;
}

static int mcsec_param_async_sched(modparam_t type, void *val)
{
	const char *v = (const char *)val;

	if(v && (!strcasecmp(v, "other") || !strcasecmp(v, "normal")))
		mcsec_async_sched = MCSEC_SCHED_OTHER;
	else if(v && !strcasecmp(v, "batch"))
		mcsec_async_sched = MCSEC_SCHED_BATCH;
	else if(v && !strcasecmp(v, "idle"))
		mcsec_async_sched = MCSEC_SCHED_IDLE;
	else {
		LM_ERR("async_sched [%s]: use other, batch or idle\n", v ? v : "");
		return -1;
	}
	return 0;
}

static int mcsec_param_kms_cert(modparam_t type, void *val)
{
	return mcsec_strlist_add(&mcsec_kms_certs, "kms_cert", (char *)val);
}

static int mcsec_param_key_set(modparam_t type, void *val)
{
	return mcsec_strlist_add(&mcsec_key_sets, "key_set", (char *)val);
}

/* every configured path must exist and be a readable file or directory */
static int mcsec_check_paths(const char *name, mcsec_strlist_t *l)
{
	struct stat st;
	int i;

	for(i = 0; i < l->n; i++) {
		const char *p = l->items[i].s;
		if(stat(p, &st) < 0) {
			LM_ERR("%s [%s]: %s\n", name, p, strerror(errno));
			return -1;
		}
		if(!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			LM_ERR("%s [%s]: neither a file nor a directory\n", name, p);
			return -1;
		}
		if(access(p, S_ISDIR(st.st_mode) ? (R_OK | X_OK) : R_OK) < 0) {
			LM_ERR("%s [%s]: %s\n", name, p, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void mcsec_expire_timer(unsigned int ticks, void *param)
{
	mcsec_csk_store_expire(time(NULL));
}

static int mod_init(void)
{
	if(mcsec_check_paths("kms_cert", &mcsec_kms_certs) < 0
			|| mcsec_check_paths("key_set", &mcsec_key_sets) < 0)
		return -1;

	mcsec_counters = shm_malloc(sizeof(*mcsec_counters));
	if(mcsec_counters == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(mcsec_counters, 0, sizeof(*mcsec_counters));
	atomic_set(&mcsec_counters->identity_checks, 0);
	atomic_set(&mcsec_counters->identity_matches, 0);

	if(mcsec_rpc_register() < 0)
		return -1;
	if(mcsec_csk_lifetime <= 0 || mcsec_window <= 0
			|| mcsec_expire_interval <= 0 || mcsec_replay_max <= 0) {
		LM_ERR("csk_lifetime, freshness_window, expire_interval and replay_max "
			   "must be positive\n");
		return -1;
	}
	if(mcsec_csk_store_init((unsigned)mcsec_csk_table_size) < 0)
		return -1;
	if(mcsec_upload_init() < 0)
		return -1;
	if(mcsec_protect_init() < 0)
		return -1;
	if(mcsec_handoff_init() < 0)
		return -1;
	if(register_timer(mcsec_expire_timer, 0, mcsec_expire_interval) < 0) {
		LM_ERR("cannot register the expiry timer\n");
		return -1;
	}

	mcsec_started = time(NULL);
	LM_INFO("mcsec %s: %d identities, %d kms_cert paths, %d key_set paths\n",
			MCSEC_MOD_VERSION, mcsec_identities.n, mcsec_kms_certs.n,
			mcsec_key_sets.n);
	return 0;
}

/* 1 once this process is known to be an async task worker with its policy set */
static int async_sched_done = 0;

/* The CSK upload crypto runs in the core's async task workers: they yield the CPU
 * to the SIP workers (modparams async_sched, async_nice), so signalling keeps
 * flowing while uploads saturate the workers.  Called from child_init and again
 * from each fresh upload: the core's fork_process() writes the process
 * description (how an async worker is recognised) only after the child may have
 * run child_init, so the first call can miss it. */
void mcsec_async_sched_apply(void)
{
	struct sched_param sp;
	int pol;

	if(async_sched_done || process_no < 0 || pt == NULL
			|| pt[process_no].pid != getpid()
			|| strstr(pt[process_no].desc, "Async Task Worker") == NULL)
		return;
	async_sched_done = 1;
	if(mcsec_async_sched != MCSEC_SCHED_OTHER) {
		/* SCHED_IDLE: any runnable SIP worker preempts the worker at once;
		 * SCHED_BATCH: no wakeup preemption of others by this worker */
		pol = mcsec_async_sched == MCSEC_SCHED_IDLE ? SCHED_IDLE : SCHED_BATCH;
		memset(&sp, 0, sizeof(sp));
		if(sched_setscheduler(0, pol, &sp) < 0)
			LM_WARN("async worker: sched_setscheduler(%s): %s\n",
					pol == SCHED_IDLE ? "SCHED_IDLE" : "SCHED_BATCH",
					strerror(errno));
	}
	if(mcsec_async_nice > 0 && mcsec_async_sched != MCSEC_SCHED_IDLE) {
		errno = 0;
		if(setpriority(PRIO_PROCESS, 0, mcsec_async_nice) < 0)
			LM_WARN("async worker: setpriority(%d): %s\n", mcsec_async_nice,
					strerror(errno));
	}
}

static int child_init(int rank)
{
	if(rank == PROC_RPC)
		mcsec_async_sched_apply();
	return 0;
}

static void mod_destroy(void)
{
	mcsec_protect_destroy();
	mcsec_handoff_destroy();
	mcsec_upload_destroy();
	mcsec_csk_store_destroy();
	if(mcsec_counters) {
		shm_free(mcsec_counters);
		mcsec_counters = NULL;
	}
	mcsec_strlist_free(&mcsec_identities);
	mcsec_strlist_free(&mcsec_kms_certs);
	mcsec_strlist_free(&mcsec_key_sets);
	if(mcsec_mcx_id_elem) {
		pkg_free(mcsec_mcx_id_elem);
		mcsec_mcx_id_elem = NULL;
	}
}

/* SIP URI equality for our purpose: scheme, user (case-sensitive), host
 * (case-insensitive) and port must match; parameters and headers are ignored */
static int mcsec_uri_eq(struct sip_uri *a, struct sip_uri *b)
{
	if(a->type != b->type)
		return 0;
	if(a->user.len != b->user.len
			|| (a->user.len && memcmp(a->user.s, b->user.s, a->user.len)))
		return 0;
	if(a->host.len != b->host.len
			|| strncasecmp(a->host.s, b->host.s, a->host.len))
		return 0;
	return a->port_no == b->port_no;
}

/* 1 when uri is one of the configured identities, -1 otherwise (or on error) */
static int ki_mcsec_is_identity(sip_msg_t *msg, str *uri)
{
	struct sip_uri pu, pi;
	int i;

	if(uri == NULL || uri->s == NULL || uri->len <= 0)
		return -1;
	atomic_inc(&mcsec_counters->identity_checks);
	if(parse_uri(uri->s, uri->len, &pu) < 0) {
		LM_DBG("not a SIP URI: [%.*s]\n", uri->len, uri->s);
		return -1;
	}
	for(i = 0; i < mcsec_identities.n; i++) {
		if(parse_uri(mcsec_identities.items[i].s, mcsec_identities.items[i].len,
				   &pi)
				< 0)
			continue;
		if(mcsec_uri_eq(&pu, &pi)) {
			atomic_inc(&mcsec_counters->identity_matches);
			return 1;
		}
	}
	return -1;
}

static int w_mcsec_is_identity(sip_msg_t *msg, char *puri, char *p2)
{
	str uri;

	if(fixup_get_svalue(msg, (gparam_t *)puri, &uri) < 0) {
		LM_ERR("cannot get the uri parameter\n");
		return -1;
	}
	return ki_mcsec_is_identity(msg, &uri);
}

static int ki_mcsec_csk_upload(sip_msg_t *msg)
{
	return mcsec_csk_upload_run(msg, 0, NULL);
}

static int ki_mcsec_csk_upload_id(sip_msg_t *msg, str *candidate)
{
	return mcsec_csk_upload_run(msg, 0, candidate);
}

static int ki_mcsec_csk_upload_cached(sip_msg_t *msg)
{
	return mcsec_csk_upload_run(msg, 1, NULL);
}

static int ki_mcsec_csk_upload_cached_id(sip_msg_t *msg, str *candidate)
{
	return mcsec_csk_upload_run(msg, 1, candidate);
}

static int w_csk_upload(sip_msg_t *msg, char *p1, int cached)
{
	str cand;

	if(p1 == NULL)
		return mcsec_csk_upload_run(msg, cached, NULL);
	if(fixup_get_svalue(msg, (gparam_t *)p1, &cand) < 0) {
		LM_ERR("cannot get the MC service ID candidate\n");
		return -5;
	}
	return mcsec_csk_upload_run(msg, cached, &cand);
}

static int w_mcsec_csk_upload(sip_msg_t *msg, char *p1, char *p2)
{
	return w_csk_upload(msg, p1, 0);
}

static int w_mcsec_csk_upload_cached(sip_msg_t *msg, char *p1, char *p2)
{
	return w_csk_upload(msg, p1, 1);
}

/* clang-format off */
static sr_kemi_t sr_kemi_mcsec_exports[] = {
	{ str_init("mcsec"), str_init("mcsec_is_identity"),
		SR_KEMIP_INT, ki_mcsec_is_identity,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},

	{ str_init("mcsec"), str_init("mcsec_csk_upload"),
		SR_KEMIP_INT, ki_mcsec_csk_upload,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("mcsec"), str_init("mcsec_csk_upload_id"),
		SR_KEMIP_INT, ki_mcsec_csk_upload_id,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("mcsec"), str_init("mcsec_csk_upload_cached"),
		SR_KEMIP_INT, ki_mcsec_csk_upload_cached,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("mcsec"), str_init("mcsec_csk_upload_cached_id"),
		SR_KEMIP_INT, ki_mcsec_csk_upload_cached_id,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	MCSEC_PROTECT_KEMI
	MCSEC_KMS_KEMI
	MCSEC_HANDOFF_KEMI

	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	/* no OpenSSL/xmlsec calls here: tls redirects OpenSSL's allocator in its own
	 * mod_register and must run first */
	sr_kemi_modules_add(sr_kemi_mcsec_exports);
	return 0;
}
