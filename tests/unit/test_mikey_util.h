/*
 * Test helper: compose MIKEY-SAKKE I_MESSAGE octets by hand (no crypto), so
 * parser tests can make any well-formed or malformed layout.  The SAKKE data
 * and the signature are filler octets.
 */
#ifndef TEST_MIKEY_UTIL_H
#define TEST_MIKEY_UTIL_H

#include <stdint.h>
#include <string.h>

typedef struct tm
{
	uint8_t b[8192];
	size_t len;
	size_t next_at;
} tm_t;

static void tm_bytes(tm_t *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}
static void tm_u8(tm_t *m, uint8_t v)
{
	m->b[m->len++] = v;
}
static void tm_u16(tm_t *m, uint16_t v)
{
	tm_u8(m, (uint8_t)(v >> 8));
	tm_u8(m, (uint8_t)v);
}
static void tm_u32(tm_t *m, uint32_t v)
{
	tm_u16(m, (uint16_t)(v >> 16));
	tm_u16(m, (uint16_t)v);
}
static void tm_fill(tm_t *m, uint8_t v, size_t n)
{
	memset(m->b + m->len, v, n);
	m->len += n;
}

/* HDR with the given map (map info octets raw). */
static void tm_hdr(tm_t *m, uint32_t csb, uint8_t ncs, uint8_t map,
		const uint8_t *info, size_t info_len)
{
	m->len = 0;
	tm_u8(m, 1);
	tm_u8(m, 26);
	m->next_at = m->len;
	tm_u8(m, 0);
	tm_u8(m, 1);
	tm_u32(m, csb);
	tm_u8(m, ncs);
	tm_u8(m, map);
	if(info_len)
		tm_bytes(m, info, info_len);
}

static void tm_start(tm_t *m, uint8_t type)
{
	m->b[m->next_at] = type;
	if(type == 4)
		return;
	m->next_at = m->len;
	tm_u8(m, 0);
}

static void tm_T(tm_t *m, uint8_t type, uint32_t secs)
{
	tm_start(m, 5);
	tm_u8(m, type);
	tm_u32(m, secs);
	tm_u32(m, 0);
}
static void tm_rand(tm_t *m, uint8_t len, uint8_t fill)
{
	tm_start(m, 11);
	tm_u8(m, len);
	tm_fill(m, fill, len);
}
static void tm_idr(tm_t *m, uint8_t role, uint8_t type, const void *d, size_t n)
{
	tm_start(m, 14);
	tm_u8(m, role);
	tm_u8(m, type);
	tm_u16(m, (uint16_t)n);
	tm_bytes(m, d, n);
}
static void tm_idr_s(tm_t *m, uint8_t role, const char *s)
{
	tm_idr(m, role, 1, s, strlen(s));
}
static void tm_sakke(tm_t *m, uint8_t params, uint8_t scheme, uint16_t len)
{
	tm_start(m, 26);
	tm_u8(m, params);
	tm_u8(m, scheme);
	tm_u16(m, len);
	tm_fill(m, 0x5a, len);
}
static void tm_sp(tm_t *m, uint8_t no)
{
	static const uint8_t pol[] = {
			0, 1, 6, 1, 1, 16, 4, 1, 12, 5, 1, 0, 6, 1, 0, 20, 1, 16};
	tm_start(m, 10);
	tm_u8(m, no);
	tm_u8(m, 0);
	tm_u16(m, sizeof(pol));
	tm_bytes(m, pol, sizeof(pol));
}
static void tm_genext(tm_t *m, uint8_t type, const void *d, uint16_t n)
{
	tm_start(m, 21);
	tm_u8(m, type);
	tm_u16(m, n);
	tm_bytes(m, d, n);
}
static void tm_self(tm_t *m)
{
	uint8_t in[5 + 273];
	in[0] = 0;
	in[1] = 1;
	in[2] = 2;
	in[3] = 273 >> 8;
	in[4] = 273 & 0xff;
	memset(in + 5, 0x33, 273);
	tm_genext(m, 6, in, sizeof(in));
}
static void tm_sign(tm_t *m)
{
	tm_start(m, 4);
	tm_u8(m, 0x20);
	tm_u8(m, 0x81);
	tm_fill(m, 0x77, 129);
}

#define TM_URI_I "sip:alice@example.org"
#define TM_URI_R "sip:mcptt-server@example.org"
#define TM_KMS "kms.example.org"

/* The standard body between HDR and SIGN. */
static void tm_body(tm_t *m, uint32_t t)
{
	tm_T(m, 0, t);
	tm_rand(m, 16, 0xab);
	tm_idr_s(m, 1, TM_URI_I);
	tm_idr_s(m, 2, TM_URI_R);
	tm_idr_s(m, 6, TM_KMS);
	tm_idr_s(m, 7, TM_KMS);
	tm_sakke(m, 1, 2, 273);
}

#endif
