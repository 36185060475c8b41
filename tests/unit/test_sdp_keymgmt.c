/*
 * Unit tests: SDP key-mgmt attribute extraction (RFC 4567 3.1) and the scan
 * of a SIP body for MIKEY I_MESSAGEs (application/mikey bodies and parts,
 * a=key-mgmt:mikey lines in SDP bodies and parts; TS 33.180 5.2.8.2.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fileio.h"
#include "encoding.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "mikey_body.h"
#include "sdp_keymgmt.h"

static char *read_file(const char *path, size_t *len)
{
	char *b = NULL, err[256];
	size_t n = 0;

	if(mcsec_read_file(path, 1 << 20, &b, &n, err, sizeof(err)) != MCSEC_OK) {
		fprintf(stderr, "%s (run from the repository top)\n", err);
		abort();
	}
	if(len)
		*len = n;
	return b;
}

/* the base64 I_MESSAGE of the PCK vector ("mikey <base64>" in the file) */
static char *pck_b64(void)
{
	char *t = read_file("tests/vectors/mikey/pck-sdp.txt", NULL);
	char *s = t, *e;
	if(!strncmp(s, "mikey ", 6))
		s += 6;
	e = s + strlen(s);
	while(e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		e--;
	*e = '\0';
	s = strdup(s);
	free(t);
	return s;
}

static int find(const char *sdp, mcsec_sdp_keymgmt_t *km, size_t cap, size_t *n,
		size_t *line)
{
	return mcsec_sdp_keymgmt_find(sdp, strlen(sdp), "mikey", km, cap, n, line);
}

static void test_find_levels(void **state)
{
	mcsec_sdp_keymgmt_t km[4];
	size_t n, line;
	const char *sdp = "v=0\r\n"
					  "o=- 1 1 IN IP4 127.0.0.1\r\n"
					  "s=-\r\n"
					  "a=key-mgmt:mikey QUJD\r\n"
					  "t=0 0\r\n"
					  "m=audio 4000 RTP/AVP 0\r\n"
					  "a=key-mgmt:MIKEY QUJDRA==\r\n"
					  "a=key-mgmt:other-proto !!not-base64!!\r\n"
					  "m=application 4002 udp MCPTT\r\n"
					  "a=key-mgmt:mikey QUI=  \n"
					  "a=key-mgmtx:mikey QUJD\r\n"
					  " a=key-mgmt:mikey QUJD\r\n";
	(void)state;

	assert_int_equal(find(sdp, km, 4, &n, &line), MCSEC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(km[0].media, 0);
	assert_int_equal(km[0].line, 4);
	assert_int_equal(km[0].data_len, 4);
	assert_memory_equal(km[0].data, "QUJD", 4);
	assert_int_equal(km[1].media, 1);
	assert_int_equal(km[1].line, 7);
	assert_memory_equal(km[1].data, "QUJDRA==", 8);
	/* LF line end, trailing blanks trimmed */
	assert_int_equal(km[2].media, 2);
	assert_int_equal(km[2].data_len, 4);
	assert_memory_equal(km[2].data, "QUI=", 4);
	/* no line end at all on the last line */
	assert_int_equal(find("a=key-mgmt:mikey QUJD", km, 4, &n, NULL), MCSEC_OK);
	assert_int_equal(n, 1);
	/* nothing wanted */
	assert_int_equal(
			find("v=0\r\nm=audio 1 RTP/AVP 0\r\n", km, 4, &n, NULL), MCSEC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(find("", km, 4, &n, NULL), MCSEC_OK);
	assert_int_equal(n, 0);
}

static void test_find_malformed(void **state)
{
	mcsec_sdp_keymgmt_t km[2];
	size_t n, line;
	static const char *const bad[] = {
			"a=key-mgmt:mikey\r\n",			  /* no SP data */
			"a=key-mgmt:mikey \r\n",		  /* empty data */
			"a=key-mgmt: mikey QUJD\r\n",	  /* empty prtcl-id */
			"a=key-mgmt:mikey QUJ\r\n",		  /* not 4-aligned */
			"a=key-mgmt:mikey QU=D\r\n",	  /* data after padding */
			"a=key-mgmt:mikey QUJD QUJD\r\n", /* blank inside */
			"a=key-mgmt:mikey Q===\r\n",	  /* 3 pad characters */
			"a=key-mgmt:mikey QUJD\x01\r\n",  /* control character */
			"a=key-mgmt:mikey  QUJD\r\n",	  /* two SPs */
			"a=key-mgmt:mi\tkey QUJD\r\n",	  /* blank in prtcl-id */
			"a=key-mgmt:nospace\r\n",		  /* other prtcl without data */
	};
	(void)state;

	for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(find(bad[i], km, 2, &n, &line), MCSEC_ERR_MALFORMED);
		assert_int_equal(line, 1);
	}
	/* a NUL anywhere */
	assert_int_equal(mcsec_sdp_keymgmt_find("v=0\r\n\0a=key-mgmt:mikey QUJD",
							 27, "mikey", km, 2, &n, &line),
			MCSEC_ERR_MALFORMED);
	/* more wanted lines than the capacity: refused, never half examined */
	assert_int_equal(find("a=key-mgmt:mikey QUJD\r\n"
						  "a=key-mgmt:mikey QUJD\r\n"
						  "a=key-mgmt:mikey QUJD\r\n",
							 km, 2, &n, &line),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(line, 3);
	/* arguments */
	assert_int_equal(mcsec_sdp_keymgmt_find(NULL, 3, "mikey", km, 2, &n, NULL),
			MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_sdp_keymgmt_find("x", 1, "", km, 2, &n, NULL), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_sdp_keymgmt_find("x", 1, "mikey", NULL, 2, &n, NULL),
			MCSEC_ERR_ARG);
}

/* the scan returns the I_MESSAGE octets, which parse as the vector */
static void check_pck(const mcsec_mikey_item_t *it)
{
	mcsec_mikey_msg_t *m = NULL;
	assert_int_equal(mcsec_mikey_parse(it->raw, it->len, &m, NULL), MCSEC_OK);
	assert_int_equal(m->idi.len, strlen("sip:alice@example.org"));
	assert_memory_equal(m->idi.data, "sip:alice@example.org", m->idi.len);
	mcsec_mikey_msg_free(m);
}

static void test_scan_sdp(void **state)
{
	char *b64 = pck_b64(), *sdp = malloc(strlen(b64) + 200);
	mcsec_mikey_body_t b;
	const char *what;
	(void)state;

	sprintf(sdp,
			"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
			"m=audio 4000 RTP/AVP 0\r\na=key-mgmt:mikey %s\r\n",
			b64);
	assert_int_equal(mcsec_mikey_body_scan(sdp, strlen(sdp), "application/sdp",
							 15, &b, &what),
			MCSEC_OK);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.items[0].src, MCSEC_MIKEY_SRC_SDP);
	assert_int_equal(b.items[0].line, 6);
	check_pck(&b.items[0]);
	mcsec_mikey_body_clear(&b);
	assert_int_equal(b.n, 0);
	/* an SDP without key-mgmt: nothing */
	assert_int_equal(mcsec_mikey_body_scan(
							 "v=0\r\n", 5, "application/sdp", 15, &b, &what),
			MCSEC_OK);
	assert_int_equal(b.n, 0);
	/* a key-mgmt line whose data is base64 but not MIKEY still comes out;
	 * the MIKEY parser refuses it later */
	assert_int_equal(mcsec_mikey_body_scan("a=key-mgmt:mikey QUJD\r\n", 23,
							 "application/sdp", 15, &b, &what),
			MCSEC_OK);
	assert_int_equal(b.n, 1);
	assert_int_equal(mcsec_mikey_parse(b.items[0].raw, b.items[0].len,
							 &(mcsec_mikey_msg_t *){NULL}, NULL)
							 != MCSEC_OK,
			1);
	mcsec_mikey_body_clear(&b);
	/* malformed key-mgmt: refused with a reason */
	assert_int_equal(mcsec_mikey_body_scan("a=key-mgmt:mikey Q\r\n", 20,
							 "application/sdp", 15, &b, &what),
			MCSEC_ERR_MALFORMED);
	assert_non_null(what);
	free(sdp);
	free(b64);
}

static void test_scan_multipart(void **state)
{
	char *b64 = pck_b64(), *body = malloc(3 * strlen(b64) + 1000);
	uint8_t raw[4096];
	char b64x[8192];
	long rl;
	mcsec_mikey_body_t b;
	const char *what;
	const char *ct = "multipart/mixed; boundary=xyz";
	(void)state;

	rl = mcsec_b64_decode(b64, strlen(b64), raw, sizeof(raw), 0);
	assert_true(rl > 0);
	/* part 1 XML, part 2 raw binary MIKEY (GMK-style notification), part 3
	 * base64 MIKEY with CTE and a line break, part 4 SDP with key-mgmt */
	size_t off = (size_t)sprintf(body,
			"--xyz\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\n\r\n"
			"<x/>\r\n--xyz\r\nContent-Type: application/mikey\r\n\r\n");
	memcpy(body + off, raw, (size_t)rl);
	off += (size_t)rl;
	strcpy(b64x, b64);
	memmove(b64x + 41, b64x + 40, strlen(b64x + 40) + 1);
	memcpy(b64x + 40, "\n", 1);
	off += (size_t)sprintf(body + off,
			"\r\n--xyz\r\nContent-Type: application/mikey\r\n"
			"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
			"--xyz\r\nContent-Type: application/sdp\r\n\r\n"
			"v=0\r\nm=audio 1 RTP/AVP 0\r\na=key-mgmt:mikey %s\r\n"
			"\r\n--xyz--\r\n",
			b64x, b64);
	assert_int_equal(
			mcsec_mikey_body_scan(body, off, ct, strlen(ct), &b, &what),
			MCSEC_OK);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.items[0].src, MCSEC_MIKEY_SRC_PART);
	assert_int_equal(b.items[0].part, 2);
	assert_int_equal(b.items[1].part, 3);
	assert_int_equal(b.items[2].src, MCSEC_MIKEY_SRC_SDP);
	assert_int_equal(b.items[2].part, 4);
	assert_int_equal(b.items[2].line, 3);
	for(size_t i = 0; i < b.n; i++)
		check_pck(&b.items[i]);
	mcsec_mikey_body_clear(&b);

	/* quoted-printable MIKEY part: refused */
	off = (size_t)sprintf(body,
			"--xyz\r\nContent-Type: application/mikey\r\n"
			"Content-Transfer-Encoding: quoted-printable\r\n\r\n%s\r\n"
			"--xyz--\r\n",
			b64);
	assert_int_equal(
			mcsec_mikey_body_scan(body, off, ct, strlen(ct), &b, &what),
			MCSEC_ERR_MALFORMED);
	/* broken multipart */
	assert_int_equal(mcsec_mikey_body_scan(
							 "--xyz\r\nabc", 10, ct, strlen(ct), &b, &what),
			MCSEC_ERR_MALFORMED);
	/* multipart/related with MIKEY in it: refused */
	off = (size_t)sprintf(body,
			"--xyz\r\nContent-Type: application/mikey\r\n\r\n%s\r\n"
			"--xyz--\r\n",
			b64);
	assert_int_equal(mcsec_mikey_body_scan(body, off,
							 "multipart/related;boundary=xyz", 30, &b, &what),
			MCSEC_ERR_UNSUPPORTED);
	/* other content: nothing */
	assert_int_equal(
			mcsec_mikey_body_scan("<x/>", 4, "application/xml", 15, &b, &what),
			MCSEC_OK);
	assert_int_equal(b.n, 0);
	/* a single application/mikey body, "mikey <base64>" form */
	off = (size_t)sprintf(body, "mikey %s\r\n", b64);
	assert_int_equal(mcsec_mikey_body_scan(
							 body, off, "application/mikey", 17, &b, &what),
			MCSEC_OK);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.items[0].part, 0);
	check_pck(&b.items[0]);
	mcsec_mikey_body_clear(&b);
	/* an empty application/mikey part */
	off = (size_t)sprintf(body,
			"--xyz\r\nContent-Type: application/mikey\r\n\r\n\r\n--xyz--\r\n");
	assert_int_equal(
			mcsec_mikey_body_scan(body, off, ct, strlen(ct), &b, &what),
			MCSEC_ERR_MALFORMED);
	free(body);
	free(b64);
}

static void test_scan_limits(void **state)
{
	char *b64 = pck_b64();
	size_t cap = (MCSEC_MIKEY_BODY_MAX + 2) * (strlen(b64) + 40);
	char *sdp = malloc(cap);
	size_t off = 0;
	mcsec_mikey_body_t b;
	const char *what;
	(void)state;

	/* more key-mgmt lines than MCSEC_SDP_KEYMGMT_MAX: refused */
	for(int i = 0; i < MCSEC_SDP_KEYMGMT_MAX + 1; i++)
		off += (size_t)sprintf(sdp + off, "a=key-mgmt:mikey %s\r\n", b64);
	assert_int_equal(
			mcsec_mikey_body_scan(sdp, off, "application/sdp", 15, &b, &what),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(b.n, 0);
	assert_int_equal(
			mcsec_mikey_body_scan(NULL, 3, "application/sdp", 15, &b, &what),
			MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_mikey_body_scan("x", 1, NULL, 0, &b, &what), MCSEC_OK);
	assert_int_equal(b.n, 0);
	free(sdp);
	free(b64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_find_levels),
			cmocka_unit_test(test_find_malformed),
			cmocka_unit_test(test_scan_sdp),
			cmocka_unit_test(test_scan_multipart),
			cmocka_unit_test(test_scan_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
