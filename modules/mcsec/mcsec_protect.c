/*
 * mcsec - Kamailio module: XML signalling protection at the edge (TS 33.180
 * 9.3, I.3.4, I.3.7).
 *
 * mcsec_unprotect([peer]) on a message from a client (or a partner
 * domain): the keys are found (below), signatures verified where present or
 * required by the policy, EncryptedData and encrypted URIs decrypted, the
 * signatures part removed (lib xmldsig_body.c), and the body rewritten with
 * lumps, so the MCX server gets plain XML.
 * mcsec_protect([peer]) / mcsec_protect_client(uri) on a message towards a
 * client (or partner domain): encrypt per policy and sign.
 *
 * Keys (9.3.3, F.1.4): towards/from a client the XPK is its CSK (XPK-ID =
 * CSK-ID) from the CSK store, keys derived with the binding's MC service ID
 * (modparam raw_xpk: the CSK itself).  From a client, the sender is the
 * P-Asserted-Identity (else From; on replies else To) and every XPK-ID the
 * body names must be a CSK-ID bound to that sender: a key of another client
 * is refused.  Towards a client, the destination is the To URI of a request
 * (the From URI of a reply), or the argument of mcsec_protect_client().
 * With a peer argument the SPK configured for that partner domain (modparam
 * spk) is the XPK (I.3.7).
 *
 * Failures: requests are answered here (403/488/500, sl/tm) and nothing is
 * forwarded; on replies the function only returns a negative code (the cfg
 * sends 500 with t_reply and drops the reply).  Every refusal is logged
 * with LM_NOTICE, never with key material.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/atomic_ops.h"
#include "core/parser/msg_parser.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_content.h"
#include "core/parser/parse_to.h"
#include "core/ut.h"
#include "modules/sl/sl.h"

#include "encoding.h"
#include "kdf.h"
#include "mcsec_err.h"
#include "mime_multipart.h"
#include "xmlprot.h"

#include "mcsec_csk_store.h"
#include "mcsec_mod.h"
#include "mcsec_protect.h"
#include "mcsec_sip.h"

#define MAX_KEY_IDS 8
#define MAX_CTYPE 1024

int mcsec_require_encryption = 0;

/* ---- SPKs of partner domains (modparam spk), pkg memory of the main
 * process, inherited at fork, cleansed at destroy ---- */
typedef struct mcsec_spk
{
	char *peer;	  /* partner domain name (cfg argument) */
	char *mcx_id; /* P0 of F.1.4 for the derivation, shared with the peer */
	uint8_t spk[32];
	size_t spk_len;
	uint32_t spk_id;
	uint8_t rand[32]; /* SPK-RAND (9.2.3), kept for SRTCP */
	size_t rand_len;
	int raw; /* use the SPK itself (raw_xpk for this peer) */
	struct mcsec_spk *next;
} mcsec_spk_t;

static mcsec_spk_t *spks = NULL;
static sl_api_t slb;

/* ---- counters (shm) ---- */
typedef struct protect_counters
{
	atomic_t unprotected_ok;	/* bodies unprotected and rewritten */
	atomic_t protected_ok;		/* bodies protected and rewritten */
	atomic_t passthrough;		/* nothing to do (no XML / nothing covered) */
	atomic_t refused_no_key;	/* no CSK / SPK, unknown XPK-ID */
	atomic_t refused_wrong_key; /* XPK-ID bound to another client */
	atomic_t refused_integrity; /* signature or GCM tag failed, or a
								   required signature absent */
	atomic_t refused_clear;		/* require_encryption: item in clear */
	atomic_t refused_malformed; /* malformed / unsupported protection */
	atomic_t refused_internal;
	atomic_t refused_replies; /* of the refusals above: on replies */
} protect_counters_t;

static protect_counters_t *cnt = NULL;

/* refusal classes */
enum
{
	R_NO_KEY = 1,
	R_WRONG_KEY,
	R_INTEGRITY,
	R_CLEAR,
	R_MALFORMED,
	R_INTERNAL
};

/* ---- modparam spk ---- */

static int hex_field(const char *v, size_t vl, uint8_t *out, size_t cap,
		size_t *n, const char *what, const char *peer)
{
	char tmp[2 * 32 + 1];
	long r;

	if(vl == 0 || vl > 2 * cap || (vl & 1)) {
		LM_ERR("spk [%s]: %s must be 2..%zu hex digits\n", peer, what, 2 * cap);
		return -1;
	}
	memcpy(tmp, v, vl);
	tmp[vl] = '\0';
	r = mcsec_hex_decode(tmp, vl, out, cap);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	if(r < 0 || (size_t)r != vl / 2) {
		LM_ERR("spk [%s]: %s is not hex\n", peer, what);
		return -1;
	}
	*n = (size_t)r;
	return 0;
}

static void spk_free(mcsec_spk_t *k)
{
	if(!k)
		return;
	if(k->peer)
		pkg_free(k->peer);
	if(k->mcx_id)
		pkg_free(k->mcx_id);
	OPENSSL_cleanse(k, sizeof(*k));
	pkg_free(k);
}

static char *pkg_strndup(const char *s, size_t n)
{
	char *d = pkg_malloc(n + 1);
	if(!d) {
		PKG_MEM_ERROR;
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* "domain;spk-id=HEX;spk=HEX;rand=HEX;mcx-id=URI[;raw=1]" */
int mcsec_param_spk(modparam_t type, void *val)
{
	const char *s = (const char *)val, *p, *end;
	mcsec_spk_t *k, *o;
	uint8_t idb[4];
	size_t n;
	int have_id = 0, have_key = 0;

	if(!s || !*s) {
		LM_ERR("spk: empty value\n");
		return -1;
	}
	k = pkg_malloc(sizeof(*k));
	if(!k) {
		PKG_MEM_ERROR;
		return -1;
	}
	memset(k, 0, sizeof(*k));
	end = s + strlen(s);
	p = memchr(s, ';', end - s);
	if(!p)
		p = end;
	if(p == s) {
		LM_ERR("spk: the value starts with the partner domain name\n");
		goto err;
	}
	k->peer = pkg_strndup(s, p - s);
	if(!k->peer)
		goto err;
	while(p < end) {
		const char *f = p + 1, *fe, *eq;
		size_t nl, vl;
		fe = memchr(f, ';', end - f);
		if(!fe)
			fe = end;
		p = fe;
		if(fe == f)
			continue;
		eq = memchr(f, '=', fe - f);
		if(!eq) {
			LM_ERR("spk [%s]: field without '='\n", k->peer);
			goto err;
		}
		nl = eq - f;
		vl = fe - eq - 1;
		if(nl == 6 && !strncasecmp(f, "spk-id", 6)) {
			if(hex_field(eq + 1, vl, idb, 4, &n, "spk-id", k->peer) < 0
					|| n != 4) {
				LM_ERR("spk [%s]: spk-id must be 4 octets\n", k->peer);
				goto err;
			}
			k->spk_id = ((uint32_t)idb[0] << 24) | ((uint32_t)idb[1] << 16)
						| ((uint32_t)idb[2] << 8) | idb[3];
			have_id = 1;
		} else if(nl == 3 && !strncasecmp(f, "spk", 3)) {
			if(hex_field(eq + 1, vl, k->spk, sizeof(k->spk), &k->spk_len, "spk",
					   k->peer)
					< 0)
				goto err;
			if(k->spk_len != 16 && k->spk_len != 32) {
				LM_ERR("spk [%s]: the SPK must be 16 (or 32) octets\n",
						k->peer);
				goto err;
			}
			have_key = 1;
		} else if(nl == 4 && !strncasecmp(f, "rand", 4)) {
			if(hex_field(eq + 1, vl, k->rand, sizeof(k->rand), &k->rand_len,
					   "rand", k->peer)
					< 0)
				goto err;
		} else if(nl == 6 && !strncasecmp(f, "mcx-id", 6)) {
			if(vl == 0) {
				LM_ERR("spk [%s]: empty mcx-id\n", k->peer);
				goto err;
			}
			k->mcx_id = pkg_strndup(eq + 1, vl);
			if(!k->mcx_id)
				goto err;
		} else if(nl == 3 && !strncasecmp(f, "raw", 3)) {
			k->raw = (vl == 1 && eq[1] == '1');
		} else {
			LM_ERR("spk [%s]: unknown field [%.*s]\n", k->peer, (int)nl, f);
			goto err;
		}
	}
	if(!have_id || !have_key) {
		LM_ERR("spk [%s]: spk-id and spk are required\n", k->peer);
		goto err;
	}
	/* Annex G: the top 4 bits of the key ID are the purpose tag, 3 = SPK */
	if((k->spk_id >> 28) != MCSEC_PURPOSE_SPK) {
		LM_ERR("spk [%s]: spk-id %08x does not carry the SPK purpose tag 3 "
			   "(top 4 bits)\n",
				k->peer, k->spk_id);
		goto err;
	}
	if(!k->mcx_id && !k->raw && !mcsec_raw_xpk) {
		LM_ERR("spk [%s]: mcx-id (the MC service ID both domains use for the "
			   "F.1.4 derivation) is required unless raw=1\n",
				k->peer);
		goto err;
	}
	for(o = spks; o; o = o->next)
		if(!strcasecmp(o->peer, k->peer)) {
			LM_ERR("spk [%s]: partner domain configured twice\n", k->peer);
			goto err;
		}
	k->next = spks;
	spks = k;
	return 0;
err:
	spk_free(k);
	return -1;
}

static const mcsec_spk_t *spk_find(const str *peer)
{
	const mcsec_spk_t *k;

	for(k = spks; k; k = k->next)
		if(strlen(k->peer) == (size_t)peer->len
				&& !strncasecmp(k->peer, peer->s, peer->len))
			return k;
	return NULL;
}

/* ---- life cycle ---- */

int mcsec_protect_init(void)
{
	const mcsec_spk_t *k;
	int n = 0;

	if(sl_load_api(&slb) != 0) {
		LM_ERR("cannot bind to the sl module (load sl.so before mcsec)\n");
		return -1;
	}
	cnt = shm_malloc(sizeof(*cnt));
	if(!cnt) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(cnt, 0, sizeof(*cnt));
	for(k = spks; k; k = k->next) {
		LM_INFO("SPK for partner domain %s: spk-id %08x%s\n", k->peer,
				k->spk_id, (k->raw || mcsec_raw_xpk) ? " (raw)" : "");
		n++;
	}
	if(n)
		LM_INFO("%d partner domain SPK(s) configured\n", n);
	return 0;
}

void mcsec_protect_destroy(void)
{
	while(spks) {
		mcsec_spk_t *k = spks;
		spks = k->next;
		spk_free(k);
	}
	if(cnt) {
		shm_free(cnt);
		cnt = NULL;
	}
}

int mcsec_protect_rpc_stats(rpc_t *rpc, void *th)
{
	if(!cnt)
		return 0;
	if(rpc->struct_add(th, "dddddddddd", "xml_unprotected",
			   atomic_get(&cnt->unprotected_ok), "xml_protected",
			   atomic_get(&cnt->protected_ok), "xml_passthrough",
			   atomic_get(&cnt->passthrough), "xml_refused_no_key",
			   atomic_get(&cnt->refused_no_key), "xml_refused_wrong_key",
			   atomic_get(&cnt->refused_wrong_key), "xml_refused_integrity",
			   atomic_get(&cnt->refused_integrity), "xml_refused_clear",
			   atomic_get(&cnt->refused_clear), "xml_refused_malformed",
			   atomic_get(&cnt->refused_malformed), "xml_refused_internal",
			   atomic_get(&cnt->refused_internal), "xml_refused_replies",
			   atomic_get(&cnt->refused_replies))
			< 0)
		return -1;
	return 0;
}

/* ---- refusals ---- */

static int refuse(sip_msg_t *msg, int cls, const char *dir, const char *who,
		int err, const char *detail)
{
	int st;
	const char *reason;
	str r;

	switch(cls) {
		case R_NO_KEY:
			atomic_inc(&cnt->refused_no_key);
			st = 403;
			reason = "Forbidden (no XML protection key)";
			break;
		case R_WRONG_KEY:
			atomic_inc(&cnt->refused_wrong_key);
			st = 403;
			reason = "Forbidden (XML protection key not bound to sender)";
			break;
		case R_INTEGRITY:
			atomic_inc(&cnt->refused_integrity);
			st = 403;
			reason = "Forbidden (XML signature or decryption check failed)";
			break;
		case R_CLEAR:
			atomic_inc(&cnt->refused_clear);
			st = 488;
			reason = "Not Acceptable Here (XML protection required)";
			break;
		case R_MALFORMED:
			atomic_inc(&cnt->refused_malformed);
			st = 488;
			reason = "Not Acceptable Here (XML protection not acceptable)";
			break;
		default:
			atomic_inc(&cnt->refused_internal);
			st = 500;
			reason = "Server Internal Error (XML protection)";
			LM_ERR("XML %s: internal error (%s%s%s)\n", dir,
					err ? mcsec_strerror(err) : "", err && detail ? ": " : "",
					detail ? detail : "");
			break;
	}
	if(msg->first_line.type == SIP_REPLY) {
		atomic_inc(&cnt->refused_replies);
		LM_NOTICE("XML %s of a %d reply (%.*s) refused: %s (%s%s%s), peer "
				  "%s: the reply is not forwarded\n",
				dir, msg->first_line.u.reply.statuscode,
				msg->callid ? msg->callid->body.len : 0,
				msg->callid ? msg->callid->body.s : "", reason,
				err ? mcsec_strerror(err) : "", err && detail ? ": " : "",
				detail ? detail : "", who ? who : "-");
		/* nothing sent: the cfg answers 500 and drops the reply */
		return st == 500 ? -5 : st == 488 ? -4 : -3;
	}
	LM_NOTICE("XML %s of %.*s (%.*s) refused: %d %s (%s%s%s), peer %s\n", dir,
			msg->first_line.u.request.method.len,
			msg->first_line.u.request.method.s,
			msg->callid ? msg->callid->body.len : 0,
			msg->callid ? msg->callid->body.s : "", st, reason,
			err ? mcsec_strerror(err) : "", err && detail ? ": " : "",
			detail ? detail : "", who ? who : "-");
	if(msg->REQ_METHOD != METHOD_ACK) {
		r.s = (char *)reason;
		r.len = strlen(reason);
		if(slb.freply(msg, st, &r) < 0)
			LM_ERR("cannot send the %d reply\n", st);
	}
	/* negative: the script must not forward (0 would end it silently) */
	return st == 500 ? -5 : st == 488 ? -4 : -3;
}

static int err_class(int rc)
{
	switch(rc) {
		case MCSEC_ERR_NOT_FOUND:
			return R_NO_KEY;
		case MCSEC_ERR_BAD_SIGNATURE:
			return R_INTEGRITY;
		case MCSEC_ERR_MALFORMED:
		case MCSEC_ERR_UNSUPPORTED:
		case MCSEC_ERR_ARG:
			return R_MALFORMED;
		default:
			return R_INTERNAL;
	}
}

/* ---- message helpers ---- */

typedef struct body_ctx
{
	str body;
	char ctype[MAX_CTYPE];
} body_ctx_t;

/* 1: a body to look at; 0: none; -1: broken message */
static int get_msg_body(sip_msg_t *msg, body_ctx_t *b)
{
	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return -1;
	b->body.s = get_body(msg);
	if(!b->body.s)
		return 0;
	/* over UDP Content-Length may be absent: the body runs to the end of
	 * the datagram (RFC 3261 18.3), and must not escape the checks */
	if(msg->content_length)
		b->body.len = get_content_length(msg);
	else
		b->body.len = (int)(msg->buf + msg->len - b->body.s);
	if(b->body.len <= 0)
		return 0;
	if(b->body.s + b->body.len > msg->buf + msg->len)
		return -1;
	if(!msg->content_type) {
		int i;
		for(i = 0; i < b->body.len; i++)
			if(b->body.s[i] != '\r' && b->body.s[i] != '\n'
					&& b->body.s[i] != ' ' && b->body.s[i] != '\t')
				break;
		if(i == b->body.len)
			return 0; /* line ends after the headers: no body */
	}
	/* a body without Content-Type (RFC 3261 20.15) cannot be judged */
	if(!msg->content_type || msg->content_type->body.len <= 0
			|| msg->content_type->body.len >= MAX_CTYPE)
		return -1;
	memcpy(b->ctype, msg->content_type->body.s, msg->content_type->body.len);
	b->ctype[msg->content_type->body.len] = '\0';
	return 1;
}

/* 1 when the body may hold XML for the library to look at: an XML body, a
 * multipart with an XML part, or anything the library must judge (a
 * multipart that does not parse, a nested multipart: refused there, never
 * passed through unexamined); 0 for bodies without XML (SDP, text, ...) */
static int body_has_xml(const body_ctx_t *b)
{
	static mcsec_mime_t m; /* per process; large */
	size_t cl = strlen(b->ctype), i;
	const char *mt;
	size_t mtl;

	if(mcsec_mime_type_is_xml(b->ctype, cl))
		return 1;
	if(mcsec_mime_media_type(b->ctype, cl, &mt, &mtl) != MCSEC_OK)
		return 1;
	if(mtl < 10 || strncasecmp(mt, "multipart/", 10))
		return 0;
	if(mcsec_mime_parse(b->body.s, (size_t)b->body.len, b->ctype, cl, &m)
			!= MCSEC_OK)
		return 1;
	for(i = 0; i < m.nparts; i++) {
		const mcsec_mime_part_t *p = &m.parts[i];
		if(!p->ctype)
			continue; /* text/plain (RFC 2045 5.2) */
		if(mcsec_mime_type_is_xml(p->ctype, p->ctype_len))
			return 1;
		if(mcsec_mime_media_type(p->ctype, p->ctype_len, &mt, &mtl) != MCSEC_OK
				|| (mtl >= 10 && !strncasecmp(mt, "multipart/", 10)))
			return 1;
	}
	return 0;
}

static int is_reply(sip_msg_t *msg)
{
	return msg->first_line.type == SIP_REPLY;
}

/* the client that sent the message: P-Asserted-Identity, else From (a
 * request) or To (a reply: the client is the one that answered) */
static int sender_id(sip_msg_t *msg, str *id)
{
	if(!is_reply(msg))
		return mcsec_sip_impu(msg, id);
	if(mcsec_sip_impu(msg, id) == 0 && msg->pai)
		return 0;
	if(!msg->to || !get_to(msg))
		return -1;
	*id = get_to(msg)->uri;
	return 0;
}

/* the client a message goes to: To of a request, From of a reply */
static int dest_id(sip_msg_t *msg, str *id)
{
	if(is_reply(msg))
		return mcsec_sip_from_uri(msg, id);
	if(!msg->to || !get_to(msg))
		return -1;
	*id = get_to(msg)->uri;
	return 0;
}

/* rewrite the body unless the library returned what came in; 1 rewritten,
 * 2 unchanged, negative on failure */
static int apply(sip_msg_t *msg, body_ctx_t *b, const char *out, size_t out_len,
		const char *oct)
{
	if(out_len == (size_t)b->body.len && !memcmp(out, b->body.s, out_len)
			&& !strcmp(oct, b->ctype))
		return 2;
	if(mcsec_sip_rewrite_body(msg, &b->body, out, out_len, oct) < 0)
		return -1;
	return 1;
}

static int keys_for_spk(const mcsec_spk_t *k, mcsec_xml_keys_t *keys)
{
	const char *id = k->mcx_id ? k->mcx_id : k->peer;
	return mcsec_xml_keys_init(keys, k->spk, k->spk_len, k->spk_id, id,
			strlen(id), k->raw || mcsec_raw_xpk);
}

static int keys_for_binding(
		const mcsec_csk_binding_t *bd, mcsec_xml_keys_t *keys)
{
	return mcsec_xml_keys_init(keys, bd->csk, sizeof(bd->csk), bd->csk_id,
			bd->mcx_id, strnlen(bd->mcx_id, sizeof(bd->mcx_id)), mcsec_raw_xpk);
}

/* ---- unprotect ---- */

static int do_unprotect(sip_msg_t *msg, str *peer)
{
	body_ctx_t b;
	mcsec_xml_keys_t keys[MAX_KEY_IDS];
	mcsec_csk_binding_t bd;
	uint32_t ids[MAX_KEY_IDS];
	size_t nids = 0, nkeys = 0, i, out_len = 0;
	char *out = NULL, *oct = NULL, who[256];
	const mcsec_spk_t *spk = NULL;
	str sid = {0, 0};
	int rc, ret, throwaway = 0, no_spk = 0;

	memset(&b, 0, sizeof(b));
	memset(&bd, 0, sizeof(bd));
	memset(keys, 0, sizeof(keys));
	who[0] = '\0';
	rc = get_msg_body(msg, &b);
	if(rc < 0)
		return refuse(msg, R_MALFORMED, "unprotection", NULL, 0, "SIP message");
	if(rc == 0 || !body_has_xml(&b)) {
		atomic_inc(&cnt->passthrough);
		return 2;
	}
	mcsec_sip_xml_ready();
	if(peer && peer->len > 0) {
		snprintf(who, sizeof(who), "%.*s", peer->len, peer->s);
		spk = spk_find(peer);
		no_spk = spk == NULL;
	} else {
		if(sender_id(msg, &sid) < 0 || sid.len <= 0)
			return refuse(msg, R_MALFORMED, "unprotection", NULL, 0,
					"no sender identity");
		snprintf(who, sizeof(who), "%.*s", sid.len, sid.s);
	}
	rc = mcsec_xml_body_key_ids(
			b.body.s, (size_t)b.body.len, b.ctype, ids, MAX_KEY_IDS, &nids);
	if(rc != MCSEC_OK)
		return refuse(msg, err_class(rc), "unprotection", who, rc, "key names");

	if(spk) {
		/* one key: the library refuses items naming another XPK-ID */
		rc = keys_for_spk(spk, &keys[0]);
		if(rc != MCSEC_OK) {
			ret = refuse(msg, R_INTERNAL, "unprotection", who, rc, "keys");
			goto out;
		}
		nkeys = 1;
	} else if(no_spk && nids > 0) {
		ret = refuse(msg, R_NO_KEY, "unprotection", who, 0,
				"no SPK for this partner domain");
		goto out;
	} else if(nids == 0) {
		/* nothing names a key: the sender's newest CSK (for unnamed
		 * EncryptedData); without one (or without an SPK for the partner),
		 * a throw-away key, so that anything encrypted fails and plain XML
		 * passes (unless integrity is required by the policy) */
		if(!no_spk && mcsec_csk_store_lookup(sid.s, sid.len, 0, 0, &bd)) {
			rc = keys_for_binding(&bd, &keys[0]);
		} else {
			uint8_t tk[16];
			throwaway = 1;
			rc = RAND_bytes(tk, sizeof(tk)) == 1 ? mcsec_xml_keys_init(
						 &keys[0], tk, sizeof(tk), 0, "-", 1, 1)
												 : MCSEC_ERR_INTERNAL;
			OPENSSL_cleanse(tk, sizeof(tk));
		}
		mcsec_csk_binding_clear(&bd);
		if(rc != MCSEC_OK) {
			ret = refuse(msg, R_INTERNAL, "unprotection", who, rc, "keys");
			goto out;
		}
		nkeys = 1;
	} else {
		/* every XPK-ID named must be a CSK-ID bound to the sender */
		for(i = 0; i < nids; i++) {
			if(!mcsec_csk_store_lookup(sid.s, sid.len, 1, ids[i], &bd)) {
				int has_any = mcsec_csk_store_lookup(sid.s, sid.len, 0, 0, &bd);
				char d[64];
				mcsec_csk_binding_clear(&bd);
				snprintf(d, sizeof(d), "XPK-ID %08x", ids[i]);
				ret = refuse(msg, has_any ? R_WRONG_KEY : R_NO_KEY,
						"unprotection", who, 0, d);
				goto out;
			}
			rc = keys_for_binding(&bd, &keys[nkeys]);
			mcsec_csk_binding_clear(&bd);
			if(rc != MCSEC_OK) {
				ret = refuse(msg, R_INTERNAL, "unprotection", who, rc, "keys");
				goto out;
			}
			nkeys++;
		}
	}
	if(mcsec_require_encryption) {
		unsigned nclear = 0;
		rc = mcsec_xml_body_clear_items(b.body.s, (size_t)b.body.len, b.ctype,
				mcsec_upload_xml_policy(), &nclear);
		if(rc != MCSEC_OK) {
			ret = refuse(msg, err_class(rc), "unprotection", who, rc, "body");
			goto out;
		}
		if(nclear > 0) {
			char d[64];
			snprintf(d, sizeof(d), "%u item(s) in clear", nclear);
			ret = refuse(msg, R_CLEAR, "unprotection", who, 0, d);
			goto out;
		}
	}
	rc = mcsec_xml_body_unprotect(b.body.s, (size_t)b.body.len, b.ctype,
			mcsec_upload_xml_policy(), keys, nkeys, 0, &out, &out_len, &oct);
	if(rc != MCSEC_OK) {
		ret = refuse(msg, throwaway ? R_NO_KEY : err_class(rc), "unprotection",
				who, rc,
				!throwaway ? "body"
				: no_spk   ? "no SPK for this partner domain"
						   : "no CSK for the sender");
		goto out;
	}
	ret = apply(msg, &b, out, out_len, oct);
	if(ret < 0) {
		ret = refuse(msg, R_INTERNAL, "unprotection", who, 0, "body rewrite");
		goto out;
	}
	if(ret == 1)
		atomic_inc(&cnt->unprotected_ok);
	else
		atomic_inc(&cnt->passthrough);
out:
	for(i = 0; i < MAX_KEY_IDS; i++)
		mcsec_xml_keys_clear(&keys[i]);
	if(out) {
		OPENSSL_cleanse(out, out_len);
		free(out);
	}
	free(oct);
	return ret;
}

/* ---- protect ---- */

/* 1 when the policy would change the body (an item to encrypt or integrity
 * required), 0 when it passes unchanged, -1 on error: the library's own
 * decision, taken with a throw-away key whose output is discarded */
static int needs_protection(body_ctx_t *b)
{
	mcsec_xml_keys_t tk;
	uint8_t k[16];
	char *out = NULL, *oct = NULL;
	size_t out_len = 0;
	int rc, ret;

	if(RAND_bytes(k, sizeof(k)) != 1)
		return -1;
	rc = mcsec_xml_keys_init(&tk, k, sizeof(k), 0, "-", 1, 1);
	OPENSSL_cleanse(k, sizeof(k));
	if(rc != MCSEC_OK)
		return -1;
	rc = mcsec_xml_body_protect(b->body.s, (size_t)b->body.len, b->ctype,
			mcsec_upload_xml_policy(), &tk, &out, &out_len, &oct);
	mcsec_xml_keys_clear(&tk);
	if(rc != MCSEC_OK)
		ret = 1; /* refuse what the library cannot process either */
	else
		ret = !(out_len == (size_t)b->body.len
				&& !memcmp(out, b->body.s, out_len) && !strcmp(oct, b->ctype));
	free(out);
	free(oct);
	return ret;
}

static int do_protect(sip_msg_t *msg, str *peer, str *client)
{
	body_ctx_t b;
	mcsec_xml_keys_t keys;
	mcsec_csk_binding_t bd;
	size_t out_len = 0;
	char *out = NULL, *oct = NULL, who[256];
	const mcsec_spk_t *spk = NULL;
	str did = {0, 0};
	int rc, ret;

	memset(&b, 0, sizeof(b));
	memset(&bd, 0, sizeof(bd));
	memset(&keys, 0, sizeof(keys));
	who[0] = '\0';
	rc = get_msg_body(msg, &b);
	if(rc < 0)
		return refuse(msg, R_MALFORMED, "protection", NULL, 0, "SIP message");
	if(rc == 0 || !body_has_xml(&b)) {
		atomic_inc(&cnt->passthrough);
		return 2;
	}
	mcsec_sip_xml_ready();
	if(peer && peer->len > 0) {
		snprintf(who, sizeof(who), "%.*s", peer->len, peer->s);
		spk = spk_find(peer);
		if(!spk) {
			/* as towards a client without CSK: only what the policy
			 * leaves untouched goes out */
			rc = needs_protection(&b);
			if(rc == 0) {
				atomic_inc(&cnt->passthrough);
				return 2;
			}
			return refuse(msg, rc < 0 ? R_INTERNAL : R_NO_KEY, "protection",
					who, 0, "no SPK for this partner domain");
		}
		rc = keys_for_spk(spk, &keys);
	} else {
		if(client && client->len > 0)
			did = *client;
		else if(dest_id(msg, &did) < 0 || did.len <= 0)
			return refuse(msg, R_MALFORMED, "protection", NULL, 0,
					"no destination identity");
		snprintf(who, sizeof(who), "%.*s", did.len, did.s);
		if(!mcsec_csk_store_lookup(did.s, did.len, 0, 0, &bd)) {
			/* no CSK: only a body the policy leaves untouched (nothing to
			 * encrypt, no integrity required) may go out in clear */
			rc = needs_protection(&b);
			if(rc == 0) {
				atomic_inc(&cnt->passthrough);
				return 2;
			}
			return refuse(msg, rc < 0 ? R_INTERNAL : R_NO_KEY, "protection",
					who, 0, "no CSK for the destination client");
		}
		rc = keys_for_binding(&bd, &keys);
		mcsec_csk_binding_clear(&bd);
	}
	if(rc != MCSEC_OK) {
		ret = refuse(msg, R_INTERNAL, "protection", who, rc, "keys");
		goto out;
	}
	rc = mcsec_xml_body_protect(b.body.s, (size_t)b.body.len, b.ctype,
			mcsec_upload_xml_policy(), &keys, &out, &out_len, &oct);
	if(rc != MCSEC_OK) {
		ret = refuse(msg,
				err_class(rc) == R_NO_KEY ? R_INTERNAL : err_class(rc),
				"protection", who, rc, "body");
		goto out;
	}
	ret = apply(msg, &b, out, out_len, oct);
	if(ret < 0) {
		ret = refuse(msg, R_INTERNAL, "protection", who, 0, "body rewrite");
		goto out;
	}
	if(ret == 1)
		atomic_inc(&cnt->protected_ok);
	else
		atomic_inc(&cnt->passthrough);
out:
	mcsec_xml_keys_clear(&keys);
	free(out);
	free(oct);
	return ret;
}

/* ---- exports ---- */

int ki_mcsec_unprotect(sip_msg_t *msg)
{
	return do_unprotect(msg, NULL);
}

int ki_mcsec_unprotect_peer(sip_msg_t *msg, str *peer)
{
	if(!peer || peer->len <= 0) {
		LM_ERR("empty partner domain name\n");
		return -1;
	}
	return do_unprotect(msg, peer);
}

int ki_mcsec_protect(sip_msg_t *msg)
{
	return do_protect(msg, NULL, NULL);
}

int ki_mcsec_protect_peer(sip_msg_t *msg, str *peer)
{
	if(!peer || peer->len <= 0) {
		LM_ERR("empty partner domain name\n");
		return -1;
	}
	return do_protect(msg, peer, NULL);
}

int ki_mcsec_protect_client(sip_msg_t *msg, str *client)
{
	if(!client || client->len <= 0) {
		LM_ERR("empty client identity\n");
		return -1;
	}
	return do_protect(msg, NULL, client);
}

int w_mcsec_unprotect(sip_msg_t *msg, char *peer, char *p2)
{
	str s;

	if(!peer)
		return ki_mcsec_unprotect(msg);
	if(fixup_get_svalue(msg, (gparam_t *)peer, &s) < 0) {
		LM_ERR("cannot get the partner domain name\n");
		return -1;
	}
	return ki_mcsec_unprotect_peer(msg, &s);
}

int w_mcsec_protect(sip_msg_t *msg, char *peer, char *p2)
{
	str s;

	if(!peer)
		return ki_mcsec_protect(msg);
	if(fixup_get_svalue(msg, (gparam_t *)peer, &s) < 0) {
		LM_ERR("cannot get the partner domain name\n");
		return -1;
	}
	return ki_mcsec_protect_peer(msg, &s);
}

int w_mcsec_protect_client(sip_msg_t *msg, char *client, char *p2)
{
	str s;

	if(fixup_get_svalue(msg, (gparam_t *)client, &s) < 0) {
		LM_ERR("cannot get the client identity\n");
		return -1;
	}
	return ki_mcsec_protect_client(msg, &s);
}
