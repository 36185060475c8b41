/*
 * mcsec - Kamailio module: SIP message helpers shared by the glue files
 * (identities of the sender, body rewriting with lumps, per-process libxml2
 * set-up).
 */
#ifndef MCSEC_MOD_SIP_H
#define MCSEC_MOD_SIP_H

#include <stddef.h>

#include "core/parser/msg_parser.h"
#include "core/str.h"

/* IMPU: P-Asserted-Identity, else From; 0 or -1 */
int mcsec_sip_impu(sip_msg_t *msg, str *impu);
/* From URI; 0 or -1 */
int mcsec_sip_from_uri(sip_msg_t *msg, str *u);
/* replace the body (NULL/0: remove it) and the Content-Type (NULL: none) with
 * lumps; body is the message's current body; 0 or -1 */
int mcsec_sip_rewrite_body(sip_msg_t *msg, str *body, const char *nb,
		size_t nb_len, const char *nct);
/* libxml2 / mcsec XML set-up once per process (after fork) */
void mcsec_sip_xml_ready(void);

#endif
