/*
 * mcsec - Kamailio module: hand-off of a received request to the core's
 * async task workers (see mcsec_handoff.h).
 *
 * The idea is that of Kamailio's sworker module (not shipped by Debian): the
 * SIP worker pushes the received octets + receive_info_t as one shm block
 * through the core async task socket (core/async_task.c); the async worker
 * runs them through receive_msg() (core/receive.c), i.e. the whole
 * request_route, with a process-local flag set for mcsec_in_worker().
 *
 * Ownership: the block is one shm allocation, the async_task_t header first;
 * after a successful push it belongs to the worker side, and the core's
 * async_task_run() shm_free()s it once the task function has returned (so
 * the task function must not free it).  receive_msg() parses in place and
 * expects a NUL-terminated, process-owned buffer of at most BUF_SIZE octets
 * (the UDP receiver's own buffer is static char[BUF_SIZE + 1]): the task
 * copies into such a buffer of its process first.
 */
#include <string.h>

#include "core/str.h"
#include "core/async_task.h"
#include "core/atomic_ops.h"
#include "core/cfg/cfg_struct.h"
#include "core/config.h"
#include "core/dprint.h"
#include "core/fmsg.h"
#include "core/ip_addr.h"
#include "core/mem/shm_mem.h"
#include "core/receive.h"

#include "mcsec_handoff.h"
#include "mcsec_mod.h"

/* the pushed block: [async_task_t][mcsec_handoff_task_t][len octets + NUL] */
typedef struct mcsec_handoff_task
{
	receive_info_t rcv;
	unsigned int len;
	char buf[]; /* len octets and a NUL */
} mcsec_handoff_task_t;

typedef struct mcsec_handoff_counters
{
	atomic_t handoffs;		 /* requests pushed to the async workers */
	atomic_t handoff_failed; /* mcsec_csk_handoff() returned -1 */
	atomic_t handoff_runs;	 /* re-runs started in an async worker */
} mcsec_handoff_counters_t;

static mcsec_handoff_counters_t *ho_cnt = NULL;

/* 1 while this process (an async worker) runs a handed-off request */
static int ho_in_worker = 0;

int mcsec_handoff_init(void)
{
	ho_cnt = shm_malloc(sizeof(*ho_cnt));
	if(ho_cnt == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(ho_cnt, 0, sizeof(*ho_cnt));
	atomic_set(&ho_cnt->handoffs, 0);
	atomic_set(&ho_cnt->handoff_failed, 0);
	atomic_set(&ho_cnt->handoff_runs, 0);
	return 0;
}

void mcsec_handoff_destroy(void)
{
	if(ho_cnt) {
		shm_free(ho_cnt);
		ho_cnt = NULL;
	}
}

int mcsec_handoff_rpc_stats(rpc_t *rpc, void *th)
{
	int n, r;

	if(!ho_cnt)
		return 0;
	n = atomic_get(&ho_cnt->handoffs);
	r = atomic_get(&ho_cnt->handoff_runs);
	return rpc->struct_add(th, "dddd", "handoffs", n, "handoff_failed",
				   atomic_get(&ho_cnt->handoff_failed), "handoff_runs", r,
				   "handoff_pending", n > r ? n - r : 0)
						   < 0
				   ? -1
				   : 0;
}

/* async worker: the request again, through the core's receive path */
static void mcsec_handoff_exec(void *param)
{
	/* like the UDP receiver's buffer: receive_msg() works in place */
	static char buf[BUF_SIZE + 1];
	mcsec_handoff_task_t *t = (mcsec_handoff_task_t *)param;
	receive_info_t rcv;
	unsigned int len;

	if(t == NULL || t->len == 0 || t->len > BUF_SIZE) {
		LM_ERR("invalid hand-off task (length %u)\n", t ? t->len : 0);
		return;
	}
	len = t->len;
	memcpy(buf, t->buf, len);
	buf[len] = '\0';
	memcpy(&rcv, &t->rcv, sizeof(rcv));
	/* dispatched internally: the core skips event_route[core:pre-routing],
	 * which ran in the SIP worker */
	rcv.rflags |= RECV_F_INTERNAL;

	mcsec_async_sched_apply(); /* async_sched / async_nice, once */
	/* run-time cfg changes (kamcmd cfg.set*), as the SIP receivers do before
	 * each message */
	cfg_update();
	atomic_inc(&ho_cnt->handoff_runs);
	ho_in_worker = 1;
	if(receive_msg(buf, len, &rcv) < 0)
		LM_DBG("handed-off request: receive_msg() returned an error\n");
	ho_in_worker = 0;
	/* the block (header, this struct, the octets) is shm_free()d by the
	 * core's async_task_run() when this returns */
}

static int handoff_fail(void)
{
	if(ho_cnt)
		atomic_inc(&ho_cnt->handoff_failed);
	return -1;
}

int ki_mcsec_csk_handoff(sip_msg_t *msg)
{
	async_task_t *at;
	mcsec_handoff_task_t *t;
	size_t size;

	if(msg == NULL || msg->first_line.type != SIP_REQUEST) {
		LM_ERR("hand-off: not a request\n");
		return handoff_fail();
	}
	if(ho_in_worker) {
		/* the re-run must not push itself again */
		LM_ERR("hand-off: already running in an async worker\n");
		return handoff_fail();
	}
	if(faked_msg_match(msg)) {
		LM_ERR("hand-off: not for a faked request (failure route, "
			   "t_continue)\n");
		return handoff_fail();
	}
	if(!async_task_workers_active()) {
		LM_ERR("hand-off: no async workers (core parameter async_workers)\n");
		return handoff_fail();
	}
	if(msg->buf == NULL || msg->len <= 0 || msg->len > BUF_SIZE) {
		LM_ERR("hand-off: message length %d outside 1..%d\n", msg->len,
				BUF_SIZE);
		return handoff_fail();
	}
	if(msg->rcv.bind_address == NULL) {
		LM_ERR("hand-off: request without a local socket\n");
		return handoff_fail();
	}

	size = sizeof(async_task_t) + sizeof(mcsec_handoff_task_t)
		   + (size_t)msg->len + 1;
	at = shm_malloc(size);
	if(at == NULL) {
		SHM_MEM_ERROR;
		return handoff_fail();
	}
	t = (mcsec_handoff_task_t *)(at + 1);
	memset(at, 0, sizeof(*at) + sizeof(*t));
	at->exec = mcsec_handoff_exec;
	at->param = t;
	memcpy(&t->rcv, &msg->rcv, sizeof(t->rcv));
	t->len = (unsigned int)msg->len;
	memcpy(t->buf, msg->buf, msg->len);
	t->buf[msg->len] = '\0';

	/* counted first: the worker may start before the push returns */
	atomic_inc(&ho_cnt->handoffs);
	/* async_task_push(): 0 sent, negative not; with workers active it does
	 * not take the "ignored" path (which would leave the block to us) */
	if(async_task_push(at) < 0) {
		atomic_dec(&ho_cnt->handoffs);
		LM_ERR("hand-off: cannot pass the request to the async workers\n");
		shm_free(at);
		return handoff_fail();
	}
	return 1;
}

int ki_mcsec_in_worker(sip_msg_t *msg)
{
	return ho_in_worker ? 1 : -1;
}

int w_mcsec_csk_handoff(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_mcsec_csk_handoff(msg);
}

int w_mcsec_in_worker(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_mcsec_in_worker(msg);
}
