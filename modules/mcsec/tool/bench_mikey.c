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
 *   mikey_extract_ratio      extraction / (ECCSI verify + SAKKE decap of the
 *                            same message and key)
 *   mikey_reject_bad_sig_ratio  rejection / ECCSI verify
 * The ratios time each extraction and its reference operations back to
 * back in every iteration, so both see the same load of a shared machine;
 * the absolute figures (best of 3 runs of ~0.5 s, process CPU clock, as
 * `mcsec bench crypto`) move with that load.
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

/* Same method as `mcsec bench crypto` (tool_bench.c): the process CPU
 * clock, a warm-up that sizes the runs to ~0.5 s, best of 3 runs. */
static double bm_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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

/* What one timed operation does. */
typedef struct bm_op
{
	int what; /* 0: parse + extract, 1: ECCSI verify alone, 2: decap alone */
	const mcsec_keystore_t *ks;
	const uint8_t *msg;
	size_t len;
	const mcsec_mikey_extract_opts_t *o;
	int expect;
	const uint8_t *kpak, *uid; /* what == 1 */
	const mcsec_mikey_msg_t *m;
	const mcsec_sakke_key_t *key; /* what == 2 */
} bm_op_t;

/* One operation; 0 if its result is the expected one. */
static int bm_once(const bm_op_t *op)
{
	mcsec_mikey_msg_t *m = NULL;
	mcsec_mikey_result_t r;
	uint8_t ssv[MCSEC_SAKKE_SSV_LEN];
	int rc;

	if(op->what == 1)
		rc = mcsec_eccsi_verify(op->kpak, op->uid, MCSEC_UID_LEN, op->m->raw,
				op->m->signed_len, op->m->sig);
	else if(op->what == 2) {
		rc = mcsec_sakke_decap(
				op->key, op->m->sakke.data, op->m->sakke.len, ssv);
		OPENSSL_cleanse(ssv, sizeof(ssv));
	} else {
		rc = mcsec_mikey_parse(op->msg, op->len, &m, NULL);
		if(rc == MCSEC_OK)
			rc = mcsec_mikey_extract(op->ks, m, op->o, &r, NULL);
		if(rc == MCSEC_OK)
			mcsec_mikey_result_clear(&r);
		mcsec_mikey_msg_free(m);
	}
	if(rc != op->expect) {
		tool_err("bench mikey: unexpected result %s", mcsec_strerror(rc));
		return -1;
	}
	return 0;
}

/* Microseconds per operation, best of 3 runs of ~0.5 s; -1 on failure. */
static double bm_best(const bm_op_t *op)
{
	double best = -1, t0, dt;
	unsigned long n = 0;

	t0 = bm_now();
	do { /* warm-up and estimate */
		if(bm_once(op))
			return -1;
		n++;
		dt = bm_now() - t0;
	} while(dt < 0.05);
	n = (unsigned long)(0.5 / (dt / (double)n));
	if(n < 1)
		n = 1;
	for(int run = 0; run < 3; run++) {
		double us;
		t0 = bm_now();
		for(unsigned long i = 0; i < n; i++)
			if(bm_once(op))
				return -1;
		us = (bm_now() - t0) * 1e6 / (double)n;
		if(best < 0 || us < best)
			best = us;
	}
	return best;
}

/* Interleaved: each iteration times op a, then the reference ops r1 (and
 * r2) back to back, so both see the same machine load.  Returns a's best
 * run (us per op) and the ratio a / (r1 + r2) over all runs. */
static int bm_paired(const bm_op_t *a, const bm_op_t *r1, const bm_op_t *r2,
		unsigned long n, double *a_us, double *ratio)
{
	double ta = 0, tr = 0, best = -1;

	for(int run = 0; run < 3; run++) {
		double ra = 0;
		for(unsigned long i = 0; i < n; i++) {
			double t0 = bm_now(), t1, t2;
			if(bm_once(a))
				return -1;
			t1 = bm_now();
			if(bm_once(r1) || (r2 && bm_once(r2)))
				return -1;
			t2 = bm_now();
			ra += t1 - t0;
			tr += t2 - t1;
		}
		ta += ra;
		ra = ra * 1e6 / (double)n;
		if(best < 0 || ra < best)
			best = ra;
	}
	*a_us = best;
	*ratio = ta / tr;
	return 0;
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
	double ext, rej, xr, rr;
	mcsec_mikey_msg_t *pm = NULL;
	const mcsec_keystore_entry_t *rcv = NULL;
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
		if(e && !strcmp(e->ks->user_uri, BM_RCV))
			rcv = e;
	}
	bo.responder_cert = cert;
	bo.responder_uri = BM_RCV;
	bo.key_id = 0x20000001u; /* a CSK */
	bo.time = t;
	memset(bo.key, 0x5c, sizeof(bo.key));
	if(!bo.initiator || !rcv || mcsec_mikey_build(&bo, &msg, &len)) {
		tool_err("bench mikey: cannot build the I_MESSAGE");
		goto done;
	}
	mcsec_mikey_extract_opts_init(&xo);
	xo.now = t;
	xo.expected_purpose = MCSEC_PURPOSE_CSK;
	if(mcsec_mikey_parse(msg, len, &pm, NULL)) {
		tool_err("bench mikey: cannot parse the I_MESSAGE");
		goto done;
	}
	{
		bm_op_t v = {.what = 1,
				.expect = MCSEC_OK,
				.kpak = cert->pub_auth_key,
				.uid = bo.initiator->ks->user_id,
				.m = pm};
		bm_op_t d = {.what = 2, .expect = MCSEC_OK, .m = pm, .key = rcv->sakke};
		bm_op_t x = {.what = 0,
				.ks = ks,
				.msg = msg,
				.len = len,
				.o = &xo,
				.expect = MCSEC_OK};
		double one = bm_best(&x); /* also the warm-up */
		unsigned long n;
		if(one <= 0)
			goto done;
		/* runs of ~0.5 s of extraction */
		n = (unsigned long)(0.5e6 / one) + 1;
		if(bm_paired(&x, &v, &d, n, &ext, &xr))
			goto done;
		msg[len - 80] ^= 0x01; /* inside s of r||s||PVT (RFC 6507 3.3) */
		x.expect = MCSEC_ERR_BAD_SIGNATURE;
		one = bm_best(&x);
		if(one <= 0)
			goto done;
		n = (unsigned long)(0.5e6 / one) + 1;
		if(bm_paired(&x, &v, NULL, n, &rej, &rr))
			goto done;
	}
	printf("mikey_extract_us=%.1f\n", ext);
	printf("mikey_reject_bad_sig_us=%.1f\n", rej);
	printf("mikey_extract_ratio=%.3f\n", xr);
	printf("mikey_reject_bad_sig_ratio=%.3f\n", rr);
	ret = 0;
done:
	OPENSSL_cleanse(ksak, sizeof(ksak));
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(bo.key, sizeof(bo.key));
	free(xml);
	free(msg);
	mcsec_mikey_msg_free(pm);
	mcsec_keystore_free(ks);
	return ret;
}
