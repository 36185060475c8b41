/*
 * Constant-time harness for `make ct-check` (scripts/ct-check.sh): runs
 * SAKKE decapsulation (and encapsulation) and ECCSI signing under valgrind
 * memcheck with the secrets marked undefined, so every branch or memory
 * index that depends on a secret shows up as "Conditional jump or move
 * depends on uninitialised value(s)" / "Use of uninitialised value of size
 * N".  Public outputs are marked defined before they are compared or
 * printed.  Built by the script with -DMCSEC_CT_CHECK, which makes the
 * library declassify the one value the protocol reveals (SAKKE's
 * TEST == R outcome, RFC 6508 6.2.2 step 5).
 *
 * Secrets: the SAKKE receiver key's RSK-derived Miller-loop lines (after
 * loading), the SSV given to encapsulation, the ECCSI SSK (before loading,
 * so the signer's copy is derived from undefined bytes) and the ECCSI
 * ephemeral j.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "eccsi.h"
#include "mcsec_err.h"
#include "sakke.h"
#include "sakke_internal.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static int fail(const char *what)
{
	fprintf(stderr, "ct_harness: %s\n", what);
	return 1;
}

static int run_sakke(void)
{
	static const uint8_t id[32] = "ct-harness receiver identity...";
	uint8_t z[128], Z[257], rsk[257], ssv[16], ssv_pub[16], sed[273], out[16];
	mcsec_sakke_key_t *k = NULL;
	const void *sec;
	size_t sec_len;
	int rc;

	if(mcsec_sakke_kms_generate(z, Z) != MCSEC_OK
			|| mcsec_sakke_kms_issue(z, id, sizeof(id), rsk) != MCSEC_OK
			|| mcsec_sakke_key_new(Z, id, sizeof(id), rsk, &k) != MCSEC_OK)
		return fail("sakke key set-up");
	mcsec_sakke_internal_secret_region(k, &sec, &sec_len);
	SECRET(sec, sec_len);

	/* encapsulation: the SSV is secret, the SED public; three rounds so
	 * both the variable-base and the cached-table paths run */
	for(int i = 0; i < 3; i++) {
		if(RAND_bytes(ssv, sizeof(ssv)) != 1)
			return fail("rand");
		memcpy(ssv_pub, ssv, sizeof(ssv));
		SECRET(ssv, sizeof(ssv));
		rc = mcsec_sakke_encap(Z, id, sizeof(id), ssv, sed);
		PUBLIC(&rc, sizeof(rc));
		PUBLIC(sed, sizeof(sed));
		if(rc != MCSEC_OK)
			return fail("sakke encap");
	}

	/* decapsulation of a valid SED */
	rc = mcsec_sakke_decap(k, sed, sizeof(sed), out);
	PUBLIC(&rc, sizeof(rc));
	PUBLIC(out, sizeof(out));
	if(rc != MCSEC_OK || memcmp(out, ssv_pub, sizeof(out)) != 0)
		return fail("sakke decap (valid)");

	/* and of one with a tampered H (re-encryption check fails) */
	sed[270] ^= 0x40;
	rc = mcsec_sakke_decap(k, sed, sizeof(sed), out);
	PUBLIC(&rc, sizeof(rc));
	if(rc != MCSEC_ERR_DECAP_FAILED)
		return fail("sakke decap (tampered)");

	PUBLIC(sec, sec_len);
	mcsec_sakke_key_free(k);
	OPENSSL_cleanse(z, sizeof(z));
	printf("ct_harness: sakke ok\n");
	return 0;
}

static int run_eccsi(void)
{
	static const uint8_t id[32] = "ct-harness signer identity.....";
	static const uint8_t msg[] = "message signed under the constant-time check";
	uint8_t ksak[32], kpak[65], ssk[32], pvt[65], j[32], sig[129];
	mcsec_eccsi_signer_t *s = NULL;
	int rc;

	if(mcsec_eccsi_kms_generate(ksak, kpak) != MCSEC_OK
			|| mcsec_eccsi_kms_issue(ksak, kpak, id, sizeof(id), ssk, pvt)
					   != MCSEC_OK)
		return fail("eccsi kms set-up");
	SECRET(ssk, sizeof(ssk));
	rc = mcsec_eccsi_signer_new(kpak, id, sizeof(id), ssk, pvt, &s);
	PUBLIC(&rc, sizeof(rc));
	if(rc != MCSEC_OK)
		return fail("eccsi signer");

	for(int i = 0; i < 2; i++) {
		if(RAND_bytes(j, sizeof(j)) != 1)
			return fail("rand");
		j[0] &= 0x7f; /* < q */
		j[31] |= 1;	  /* != 0 */
		SECRET(j, sizeof(j));
		rc = mcsec_eccsi_sign_with_j(s, msg, sizeof(msg), j, sig);
		PUBLIC(&rc, sizeof(rc));
		PUBLIC(sig, sizeof(sig));
		if(rc != MCSEC_OK)
			return fail("eccsi sign_with_j");
		if(mcsec_eccsi_verify(kpak, id, sizeof(id), msg, sizeof(msg), sig)
				!= MCSEC_OK)
			return fail("eccsi verify");
	}
	/* fresh random j inside the library */
	rc = mcsec_eccsi_sign(s, msg, sizeof(msg), sig);
	PUBLIC(&rc, sizeof(rc));
	PUBLIC(sig, sizeof(sig));
	if(rc != MCSEC_OK
			|| mcsec_eccsi_verify(kpak, id, sizeof(id), msg, sizeof(msg), sig)
					   != MCSEC_OK)
		return fail("eccsi sign");
	mcsec_eccsi_signer_free(s);
	printf("ct_harness: eccsi ok\n");
	return 0;
}

int main(void)
{
	int bad = run_sakke();
	bad |= run_eccsi();
	return bad;
}
