/*
 * libFuzzer target: MIKEY-SAKKE parse + verify + extract against a fixed
 * test key store (tests/vectors/mikey: two KMS certificates, key sets of
 * alice, the server and bob), seeds in tests/fuzz/corpus/mikey.
 *
 * Modes by the first input octet:
 *   0xEE  the rest is Key Parameters content (E.6.1): it is protected here
 *         with a fixed key (8.5.4, DPCK per F.1.5) and then unprotected and
 *         parsed, so the content parser is reached past the GCM tag;
 *   0xEF  the rest is an I_MESSAGE that is re-signed as alice before
 *         extraction, so the checks after ECCSI (receiver lookup, SAKKE,
 *         key parameters) see mutated messages;
 *   else  the input as received (binary, base64 or "mikey <base64>").
 * No time check (the seeds have a fixed T); SAKKE-to-self allowed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eccsi.h"
#include "kdf.h"
#include "keystore.h"
#include "mcsec_err.h"
#include "mikey.h"

static mcsec_keystore_t *ks;
static const mcsec_keystore_entry_t *alice;
static mcsec_mikey_replay_t *replay;

static int load(const char *dir, const char *name)
{
	char p[1024], eb[256] = "";
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if(mcsec_keystore_load_path(ks, p, eb, sizeof(eb))) {
		fprintf(stderr, "fuzz_mikey: %s: %s\n", p, eb);
		return -1;
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *files[] = {"kms-cert.xml", "kms2-cert.xml",
			"alice-keyset.xml", "server-keyset.xml", "bob-keyset.xml"};
	char dir[1024];
	const char *f = __FILE__, *s = strstr(f, "tests/fuzz/");
	(void)argc;
	(void)argv;

	/* cwd = repository top, or the source tree this was built from */
	snprintf(dir, sizeof(dir), "tests/vectors/mikey");
	{
		FILE *t = fopen("tests/vectors/mikey/kms-cert.xml", "r");
		if(t)
			fclose(t);
		else if(s)
			snprintf(dir, sizeof(dir), "%.*stests/vectors/mikey", (int)(s - f),
					f);
	}
	ks = mcsec_keystore_new();
	if(!ks)
		abort();
	for(size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if(load(dir, files[i]))
			abort();
	for(size_t i = 0; i < mcsec_keystore_nkeysets(ks); i++) {
		const mcsec_keystore_entry_t *e = mcsec_keystore_entry_at(ks, i);
		if(e && !strcmp(e->ks->user_uri, "sip:alice@example.org"))
			alice = e;
	}
	if(!alice)
		abort();
	replay = mcsec_mikey_replay_new(64);
	return 0;
}

static const uint8_t KEY[16] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void fuzz_kp_content(const uint8_t *d, size_t n)
{
	uint8_t *b, dpck[32];
	size_t dl;
	int l;
	EVP_CIPHER_CTX *c;
	mcsec_mikey_keyparams_t kp;

	if(n > 4096)
		return;
	b = calloc(1, 35 + n + 16);
	c = EVP_CIPHER_CTX_new();
	if(!b || !c)
		abort();
	b[0] = 0x43;
	b[11] = 1;
	b[31] = 7; /* DPPK-ID */
	b[33] = (uint8_t)((n + 16) >> 8);
	b[34] = (uint8_t)(n + 16);
	if(mcsec_dpck(KEY, 16, 7, dpck, &dl))
		abort();
	if(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1
			|| EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 16, NULL) != 1
			|| EVP_EncryptInit_ex(c, NULL, NULL, dpck, b + 12) != 1
			|| EVP_EncryptUpdate(c, NULL, &l, b, 32) != 1
			|| (n && EVP_EncryptUpdate(c, b + 35, &l, d, (int)n) != 1)
			|| EVP_EncryptFinal_ex(c, b + 35 + n, &l) != 1
			|| EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, b + 35 + n)
					   != 1)
		abort();
	EVP_CIPHER_CTX_free(c);
	if(mcsec_mikey_kp_unprotect(b, 35 + n + 16, KEY, &kp, NULL) == MCSEC_OK) {
		/* re-encode what was understood: must work and round-trip */
		uint8_t *o = NULL;
		size_t ol = 0;
		mcsec_mikey_keyparams_t back;
		if(kp.activation >> 40 || kp.expiry >> 40)
			abort();
		kp.has_reserved = 0;
		if(mcsec_mikey_kp_protect(&kp, KEY, 7, 0, NULL, &o, &ol) != MCSEC_OK)
			abort();
		if(mcsec_mikey_kp_unprotect(o, ol, KEY, &back, NULL) != MCSEC_OK
				|| back.text_len != kp.text_len || back.ngroups != kp.ngroups
				|| back.status != kp.status)
			abort();
		mcsec_mikey_keyparams_clear(&back);
		free(o);
	}
	mcsec_mikey_keyparams_clear(&kp);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	mcsec_mikey_msg_t *m = NULL;
	mcsec_mikey_extract_opts_t o;
	mcsec_mikey_result_t r;
	mcsec_mikey_err_t e;
	int resign = 0, rc;

	if(n && d[0] == 0xEE) {
		fuzz_kp_content(d + 1, n - 1);
		return 0;
	}
	if(n && d[0] == 0xEF) {
		resign = 1;
		d++;
		n--;
	}
	rc = mcsec_mikey_parse_any(d, n, &m, &e);
	if(rc != MCSEC_OK) {
		if(m || e.code != rc || (rc == MCSEC_ERR_MALFORMED && !e.what))
			abort();
		return 0;
	}
	if(m->signed_len < 2 || m->signed_len + 129 != m->len)
		abort();
	if(resign) {
		static const uint8_t j[32] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
				9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
		if(mcsec_eccsi_sign_with_j(alice->signer, m->raw, m->signed_len, j,
				   m->raw + m->signed_len))
			abort();
	}
	mcsec_mikey_extract_opts_init(&o);
	o.no_time_check = 1;
	o.now = 3900000000ull;
	o.allow_sakke_to_self = 1;
	o.replay = (n & 1) ? replay : NULL;
	rc = mcsec_mikey_extract(ks, m, &o, &r, &e);
	if(rc == MCSEC_OK) {
		if(!r.initiator || !r.responder || r.rand_len != m->rand_len)
			abort();
		mcsec_mikey_result_clear(&r);
	} else if(rc > 0 || rc < MCSEC_ERR_MIN || e.code != rc)
		abort();
	mcsec_mikey_msg_free(m);
	return 0;
}
