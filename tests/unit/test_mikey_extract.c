/*
 * MIKEY-SAKKE build -> parse -> verify+extract round trips (GMK with UK-ID
 * diversity, PCK, CSK, MuSiK; every payload combination the builder makes;
 * with and without hidden identities) and one negative test per validation
 * of TS 33.180 5.2.2-5.2.6 / E.1-E.7, with the cost of a bad signature
 * asserted through the ECCSI / SAKKE counters.
 * Keys: two test KMSs generated at start, key sets loaded as KMS XML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eccsi.h"
#include "encoding.h"
#include "kdf.h"
#include "keystore.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "sakke.h"
#include "test_mikey_keys.h"

#define T0 3900000000ull
#define PNO (T0 / TK_PERIOD)
#define KMS_A "kms.example.org"
#define KMS_B "kms.partner.example.net"
#define KMS_C "kms.unknown.example.com"
#define ALICE "sip:alice@example.org"
#define SERVER "sip:mcptt-server@example.org"
#define BOB "sip:bob@partner.example.net"
#define CAROL "sip:carol@example.org" /* no key set anywhere */
#define DAVE "sip:dave@example.org"	  /* key set of another period */
#define ERIN "sip:erin@unknown.example.com"

static tk_kms_t kA, kB, kC;
/* full: everything (initiators build from it); recv: what the receiving
 * proxy holds (certs A and B, key sets of SERVER, BOB, DAVE, ALICE) */
static mcsec_keystore_t *full, *recv;
static const mcsec_keystore_entry_t *alice, *erin;
static const mcsec_kms_cert_t *certA, *certB, *certC;

static int setup(void **state)
{
	(void)state;
	if(tk_kms_init(&kA, KMS_A) || tk_kms_init(&kB, KMS_B)
			|| tk_kms_init(&kC, KMS_C))
		return -1;
	full = mcsec_keystore_new();
	recv = mcsec_keystore_new();
	if(!full || !recv)
		return -1;
	if(tk_load(full, kA.cert_xml, kA.cert_len)
			|| tk_load(full, kB.cert_xml, kB.cert_len)
			|| tk_load(full, kC.cert_xml, kC.cert_len)
			|| tk_load(recv, kA.cert_xml, kA.cert_len)
			|| tk_load(recv, kB.cert_xml, kB.cert_len))
		return -1;
	if(tk_load_keyset(full, &kA, ALICE, PNO)
			|| tk_load_keyset(full, &kC, ERIN, PNO)
			|| tk_load_keyset(recv, &kA, SERVER, PNO)
			|| tk_load_keyset(recv, &kB, BOB, PNO)
			|| tk_load_keyset(recv, &kA, DAVE, PNO - 1)
			|| tk_load_keyset(recv, &kA, ALICE, PNO))
		return -1;
	alice = tk_entry(full, ALICE, PNO);
	erin = tk_entry(full, ERIN, PNO);
	if(!alice || !erin)
		return -1;
	if(mcsec_keystore_find_cert(full, KMS_A, strlen(KMS_A), T0, &certA)
			|| mcsec_keystore_find_cert(full, KMS_B, strlen(KMS_B), T0, &certB)
			|| mcsec_keystore_find_cert(full, KMS_C, strlen(KMS_C), T0, &certC))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mcsec_keystore_free(full);
	mcsec_keystore_free(recv);
	tk_kms_free(&kA);
	tk_kms_free(&kB);
	tk_kms_free(&kC);
	return 0;
}

static const uint8_t KEY[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x0f};
static const uint8_t RAND[16] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void base_opts(mcsec_mikey_build_opts_t *o, const char *to,
		const mcsec_kms_cert_t *rc, uint32_t key_id)
{
	memset(o, 0, sizeof(*o));
	o->initiator = alice;
	o->responder_cert = rc;
	o->responder_uri = to;
	memcpy(o->key, KEY, 16);
	o->key_id = key_id;
	o->rand = RAND;
	o->rand_len = sizeof(RAND);
	o->time = T0;
}

static mcsec_mikey_msg_t *build_parse(const mcsec_mikey_build_opts_t *o)
{
	uint8_t *raw = NULL;
	size_t len = 0;
	mcsec_mikey_msg_t *m = NULL;
	mcsec_mikey_err_t e;

	assert_int_equal(mcsec_mikey_build(o, &raw, &len), MCSEC_OK);
	assert_int_equal(mcsec_mikey_parse(raw, len, &m, &e), MCSEC_OK);
	free(raw);
	return m;
}

static void opts_at(mcsec_mikey_extract_opts_t *x, uint64_t now)
{
	mcsec_mikey_extract_opts_init(x);
	x->now = now;
}

/* Re-sign a modified message as alice (to reach checks after ECCSI). */
static void resign(mcsec_mikey_msg_t *m)
{
	assert_int_equal(mcsec_eccsi_sign(alice->signer, m->raw, m->signed_len,
							 m->raw + m->signed_len),
			MCSEC_OK);
}

static const char *purpose_names[] = {
		"GMK", "PCK", "CSK", "SPK", "MKFC", "MSCCK", "MuSiK"};

/* ---- round trips ---- */

static void round_trip(unsigned purpose, int hide, int variant)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_result_t r;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	mcsec_mikey_cs_t cs[2];
	mcsec_mikey_keyparams_t kp;
	char *groups[2] = {"sip:group1@example.org", "sip:g2@example.org"};
	size_t glens[2] = {strlen(groups[0]), strlen(groups[1])};
	uint8_t pol0 = 0, spi[4] = {0xde, 0xad, 0xbe, 0xef};
	uint32_t kid = (purpose << 28) | 0x0123456u;

	base_opts(&o, SERVER, certA, kid);
	o.hide_ids = hide;
	memset(cs, 0, sizeof(cs));
	memset(&kp, 0, sizeof(kp));
	if(variant == 1) { /* SP with the default profile + GENERIC-ID */
		o.add_sp = 1;
		cs[0].cs_id = purpose == MCSEC_PURPOSE_GMK ? 4 : 6;
		cs[0].npolicies = 1;
		cs[0].policies = &pol0;
		cs[0].spi_len = 4;
		cs[0].spi = spi;
		cs[1].cs_id = purpose == MCSEC_PURPOSE_GMK ? 5 : 8;
		cs[1].npolicies = 1;
		cs[1].policies = &pol0;
		o.cs = cs;
		o.ncs = 2;
	} else if(variant == 2) /* SAKKE-to-self */
		o.sakke_to_self = 1;
	else if(variant == 3) { /* key parameters */
		kp.key_type = (uint8_t)purpose;
		kp.status = MCSEC_KP_STATUS_NOT_REVOKED | MCSEC_KP_STATUS_SHARED_SEGW;
		kp.activation = 1700000000;
		kp.expiry = 1800000000;
		kp.text = "key text";
		kp.text_len = 8;
		kp.has_groups =
				purpose == MCSEC_PURPOSE_GMK || purpose == MCSEC_PURPOSE_MUSIK;
		kp.groups = groups;
		kp.group_lens = glens;
		kp.ngroups = kp.has_groups ? 2 : 0;
		o.kp = &kp;
	} else if(variant == 4) { /* everything at once */
		o.add_sp = 1;
		o.sakke_to_self = 1;
		kp.key_type = (uint8_t)purpose;
		kp.status = MCSEC_KP_STATUS_NOT_REVOKED;
		kp.text = "";
		o.kp = &kp;
	}
	m = build_parse(&o);
	assert_int_equal(m->hidden_i, hide);
	assert_int_equal(m->hidden_r, hide);
	assert_int_equal(m->prf, 1);
	assert_int_equal(m->ncs, o.ncs);
	assert_int_equal(m->map_type, o.ncs ? 2 : 1);
	assert_int_equal(m->nsp, o.add_sp ? 1 : 0);
	assert_int_equal(m->sakke_self.present, o.sakke_to_self);
	assert_int_equal(m->kp != NULL, o.kp != NULL);
	if(variant == 1) {
		assert_int_equal(m->cs[0].spi_len, 4);
		assert_memory_equal(m->cs[0].spi, spi, 4);
		assert_int_equal(m->cs[1].npolicies, 1);
	}
	if(purpose == MCSEC_PURPOSE_GMK)
		assert_int_not_equal(m->csb_id, kid); /* GUK-ID */
	else
		assert_int_equal(m->csb_id, kid);

	opts_at(&x, T0 + 10);
	assert_int_equal(mcsec_mikey_extract(recv, m, &x, &r, &e), MCSEC_OK);
	assert_memory_equal(r.key, KEY, 16);
	assert_int_equal(r.key_id, kid);
	assert_int_equal(r.purpose, purpose);
	assert_int_equal(r.has_guk_id, purpose == MCSEC_PURPOSE_GMK);
	if(r.has_guk_id)
		assert_int_equal(r.guk_id, m->csb_id);
	assert_int_equal(r.rand_len, 16);
	assert_memory_equal(r.rand, RAND, 16);
	assert_int_equal(r.time, T0);
	assert_string_equal(r.responder, SERVER);
	assert_string_equal(r.kms_initiator, KMS_A);
	assert_string_equal(r.kms_responder, KMS_A);
	assert_int_equal(r.via_sakke_to_self, 0); /* receiver ignores it */
	assert_int_equal(r.initiator_hidden, hide);
	if(hide) {
		char hex[65];
		mcsec_hex_encode(alice->ks->user_id, 32, hex);
		assert_string_equal(r.initiator, hex);
		assert_int_equal(r.initiator_bound, 0);
	} else
		assert_string_equal(r.initiator, ALICE);
	assert_int_equal(r.has_key_params, o.kp != NULL);
	if(variant == 3) {
		assert_int_equal(r.kp.key_type, purpose);
		assert_int_equal(r.kp.status, 3);
		assert_int_equal(r.kp.activation, 1700000000);
		assert_int_equal(r.kp.expiry, 1800000000);
		assert_string_equal(r.kp.text, "key text");
		assert_int_equal(r.kp.has_groups, kp.has_groups);
		if(kp.has_groups) {
			assert_int_equal(r.kp.ngroups, 2);
			assert_string_equal(r.kp.groups[1], groups[1]);
		}
		assert_int_equal(r.kp.msg_type, 0x43);
		assert_int_equal(r.kp.dppk_id, m->csb_id);
	}
	mcsec_mikey_result_clear(&r);
	/* identity binding with the right candidate */
	x.initiator_uri = ALICE;
	assert_int_equal(mcsec_mikey_extract(recv, m, &x, &r, &e), MCSEC_OK);
	assert_int_equal(r.initiator_bound, 1);
	assert_string_equal(r.initiator, ALICE);
	mcsec_mikey_result_clear(&r);
	mcsec_mikey_msg_free(m);
}

static void test_round_trips(void **state)
{
	static const unsigned purposes[] = {MCSEC_PURPOSE_GMK, MCSEC_PURPOSE_PCK,
			MCSEC_PURPOSE_CSK, MCSEC_PURPOSE_MUSIK};
	(void)state;
	for(size_t p = 0; p < 4; p++)
		for(int hide = 0; hide < 2; hide++)
			for(int v = 0; v < 5; v++) {
				print_message("%s hide=%d variant=%d\n",
						purpose_names[purposes[p]], hide, v);
				round_trip(purposes[p], hide, v);
			}
}

/* GMK end-point diversity: one GMK, two receivers, two GUK-IDs, one
 * GMK-ID recovered by each (5.2.3, F.1.3). */
static void test_gmk_diversity(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_result_t r1, r2;
	mcsec_mikey_msg_t *m1, *m2;
	uint32_t kid = 0x0abcdef1u;
	uint32_t salt;
	(void)state;

	base_opts(&o, SERVER, certA, kid);
	m1 = build_parse(&o);
	base_opts(&o, BOB, certB, kid);
	m2 = build_parse(&o);
	assert_int_not_equal(m1->csb_id, m2->csb_id);
	assert_int_equal(mcsec_user_salt(KEY, 16, BOB, strlen(BOB), &salt), 0);
	assert_int_equal(m2->csb_id, kid ^ salt);
	assert_int_equal(m2->csb_id >> 28, 0);
	opts_at(&x, T0);
	assert_int_equal(mcsec_mikey_extract(recv, m1, &x, &r1, NULL), MCSEC_OK);
	assert_int_equal(mcsec_mikey_extract(recv, m2, &x, &r2, NULL), MCSEC_OK);
	assert_int_equal(r1.key_id, kid);
	assert_int_equal(r2.key_id, kid);
	assert_int_equal(r2.guk_id, m2->csb_id);
	assert_string_equal(r2.responder, BOB);
	assert_string_equal(r2.kms_responder, KMS_B);
	mcsec_mikey_result_clear(&r1);
	mcsec_mikey_result_clear(&r2);
	/* without diversity the CSB-ID is the GMK-ID and extraction, applying
	 * the salt as 5.2.3 requires, yields another ID */
	base_opts(&o, SERVER, certA, kid);
	o.no_guk = 1;
	mcsec_mikey_msg_free(m1);
	m1 = build_parse(&o);
	assert_int_equal(m1->csb_id, kid);
	assert_int_equal(mcsec_mikey_extract(recv, m1, &x, &r1, NULL), MCSEC_OK);
	assert_int_not_equal(r1.key_id, kid);
	mcsec_mikey_result_clear(&r1);
	mcsec_mikey_msg_free(m1);
	mcsec_mikey_msg_free(m2);
}

/* ---- one negative test per validation ---- */

static int extract_rc(const mcsec_keystore_t *ks, const mcsec_mikey_msg_t *m,
		const mcsec_mikey_extract_opts_t *x, mcsec_mikey_err_t *e)
{
	mcsec_mikey_result_t r;
	int rc = mcsec_mikey_extract(ks, m, x, &r, e);
	if(rc) {
		/* nothing left behind on failure */
		static const uint8_t zero[16];
		assert_memory_equal(r.key, zero, 16);
		assert_null(r.initiator);
	}
	mcsec_mikey_result_clear(&r);
	return rc;
}

static void test_stale(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	uint64_t v0, d0;
	(void)state;

	base_opts(&o, SERVER, certA, 0x20000001u);
	m = build_parse(&o);
	v0 = mcsec_eccsi_verify_count();
	d0 = mcsec_sakke_decap_count();
	opts_at(&x, T0 + 301);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_STALE);
	opts_at(&x, T0 - 301);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_STALE);
	assert_int_equal(mcsec_eccsi_verify_count(), v0);
	assert_int_equal(mcsec_sakke_decap_count(), d0);
	opts_at(&x, T0 + 300);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_OK);
	opts_at(&x, T0 + 1000);
	x.window = 1000;
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_OK);
	opts_at(&x, T0 + 86400 * 400);
	x.no_time_check = 1; /* an old capture */
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_OK);
	mcsec_mikey_msg_free(m);
}

static void test_unknown_kms(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	(void)state;

	/* initiator's KMS (C) unknown to the receiver */
	base_opts(&o, SERVER, certA, 0x20000001u);
	o.initiator = erin;
	m = build_parse(&o);
	opts_at(&x, T0);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_UNKNOWN_KMS);
	assert_int_equal(e.offset, m->kmsi.offset);
	mcsec_mikey_msg_free(m);
	/* receiver's KMS (C) unknown */
	base_opts(&o, ERIN, certC, 0x10000001u);
	m = build_parse(&o);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_UNKNOWN_KMS);
	assert_int_equal(e.offset, m->kmsr.offset);
	mcsec_mikey_msg_free(m);
}

static void test_no_keyset_and_not_for_us(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	const char *ours[] = {BOB};
	(void)state;

	opts_at(&x, T0);
	base_opts(&o, DAVE, certA, 0x10000001u); /* dave: other period only */
	m = build_parse(&o);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_NO_KEYSET);
	mcsec_mikey_msg_free(m);
	base_opts(&o, CAROL, certA, 0x10000001u); /* carol: no key set */
	m = build_parse(&o);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_NOT_FOR_US);
	mcsec_mikey_msg_free(m);
	o.hide_ids = 1; /* carol's UID not recognised */
	m = build_parse(&o);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_NOT_FOR_US);
	mcsec_mikey_msg_free(m);
	/* the caller restricts our identities */
	base_opts(&o, SERVER, certA, 0x20000001u);
	m = build_parse(&o);
	x.our_uris = ours;
	x.n_our_uris = 1;
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_NOT_FOR_US);
	mcsec_mikey_msg_free(m);
}

static void test_bad_signature_cost(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	uint64_t v0, d0;
	(void)state;

	base_opts(&o, SERVER, certA, 0x20000001u);
	o.sakke_to_self = 1;
	m = build_parse(&o);
	opts_at(&x, T0);
	x.allow_sakke_to_self = 1;
	v0 = mcsec_eccsi_verify_count();
	d0 = mcsec_sakke_decap_count();
	/* flipped bit in the signature's s */
	m->raw[m->len - 70] ^= 0x01;
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_BAD_SIGNATURE);
	assert_int_equal(mcsec_eccsi_verify_count(), v0 + 1);
	assert_int_equal(mcsec_sakke_decap_count(), d0); /* no SAKKE work */
	m->raw[m->len - 70] ^= 0x01;
	/* a flipped bit in each payload of the signed range that still parses
	 * is a bad signature, again without SAKKE work */
	for(size_t i = 0; i < m->npayloads; i++) {
		size_t end =
				i + 1 < m->npayloads ? m->payload_off[i + 1] : m->signed_len;
		size_t pos[3] = {
				m->payload_off[i], (m->payload_off[i] + end) / 2, end - 1};
		for(int k = 0; k < 3; k++) {
			mcsec_mikey_msg_t *p = NULL;
			int rc;
			m->raw[pos[k]] ^= 0x04;
			rc = mcsec_mikey_parse(m->raw, m->len, &p, &e);
			if(rc == MCSEC_OK) {
				rc = extract_rc(recv, p, &x, &e);
				assert_true(rc == MCSEC_ERR_BAD_SIGNATURE
							|| rc == MCSEC_ERR_UNKNOWN_KMS
							|| rc == MCSEC_ERR_STALE
							|| rc == MCSEC_ERR_NO_KEYSET);
			}
			mcsec_mikey_msg_free(p);
			m->raw[pos[k]] ^= 0x04;
		}
	}
	assert_int_equal(mcsec_sakke_decap_count(), d0);
	/* wrong signature range: signed without the SIGN header */
	assert_int_equal(mcsec_eccsi_sign(alice->signer, m->raw, m->signed_len - 2,
							 m->raw + m->signed_len),
			MCSEC_OK);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_BAD_SIGNATURE);
	/* accepted only with the opt-in interop option, and reported */
	x.compat_sign_range = 1;
	{
		mcsec_mikey_result_t r;
		uint64_t v1 = mcsec_eccsi_verify_count();
		assert_int_equal(mcsec_mikey_extract(recv, m, &x, &r, &e), MCSEC_OK);
		assert_int_equal(r.compat_sign_range_used, 1);
		assert_int_equal(mcsec_eccsi_verify_count(), v1 + 2);
		mcsec_mikey_result_clear(&r);
		d0++;
		/* a bad signature with the option: two verifications, no SAKKE */
		m->raw[m->len - 70] ^= 0x01;
		assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_BAD_SIGNATURE);
		assert_int_equal(mcsec_eccsi_verify_count(), v1 + 4);
		assert_int_equal(mcsec_sakke_decap_count(), d0);
		m->raw[m->len - 70] ^= 0x01;
	}
	x.compat_sign_range = 0;
	/* re-signed over the DESIGN.md range: accepted, range not compat */
	resign(m);
	{
		mcsec_mikey_result_t r;
		x.compat_sign_range = 1;
		assert_int_equal(mcsec_mikey_extract(recv, m, &x, &r, &e), MCSEC_OK);
		assert_int_equal(r.compat_sign_range_used, 0);
		mcsec_mikey_result_clear(&r);
	}
	assert_int_equal(mcsec_sakke_decap_count(), d0 + 1);
	mcsec_mikey_msg_free(m);
}

static void test_replay(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m, *m2;
	mcsec_mikey_replay_t *rc = mcsec_mikey_replay_new(4);
	uint8_t r2[16];
	(void)state;

	assert_non_null(rc);
	base_opts(&o, SERVER, certA, 0x20000001u);
	m = build_parse(&o);
	memcpy(r2, RAND, 16);
	r2[0] ^= 1;
	o.rand = r2;
	m2 = build_parse(&o);
	opts_at(&x, T0);
	x.replay = rc;
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_OK);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_REPLAYED);
	assert_int_equal(extract_rc(recv, m2, &x, &e), MCSEC_OK); /* new RAND */
	assert_int_equal(mcsec_mikey_replay_count(rc, T0), 2);
	/* a failed extraction is not recorded */
	m2->raw[m2->len - 1] ^= 1;
	x.now = T0 + 1;
	mcsec_mikey_replay_free(rc);
	rc = mcsec_mikey_replay_new(4);
	x.replay = rc;
	assert_int_equal(extract_rc(recv, m2, &x, &e), MCSEC_ERR_BAD_SIGNATURE);
	assert_int_equal(mcsec_mikey_replay_count(rc, T0), 0);
	/* expiry and bounded capacity, directly */
	assert_int_equal(mcsec_mikey_replay_add(
							 rc, (const uint8_t *)"i", 1, 1, RAND, 16, 100, 50),
			MCSEC_OK);
	assert_int_equal(mcsec_mikey_replay_check(
							 rc, (const uint8_t *)"i", 1, 1, RAND, 16, 100),
			MCSEC_ERR_REPLAYED);
	assert_int_equal(mcsec_mikey_replay_check(
							 rc, (const uint8_t *)"i", 1, 2, RAND, 16, 100),
			MCSEC_OK);
	assert_int_equal(mcsec_mikey_replay_check(
							 rc, (const uint8_t *)"i", 1, 1, RAND, 16, 101),
			MCSEC_OK);
	for(uint32_t i = 10; i < 14; i++)
		assert_int_equal(mcsec_mikey_replay_add(rc, (const uint8_t *)"i", 1, i,
								 RAND, 16, 1000, 60),
				MCSEC_OK);
	assert_int_equal(mcsec_mikey_replay_count(rc, 60), 4);
	assert_int_equal(mcsec_mikey_replay_evicted_live(rc), 1);
	assert_int_equal(mcsec_mikey_replay_check(
							 rc, (const uint8_t *)"i", 1, 1, RAND, 16, 60),
			MCSEC_OK); /* evicted */
	assert_int_equal(mcsec_mikey_replay_check(
							 rc, (const uint8_t *)"i", 1, 13, RAND, 16, 60),
			MCSEC_ERR_REPLAYED);
	mcsec_mikey_replay_free(rc);
	mcsec_mikey_msg_free(m);
	mcsec_mikey_msg_free(m2);
}

static void test_wrong_purpose(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	uint64_t d0;
	(void)state;

	base_opts(&o, SERVER, certA, 0x10000001u); /* a PCK */
	m = build_parse(&o);
	opts_at(&x, T0);
	x.expected_purpose = MCSEC_PURPOSE_CSK; /* CSK upload expected */
	d0 = mcsec_sakke_decap_count();
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_WRONG_PURPOSE);
	assert_int_equal(mcsec_sakke_decap_count(), d0);
	x.expected_purpose = MCSEC_PURPOSE_PCK;
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_OK);
	mcsec_mikey_msg_free(m);
	base_opts(&o, SERVER, certA, 0x70000001u); /* unassigned tag */
	m = build_parse(&o);
	opts_at(&x, T0);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_WRONG_PURPOSE);
	mcsec_mikey_msg_free(m);
}

static void test_revoked_and_key_params(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	mcsec_mikey_keyparams_t kp;
	uint8_t *blob;
	size_t bl;
	(void)state;

	memset(&kp, 0, sizeof(kp));
	kp.key_type = MCSEC_PURPOSE_CSK;
	kp.status = 0; /* E.6.9 bit 0 clear: revoked */
	kp.text = "";
	base_opts(&o, SERVER, certA, 0x20000001u);
	o.kp = &kp;
	m = build_parse(&o);
	opts_at(&x, T0);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_REVOKED);
	mcsec_mikey_msg_free(m);

	/* tampered ciphertext, re-signed: authentication fails (uniform) */
	kp.status = 1;
	m = build_parse(&o);
	m->raw[m->kp_offset + 4 + 40] ^= 0x80;
	resign(m);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_DECAP_FAILED);
	assert_non_null(strstr(e.what, "key parameters"));
	mcsec_mikey_msg_free(m);

	/* DPPK-ID that is neither the CSB-ID nor the K-ID */
	m = build_parse(&o);
	assert_int_equal(mcsec_mikey_kp_protect(&kp, KEY, 0x20000999u, 1700000000,
							 NULL, &blob, &bl),
			MCSEC_OK);
	assert_int_equal(bl, m->kp_len);
	memcpy(m->raw + m->kp_offset + 4, blob, bl);
	free(blob);
	resign(m);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_MALFORMED);
	mcsec_mikey_msg_free(m);

	/* unsupported algorithm in the protected payload header */
	m = build_parse(&o);
	m->raw[m->kp_offset + 4 + 11] = 2;
	resign(m);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_UNSUPPORTED);
	mcsec_mikey_msg_free(m);
}

static void test_decap_failed(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	(void)state;

	base_opts(&o, SERVER, certA, 0x20000001u);
	opts_at(&x, T0);
	/* R off the curve / H changed: one uniform error */
	for(int k = 0; k < 3; k++) {
		size_t at[3] = {1, 100, 260};
		m = build_parse(&o);
		m->raw[m->sakke.offset + 5 + at[k]] ^= 0x01;
		resign(m);
		assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_DECAP_FAILED);
		mcsec_mikey_msg_free(m);
	}
	/* encapsulated to someone else's UID (bob's) under our IDRr */
	{
		uint8_t bob_uid[32], sed[MCSEC_SAKKE_SED_LEN];
		assert_int_equal(mcsec_uid(BOB, strlen(BOB), KMS_B, strlen(KMS_B),
								 TK_PERIOD, TK_OFFSET, PNO, bob_uid),
				0);
		assert_int_equal(
				mcsec_sakke_encap(certB->pub_enc_key, bob_uid, 32, KEY, sed),
				0);
		m = build_parse(&o);
		memcpy(m->raw + m->sakke.offset + 5, sed, sizeof(sed));
		resign(m);
		assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_DECAP_FAILED);
		mcsec_mikey_msg_free(m);
	}
}

static void test_identity_binding(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	uint64_t d0;
	(void)state;

	base_opts(&o, SERVER, certA, 0x20000001u);
	o.hide_ids = 1;
	m = build_parse(&o);
	opts_at(&x, T0);
	x.initiator_uri = "sip:mallory@example.org";
	d0 = mcsec_sakke_decap_count();
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_IDENTITY_MISMATCH);
	assert_int_equal(mcsec_sakke_decap_count(), d0);
	mcsec_mikey_msg_free(m);
	o.hide_ids = 0;
	m = build_parse(&o);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_IDENTITY_MISMATCH);
	x.initiator_uri = ALICE;
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_OK);
	mcsec_mikey_msg_free(m);
	/* a hidden initiator whose UID is not the one of its key: the
	 * signature check uses IDRuidi and fails */
	o.hide_ids = 1;
	m = build_parse(&o);
	m->raw[m->idi.offset + 5] ^= 1;
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_BAD_SIGNATURE);
	mcsec_mikey_msg_free(m);
}

static void test_sakke_to_self(void **state)
{
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_extract_opts_t x;
	mcsec_mikey_result_t r;
	mcsec_mikey_err_t e;
	mcsec_mikey_msg_t *m;
	(void)state;

	/* alice -> carol with SAKKE-to-self: alice's other device (the recv
	 * store holds alice's key set) recovers the key only when allowed */
	for(int hide = 0; hide < 2; hide++) {
		base_opts(&o, CAROL, certA, 0x10000077u);
		o.sakke_to_self = 1;
		o.hide_ids = hide;
		m = build_parse(&o);
		opts_at(&x, T0);
		assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_NOT_FOR_US);
		x.allow_sakke_to_self = 1;
		assert_int_equal(mcsec_mikey_extract(recv, m, &x, &r, &e), MCSEC_OK);
		assert_memory_equal(r.key, KEY, 16);
		assert_int_equal(r.via_sakke_to_self, 1);
		assert_int_equal(r.key_id, 0x10000077u);
		mcsec_mikey_result_clear(&r);
		mcsec_mikey_msg_free(m);
	}
	/* GMK: GMK-ID recovered with the receiver's URI */
	base_opts(&o, CAROL, certA, 0x00000077u);
	o.sakke_to_self = 1;
	m = build_parse(&o);
	opts_at(&x, T0);
	x.allow_sakke_to_self = 1;
	assert_int_equal(mcsec_mikey_extract(recv, m, &x, &r, &e), MCSEC_OK);
	assert_int_equal(r.key_id, 0x00000077u);
	mcsec_mikey_result_clear(&r);
	mcsec_mikey_msg_free(m);
	/* without the extension nothing to fall back to */
	base_opts(&o, CAROL, certA, 0x10000077u);
	m = build_parse(&o);
	assert_int_equal(extract_rc(recv, m, &x, &e), MCSEC_ERR_NOT_FOR_US);
	mcsec_mikey_msg_free(m);
}

static void test_builder_args(void **state)
{
	mcsec_mikey_build_opts_t o;
	uint8_t *raw = NULL;
	size_t len;
	(void)state;

	base_opts(&o, SERVER, certA, 0x20000001u);
	o.time = T0 + TK_PERIOD; /* alice's key set is for PNO only */
	assert_int_equal(mcsec_mikey_build(&o, &raw, &len), MCSEC_ERR_NO_KEYSET);
	base_opts(&o, SERVER, certA, 0x30000001u);
	o.add_sp = 1; /* no default profile for SPK */
	assert_int_equal(mcsec_mikey_build(&o, &raw, &len), MCSEC_ERR_ARG);
	base_opts(&o, NULL, certA, 0x20000001u);
	assert_int_equal(mcsec_mikey_build(&o, &raw, &len), MCSEC_ERR_ARG);
	assert_null(raw);
	/* default RAND is random and 16 octets */
	base_opts(&o, SERVER, certA, 0x20000001u);
	o.rand = NULL;
	{
		mcsec_mikey_msg_t *a = build_parse(&o), *b = build_parse(&o);
		assert_int_equal(a->rand_len, 16);
		assert_memory_not_equal(a->rand, b->rand, 16);
		mcsec_mikey_msg_free(a);
		mcsec_mikey_msg_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_round_trips),
			cmocka_unit_test(test_gmk_diversity),
			cmocka_unit_test(test_stale),
			cmocka_unit_test(test_unknown_kms),
			cmocka_unit_test(test_no_keyset_and_not_for_us),
			cmocka_unit_test(test_bad_signature_cost),
			cmocka_unit_test(test_replay),
			cmocka_unit_test(test_wrong_purpose),
			cmocka_unit_test(test_revoked_and_key_params),
			cmocka_unit_test(test_decap_failed),
			cmocka_unit_test(test_identity_binding),
			cmocka_unit_test(test_sakke_to_self),
			cmocka_unit_test(test_builder_args),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
