/*
 * mcsec - Kamailio module: XML signalling protection at the edge (TS 33.180
 * 9.3, I.3.7).
 */
#include "mcsec_protect.h"

int mcsec_protect_init(void)
{
	return 0;
}

void mcsec_protect_destroy(void)
{
}

int mcsec_protect_rpc_stats(rpc_t *rpc, void *th)
{
	return 0;
}
