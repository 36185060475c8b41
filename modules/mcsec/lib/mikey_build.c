/*
 * mcsec - MIKEY-SAKKE I_MESSAGE builder for an initiator holding a key set
 * (RFC 6509 2, TS 33.180 5.2.2-5.2.6, E.1-E.7).
 *
 * Payload order (DESIGN.md section 4): HDR, T, RAND, IDRi, IDRr, IDRkmsi,
 * IDRkmsr, [SP], SAKKE, [SAKKE-to-self], [key parameters], SIGN.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "eccsi.h"
#include "kdf.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "sakke.h"

typedef struct wbuf
{
	uint8_t *b;
	size_t len, cap;
	size_t next_at; /* offset of the pending "next payload" octet */
	int oom;
} wbuf_t;

static void w_reserve(wbuf_t *w, size_t n)
{
	if(w->oom)
		return;
	if(w->len + n > w->cap) {
		size_t nc = w->cap ? w->cap : 512;
		uint8_t *nb;
		while(nc < w->len + n)
			nc *= 2;
		nb = realloc(w->b, nc);
		if(!nb) {
			w->oom = 1;
			return;
		}
		w->b = nb;
		w->cap = nc;
	}
}

static void w_bytes(wbuf_t *w, const void *p, size_t n)
{
	w_reserve(w, n);
	if(w->oom)
		return;
	if(n)
		memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void w_u8(wbuf_t *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

static void w_u16(wbuf_t *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	w_bytes(w, b, 2);
}

static void w_u32(wbuf_t *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
			(uint8_t)v};
	w_bytes(w, b, 4);
}

/* Start a payload of the given type: patch the previous next-payload octet
 * and leave a placeholder for this payload's own. */
static void w_start(wbuf_t *w, uint8_t type)
{
	if(w->oom)
		return;
	w->b[w->next_at] = type;
	if(type == MCSEC_MIKEY_PT_SIGN)
		return; /* RFC 3830 6.5: SIGN has no next payload field */
	w->next_at = w->len;
	w_u8(w, MCSEC_MIKEY_PT_LAST);
}

static void w_idr(wbuf_t *w, uint8_t role, const uint8_t *id, size_t len)
{
	/* RFC 6043 6.6; E.7 keeps ID type 1 (URI) for UIDs */
	w_start(w, MCSEC_MIKEY_PT_IDR);
	w_u8(w, role);
	w_u8(w, MCSEC_MIKEY_IDTYPE_URI);
	w_u16(w, (uint16_t)len);
	w_bytes(w, id, len);
}

size_t mcsec_mikey_default_policy(unsigned purpose, uint8_t *buf, size_t cap)
{
	/* SRTP policy param type, value (all one octet long) */
	static const uint8_t gmk[][2] = {/* E.2.2 table E.2.2-1 */
			{0, 6}, {1, 16}, {2, 4}, {4, 12}, {5, 0}, {6, 0}, {13, 1}, {18, 4},
			{19, 0}, {20, 16}};
	static const uint8_t other[][2] = {/* E.3.2-1, E.4.2-1 */
			{0, 6}, {1, 16}, {4, 12}, {5, 0}, {6, 0}, {20, 16}};
	const uint8_t(*t)[2];
	size_t n;

	if(purpose == MCSEC_PURPOSE_GMK) {
		t = gmk;
		n = sizeof(gmk) / sizeof(gmk[0]);
	} else if(purpose == MCSEC_PURPOSE_PCK || purpose == MCSEC_PURPOSE_CSK
			  || purpose == MCSEC_PURPOSE_MUSIK) {
		t = other;
		n = sizeof(other) / sizeof(other[0]);
	} else
		return 0;
	if(cap < 3 * n)
		return 0;
	for(size_t i = 0; i < n; i++) {
		buf[3 * i] = t[i][0];
		buf[3 * i + 1] = 1;
		buf[3 * i + 2] = t[i][1];
	}
	return 3 * n;
}

int mcsec_mikey_build(
		const mcsec_mikey_build_opts_t *o, uint8_t **out, size_t *out_len)
{
	const mcsec_kms_keyset_t *iks;
	const mcsec_kms_cert_t *icert, *rcert;
	wbuf_t w = {0};
	uint64_t t, pno_i, pno_r;
	uint8_t ruid[MCSEC_UID_LEN], rand[16], sed[MCSEC_SAKKE_SED_LEN];
	uint8_t sig[MCSEC_ECCSI_SIG_LEN];
	const uint8_t *rnd;
	size_t rnd_len;
	uint32_t csb, salt;
	unsigned purpose;
	int rc;

	if(!o || !out || !out_len || !o->initiator || !o->initiator->ks
			|| !o->initiator->cert || !o->initiator->signer
			|| !o->responder_cert || !o->responder_uri || (o->ncs && !o->cs)
			|| o->ncs > 255
			|| (o->rand && (o->rand_len == 0 || o->rand_len > 255)))
		return MCSEC_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	iks = o->initiator->ks;
	icert = o->initiator->cert;
	rcert = o->responder_cert;
	t = o->time ? o->time : (uint64_t)time(NULL) + MCSEC_NTP_UNIX_OFFSET;
	if(t >> 32)
		return MCSEC_ERR_ARG;
	/* F.2.1: the signer's key set must be the one of T's key period */
	if((rc = mcsec_key_period_no(
				t, icert->user_key_period, icert->user_key_offset, &pno_i)))
		return rc;
	if(pno_i != iks->key_period_no)
		return MCSEC_ERR_NO_KEYSET;
	if((rc = mcsec_key_period_no(
				t, rcert->user_key_period, rcert->user_key_offset, &pno_r)))
		return rc;
	if((rc = mcsec_uid(o->responder_uri, strlen(o->responder_uri),
				rcert->kms_uri, strlen(rcert->kms_uri), rcert->user_key_period,
				rcert->user_key_offset, pno_r, ruid)))
		return rc;
	purpose = mcsec_key_purpose(o->key_id);
	csb = o->key_id;
	if(purpose == MCSEC_PURPOSE_GMK && !o->no_guk) {
		/* 5.2.3, F.1.3: CSB-ID = GUK-ID for this receiver */
		if((rc = mcsec_user_salt(o->key, MCSEC_MIKEY_KEY_LEN, o->responder_uri,
					strlen(o->responder_uri), &salt)))
			return rc;
		csb = mcsec_guk_id(o->key_id, salt);
	}
	if(o->rand) {
		rnd = o->rand;
		rnd_len = o->rand_len;
	} else {
		if(RAND_bytes(rand, sizeof(rand)) != 1)
			return MCSEC_ERR_INTERNAL;
		rnd = rand;
		rnd_len = sizeof(rand);
	}

	/* HDR (RFC 3830 6.1) */
	w_u8(&w, MCSEC_MIKEY_VERSION);
	w_u8(&w, MCSEC_MIKEY_DATA_TYPE_SAKKE);
	w.next_at = w.len;
	w_u8(&w, MCSEC_MIKEY_PT_LAST);
	w_u8(&w, MCSEC_MIKEY_PRF_HMAC_SHA256); /* V = 0 */
	w_u32(&w, csb);
	w_u8(&w, (uint8_t)o->ncs);
	w_u8(&w, o->ncs ? MCSEC_MIKEY_MAP_GENERIC_ID : MCSEC_MIKEY_MAP_EMPTY);
	for(size_t i = 0; i < o->ncs; i++) {
		const mcsec_mikey_cs_t *c = &o->cs[i];
		if(c->npolicies > 127 || (c->npolicies && !c->policies)
				|| (c->session_data_len && !c->session_data)
				|| (c->spi_len && !c->spi)) {
			rc = MCSEC_ERR_ARG;
			goto done;
		}
		/* RFC 6043 6.1.1 */
		w_u8(&w, c->cs_id);
		w_u8(&w, c->prot_type);
		w_u8(&w, (uint8_t)((c->s_flag ? 0x80 : 0) | c->npolicies));
		w_bytes(&w, c->policies, c->npolicies);
		w_u16(&w, c->session_data_len);
		w_bytes(&w, c->session_data, c->session_data_len);
		w_u8(&w, c->spi_len);
		w_bytes(&w, c->spi, c->spi_len);
	}
	/* T: NTP-UTC (E.1.2) */
	w_start(&w, MCSEC_MIKEY_PT_T);
	w_u8(&w, MCSEC_MIKEY_TS_NTP_UTC);
	w_u32(&w, (uint32_t)t);
	w_u32(&w, 0);
	/* RAND */
	w_start(&w, MCSEC_MIKEY_PT_RAND);
	w_u8(&w, (uint8_t)rnd_len);
	w_bytes(&w, rnd, rnd_len);
	/* IDR payloads (RFC 6043 6.6, E.7) */
	if(o->hide_ids)
		w_idr(&w, MCSEC_MIKEY_ROLE_IDRUIDI, iks->user_id, MCSEC_UID_LEN);
	else
		w_idr(&w, MCSEC_MIKEY_ROLE_IDRI, (const uint8_t *)iks->user_uri,
				strlen(iks->user_uri));
	if(o->hide_ids)
		w_idr(&w, MCSEC_MIKEY_ROLE_IDRUIDR, ruid, MCSEC_UID_LEN);
	else
		w_idr(&w, MCSEC_MIKEY_ROLE_IDRR, (const uint8_t *)o->responder_uri,
				strlen(o->responder_uri));
	w_idr(&w, MCSEC_MIKEY_ROLE_IDRKMSI, (const uint8_t *)icert->kms_uri,
			strlen(icert->kms_uri));
	w_idr(&w, MCSEC_MIKEY_ROLE_IDRKMSR, (const uint8_t *)rcert->kms_uri,
			strlen(rcert->kms_uri));
	/* SP with the default profile (E.2.2 / E.3.2 / E.4.2) */
	if(o->add_sp) {
		uint8_t pol[64];
		size_t pl = mcsec_mikey_default_policy(purpose, pol, sizeof(pol));
		if(!pl) {
			rc = MCSEC_ERR_ARG;
			goto done;
		}
		w_start(&w, MCSEC_MIKEY_PT_SP);
		w_u8(&w, 0); /* policy no */
		w_u8(&w, 0); /* prot type SRTP */
		w_u16(&w, (uint16_t)pl);
		w_bytes(&w, pol, pl);
	}
	/* SAKKE (RFC 6509 4.2) to the receiver's UID */
	if((rc = mcsec_sakke_encap(
				rcert->pub_enc_key, ruid, MCSEC_UID_LEN, o->key, sed)))
		goto done;
	w_start(&w, MCSEC_MIKEY_PT_SAKKE);
	w_u8(&w, MCSEC_MIKEY_SAKKE_PARAMS_1);
	w_u8(&w, MCSEC_MIKEY_SAKKE_ID_SCHEME_UID);
	w_u16(&w, MCSEC_SAKKE_SED_LEN);
	w_bytes(&w, sed, sizeof(sed));
	/* SAKKE-to-self (E.5): a full SAKKE payload, inner next payload 0 */
	if(o->sakke_to_self) {
		if((rc = mcsec_sakke_encap(icert->pub_enc_key, iks->user_id,
					MCSEC_UID_LEN, o->key, sed)))
			goto done;
		w_start(&w, MCSEC_MIKEY_PT_GENEXT);
		w_u8(&w, MCSEC_MIKEY_GENEXT_SAKKE_TO_SELF);
		w_u16(&w, 5 + MCSEC_SAKKE_SED_LEN);
		w_u8(&w, MCSEC_MIKEY_PT_LAST);
		w_u8(&w, MCSEC_MIKEY_SAKKE_PARAMS_1);
		w_u8(&w, MCSEC_MIKEY_SAKKE_ID_SCHEME_UID);
		w_u16(&w, MCSEC_SAKKE_SED_LEN);
		w_bytes(&w, sed, sizeof(sed));
	}
	/* key parameters (E.6): DPPK-ID = CSB-ID */
	if(o->kp) {
		uint8_t *kp;
		size_t kpl;
		uint64_t dt = o->kp_date_time;
		if(!dt && t > MCSEC_NTP_UNIX_OFFSET)
			dt = t - MCSEC_NTP_UNIX_OFFSET;
		if((rc = mcsec_mikey_kp_protect(
					o->kp, o->key, csb, dt, NULL, &kp, &kpl)))
			goto done;
		if(kpl > 0xffff) {
			free(kp);
			rc = MCSEC_ERR_ARG;
			goto done;
		}
		w_start(&w, MCSEC_MIKEY_PT_GENEXT);
		w_u8(&w, MCSEC_MIKEY_GENEXT_KEY_PARAMS);
		w_u16(&w, (uint16_t)kpl);
		w_bytes(&w, kp, kpl);
		free(kp);
	}
	/* SIGN (RFC 3830 6.5, RFC 6509 4.3): signed octets end with its
	 * 2-octet header */
	w_start(&w, MCSEC_MIKEY_PT_SIGN);
	w_u8(&w, (uint8_t)((MCSEC_MIKEY_SIGN_ECCSI << 4)
					   | (MCSEC_ECCSI_SIG_LEN >> 8)));
	w_u8(&w, (uint8_t)(MCSEC_ECCSI_SIG_LEN & 0xff));
	if(w.oom) {
		rc = MCSEC_ERR_INTERNAL;
		goto done;
	}
	if((rc = mcsec_eccsi_sign(o->initiator->signer, w.b, w.len, sig)))
		goto done;
	w_bytes(&w, sig, sizeof(sig));
	if(w.oom) {
		rc = MCSEC_ERR_INTERNAL;
		goto done;
	}
	*out = w.b;
	*out_len = w.len;
	w.b = NULL;
	rc = MCSEC_OK;
done:
	free(w.b);
	OPENSSL_cleanse(sed, sizeof(sed));
	return rc;
}
