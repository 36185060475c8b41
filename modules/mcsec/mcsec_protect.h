/*
 * mcsec - Kamailio module: XML signalling protection at the edge (TS 33.180
 * 9.3, I.3.7): mcsec_unprotect() / mcsec_protect() and the SPKs of partner
 * domains.
 *
 * Return codes of the cfg functions:
 *    1  the body was unprotected / protected and rewritten
 *    2  nothing to do: no body, no XML body, or nothing the policy covers
 *       (the message goes on unchanged)
 *   -3  refused, 403 sent (requests): no key, key of another client,
 *       signature or decryption check failed
 *   -4  refused, 488 sent (requests): malformed or unsupported protection,
 *       required protection absent
 *   -5  refused, 500 sent (requests): internal error
 * On replies nothing is sent: the return code is negative and the cfg
 * answers the transaction with 500 and drops the reply (see the docs).
 */
#ifndef MCSEC_MOD_PROTECT_H
#define MCSEC_MOD_PROTECT_H

#include "core/parser/msg_parser.h"
#include "core/rpc.h"
#include "core/sr_module.h"
#include "core/kemi.h"
#include "core/mod_fix.h"

int mcsec_protect_init(void);	  /* mod_init, before fork */
void mcsec_protect_destroy(void); /* mod_destroy */
/* adds this file's counters to the mcsec.stats struct th */
int mcsec_protect_rpc_stats(rpc_t *rpc, void *th);

/* modparams */
int mcsec_param_spk(modparam_t type, void *val);
extern int mcsec_require_encryption;

/* cfg wrappers */
int w_mcsec_unprotect(sip_msg_t *msg, char *peer, char *p2);
int w_mcsec_protect(sip_msg_t *msg, char *peer, char *p2);
int w_mcsec_protect_client(sip_msg_t *msg, char *client, char *p2);
/* KEMI */
int ki_mcsec_unprotect(sip_msg_t *msg);
int ki_mcsec_unprotect_peer(sip_msg_t *msg, str *peer);
int ki_mcsec_protect(sip_msg_t *msg);
int ki_mcsec_protect_peer(sip_msg_t *msg, str *peer);
int ki_mcsec_protect_client(sip_msg_t *msg, str *client);

#define MCSEC_PROTECT_ROUTES (REQUEST_ROUTE | ONREPLY_ROUTE | FAILURE_ROUTE)

/* cfg functions, parameters and KEMI exports of this file, spliced into the
 * module's tables in mcsec_mod.c */
/* clang-format off */
#define MCSEC_PROTECT_CMDS \
	{"mcsec_unprotect", (cmd_function)w_mcsec_unprotect, 0, 0, 0, \
		MCSEC_PROTECT_ROUTES}, \
	{"mcsec_unprotect", (cmd_function)w_mcsec_unprotect, 1, fixup_spve_null, \
		fixup_free_spve_null, MCSEC_PROTECT_ROUTES}, \
	{"mcsec_protect", (cmd_function)w_mcsec_protect, 0, 0, 0, \
		MCSEC_PROTECT_ROUTES}, \
	{"mcsec_protect", (cmd_function)w_mcsec_protect, 1, fixup_spve_null, \
		fixup_free_spve_null, MCSEC_PROTECT_ROUTES}, \
	{"mcsec_protect_client", (cmd_function)w_mcsec_protect_client, 1, \
		fixup_spve_null, fixup_free_spve_null, MCSEC_PROTECT_ROUTES},

#define MCSEC_PROTECT_PARAMS \
	{"spk", PARAM_STRING | PARAM_USE_FUNC, (void *)mcsec_param_spk}, \
	{"require_encryption", PARAM_INT, &mcsec_require_encryption},

#define MCSEC_PROTECT_KEMI \
	{ str_init("mcsec"), str_init("mcsec_unprotect"), \
		SR_KEMIP_INT, ki_mcsec_unprotect, \
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } \
	}, \
	{ str_init("mcsec"), str_init("mcsec_unprotect_peer"), \
		SR_KEMIP_INT, ki_mcsec_unprotect_peer, \
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } \
	}, \
	{ str_init("mcsec"), str_init("mcsec_protect"), \
		SR_KEMIP_INT, ki_mcsec_protect, \
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } \
	}, \
	{ str_init("mcsec"), str_init("mcsec_protect_peer"), \
		SR_KEMIP_INT, ki_mcsec_protect_peer, \
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } \
	}, \
	{ str_init("mcsec"), str_init("mcsec_protect_client"), \
		SR_KEMIP_INT, ki_mcsec_protect_client, \
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } \
	},
/* clang-format on */

#endif
