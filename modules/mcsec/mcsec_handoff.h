/*
 * mcsec - Kamailio module: hand-off of a received request to the core's
 * async task workers, where the whole request_route runs again.
 *
 * A new CSK upload needs ECCSI verification + SAKKE decapsulation (TS 33.180
 * 5.4, 9.2.1.3): milliseconds of CPU that must not hold a SIP worker.  The
 * SIP worker copies the received octets and their receive information into
 * one shm block and pushes it to the async workers (core async_workers);
 * an async worker feeds them to the core's receive_msg(), as if the request
 * had just arrived there, and the script finds out with mcsec_in_worker()
 * that it is in that re-run.  No tm transaction is created and no message is
 * cloned in the SIP worker (cheaper than async_task_route() + t_continue()).
 *
 * cfg functions (and KEMI):
 *   mcsec_csk_handoff()  REQUEST_ROUTE, SIP worker: 1 the request was handed
 *                        off (the script must exit without forwarding), -1
 *                        not possible (no async workers, message too large,
 *                        already in the re-run, push failed): the script
 *                        handles the request in place
 *   mcsec_in_worker()    1 inside the re-run in an async worker, -1 otherwise
 * mcsec.stats: handoffs, handoff_failed, handoff_runs, handoff_pending.
 */
#ifndef MCSEC_MOD_HANDOFF_H
#define MCSEC_MOD_HANDOFF_H

#include "core/parser/msg_parser.h"
#include "core/rpc.h"
#include "core/sr_module.h"

/* shared counters (mod_init, before fork) */
int mcsec_handoff_init(void);
void mcsec_handoff_destroy(void);

/* adds this file's counters to the mcsec.stats struct th */
int mcsec_handoff_rpc_stats(rpc_t *rpc, void *th);

/* cfg wrappers and KEMI functions */
int w_mcsec_csk_handoff(sip_msg_t *msg, char *p1, char *p2);
int w_mcsec_in_worker(sip_msg_t *msg, char *p1, char *p2);
int ki_mcsec_csk_handoff(sip_msg_t *msg);
int ki_mcsec_in_worker(sip_msg_t *msg);

/* cfg functions and KEMI exports of this file, spliced into the module's
 * tables in mcsec_mod.c */
/* clang-format off */
#define MCSEC_HANDOFF_CMDS \
	{"mcsec_csk_handoff", (cmd_function)w_mcsec_csk_handoff, 0, \
		0, 0, REQUEST_ROUTE}, \
	{"mcsec_in_worker", (cmd_function)w_mcsec_in_worker, 0, \
		0, 0, ANY_ROUTE},
#define MCSEC_HANDOFF_KEMI \
	{ str_init("mcsec"), str_init("mcsec_csk_handoff"), \
		SR_KEMIP_INT, ki_mcsec_csk_handoff, \
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } \
	}, \
	{ str_init("mcsec"), str_init("mcsec_in_worker"), \
		SR_KEMIP_INT, ki_mcsec_in_worker, \
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } \
	},
/* clang-format on */

#endif
