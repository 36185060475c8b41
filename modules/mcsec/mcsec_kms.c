/*
 * mcsec - Kamailio module: KMS acceptance at the edge (TS 33.180 5.2.7,
 * 5.2.8, D.4, I.3.8).
 *
 *   mcsec_check_kms(role)    5.2.8.2.3: every MIKEY I_MESSAGE crossing the
 *                            edge in a request (application/mikey bodies
 *                            and parts: CSK upload, GMK in group
 *                            notifications; a=key-mgmt:mikey lines of SDP
 *                            bodies and parts: PCK) is checked against the
 *                            KMS policy using IDRi/IDRkmsi/IDRr/IDRkmsr
 *                            only; an unacceptable one gets 488 + a signed
 *                            KMS Redirect Response (D.4) and the request is
 *                            not forwarded.
 *   mcsec_process_krr(role)  5.2.8.2.4: a 488 carrying a KRR with KMS URIs
 *                            unacceptable here gets a new KRR embedding the
 *                            received one (at most 5 levels); the received
 *                            signature is checked against krr_trust.
 *   mcsec.reload             re-reads kms_policy (validated first) and the
 *                            trust anchors; every process switches at its
 *                            next use (generation counter + policy text in
 *                            shm); CSKs are not touched.
 * The case-A check of the CSK upload (mcsec_kms_upload_check) shares the
 * policy, the signer and the counters.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/data_lump.h"
#include "core/data_lump_rpl.h"
#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/mod_fix.h"
#include "core/msg_translator.h"
#include "core/parser/msg_parser.h"
#include "core/parser/parse_content.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_to.h"
#include "core/rpc_lookup.h"
#include "core/tcp_options.h"
#include "modules/sl/sl.h"

#include "fileio.h"
#include "kms_policy.h"
#include "krr.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "mikey_body.h"
#include "mime_multipart.h"

#include "mcsec_kms.h"
#include "mcsec_mod.h"
#include "mcsec_sip.h"

/* role names of the cfg functions */
#define ROLE_CS_IN 1
#define ROLE_CS_OUT 2
#define ROLE_IS_IN 3
#define ROLE_IS_OUT 4

/* counters and the current policy text, shared by every process */
typedef struct mcsec_kms_shared
{
	gen_lock_t lock; /* text, text_len, generation */
	int generation;	 /* 1 at start, +1 per successful mcsec.reload */
	char *text;		 /* the policy file as validated (shm) */
	size_t text_len;
	atomic_t checks;		 /* mcsec_check_kms calls that saw MIKEY */
	atomic_t mikey_seen;	 /* I_MESSAGEs examined */
	atomic_t mikey_bad;		 /* 400: MIKEY that does not parse */
	atomic_t created[4];	 /* KRRs created, cases A-D (5.2.8.2.3) */
	atomic_t regenerated[4]; /* KRRs re-generated, cases A-D (5.2.8.2.4) */
	atomic_t too_deep;		 /* forwarded unchanged: no 6th level */
	atomic_t krr_received;	 /* 488s with a KRR seen by process_krr */
	atomic_t krr_forwarded;	 /* acceptable: forwarded unchanged */
	atomic_t rx_valid;		 /* signature valid and trusted */
	atomic_t rx_unsigned_accepted, rx_unsigned_rejected;
	atomic_t rx_untrusted_accepted, rx_untrusted_rejected;
	atomic_t rx_invalid_rejected; /* bad signature / not the D.4.2 profile */
	atomic_t rx_malformed;		  /* not a D.4.4 document: rejected */
	atomic_t reloads, reloads_failed;
} mcsec_kms_shared_t;

static mcsec_kms_shared_t *kms_sh = NULL;

/* per process: the parsed policy of generation kms_gen, the trust anchors */
static mcsec_kms_policy_t *mcsec_kmspol = NULL;
static int kms_gen = 0;
static mcsec_krr_trust_t *mcsec_krr_trust = NULL;
static size_t mcsec_ntrust = 0;
static mcsec_krr_signer_t *mcsec_krr_signer = NULL;
static sl_api_t slb;

/* modparam krr_trust (pkg memory of the main process, inherited) */
static char **krr_trust_paths = NULL;
static int krr_trust_n = 0;

static const char krr_ct_hdr[] = "Content-Type: " MCSEC_KRR_CONTENT_TYPE "\r\n";

int mcsec_kms_param_krr_trust(modparam_t type, void *val)
{
	char **n;
	const char *v = (const char *)val;
	size_t len;

	if(!v || !(len = strlen(v))) {
		LM_ERR("empty value for parameter krr_trust\n");
		return -1;
	}
	n = pkg_realloc(krr_trust_paths, (krr_trust_n + 1) * sizeof(char *));
	if(!n) {
		PKG_MEM_ERROR;
		return -1;
	}
	krr_trust_paths = n;
	n[krr_trust_n] = pkg_malloc(len + 1);
	if(!n[krr_trust_n]) {
		PKG_MEM_ERROR;
		return -1;
	}
	memcpy(n[krr_trust_n], v, len + 1);
	krr_trust_n++;
	return 0;
}

/* ---- trust anchors: files, or the *.pem / *.crt files of directories ---- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void files_free(char **f, size_t n)
{
	for(size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
}

static int files_add(char ***f, size_t *n, size_t *cap, const char *p)
{
	if(*n == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		char **x = realloc(*f, c * sizeof(char *));
		if(!x)
			return -1;
		*f = x;
		*cap = c;
	}
	if(!((*f)[*n] = strdup(p)))
		return -1;
	(*n)++;
	return 0;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && !strcasecmp(s + a - b, suf);
}

/* load the krr_trust anchors; *out NULL when none is configured; 0 or -1
 * with err filled */
static int trust_load(
		mcsec_krr_trust_t **out, size_t *nfiles, char *err, size_t errlen)
{
	char **f = NULL, path[4096];
	size_t n = 0, cap = 0;
	struct stat st;
	int rc;

	*out = NULL;
	*nfiles = 0;
	for(int i = 0; i < krr_trust_n; i++) {
		const char *p = krr_trust_paths[i];
		if(stat(p, &st) < 0) {
			snprintf(err, errlen, "krr_trust [%s]: not found", p);
			goto fail;
		}
		if(S_ISDIR(st.st_mode)) {
			DIR *d = opendir(p);
			struct dirent *de;
			size_t first = n;
			if(!d) {
				snprintf(err, errlen, "krr_trust [%s]: cannot read", p);
				goto fail;
			}
			while((de = readdir(d)) != NULL) {
				if(!has_suffix(de->d_name, ".pem")
						&& !has_suffix(de->d_name, ".crt"))
					continue;
				if(snprintf(path, sizeof(path), "%s/%s", p, de->d_name)
								>= (int)sizeof(path)
						|| stat(path, &st) < 0 || !S_ISREG(st.st_mode))
					continue;
				if(files_add(&f, &n, &cap, path) < 0) {
					closedir(d);
					snprintf(err, errlen, "out of memory");
					goto fail;
				}
			}
			closedir(d);
			qsort(f + first, n - first, sizeof(char *), name_cmp);
		} else if(files_add(&f, &n, &cap, p) < 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if(n == 0) {
		free(f);
		return 0;
	}
	rc = mcsec_krr_trust_load((const char *const *)f, n, out);
	if(rc != MCSEC_OK) {
		snprintf(err, errlen, "krr_trust: %s (a file is not a PEM certificate)",
				mcsec_strerror(rc));
		goto fail;
	}
	*nfiles = n;
	files_free(f, n);
	return 0;
fail:
	files_free(f, n);
	return -1;
}

/* ---- policy generations ---- */

/* switch this process to the current generation (policy text in shm and
 * the trust anchors) when mcsec.reload made a new one */
static void kms_sync(void)
{
	char *copy = NULL, err[512];
	size_t len = 0;
	int gen, line = 0, rc;
	mcsec_kms_policy_t *np = NULL;
	mcsec_krr_trust_t *nt = NULL;
	size_t ntf = 0;

	if(!kms_sh || kms_sh->generation == kms_gen)
		return; /* an int read: a stale value only delays the switch */
	lock_get(&kms_sh->lock);
	gen = kms_sh->generation;
	if(kms_sh->text) {
		copy = malloc(kms_sh->text_len + 1);
		if(copy) {
			memcpy(copy, kms_sh->text, kms_sh->text_len);
			copy[kms_sh->text_len] = '\0';
			len = kms_sh->text_len;
		}
	}
	lock_release(&kms_sh->lock);
	if(!copy) {
		LM_ERR("no memory to switch to KMS policy generation %d\n", gen);
		return;
	}
	rc = mcsec_kms_policy_parse(copy, len, &np, &line);
	free(copy);
	if(rc != MCSEC_OK) {
		/* validated by mcsec.reload: cannot happen short of memory */
		LM_ERR("KMS policy generation %d: %s (line %d); keeping %d\n", gen,
				mcsec_strerror(rc), line, kms_gen);
		return;
	}
	if(trust_load(&nt, &ntf, err, sizeof(err)) < 0) {
		/* changed on disk since mcsec.reload checked it: keep the old */
		LM_ERR("KMS policy generation %d: %s; keeping the old trust anchors\n",
				gen, err);
	} else {
		if(mcsec_krr_trust)
			mcsec_krr_trust_free(mcsec_krr_trust);
		mcsec_krr_trust = nt;
		mcsec_ntrust = ntf;
	}
	if(mcsec_kmspol)
		mcsec_kms_policy_free(mcsec_kmspol);
	mcsec_kmspol = np;
	kms_gen = gen;
	LM_DBG("switched to KMS policy generation %d\n", gen);
}

/* read + validate the policy file; 0 with *text (malloc'd), or -1 + err */
static int policy_read(char **text, size_t *len, mcsec_kms_policy_t **pol,
		char *err, size_t errlen)
{
	int rc, line = 0;

	*text = NULL;
	*pol = NULL;
	rc = mcsec_read_file(mcsec_kms_policy_path.s, MCSEC_KMS_POLICY_MAX_FILE,
			text, len, NULL, 0);
	if(rc != MCSEC_OK) {
		snprintf(err, errlen, "kms_policy [%s]: %s", mcsec_kms_policy_path.s,
				mcsec_strerror(rc));
		return -1;
	}
	rc = mcsec_kms_policy_parse(*text, *len, pol, &line);
	if(rc != MCSEC_OK) {
		snprintf(err, errlen, "kms_policy [%s]: %s at line %d",
				mcsec_kms_policy_path.s, mcsec_strerror(rc), line);
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

/* store a validated text as the next generation (shm); 0 or -1 */
static int policy_publish(const char *text, size_t len, int *gen)
{
	char *s = shm_malloc(len + 1);

	if(!s) {
		SHM_MEM_ERROR;
		return -1;
	}
	memcpy(s, text, len);
	s[len] = '\0';
	lock_get(&kms_sh->lock);
	if(kms_sh->text)
		shm_free(kms_sh->text);
	kms_sh->text = s;
	kms_sh->text_len = len;
	*gen = ++kms_sh->generation;
	lock_release(&kms_sh->lock);
	return 0;
}

/* ---- RPC ---- */

static const char *mcsec_rpc_reload_doc[] = {
		"Re-read the KMS policy (modparam kms_policy) and the KRR trust "
		"anchors (krr_trust); a file that does not load is refused and the "
		"policy in force stays. Stored CSKs are not touched.",
		0};

static void mcsec_rpc_reload(rpc_t *rpc, void *ctx)
{
	char *text = NULL, err[600];
	size_t len = 0, ntf = 0;
	mcsec_kms_policy_t *pol = NULL;
	mcsec_krr_trust_t *nt = NULL;
	int gen = 0;
	void *th;

	if(!kms_sh) {
		rpc->fault(ctx, 500, "KMS policy support not initialised");
		return;
	}
	if(!mcsec_kms_policy_path.s || mcsec_kms_policy_path.len <= 0) {
		rpc->fault(ctx, 400, "No kms_policy configured");
		return;
	}
	if(policy_read(&text, &len, &pol, err, sizeof(err)) < 0
			|| trust_load(&nt, &ntf, err, sizeof(err)) < 0) {
		atomic_inc(&kms_sh->reloads_failed);
		LM_ERR("mcsec.reload refused: %s (the policy in force stays)\n", err);
		free(text);
		if(pol)
			mcsec_kms_policy_free(pol);
		rpc->fault(ctx, 500, "%s", err);
		return;
	}
	mcsec_kms_policy_free(pol);
	if(nt)
		mcsec_krr_trust_free(nt);
	if(policy_publish(text, len, &gen) < 0) {
		free(text);
		atomic_inc(&kms_sh->reloads_failed);
		rpc->fault(ctx, 500, "Out of shared memory");
		return;
	}
	free(text);
	atomic_inc(&kms_sh->reloads);
	kms_sync(); /* this process (the RPC one) now */
	LM_NOTICE("mcsec.reload: KMS policy generation %d (%zu trust anchor "
			  "files)\n",
			gen, ntf);
	if(rpc->add(ctx, "{", &th) < 0
			|| rpc->struct_add(th, "dsd", "generation", gen, "kms_policy",
					   mcsec_kms_policy_path.s, "trust_anchors", (int)ntf)
					   < 0)
		rpc->fault(ctx, 500, "Internal error filling the reply");
}

static rpc_export_t mcsec_kms_rpc_cmds[] = {
		{"mcsec.reload", mcsec_rpc_reload, mcsec_rpc_reload_doc, 0},
		{0, 0, 0, 0}};

/* ---- life cycle ---- */

int mcsec_kms_init(void)
{
	char *text = NULL, err[600];
	size_t len = 0;
	int gen = 0;

	if(sl_load_api(&slb) != 0) {
		LM_ERR("cannot bind to the sl module (load sl.so before mcsec)\n");
		return -1;
	}
	kms_sh = shm_malloc(sizeof(*kms_sh));
	if(!kms_sh) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(kms_sh, 0, sizeof(*kms_sh));
	if(lock_init(&kms_sh->lock) == 0) {
		LM_ERR("cannot initialise the KMS policy lock\n");
		return -1;
	}
	if(rpc_register_array(mcsec_kms_rpc_cmds) != 0) {
		LM_ERR("failed to register mcsec.reload\n");
		return -1;
	}
	/* mcsec_process_krr applies its reply rewrite at once
	 * (sip_msg_apply_changes), which needs the received buffer cloned for
	 * TCP too (as textopsx does) */
	tcp_set_clone_rcvbuf(1);
	if(!mcsec_kms_policy_path.s || mcsec_kms_policy_path.len <= 0) {
		if(krr_trust_n > 0)
			LM_WARN("krr_trust is set but kms_policy is not: KMS policy "
					"functions accept everything\n");
		return 0;
	}
	/* KMS acceptance (5.2.8.2.3) and the KRR signing key (D.4.2) */
	mcsec_krr_init();
	if(policy_read(&text, &len, &mcsec_kmspol, err, sizeof(err)) < 0) {
		LM_ERR("%s\n", err);
		return -1;
	}
	if(policy_publish(text, len, &gen) < 0) {
		free(text);
		return -1;
	}
	free(text);
	kms_gen = gen;
	if(trust_load(&mcsec_krr_trust, &mcsec_ntrust, err, sizeof(err)) < 0) {
		LM_ERR("%s\n", err);
		return -1;
	}
	if(mcsec_krr_key_path.len > 0 || mcsec_krr_cert_path.len > 0) {
		int rc = mcsec_krr_signer_load(
				mcsec_krr_key_path.s, mcsec_krr_cert_path.s, &mcsec_krr_signer);
		if(rc != MCSEC_OK) {
			LM_ERR("krr_key / krr_cert: %s\n", mcsec_strerror(rc));
			return -1;
		}
	}
	LM_INFO("KMS policy [%s] loaded (generation %d), %zu KRR trust anchor "
			"files, KRRs %s\n",
			mcsec_kms_policy_path.s, gen, mcsec_ntrust,
			mcsec_krr_signer ? "signed" : "unsigned");
	return 0;
}

void mcsec_kms_destroy(void)
{
	if(mcsec_krr_signer) {
		mcsec_krr_signer_free(mcsec_krr_signer);
		mcsec_krr_signer = NULL;
	}
	if(mcsec_krr_trust) {
		mcsec_krr_trust_free(mcsec_krr_trust);
		mcsec_krr_trust = NULL;
	}
	if(mcsec_kmspol) {
		mcsec_kms_policy_free(mcsec_kmspol);
		mcsec_kmspol = NULL;
	}
	if(kms_sh) {
		if(kms_sh->text)
			shm_free(kms_sh->text);
		lock_destroy(&kms_sh->lock);
		shm_free(kms_sh);
		kms_sh = NULL;
	}
	for(int i = 0; i < krr_trust_n; i++)
		pkg_free(krr_trust_paths[i]);
	if(krr_trust_paths)
		pkg_free(krr_trust_paths);
	krr_trust_paths = NULL;
	krr_trust_n = 0;
}

/* ---- helpers ---- */

static const char *kms_creator(void)
{
	const char *c = mcsec_kms_policy_creator(mcsec_kmspol);
	if(!c)
		c = mcsec_identities.n > 0 ? mcsec_identities.items[0].s : "";
	return c;
}

static void count_case(atomic_t *a, char kcase)
{
	if(kcase >= 'A' && kcase <= 'D')
		atomic_inc(&a[kcase - 'A']);
}

/* 488 with the KRR (signed when krr_key/krr_cert are set) as the body;
 * krr is freed.  Returns -4 (the cfg function's "replied 488"). */
static int send_krr(
		sip_msg_t *msg, mcsec_krr_t *krr, char kcase, const char *what)
{
	char *xml = NULL;
	size_t len = 0;
	str r = str_init("KMS not acceptable");
	int rc;

	rc = mcsec_krr_write(krr, mcsec_krr_signer, &xml, &len);
	mcsec_krr_free(krr);
	if(rc == MCSEC_OK
			&& (add_lump_rpl(msg, (char *)krr_ct_hdr, sizeof(krr_ct_hdr) - 1,
						LUMP_RPL_HDR)
							== 0
					|| add_lump_rpl(msg, xml, (int)len, LUMP_RPL_BODY) == 0))
		LM_ERR("cannot add the KRR to the reply\n");
	if(rc != MCSEC_OK)
		LM_ERR("KRR not written: %s\n", mcsec_strerror(rc));
	LM_NOTICE("%s refused: 488 KMS not acceptable (KRR case %c%s)\n", what,
			kcase ? kcase : '?', rc == MCSEC_OK ? "" : ", KRR not written");
	if(slb.freply(msg, MCSEC_KRR_SIP_STATUS, &r) < 0)
		LM_ERR("cannot send the 488 reply\n");
	free(xml);
	return -4;
}

static int send_error(sip_msg_t *msg, int code, const char *reason)
{
	str r;

	r.s = (char *)reason;
	r.len = strlen(reason);
	LM_NOTICE("request refused: %d %s\n", code, reason);
	if(slb.freply(msg, code, &r) < 0)
		LM_ERR("cannot send the %d reply\n", code);
	return code == 500 ? -5 : -2;
}

/* role name -> cfg role; 0 if unknown */
static int role_parse(const str *s)
{
	static const struct
	{
		const char *n;
		int r;
	} names[] = {{"cs-in", ROLE_CS_IN}, {"cs-out", ROLE_CS_OUT},
			{"is-in", ROLE_IS_IN}, {"is-out", ROLE_IS_OUT}};

	if(!s || !s->s)
		return 0;
	for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if((size_t)s->len == strlen(names[i].n)
				&& !strncasecmp(s->s, names[i].n, s->len))
			return names[i].r;
	return 0;
}

/* cfg role -> MCSEC_KRR_ROLE_* (5.2.8.2.3 / 5.2.8.2.4 cases) */
static int role_krr(int r)
{
	switch(r) {
		case ROLE_CS_IN:
			return MCSEC_KRR_ROLE_CS_INBOUND;
		case ROLE_CS_OUT:
			return MCSEC_KRR_ROLE_CS_OUTBOUND;
		default:
			return MCSEC_KRR_ROLE_IS;
	}
}

/* a NUL-terminated copy of a SIP identity (malloc'd) or NULL */
static char *sip_uri_dup(const str *u)
{
	char *s;
	if(!u || !u->s || u->len <= 0 || u->len > MCSEC_KRR_MAX_URI)
		return NULL;
	s = malloc(u->len + 1);
	if(s) {
		memcpy(s, u->s, u->len);
		s[u->len] = '\0';
	}
	return s;
}

/* ---- 5.2.8.2.3: mcsec_check_kms ---- */

/* The identities of one I_MESSAGE.  With identity hiding (E.7) the IDR
 * payloads hold UIDs: the initiator is then the sender's SIP identity
 * (P-Asserted-Identity, else From); the receiver is the proxy identity for
 * a CSK (purpose tag 2, 9.2.1.3: the upload is encrypted to the proxy),
 * otherwise the To URI. */
static int ids_for(
		sip_msg_t *msg, const mcsec_mikey_msg_t *m, mcsec_krr_ids_t *ids)
{
	char *ini = NULL, *rcv = NULL;
	str u;
	int rc;

	if(m->hidden_i && mcsec_sip_impu(msg, &u) == 0)
		ini = sip_uri_dup(&u);
	if(m->hidden_r) {
		if((m->csb_id >> 28) == 2 && mcsec_identities.n > 0)
			rcv = strdup(mcsec_identities.items[0].s);
		else if(parse_to_header(msg) == 0 && get_to(msg))
			rcv = sip_uri_dup(&get_to(msg)->uri);
	}
	rc = mcsec_krr_ids_from_mikey(m, ini, rcv, ids);
	free(ini);
	free(rcv);
	return rc;
}

int ki_mcsec_check_kms(sip_msg_t *msg, str *role)
{
	mcsec_mikey_body_t mb;
	const char *what = NULL;
	str body;
	int r, rc, ret = 1;

	r = role_parse(role);
	if(!r) {
		LM_ERR("mcsec_check_kms: role [%.*s]: use cs-in, cs-out, is-in or "
			   "is-out\n",
				role && role->s ? role->len : 0,
				role && role->s ? role->s : "");
		return -1;
	}
	if(msg->first_line.type != SIP_REQUEST) {
		LM_ERR("mcsec_check_kms: for requests only\n");
		return -1;
	}
	/* an ACK cannot be refused; CANCEL carries no body */
	if(msg->REQ_METHOD & (METHOD_ACK | METHOD_CANCEL))
		return 2;
	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return send_error(msg, 400, "Bad SIP headers");
	/* a body without Content-Type names no MIKEY (RFC 3261 20.15) */
	if(!msg->content_type)
		return 2;
	body.s = get_body(msg);
	if(!body.s)
		return 2;
	/* UDP without Content-Length: the body is the rest of the datagram
	 * (RFC 3261 18.3), examined all the same */
	body.len = msg->content_length ? (int)get_content_length(msg)
								   : (int)(msg->buf + msg->len - body.s);
	if(body.len <= 0)
		return 2;
	if(body.s + body.len > msg->buf + msg->len)
		return send_error(msg, 400, "Bad Content-Length");
	rc = mcsec_mikey_body_scan(body.s, (size_t)body.len,
			msg->content_type->body.s, (size_t)msg->content_type->body.len, &mb,
			&what);
	if(rc == MCSEC_ERR_INTERNAL)
		return send_error(msg, 500, "Internal error");
	if(rc != MCSEC_OK) {
		atomic_inc(&kms_sh->mikey_bad);
		LM_NOTICE("mcsec_check_kms: %s\n", what ? what : mcsec_strerror(rc));
		return send_error(msg, 400, "Malformed MIKEY in body");
	}
	if(mb.n == 0)
		return 2;
	atomic_inc(&kms_sh->checks);
	kms_sync();
	for(size_t i = 0; i < mb.n; i++) {
		mcsec_mikey_msg_t *m = NULL;
		mcsec_mikey_err_t merr;
		mcsec_krr_ids_t ids;
		mcsec_krr_t *krr = NULL;
		char kcase = 0;

		atomic_inc(&kms_sh->mikey_seen);
		memset(&merr, 0, sizeof(merr));
		rc = mcsec_mikey_parse(mb.items[i].raw, mb.items[i].len, &m, &merr);
		if(rc != MCSEC_OK) {
			atomic_inc(&kms_sh->mikey_bad);
			LM_NOTICE("mcsec_check_kms: MIKEY %s %zu: %s (%s)\n",
					mb.items[i].src == MCSEC_MIKEY_SRC_SDP ? "in SDP line"
														   : "in part",
					mb.items[i].src == MCSEC_MIKEY_SRC_SDP ? mb.items[i].line
														   : mb.items[i].part,
					mcsec_strerror(rc), merr.what ? merr.what : "");
			ret = send_error(msg, rc == MCSEC_ERR_INTERNAL ? 500 : 400,
					rc == MCSEC_ERR_INTERNAL ? "Internal error"
											 : "Malformed MIKEY message");
			break;
		}
		if(!mcsec_kmspol) {
			/* no kms_policy: every KMS is acceptable */
			mcsec_mikey_msg_free(m);
			continue;
		}
		memset(&ids, 0, sizeof(ids));
		rc = ids_for(msg, m, &ids);
		mcsec_mikey_msg_free(m);
		if(rc != MCSEC_OK) {
			atomic_inc(&kms_sh->mikey_bad);
			LM_NOTICE("mcsec_check_kms: MIKEY identities: %s\n",
					mcsec_strerror(rc));
			ret = send_error(msg, rc == MCSEC_ERR_INTERNAL ? 500 : 400,
					rc == MCSEC_ERR_INTERNAL ? "Internal error"
											 : "Malformed MIKEY identities");
			break;
		}
		rc = mcsec_krr_create(mcsec_kmspol, role_krr(r), &ids, kms_creator(),
				time(NULL), &krr, &kcase);
		if(rc == MCSEC_OK && krr)
			LM_INFO("MIKEY %s -> %s (KMS %s -> %s): KRR case %c\n",
					ids.initiator, ids.receiver, ids.initiator_kms,
					ids.receiver_kms, kcase);
		mcsec_krr_ids_clear(&ids);
		if(rc != MCSEC_OK) {
			LM_ERR("KRR creation: %s\n", mcsec_strerror(rc));
			ret = send_error(msg, 500, "Internal error");
			break;
		}
		if(krr) {
			count_case(kms_sh->created, kcase);
			/* 5.2.8.2.3: the MIKEY-carrying request is dropped */
			ret = send_krr(msg, krr, kcase, "MIKEY message");
			break;
		}
	}
	mcsec_mikey_body_clear(&mb);
	return ret;
}

int w_mcsec_check_kms(sip_msg_t *msg, char *role, char *p2)
{
	str r;

	if(fixup_get_svalue(msg, (gparam_t *)role, &r) < 0) {
		LM_ERR("cannot get the role parameter\n");
		return -1;
	}
	return ki_mcsec_check_kms(msg, &r);
}

/* ---- 5.2.8.2.4: mcsec_process_krr ---- */

/* a refused received KRR: the 488 goes on without it (no KMS advice from
 * an entity we do not trust reaches the initiator) */
static int krr_refuse(sip_msg_t *msg, str *body, const char *why)
{
	LM_NOTICE("received KRR refused (%s): 488 forwarded without it\n", why);
	/* applied now, so that later script code (e.g. the XML protection of
	 * the reply) sees the reply as it will be forwarded */
	if(mcsec_sip_rewrite_body(msg, body, NULL, 0, NULL) < 0
			|| sip_msg_apply_changes(msg) < 0)
		LM_ERR("cannot remove the refused KRR\n");
	return -2;
}

int ki_mcsec_process_krr(sip_msg_t *msg, str *role)
{
	mcsec_krr_t *rx = NULL, *nk = NULL;
	char *xml = NULL, kcase = 0;
	size_t xml_len = 0;
	int r, rc, sig = 0, action = 0, ret;
	str body;

	r = role_parse(role);
	if(!r) {
		LM_ERR("mcsec_process_krr: role [%.*s]: use cs-in, cs-out, is-in or "
			   "is-out\n",
				role && role->s ? role->len : 0,
				role && role->s ? role->s : "");
		return -1;
	}
	if(msg->first_line.type != SIP_REPLY) {
		LM_ERR("mcsec_process_krr: for replies only\n");
		return -1;
	}
	if(msg->first_line.u.reply.statuscode != MCSEC_KRR_SIP_STATUS)
		return 2;
	if(parse_headers(msg, HDR_EOH_F, 0) < 0 || !msg->content_type)
		return 2;
	if(!mcsec_mime_type_is(msg->content_type->body.s,
			   (size_t)msg->content_type->body.len, MCSEC_KRR_CONTENT_TYPE))
		return 2;
	body.s = get_body(msg);
	body.len = !body.s				 ? 0
			   : msg->content_length ? (int)get_content_length(msg)
									 : (int)(msg->buf + msg->len - body.s);
	if(!body.s || body.len <= 0 || body.s + body.len > msg->buf + msg->len)
		return 2;
	atomic_inc(&kms_sh->krr_received);
	kms_sync();
	if(!mcsec_kmspol) {
		atomic_inc(&kms_sh->krr_forwarded);
		return 3; /* no kms_policy: every KMS is acceptable */
	}
	rc = mcsec_krr_parse(body.s, (size_t)body.len, &rx);
	if(rc != MCSEC_OK) {
		atomic_inc(&kms_sh->rx_malformed);
		LM_NOTICE("received KRR: %s\n", mcsec_strerror(rc));
		return krr_refuse(msg, &body, "not a valid KMS Redirect Response");
	}
	rc = mcsec_krr_verify(mcsec_krr_trust, rx, &sig);
	if(rc != MCSEC_OK) {
		mcsec_krr_free(rx);
		LM_ERR("KRR signature check: %s\n", mcsec_strerror(rc));
		return -5;
	}
	if(!mcsec_krr_received_ok(mcsec_kmspol, sig)) {
		if(sig == MCSEC_KRR_SIG_ABSENT)
			atomic_inc(&kms_sh->rx_unsigned_rejected);
		else if(sig == MCSEC_KRR_SIG_UNTRUSTED)
			atomic_inc(&kms_sh->rx_untrusted_rejected);
		else
			atomic_inc(&kms_sh->rx_invalid_rejected);
		mcsec_krr_free(rx);
		return krr_refuse(msg, &body,
				sig == MCSEC_KRR_SIG_ABSENT		 ? "unsigned"
				: sig == MCSEC_KRR_SIG_UNTRUSTED ? "untrusted signer"
												 : "invalid signature");
	}
	if(sig == MCSEC_KRR_SIG_ABSENT)
		atomic_inc(&kms_sh->rx_unsigned_accepted);
	else if(sig == MCSEC_KRR_SIG_UNTRUSTED)
		atomic_inc(&kms_sh->rx_untrusted_accepted);
	else
		atomic_inc(&kms_sh->rx_valid);
	rc = mcsec_krr_regenerate(mcsec_kmspol, role_krr(r), rx, kms_creator(),
			time(NULL), &nk, &action, &kcase);
	if(rc != MCSEC_OK) {
		mcsec_krr_free(rx);
		LM_ERR("KRR re-generation: %s\n", mcsec_strerror(rc));
		return -5;
	}
	switch(action) {
		case MCSEC_KRR_TOO_DEEP:
			atomic_inc(&kms_sh->too_deep);
			LM_NOTICE("received KRR (case %c) already has %zu levels: "
					  "forwarded unchanged\n",
					kcase ? kcase : '?', rx->levels);
			ret = 4;
			break;
		case MCSEC_KRR_REPLACE:
			rc = mcsec_krr_write(nk, mcsec_krr_signer, &xml, &xml_len);
			if(rc != MCSEC_OK
					|| mcsec_sip_rewrite_body(
							   msg, &body, xml, xml_len, MCSEC_KRR_CONTENT_TYPE)
							   < 0
					|| sip_msg_apply_changes(msg) < 0) {
				LM_ERR("KRR re-generation: cannot write the new KRR (%s)\n",
						mcsec_strerror(rc));
				ret = -5;
				break;
			}
			count_case(kms_sh->regenerated, kcase);
			LM_INFO("received KRR re-generated (case %c, %zu levels)\n",
					kcase ? kcase : '?', nk->levels);
			ret = 1;
			break;
		default:
			atomic_inc(&kms_sh->krr_forwarded);
			ret = 3;
	}
	free(xml);
	if(nk)
		mcsec_krr_free(nk);
	mcsec_krr_free(rx);
	return ret;
}

int w_mcsec_process_krr(sip_msg_t *msg, char *role, char *p2)
{
	str r;

	if(fixup_get_svalue(msg, (gparam_t *)role, &r) < 0) {
		LM_ERR("cannot get the role parameter\n");
		return -1;
	}
	return ki_mcsec_process_krr(msg, &r);
}

/* ---- 5.2.8.2.3 case A on a CSK upload (mcsec_upload.c) ---- */

/* 0: acceptable (go on), negative: replied (488 + KRR) */
int mcsec_kms_upload_check(sip_msg_t *msg, const mcsec_mikey_msg_t *m,
		const char *initiator, int *replied)
{
	mcsec_krr_ids_t ids;
	mcsec_krr_t *krr = NULL;
	char kcase = 0;
	int rc;

	*replied = 0;
	kms_sync();
	if(!mcsec_kmspol)
		return 0;
	memset(&ids, 0, sizeof(ids));
	rc = mcsec_krr_ids_from_mikey(m, initiator,
			m->hidden_r && mcsec_identities.n > 0 ? mcsec_identities.items[0].s
												  : NULL,
			&ids);
	if(rc != MCSEC_OK)
		return 0; /* the extraction reports what is wrong with it */
	rc = mcsec_krr_create(mcsec_kmspol, MCSEC_KRR_ROLE_CS_INBOUND, &ids,
			kms_creator(), time(NULL), &krr, &kcase);
	mcsec_krr_ids_clear(&ids);
	if(rc != MCSEC_OK || !krr)
		return 0;
	count_case(kms_sh->created, kcase);
	atomic_inc(&mcsec_counters->uploads_failed);
	atomic_inc(&mcsec_counters->failed_by[-MCSEC_ERR_UNKNOWN_KMS]);
	mcsec_upload_pv.err_code = MCSEC_KRR_SIP_STATUS;
	snprintf(mcsec_upload_pv.err_reason, sizeof(mcsec_upload_pv.err_reason),
			"%s", "KMS not acceptable");
	*replied = 1;
	return send_krr(msg, krr, kcase, "CSK upload");
}

/* ---- mcsec.stats ---- */

int mcsec_kms_rpc_stats(rpc_t *rpc, void *th)
{
	void *kh, *ch, *rh, *xh;
	mcsec_kms_shared_t *s = kms_sh;
	static const char *cases[] = {"A", "B", "C", "D"};

	if(!s)
		return 0;
	if(rpc->struct_add(th, "{", "kms", &kh) < 0)
		return -1;
	if(rpc->struct_add(kh, "ddddd", "policy_generation", s->generation,
			   "reloads", atomic_get(&s->reloads), "reloads_failed",
			   atomic_get(&s->reloads_failed), "checks", atomic_get(&s->checks),
			   "mikey_seen", atomic_get(&s->mikey_seen))
					< 0
			|| rpc->struct_add(kh, "dddd", "mikey_bad",
					   atomic_get(&s->mikey_bad), "krr_received",
					   atomic_get(&s->krr_received), "krr_forwarded",
					   atomic_get(&s->krr_forwarded), "too_deep",
					   atomic_get(&s->too_deep))
					   < 0
			|| rpc->struct_add(kh, "{", "krr_created", &ch) < 0
			|| rpc->struct_add(kh, "{", "krr_regenerated", &rh) < 0
			|| rpc->struct_add(kh, "{", "krr_received_sig", &xh) < 0)
		return -1;
	for(int i = 0; i < 4; i++)
		if(rpc->struct_add(ch, "d", cases[i], atomic_get(&s->created[i])) < 0
				|| rpc->struct_add(
						   rh, "d", cases[i], atomic_get(&s->regenerated[i]))
						   < 0)
			return -1;
	return rpc->struct_add(xh, "dddddddd", "valid", atomic_get(&s->rx_valid),
				   "unsigned_accepted", atomic_get(&s->rx_unsigned_accepted),
				   "unsigned_rejected", atomic_get(&s->rx_unsigned_rejected),
				   "untrusted_accepted", atomic_get(&s->rx_untrusted_accepted),
				   "untrusted_rejected", atomic_get(&s->rx_untrusted_rejected),
				   "invalid_rejected", atomic_get(&s->rx_invalid_rejected),
				   "malformed_rejected", atomic_get(&s->rx_malformed),
				   "trust_anchor_files", (int)mcsec_ntrust)
						   < 0
				   ? -1
				   : 0;
}
