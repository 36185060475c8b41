/*
 * mcsec - Kamailio module: KMS acceptance and KMS Redirect Responses at the
 * edge (TS 33.180 5.2.8, D.4).
 */
#ifndef MCSEC_MOD_KMS_H
#define MCSEC_MOD_KMS_H

#include "core/parser/msg_parser.h"
#include "core/rpc.h"

#include "mikey.h"

/* modparams kms_policy / krr_key / krr_cert (mod_init, before fork) */
int mcsec_kms_init(void);
void mcsec_kms_destroy(void);

/* 5.2.8.2.3 case A on a CSK upload: 0 acceptable (go on); negative: a 488
 * with a KRR was sent (*replied = 1) */
int mcsec_kms_upload_check(sip_msg_t *msg, const mcsec_mikey_msg_t *m,
		const char *initiator, int *replied);

/* adds this file's counters to the mcsec.stats struct th */
int mcsec_kms_rpc_stats(rpc_t *rpc, void *th);

/* cfg functions, parameters and KEMI exports of this file, spliced into the
 * module's tables in mcsec_mod.c */
#define MCSEC_KMS_CMDS
#define MCSEC_KMS_PARAMS
#define MCSEC_KMS_KEMI

#endif
