/*
 * mcsec - Kamailio module: KMS acceptance at the edge (TS 33.180 5.2.7,
 * 5.2.8.2.3, D.4): the KMS policy (modparam kms_policy), the KRR signing key
 * (krr_key / krr_cert) and the 488 + KRR answer to a CSK upload of a KMS the
 * domain does not accept (case A).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/data_lump_rpl.h"
#include "core/dprint.h"
#include "core/parser/msg_parser.h"
#include "modules/sl/sl.h"

#include "kms_policy.h"
#include "krr.h"
#include "mcsec_err.h"
#include "mikey.h"

#include "mcsec_kms.h"
#include "mcsec_mod.h"

static mcsec_kms_policy_t *mcsec_kmspol = NULL; /* modparam kms_policy */
static mcsec_krr_signer_t *mcsec_krr_signer = NULL;
static sl_api_t slb;

int mcsec_kms_init(void)
{
	int rc, line = 0;

	if(sl_load_api(&slb) != 0) {
		LM_ERR("cannot bind to the sl module (load sl.so before mcsec)\n");
		return -1;
	}
	/* KMS acceptance (5.2.8.2.3) and the KRR signing key (D.4.2), optional */
	if(mcsec_kms_policy_path.s && mcsec_kms_policy_path.len > 0) {
		mcsec_krr_init();
		rc = mcsec_kms_policy_load(
				mcsec_kms_policy_path.s, &mcsec_kmspol, &line);
		if(rc != MCSEC_OK) {
			LM_ERR("kms_policy [%s]: %s (line %d)\n", mcsec_kms_policy_path.s,
					mcsec_strerror(rc), line);
			return -1;
		}
		if(mcsec_krr_key_path.len > 0 || mcsec_krr_cert_path.len > 0) {
			rc = mcsec_krr_signer_load(mcsec_krr_key_path.s,
					mcsec_krr_cert_path.s, &mcsec_krr_signer);
			if(rc != MCSEC_OK) {
				LM_ERR("krr_key / krr_cert: %s\n", mcsec_strerror(rc));
				return -1;
			}
		}
	}
	return 0;
}

void mcsec_kms_destroy(void)
{
	if(mcsec_krr_signer) {
		mcsec_krr_signer_free(mcsec_krr_signer);
		mcsec_krr_signer = NULL;
	}
	if(mcsec_kmspol) {
		mcsec_kms_policy_free(mcsec_kmspol);
		mcsec_kmspol = NULL;
	}
}

/* 5.2.8.2.3 case A: a KMS this domain does not accept gets 488 with a KRR
 * (D.4; signed when krr_key/krr_cert are set).  0: acceptable (go on),
 * negative: replied. */
int mcsec_kms_upload_check(sip_msg_t *msg, const mcsec_mikey_msg_t *m,
		const char *initiator, int *replied)
{
	static const char ct[] = "Content-Type: " MCSEC_KRR_CONTENT_TYPE "\r\n";
	mcsec_krr_ids_t ids;
	mcsec_krr_t *krr = NULL;
	char *xml = NULL, kcase = 0;
	size_t len = 0;
	const char *creator;
	str r = str_init("KMS not acceptable");
	int rc;

	*replied = 0;
	if(!mcsec_kmspol)
		return 0;
	memset(&ids, 0, sizeof(ids));
	rc = mcsec_krr_ids_from_mikey(m, initiator,
			m->hidden_r && mcsec_identities.n > 0 ? mcsec_identities.items[0].s
												  : NULL,
			&ids);
	if(rc != MCSEC_OK)
		return 0; /* the extraction reports what is wrong with it */
	creator = mcsec_kms_policy_creator(mcsec_kmspol);
	if(!creator)
		creator = mcsec_identities.n > 0 ? mcsec_identities.items[0].s : "";
	rc = mcsec_krr_create(mcsec_kmspol, MCSEC_KRR_ROLE_CS_INBOUND, &ids,
			creator, time(NULL), &krr, &kcase);
	mcsec_krr_ids_clear(&ids);
	if(rc != MCSEC_OK || !krr)
		return 0;
	rc = mcsec_krr_write(krr, mcsec_krr_signer, &xml, &len);
	mcsec_krr_free(krr);
	atomic_inc(&mcsec_counters->uploads_failed);
	atomic_inc(&mcsec_counters->failed_by[-MCSEC_ERR_UNKNOWN_KMS]);
	mcsec_upload_pv.err_code = MCSEC_KRR_SIP_STATUS;
	snprintf(mcsec_upload_pv.err_reason, sizeof(mcsec_upload_pv.err_reason),
			"%s", r.s);
	*replied = 1;
	if(rc == MCSEC_OK
			&& (add_lump_rpl(msg, (char *)ct, sizeof(ct) - 1, LUMP_RPL_HDR) == 0
					|| add_lump_rpl(msg, xml, (int)len, LUMP_RPL_BODY) == 0))
		LM_ERR("cannot add the KRR to the reply\n");
	LM_NOTICE("CSK upload refused: 488 KMS not acceptable (KRR case %c%s)\n",
			kcase ? kcase : '?', rc == MCSEC_OK ? "" : ", KRR not written");
	if(slb.freply(msg, MCSEC_KRR_SIP_STATUS, &r) < 0)
		LM_ERR("cannot send the 488 reply\n");
	free(xml);
	return -4;
}

int mcsec_kms_rpc_stats(rpc_t *rpc, void *th)
{
	return 0;
}
