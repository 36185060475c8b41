/*
 * mcsec - MIKEY-SAKKE I_MESSAGE parser (RFC 3830 6, RFC 6043 6.1.1 and 6.6,
 * RFC 6509 4, TS 33.180 E.1-E.7).  Pure parsing: no cryptography.
 *
 * Every read is bounds-checked against what remains of the message; every
 * length field is checked against what remains; a failure reports the octet
 * offset and the payload / field (mcsec_mikey_err_t).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encoding.h"
#include "mcsec_err.h"
#include "mikey.h"

typedef struct rd
{
	const uint8_t *p;
	size_t len;
	size_t off;
	mcsec_mikey_err_t *err;
} rd_t;

static int fail(rd_t *r, int code, size_t off, const char *what)
{
	if(r->err) {
		r->err->code = code;
		r->err->offset = off;
		r->err->what = what;
	}
	return code;
}

static size_t left(const rd_t *r)
{
	return r->len - r->off;
}

/* Bounds check: n octets must remain. */
static int need(rd_t *r, size_t n, const char *what)
{
	if(left(r) < n)
		return fail(r, MCSEC_ERR_MALFORMED, r->off, what);
	return MCSEC_OK;
}

static uint8_t u8(rd_t *r)
{
	return r->p[r->off++];
}

static uint16_t u16(rd_t *r)
{
	uint16_t v = (uint16_t)((r->p[r->off] << 8) | r->p[r->off + 1]);
	r->off += 2;
	return v;
}

static uint32_t u32(rd_t *r)
{
	uint32_t v = ((uint32_t)r->p[r->off] << 24)
				 | ((uint32_t)r->p[r->off + 1] << 16)
				 | ((uint32_t)r->p[r->off + 2] << 8) | r->p[r->off + 3];
	r->off += 4;
	return v;
}

const char *mcsec_mikey_payload_name(uint8_t type)
{
	switch(type) {
		case 0:
			return "LAST";
		case 1:
			return "KEMAC";
		case 2:
			return "PKE";
		case 3:
			return "DH";
		case 4:
			return "SIGN";
		case 5:
			return "T";
		case 6:
			return "ID";
		case 7:
			return "CERT";
		case 8:
			return "CHASH";
		case 9:
			return "V";
		case 10:
			return "SP";
		case 11:
			return "RAND";
		case 12:
			return "ERR";
		case 13:
			return "TR";
		case 14:
			return "IDR";
		case 15:
			return "RANDR";
		case 16:
			return "TP";
		case 17:
			return "TICKET";
		case 20:
			return "KEY-DATA";
		case 21:
			return "GENEXT";
		case 26:
			return "SAKKE";
	}
	return "unknown";
}

/* RFC 3830 6.1 common header, RFC 4738 empty map, RFC 6043 6.1.1
 * GENERIC-ID map.  Returns the next payload type in *next. */
static int parse_hdr(rd_t *r, mcsec_mikey_msg_t *m, uint8_t *next)
{
	int rc;
	uint8_t b;

	if((rc = need(r, 10, "HDR truncated")))
		return rc;
	m->version = u8(r);
	if(m->version != MCSEC_MIKEY_VERSION)
		return fail(r, MCSEC_ERR_UNSUPPORTED, 0, "HDR version not 1");
	m->data_type = u8(r);
	if(m->data_type != MCSEC_MIKEY_DATA_TYPE_SAKKE)
		return fail(r, MCSEC_ERR_UNSUPPORTED, 1,
				"HDR data type not 26 (MIKEY-SAKKE)");
	*next = u8(r);
	b = u8(r);
	m->v = b >> 7;
	m->prf = b & 0x7f;
	/* TS 33.180 E.1.2: V shall be 0; PRF 1 (PRF-HMAC-SHA-256) is the
	 * mandatory one; MIKEY-1 (0) is tolerated */
	if(m->v)
		return fail(r, MCSEC_ERR_UNSUPPORTED, 3, "HDR V flag set");
	if(m->prf > MCSEC_MIKEY_PRF_HMAC_SHA256)
		return fail(r, MCSEC_ERR_UNSUPPORTED, 3, "HDR PRF func unknown");
	m->csb_id = u32(r);
	m->ncs = u8(r);
	m->map_type = u8(r);
	if(m->map_type == MCSEC_MIKEY_MAP_EMPTY) {
		/* E.1.2: CS# 0 -> map type 1 with empty map info */
		if(m->ncs != 0)
			return fail(r, MCSEC_ERR_MALFORMED, 8,
					"HDR #CS not 0 with the empty map type");
		return MCSEC_OK;
	}
	if(m->map_type == MCSEC_MIKEY_MAP_SRTP_ID) {
		/* RFC 3830 6.1.1 SRTP-ID (Policy_no, SSRC, ROC per CS; CS IDs
		 * 1..#CS): not what E.1.2 asks for, but MIKEY stacks of the
		 * minisip lineage emit it; kept as GENERIC-ID-like entries with
		 * one policy and SSRC || ROC as session data */
		if(m->ncs == 0)
			return MCSEC_OK;
		m->cs = calloc(m->ncs, sizeof(*m->cs));
		if(!m->cs)
			return fail(r, MCSEC_ERR_INTERNAL, r->off, "out of memory");
		for(unsigned i = 0; i < m->ncs; i++) {
			mcsec_mikey_cs_t *c = &m->cs[i];
			if((rc = need(r, 9, "HDR SRTP-ID map truncated")))
				return rc;
			c->cs_id = (uint8_t)(i + 1);
			c->prot_type = 0;
			c->npolicies = 1;
			c->policies = r->p + r->off;
			c->session_data = r->p + r->off + 1;
			c->session_data_len = 8;
			r->off += 9;
		}
		return MCSEC_OK;
	}
	if(m->map_type != MCSEC_MIKEY_MAP_GENERIC_ID)
		return fail(r, MCSEC_ERR_UNSUPPORTED, 9,
				"HDR CS ID map type not 0, 1 or 2");
	if(m->ncs == 0)
		return MCSEC_OK;
	m->cs = calloc(m->ncs, sizeof(*m->cs));
	if(!m->cs)
		return fail(r, MCSEC_ERR_INTERNAL, r->off, "out of memory");
	for(unsigned i = 0; i < m->ncs; i++) {
		mcsec_mikey_cs_t *c = &m->cs[i];
		size_t at = r->off;
		/* RFC 6043 6.1.1: CS ID, Prot type, S|#P, Ps, Session Data
		 * Length, Session Data, SPI Length, SPI */
		if((rc = need(r, 3, "HDR GENERIC-ID truncated")))
			return rc;
		c->cs_id = u8(r);
		c->prot_type = u8(r);
		b = u8(r);
		c->s_flag = b >> 7;
		c->npolicies = b & 0x7f;
		if((rc = need(r, c->npolicies, "HDR GENERIC-ID policies truncated")))
			return rc;
		c->policies = r->p + r->off;
		r->off += c->npolicies;
		if((rc = need(r, 2, "HDR GENERIC-ID session data length truncated")))
			return rc;
		c->session_data_len = u16(r);
		if((rc = need(r, c->session_data_len,
					"HDR GENERIC-ID session data overflows")))
			return rc;
		c->session_data = r->p + r->off;
		r->off += c->session_data_len;
		if((rc = need(r, 1, "HDR GENERIC-ID SPI length truncated")))
			return rc;
		c->spi_len = u8(r);
		if((rc = need(r, c->spi_len, "HDR GENERIC-ID SPI overflows")))
			return rc;
		c->spi = r->p + r->off;
		r->off += c->spi_len;
		for(unsigned j = 0; j < i; j++)
			if(m->cs[j].cs_id == c->cs_id)
				return fail(r, MCSEC_ERR_MALFORMED, at, "HDR duplicate CS ID");
	}
	return MCSEC_OK;
}

/* RFC 6509 4.2 SAKKE payload body (after the next-payload octet). */
static int parse_sakke_body(rd_t *r, mcsec_mikey_sakke_t *s, size_t at)
{
	int rc;

	if((rc = need(r, 4, "SAKKE truncated")))
		return rc;
	s->params = u8(r);
	s->id_scheme = u8(r);
	s->len = u16(r);
	if((rc = need(r, s->len, "SAKKE data length overflows")))
		return rc;
	s->data = r->p + r->off;
	s->offset = at;
	if(s->params != MCSEC_MIKEY_SAKKE_PARAMS_1)
		return fail(r, MCSEC_ERR_UNSUPPORTED, at + 1,
				"SAKKE params not 1 (RFC 6509 A)");
	/* E.1.2: 2 (3GPP MCX hashed UID); E.3.1 says "URI Scheme" (1) for a
	 * PCK while meaning the same F.2.1 UID, so 1 is tolerated on input
	 * (a wrong identifier fails decapsulation anyway) */
	if(s->id_scheme != MCSEC_MIKEY_SAKKE_ID_SCHEME_UID
			&& s->id_scheme != MCSEC_MIKEY_SAKKE_ID_SCHEME_URI)
		return fail(r, MCSEC_ERR_UNSUPPORTED, at + 2,
				"SAKKE ID scheme not 2 (3GPP MCX hashed UID) or 1");
	if(s->len != MCSEC_SAKKE_SED_LEN)
		return fail(
				r, MCSEC_ERR_MALFORMED, at + 3, "SAKKE data length not 273");
	r->off += s->len;
	s->present = 1;
	return MCSEC_OK;
}

static int parse_idr(rd_t *r, mcsec_mikey_msg_t *m, size_t at)
{
	int rc;
	uint8_t role, type;
	uint16_t len;
	mcsec_mikey_idr_t *slot;

	if((rc = need(r, 4, "IDR truncated")))
		return rc;
	role = u8(r);
	type = u8(r);
	len = u16(r);
	if((rc = need(r, len, "IDR ID length overflows")))
		return rc;
	switch(role) {
		case MCSEC_MIKEY_ROLE_IDRI:
		case MCSEC_MIKEY_ROLE_IDRUIDI:
			slot = &m->idi;
			break;
		case MCSEC_MIKEY_ROLE_IDRR:
		case MCSEC_MIKEY_ROLE_IDRUIDR:
			slot = &m->idr;
			break;
		case MCSEC_MIKEY_ROLE_IDRKMSI:
			slot = &m->kmsi;
			break;
		case MCSEC_MIKEY_ROLE_IDRKMSR:
			slot = &m->kmsr;
			break;
		default:
			return fail(r, MCSEC_ERR_UNSUPPORTED, at + 1, "IDR role unknown");
	}
	if(slot->present)
		return fail(r, MCSEC_ERR_MALFORMED, at, "IDR duplicate role");
	if(type > MCSEC_MIKEY_IDTYPE_BYTES)
		return fail(r, MCSEC_ERR_UNSUPPORTED, at + 2, "IDR ID type unknown");
	if(len == 0)
		return fail(r, MCSEC_ERR_MALFORMED, at + 3, "IDR empty ID");
	/* E.7: IDRuidi / IDRuidr carry the 32-octet UID */
	if((role == MCSEC_MIKEY_ROLE_IDRUIDI || role == MCSEC_MIKEY_ROLE_IDRUIDR)
			&& len != MCSEC_UID_LEN)
		return fail(
				r, MCSEC_ERR_MALFORMED, at + 3, "IDR UID length not 32 (E.7)");
	slot->present = 1;
	slot->role = role;
	slot->type = type;
	slot->len = len;
	slot->data = r->p + r->off;
	slot->offset = at;
	r->off += len;
	if(role == MCSEC_MIKEY_ROLE_IDRUIDI)
		m->hidden_i = 1;
	if(role == MCSEC_MIKEY_ROLE_IDRUIDR)
		m->hidden_r = 1;
	return MCSEC_OK;
}

/* RFC 3830 6.10 SP payload; policy params are type/length/value. */
static int parse_sp(rd_t *r, mcsec_mikey_msg_t *m, size_t at)
{
	int rc;
	mcsec_mikey_sp_t *s;
	size_t end;

	if((rc = need(r, 4, "SP truncated")))
		return rc;
	if(m->nsp >= MCSEC_MIKEY_MAX_SP)
		return fail(r, MCSEC_ERR_MALFORMED, at, "SP too many payloads");
	s = &m->sp[m->nsp];
	s->policy_no = u8(r);
	s->prot_type = u8(r);
	s->params_len = u16(r);
	if((rc = need(r, s->params_len, "SP policy param length overflows")))
		return rc;
	s->params = r->p + r->off;
	end = r->off + s->params_len;
	for(size_t i = r->off; i < end;) {
		if(end - i < 2)
			return fail(r, MCSEC_ERR_MALFORMED, i, "SP policy param truncated");
		if(end - i - 2 < r->p[i + 1])
			return fail(r, MCSEC_ERR_MALFORMED, i + 1,
					"SP policy param value overflows");
		i += 2 + (size_t)r->p[i + 1];
	}
	for(size_t j = 0; j < m->nsp; j++)
		if(m->sp[j].policy_no == s->policy_no)
			return fail(r, MCSEC_ERR_MALFORMED, at, "SP duplicate policy no");
	r->off = end;
	m->nsp++;
	return MCSEC_OK;
}

static int parse_genext(rd_t *r, mcsec_mikey_msg_t *m, size_t at)
{
	int rc;
	uint8_t type;
	uint16_t len;

	if((rc = need(r, 3, "General extension truncated")))
		return rc;
	type = u8(r);
	len = u16(r);
	if((rc = need(r, len, "General extension length overflows")))
		return rc;
	if(type == MCSEC_MIKEY_GENEXT_SAKKE_TO_SELF) {
		/* E.5: a full SAKKE payload; its next payload is ignored */
		rd_t in = {r->p, r->off + len, r->off, r->err};
		if(m->sakke_self.present)
			return fail(r, MCSEC_ERR_MALFORMED, at,
					"duplicate SAKKE-to-self extension");
		if((rc = need(&in, 1, "SAKKE-to-self truncated")))
			return rc;
		in.off++;
		if((rc = parse_sakke_body(&in, &m->sakke_self, in.off - 1)))
			return rc;
		if(in.off != in.len)
			return fail(r, MCSEC_ERR_MALFORMED, in.off,
					"SAKKE-to-self trailing octets");
	} else if(type == MCSEC_MIKEY_GENEXT_KEY_PARAMS) {
		if(m->kp)
			return fail(r, MCSEC_ERR_MALFORMED, at,
					"duplicate key parameters extension");
		if(len == 0)
			return fail(r, MCSEC_ERR_MALFORMED, at + 2,
					"key parameters extension empty");
		m->kp = r->p + r->off;
		m->kp_len = len;
		m->kp_offset = at;
	}
	/* other extension types (e.g. RFC 3830 vendor ID) are covered by the
	 * signature and otherwise ignored */
	r->off += len;
	return MCSEC_OK;
}

int mcsec_mikey_parse(const uint8_t *in, size_t len, mcsec_mikey_msg_t **out,
		mcsec_mikey_err_t *err)
{
	mcsec_mikey_msg_t *m;
	rd_t r;
	uint8_t next = 0;
	int rc, have_t = 0, have_rand = 0, have_sign = 0;

	if(err) {
		err->code = MCSEC_OK;
		err->offset = 0;
		err->what = NULL;
	}
	if(!out || (!in && len))
		return MCSEC_ERR_ARG;
	*out = NULL;
	if(len > 0xffff * 4u) {
		if(err) {
			err->code = MCSEC_ERR_MALFORMED;
			err->what = "message too large";
		}
		return MCSEC_ERR_MALFORMED;
	}
	m = calloc(1, sizeof(*m));
	if(!m)
		return MCSEC_ERR_INTERNAL;
	m->raw = malloc(len ? len : 1);
	if(!m->raw) {
		free(m);
		return MCSEC_ERR_INTERNAL;
	}
	if(len)
		memcpy(m->raw, in, len);
	m->len = len;
	r.p = m->raw;
	r.len = len;
	r.off = 0;
	r.err = err;

	m->payload_off[0] = 0;
	m->payload_type[0] = 0xff; /* HDR */
	m->npayloads = 1;
	if((rc = parse_hdr(&r, m, &next)))
		goto bad;

	for(;;) {
		size_t at = r.off;
		uint8_t type = next;

		if(type == MCSEC_MIKEY_PT_LAST) {
			rc = fail(&r, MCSEC_ERR_MALFORMED, at,
					"no SIGN payload (chain ended)");
			goto bad;
		}
		if(m->npayloads >= MCSEC_MIKEY_MAX_PAYLOADS) {
			rc = fail(&r, MCSEC_ERR_MALFORMED, at, "too many payloads");
			goto bad;
		}
		m->payload_off[m->npayloads] = at;
		m->payload_type[m->npayloads] = type;
		m->npayloads++;
		if(type == MCSEC_MIKEY_PT_SIGN) {
			/* RFC 3830 6.5: S type (4 bits) | Signature len (12 bits);
			 * no next payload field: always last */
			uint8_t b0, b1;
			if((rc = need(&r, 2, "SIGN truncated")))
				goto bad;
			b0 = u8(&r);
			b1 = u8(&r);
			m->sig_type = b0 >> 4;
			m->sig_len = (uint16_t)(((b0 & 0x0f) << 8) | b1);
			m->signed_len = r.off;
			if(m->sig_type != MCSEC_MIKEY_SIGN_ECCSI) {
				rc = fail(&r, MCSEC_ERR_UNSUPPORTED, at,
						"SIGN type not 2 (ECCSI)");
				goto bad;
			}
			if(m->sig_len != MCSEC_ECCSI_SIG_LEN) {
				rc = fail(&r, MCSEC_ERR_MALFORMED, at, "SIGN length not 129");
				goto bad;
			}
			if((rc = need(&r, m->sig_len, "SIGN signature truncated")))
				goto bad;
			m->sig = r.p + r.off;
			r.off += m->sig_len;
			if(r.off != r.len) {
				rc = fail(&r, MCSEC_ERR_MALFORMED, r.off, "octets after SIGN");
				goto bad;
			}
			have_sign = 1;
			break;
		}
		if((rc = need(&r, 1, "payload truncated")))
			goto bad;
		next = u8(&r);
		switch(type) {
			case MCSEC_MIKEY_PT_T:
				if(have_t) {
					rc = fail(&r, MCSEC_ERR_MALFORMED, at, "duplicate T");
					goto bad;
				}
				if((rc = need(&r, 1, "T truncated")))
					goto bad;
				/* E.1.2: TS type 0 (NTP-UTC) only */
				if(u8(&r) != MCSEC_MIKEY_TS_NTP_UTC) {
					rc = fail(&r, MCSEC_ERR_UNSUPPORTED, at + 1,
							"T type not 0 (NTP-UTC)");
					goto bad;
				}
				if((rc = need(&r, 8, "T value truncated")))
					goto bad;
				m->t_ntp64 = (uint64_t)u32(&r) << 32;
				m->t_ntp64 |= u32(&r);
				m->t_secs = m->t_ntp64 >> 32;
				have_t = 1;
				break;
			case MCSEC_MIKEY_PT_RAND:
				if(have_rand) {
					rc = fail(&r, MCSEC_ERR_MALFORMED, at, "duplicate RAND");
					goto bad;
				}
				if((rc = need(&r, 1, "RAND truncated")))
					goto bad;
				m->rand_len = u8(&r);
				if(m->rand_len == 0) {
					rc = fail(&r, MCSEC_ERR_MALFORMED, at + 1, "RAND empty");
					goto bad;
				}
				if((rc = need(&r, m->rand_len, "RAND length overflows")))
					goto bad;
				m->rand = r.p + r.off;
				r.off += m->rand_len;
				have_rand = 1;
				break;
			case MCSEC_MIKEY_PT_IDR:
				if((rc = parse_idr(&r, m, at)))
					goto bad;
				break;
			case MCSEC_MIKEY_PT_SP:
				if((rc = parse_sp(&r, m, at)))
					goto bad;
				break;
			case MCSEC_MIKEY_PT_SAKKE:
				if(m->sakke.present) {
					rc = fail(&r, MCSEC_ERR_MALFORMED, at, "duplicate SAKKE");
					goto bad;
				}
				if((rc = parse_sakke_body(&r, &m->sakke, at)))
					goto bad;
				break;
			case MCSEC_MIKEY_PT_GENEXT:
				if((rc = parse_genext(&r, m, at)))
					goto bad;
				break;
			case 1:
			case 2:
			case 3:
			case 6:
			case 7:
			case 8:
			case 9:
			case 12:
			case 13:
			case 15:
			case 16:
			case 17:
			case 20:
				rc = fail(&r, MCSEC_ERR_UNSUPPORTED, at,
						"payload type not used by MIKEY-SAKKE");
				goto bad;
			default:
				rc = fail(&r, MCSEC_ERR_MALFORMED, at, "unknown payload type");
				goto bad;
		}
	}
	/* E.1.2 mandatory payloads */
	{
		const char *missing = NULL;
		if(!have_t)
			missing = "missing T";
		else if(!have_rand)
			missing = "missing RAND";
		else if(!m->idi.present)
			missing = "missing IDRi / IDRuidi";
		else if(!m->idr.present)
			missing = "missing IDRr / IDRuidr";
		else if(!m->kmsi.present)
			missing = "missing IDRkmsi";
		else if(!m->kmsr.present)
			missing = "missing IDRkmsr";
		else if(!m->sakke.present)
			missing = "missing SAKKE";
		else if(!have_sign)
			missing = "missing SIGN";
		if(missing) {
			rc = fail(&r, MCSEC_ERR_MALFORMED,
					m->signed_len ? m->signed_len - 2 : r.off, missing);
			goto bad;
		}
	}
	*out = m;
	return MCSEC_OK;
bad:
	mcsec_mikey_msg_free(m);
	return rc;
}

void mcsec_mikey_msg_free(mcsec_mikey_msg_t *m)
{
	if(!m)
		return;
	free(m->cs);
	free(m->raw);
	free(m);
}

static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int mcsec_mikey_decode_input(
		const uint8_t *in, size_t len, uint8_t **raw, size_t *raw_len)
{
	size_t s = 0, e = len;
	uint8_t *buf;
	long n;

	if(!raw || !raw_len || (!in && len))
		return MCSEC_ERR_ARG;
	*raw = NULL;
	*raw_len = 0;
	/* raw binary starts with version 1 (not a base64 character) */
	if(len > 0 && in[0] == MCSEC_MIKEY_VERSION) {
		buf = malloc(len);
		if(!buf)
			return MCSEC_ERR_INTERNAL;
		memcpy(buf, in, len);
		*raw = buf;
		*raw_len = len;
		return MCSEC_OK;
	}
	while(s < e && is_space(in[s]))
		s++;
	while(e > s && is_space(in[e - 1]))
		e--;
	/* SDP key-mgmt attribute value (RFC 4567): "mikey <base64>" */
	if(e - s > 5 && !strncasecmp((const char *)in + s, "mikey", 5)
			&& is_space(in[s + 5]))
		s += 6;
	if(e == s)
		return MCSEC_ERR_MALFORMED;
	buf = malloc((e - s) / 4 * 3 + 3);
	if(!buf)
		return MCSEC_ERR_INTERNAL;
	n = mcsec_b64_decode(
			(const char *)in + s, e - s, buf, (e - s) / 4 * 3 + 3, 0);
	if(n <= 0) {
		free(buf);
		return MCSEC_ERR_MALFORMED;
	}
	*raw = buf;
	*raw_len = (size_t)n;
	return MCSEC_OK;
}

int mcsec_mikey_parse_any(const uint8_t *in, size_t len,
		mcsec_mikey_msg_t **out, mcsec_mikey_err_t *err)
{
	uint8_t *raw;
	size_t raw_len;
	int rc;

	if(!out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	rc = mcsec_mikey_decode_input(in, len, &raw, &raw_len);
	if(rc) {
		if(err) {
			err->code = rc;
			err->offset = 0;
			err->what = "not raw MIKEY, base64 or 'mikey <base64>'";
		}
		return rc;
	}
	rc = mcsec_mikey_parse(raw, raw_len, out, err);
	free(raw);
	return rc;
}
