/*
 * mcsec - Kamailio module: XML signalling protection at the edge (TS 33.180
 * 9.3, I.3.7): mcsec_unprotect() / mcsec_protect() and the SPKs of partner
 * domains.
 */
#ifndef MCSEC_MOD_PROTECT_H
#define MCSEC_MOD_PROTECT_H

#include "core/rpc.h"

int mcsec_protect_init(void);	  /* mod_init, before fork */
void mcsec_protect_destroy(void); /* mod_destroy */
/* adds this file's counters to the mcsec.stats struct th */
int mcsec_protect_rpc_stats(rpc_t *rpc, void *th);

/* cfg functions, parameters and KEMI exports of this file, spliced into the
 * module's tables in mcsec_mod.c (filled in by the XML protection work) */
#define MCSEC_PROTECT_CMDS
#define MCSEC_PROTECT_PARAMS
#define MCSEC_PROTECT_KEMI

#endif
