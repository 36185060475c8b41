/*
 * mcsec - g^r in PF_p for SAKKE (RFC 6508 6.2.1 step 4a) with a
 * per-process fixed-base table of g (RFC 6509 Appendix A).
 */
#ifndef MCSEC_SAKKE_GPOW_H
#define MCSEC_SAKKE_GPOW_H

#include "sakke_fp.h"

/* w = F_p representative of g^r (Montgomery form), r < q; constant time
 * in r.  MCSEC_OK or MCSEC_ERR_INTERNAL. */
int sakke_gpow(sakke_fp_t *w, const sakke_fp_t *r);

#endif
