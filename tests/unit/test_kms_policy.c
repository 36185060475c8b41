/*
 * KMS acceptance policy (TS 33.180 5.2.8.2.3 / 5.2.8.2.4 local policy):
 * file format, list expansion and order, precedence user > group >
 * default > built-in, directions, local users, KRR flags, every parse
 * error with its line number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kms_policy.h"
#include "mcsec_err.h"

#define INI MCSEC_KMS_DIR_INITIATOR
#define RCV MCSEC_KMS_DIR_RECEIVER

static mcsec_kms_policy_t *parse_ok(const char *text)
{
	mcsec_kms_policy_t *p = NULL;
	int line = -1;
	assert_int_equal(
			mcsec_kms_policy_parse(text, strlen(text), &p, &line), MCSEC_OK);
	assert_non_null(p);
	return p;
}

/* The list for user/dir joined by ',' ("ANY" for any). */
static void expect_list(const mcsec_kms_policy_t *p, const char *user, int dir,
		const char *want)
{
	mcsec_kms_list_t l;
	char buf[1024] = "";
	assert_int_equal(
			mcsec_kms_policy_list(p, user, strlen(user), dir, &l), MCSEC_OK);
	if(l.any)
		strcpy(buf, "ANY");
	for(size_t i = 0; i < l.n; i++) {
		if(i)
			strcat(buf, ",");
		strcat(buf, l.uris[i]);
	}
	assert_string_equal(buf, want);
}

static int acc(
		const mcsec_kms_policy_t *p, const char *u, int dir, const char *kms)
{
	return mcsec_kms_policy_acceptable(p, u, strlen(u), dir, kms, strlen(kms));
}

static void test_example_file(void **state)
{
	mcsec_kms_policy_t *p = NULL;
	int line = 0;
	(void)state;
	assert_int_equal(mcsec_kms_policy_load("cfg/kms-policy.example", &p, &line),
			MCSEC_OK);
	assert_string_equal(mcsec_kms_policy_home(p), "kms.police.example.org");
	assert_string_equal(
			mcsec_kms_policy_creator(p), "sip:cs-proxy@police.example.org");
	assert_int_equal(mcsec_kms_policy_accept_unsigned(p), 0);
	assert_int_equal(mcsec_kms_policy_accept_untrusted(p), 0);
	/* default rules, in preference order */
	expect_list(p, "sip:anyone@police.example.org", INI,
			"kms.police.example.org,kms.police-backup.example.org");
	expect_list(p, "sip:anyone@police.example.org", RCV,
			"kms.police.example.org,kms.police-backup.example.org,"
			"kms.fire.example.org,kms.ambulance.example.org");
	/* role-qualified default */
	{
		mcsec_kms_list_t l;
		const char *u = "sip:anyone@police.example.org";
		assert_int_equal(
				mcsec_kms_policy_list_for(
						p, MCSEC_KMS_ROLE_CS_OUTBOUND, u, strlen(u), RCV, &l),
				MCSEC_OK);
		assert_int_equal(l.n, 2);
		assert_int_equal(mcsec_kms_policy_list_for(
								 p, MCSEC_KMS_ROLE_IS, u, strlen(u), RCV, &l),
				MCSEC_OK);
		assert_int_equal(l.n, 4);
		assert_false(
				mcsec_kms_policy_acceptable_for(p, MCSEC_KMS_ROLE_CS_OUTBOUND,
						u, strlen(u), RCV, "kms.fire.example.org", 20));
		assert_true(mcsec_kms_policy_acceptable_for(p, MCSEC_KMS_ROLE_IS, u,
				strlen(u), RCV, "kms.fire.example.org", 20));
	}
	/* group rule for one direction only; the other falls to default */
	expect_list(p, "sip:officer.42@police.example.org", INI,
			"kms.police.example.org,kms.fire.example.org");
	expect_list(p, "sip:officer.42@police.example.org", RCV,
			"kms.police.example.org,kms.police-backup.example.org,"
			"kms.fire.example.org,kms.ambulance.example.org");
	/* user rule, both directions */
	expect_list(p, "sip:test.user@police.example.org", INI,
			"kms.police.example.org");
	expect_list(p, "sip:test.user@police.example.org", RCV,
			"kms.police.example.org");
	assert_true(mcsec_kms_policy_is_local(p, "sip:x@police.example.org", 24));
	assert_false(mcsec_kms_policy_is_local(p, "sip:x@fire.example.org", 22));
	assert_true(acc(p, "sip:officer.17@police.example.org", INI,
			"kms.fire.example.org"));
	assert_false(acc(p, "sip:officer.18@police.example.org", INI,
			"kms.fire.example.org"));
	assert_false(acc(p, "sip:test.user@police.example.org", RCV,
			"kms.fire.example.org"));
	mcsec_kms_policy_free(p);
}

static void test_builtin_and_expansion(void **state)
{
	mcsec_kms_policy_t *p;
	(void)state;
	/* no rule: built-in @home @migration for both directions */
	p = parse_ok("home h\nmigration m1 m2\nexternal e1\n");
	expect_list(p, "sip:a@x", INI, "h,m1,m2");
	expect_list(p, "sip:a@x", RCV, "h,m1,m2");
	assert_false(acc(p, "sip:a@x", RCV, "e1"));
	assert_false(mcsec_kms_policy_is_local(p, "sip:a@x", 7));
	assert_null(mcsec_kms_policy_creator(p));
	mcsec_kms_policy_free(p);
	/* expansion order as written, duplicates dropped, literal URIs;
	 * directives may come after the rules that use them */
	p = parse_ok("default both @external k1 @home m1 @migration\n"
				 "home h\nmigration m1 m2\nexternal e1 e2\n");
	expect_list(p, "sip:a@x", INI, "e1,e2,k1,h,m1,m2");
	mcsec_kms_policy_free(p);
	/* ANY and none */
	p = parse_ok("home h\ndefault initiator ANY\ndefault receiver none\n");
	expect_list(p, "u", INI, "ANY");
	expect_list(p, "u", RCV, "");
	assert_true(acc(p, "u", INI, "whatever.example"));
	assert_false(acc(p, "u", RCV, "h"));
	mcsec_kms_policy_free(p);
}

static void test_precedence(void **state)
{
	mcsec_kms_policy_t *p;
	(void)state;
	p = parse_ok("home h\n"
				 "group g1 *@a.example sip:b@b.example\n"
				 "group g2 *@a.example\n"
				 "default both d\n"
				 "for-group g2 both g2kms\n"
				 "for-group g1 both g1kms\n"
				 "user sip:u@a.example receiver ukms\n"
				 "local * \n"
				 "krr-unsigned accept\nkrr-untrusted accept\n"
				 "krr-creator sip:me@h\n");
	/* first matching for-group in file order: g2 */
	expect_list(p, "sip:v@a.example", INI, "g2kms");
	expect_list(p, "sip:b@b.example", INI, "g1kms");
	expect_list(p, "sip:c@c.example", INI, "d");
	/* user rule beats groups, only in its direction */
	expect_list(p, "sip:u@a.example", RCV, "ukms");
	expect_list(p, "sip:u@a.example", INI, "g2kms");
	/* exact user match only: a longer or shorter name is not that user */
	expect_list(p, "sip:u@a.example.net", RCV, "d");
	expect_list(p, "sip:u@a.exampl", RCV, "d");
	assert_true(mcsec_kms_policy_is_local(p, "anything", 8));
	assert_int_equal(mcsec_kms_policy_accept_unsigned(p), 1);
	assert_int_equal(mcsec_kms_policy_accept_untrusted(p), 1);
	assert_string_equal(mcsec_kms_policy_creator(p), "sip:me@h");
	mcsec_kms_policy_free(p);
}

/* DIR@ROLE: per proxy role, before role-less rules of the same level, but
 * after any rule of a more specific level */
static void test_roles(void **state)
{
	mcsec_kms_policy_t *p;
	mcsec_kms_list_t l;
	const char *u = "sip:u@a", *v = "sip:v@a";
	(void)state;
	p = parse_ok("home h\n"
				 "default both d\n"
				 "default initiator@is dis\n"
				 "default both@cs-in dcsin\n"
				 "user sip:u@a initiator uany\n"
				 "user sip:u@a initiator@cs-out ucsout\n");
	assert_int_equal(mcsec_kms_policy_list_for(
							 p, MCSEC_KMS_ROLE_IS, v, strlen(v), INI, &l),
			MCSEC_OK);
	assert_string_equal(l.uris[0], "dis");
	assert_int_equal(mcsec_kms_policy_list_for(
							 p, MCSEC_KMS_ROLE_IS, v, strlen(v), RCV, &l),
			MCSEC_OK);
	assert_string_equal(l.uris[0], "d");
	assert_int_equal(mcsec_kms_policy_list_for(p, MCSEC_KMS_ROLE_CS_INBOUND, v,
							 strlen(v), RCV, &l),
			MCSEC_OK);
	assert_string_equal(l.uris[0], "dcsin");
	/* role 0: role-qualified rules never apply */
	expect_list(p, v, INI, "d");
	/* a user rule without a role beats a role-qualified default */
	assert_int_equal(mcsec_kms_policy_list_for(
							 p, MCSEC_KMS_ROLE_IS, u, strlen(u), INI, &l),
			MCSEC_OK);
	assert_string_equal(l.uris[0], "uany");
	assert_int_equal(mcsec_kms_policy_list_for(p, MCSEC_KMS_ROLE_CS_OUTBOUND, u,
							 strlen(u), INI, &l),
			MCSEC_OK);
	assert_string_equal(l.uris[0], "ucsout");
	assert_int_equal(mcsec_kms_policy_list_for(p, 4, u, strlen(u), INI, &l),
			MCSEC_ERR_ARG);
	mcsec_kms_policy_free(p);
}

static void test_bad_lines(void **state)
{
	static const struct
	{
		const char *text;
		int line;
	} bad[] = {
			{"migration m\n", 0},	  /* no home */
			{"home h\nhome h2\n", 2}, /* home twice */
			{"home\n", 1},			  /* no URI */
			{"home h extra\n", 1}, {"home h\nmigration\n", 2},
			{"home h\nexternal @home\n", 2}, /* keyword as URI */
			{"home h\nlocal\n", 2}, {"home h\nlocal *bad<\n", 2},
			{"home h\ngroup g\n", 2},				 /* no members */
			{"home h\nfrobnicate x\n", 2},			 /* unknown */
			{"home h\ndefault sideways h\n", 2},	 /* bad DIR */
			{"home h\ndefault both@nowhere h\n", 2}, /* bad ROLE */
			{"home h\ndefault @is h\n", 2},
			{"home h\ndefault receiverreceiverx@is h\n", 2},
			{"home h\ndefault both\n", 2},		 /* empty LIST */
			{"home h\ndefault both ANY h\n", 2}, /* ANY not alone */
			{"home h\ndefault both none h\n", 2},
			{"home h\ndefault both @nothing\n", 2},
			{"home h\nuser sip:u both\n", 2},
			{"home h\nfor-group nosuch both h\n", 2}, /* unknown group */
			{"home h\nkrr-unsigned maybe\n", 2}, {"home h\nkrr-untrusted\n", 2},
			{"home h\nkrr-creator a b\n", 2},
			{"home h\nkrr-creator a\nkrr-creator b\n", 3},
			{"home h\nexternal e\x01x\n", 2}, /* control char */
	};
	(void)state;
	for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mcsec_kms_policy_t *p = (void *)1;
		int line = -1;
		assert_int_equal(mcsec_kms_policy_parse(
								 bad[i].text, strlen(bad[i].text), &p, &line),
				MCSEC_ERR_MALFORMED);
		assert_null(p);
		if(line != bad[i].line)
			fail_msg("case %zu: line %d, want %d", i, line, bad[i].line);
	}
}

static void test_limits_and_args(void **state)
{
	mcsec_kms_policy_t *p = NULL;
	mcsec_kms_list_t l;
	char big[1200];
	int line;
	(void)state;
	/* NUL inside, over-long URI, too many tokens on a line */
	assert_int_equal(mcsec_kms_policy_parse("home h\0x", 8, &p, &line),
			MCSEC_ERR_MALFORMED);
	memset(big, 'a', sizeof(big));
	memcpy(big, "home ", 5);
	assert_int_equal(mcsec_kms_policy_parse(big, sizeof(big), &p, &line),
			MCSEC_ERR_MALFORMED);
	{
		char *many = malloc(300 * 3 + 16);
		size_t n = 0;
		n += (size_t)sprintf(many, "home h\nexternal");
		for(int i = 0; i < 300; i++)
			n += (size_t)sprintf(many + n, " e%d", i % 10);
		assert_int_equal(mcsec_kms_policy_parse(many, n, &p, &line),
				MCSEC_ERR_MALFORMED);
		assert_int_equal(line, 2);
		free(many);
	}
	assert_int_equal(
			mcsec_kms_policy_load("/nonexistent/kms-policy", &p, &line),
			MCSEC_ERR_IO);
	assert_int_equal(mcsec_kms_policy_parse(NULL, 0, &p, &line), MCSEC_ERR_ARG);
	p = parse_ok("home h # comment\n\n   \t# only a comment\r\n");
	assert_int_equal(mcsec_kms_policy_list(p, "u", 1, 3, &l), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_kms_policy_list(p, "u", 1, 0, &l), MCSEC_ERR_ARG);
	assert_int_equal(acc(p, "u", 3, "h"), 0);
	mcsec_kms_policy_free(p);
	mcsec_kms_policy_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_example_file),
			cmocka_unit_test(test_builtin_and_expansion),
			cmocka_unit_test(test_precedence),
			cmocka_unit_test(test_roles),
			cmocka_unit_test(test_bad_lines),
			cmocka_unit_test(test_limits_and_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
