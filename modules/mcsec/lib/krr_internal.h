/*
 * mcsec - internals shared by krr.c and krr_sign.c (not a public API).
 */
#ifndef MCSEC_KRR_INTERNAL_H
#define MCSEC_KRR_INTERNAL_H

#include <libxml/tree.h>

#include "krr.h"

#define MCSEC_DSIG_NS "http://www.w3.org/2000/09/xmldsig#"

/* Build the unsigned XML tree of k (embedded KRRs copied unchanged). */
int mcsec_krr_build_doc(const mcsec_krr_t *k, xmlDocPtr *doc);
/* Add the D.4.2 enveloped signature to the root of doc. */
int mcsec_krr_sign_doc(xmlDocPtr doc, const mcsec_krr_signer_t *s);

#endif
