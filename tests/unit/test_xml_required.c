/*
 * Unit tests: required protection (the module's require_encryption):
 * mcsec_xml_doc_clear_items / mcsec_xml_body_clear_items count the items a
 * policy covers (TS 33.180 9.3.4.2 content, 9.3.4.3 URI attributes, key
 * material) that are still in clear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_xml_util.h"

static const char CT_INFO[] = "application/vnd.3gpp.mcptt-info+xml";

static const char POLICY[] =
		"[application/vnd.3gpp.mcptt-info+xml]\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 mcptt-request-uri mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 mcptt-calling-user-id mark\n"
		"[application/pidf+xml]\n"
		"uri = urn:ietf:params:xml:ns:pidf presence entity\n";

static mcsec_xml_policy_t *policy(void)
{
	mcsec_xml_policy_t *p = NULL;
	if(mcsec_xml_policy_parse(POLICY, sizeof(POLICY) - 1, &p, NULL) != MCSEC_OK)
		abort();
	return p;
}

static void test_doc_clear_items(void **state)
{
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = policy();
	char *info, *enc = NULL, *half;
	size_t il, el;
	unsigned n = 99, cnt = 0;
	(void)state;

	test_keys(&k, 0);
	info = read_vec("mcptt_info.xml", &il);
	/* plain: both covered elements are in clear */
	assert_int_equal(mcsec_xml_doc_clear_items(
							 info, il, CT_INFO, strlen(CT_INFO), pol, &n),
			MCSEC_OK);
	assert_int_equal(n, 2);
	/* encrypted by the same policy: nothing in clear */
	assert_int_equal(mcsec_xml_encrypt_doc(info, il, CT_INFO, strlen(CT_INFO),
							 pol, &k, &enc, &el, &cnt),
			MCSEC_OK);
	assert_int_equal(cnt, 2);
	assert_int_equal(mcsec_xml_doc_clear_items(
							 enc, el, CT_INFO, strlen(CT_INFO), pol, &n),
			MCSEC_OK);
	assert_int_equal(n, 0);
	/* one EncryptedData replaced by its plaintext again */
	{
		static const char clear[] =
				"<mcpttURI>sip:group1@example.org</mcpttURI>";
		const char *a = strstr(enc, "<EncryptedData");
		const char *b = strstr(a, "</EncryptedData>");
		size_t pre = (size_t)(a - enc), post = strlen(b + 16);
		half = malloc(pre + sizeof(clear) + post);
		memcpy(half, enc, pre);
		memcpy(half + pre, clear, sizeof(clear) - 1);
		memcpy(half + pre + sizeof(clear) - 1, b + 16, post + 1);
	}
	assert_int_equal(mcsec_xml_doc_clear_items(half, strlen(half), CT_INFO,
							 strlen(CT_INFO), pol, &n),
			MCSEC_OK);
	assert_int_equal(n, 1);
	free(half);
	/* text next to the EncryptedData is content in clear too */
	half = replace(enc, "</EncryptedData>", "</EncryptedData>leak");
	assert_non_null(half);
	assert_int_equal(mcsec_xml_doc_clear_items(half, strlen(half), CT_INFO,
							 strlen(CT_INFO), pol, &n),
			MCSEC_OK);
	assert_int_equal(n, 1);
	free(half);
	/* a content type the policy does not cover: nothing required */
	assert_int_equal(mcsec_xml_doc_clear_items(
							 info, il, "application/other+xml", 21, pol, &n),
			MCSEC_OK);
	assert_int_equal(n, 0);
	/* malformed XML is an error, not "nothing in clear" */
	assert_int_equal(mcsec_xml_doc_clear_items(
							 "<a>", 3, CT_INFO, strlen(CT_INFO), pol, &n),
			MCSEC_ERR_MALFORMED);
	free(enc);
	free(info);
	mcsec_xml_keys_clear(&k);
	mcsec_xml_policy_free(pol);
}

static void test_uri_attribute(void **state)
{
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = policy();
	const char *pidf = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
					   "entity=\"sip:alice@example.org\"/>";
	const char *ct = "application/pidf+xml";
	char *enc = NULL;
	size_t el;
	unsigned n = 99, cnt = 0;
	(void)state;

	test_keys(&k, 0);
	assert_int_equal(mcsec_xml_doc_clear_items(
							 pidf, strlen(pidf), ct, strlen(ct), pol, &n),
			MCSEC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(mcsec_xml_encrypt_doc(pidf, strlen(pidf), ct, strlen(ct),
							 pol, &k, &enc, &el, &cnt),
			MCSEC_OK);
	assert_int_equal(cnt, 1);
	assert_int_equal(
			mcsec_xml_doc_clear_items(enc, el, ct, strlen(ct), pol, &n),
			MCSEC_OK);
	assert_int_equal(n, 0);
	free(enc);
	mcsec_xml_keys_clear(&k);
	mcsec_xml_policy_free(pol);
}

static void test_body_clear_items(void **state)
{
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = policy();
	char *info, *p = NULL, *pct = NULL, body[4096];
	size_t il, pl;
	unsigned n = 99;
	(void)state;

	test_keys(&k, 0);
	info = read_vec("mcptt_info.xml", &il);
	/* protected multipart (signed: the signatures part is not looked at) */
	assert_int_equal(
			mcsec_xml_body_protect(info, il, CT_INFO, pol, &k, &p, &pl, &pct),
			MCSEC_OK);
	assert_int_equal(mcsec_xml_body_clear_items(p, pl, pct, pol, &n), MCSEC_OK);
	assert_int_equal(n, 0);
	/* a multipart with the plain XML next to an SDP part */
	snprintf(body, sizeof(body),
			"--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n"
			"--b1\r\nContent-Type: %s\r\n\r\n%s\r\n--b1--\r\n",
			CT_INFO, info);
	assert_int_equal(mcsec_xml_body_clear_items(body, strlen(body),
							 "multipart/mixed;boundary=b1", pol, &n),
			MCSEC_OK);
	assert_int_equal(n, 2);
	/* not XML at all */
	assert_int_equal(mcsec_xml_body_clear_items(
							 "v=0\r\n", 5, "application/sdp", pol, &n),
			MCSEC_OK);
	assert_int_equal(n, 0);
	/* a part in base64 cannot be looked at: refused */
	snprintf(body, sizeof(body),
			"--b1\r\nContent-Type: %s\r\nContent-Transfer-Encoding: "
			"base64\r\n\r\nPGE+PC9hPg==\r\n--b1--\r\n",
			CT_INFO);
	assert_int_equal(mcsec_xml_body_clear_items(body, strlen(body),
							 "multipart/mixed;boundary=b1", pol, &n),
			MCSEC_ERR_UNSUPPORTED);
	free(p);
	free(pct);
	free(info);
	mcsec_xml_keys_clear(&k);
	mcsec_xml_policy_free(pol);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_doc_clear_items),
			cmocka_unit_test(test_uri_attribute),
			cmocka_unit_test(test_body_clear_items),
	};
	int r;
	mcsec_xml_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	mcsec_xml_shutdown();
	return r;
}
