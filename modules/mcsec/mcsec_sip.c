/*
 * mcsec - Kamailio module: SIP message helpers shared by the glue files.
 */
#include <string.h>
#include <unistd.h>

#include "core/data_lump.h"
#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/parser/msg_parser.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_ppi_pai.h"

#include "xml_mem.h"
#include "xmlprot.h"

#include "mcsec_sip.h"

static pid_t xml_ready_pid = 0;

/* IMPU: P-Asserted-Identity, else From (TS 33.180 issue 5 binding) */
int mcsec_sip_impu(sip_msg_t *msg, str *impu)
{
	p_id_body_t *pai;

	if(parse_pai_header(msg) == 0 && (pai = get_pai(msg)) != NULL
			&& pai->id != NULL && pai->id->uri.len > 0) {
		*impu = pai->id->uri;
		return 0;
	}
	if(parse_from_header(msg) < 0 || get_from(msg) == NULL)
		return -1;
	*impu = get_from(msg)->uri;
	return 0;
}

int mcsec_sip_from_uri(sip_msg_t *msg, str *u)
{
	if(parse_from_header(msg) < 0 || get_from(msg) == NULL)
		return -1;
	*u = get_from(msg)->uri;
	return 0;
}

/* replace body and Content-Type (textops set_body pattern; textops
 * set_body_multipart is avoided on untrusted input in 5.6.3) */
int mcsec_sip_rewrite_body(sip_msg_t *msg, str *body, const char *nb,
		size_t nb_len, const char *nct)
{
	struct lump *anchor;
	char *buf;
	int len;

	if(body->len > 0 && del_lump(msg, body->s - msg->buf, body->len, 0) == 0) {
		LM_ERR("cannot delete the body\n");
		return -1;
	}
	if(msg->content_type
			&& del_lump(msg, msg->content_type->name.s - msg->buf,
					   msg->content_type->len, 0)
					   == 0) {
		LM_ERR("cannot delete Content-Type\n");
		return -1;
	}
	if(nct) {
		anchor = anchor_lump(msg, msg->unparsed - msg->buf, 0, 0);
		if(!anchor)
			return -1;
		len = (int)(sizeof("Content-Type: ") - 1 + strlen(nct) + 2);
		buf = pkg_malloc(len);
		if(!buf) {
			PKG_MEM_ERROR;
			return -1;
		}
		memcpy(buf, "Content-Type: ", sizeof("Content-Type: ") - 1);
		memcpy(buf + sizeof("Content-Type: ") - 1, nct, strlen(nct));
		memcpy(buf + len - 2, "\r\n", 2);
		if(insert_new_lump_after(anchor, buf, len, 0) == 0) {
			pkg_free(buf);
			return -1;
		}
	}
	if(nb && nb_len > 0) {
		anchor = anchor_lump(msg, body->s - msg->buf, 0, 0);
		if(!anchor)
			return -1;
		buf = pkg_malloc(nb_len);
		if(!buf) {
			PKG_MEM_ERROR;
			return -1;
		}
		memcpy(buf, nb, nb_len);
		if(insert_new_lump_after(anchor, buf, (int)nb_len, 0) == 0) {
			pkg_free(buf);
			return -1;
		}
	}
	return 0;
}


void mcsec_sip_xml_ready(void)
{
	/* libxml2 per process, after fork (SIP workers and async workers) */
	if(xml_ready_pid != getpid()) {
		mcsec_xml_init();
		if(!mcsec_xml_wipe_active())
			LM_WARN("libxml2 already had another allocator than the C "
					"library's: its freed blocks are not wiped by mcsec\n");
		xml_ready_pid = getpid();
	}
}
