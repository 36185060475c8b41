/*
 * mcsec - SAKKE parameter set 1 (RFC 6509 Appendix A) as big-endian octets.
 */
#ifndef MCSEC_SAKKE_PARAMS_H
#define MCSEC_SAKKE_PARAMS_H

#include <stdint.h>

#include "sakke_fp.h"

extern const uint8_t sakke_param_p[SAKKE_FP_BYTES];
extern const uint8_t sakke_param_q[SAKKE_FP_BYTES];
extern const uint8_t sakke_param_px[SAKKE_FP_BYTES];
extern const uint8_t sakke_param_py[SAKKE_FP_BYTES];
extern const uint8_t sakke_param_g[SAKKE_FP_BYTES];

#define SAKKE_PARAM_N_BITS 128

#endif
