/*
 * mcsec bench crypto [--iterations N]
 *
 * Per-operation cost, measured in this one process with the process CPU
 * clock (less disturbed by other load than wall time): each figure is the
 * best (minimum) of 3 runs; a run is N iterations, by default as many as
 * fill about 0.4 s.  Baselines are OpenSSL's RSA-2048 PKCS#1 v1.5 signature
 * of a SHA-256 digest and ECDSA P-256 verification of a digest.
 * Prints name=value lines (microseconds, ratios with 2 decimals), then
 * calls bench_mikey() when the MIKEY part is linked in.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "../lib/eccsi.h"
#include "../lib/kdf.h"
#include "../lib/mcsec_err.h"
#include "../lib/sakke.h"
#include "tool.h"

/* Provided by the MIKEY benchmark when linked (prints its own lines). */
extern int bench_mikey(void) __attribute__((weak));

#define RUNS 3
#define TARGET_NS 400000000.0 /* per run */
#define MAX_ITER 1000000UL

typedef int (*bench_fn)(void *ctx);

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Best-of-RUNS microseconds per call; -1 if an operation fails. */
static double measure(bench_fn fn, void *ctx, unsigned long iterations)
{
	double best = -1;
	unsigned long n = iterations;

	if(fn(ctx) != 0) /* warm-up, and a first estimate */
		return -1;
	if(!n) {
		double t0 = now_ns(), dt;
		unsigned long k = 0;
		do {
			if(fn(ctx) != 0)
				return -1;
			k++;
			dt = now_ns() - t0;
		} while(dt < TARGET_NS / 20 && k < MAX_ITER);
		n = (unsigned long)(TARGET_NS / (dt / (double)k));
		if(n < 1)
			n = 1;
		if(n > MAX_ITER)
			n = MAX_ITER;
	}
	for(int r = 0; r < RUNS; r++) {
		double t0 = now_ns(), us;
		for(unsigned long i = 0; i < n; i++)
			if(fn(ctx) != 0)
				return -1;
		us = (now_ns() - t0) / 1000.0 / (double)n;
		if(best < 0 || us < best)
			best = us;
	}
	return best;
}

/* ---- baselines ---- */

struct pk_ctx
{
	EVP_PKEY_CTX *ctx;
	uint8_t dgst[32];
	uint8_t sig[512];
	size_t siglen;
};

static int rsa_sign_once(void *p)
{
	struct pk_ctx *c = p;
	size_t l = sizeof(c->sig);
	return EVP_PKEY_sign(c->ctx, c->sig, &l, c->dgst, sizeof(c->dgst)) == 1
				   ? 0
				   : -1;
}

static int ecdsa_verify_once(void *p)
{
	struct pk_ctx *c = p;
	return EVP_PKEY_verify(c->ctx, c->sig, c->siglen, c->dgst, sizeof(c->dgst))
						   == 1
				   ? 0
				   : -1;
}

static double bench_rsa_sign(unsigned long it)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	struct pk_ctx c = {0};
	double us = -1;

	if(!k)
		return -1;
	c.ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	RAND_bytes(c.dgst, sizeof(c.dgst));
	if(c.ctx && EVP_PKEY_sign_init(c.ctx) == 1
			&& EVP_PKEY_CTX_set_rsa_padding(c.ctx, RSA_PKCS1_PADDING) == 1
			&& EVP_PKEY_CTX_set_signature_md(c.ctx, EVP_sha256()) == 1)
		us = measure(rsa_sign_once, &c, it);
	EVP_PKEY_CTX_free(c.ctx);
	EVP_PKEY_free(k);
	return us;
}

static double bench_ecdsa_verify(unsigned long it)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY_CTX *sctx = NULL;
	struct pk_ctx c = {0};
	double us = -1;

	if(!k)
		return -1;
	RAND_bytes(c.dgst, sizeof(c.dgst));
	sctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	c.ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	c.siglen = sizeof(c.sig);
	if(sctx && c.ctx && EVP_PKEY_sign_init(sctx) == 1
			&& EVP_PKEY_sign(sctx, c.sig, &c.siglen, c.dgst, sizeof(c.dgst))
					   == 1
			&& EVP_PKEY_verify_init(c.ctx) == 1)
		us = measure(ecdsa_verify_once, &c, it);
	EVP_PKEY_CTX_free(sctx);
	EVP_PKEY_CTX_free(c.ctx);
	EVP_PKEY_free(k);
	return us;
}

/* ---- ECCSI ---- */

struct eccsi_ctx
{
	uint8_t kpak[MCSEC_ECCSI_POINT_LEN];
	uint8_t id[MCSEC_UID_LEN];
	uint8_t msg[400]; /* about the size of a MIKEY-SAKKE I_MESSAGE */
	uint8_t sig[MCSEC_ECCSI_SIG_LEN];
	mcsec_eccsi_signer_t *signer;
};

static int eccsi_sign_once(void *p)
{
	struct eccsi_ctx *c = p;
	return mcsec_eccsi_sign(c->signer, c->msg, sizeof(c->msg), c->sig);
}

static int eccsi_verify_once(void *p)
{
	struct eccsi_ctx *c = p;
	return mcsec_eccsi_verify(
			c->kpak, c->id, sizeof(c->id), c->msg, sizeof(c->msg), c->sig);
}

static int eccsi_verify_cold_once(void *p)
{
	mcsec_eccsi_cache_clear();
	return eccsi_verify_once(p);
}

static int eccsi_setup(struct eccsi_ctx *c)
{
	uint8_t ksak[MCSEC_ECCSI_SCALAR_LEN], ssk[MCSEC_ECCSI_SCALAR_LEN];
	uint8_t pvt[MCSEC_ECCSI_POINT_LEN];
	int rc;

	RAND_bytes(c->id, sizeof(c->id));
	RAND_bytes(c->msg, sizeof(c->msg));
	rc = mcsec_eccsi_kms_generate(ksak, c->kpak);
	if(rc == MCSEC_OK)
		rc = mcsec_eccsi_kms_issue(
				ksak, c->kpak, c->id, sizeof(c->id), ssk, pvt);
	if(rc == MCSEC_OK)
		rc = mcsec_eccsi_signer_new(
				c->kpak, c->id, sizeof(c->id), ssk, pvt, &c->signer);
	if(rc == MCSEC_OK)
		rc = mcsec_eccsi_sign(c->signer, c->msg, sizeof(c->msg), c->sig);
	OPENSSL_cleanse(ksak, sizeof(ksak));
	OPENSSL_cleanse(ssk, sizeof(ssk));
	return rc;
}

/* ---- SAKKE ---- */

struct sakke_ctx
{
	uint8_t Z[MCSEC_SAKKE_POINT_LEN];
	uint8_t id[MCSEC_UID_LEN];
	uint8_t ssv[MCSEC_SAKKE_SSV_LEN];
	uint8_t sed[MCSEC_SAKKE_SED_LEN];
	mcsec_sakke_key_t *key;
};

static int sakke_encap_once(void *p)
{
	struct sakke_ctx *c = p;
	return mcsec_sakke_encap(c->Z, c->id, sizeof(c->id), c->ssv, c->sed);
}

static int sakke_decap_once(void *p)
{
	struct sakke_ctx *c = p;
	uint8_t out[MCSEC_SAKKE_SSV_LEN];
	int rc = mcsec_sakke_decap(c->key, c->sed, sizeof(c->sed), out);
	if(rc == MCSEC_OK && CRYPTO_memcmp(out, c->ssv, sizeof(out)) != 0)
		rc = MCSEC_ERR_INTERNAL;
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}

static int sakke_setup(struct sakke_ctx *c)
{
	uint8_t z[MCSEC_SAKKE_SCALAR_LEN], rsk[MCSEC_SAKKE_POINT_LEN];
	int rc;

	RAND_bytes(c->id, sizeof(c->id));
	RAND_bytes(c->ssv, sizeof(c->ssv));
	rc = mcsec_sakke_kms_generate(z, c->Z);
	if(rc == MCSEC_OK)
		rc = mcsec_sakke_kms_issue(z, c->id, sizeof(c->id), rsk);
	if(rc == MCSEC_OK)
		rc = mcsec_sakke_key_new(c->Z, c->id, sizeof(c->id), rsk, &c->key);
	if(rc == MCSEC_OK)
		rc = mcsec_sakke_encap(c->Z, c->id, sizeof(c->id), c->ssv, c->sed);
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(rsk, sizeof(rsk));
	return rc;
}

/* ---- driver ---- */

static void bench_usage(FILE *f)
{
	fprintf(f, "usage: mcsec bench crypto [--iterations N]\n");
}

static int report(const char *name, double us)
{
	if(us < 0) {
		tool_err("bench: %s failed", name);
		return -1;
	}
	printf("%s=%.1f\n", name, us);
	fflush(stdout);
	return 0;
}

static void ratio(const char *name, double a, double b)
{
	if(a > 0 && b > 0)
		printf("%s=%.2f\n", name, a / b);
}

int cmd_bench(int argc, char **argv)
{
	uint64_t it = 0;
	struct eccsi_ctx ec = {0};
	struct sakke_ctx sc = {0};
	double rsa, ecdsa, esign, ever, ecold, enc = -1, dec = -1;
	int fail = 0, rc;

	if(argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		bench_usage(stdout);
		return 0;
	}
	if(argc < 2 || strcmp(argv[1], "crypto") != 0) {
		tool_err("bench: expected 'crypto'");
		bench_usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	for(int i = 2; i < argc; i++) {
		if(!strcmp(argv[i], "--iterations") && i + 1 < argc) {
			if(tool_u64_arg("--iterations", argv[++i], &it))
				return TOOL_EXIT_USAGE;
			if(it == 0 || it > MAX_ITER) {
				tool_err("bench: --iterations must be 1..%lu", MAX_ITER);
				return TOOL_EXIT_USAGE;
			}
		} else {
			tool_err("bench: unknown option '%s'", argv[i]);
			bench_usage(stderr);
			return TOOL_EXIT_USAGE;
		}
	}

	printf("bench_clock=process_cputime\n");
	rsa = bench_rsa_sign((unsigned long)it);
	fail |= report("rsa2048_sign_us", rsa);
	ecdsa = bench_ecdsa_verify((unsigned long)it);
	fail |= report("ecdsa_p256_verify_us", ecdsa);

	rc = eccsi_setup(&ec);
	if(rc != MCSEC_OK) {
		tool_err("bench: ECCSI set-up: %s", mcsec_strerror(rc));
		mcsec_eccsi_signer_free(ec.signer);
		return TOOL_EXIT_FAIL;
	}
	esign = measure(eccsi_sign_once, &ec, (unsigned long)it);
	fail |= report("eccsi_sign_us", esign);
	mcsec_eccsi_cache_clear();
	ever = measure(eccsi_verify_once, &ec, (unsigned long)it);
	fail |= report("eccsi_verify_us", ever);
	ecold = measure(eccsi_verify_cold_once, &ec, (unsigned long)it);
	fail |= report("eccsi_verify_cold_us", ecold);
	mcsec_eccsi_signer_free(ec.signer);

	rc = sakke_setup(&sc);
	if(rc != MCSEC_OK) {
		tool_err("bench: SAKKE set-up: %s", mcsec_strerror(rc));
		fail = 1;
	} else {
		enc = measure(sakke_encap_once, &sc, (unsigned long)it);
		fail |= report("sakke_encap_us", enc);
		dec = measure(sakke_decap_once, &sc, (unsigned long)it);
		fail |= report("sakke_decap_us", dec);
	}
	if(sc.key)
		mcsec_sakke_key_free(sc.key);

	ratio("sakke_decap_ratio", dec, rsa);
	ratio("sakke_encap_ratio", enc, rsa);
	ratio("eccsi_verify_ratio", ever, ecdsa);
	fflush(stdout);

	if(bench_mikey && bench_mikey() != 0)
		fail = 1;
	return fail ? TOOL_EXIT_FAIL : 0;
}
