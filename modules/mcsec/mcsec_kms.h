/*
 * mcsec - Kamailio module: KMS acceptance and KMS Redirect Responses at the
 * edge (TS 33.180 5.2.7, 5.2.8, D.4, I.3.8).
 *
 * cfg functions (and KEMI):
 *   mcsec_check_kms(role)   request routes: every MIKEY I_MESSAGE of the
 *                           request (5.2.8.2.3); 488 + KRR when the case of
 *                           the role applies
 *   mcsec_process_krr(role) reply routes: a 488 with a KRR (5.2.8.2.4)
 * role: "cs-in" (from an MC client: case A), "cs-out" (towards an MC
 * client: case D), "is-in" / "is-out" (interconnection: cases B and C).
 * For mcsec_process_krr the role names where the 488 itself crosses: a KRR
 * coming from a client is "cs-in", one going towards a client "cs-out".
 * modparam krr_trust (repeatable: PEM certificate files or directories of
 * *.pem / *.crt): trust anchors for received KRR signatures.
 * RPC mcsec.reload: re-read kms_policy and krr_trust at run time.
 */
#ifndef MCSEC_MOD_KMS_H
#define MCSEC_MOD_KMS_H

#include "core/parser/msg_parser.h"
#include "core/rpc.h"
#include "core/sr_module.h"
#include "core/str.h"

#include "mikey.h"

/* modparams kms_policy / krr_key / krr_cert / krr_trust, RPC mcsec.reload,
 * shared counters (mod_init, before fork) */
int mcsec_kms_init(void);
void mcsec_kms_destroy(void);

/* 5.2.8.2.3 case A on a CSK upload: 0 acceptable (go on); negative: a 488
 * with a KRR was sent (*replied = 1) */
int mcsec_kms_upload_check(sip_msg_t *msg, const mcsec_mikey_msg_t *m,
		const char *initiator, int *replied);

/* adds this file's counters to the mcsec.stats struct th */
int mcsec_kms_rpc_stats(rpc_t *rpc, void *th);

/* modparam krr_trust */
int mcsec_kms_param_krr_trust(modparam_t type, void *val);

/* cfg wrappers and KEMI functions */
int w_mcsec_check_kms(sip_msg_t *msg, char *role, char *p2);
int w_mcsec_process_krr(sip_msg_t *msg, char *role, char *p2);
int ki_mcsec_check_kms(sip_msg_t *msg, str *role);
int ki_mcsec_process_krr(sip_msg_t *msg, str *role);

/* cfg functions, parameters and KEMI exports of this file, spliced into the
 * module's tables in mcsec_mod.c */
/* clang-format off */
#define MCSEC_KMS_CMDS \
	{"mcsec_check_kms", (cmd_function)w_mcsec_check_kms, 1, \
		fixup_spve_null, fixup_free_spve_null, REQUEST_ROUTE}, \
	{"mcsec_process_krr", (cmd_function)w_mcsec_process_krr, 1, \
		fixup_spve_null, fixup_free_spve_null, REQUEST_ROUTE | ONREPLY_ROUTE},
#define MCSEC_KMS_PARAMS \
	{"krr_trust", PARAM_STRING | PARAM_USE_FUNC, \
		(void *)mcsec_kms_param_krr_trust},
#define MCSEC_KMS_KEMI \
	{ str_init("mcsec"), str_init("mcsec_check_kms"), \
		SR_KEMIP_INT, ki_mcsec_check_kms, \
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } \
	}, \
	{ str_init("mcsec"), str_init("mcsec_process_krr"), \
		SR_KEMIP_INT, ki_mcsec_process_krr, \
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } \
	},
/* clang-format on */

#endif
