/*
 * mcsec - Kamailio module: CSK upload at the domain edge (TS 33.180 5.4,
 * 9.2.1.3, I.3.4, I.3.5).
 *
 * mcsec_csk_upload() on a REGISTER / PUBLISH / SUBSCRIBE:
 *   body split (lib csk_upload.c) -> MIKEY parse -> refresh recognition by
 *   the I_MESSAGE digest (no crypto) -> verify + extract (lib mikey) ->
 *   replay table (shm) -> decrypt the XML with the CSK -> store the binding
 *   -> rewrite the body with lumps.  Failures are answered here (tm when a
 *   transaction exists) and nothing is forwarded.
 * mcsec_csk_upload_cached() stops before the crypto and returns 3 when it
 * is needed, so the script can hand only that work to an async worker.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/data_lump.h"
#include "core/data_lump_rpl.h"
#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/parser/contact/parse_contact.h"
#include "core/parser/msg_parser.h"
#include "core/parser/parse_content.h"
#include "core/parser/parse_expires.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_param.h"
#include "core/parser/parse_ppi_pai.h"
#include "core/parser/parse_uri.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/ut.h"
#include "modules/sl/sl.h"

#include "csk_upload.h"
#include "encoding.h"
#include "evp_cache.h"
#include "kdf.h"
#include "keystore.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "xmlprot.h"

#include "mcsec_csk_store.h"
#include "mcsec_kms.h"
#include "mcsec_mod.h"
#include "mcsec_sip.h"

static mcsec_keystore_t *mcsec_ks = NULL;
static mcsec_xml_policy_t *mcsec_policy = NULL;
static const char **mcsec_our_uris = NULL;
static sl_api_t slb;

mcsec_upload_pv_t mcsec_upload_pv;

/* ---- CPU time of the upload crypto (mcsec.upload_cpu) ---- */

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	if(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *mcsec_rpc_upload_cpu_doc[] = {
		"CPU time of fresh CSK uploads in the processes doing them: count, "
		"average microseconds of the MIKEY verification and extraction (ECCSI "
		"verify + SAKKE decapsulation) and of the whole mcsec_csk_upload() "
		"call",
		0};

static void mcsec_rpc_upload_cpu(rpc_t *rpc, void *ctx)
{
	void *th;
	uint64_t n = __atomic_load_n(&mcsec_counters->crypto_n, __ATOMIC_RELAXED);
	uint64_t c = __atomic_load_n(&mcsec_counters->crypto_ns, __ATOMIC_RELAXED);
	uint64_t f = __atomic_load_n(&mcsec_counters->fresh_ns, __ATOMIC_RELAXED);
	char cs[32], fs[32];

	/* averages as text with one decimal (binrpc has no 64-bit integers) */
	snprintf(cs, sizeof(cs), "%.1f", n ? (double)c / 1e3 / (double)n : 0.0);
	snprintf(fs, sizeof(fs), "%.1f", n ? (double)f / 1e3 / (double)n : 0.0);
	if(rpc->add(ctx, "{", &th) < 0
			|| rpc->struct_add(th, "dss", "fresh_uploads", (int)n,
					   "crypto_us_avg", cs, "upload_us_avg", fs)
					   < 0)
		rpc->fault(ctx, 500, "Internal error filling the reply");
}

static rpc_export_t mcsec_upload_rpc_cmds[] = {
		{"mcsec.upload_cpu", mcsec_rpc_upload_cpu, mcsec_rpc_upload_cpu_doc, 0},
		{0, 0, 0, 0}};

/* ---- set-up (mod_init, before fork) ---- */

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int load_list(mcsec_strlist_t *l, const char *what)
{
	char err[512];
	int i, rc;

	for(i = 0; i < l->n; i++) {
		err[0] = '\0';
		rc = mcsec_keystore_load_path(
				mcsec_ks, l->items[i].s, err, sizeof(err));
		if(rc == MCSEC_ERR_NOT_FOUND && is_dir(l->items[i].s)) {
			/* an empty folder: an operator has not dropped files in yet */
			LM_WARN("%s [%s]: no *.xml file in it\n", what, l->items[i].s);
			continue;
		}
		if(rc != MCSEC_OK) {
			LM_ERR("%s [%s]: %s%s%s\n", what, l->items[i].s, mcsec_strerror(rc),
					err[0] ? ": " : "", err);
			return -1;
		}
	}
	return 0;
}

int mcsec_upload_init(void)
{
	int i, line = 0, rc;

	if(rpc_register_array(mcsec_upload_rpc_cmds) != 0) {
		LM_ERR("failed to register the upload RPC commands\n");
		return -1;
	}
	if(sl_load_api(&slb) != 0) {
		LM_ERR("cannot bind to the sl module (load sl.so before mcsec)\n");
		return -1;
	}
	mcsec_xml_init();
	mcsec_ks = mcsec_keystore_new();
	if(!mcsec_ks) {
		LM_ERR("out of memory for the key store\n");
		return -1;
	}
	/* certificates first: key sets are validated against them; the SAKKE
	 * precomputation done here is inherited by every child at fork */
	if(load_list(&mcsec_kms_certs, "kms_cert") < 0
			|| load_list(&mcsec_key_sets, "key_set") < 0)
		return -1;
	if(mcsec_xml_policy_path.s && mcsec_xml_policy_path.len > 0)
		rc = mcsec_xml_policy_load(
				mcsec_xml_policy_path.s, &mcsec_policy, &line);
	else
		rc = mcsec_xml_policy_default(&mcsec_policy);
	if(rc != MCSEC_OK) {
		LM_ERR("xml_policy [%s]: %s (line %d)\n",
				mcsec_xml_policy_path.s ? mcsec_xml_policy_path.s : "built-in",
				mcsec_strerror(rc), line);
		return -1;
	}
	if(mcsec_identities.n > 0) {
		mcsec_our_uris = pkg_malloc(mcsec_identities.n * sizeof(char *));
		if(!mcsec_our_uris) {
			PKG_MEM_ERROR;
			return -1;
		}
		for(i = 0; i < mcsec_identities.n; i++)
			mcsec_our_uris[i] = mcsec_identities.items[i].s;
		/* every identity needs a key set to receive uploads */
		for(i = 0; i < mcsec_identities.n; i++) {
			size_t k, found = 0;
			for(k = 0; k < mcsec_keystore_nkeysets(mcsec_ks); k++) {
				const mcsec_keystore_entry_t *e =
						mcsec_keystore_entry_at(mcsec_ks, k);
				if(e && e->ks && e->ks->user_uri
						&& !strcmp(e->ks->user_uri, mcsec_our_uris[i]))
					found++;
			}
			if(!found)
				LM_WARN("identity [%s]: no key set loaded, uploads to it "
						"will be refused\n",
						mcsec_our_uris[i]);
		}
	}
	if(mcsec_kms_init() < 0)
		return -1;
	LM_INFO("key store: %zu KMS certificates, %zu key sets\n",
			mcsec_keystore_ncerts(mcsec_ks), mcsec_keystore_nkeysets(mcsec_ks));
	return 0;
}

void mcsec_upload_destroy(void)
{
	if(mcsec_ks) {
		mcsec_keystore_free(mcsec_ks);
		mcsec_ks = NULL;
	}
	if(mcsec_policy) {
		mcsec_xml_policy_free(mcsec_policy);
		mcsec_policy = NULL;
	}
	mcsec_kms_destroy();
	if(mcsec_our_uris) {
		pkg_free(mcsec_our_uris);
		mcsec_our_uris = NULL;
	}
}

const struct mcsec_xml_policy *mcsec_upload_xml_policy(void)
{
	return mcsec_policy;
}

size_t mcsec_upload_ncerts(void)
{
	return mcsec_ks ? mcsec_keystore_ncerts(mcsec_ks) : 0;
}

size_t mcsec_upload_nkeysets(void)
{
	return mcsec_ks ? mcsec_keystore_nkeysets(mcsec_ks) : 0;
}

/* ---- script-visible results ---- */

static void pv_reset(sip_msg_t *msg)
{
	memset(&mcsec_upload_pv, 0, sizeof(mcsec_upload_pv));
	mcsec_upload_pv.msg_id = msg->id;
	mcsec_upload_pv.msg_pid = msg->pid;
}

static void pv_set(char *dst, size_t cap, const char *s, size_t len)
{
	if(len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* count, log and answer a failure; the reason never holds key material */
static int upload_fail(sip_msg_t *msg, int err, const char *detail)
{
	const char *reason;
	int st = mcsec_csk_status(err, &reason);
	str r;
	char buf[sizeof(mcsec_upload_pv.err_reason)];

	/* internal faults: say which (a fixed string of this file or of the
	 * library, never key material), e.g. "replay table full" */
	if(st == 500 && detail && *detail) {
		size_t i;
		snprintf(buf, sizeof(buf), "%s: %s", reason, detail);
		for(i = 0; buf[i]; i++)
			if((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
				buf[i] = ' ';
		reason = buf;
	}
	atomic_inc(&mcsec_counters->uploads_failed);
	if(err <= 0 && err >= MCSEC_ERR_MIN)
		atomic_inc(&mcsec_counters->failed_by[-err]);
	mcsec_upload_pv.err_code = st;
	pv_set(mcsec_upload_pv.err_reason, sizeof(mcsec_upload_pv.err_reason),
			reason, strlen(reason));
	LM_NOTICE("CSK upload refused: %d %s (%s%s%s)\n", st, reason,
			mcsec_strerror(err), detail ? ": " : "", detail ? detail : "");
	r.s = (char *)reason;
	r.len = strlen(reason);
	if(slb.freply(msg, st, &r) < 0)
		LM_ERR("cannot send the %d reply\n", st);
	/* negative: the script must not forward (0 would end it silently) */
	return -(st == 500 ? 5 : st == 488 ? 4 : st == 403 ? 3 : 2);
}

/* ---- SIP side helpers ---- */

/* REGISTER that removes the client: Contact "*" or every contact with an
 * expires value of 0 (contact parameter, else the Expires header) */
static int is_deregister(sip_msg_t *msg)
{
	contact_body_t *cb;
	contact_t *c;
	int hdr_exp = -1, n = 0;
	struct hdr_field *h;

	if(msg->REQ_METHOD != METHOD_REGISTER)
		return 0;
	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return 0;
	if(msg->expires && parse_expires(msg->expires) == 0)
		hdr_exp = (int)((exp_body_t *)msg->expires->parsed)->val;
	if(!msg->contact)
		return 0; /* a query */
	for(h = msg->contact; h; h = next_sibling_hdr(h)) {
		if(parse_contact(h) < 0 || !(cb = (contact_body_t *)h->parsed))
			return 0;
		if(cb->star)
			return 1;
		for(c = cb->contacts; c; c = c->next) {
			int e = hdr_exp;
			if(c->expires && c->expires->body.len > 0) {
				unsigned int v;
				if(str2int(&c->expires->body, &v) < 0)
					return 0;
				e = (int)v;
			}
			if(e != 0)
				return 0;
			n++;
		}
	}
	return n > 0;
}

/* SHA-256 over the initiator's IDR data (URI, or UID when hidden) | CSB-ID | RAND: what a
 * replay repeats; available from the parse, so replays are refused before any crypto */
static int replay_key(const mcsec_mikey_msg_t *m, uint8_t key[32])
{
	static uint8_t buf[2 + 65535 + 4 + 255]; /* per process, not shared */
	size_t n = 0;

	buf[n++] = (uint8_t)(m->idi.len >> 8);
	buf[n++] = (uint8_t)m->idi.len;
	memcpy(buf + n, m->idi.data, m->idi.len);
	n += m->idi.len;
	buf[n++] = (uint8_t)(m->csb_id >> 24);
	buf[n++] = (uint8_t)(m->csb_id >> 16);
	buf[n++] = (uint8_t)(m->csb_id >> 8);
	buf[n++] = (uint8_t)m->csb_id;
	memcpy(buf + n, m->rand, m->rand_len);
	n += m->rand_len;
	return mcsec_csk_digest(buf, n, key);
}

/* ---- refreshes: decrypted bodies remembered per process ----
 * A refresh REGISTER usually repeats the body of the upload, so the SIP
 * worker that recognised it (I_MESSAGE digest found in the CSK store, i.e.
 * the binding is live) reuses the decryption of an identical body instead
 * of parsing and decrypting the XML again.  Key: SHA-256 over the CSK, its
 * CSK-ID, the MC service ID, the Content-Type and the encrypted body, so an
 * entry serves only that body under that very key; a revoked or replaced
 * binding is no longer found in the store and never reaches the cache.  The
 * plaintext (access token, MC service ID; no key material) is cleansed when
 * an entry is replaced. */
#define DEC_CACHE_N 32
#define DEC_CACHE_MAX_BODY 16384 /* larger bodies are not remembered */

typedef struct dec_cache_entry
{
	uint8_t key[32];
	char *out; /* pkg: decrypted body, then its Content-Type, NUL each */
	size_t out_len;
	size_t alloc;
	time_t expires;
} dec_cache_entry_t;

static dec_cache_entry_t dec_cache[DEC_CACHE_N];
static unsigned dec_cache_next = 0;

static int dec_cache_key(mcsec_csk_body_t *cb, const uint8_t csk[16],
		uint32_t csk_id, const char *mcx, size_t mcx_len, uint8_t key[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t id[4] = {(uint8_t)(csk_id >> 24), (uint8_t)(csk_id >> 16),
			(uint8_t)(csk_id >> 8), (uint8_t)csk_id};
	uint8_t l[4];
	unsigned int dl = 0;
	int ok;

	if(!c)
		return -1;
	ok = EVP_DigestInit_ex(c, mcsec_evp_sha256(), NULL)
		 && EVP_DigestUpdate(c, csk, 16) && EVP_DigestUpdate(c, id, 4);
	/* length-prefixed fields: no two inputs share an encoding */
	l[0] = (uint8_t)(mcx_len >> 8);
	l[1] = (uint8_t)mcx_len;
	ok = ok && EVP_DigestUpdate(c, l, 2) && EVP_DigestUpdate(c, mcx, mcx_len);
	l[0] = (uint8_t)(strlen(cb->rest_ctype) >> 8);
	l[1] = (uint8_t)strlen(cb->rest_ctype);
	ok = ok && EVP_DigestUpdate(c, l, 2)
		 && EVP_DigestUpdate(c, cb->rest_ctype, strlen(cb->rest_ctype));
	ok = ok && EVP_DigestUpdate(c, cb->rest, cb->rest_len)
		 && EVP_DigestFinal_ex(c, key, &dl) && dl == 32;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

static void dec_cache_drop(dec_cache_entry_t *e)
{
	if(e->out) {
		OPENSSL_cleanse(e->out, e->alloc);
		pkg_free(e->out);
		e->out = NULL;
	}
}

/* the scan also wipes entries past their binding's expiry, so plaintext
 * does not outlive the binding it was decrypted for by more than one
 * lookup */
static dec_cache_entry_t *dec_cache_find(const uint8_t key[32], time_t now)
{
	dec_cache_entry_t *hit = NULL;

	for(int i = 0; i < DEC_CACHE_N; i++) {
		if(!dec_cache[i].out)
			continue;
		if(dec_cache[i].expires <= now)
			dec_cache_drop(&dec_cache[i]);
		else if(!hit && CRYPTO_memcmp(dec_cache[i].key, key, 32) == 0)
			hit = &dec_cache[i];
	}
	return hit;
}

static void dec_cache_put(const uint8_t key[32], const char *out,
		size_t out_len, const char *oct, time_t expires)
{
	dec_cache_entry_t *e = &dec_cache[dec_cache_next++ % DEC_CACHE_N];
	size_t ctl = strlen(oct), need = out_len + ctl + 2;

	if(out_len > DEC_CACHE_MAX_BODY)
		return;
	dec_cache_drop(e);
	e->out = pkg_malloc(need);
	if(!e->out)
		return; /* only an optimisation */
	memcpy(e->out, out, out_len);
	e->out[out_len] = '\0';
	memcpy(e->out + out_len + 1, oct, ctl + 1);
	e->out_len = out_len;
	e->alloc = need;
	e->expires = expires;
	memcpy(e->key, key, 32);
}

/* decrypt the rest and rewrite the message; 0 or an mcsec error.
 * cache_until > 0 (refresh of a live binding): reuse / remember the
 * decryption of an identical body until then */
static int finish_body(sip_msg_t *msg, str *body, mcsec_csk_body_t *cb,
		const uint8_t csk[16], uint32_t csk_id, const char *mcx, size_t mcx_len,
		time_t cache_until)
{
	char *out = NULL, *oct = NULL;
	size_t out_len = 0;
	uint8_t key[32];
	dec_cache_entry_t *e;
	int rc, cache = 0;

	if(!cb->rest) {
		/* only the MIKEY part was there: forward with no body */
		return mcsec_sip_rewrite_body(msg, body, NULL, 0, NULL) < 0
					   ? MCSEC_ERR_INTERNAL
					   : MCSEC_OK;
	}
	if(cache_until > 0 && cb->rest_len <= DEC_CACHE_MAX_BODY
			&& dec_cache_key(cb, csk, csk_id, mcx, mcx_len, key) == 0) {
		cache = 1;
		if((e = dec_cache_find(key, time(NULL))) != NULL) {
			rc = mcsec_sip_rewrite_body(
						 msg, body, e->out, e->out_len, e->out + e->out_len + 1)
								 < 0
						 ? MCSEC_ERR_INTERNAL
						 : MCSEC_OK;
			OPENSSL_cleanse(key, sizeof(key));
			return rc;
		}
	}
	mcsec_sip_xml_ready();
	rc = mcsec_csk_body_decrypt(cb->rest, cb->rest_len, cb->rest_ctype, csk,
			csk_id, mcx, mcx_len, mcsec_raw_xpk, mcsec_policy, &out, &out_len,
			&oct);
	if(rc != MCSEC_OK)
		goto done;
	if(mcsec_sip_rewrite_body(msg, body, out, out_len, oct) < 0)
		rc = MCSEC_ERR_INTERNAL;
	else if(cache)
		dec_cache_put(key, out, out_len, oct, cache_until);
	OPENSSL_cleanse(out, out_len);
	free(out);
	free(oct);
done:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/* mcx_id_source "xml[:element]": the candidate from the MC info body into
 * buf; its length, or the (negative) result of upload_fail */
static int xml_candidate(
		sip_msg_t *msg, mcsec_csk_body_t *cb, char *buf, size_t cap)
{
	char *v = NULL;
	size_t n;
	int rc;

	if(!cb->rest)
		return upload_fail(msg, MCSEC_ERR_IDENTITY_MISMATCH,
				"no MC info body for the MC service ID candidate");
	mcsec_sip_xml_ready();
	rc = mcsec_csk_body_mcx_id(
			cb->rest, cb->rest_len, cb->rest_ctype, mcsec_mcx_id_elem, &v);
	switch(rc) {
		case MCSEC_OK:
			break;
		case MCSEC_ERR_NOT_FOUND:
			return upload_fail(msg, MCSEC_ERR_IDENTITY_MISMATCH,
					"no MC service ID candidate element in the MC info body");
		case MCSEC_ERR_UNSUPPORTED:
			/* its keys (F.1.4) depend on the very ID: it must be clear */
			return upload_fail(msg, MCSEC_ERR_IDENTITY_MISMATCH,
					"MC service ID candidate element is encrypted");
		case MCSEC_ERR_MALFORMED:
			return upload_fail(msg, MCSEC_ERR_MALFORMED,
					"MC info body (MC service ID candidate)");
		default:
			return upload_fail(msg, rc, "MC service ID candidate");
	}
	n = strlen(v);
	if(n == 0 || n >= cap) { /* MCSEC_CSK_MAX_MCX_ID < cap */
		free(v);
		return upload_fail(
				msg, MCSEC_ERR_MALFORMED, "MC service ID candidate too long");
	}
	memcpy(buf, v, n + 1);
	free(v);
	return (int)n;
}

static void csk_id_hex(uint32_t id, char out[9])
{
	uint8_t b[4] = {(uint8_t)(id >> 24), (uint8_t)(id >> 16),
			(uint8_t)(id >> 8), (uint8_t)id};
	mcsec_hex_encode(b, 4, out);
}

static void pv_done(const char *mcx, const char *impu, uint32_t csk_id)
{
	char h[9];
	pv_set(mcsec_upload_pv.mcx_id, sizeof(mcsec_upload_pv.mcx_id), mcx,
			strlen(mcx));
	pv_set(mcsec_upload_pv.impu, sizeof(mcsec_upload_pv.impu), impu,
			strlen(impu));
	csk_id_hex(csk_id, h);
	pv_set(mcsec_upload_pv.csk_id, sizeof(mcsec_upload_pv.csk_id), h, 8);
}

/*
 * cached_only: stop with 3 when crypto is needed.
 * candidate: MC service ID candidate for hidden identities (NULL: the
 * modparam mcx_id_source).
 */
int mcsec_csk_upload_run(sip_msg_t *msg, int cached_only, str *candidate)
{
	str body = {0, 0}, impu, cand = {0, 0};
	const char *ct_s;
	int ct_len, rc, ret, others = 0;
	mcsec_csk_body_t cb;
	mcsec_mikey_msg_t *m = NULL;
	mcsec_mikey_err_t merr;
	mcsec_mikey_result_t res;
	mcsec_mikey_extract_opts_t o;
	mcsec_csk_binding_t b;
	uint8_t digest[MCSEC_CSK_DIGEST], rkey[32];
	char mcx[256], impu_z[256], cand_z[256];
	size_t mcx_len;
	time_t now = time(NULL);
	uint64_t t_run = cached_only ? 0 : thread_cpu_ns(), t_x;

	pv_reset(msg);
	memset(&cb, 0, sizeof(cb));
	memset(&res, 0, sizeof(res));
	memset(&b, 0, sizeof(b));
	if(msg->first_line.type != SIP_REQUEST)
		return 2;
	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return upload_fail(msg, MCSEC_ERR_MALFORMED, "SIP headers");

	/* de-REGISTER: the client's CSKs go */
	if(is_deregister(msg)) {
		if(mcsec_sip_impu(msg, &impu) == 0) {
			int n = mcsec_csk_store_remove(impu.s, impu.len);
			if(n > 0) {
				atomic_add(&mcsec_counters->deregistrations, n);
				LM_INFO("de-REGISTER of %.*s: %d CSK binding(s) removed\n",
						impu.len, impu.s, n);
			}
		}
		return 2;
	}
	if(!msg->content_type || !msg->content_length)
		return 2;
	body.s = get_body(msg);
	if(!body.s)
		return 2;
	body.len = get_content_length(msg);
	if(body.len <= 0)
		return 2;
	if(body.s + body.len > msg->buf + msg->len)
		return upload_fail(msg, MCSEC_ERR_MALFORMED, "Content-Length");
	ct_s = msg->content_type->body.s;
	ct_len = msg->content_type->body.len;
	rc = mcsec_csk_body_split(
			body.s, (size_t)body.len, ct_s, (size_t)ct_len, &cb);
	if(rc == MCSEC_ERR_NOT_FOUND) {
		atomic_inc(&mcsec_counters->passthrough);
		return 2;
	}
	if(rc != MCSEC_OK)
		return upload_fail(msg, rc, "body");
	if(!(msg->REQ_METHOD
			   & (METHOD_REGISTER | METHOD_PUBLISH | METHOD_SUBSCRIBE))) {
		ret = upload_fail(msg, MCSEC_ERR_UNSUPPORTED,
				"CSK upload outside REGISTER/PUBLISH/SUBSCRIBE");
		goto out;
	}
	rc = mcsec_mikey_parse_any(cb.mikey, cb.mikey_len, &m, &merr);
	if(rc != MCSEC_OK) {
		ret = upload_fail(msg, rc, merr.what ? merr.what : "I_MESSAGE");
		goto out;
	}
	if(m->rand_len > MCSEC_CSK_RAND_MAX) {
		ret = upload_fail(msg, MCSEC_ERR_UNSUPPORTED, "RAND longer than 32");
		goto out;
	}
	if(mcsec_sip_impu(msg, &impu) < 0 || impu.len <= 0
			|| (size_t)impu.len >= sizeof(impu_z)) {
		ret = upload_fail(msg, MCSEC_ERR_MALFORMED, "no usable IMPU");
		goto out;
	}
	memcpy(impu_z, impu.s, impu.len);
	impu_z[impu.len] = '\0';

	/* the MC service ID: IDRi, or a candidate checked against IDRuidi */
	if(m->hidden_i) {
		if(candidate && candidate->len > 0)
			cand = *candidate;
		else if(mcsec_mcx_id_source == MCSEC_SRC_FROM)
			rc = mcsec_sip_from_uri(msg, &cand);
		else if(mcsec_mcx_id_source == MCSEC_SRC_XML) {
			/* a clear element of the MC info body (TS 24.379
			 * mcptt-request-uri ...): copied to cand_z below */
			if((ret = xml_candidate(msg, &cb, cand_z, sizeof(cand_z))) < 0)
				goto out;
			cand.s = cand_z;
			cand.len = ret;
		} else
			cand = impu;
		if(cand.len <= 0 || (size_t)cand.len >= sizeof(cand_z)) {
			ret = upload_fail(msg, MCSEC_ERR_IDENTITY_MISMATCH,
					"no MC service ID candidate for a hidden initiator");
			goto out;
		}
		memmove(cand_z, cand.s, cand.len);
		cand_z[cand.len] = '\0';
		memcpy(mcx, cand_z, (size_t)cand.len + 1);
		mcx_len = (size_t)cand.len;
	} else {
		if(m->idi.len == 0 || m->idi.len >= sizeof(mcx)
				|| memchr(m->idi.data, 0, m->idi.len)) {
			ret = upload_fail(msg, MCSEC_ERR_MALFORMED, "IDRi");
			goto out;
		}
		memcpy(mcx, m->idi.data, m->idi.len);
		mcx[m->idi.len] = '\0';
		mcx_len = m->idi.len;
	}

	/* KMS acceptance before any crypto (5.2.8.2.3): 488 + KRR */
	{
		int replied = 0;
		ret = mcsec_kms_upload_check(
				msg, m, m->hidden_i ? cand_z : NULL, &replied);
		if(replied)
			goto out;
	}

	/* refresh: the same I_MESSAGE from the same client costs no crypto */
	if(mcsec_csk_digest(m->raw, m->len, digest) != MCSEC_OK) {
		ret = upload_fail(msg, MCSEC_ERR_INTERNAL, "digest");
		goto out;
	}
	if(mcsec_csk_store_find_digest(
			   mcx, (int)mcx_len, digest, now + mcsec_csk_lifetime, &b)) {
		if(strcmp(b.impu, impu_z) != 0) {
			ret = upload_fail(
					msg, MCSEC_ERR_REPLAYED, "I_MESSAGE bound to another IMPU");
			goto out;
		}
		rc = finish_body(
				msg, &body, &cb, b.csk, b.csk_id, mcx, mcx_len, b.expires);
		if(rc != MCSEC_OK) {
			ret = upload_fail(msg, rc, "XML decryption");
			goto out;
		}
		atomic_inc(&mcsec_counters->cache_hits);
		atomic_inc(&mcsec_counters->uploads_ok);
		pv_done(mcx, impu_z, b.csk_id);
		ret = 1;
		goto out;
	}
	/* a replay of an accepted upload (by another process too): refused before crypto */
	if(replay_key(m, rkey) != MCSEC_OK) {
		ret = upload_fail(msg, MCSEC_ERR_INTERNAL, "replay key");
		goto out;
	}
	if(mcsec_replay_seen(rkey, now)) {
		ret = upload_fail(msg, MCSEC_ERR_REPLAYED, "seen before");
		goto out;
	}
	if(cached_only) {
		ret = 3;
		goto out;
	}
	mcsec_async_sched_apply(); /* once per process; see mcsec_mod.c */

	/* TS 33.180 5.4 / 5.2: verify and extract (freshness, KMS, ECCSI,
	 * purpose CSK, receiver = one of our identities, SAKKE) */
	mcsec_mikey_extract_opts_init(&o);
	o.expected_purpose = MCSEC_PURPOSE_CSK;
	o.our_uris = mcsec_our_uris;
	o.n_our_uris = mcsec_our_uris ? (size_t)mcsec_identities.n : 0;
	o.initiator_uri = m->hidden_i ? cand_z : NULL;
	o.window = (uint32_t)mcsec_window;
	t_x = thread_cpu_ns();
	rc = mcsec_mikey_extract(mcsec_ks, m, &o, &res, &merr);
	t_x = thread_cpu_ns() - t_x;
	if(rc != MCSEC_OK) {
		ret = upload_fail(msg, rc, merr.what ? merr.what : "extract");
		goto out;
	}
	atomic_inc(&mcsec_counters->decapsulations);
	if(m->hidden_i && !res.initiator_bound) {
		ret = upload_fail(msg, MCSEC_ERR_IDENTITY_MISMATCH, "hidden initiator");
		goto out;
	}
	/* replays across every process (shm), until T + window: recorded only once the
	 * signature verified (nobody can fill the table with unsigned messages); the
	 * check-and-insert is atomic, so of two copies racing in two workers one wins */
	{
		time_t t_unix = (time_t)(res.time - MCSEC_NTP_UNIX_OFFSET);
		int rr = mcsec_replay_add(rkey, t_unix + mcsec_window + 1, now);
		if(rr == -1) {
			ret = upload_fail(msg, MCSEC_ERR_REPLAYED, "seen before");
			goto out;
		}
		if(rr < 0) {
			ret = upload_fail(msg, MCSEC_ERR_INTERNAL, "replay table full");
			goto out;
		}
	}
	rc = finish_body(msg, &body, &cb, res.key, res.key_id, mcx, mcx_len, 0);
	if(rc != MCSEC_OK) {
		ret = upload_fail(msg, rc, "XML decryption");
		goto out;
	}

	/* the binding */
	pv_set(b.mcx_id, sizeof(b.mcx_id), mcx, mcx_len);
	pv_set(b.impu, sizeof(b.impu), impu_z, strlen(impu_z));
	pv_set(b.proxy_id, sizeof(b.proxy_id), res.responder ? res.responder : "",
			res.responder ? strlen(res.responder) : 0);
	pv_set(b.kms_uri, sizeof(b.kms_uri),
			res.kms_initiator ? res.kms_initiator : "",
			res.kms_initiator ? strlen(res.kms_initiator) : 0);
	memcpy(b.csk, res.key, sizeof(b.csk));
	b.csk_id = res.key_id;
	memcpy(b.rand, res.rand, res.rand_len);
	b.rand_len = (uint8_t)res.rand_len;
	b.period_no = res.entry && res.entry->ks ? res.entry->ks->key_period_no : 0;
	b.created = now;
	b.expires = now + mcsec_csk_lifetime;
	memcpy(b.digest, digest, sizeof(digest));
	rc = mcsec_csk_store_put(&b, &others);
	if(rc < 0) {
		ret = upload_fail(msg,
				rc == -2 ? MCSEC_ERR_UNSUPPORTED : MCSEC_ERR_INTERNAL,
				rc == -2 ? "identities too long for the CSK store"
						 : "CSK store full");
		goto out;
	}
	if(others > 0) {
		/* I.3.5: same client through a second identity; both kept until
		 * the key download resolves it */
		atomic_inc(&mcsec_counters->dual_bindings);
		LM_NOTICE("client %s uploaded a CSK through %s while bound through "
				  "%d other identity(ies)\n",
				mcx, b.proxy_id, others);
	}
	atomic_inc(&mcsec_counters->uploads_ok);
	pv_done(mcx, impu_z, res.key_id);
	__atomic_add_fetch(&mcsec_counters->crypto_n, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&mcsec_counters->crypto_ns, t_x, __ATOMIC_RELAXED);
	__atomic_add_fetch(&mcsec_counters->fresh_ns, thread_cpu_ns() - t_run,
			__ATOMIC_RELAXED);
	LM_INFO("CSK upload: mcx-id %s impu %s via %s csk-id %s\n", mcx, impu_z,
			b.proxy_id, mcsec_upload_pv.csk_id);
	ret = 1;
out:
	mcsec_csk_binding_clear(&b);
	mcsec_mikey_result_clear(&res);
	if(m)
		mcsec_mikey_msg_free(m);
	mcsec_csk_body_clear(&cb);
	return ret;
}
