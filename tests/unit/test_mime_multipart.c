/*
 * Unit tests: strict multipart/mixed parser and writer (RFC 2046 5.1.1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcsec_err.h"
#include "mime_multipart.h"

#define CT "multipart/mixed;boundary=b1"

static int parse(const char *body, const char *ct, mcsec_mime_t *m)
{
	return mcsec_mime_parse(body, strlen(body), ct, strlen(ct), m);
}

static void test_boundary_param(void **state)
{
	char b[MCSEC_MIME_MAX_BOUNDARY + 1];
	size_t n;
	char long_ct[200];
	(void)state;

	assert_int_equal(mcsec_mime_boundary(CT, strlen(CT), b, &n), MCSEC_OK);
	assert_string_equal(b, "b1");
	assert_int_equal(mcsec_mime_boundary(
							 "Multipart/Mixed ; charset=x; boundary=\"a b:c\"",
							 45, b, &n),
			MCSEC_OK);
	assert_string_equal(b, "a b:c");
	/* not multipart/mixed */
	assert_int_equal(mcsec_mime_boundary("application/sdp", 15, b, &n),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(
			mcsec_mime_boundary("multipart/related;boundary=x", 28, b, &n),
			MCSEC_ERR_UNSUPPORTED);
	/* missing, empty, duplicated, bad characters, trailing space, too long */
	assert_int_equal(mcsec_mime_boundary("multipart/mixed", 15, b, &n),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(
			mcsec_mime_boundary("multipart/mixed;boundary=\"\"", 27, b, &n),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(
			mcsec_mime_boundary(
					"multipart/mixed;boundary=a;boundary=b", 38, b, &n),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(mcsec_mime_boundary(
							 "multipart/mixed;boundary=\"a\x01\"", 29, b, &n),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(
			mcsec_mime_boundary("multipart/mixed;boundary=\"ab \"", 30, b, &n),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(
			mcsec_mime_boundary("multipart/mixed;boundary=\"ab", 28, b, &n),
			MCSEC_ERR_MALFORMED);
	memset(long_ct, 0, sizeof(long_ct));
	strcpy(long_ct, "multipart/mixed;boundary=");
	memset(long_ct + strlen(long_ct), 'x', 71);
	assert_int_equal(mcsec_mime_boundary(long_ct, strlen(long_ct), b, &n),
			MCSEC_ERR_MALFORMED);
	long_ct[strlen(long_ct) - 1] = '\0'; /* 70 is the limit */
	assert_int_equal(
			mcsec_mime_boundary(long_ct, strlen(long_ct), b, &n), MCSEC_OK);
	assert_int_equal(n, 70);
}

static void test_parse_ok(void **state)
{
	mcsec_mime_t m;
	const char *body =
			"preamble\r\n--b1\r\nContent-Type: application/sdp\r\n\r\n"
			"v=0\r\n\r\n--b1 \t\r\ncontent-type: application/pidf+xml\r\n"
			"Content-ID: <p1@x.example>\r\n\r\n<a/>\r\n--b1\r\n\r\nno "
			"headers\r\n--b1--\r\nepilogue";
	(void)state;

	assert_int_equal(parse(body, CT, &m), MCSEC_OK);
	assert_int_equal(m.nparts, 3);
	assert_int_equal(m.parts[0].body_len, 5);
	assert_memory_equal(m.parts[0].body, "v=0\r\n", 5);
	assert_int_equal(m.parts[0].ctype_len, 15);
	assert_null(m.parts[0].cid);
	assert_int_equal(m.parts[1].body_len, 4);
	assert_memory_equal(m.parts[1].cid, "p1@x.example", 12);
	assert_int_equal(m.parts[1].cid_len, 12);
	assert_true(mcsec_mime_type_is_xml(m.parts[1].ctype, m.parts[1].ctype_len));
	assert_int_equal(m.parts[2].hdr_len, 0);
	assert_int_equal(m.parts[2].body_len, 10);
	assert_null(m.parts[2].ctype);
	/* binary octets (a raw MIKEY message) in a body are fine */
	{
		const char bin[] = "--b1\r\nContent-Type: "
						   "application/mikey\r\n\r\n\x01\x00\x1a\r\n--b1--";
		assert_int_equal(
				mcsec_mime_parse(bin, sizeof(bin) - 1, CT, strlen(CT), &m),
				MCSEC_OK);
		assert_int_equal(m.parts[0].body_len, 3);
	}
}

static void test_parse_reject(void **state)
{
	mcsec_mime_t m;
	char many[4096];
	(void)state;

	/* no close delimiter */
	assert_int_equal(parse("--b1\r\n\r\nx\r\n--b1\r\n\r\ny", CT, &m),
			MCSEC_ERR_MALFORMED);
	/* no delimiter at all */
	assert_int_equal(parse("hello", CT, &m), MCSEC_ERR_MALFORMED);
	/* delimiter line followed by garbage (b1 is a prefix of b1x) */
	assert_int_equal(parse("--b1\r\n\r\nx\r\n--b1x\r\n\r\ny\r\n--b1--", CT, &m),
			MCSEC_ERR_MALFORMED);
	/* headers without the blank line */
	assert_int_equal(parse("--b1\r\nContent-Type: a/b\r\n--b1--", CT, &m),
			MCSEC_ERR_MALFORMED);
	/* duplicate Content-Type, Content-ID, CTE in a part */
	assert_int_equal(parse("--b1\r\nContent-Type: a/b\r\nContent-Type: "
						   "a/c\r\n\r\nx\r\n--b1--",
							 CT, &m),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(parse("--b1\r\nContent-ID: <a@b>\r\nContent-ID: "
						   "<c@d>\r\n\r\nx\r\n--b1--",
							 CT, &m),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(
			parse("--b1\r\nContent-Transfer-Encoding: 8bit\r\n"
				  "Content-Transfer-Encoding: base64\r\n\r\nx\r\n--b1--",
					CT, &m),
			MCSEC_ERR_MALFORMED);
	/* the same Content-ID on two parts */
	assert_int_equal(
			parse("--b1\r\nContent-ID: <a@b>\r\n\r\nx\r\n--b1\r\nContent-ID: "
				  "<a@b>\r\n\r\ny\r\n--b1--",
					CT, &m),
			MCSEC_ERR_MALFORMED);
	/* Content-ID without brackets, with spaces */
	assert_int_equal(
			parse("--b1\r\nContent-ID: a@b\r\n\r\nx\r\n--b1--", CT, &m),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(
			parse("--b1\r\nContent-ID: <a @b>\r\n\r\nx\r\n--b1--", CT, &m),
			MCSEC_ERR_MALFORMED);
	/* bare LF inside a header, a header without a colon, a bad media type */
	assert_int_equal(
			parse("--b1\r\nContent-Type: a/b\nX: y\r\n\r\nx\r\n--b1--", CT, &m),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(parse("--b1\r\nNoColon\r\n\r\nx\r\n--b1--", CT, &m),
			MCSEC_ERR_MALFORMED);
	assert_int_equal(
			parse("--b1\r\nContent-Type: text\r\n\r\nx\r\n--b1--", CT, &m),
			MCSEC_ERR_MALFORMED);
	/* continuation line first */
	assert_int_equal(parse("--b1\r\n X: y\r\n\r\nx\r\n--b1--", CT, &m),
			MCSEC_ERR_MALFORMED);
	/* delimiter without CRLF after it */
	assert_int_equal(parse("--b1x--", CT, &m), MCSEC_ERR_MALFORMED);
	/* more parts than MCSEC_MIME_MAX_PARTS */
	many[0] = '\0';
	for(int i = 0; i <= MCSEC_MIME_MAX_PARTS; i++)
		strcat(many, "--b1\r\n\r\nx\r\n");
	strcat(many, "--b1--");
	assert_int_equal(parse(many, CT, &m), MCSEC_ERR_UNSUPPORTED);
}

static void test_write_roundtrip(void **state)
{
	mcsec_mime_out_t parts[2] = {
			{"Content-Type: application/sdp\r\n", 31, NULL, 0, "v=0\r\n", 5},
			{"Content-Type: application/pidf+xml\r\n", 36,
					"Content-ID: <x@y>\r\n", 19, "<a/>", 4},
	};
	mcsec_mime_t m;
	char *out = NULL;
	size_t n;
	(void)state;

	assert_int_equal(mcsec_mime_write("b1", 2, parts, 2, &out, &n), MCSEC_OK);
	assert_int_equal(n, strlen(out));
	assert_int_equal(parse(out, CT, &m), MCSEC_OK);
	assert_int_equal(m.nparts, 2);
	assert_memory_equal(m.parts[0].body, "v=0\r\n", 5);
	assert_int_equal(m.parts[1].body_len, 4);
	assert_memory_equal(m.parts[1].cid, "x@y", 3);
	free(out);
}

static void test_write_no_smuggling(void **state)
{
	mcsec_mime_out_t p = {NULL, 0, NULL, 0, NULL, 0};
	char *out = NULL;
	size_t n;
	char b[MCSEC_MIME_MAX_BOUNDARY + 1];
	(void)state;

	/* a (decrypted) body that contains the delimiter would inject a part */
	p.body = "x\r\n--b1\r\nContent-Type: a/b\r\n\r\nevil";
	p.body_len = strlen(p.body);
	assert_int_equal(
			mcsec_mime_write("b1", 2, &p, 1, &out, &n), MCSEC_ERR_MALFORMED);
	p.body = "--b1\r\n";
	p.body_len = strlen(p.body);
	assert_int_equal(
			mcsec_mime_write("b1", 2, &p, 1, &out, &n), MCSEC_ERR_MALFORMED);
	assert_null(out);
	/* fresh boundaries are valid and differ */
	assert_int_equal(mcsec_mime_new_boundary(b), MCSEC_OK);
	{
		char b2[MCSEC_MIME_MAX_BOUNDARY + 1], ct[128];
		size_t bl;
		assert_int_equal(mcsec_mime_new_boundary(b2), MCSEC_OK);
		assert_string_not_equal(b, b2);
		snprintf(ct, sizeof(ct), "multipart/mixed;boundary=%s", b);
		assert_int_equal(
				mcsec_mime_boundary(ct, strlen(ct), b2, &bl), MCSEC_OK);
	}
}

static void test_media_types(void **state)
{
	(void)state;
	assert_true(
			mcsec_mime_type_is_xml("application/vnd.3gpp.mcptt-info+xml", 35));
	assert_true(mcsec_mime_type_is_xml("Application/XML; charset=utf-8", 30));
	assert_true(mcsec_mime_type_is_xml("text/xml", 8));
	assert_false(mcsec_mime_type_is_xml("application/sdp", 15));
	assert_false(mcsec_mime_type_is_xml("application/xmlx", 16));
	assert_false(mcsec_mime_type_is_xml("+xml", 4));
}

/* RFC 2045 6.1 transfer encodings, line unfolding, substring search */
static void test_cte_helpers(void **state)
{
	mcsec_mime_part_t p;
	char *u;
	size_t n = 99;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(mcsec_mime_part_cte(&p), MCSEC_MIME_CTE_IDENTITY);
	p.cte = " 8Bit\t";
	p.cte_len = strlen(p.cte);
	assert_int_equal(mcsec_mime_part_cte(&p), MCSEC_MIME_CTE_IDENTITY);
	p.cte = "BASE64";
	p.cte_len = strlen(p.cte);
	assert_int_equal(mcsec_mime_part_cte(&p), MCSEC_MIME_CTE_BASE64);
	p.cte = "quoted-printable";
	p.cte_len = strlen(p.cte);
	assert_int_equal(mcsec_mime_part_cte(&p), MCSEC_ERR_UNSUPPORTED);
	p.cte = "base64x";
	p.cte_len = strlen(p.cte);
	assert_int_equal(mcsec_mime_part_cte(&p), MCSEC_ERR_UNSUPPORTED);

	{
		static const char in[] = "QUJD\r\nREVG\nR0g=\r\n";
		u = mcsec_mime_unfold(in, sizeof(in) - 1, &n);
	}
	assert_non_null(u);
	assert_int_equal(n, 12);
	assert_string_equal(u, "QUJDREVGR0g=");
	free(u);

	assert_int_equal(mcsec_mime_contains_ci(
							 "x Application/MIKEY y", 21, "application/mikey"),
			1);
	assert_int_equal(
			mcsec_mime_contains_ci("application/mike", 16, "application/mikey"),
			0);
	assert_int_equal(mcsec_mime_contains_ci("", 0, "a"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_boundary_param),
			cmocka_unit_test(test_parse_ok),
			cmocka_unit_test(test_parse_reject),
			cmocka_unit_test(test_write_roundtrip),
			cmocka_unit_test(test_write_no_smuggling),
			cmocka_unit_test(test_media_types),
			cmocka_unit_test(test_cte_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
