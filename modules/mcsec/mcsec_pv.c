/*
 * mcsec - Kamailio module: $mcsec(name) pseudo-variables, the results of
 * the last mcsec_csk_upload() on the current message:
 *   err_code   SIP status of the refusal (0 when none)
 *   err_reason reason phrase of the refusal
 *   mcx_id     MC service ID the CSK is bound to
 *   csk_id     CSK-ID, 8 hex digits
 *   impu       IMPU (P-Asserted-Identity, else From) the CSK is bound to
 * Never key material.
 */
#include <string.h>

#include "core/dprint.h"
#include "core/pvar.h"
#include "core/parser/msg_parser.h"

#include "mcsec_mod.h"

enum
{
	PV_ERR_CODE = 1,
	PV_ERR_REASON,
	PV_MCX_ID,
	PV_CSK_ID,
	PV_IMPU,
};

int mcsec_pv_parse_name(pv_spec_t *sp, str *in)
{
	static const struct
	{
		const char *n;
		int id;
	} names[] = {{"err_code", PV_ERR_CODE}, {"err_reason", PV_ERR_REASON},
			{"mcx_id", PV_MCX_ID}, {"csk_id", PV_CSK_ID}, {"impu", PV_IMPU}};
	unsigned i;

	if(sp == NULL || in == NULL || in->len <= 0)
		return -1;
	for(i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if(strlen(names[i].n) == (size_t)in->len
				&& !strncmp(names[i].n, in->s, in->len)) {
			sp->pvp.pvn.type = PV_NAME_INTSTR;
			sp->pvp.pvn.u.isname.type = 0;
			sp->pvp.pvn.u.isname.name.n = names[i].id;
			return 0;
		}
	LM_ERR("unknown $mcsec(%.*s)\n", in->len, in->s);
	return -1;
}

static int pv_str(sip_msg_t *msg, pv_param_t *param, pv_value_t *res, char *s)
{
	str v;
	if(!s[0])
		return pv_get_null(msg, param, res);
	v.s = s;
	v.len = strlen(s);
	return pv_get_strval(msg, param, res, &v);
}

int mcsec_pv_get(sip_msg_t *msg, pv_param_t *param, pv_value_t *res)
{
	mcsec_upload_pv_t *p = &mcsec_upload_pv;

	if(param == NULL || msg == NULL || p->msg_id != msg->id
			|| p->msg_pid != msg->pid)
		return pv_get_null(msg, param, res);
	switch(param->pvn.u.isname.name.n) {
		case PV_ERR_CODE:
			return pv_get_sintval(msg, param, res, p->err_code);
		case PV_ERR_REASON:
			return pv_str(msg, param, res, p->err_reason);
		case PV_MCX_ID:
			return pv_str(msg, param, res, p->mcx_id);
		case PV_CSK_ID:
			return pv_str(msg, param, res, p->csk_id);
		case PV_IMPU:
			return pv_str(msg, param, res, p->impu);
	}
	return pv_get_null(msg, param, res);
}
