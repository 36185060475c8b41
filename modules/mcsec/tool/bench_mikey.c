/*
 * mcsec bench: MIKEY-SAKKE extraction cost (called by `mcsec bench crypto`
 * through a weak symbol).
 *
 * A test KMS, an initiator and a receiver key set are made in memory and
 * loaded through the key store (so the receiver's SAKKE precomputation and
 * the ECCSI verification cache are used as in the module); one CSK
 * I_MESSAGE is built; then, best of 3 runs of ~0.5 s each:
 *   mikey_extract_us         parse + verify + extract of that message
 *   mikey_reject_bad_sig_us  parse + rejection of it with one signature bit
 *                            flipped
 * No replay cache is used (the same message is extracted repeatedly); the
 * time check is done against the message's own T.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "../lib/eccsi.h"
#include "../lib/kdf.h"
#include "../lib/keystore.h"
#include "../lib/kms.h"
#include "../lib/mcsec_err.h"
#include "../lib/mikey.h"
#include "../lib/sakke.h"
#include "tool.h"

int bench_mikey(void);

#define BM_PERIOD 2592000u
#define BM_KMS "kms.bench.example.org"
#define BM_INI "sip:alice@bench.example.org"
#define BM_RCV "sip:mcptt-server@bench.example.org"

static double bm_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bm_keyset(mcsec_keystore_t *ks, const uint8_t *ksak,
		const uint8_t *kpak, const uint8_t *z, const char *uri, uint64_t pno)
{
	mcsec_kms_keyset_t s;
	char *xml = NULL, eb[256] = "";
	size_t len = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	snprintf(s.version, sizeof(s.version), "1.1.0");
	s.kms_uri = (char *)BM_KMS;
	s.user_uri = (char *)uri;
	s.key_period_no = pno;
	if((rc = mcsec_uid(uri, strlen(uri), BM_KMS, strlen(BM_KMS), BM_PERIOD, 0,
				pno, s.user_id))
			|| (rc = mcsec_eccsi_kms_issue(
						ksak, kpak, s.user_id, MCSEC_UID_LEN, s.ssk, s.pvt))
			|| (rc = mcsec_sakke_kms_issue(z, s.user_id, MCSEC_UID_LEN, s.rsk))
			|| (rc = mcsec_kms_write_keyprov(&s, NULL, &xml, &len)))
		goto done;
	rc = mcsec_keystore_load_xml(ks, xml, len, eb, sizeof(eb));
	if(rc)
		tool_err("bench mikey: key set: %s", eb);
done:
	if(xml) {
		OPENSSL_cleanse(xml, len);
		free(xml);
	}
	OPENSSL_cleanse(&s, sizeof(s));
	return rc;
}

/* One timed run: returns microseconds per operation. */
static double bm_run(const mcsec_keystore_t *ks, const uint8_t *msg, size_t len,
		const mcsec_mikey_extract_opts_t *o, int expect)
{
	double t0 = bm_now(), t;
	unsigned long n = 0;

	do {
		mcsec_mikey_msg_t *m = NULL;
		mcsec_mikey_result_t r;
		int rc = mcsec_mikey_parse(msg, len, &m, NULL);
		if(rc == MCSEC_OK)
			rc = mcsec_mikey_extract(ks, m, o, &r, NULL);
		if(rc == MCSEC_OK)
			mcsec_mikey_result_clear(&r);
		mcsec_mikey_msg_free(m);
		if(rc != expect) {
			tool_err("bench mikey: unexpected result %s", mcsec_strerror(rc));
			return -1;
		}
		n++;
		t = bm_now() - t0;
	} while(t < 0.5);
	return t * 1e6 / (double)n;
}

static double bm_best(const mcsec_keystore_t *ks, const uint8_t *msg,
		size_t len, const mcsec_mikey_extract_opts_t *o, int expect)
{
	double best = -1;
	for(int i = 0; i < 3; i++) {
		double us = bm_run(ks, msg, len, o, expect);
		if(us < 0)
			return -1;
		if(best < 0 || us < best)
			best = us;
	}
	return best;
}

int bench_mikey(void)
{
	uint8_t ksak[MCSEC_ECCSI_SCALAR_LEN], kpak[MCSEC_ECCSI_POINT_LEN];
	uint8_t z[MCSEC_SAKKE_SCALAR_LEN];
	mcsec_kms_cert_t c;
	mcsec_keystore_t *ks = NULL;
	mcsec_mikey_build_opts_t bo;
	mcsec_mikey_extract_opts_t xo;
	const mcsec_kms_cert_t *cert;
	uint8_t *msg = NULL;
	size_t len = 0;
	char *xml = NULL, eb[256] = "";
	size_t xl = 0;
	uint64_t t = tool_ntp_now(), pno = t / BM_PERIOD;
	double ext, rej;
	int ret = 1;

	memset(&c, 0, sizeof(c));
	memset(&bo, 0, sizeof(bo));
	if(mcsec_eccsi_kms_generate(ksak, kpak)
			|| mcsec_sakke_kms_generate(z, c.pub_enc_key)) {
		tool_err("bench mikey: KMS generation failed");
		goto done;
	}
	snprintf(c.version, sizeof(c.version), "1.1.0");
	c.kms_uri = (char *)BM_KMS;
	c.user_id_format = 2;
	c.user_key_period = BM_PERIOD;
	c.parameter_set = 1;
	memcpy(c.pub_auth_key, kpak, sizeof(kpak));
	ks = mcsec_keystore_new();
	if(!ks || mcsec_kms_write_init(&c, &xml, &xl)
			|| mcsec_keystore_load_xml(ks, xml, xl, eb, sizeof(eb))) {
		tool_err("bench mikey: certificate: %s", eb);
		goto done;
	}
	if(bm_keyset(ks, ksak, kpak, z, BM_INI, pno)
			|| bm_keyset(ks, ksak, kpak, z, BM_RCV, pno))
		goto done;
	if(mcsec_keystore_find_cert(ks, BM_KMS, strlen(BM_KMS), t, &cert))
		goto done;
	for(size_t i = 0; i < mcsec_keystore_nkeysets(ks); i++) {
		const mcsec_keystore_entry_t *e = mcsec_keystore_entry_at(ks, i);
		if(e && !strcmp(e->ks->user_uri, BM_INI))
			bo.initiator = e;
	}
	bo.responder_cert = cert;
	bo.responder_uri = BM_RCV;
	bo.key_id = 0x20000001u; /* a CSK */
	bo.time = t;
	memset(bo.key, 0x5c, sizeof(bo.key));
	if(!bo.initiator || mcsec_mikey_build(&bo, &msg, &len)) {
		tool_err("bench mikey: cannot build the I_MESSAGE");
		goto done;
	}
	mcsec_mikey_extract_opts_init(&xo);
	xo.now = t;
	xo.expected_purpose = MCSEC_PURPOSE_CSK;
	ext = bm_best(ks, msg, len, &xo, MCSEC_OK);
	msg[len - 80] ^= 0x01; /* inside s of r||s||PVT (RFC 6507 3.3) */
	rej = bm_best(ks, msg, len, &xo, MCSEC_ERR_BAD_SIGNATURE);
	if(ext < 0 || rej < 0)
		goto done;
	printf("mikey_extract_us=%.1f\n", ext);
	printf("mikey_reject_bad_sig_us=%.1f\n", rej);
	ret = 0;
done:
	OPENSSL_cleanse(ksak, sizeof(ksak));
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(bo.key, sizeof(bo.key));
	free(xml);
	free(msg);
	mcsec_keystore_free(ks);
	return ret;
}
