/*
 * libFuzzer target: untrusted KMS Redirect Responses (TS 33.180 D.4, as
 * received in a 488) through mcsec_krr_parse, signature verification of
 * every level (xmlsec1, D.4.2 profile; no trust anchors, so a good
 * signature is "untrusted" and the crypto path is still reached),
 * re-generation (5.2.8.2.4) for each proxy role, and writing.
 * Invariants: result codes are ours; levels within the parser bound; a
 * replacement has one more level and embeds the received KRR by its Id;
 * whatever we write parses back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "krr.h"
#include "mcsec_err.h"

static mcsec_kms_policy_t *policy;

static const char POLICY[] = "home kms.example.org\n"
							 "migration kms.mig.example.org\n"
							 "local *@example.org\n"
							 "default both @home @migration\n";

static void check_rc(int rc)
{
	if(rc > 0 || rc < MCSEC_ERR_MIN)
		abort();
}

static void reparse(const mcsec_krr_t *k, size_t want_levels)
{
	char *xml;
	size_t len;
	mcsec_krr_t *b = NULL;
	int rc = mcsec_krr_write(k, NULL, &xml, &len);
	check_rc(rc);
	if(rc != MCSEC_OK)
		return;
	if(mcsec_krr_parse(xml, len, &b) != MCSEC_OK || b->levels != want_levels)
		abort();
	mcsec_krr_free(b);
	free(xml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mcsec_krr_t *k = NULL;
	int rc;

	if(!policy) {
		mcsec_krr_init();
		if(mcsec_kms_policy_parse(POLICY, sizeof(POLICY) - 1, &policy, NULL)
				!= MCSEC_OK)
			abort();
	}
	rc = mcsec_krr_parse((const char *)data, size, &k);
	check_rc(rc);
	if(rc != MCSEC_OK)
		return 0;
	if(k->levels < 1 || k->levels > MCSEC_KRR_PARSE_MAX_LEVELS)
		abort();
	for(const mcsec_krr_t *c = k; c; c = c->received) {
		int sig = 0;
		if(mcsec_krr_verify(NULL, c, &sig) != MCSEC_OK
				|| sig < MCSEC_KRR_SIG_VALID || sig > MCSEC_KRR_SIG_INVALID
				|| sig == MCSEC_KRR_SIG_VALID)
			abort();
	}
	if(k->id)
		reparse(k, k->levels);
	for(int role = MCSEC_KRR_ROLE_CS_INBOUND;
			role <= MCSEC_KRR_ROLE_CS_OUTBOUND; role++) {
		mcsec_krr_t *n = NULL;
		int action = -1;
		char kc = 0;
		rc = mcsec_krr_regenerate(policy, role, k, "sip:fuzz@example.org",
				(time_t)1800000000, &n, &action, &kc);
		check_rc(rc);
		if(rc != MCSEC_OK)
			continue;
		if(action == MCSEC_KRR_REPLACE) {
			if(!n || n->levels != k->levels + 1
					|| n->levels > MCSEC_KRR_MAX_LEVELS || !n->received
					|| (k->id && strcmp(n->received->id, k->id)))
				abort();
			reparse(n, n->levels);
		} else if(n
				  || (action == MCSEC_KRR_TOO_DEEP
						  && k->levels < MCSEC_KRR_MAX_LEVELS)) {
			abort();
		}
		mcsec_krr_free(n);
	}
	mcsec_krr_free(k);
	return 0;
}
