/*
 * MIKEY-SAKKE I_MESSAGE parser: every field of a full layout, every
 * malformation class (truncation at every octet and payload boundary,
 * length overflow, duplicates, missing mandatory payloads, unknown and
 * unsupported types and values, signature range), input forms.
 * No cryptography: messages are composed by hand (test_mikey_util.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encoding.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "test_mikey_util.h"

#define T0 3900000000u

static int parse(const tm_t *m, mcsec_mikey_err_t *e)
{
	mcsec_mikey_msg_t *msg = NULL;
	int rc = mcsec_mikey_parse(m->b, m->len, &msg, e);
	if(rc == MCSEC_OK)
		assert_non_null(msg);
	else
		assert_null(msg);
	mcsec_mikey_msg_free(msg);
	return rc;
}

static void std_msg(tm_t *m)
{
	tm_hdr(m, 0x20000001u, 0, 1, NULL, 0);
	tm_body(m, T0);
	tm_sign(m);
}

/* A full layout: GENERIC-ID with two crypto sessions, SP, hidden IDs,
 * SAKKE-to-self, key parameters, an ignored vendor extension. */
static void full_msg(tm_t *m)
{
	uint8_t map[64], uid_i[32], uid_r[32], kp[40];
	size_t n = 0;

	/* CS 6: SRTP, S=1, #P 1 (policy 0), session data 4, SPI 4 */
	map[n++] = 6;
	map[n++] = 0;
	map[n++] = 0x81;
	map[n++] = 0;
	map[n++] = 0;
	map[n++] = 4;
	memcpy(map + n, "\x11\x22\x33\x44", 4);
	n += 4;
	map[n++] = 4;
	memcpy(map + n, "\x20\x00\x00\x01", 4);
	n += 4;
	/* CS 8: #P 0, no session data, no SPI */
	map[n++] = 8;
	map[n++] = 0;
	map[n++] = 0;
	map[n++] = 0;
	map[n++] = 0;
	map[n++] = 0;
	memset(uid_i, 0xa1, 32);
	memset(uid_r, 0xb2, 32);
	memset(kp, 0x43, sizeof(kp));
	tm_hdr(m, 0x20000001u, 2, 2, map, n);
	tm_T(m, 0, T0);
	tm_rand(m, 16, 0xab);
	tm_idr(m, 8, 1, uid_i, 32);
	tm_idr(m, 9, 1, uid_r, 32);
	tm_idr_s(m, 6, TM_KMS);
	tm_idr_s(m, 7, "kms2.example.org");
	tm_sp(m, 0);
	tm_sakke(m, 1, 2, 273);
	tm_self(m);
	tm_genext(m, 7, kp, sizeof(kp));
	tm_genext(m, 0, "vendor", 6);
	tm_sign(m);
}

static void test_full_layout(void **state)
{
	tm_t m;
	mcsec_mikey_msg_t *msg = NULL;
	mcsec_mikey_err_t e;
	(void)state;

	full_msg(&m);
	assert_int_equal(mcsec_mikey_parse(m.b, m.len, &msg, &e), MCSEC_OK);
	assert_int_equal(msg->version, 1);
	assert_int_equal(msg->data_type, 26);
	assert_int_equal(msg->v, 0);
	assert_int_equal(msg->prf, 1);
	assert_int_equal(msg->csb_id, 0x20000001u);
	assert_int_equal(msg->ncs, 2);
	assert_int_equal(msg->map_type, 2);
	assert_int_equal(msg->cs[0].cs_id, 6);
	assert_int_equal(msg->cs[0].s_flag, 1);
	assert_int_equal(msg->cs[0].npolicies, 1);
	assert_int_equal(msg->cs[0].policies[0], 0);
	assert_int_equal(msg->cs[0].session_data_len, 4);
	assert_memory_equal(msg->cs[0].session_data, "\x11\x22\x33\x44", 4);
	assert_int_equal(msg->cs[0].spi_len, 4);
	assert_memory_equal(msg->cs[0].spi, "\x20\x00\x00\x01", 4);
	assert_int_equal(msg->cs[1].cs_id, 8);
	assert_int_equal(msg->cs[1].s_flag, 0);
	assert_int_equal(msg->cs[1].npolicies, 0);
	assert_int_equal(msg->t_secs, T0);
	assert_int_equal(msg->rand_len, 16);
	assert_int_equal(msg->rand[0], 0xab);
	assert_true(msg->hidden_i);
	assert_true(msg->hidden_r);
	assert_int_equal(msg->idi.role, 8);
	assert_int_equal(msg->idr.role, 9);
	assert_int_equal(msg->idi.len, 32);
	assert_int_equal(msg->kmsr.len, strlen("kms2.example.org"));
	assert_int_equal(msg->nsp, 1);
	assert_int_equal(msg->sp[0].params_len, 18);
	assert_true(msg->sakke.present);
	assert_int_equal(msg->sakke.len, 273);
	assert_true(msg->sakke_self.present);
	assert_int_equal(msg->sakke_self.data[0], 0x33);
	assert_non_null(msg->kp);
	assert_int_equal(msg->kp_len, 40);
	assert_int_equal(msg->sig_type, 2);
	assert_int_equal(msg->sig_len, 129);
	/* DESIGN.md 4: signed octets end with the 2-octet SIGN header */
	assert_int_equal(msg->signed_len, m.len - 129);
	assert_int_equal(msg->raw[msg->signed_len - 2], 0x20);
	assert_int_equal(msg->raw[msg->signed_len - 1], 0x81);
	assert_int_equal(msg->payload_type[msg->npayloads - 1], 4);
	assert_int_equal(msg->payload_off[msg->npayloads - 1], msg->signed_len - 2);
	mcsec_mikey_msg_free(msg);
}

/* Every strict prefix fails as malformed, in particular at each payload
 * boundary; the error offset never points past the input. */
static void test_truncation(void **state)
{
	tm_t m, p;
	mcsec_mikey_msg_t *msg = NULL;
	mcsec_mikey_err_t e;
	size_t bounds = 0;
	(void)state;

	full_msg(&m);
	assert_int_equal(mcsec_mikey_parse(m.b, m.len, &msg, NULL), MCSEC_OK);
	for(size_t i = 0; i < msg->npayloads; i++) {
		memcpy(&p, &m, sizeof(m));
		p.len = msg->payload_off[i];
		assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);
		assert_true(e.offset <= p.len);
		assert_non_null(e.what);
		bounds++;
	}
	assert_int_equal(bounds, 13);
	for(size_t l = 0; l < m.len; l++) {
		memcpy(&p, &m, sizeof(m));
		p.len = l;
		assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);
		assert_true(e.offset <= l);
	}
	mcsec_mikey_msg_free(msg);
}

/* Each length field made larger than what remains. */
static void test_length_overflow(void **state)
{
	tm_t m;
	mcsec_mikey_msg_t *msg = NULL;
	mcsec_mikey_err_t e;
	(void)state;

	full_msg(&m);
	assert_int_equal(mcsec_mikey_parse(m.b, m.len, &msg, NULL), MCSEC_OK);
	struct
	{
		size_t off; /* of the length field's first octet */
		int two;
	} f[] = {
			{10 + 4, 1},				   /* CS 6 session data length */
			{10 + 18, 1},				   /* CS 8 session data length */
			{msg->payload_off[3] + 3, 1},  /* IDRuidi len */
			{msg->payload_off[5] + 3, 1},  /* IDRkmsi len */
			{msg->payload_off[7] + 3, 1},  /* SP param length */
			{msg->payload_off[8] + 3, 1},  /* SAKKE data length */
			{msg->payload_off[9] + 2, 1},  /* SAKKE-to-self ext length */
			{msg->payload_off[10] + 2, 1}, /* key params ext length */
			{msg->payload_off[11] + 2, 1}, /* vendor ext length */
	};
	for(size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		tm_t p;
		memcpy(&p, &m, sizeof(m));
		if(f[i].two) {
			p.b[f[i].off] = 0xff;
			p.b[f[i].off + 1] = 0xff;
		} else
			p.b[f[i].off] = 0xff;
		int rc = parse(&p, &e);
		if(rc != MCSEC_ERR_MALFORMED)
			print_error("field %zu: rc %d\n", i, rc);
		assert_int_equal(rc, MCSEC_ERR_MALFORMED);
	}
	/* SP policy param value overflowing the policy param block */
	{
		tm_t p;
		memcpy(&p, &m, sizeof(m));
		p.b[msg->payload_off[7] + 5 + 1] = 0x20;
		assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);
		assert_string_equal(e.what, "SP policy param value overflows");
	}
	/* SAKKE-to-self inner length not filling the extension */
	{
		tm_t p;
		memcpy(&p, &m, sizeof(m));
		p.b[msg->payload_off[9] + 4 + 3] = 0x00;
		p.b[msg->payload_off[9] + 4 + 4] = 0x10;
		assert_int_not_equal(parse(&p, &e), MCSEC_OK);
	}
	mcsec_mikey_msg_free(msg);
}

static void test_duplicates(void **state)
{
	tm_t m;
	mcsec_mikey_err_t e;
	uint8_t uid[32];
	(void)state;
	memset(uid, 1, sizeof(uid));

#define DUP_CASE(extra)                                       \
	do {                                                      \
		tm_hdr(&m, 0x20000001u, 0, 1, NULL, 0);               \
		tm_body(&m, T0);                                      \
		extra;                                                \
		tm_sign(&m);                                          \
		assert_int_equal(parse(&m, &e), MCSEC_ERR_MALFORMED); \
	} while(0)

	DUP_CASE(tm_T(&m, 0, T0));
	DUP_CASE(tm_rand(&m, 16, 1));
	DUP_CASE(tm_idr_s(&m, 1, TM_URI_I));
	DUP_CASE(tm_idr(&m, 8, 1, uid, 32)); /* IDRi and IDRuidi */
	DUP_CASE(tm_idr_s(&m, 2, TM_URI_R));
	DUP_CASE(tm_idr(&m, 9, 1, uid, 32)); /* IDRr and IDRuidr */
	DUP_CASE(tm_idr_s(&m, 6, TM_KMS));
	DUP_CASE(tm_idr_s(&m, 7, TM_KMS));
	DUP_CASE(tm_sakke(&m, 1, 2, 273));
	DUP_CASE(tm_self(&m); tm_self(&m));
	DUP_CASE(tm_genext(&m, 7, "0123456789", 10);
			 tm_genext(&m, 7, "0123456789", 10));
	DUP_CASE(tm_sp(&m, 3); tm_sp(&m, 3));
	assert_string_equal(e.what, "SP duplicate policy no");
	/* two SPs with different policy numbers are fine */
	tm_hdr(&m, 0x20000001u, 0, 1, NULL, 0);
	tm_body(&m, T0);
	tm_sp(&m, 0);
	tm_sp(&m, 1);
	tm_sign(&m);
	assert_int_equal(parse(&m, &e), MCSEC_OK);
	/* duplicate CS ID in GENERIC-ID */
	{
		static const uint8_t map[] = {6, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0};
		tm_hdr(&m, 0x20000001u, 2, 2, map, sizeof(map));
		tm_body(&m, T0);
		tm_sign(&m);
		assert_int_equal(parse(&m, &e), MCSEC_ERR_MALFORMED);
		assert_string_equal(e.what, "HDR duplicate CS ID");
	}
}

static void test_missing(void **state)
{
	mcsec_mikey_err_t e;
	(void)state;
	/* build the standard message leaving out payload k */
	for(int k = 0; k < 8; k++) {
		tm_t m;
		tm_hdr(&m, 0x20000001u, 0, 1, NULL, 0);
		if(k != 0)
			tm_T(&m, 0, T0);
		if(k != 1)
			tm_rand(&m, 16, 0xab);
		if(k != 2)
			tm_idr_s(&m, 1, TM_URI_I);
		if(k != 3)
			tm_idr_s(&m, 2, TM_URI_R);
		if(k != 4)
			tm_idr_s(&m, 6, TM_KMS);
		if(k != 5)
			tm_idr_s(&m, 7, TM_KMS);
		if(k != 6)
			tm_sakke(&m, 1, 2, 273);
		if(k != 7)
			tm_sign(&m);
		assert_int_equal(parse(&m, &e), MCSEC_ERR_MALFORMED);
		assert_non_null(strstr(e.what, k == 7 ? "SIGN" : "missing"));
	}
}

static void test_types_and_values(void **state)
{
	tm_t m, p;
	mcsec_mikey_err_t e;
	(void)state;

	std_msg(&m);
	assert_int_equal(parse(&m, &e), MCSEC_OK);

	/* HDR */
	memcpy(&p, &m, sizeof(m));
	p.b[0] = 2;
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	memcpy(&p, &m, sizeof(m));
	p.b[1] = 2; /* public key MIKEY */
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(e.offset, 1);
	memcpy(&p, &m, sizeof(m));
	p.b[3] = 0x81; /* V */
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	memcpy(&p, &m, sizeof(m));
	p.b[3] = 0x05; /* PRF */
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	memcpy(&p, &m, sizeof(m));
	p.b[3] = 0x00; /* MIKEY-1 PRF tolerated */
	assert_int_equal(parse(&p, &e), MCSEC_OK);
	memcpy(&p, &m, sizeof(m));
	p.b[9] = 3; /* IPSEC4-ID map */
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(e.offset, 9);
	memcpy(&p, &m, sizeof(m));
	p.b[9] = 0; /* SRTP-ID map with no CS: tolerated */
	assert_int_equal(parse(&p, &e), MCSEC_OK);
	/* SRTP-ID map with two CS (RFC 3830 6.1.1), as minisip stacks send */
	{
		static const uint8_t map[] = {0, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 1, 1,
				0xaa, 0xbb, 0xcc, 0xdd, 0, 0, 0, 2};
		mcsec_mikey_msg_t *msg = NULL;
		tm_hdr(&p, 0x10000001u, 2, 0, map, sizeof(map));
		tm_body(&p, T0);
		tm_sign(&p);
		assert_int_equal(mcsec_mikey_parse(p.b, p.len, &msg, &e), MCSEC_OK);
		assert_int_equal(msg->ncs, 2);
		assert_int_equal(msg->cs[1].cs_id, 2);
		assert_int_equal(msg->cs[1].policies[0], 1);
		assert_memory_equal(msg->cs[1].session_data, map + 10, 8);
		mcsec_mikey_msg_free(msg);
		tm_hdr(&p, 0x10000001u, 3, 0, map, sizeof(map)); /* 3 announced */
		tm_T(&p, 0, T0);
		assert_int_not_equal(parse(&p, &e), MCSEC_OK);
	}
	memcpy(&p, &m, sizeof(m));
	p.b[8] = 1; /* #CS 1 with the empty map */
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);

	/* T types 1 (NTP) and 2 (COUNTER) */
	memcpy(&p, &m, sizeof(m));
	p.b[10 + 1] = 1;
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(e.offset, 11);
	memcpy(&p, &m, sizeof(m));
	p.b[10 + 1] = 2;
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);

	/* unknown payload type in the chain, and a known unused one (CERT) */
	memcpy(&p, &m, sizeof(m));
	p.b[10] = 99; /* T's next payload */
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);
	assert_string_equal(e.what, "unknown payload type");
	assert_int_equal(e.offset, 20);
	memcpy(&p, &m, sizeof(m));
	p.b[10] = 7;
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	memcpy(&p, &m, sizeof(m));
	p.b[2] = 0; /* chain ends at once */
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);

	/* IDR role and type */
	tm_hdr(&p, 0x20000001u, 0, 1, NULL, 0);
	tm_body(&p, T0);
	tm_idr_s(&p, 3, "x");
	tm_sign(&p);
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	tm_hdr(&p, 0x20000001u, 0, 1, NULL, 0);
	tm_T(&p, 0, T0);
	tm_rand(&p, 16, 1);
	tm_idr(&p, 1, 7, "sip:a", 5);
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	/* UID roles need 32 octets; empty IDs refused; empty RAND refused */
	tm_hdr(&p, 0x20000001u, 0, 1, NULL, 0);
	tm_T(&p, 0, T0);
	tm_rand(&p, 16, 1);
	tm_idr(&p, 8, 1, "short", 5);
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);
	tm_hdr(&p, 0x20000001u, 0, 1, NULL, 0);
	tm_T(&p, 0, T0);
	tm_rand(&p, 16, 1);
	tm_idr(&p, 1, 1, "", 0);
	tm_body(&p, T0);
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);
	tm_hdr(&p, 0x20000001u, 0, 1, NULL, 0);
	tm_T(&p, 0, T0);
	tm_rand(&p, 0, 1);
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);

	/* SAKKE params, ID scheme, data length */
	tm_hdr(&p, 0x20000001u, 0, 1, NULL, 0);
	tm_T(&p, 0, T0);
	tm_sakke(&p, 2, 2, 273);
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	tm_hdr(&p, 0x20000001u, 0, 1, NULL, 0);
	tm_T(&p, 0, T0);
	tm_sakke(&p, 1, 3, 273);
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	/* scheme 1 (E.3.1's "URI Scheme" for PCKs) is tolerated */
	tm_hdr(&p, 0x10000001u, 0, 1, NULL, 0);
	tm_T(&p, 0, T0);
	tm_rand(&p, 16, 1);
	tm_idr_s(&p, 1, TM_URI_I);
	tm_idr_s(&p, 2, TM_URI_R);
	tm_idr_s(&p, 6, TM_KMS);
	tm_idr_s(&p, 7, TM_KMS);
	tm_sakke(&p, 1, 1, 273);
	tm_sign(&p);
	assert_int_equal(parse(&p, &e), MCSEC_OK);
	tm_hdr(&p, 0x20000001u, 0, 1, NULL, 0);
	tm_T(&p, 0, T0);
	tm_sakke(&p, 1, 2, 272);
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);

	/* SIGN: type, length, trailing octets (wrong signature range) */
	memcpy(&p, &m, sizeof(m));
	p.b[p.len - 131] = 0x10;
	assert_int_equal(parse(&p, &e), MCSEC_ERR_UNSUPPORTED);
	memcpy(&p, &m, sizeof(m));
	p.b[p.len - 130] = 0x80;
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);
	memcpy(&p, &m, sizeof(m));
	p.b[p.len++] = 0;
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);
	assert_string_equal(e.what, "octets after SIGN");
	/* a SIGN in the middle of the message */
	tm_hdr(&p, 0x20000001u, 0, 1, NULL, 0);
	tm_T(&p, 0, T0);
	tm_sign(&p);
	tm_fill(&p, 0, 30);
	assert_int_equal(parse(&p, &e), MCSEC_ERR_MALFORMED);
}

/* Payloads in another order than we emit, SP with #CS 0: accepted. */
static void test_order_tolerance(void **state)
{
	tm_t m;
	mcsec_mikey_msg_t *msg = NULL;
	(void)state;

	tm_hdr(&m, 0x10000005u, 0, 1, NULL, 0);
	tm_T(&m, 0, T0);
	tm_rand(&m, 16, 0xab);
	tm_genext(&m, 0, "v", 1);
	tm_idr_s(&m, 7, TM_KMS);
	tm_idr_s(&m, 2, TM_URI_R);
	tm_sp(&m, 0);
	tm_idr_s(&m, 6, TM_KMS);
	tm_idr_s(&m, 1, TM_URI_I);
	tm_sakke(&m, 1, 2, 273);
	tm_sign(&m);
	assert_int_equal(mcsec_mikey_parse(m.b, m.len, &msg, NULL), MCSEC_OK);
	assert_int_equal(msg->idi.len, strlen(TM_URI_I));
	assert_memory_equal(msg->idr.data, TM_URI_R, strlen(TM_URI_R));
	assert_int_equal(msg->nsp, 1);
	mcsec_mikey_msg_free(msg);
}

static void test_input_forms(void **state)
{
	tm_t m;
	char b64[MCSEC_B64_ENC_LEN(8192)], sdp[sizeof(b64) + 16];
	mcsec_mikey_msg_t *msg = NULL;
	mcsec_mikey_err_t e;
	(void)state;

	std_msg(&m);
	assert_true(mcsec_b64_encode(m.b, m.len, b64, sizeof(b64), 0) > 0);
	assert_int_equal(
			mcsec_mikey_parse_any((const uint8_t *)b64, strlen(b64), &msg, &e),
			MCSEC_OK);
	assert_int_equal(msg->len, m.len);
	mcsec_mikey_msg_free(msg);
	snprintf(sdp, sizeof(sdp), "  mikey %s\r\n", b64);
	assert_int_equal(
			mcsec_mikey_parse_any((const uint8_t *)sdp, strlen(sdp), &msg, &e),
			MCSEC_OK);
	assert_memory_equal(msg->raw, m.b, m.len);
	mcsec_mikey_msg_free(msg);
	assert_int_equal(mcsec_mikey_parse_any(m.b, m.len, &msg, &e), MCSEC_OK);
	mcsec_mikey_msg_free(msg);
	/* not base64 */
	assert_int_equal(
			mcsec_mikey_parse_any((const uint8_t *)"mikey ***", 9, &msg, &e),
			MCSEC_ERR_MALFORMED);
	assert_null(msg);
	assert_int_equal(mcsec_mikey_parse_any((const uint8_t *)"", 0, &msg, &e),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(mcsec_mikey_parse(NULL, 0, &msg, &e), MCSEC_ERR_MALFORMED);
}

/* Bit flips anywhere in the structure never crash the parser. */
static void test_bitflips_no_crash(void **state)
{
	tm_t m, p;
	mcsec_mikey_err_t e;
	int ok = 0, bad = 0;
	(void)state;

	full_msg(&m);
	for(size_t i = 0; i < m.len; i++)
		for(int bit = 0; bit < 8; bit++) {
			memcpy(&p, &m, sizeof(m));
			p.b[i] ^= (uint8_t)(1 << bit);
			if(parse(&p, &e) == MCSEC_OK)
				ok++;
			else
				bad++;
		}
	/* data octets (SAKKE, signature, IDs) flip without structural change */
	assert_true(ok > 0);
	assert_true(bad > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_full_layout),
			cmocka_unit_test(test_truncation),
			cmocka_unit_test(test_length_overflow),
			cmocka_unit_test(test_duplicates),
			cmocka_unit_test(test_missing),
			cmocka_unit_test(test_types_and_values),
			cmocka_unit_test(test_order_tolerance),
			cmocka_unit_test(test_input_forms),
			cmocka_unit_test(test_bitflips_no_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
