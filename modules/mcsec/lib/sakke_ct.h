/*
 * mcsec - declassification points for the constant-time check
 * (scripts/ct-check.sh builds the library with -DMCSEC_CT_CHECK and runs it
 * under valgrind memcheck with the secrets marked undefined).  A value is
 * declassified only where the protocol itself reveals it.
 */
#ifndef MCSEC_SAKKE_CT_H
#define MCSEC_SAKKE_CT_H

#ifdef MCSEC_CT_CHECK
#include <valgrind/memcheck.h>
#define SAKKE_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define SAKKE_DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

#endif
