/*
 * MIKEY-SAKKE I_MESSAGEs against an independent ECCSI/SAKKE implementation
 * (wolfSSL, test-only peer): the signature over the signed octet range
 * (DESIGN.md 4) verifies in wolfSSL with the initiator UID, the SAKKE
 * payload and SAKKE-to-self decapsulate in wolfSSL with the receiver's RSK
 * from its key set; and a message whose SAKKE data and signature were made
 * by wolfSSL is extracted by mcsec.  Uses tests/vectors/mikey.
 * No OpenSSL headers here (wolfSSL's options clash with them).
 */
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/eccsi.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/sakke.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kdf.h"
#include "keystore.h"
#include "mcsec_err.h"
#include "mikey.h"

#define V "tests/vectors/mikey/"
#define T0 3900000000ull

static const uint8_t KEY[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
		0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

static mcsec_keystore_t *ks;
static WC_RNG rng;

static int setup(void **state)
{
	static const char *files[] = {"kms-cert.xml", "kms2-cert.xml",
			"alice-keyset.xml", "server-keyset.xml", "bob-keyset.xml"};
	char eb[256] = "", p[256];
	(void)state;
	if(wc_InitRng(&rng))
		return -1;
	ks = mcsec_keystore_new();
	if(!ks)
		return -1;
	for(size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), V "%s", files[i]);
		if(mcsec_keystore_load_path(ks, p, eb, sizeof(eb))) {
			fprintf(stderr, "%s: %s\n", p, eb);
			return -1;
		}
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mcsec_keystore_free(ks);
	wc_FreeRng(&rng);
	return 0;
}

static mcsec_mikey_msg_t *load_msg(const char *name)
{
	char p[256];
	uint8_t b[8192];
	size_t n;
	FILE *f;
	mcsec_mikey_msg_t *m = NULL;

	snprintf(p, sizeof(p), V "%s", name);
	f = fopen(p, "rb");
	assert_non_null(f);
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	assert_int_equal(mcsec_mikey_parse_any(b, n, &m, NULL), MCSEC_OK);
	return m;
}

static const mcsec_keystore_entry_t *entry(const char *uri)
{
	for(size_t i = 0; i < mcsec_keystore_nkeysets(ks); i++) {
		const mcsec_keystore_entry_t *e = mcsec_keystore_entry_at(ks, i);
		if(!strcmp(e->ks->user_uri, uri))
			return e;
	}
	fail_msg("no key set for %s", uri);
	return NULL;
}

static const mcsec_kms_cert_t *cert(const mcsec_mikey_idr_t *kms)
{
	const mcsec_kms_cert_t *c = NULL;
	assert_int_equal(mcsec_keystore_find_cert(
							 ks, (const char *)kms->data, kms->len, T0, &c),
			MCSEC_OK);
	return c;
}

/* F.2.1 UID of the initiator, or IDRuidi */
static void initiator_uid(const mcsec_mikey_msg_t *m, uint8_t uid[32])
{
	const mcsec_kms_cert_t *c = cert(&m->kmsi);
	if(m->hidden_i) {
		memcpy(uid, m->idi.data, 32);
		return;
	}
	assert_int_equal(
			mcsec_uid((const char *)m->idi.data, m->idi.len, c->kms_uri,
					strlen(c->kms_uri), c->user_key_period, c->user_key_offset,
					m->t_secs / c->user_key_period, uid),
			MCSEC_OK);
}

static int wolf_verify(const uint8_t kpak[65], const uint8_t uid[32],
		const uint8_t *msg, size_t ml, const uint8_t sig[129])
{
	EccsiKey k;
	ecc_point *pvt = wc_ecc_new_point();
	byte hs[WC_MAX_DIGEST_SIZE], hsz = sizeof(hs);
	int verified = 0, err;

	assert_non_null(pvt);
	assert_int_equal(wc_InitEccsiKey(&k, NULL, INVALID_DEVID), 0);
	assert_int_equal(wc_ImportEccsiPublicKey(&k, kpak, 65, 0), 0);
	err = wc_DecodeEccsiPvtFromSig(&k, sig, 129, pvt);
	if(!err)
		err = wc_HashEccsiId(&k, WC_HASH_TYPE_SHA256, uid, 32, pvt, hs, &hsz);
	if(!err)
		err = wc_SetEccsiHash(&k, hs, hsz);
	if(!err)
		err = wc_VerifyEccsiHash(
				&k, WC_HASH_TYPE_SHA256, msg, (word32)ml, sig, 129, &verified);
	wc_FreeEccsiKey(&k);
	wc_ecc_del_point(pvt);
	return !err && verified == 1;
}

static void wolf_sign(const uint8_t kpak[65], const mcsec_kms_keyset_t *s,
		const uint8_t *msg, size_t ml, uint8_t sig[129])
{
	EccsiKey k;
	ecc_point *pvt = wc_ecc_new_point();
	mp_int ssk;
	byte hs[WC_MAX_DIGEST_SIZE], hsz = sizeof(hs);
	word32 sz = 129;

	assert_non_null(pvt);
	assert_int_equal(mp_init(&ssk), 0);
	assert_int_equal(wc_InitEccsiKey(&k, NULL, INVALID_DEVID), 0);
	assert_int_equal(wc_ImportEccsiPublicKey(&k, kpak, 65, 0), 0);
	assert_int_equal(wc_DecodeEccsiSsk(&k, s->ssk, 32, &ssk), 0);
	assert_int_equal(wc_DecodeEccsiPvt(&k, s->pvt, 65, pvt), 0);
	assert_int_equal(wc_SetEccsiPair(&k, &ssk, pvt), 0);
	assert_int_equal(wc_HashEccsiId(&k, WC_HASH_TYPE_SHA256, s->user_id, 32,
							 pvt, hs, &hsz),
			0);
	assert_int_equal(wc_SetEccsiHash(&k, hs, hsz), 0);
	assert_int_equal(wc_SignEccsiHash(&k, &rng, WC_HASH_TYPE_SHA256, msg,
							 (word32)ml, sig, &sz),
			0);
	assert_int_equal(sz, 129);
	wc_FreeEccsiKey(&k);
	wc_ecc_del_point(pvt);
	mp_clear(&ssk);
}

/* A wolfSSL SAKKE client for a key set (Z of its KMS, its UID and RSK). */
static void wolf_client(
		SakkeKey *c, ecc_point *pt, const mcsec_keystore_entry_t *e)
{
	assert_int_equal(wc_InitSakkeKey(c, NULL, INVALID_DEVID), 0);
	assert_int_equal(
			wc_ImportSakkePublicKey(c, e->cert->pub_enc_key, 257, 1), 0);
	assert_int_equal(wc_SetSakkeIdentity(c, e->ks->user_id, 32), 0);
	assert_int_equal(wc_DecodeSakkeRsk(c, e->ks->rsk, 257, pt), 0);
	assert_int_equal(wc_SetSakkeRsk(c, pt, NULL, 0), 0);
}

static void wolf_decap(const mcsec_keystore_entry_t *e,
		const mcsec_mikey_sakke_t *s, uint8_t out[16])
{
	SakkeKey c;
	ecc_point *pt = wc_ecc_new_point();
	assert_non_null(pt);
	assert_int_equal(s->len, 273);
	wolf_client(&c, pt, e);
	memcpy(out, s->data + 257, 16);
	assert_int_equal(
			wc_DeriveSakkeSSV(&c, WC_HASH_TYPE_SHA256, out, 16, s->data, 257),
			0);
	wc_FreeSakkeKey(&c);
	wc_ecc_del_point(pt);
}

static void test_mcsec_messages_in_wolf(void **state)
{
	static const struct
	{
		const char *file, *receiver;
	} c[] = {{"csk-upload-hidden.b64", "sip:mcptt-server@example.org"},
			{"gmk-partner.bin", "sip:bob@partner.example.net"},
			{"pck-sdp.txt", "sip:mcptt-server@example.org"}};
	(void)state;

	for(size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		mcsec_mikey_msg_t *m = load_msg(c[i].file);
		uint8_t uid[32], k[16];
		const mcsec_kms_cert_t *ic = cert(&m->kmsi);

		initiator_uid(m, uid);
		/* the signed range is the message up to and with the SIGN header */
		assert_true(wolf_verify(
				ic->pub_auth_key, uid, m->raw, m->signed_len, m->sig));
		assert_false(wolf_verify(
				ic->pub_auth_key, uid, m->raw, m->signed_len - 2, m->sig));
		for(size_t off = 0; off < m->signed_len; off += 37) {
			m->raw[off] ^= 0x10;
			assert_false(wolf_verify(
					ic->pub_auth_key, uid, m->raw, m->signed_len, m->sig));
			m->raw[off] ^= 0x10;
		}
		/* SAKKE to the receiver's UID under its KMS */
		wolf_decap(entry(c[i].receiver), &m->sakke, k);
		assert_memory_equal(k, KEY, 16);
		if(m->sakke_self.present) {
			wolf_decap(entry("sip:alice@example.org"), &m->sakke_self, k);
			assert_memory_equal(k, KEY, 16);
		}
		mcsec_mikey_msg_free(m);
	}
}

static void test_wolf_crypto_in_mcsec(void **state)
{
	mcsec_mikey_msg_t *m = load_msg("pck-sdp.txt");
	const mcsec_keystore_entry_t *srv = entry("sip:mcptt-server@example.org");
	const mcsec_keystore_entry_t *alice = entry("sip:alice@example.org");
	mcsec_mikey_extract_opts_t o;
	mcsec_mikey_result_t r;
	mcsec_mikey_err_t e;
	SakkeKey c;
	ecc_point *pt = wc_ecc_new_point();
	uint8_t ssv[16], auth[257];
	word16 asz = sizeof(auth);
	(void)state;

	/* wolfSSL encapsulates a fresh SSV to the server */
	assert_non_null(pt);
	wolf_client(&c, pt, srv);
	assert_int_equal(wc_GenerateSakkeSSV(&c, &rng, ssv, &(word16){16}), 0);
	{
		uint8_t h[16];
		memcpy(h, ssv, 16);
		assert_int_equal(wc_MakeSakkeEncapsulatedSSV(
								 &c, WC_HASH_TYPE_SHA256, h, 16, auth, &asz),
				0);
		assert_int_equal(asz, 257);
		memcpy((uint8_t *)m->sakke.data, auth, 257);
		memcpy((uint8_t *)m->sakke.data + 257, h, 16);
	}
	wc_FreeSakkeKey(&c);
	wc_ecc_del_point(pt);
	/* and signs the message as alice */
	wolf_sign(alice->cert->pub_auth_key, alice->ks, m->raw, m->signed_len,
			m->raw + m->signed_len);
	mcsec_mikey_extract_opts_init(&o);
	o.now = T0;
	assert_int_equal(mcsec_mikey_extract(ks, m, &o, &r, &e), MCSEC_OK);
	assert_memory_equal(r.key, ssv, 16);
	assert_int_equal(r.key_id, 0x1a5a5a03u);
	mcsec_mikey_result_clear(&r);
	/* a bit of wolfSSL's signature flipped: rejected */
	m->raw[m->signed_len + 40] ^= 1;
	assert_int_equal(
			mcsec_mikey_extract(ks, m, &o, &r, &e), MCSEC_ERR_BAD_SIGNATURE);
	mcsec_mikey_msg_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_mcsec_messages_in_wolf),
			cmocka_unit_test(test_wolf_crypto_in_mcsec),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
