/*
 * mcsec - verification of a MIKEY-SAKKE I_MESSAGE and extraction of the key
 * it distributes (TS 33.180 5.2.2-5.2.6, E.1-E.7; RFC 6509 2.3).
 *
 * Order bounds the cost of a forged message: everything cheap, then the
 * ECCSI verification, and only then any SAKKE work.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "eccsi.h"
#include "encoding.h"
#include "kdf.h"
#include "keystore.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "sakke.h"

void mcsec_mikey_extract_opts_init(mcsec_mikey_extract_opts_t *o)
{
	if(!o)
		return;
	memset(o, 0, sizeof(*o));
	o->expected_purpose = -1;
}

static int x_fail(
		mcsec_mikey_err_t *err, int code, size_t off, const char *what)
{
	if(err) {
		err->code = code;
		err->offset = off;
		err->what = what;
	}
	return code;
}

/* A URI-valued IDR: no NUL inside. */
static int idr_is_text(const mcsec_mikey_idr_t *id)
{
	return id->present && id->len > 0 && !memchr(id->data, 0, id->len);
}


static char *hex_dup(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);
	if(!s)
		return NULL;
	mcsec_hex_encode(p, n, s);
	return s;
}

/* Receiver key set for a URI-valued IDR: distinguishes "no key set for
 * this identity at all" (not for us) from "not for this period". */
static int find_receiver(const mcsec_keystore_t *ks,
		const mcsec_mikey_idr_t *id, const mcsec_mikey_idr_t *kms, uint64_t pno,
		const mcsec_keystore_entry_t **out)
{
	int rc = mcsec_keystore_find_keyset(ks, (const char *)id->data, id->len,
			(const char *)kms->data, kms->len, pno, out);
	if(rc == MCSEC_OK)
		return rc;
	for(size_t i = 0; i < mcsec_keystore_nkeysets(ks); i++) {
		const mcsec_keystore_entry_t *e = mcsec_keystore_entry_at(ks, i);
		if(e && e->ks && e->ks->user_uri && strlen(e->ks->user_uri) == id->len
				&& !memcmp(e->ks->user_uri, id->data, id->len))
			return MCSEC_ERR_NO_KEYSET;
	}
	return MCSEC_ERR_NOT_FOR_US;
}

static size_t t_offset(const mcsec_mikey_msg_t *m)
{
	for(size_t i = 1; i < m->npayloads; i++)
		if(m->payload_type[i] == MCSEC_MIKEY_PT_T)
			return m->payload_off[i];
	return 0;
}

static int uri_allowed(const mcsec_mikey_extract_opts_t *o, const char *uri)
{
	if(!o->our_uris)
		return 1;
	for(size_t i = 0; i < o->n_our_uris; i++)
		if(o->our_uris[i] && uri && !strcmp(o->our_uris[i], uri))
			return 1;
	return 0;
}

int mcsec_mikey_extract(const mcsec_keystore_t *ks, const mcsec_mikey_msg_t *m,
		const mcsec_mikey_extract_opts_t *opts, mcsec_mikey_result_t *res,
		mcsec_mikey_err_t *err)
{
	mcsec_mikey_extract_opts_t defo;
	const mcsec_kms_cert_t *icert, *rcert;
	const mcsec_keystore_entry_t *entry = NULL;
	const mcsec_mikey_sakke_t *sakke = &m->sakke;
	uint8_t iuid[MCSEC_UID_LEN];
	uint64_t now, window, t, pno_i = 0, pno_r = 0;
	unsigned purpose;
	int rc, compat_range = 0;

	if(err) {
		err->code = MCSEC_OK;
		err->offset = 0;
		err->what = NULL;
	}
	if(!ks || !m || !res)
		return MCSEC_ERR_ARG;
	memset(res, 0, sizeof(*res));
	if(!opts) {
		mcsec_mikey_extract_opts_init(&defo);
		opts = &defo;
	}
	now = opts->now ? opts->now : (uint64_t)time(NULL) + MCSEC_NTP_UNIX_OFFSET;
	window = opts->window ? opts->window : MCSEC_MIKEY_DEFAULT_WINDOW;
	t = m->t_secs;

	/* URI-valued identities must be text */
	if((!m->hidden_i && !idr_is_text(&m->idi)))
		return x_fail(
				err, MCSEC_ERR_MALFORMED, m->idi.offset, "IDRi not a URI");
	if((!m->hidden_r && !idr_is_text(&m->idr)))
		return x_fail(
				err, MCSEC_ERR_MALFORMED, m->idr.offset, "IDRr not a URI");
	if(!idr_is_text(&m->kmsi))
		return x_fail(
				err, MCSEC_ERR_MALFORMED, m->kmsi.offset, "IDRkmsi not a URI");
	if(!idr_is_text(&m->kmsr))
		return x_fail(
				err, MCSEC_ERR_MALFORMED, m->kmsr.offset, "IDRkmsr not a URI");

	/* freshness (RFC 3830 5.4) */
	if(!opts->no_time_check && (t + window < now || t > now + window))
		return x_fail(err, MCSEC_ERR_STALE, t_offset(m),
				"T outside the freshness window");

	/* initiator's KMS certificate, usable at T */
	if((rc = mcsec_keystore_find_cert(
				ks, (const char *)m->kmsi.data, m->kmsi.len, t, &icert)))
		return x_fail(err, rc, m->kmsi.offset, "initiator KMS (IDRkmsi)");

	/* initiator UID: IDRuidi (E.7) or F.2.1 from IDRi and T's key period */
	if(m->hidden_i)
		memcpy(iuid, m->idi.data, MCSEC_UID_LEN);
	else {
		if((rc = mcsec_key_period_no(
					t, icert->user_key_period, icert->user_key_offset, &pno_i)))
			return x_fail(err, MCSEC_ERR_NO_KEYSET, t_offset(m),
					"T before the initiator KMS key period offset");
		if((rc = mcsec_uid((const char *)m->idi.data, m->idi.len,
					icert->kms_uri, strlen(icert->kms_uri),
					icert->user_key_period, icert->user_key_offset, pno_i,
					iuid)))
			return x_fail(err, rc, m->idi.offset, "initiator UID");
	}

	/* ECCSI (RFC 6507 5.2.2) over the signed range, before any SAKKE */
	rc = mcsec_eccsi_verify(icert->pub_auth_key, iuid, MCSEC_UID_LEN, m->raw,
			m->signed_len, m->sig);
	if(rc == MCSEC_ERR_BAD_SIGNATURE && opts->compat_sign_range) {
		/* opt-in: the range without the SIGN header (see mikey.h) */
		rc = mcsec_eccsi_verify(icert->pub_auth_key, iuid, MCSEC_UID_LEN,
				m->raw, m->signed_len - 2, m->sig);
		if(rc == MCSEC_OK)
			compat_range = 1;
	}
	if(rc)
		return x_fail(err, rc, m->signed_len - 2, "ECCSI signature");

	if(opts->replay
			&& (rc = mcsec_mikey_replay_check(opts->replay, iuid, MCSEC_UID_LEN,
						m->csb_id, m->rand, m->rand_len, now)))
		return x_fail(err, rc, 0, "replay cache");

	/* Annex G purpose tag of the CSB-ID (the GUK-ID keeps the GMK's tag) */
	purpose = mcsec_key_purpose(m->csb_id);
	if(!mcsec_key_purpose_name(purpose))
		return x_fail(err, MCSEC_ERR_WRONG_PURPOSE, 4,
				"CSB-ID purpose tag unassigned");
	if(opts->expected_purpose >= 0
			&& (unsigned)opts->expected_purpose != purpose)
		return x_fail(err, MCSEC_ERR_WRONG_PURPOSE, 4,
				"CSB-ID purpose tag not the expected one");

	/* identity binding (5.2.6, E.7) with a caller-supplied candidate */
	if(opts->initiator_uri) {
		size_t cl = strlen(opts->initiator_uri);
		if(m->hidden_i) {
			uint8_t cuid[MCSEC_UID_LEN];
			if((rc = mcsec_key_period_no(t, icert->user_key_period,
						icert->user_key_offset, &pno_i))
					|| (rc = mcsec_uid(opts->initiator_uri, cl, icert->kms_uri,
								strlen(icert->kms_uri), icert->user_key_period,
								icert->user_key_offset, pno_i, cuid)))
				return x_fail(err, MCSEC_ERR_IDENTITY_MISMATCH, m->idi.offset,
						"candidate initiator UID");
			if(CRYPTO_memcmp(cuid, iuid, MCSEC_UID_LEN))
				return x_fail(err, MCSEC_ERR_IDENTITY_MISMATCH, m->idi.offset,
						"candidate initiator URI does not match IDRuidi");
		} else if(cl != m->idi.len
				  || memcmp(opts->initiator_uri, m->idi.data, cl))
			return x_fail(err, MCSEC_ERR_IDENTITY_MISMATCH, m->idi.offset,
					"candidate initiator URI does not match IDRi");
		res->initiator_bound = 1;
	}

	/* receiver key set: IDRr + IDRkmsr + T's key period, or our UID */
	if((rc = mcsec_keystore_find_cert(
				ks, (const char *)m->kmsr.data, m->kmsr.len, t, &rcert)))
		return x_fail(err, rc, m->kmsr.offset, "receiver KMS (IDRkmsr)");
	if((rc = mcsec_key_period_no(
				t, rcert->user_key_period, rcert->user_key_offset, &pno_r)))
		return x_fail(err, MCSEC_ERR_NO_KEYSET, t_offset(m),
				"T before the receiver KMS key period offset");
	if(m->hidden_r) {
		rc = mcsec_keystore_find_keyset_by_uid(ks, m->idr.data,
				(const char *)m->kmsr.data, m->kmsr.len, &entry);
		if(rc)
			rc = MCSEC_ERR_NOT_FOR_US;
		else if(entry->ks->key_period_no != pno_r)
			rc = MCSEC_ERR_NO_KEYSET;
	} else
		rc = find_receiver(ks, &m->idr, &m->kmsr, pno_r, &entry);
	if(rc == MCSEC_OK && !uri_allowed(opts, entry->ks->user_uri))
		rc = MCSEC_ERR_NOT_FOR_US;
	if(rc == MCSEC_ERR_NOT_FOR_US && opts->allow_sakke_to_self
			&& m->sakke_self.present) {
		/* E.5: the initiator (another device of it) decapsulates its own
		 * copy; a receiver that is not the initiator ignores it */
		const mcsec_keystore_entry_t *se = NULL;
		int src;
		if(m->hidden_i)
			src = mcsec_keystore_find_keyset_by_uid(
					ks, iuid, (const char *)m->kmsi.data, m->kmsi.len, &se);
		else
			src = mcsec_keystore_find_keyset(ks, (const char *)m->idi.data,
					m->idi.len, (const char *)m->kmsi.data, m->kmsi.len, pno_i,
					&se);
		if(src == MCSEC_OK && uri_allowed(opts, se->ks->user_uri)) {
			entry = se;
			sakke = &m->sakke_self;
			res->via_sakke_to_self = 1;
			rc = MCSEC_OK;
		}
	}
	if(rc)
		return x_fail(err, rc, m->idr.offset,
				rc == MCSEC_ERR_NO_KEYSET
						? "no key set for the receiver in T's key period"
						: "receiver (IDRr) is not one of our identities");
	if(!entry->sakke)
		return x_fail(err, MCSEC_ERR_NO_KEYSET, m->idr.offset,
				"receiver key set has no SAKKE key");

	/* RFC 6508 6.2.2 */
	if((rc = mcsec_sakke_decap(
				entry->sakke, sakke->data, sakke->len, res->key))) {
		OPENSSL_cleanse(res->key, sizeof(res->key));
		return x_fail(err, MCSEC_ERR_DECAP_FAILED, sakke->offset,
				"SAKKE decapsulation");
	}

	res->csb_id = m->csb_id;
	res->key_id = m->csb_id;
	res->purpose = purpose;
	if(purpose == MCSEC_PURPOSE_GMK) {
		/* 5.2.3, F.1.3: GMK-ID = GUK-ID xor salt(GMK, receiver URI) */
		const char *ruri = entry->ks->user_uri;
		size_t rlen = strlen(ruri);
		uint32_t salt;
		if(res->via_sakke_to_self) {
			if(m->hidden_r) {
				rc = x_fail(err, MCSEC_ERR_UNSUPPORTED, m->idr.offset,
						"GMK via SAKKE-to-self with a hidden receiver");
				goto fail;
			}
			ruri = (const char *)m->idr.data;
			rlen = m->idr.len;
		}
		if((rc = mcsec_user_salt(
					res->key, MCSEC_MIKEY_KEY_LEN, ruri, rlen, &salt))) {
			x_fail(err, rc, 0, "user salt");
			goto fail;
		}
		res->has_guk_id = 1;
		res->guk_id = m->csb_id;
		res->key_id = mcsec_guk_id(m->csb_id, salt);
	}

	/* E.6 key parameters, decrypted with the DPCK of the distributed key */
	if(m->kp) {
		mcsec_mikey_err_t ke = {0, 0, NULL};
		rc = mcsec_mikey_kp_unprotect(
				m->kp, m->kp_len, res->key, &res->kp, &ke);
		if(rc) {
			x_fail(err, rc, m->kp_offset + 4 + ke.offset,
					ke.what ? ke.what : "key parameters");
			goto fail;
		}
		res->has_key_params = 1;
		if(res->kp.dppk_id != m->csb_id && res->kp.dppk_id != res->key_id) {
			rc = x_fail(err, MCSEC_ERR_MALFORMED, m->kp_offset + 4 + 28,
					"key parameters DPPK-ID is not the CSB-ID");
			goto fail;
		}
		if(!(res->kp.status & MCSEC_KP_STATUS_NOT_REVOKED)) {
			rc = x_fail(err, MCSEC_ERR_REVOKED, m->kp_offset + 4,
					"key parameters status: key revoked (E.6.9)");
			goto fail;
		}
	}

	res->compat_sign_range_used = compat_range;
	res->rand_len = m->rand_len;
	memcpy(res->rand, m->rand, m->rand_len);
	res->time = t;
	memcpy(res->initiator_uid, iuid, MCSEC_UID_LEN);
	res->initiator_hidden = m->hidden_i;
	res->responder_hidden = m->hidden_r;
	res->entry = entry;
	if(m->hidden_i && res->initiator_bound)
		res->initiator = strdup(opts->initiator_uri);
	else if(m->hidden_i)
		res->initiator = hex_dup(iuid, MCSEC_UID_LEN);
	else
		res->initiator = mcsec_memdup_str(m->idi.data, m->idi.len);
	if(res->via_sakke_to_self)
		res->responder = m->hidden_r
								 ? hex_dup(m->idr.data, m->idr.len)
								 : mcsec_memdup_str(m->idr.data, m->idr.len);
	else
		res->responder = strdup(entry->ks->user_uri);
	res->kms_initiator = mcsec_memdup_str(m->kmsi.data, m->kmsi.len);
	res->kms_responder = mcsec_memdup_str(m->kmsr.data, m->kmsr.len);
	if(!res->initiator || !res->responder || !res->kms_initiator
			|| !res->kms_responder) {
		rc = x_fail(err, MCSEC_ERR_INTERNAL, 0, "out of memory");
		goto fail;
	}

	if(opts->replay
			&& (rc = mcsec_mikey_replay_add(opts->replay, iuid, MCSEC_UID_LEN,
						m->csb_id, m->rand, m->rand_len, t + window, now))) {
		x_fail(err, rc, 0, "replay cache");
		goto fail;
	}
	return MCSEC_OK;
fail:
	mcsec_mikey_result_clear(res);
	return rc;
}

void mcsec_mikey_result_clear(mcsec_mikey_result_t *r)
{
	if(!r)
		return;
	OPENSSL_cleanse(r->key, sizeof(r->key));
	free(r->initiator);
	free(r->responder);
	free(r->kms_initiator);
	free(r->kms_responder);
	mcsec_mikey_keyparams_clear(&r->kp);
	memset(r, 0, sizeof(*r));
}
