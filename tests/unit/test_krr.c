/*
 * KMS Redirect Responses (TS 33.180 5.2.8.2.3, 5.2.8.2.4, D.4): creation
 * cases A-D, re-generation cases A-D, nesting limit, D.4.2 signatures
 * (each generated KRR is also checked with xmllint against the D.4.4 schema
 * and with the xmlsec1 command-line tool), tampering, profile and wrapping
 * checks, trust decisions, parser rejections, the D.4.3 example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "krr.h"
#include "mcsec_err.h"
#include "mikey.h"

#define V "tests/vectors/krr/"
#define XSD "cfg/schema/mcsecKMSKRR.xsd"
#define NOW ((time_t)1800000000)

static mcsec_krr_signer_t *signer, *other;
static mcsec_krr_trust_t *trust, *trust_other;

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

static mcsec_kms_policy_t *pol(const char *text)
{
	mcsec_kms_policy_t *p = NULL;
	int line;
	assert_int_equal(
			mcsec_kms_policy_parse(text, strlen(text), &p, &line), MCSEC_OK);
	return p;
}

/* Run the external tools on xml: 0 if both xmllint (schema) and xmlsec1
 * (signature, trusted cert) accept, else which failed (1 / 2).  xmlsec1 is
 * pointed at the root's own Signature (by default it would take the first
 * in document order: an embedded KRR's). */
static int cli_check(const char *xml, const char *trusted_pem)
{
	char path[] = "/tmp/mcsec-krr-test.XXXXXX";
	char cmd[512];
	int fd = mkstemp(path), r = 0;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
	close(fd);
	snprintf(cmd, sizeof(cmd),
			"xmllint --noout --schema " XSD " %s >/dev/null 2>&1", path);
	if(system(cmd) != 0)
		r = 1;
	snprintf(cmd, sizeof(cmd),
			"xmlsec1 --verify --trusted-pem %s --id-attr:Id "
			"urn:3gpp:ns:mcsecKMSKRR:1.0:KmsRedirectResponse "
			"--node-xpath \"/*/*[local-name()='Signature']\" %s "
			">/dev/null 2>&1",
			trusted_pem, path);
	if(!r && system(cmd) != 0)
		r = 2;
	unlink(path);
	return r;
}

static char *write_krr(const mcsec_krr_t *k, const mcsec_krr_signer_t *s)
{
	char *xml;
	size_t len;
	assert_int_equal(mcsec_krr_write(k, s, &xml, &len), MCSEC_OK);
	assert_int_equal(strlen(xml), len);
	return xml;
}

static mcsec_krr_t *parse(const char *xml)
{
	mcsec_krr_t *k = NULL;
	assert_int_equal(mcsec_krr_parse(xml, strlen(xml), &k), MCSEC_OK);
	return k;
}

static int sig_of(const char *xml, const mcsec_krr_trust_t *t)
{
	mcsec_krr_t *k = NULL;
	int sig = 0, rc = mcsec_krr_parse(xml, strlen(xml), &k);
	if(rc != MCSEC_OK)
		return rc;
	assert_int_equal(mcsec_krr_verify(t, k, &sig), MCSEC_OK);
	mcsec_krr_free(k);
	return sig;
}

static void list_is(const mcsec_krr_list_t *l, const char *want)
{
	char buf[1024] = "";
	if(l->any)
		strcpy(buf, "ANY");
	for(size_t i = 0; i < l->n; i++) {
		if(i)
			strcat(buf, ",");
		strcat(buf, l->uris[i]);
	}
	assert_string_equal(buf, want);
}

/* A signed KRR must pass xmllint, xmlsec1 and our own verification, and
 * parse back to the same content. */
static mcsec_krr_t *roundtrip(const mcsec_krr_t *k)
{
	char *xml = write_krr(k, signer);
	mcsec_krr_t *b;
	assert_int_equal(cli_check(xml, V "signer-cert.pem"), 0);
	assert_int_equal(sig_of(xml, trust), MCSEC_KRR_SIG_VALID);
	b = parse(xml);
	assert_string_equal(b->id, k->id);
	assert_string_equal(b->time, k->time);
	assert_string_equal(b->creator, k->creator);
	assert_string_equal(b->initiator, k->initiator);
	assert_string_equal(b->initiator_kms, k->initiator_kms);
	assert_string_equal(b->receiver, k->receiver);
	assert_string_equal(b->receiver_kms, k->receiver_kms);
	assert_int_equal(b->levels, k->levels);
	assert_true(b->has_signature);
	free(xml);
	return b;
}

#define POLICY                    \
	"home kms.home.example\n"     \
	"migration kms.mig.example\n" \
	"external kms.ext.example\n"  \
	"local *@home.example\n"      \
	"default receiver @home @migration @external\n"

static mcsec_krr_ids_t ids_of(
		const char *ini, const char *ikms, const char *rcv, const char *rkms)
{
	mcsec_krr_ids_t ids;
	ids.initiator = (char *)ini;
	ids.initiator_kms = (char *)ikms;
	ids.receiver = (char *)rcv;
	ids.receiver_kms = (char *)rkms;
	return ids;
}

/* ---- creation (5.2.8.2.3) ---- */

static void test_create_case_a(void **state)
{
	mcsec_kms_policy_t *p = pol(POLICY);
	mcsec_krr_ids_t ok = ids_of("sip:a@home.example", "kms.mig.example",
			"sip:b@far.example", "kms.anything");
	mcsec_krr_ids_t bad = ids_of("sip:a@home.example", "kms.rogue.example",
			"sip:b@far.example", "kms.anything");
	mcsec_krr_t *k = (void *)1, *b;
	char c = 'x';
	(void)state;
	/* acceptable IDRkmsi; the receiver KMS is not examined in case A */
	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_CS_INBOUND, &ok,
							 "sip:cs@home.example", NOW, &k, &c),
			MCSEC_OK);
	assert_null(k);
	assert_int_equal(c, 0);
	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_CS_INBOUND, &bad,
							 "sip:cs@home.example", NOW, &k, &c),
			MCSEC_OK);
	assert_non_null(k);
	assert_int_equal(c, 'A');
	list_is(&k->init_list, "kms.home.example,kms.mig.example");
	list_is(&k->recv_list, "ANY");
	assert_string_equal(k->time, "2027-01-15T08:00:00Z");
	assert_string_equal(k->creator, "sip:cs@home.example");
	assert_string_equal(k->initiator_kms, "kms.rogue.example");
	assert_int_equal(strlen(k->id), 16);
	b = roundtrip(k);
	list_is(&b->init_list, "kms.home.example,kms.mig.example");
	list_is(&b->recv_list, "ANY");
	mcsec_krr_free(b);
	mcsec_krr_free(k);
	mcsec_kms_policy_free(p);
}

static void test_create_cases_b_c(void **state)
{
	mcsec_kms_policy_t *p = pol(POLICY);
	mcsec_krr_t *k, *b;
	char c;
	/* B: initiator of this domain with an unacceptable IDRkmsi */
	mcsec_krr_ids_t ib = ids_of("sip:a@home.example", "kms.rogue.example",
			"sip:b@far.example", "kms.far.example");
	/* not of this domain: the IS proxy leaves it alone */
	mcsec_krr_ids_t foreign = ids_of("sip:a@far.example", "kms.rogue.example",
			"sip:b@other.example", "kms.rogue.example");
	/* C: receiver of this domain with an unacceptable IDRkmsr */
	mcsec_krr_ids_t ic = ids_of("sip:a@far.example", "kms.far.example",
			"sip:b@home.example", "kms.rogue.example");
	mcsec_krr_ids_t both = ids_of("sip:a@home.example", "kms.rogue.example",
			"sip:b@home.example", "kms.rogue2.example");
	(void)state;
	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_IS, &ib,
							 "sip:is@home.example", NOW, &k, &c),
			MCSEC_OK);
	assert_int_equal(c, 'B');
	list_is(&k->init_list, "kms.home.example,kms.mig.example");
	list_is(&k->recv_list, "ANY");
	b = roundtrip(k);
	mcsec_krr_free(b);
	mcsec_krr_free(k);

	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_IS, &foreign,
							 "sip:is@home.example", NOW, &k, &c),
			MCSEC_OK);
	assert_null(k);

	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_IS, &ic,
							 "sip:is@home.example", NOW, &k, &c),
			MCSEC_OK);
	assert_int_equal(c, 'C');
	list_is(&k->init_list, "ANY");
	list_is(&k->recv_list, "kms.home.example,kms.mig.example,kms.ext.example");
	b = roundtrip(k);
	mcsec_krr_free(b);
	mcsec_krr_free(k);

	/* both B and C apply: both lists restricted */
	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_IS, &both,
							 "sip:is@home.example", NOW, &k, &c),
			MCSEC_OK);
	assert_int_equal(c, 'B');
	list_is(&k->init_list, "kms.home.example,kms.mig.example");
	list_is(&k->recv_list, "kms.home.example,kms.mig.example,kms.ext.example");
	mcsec_krr_free(k);
	mcsec_kms_policy_free(p);
}

static void test_create_case_d(void **state)
{
	mcsec_kms_policy_t *p =
			pol(POLICY "user sip:strict@home.example receiver @home\n");
	mcsec_krr_ids_t ok = ids_of("sip:a@far.example", "kms.rogue.example",
			"sip:b@home.example", "kms.ext.example");
	mcsec_krr_ids_t bad = ids_of("sip:a@far.example", "kms.far.example",
			"sip:strict@home.example", "kms.mig.example");
	mcsec_krr_t *k, *b;
	char c;
	(void)state;
	/* the initiator KMS is not examined in case D */
	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_CS_OUTBOUND, &ok,
							 "sip:cs@home.example", NOW, &k, &c),
			MCSEC_OK);
	assert_null(k);
	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_CS_OUTBOUND, &bad,
							 "sip:cs@home.example", NOW, &k, &c),
			MCSEC_OK);
	assert_int_equal(c, 'D');
	list_is(&k->init_list, "ANY");
	list_is(&k->recv_list, "kms.home.example");
	b = roundtrip(k);
	mcsec_krr_free(b);
	mcsec_krr_free(k);
	/* bad arguments */
	assert_int_equal(
			mcsec_krr_create(p, 9, &bad, "c", NOW, &k, &c), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_CS_OUTBOUND, &bad, NULL,
							 NOW, &k, &c),
			MCSEC_ERR_ARG);
	assert_int_equal(mcsec_krr_create(p, MCSEC_KRR_ROLE_CS_OUTBOUND, &bad,
							 "bad\ncreator", NOW, &k, &c),
			MCSEC_ERR_ARG);
	mcsec_kms_policy_free(p);
}

static void test_ids_from_mikey(void **state)
{
	mcsec_mikey_msg_t *m;
	mcsec_krr_ids_t ids;
	size_t len;
	char *b;
	(void)state;
	b = read_file("tests/vectors/mikey/pck-sdp.txt", &len);
	assert_int_equal(
			mcsec_mikey_parse_any((uint8_t *)b, len, &m, NULL), MCSEC_OK);
	free(b);
	assert_int_equal(mcsec_krr_ids_from_mikey(m, NULL, NULL, &ids), MCSEC_OK);
	assert_string_equal(ids.initiator, "sip:alice@example.org");
	assert_string_equal(ids.initiator_kms, "kms.example.org");
	assert_string_equal(ids.receiver, "sip:mcptt-server@example.org");
	assert_string_equal(ids.receiver_kms, "kms.example.org");
	mcsec_krr_ids_clear(&ids);
	mcsec_mikey_msg_free(m);
	/* hidden identities (E.7): the caller must name the users */
	b = read_file("tests/vectors/mikey/csk-upload-hidden.b64", &len);
	assert_int_equal(
			mcsec_mikey_parse_any((uint8_t *)b, len, &m, NULL), MCSEC_OK);
	free(b);
	assert_int_equal(mcsec_krr_ids_from_mikey(m, NULL, NULL, &ids),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(
			mcsec_krr_ids_from_mikey(m, "sip:alice@example.org", NULL, &ids),
			MCSEC_ERR_UNSUPPORTED);
	assert_int_equal(mcsec_krr_ids_from_mikey(m, "sip:alice@example.org",
							 "sip:mcptt-server@example.org", &ids),
			MCSEC_OK);
	assert_string_equal(ids.initiator, "sip:alice@example.org");
	assert_string_equal(ids.receiver_kms, "kms.example.org");
	mcsec_krr_ids_clear(&ids);
	assert_int_equal(mcsec_krr_ids_from_mikey(m, "bad\x01uri", "x", &ids),
			MCSEC_ERR_ARG);
	mcsec_mikey_msg_free(m);
}

/* ---- re-generation (5.2.8.2.4) ---- */

/* A KRR made by another proxy (signed with the other key). */
static mcsec_krr_t *received_krr(const char *ilist, const char *rlist)
{
	char xml[4096];
	mcsec_krr_t *k, *rx;
	char *out;
	snprintf(xml, sizeof(xml),
			"<KmsRedirectResponse xmlns=\"urn:3gpp:ns:mcsecKMSKRR:1.0\" "
			"Version=\"1.0.0\" Id=\"rx1\"><Time>2027-01-15T07:59:00Z</Time>"
			"<KRRCreatorUri>sip:far-proxy@far.example</KRRCreatorUri>"
			"<InitiatorUri>sip:a@home.example</InitiatorUri>"
			"<InitiatorKmsUri>kms.home.example</InitiatorKmsUri>"
			"<ReceiverUri>sip:b@home.example</ReceiverUri>"
			"<ReceiverKmsUri>kms.far.example</ReceiverKmsUri>"
			"<InitiatorKmsList>%s</InitiatorKmsList>"
			"<ReceiverKmsList>%s</ReceiverKmsList></KmsRedirectResponse>",
			ilist, rlist);
	k = parse(xml);
	/* re-sign with the other proxy's key, as a real received one */
	out = write_krr(k, other);
	mcsec_krr_free(k);
	rx = parse(out);
	free(out);
	assert_int_equal(mcsec_krr_verify(trust_other, rx, &(int){0}), MCSEC_OK);
	return rx;
}

#define L3                                                             \
	"<KmsUri>kms.far.example</KmsUri><KmsUri>kms.mig.example</KmsUri>" \
	"<KmsUri>kms.home.example</KmsUri>"

static mcsec_krr_t *regen(const mcsec_kms_policy_t *p, int role,
		const mcsec_krr_t *rx, int want_action, char want_case)
{
	mcsec_krr_t *k = (void *)1;
	int action = -1;
	char c = 'x';
	assert_int_equal(mcsec_krr_regenerate(p, role, rx, "sip:me@home.example",
							 NOW, &k, &action, &c),
			MCSEC_OK);
	assert_int_equal(action, want_action);
	if(want_action != MCSEC_KRR_FORWARD)
		assert_int_equal(c, want_case);
	if(want_action != MCSEC_KRR_REPLACE)
		assert_null(k);
	return k;
}

/* The new KRR embeds the received one unchanged: its signature still
 * verifies inside the new document with the other proxy's certificate. */
static void check_embedded(const mcsec_krr_t *k, const mcsec_krr_t *rx)
{
	mcsec_krr_t *b = roundtrip(k);
	int sig = 0;
	assert_non_null(b->received);
	assert_string_equal(b->received->id, rx->id);
	assert_string_equal(b->received->creator, rx->creator);
	assert_int_equal(b->levels, rx->levels + 1);
	assert_int_equal(
			mcsec_krr_verify(trust_other, b->received, &sig), MCSEC_OK);
	assert_int_equal(sig, MCSEC_KRR_SIG_VALID);
	/* and with the wrong anchor it is only "untrusted" */
	assert_int_equal(mcsec_krr_verify(trust, b->received, &sig), MCSEC_OK);
	assert_int_equal(sig, MCSEC_KRR_SIG_UNTRUSTED);
	mcsec_krr_free(b);
}

static void test_regen_cases(void **state)
{
	mcsec_kms_policy_t *p = pol("home kms.home.example\n"
								"migration kms.mig.example\n"
								"local *@home.example\n");
	mcsec_kms_policy_t *anyp = pol("home kms.home.example\n"
								   "default both ANY\nlocal *@home.example\n");
	mcsec_krr_t *rx, *k;
	(void)state;
	rx = received_krr(L3, L3);
	/* A (inbound CS): receiver list reduced, initiator list unchanged */
	k = regen(p, MCSEC_KRR_ROLE_CS_INBOUND, rx, MCSEC_KRR_REPLACE, 'A');
	list_is(&k->init_list, "kms.far.example,kms.mig.example,kms.home.example");
	list_is(&k->recv_list, "kms.mig.example,kms.home.example");
	assert_string_equal(k->creator, "sip:me@home.example");
	assert_string_equal(k->initiator, "sip:a@home.example");
	assert_string_equal(k->receiver_kms, "kms.far.example");
	assert_string_not_equal(k->id, rx->id);
	check_embedded(k, rx);
	mcsec_krr_free(k);
	/* D (outbound CS): initiator list reduced */
	k = regen(p, MCSEC_KRR_ROLE_CS_OUTBOUND, rx, MCSEC_KRR_REPLACE, 'D');
	list_is(&k->init_list, "kms.mig.example,kms.home.example");
	list_is(&k->recv_list, "kms.far.example,kms.mig.example,kms.home.example");
	check_embedded(k, rx);
	mcsec_krr_free(k);
	/* a policy accepting ANY finds nothing to remove: forwarded */
	regen(anyp, MCSEC_KRR_ROLE_CS_INBOUND, rx, MCSEC_KRR_FORWARD, 0);
	regen(anyp, MCSEC_KRR_ROLE_IS, rx, MCSEC_KRR_FORWARD, 0);
	mcsec_krr_free(rx);

	/* B (IS, receiver of this domain): only the receiver list */
	rx = received_krr("<ANY/>", L3);
	k = regen(p, MCSEC_KRR_ROLE_IS, rx, MCSEC_KRR_REPLACE, 'B');
	list_is(&k->recv_list, "kms.mig.example,kms.home.example");
	list_is(&k->init_list, "kms.home.example,kms.mig.example");
	check_embedded(k, rx);
	mcsec_krr_free(k);
	mcsec_krr_free(rx);

	/* C (IS, initiator of this domain): initiator list reduced, an empty
	 * result is returned as an empty list */
	rx = received_krr("<KmsUri>kms.far.example</KmsUri>",
			"<KmsUri>kms.home.example</KmsUri>");
	k = regen(p, MCSEC_KRR_ROLE_IS, rx, MCSEC_KRR_REPLACE, 'C');
	list_is(&k->init_list, "");
	list_is(&k->recv_list, "kms.home.example");
	check_embedded(k, rx);
	mcsec_krr_free(k);
	/* all acceptable: forwarded unchanged */
	mcsec_krr_free(rx);
	rx = received_krr("<KmsUri>kms.home.example</KmsUri>", L3);
	regen(p, MCSEC_KRR_ROLE_CS_OUTBOUND, rx, MCSEC_KRR_FORWARD, 0);
	mcsec_krr_free(rx);
	/* IS proxy, neither user of this domain: forwarded */
	{
		mcsec_kms_policy_t *q = pol("home kms.home.example\n"
									"local *@elsewhere.example\n");
		rx = received_krr(L3, L3);
		regen(q, MCSEC_KRR_ROLE_IS, rx, MCSEC_KRR_FORWARD, 0);
		mcsec_krr_free(rx);
		mcsec_kms_policy_free(q);
	}
	mcsec_kms_policy_free(anyp);
	mcsec_kms_policy_free(p);
}

/* 5 levels are produced from 4 received; a 6th is not created. */
static void test_nesting_limit(void **state)
{
	const char *kms[] = {
			"kms.o1", "kms.o2", "kms.o3", "kms.o4", "kms.o5", "kms.o6"};
	char list[512] = "", ptxt[512];
	mcsec_krr_t *rx, *k;
	char *xml;
	(void)state;
	for(size_t i = 0; i < 6; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
				"<KmsUri>%s</KmsUri>", kms[i]);
	rx = received_krr("<ANY/>", list);
	/* step i accepts kms.o{i+1}..o6: each level removes one more */
	for(size_t i = 1; i <= 5; i++) {
		mcsec_kms_policy_t *p;
		size_t n = (size_t)snprintf(
				ptxt, sizeof(ptxt), "home kms.home.example\ndefault receiver");
		for(size_t j = i; j < 6; j++)
			n += (size_t)snprintf(ptxt + n, sizeof(ptxt) - n, " %s", kms[j]);
		snprintf(ptxt + n, sizeof(ptxt) - n, "\n");
		p = pol(ptxt);
		if(i < 5) {
			k = regen(p, MCSEC_KRR_ROLE_CS_INBOUND, rx, MCSEC_KRR_REPLACE, 'A');
			assert_int_equal(k->levels, i + 1);
			assert_int_equal(k->recv_list.n, 6 - i);
			xml = write_krr(k, signer);
			assert_int_equal(cli_check(xml, V "signer-cert.pem"), 0);
			mcsec_krr_free(k);
			mcsec_krr_free(rx);
			rx = parse(xml);
			free(xml);
			assert_int_equal(rx->levels, i + 1);
			/* every level still verifies */
			for(const mcsec_krr_t *c = rx; c; c = c->received) {
				int sig = 0;
				assert_int_equal(
						mcsec_krr_verify(
								c->received ? trust : trust_other, c, &sig),
						MCSEC_OK);
				assert_int_equal(sig, MCSEC_KRR_SIG_VALID);
			}
		} else {
			/* rx has 5 levels: a 6th is not created, forward unchanged */
			assert_int_equal(rx->levels, 5);
			regen(p, MCSEC_KRR_ROLE_CS_INBOUND, rx, MCSEC_KRR_TOO_DEEP, 'A');
		}
		mcsec_kms_policy_free(p);
	}
	mcsec_krr_free(rx);
}

/* ---- signatures: tampering, profile, wrapping, trust ---- */

static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *r;
	if(!at)
		fail_msg("'%s' not found", from);
	r = malloc(strlen(s) + strlen(to) + 1);
	memcpy(r, s, (size_t)(at - s));
	strcpy(r + (at - s), to);
	strcat(r, at + strlen(from));
	return r;
}

static char *signed_nested(void)
{
	mcsec_kms_policy_t *p = pol("home kms.home.example\n");
	mcsec_krr_t *rx = received_krr(L3, L3), *k;
	char *xml;
	k = regen(p, MCSEC_KRR_ROLE_CS_INBOUND, rx, MCSEC_KRR_REPLACE, 'A');
	xml = write_krr(k, signer);
	mcsec_krr_free(k);
	mcsec_krr_free(rx);
	mcsec_kms_policy_free(p);
	return xml;
}

static void test_tamper(void **state)
{
	/* each a change that keeps the document well-formed and schema-valid
	 * (when possible) but alters signed content or the signature */
	static const char *const edits[][2] = {
			{"<Time>2027", "<Time>2028"},
			{"<KRRCreatorUri>sip:me", "<KRRCreatorUri>sip:mf"},
			{"<InitiatorUri>sip:a", "<InitiatorUri>sip:c"},
			{"<InitiatorKmsUri>kms.home", "<InitiatorKmsUri>kms.hone"},
			{"<ReceiverUri>sip:b", "<ReceiverUri>sip:d"},
			{"<ReceiverKmsUri>kms.far", "<ReceiverKmsUri>kms.fax"},
			{"<KmsUri>kms.far.example</KmsUri><KmsUri>kms.mig", /* init */
					"<KmsUri>kms.fab.example</KmsUri><KmsUri>kms.mig"},
			{"<ReceiverKmsList><KmsUri>kms.home.example</KmsUri>",
					"<ReceiverKmsList><KmsUri>kms.rogue.example</KmsUri>"},
			{"<ReceiverKmsList><KmsUri>kms.home.example</KmsUri>",
					"<ReceiverKmsList><ANY/>"},
			{"<ReceiverKmsList><KmsUri>kms.home.example</KmsUri>",
					"<ReceiverKmsList><KmsUri>kms.home.example</KmsUri>"
					"<KmsUri>kms.rogue.example</KmsUri>"},
			{"<KRRCreatorUri>sip:far", "<KRRCreatorUri>sip:fur"}, /* embedded */
			{"<SignatureValue>", "<SignatureValue>AAAA"},
			{"<DigestValue>", "<DigestValue>AAAA"},
	};
	char *xml = signed_nested();
	(void)state;
	assert_int_equal(sig_of(xml, trust), MCSEC_KRR_SIG_VALID);
	assert_int_equal(cli_check(xml, V "signer-cert.pem"), 0);
	for(size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		char *t = replace(xml, edits[i][0], edits[i][1]);
		int s = sig_of(t, trust);
		if(s != MCSEC_KRR_SIG_INVALID)
			fail_msg("edit %zu: signature %s", i, mcsec_krr_sig_name(s));
		if(cli_check(t, V "signer-cert.pem") == 0)
			fail_msg("edit %zu: xmlsec1 accepted it", i);
		free(t);
	}
	/* the root Id changed (Reference no longer matches) */
	{
		mcsec_krr_t *k = parse(xml);
		char from[40], to[40];
		char *t;
		snprintf(from, sizeof(from), "Id=\"%s\"", k->id);
		snprintf(to, sizeof(to), "Id=\"x%s\"", k->id);
		t = replace(xml, from, to);
		assert_int_equal(sig_of(t, trust), MCSEC_KRR_SIG_INVALID);
		assert_int_not_equal(cli_check(t, V "signer-cert.pem"), 0);
		free(t);
		mcsec_krr_free(k);
	}
	free(xml);
}

static void test_profile_and_wrapping(void **state)
{
	char *xml = signed_nested(), *t;
	mcsec_krr_t *k = parse(xml);
	char from[64], to[64];
	static const char *const edits[][2] = {
			{"xmldsig-more#ecdsa-sha256", "xmldsig-more#rsa-sha256"},
			{"<DigestMethod "
			 "Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256",
					"<DigestMethod Algorithm=\"http://www.w3.org/2001/04/"
					"xmldsig-more#sha384"},
			{"<CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/"
			 "REC-xml-c14n-20010315",
					"<CanonicalizationMethod Algorithm=\"http://www.w3.org/"
					"2001/10/xml-exc-c14n#"},
			{"<Transform Algorithm=\"http://www.w3.org/2000/09/"
			 "xmldsig#enveloped-signature\"/>",
					"<Transform Algorithm=\"http://www.w3.org/2000/09/"
					"xmldsig#enveloped-signature\"/><Transform Algorithm="
					"\"http://www.w3.org/TR/1999/REC-xpath-19991116\"/>"},
			{"<X509Data>", "<KeyName>x</KeyName><X509Data>"},
	};
	(void)state;
	for(size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		t = replace(xml, edits[i][0], edits[i][1]);
		if(sig_of(t, trust) != MCSEC_KRR_SIG_INVALID)
			fail_msg("profile edit %zu accepted", i);
		free(t);
	}
	/* wrapping: a Reference to any element but the Signature's parent
	 * KRR (here the embedded KRR) is refused before any digest is made */
	snprintf(from, sizeof(from), "URI=\"#%s\"", k->id);
	snprintf(to, sizeof(to), "URI=\"#%s\"", k->received->id);
	t = replace(xml, from, to);
	assert_int_equal(sig_of(t, trust), MCSEC_KRR_SIG_INVALID);
	free(t);
	/* an empty or external URI */
	t = replace(xml, from, "URI=\"\"");
	assert_int_equal(sig_of(t, trust), MCSEC_KRR_SIG_INVALID);
	free(t);
	t = replace(xml, from, "URI=\"http://example.org/x\"");
	assert_int_equal(sig_of(t, trust), MCSEC_KRR_SIG_INVALID);
	free(t);
	/* the embedded KRR's Id reused elsewhere: duplicate Ids refused */
	snprintf(to, sizeof(to), "Id=\"%s\"", k->received->id);
	snprintf(from, sizeof(from), "Id=\"%s\"", k->id);
	t = replace(xml, from, to);
	assert_int_not_equal(
			mcsec_krr_parse(t, strlen(t), &(mcsec_krr_t *){0}), MCSEC_OK);
	free(t);
	mcsec_krr_free(k);
	free(xml);
}

static void test_trust_decisions(void **state)
{
	mcsec_kms_policy_t *rej = pol("home h\n");
	mcsec_kms_policy_t *acc = pol("home h\nkrr-unsigned accept\n"
								  "krr-untrusted accept\n");
	mcsec_krr_t *rx = received_krr("<ANY/>", "<ANY/>");
	char *unsig;
	int sig;
	(void)state;
	/* signed by the other proxy */
	assert_int_equal(mcsec_krr_verify(trust_other, rx, &sig), MCSEC_OK);
	assert_int_equal(sig, MCSEC_KRR_SIG_VALID);
	assert_int_equal(mcsec_krr_verify(trust, rx, &sig), MCSEC_OK);
	assert_int_equal(sig, MCSEC_KRR_SIG_UNTRUSTED);
	assert_int_equal(mcsec_krr_verify(NULL, rx, &sig), MCSEC_OK);
	assert_int_equal(sig, MCSEC_KRR_SIG_UNTRUSTED);
	assert_int_equal(mcsec_krr_received_ok(rej, MCSEC_KRR_SIG_UNTRUSTED), 0);
	assert_int_equal(mcsec_krr_received_ok(acc, MCSEC_KRR_SIG_UNTRUSTED), 1);
	assert_int_equal(mcsec_krr_received_ok(rej, MCSEC_KRR_SIG_VALID), 1);
	/* a bad signature is refused whatever the policy */
	assert_int_equal(mcsec_krr_received_ok(acc, MCSEC_KRR_SIG_INVALID), 0);
	/* unsigned */
	unsig = write_krr(rx, NULL);
	assert_null(strstr(unsig, "Signature"));
	assert_int_equal(sig_of(unsig, trust), MCSEC_KRR_SIG_ABSENT);
	assert_int_equal(mcsec_krr_received_ok(rej, MCSEC_KRR_SIG_ABSENT), 0);
	assert_int_equal(mcsec_krr_received_ok(acc, MCSEC_KRR_SIG_ABSENT), 1);
	free(unsig);
	mcsec_krr_free(rx);
	mcsec_kms_policy_free(rej);
	mcsec_kms_policy_free(acc);
}

static void test_signer_load(void **state)
{
	mcsec_krr_signer_t *s = (void *)1;
	mcsec_krr_trust_t *t;
	const char *missing = "/nonexistent.pem";
	(void)state;
	assert_int_equal(
			mcsec_krr_signer_load(V "p384-key.pem", V "p384-cert.pem", &s),
			MCSEC_ERR_INVALID_KEY);
	assert_null(s);
	assert_int_equal(
			mcsec_krr_signer_load(V "signer-key.pem", V "other-cert.pem", &s),
			MCSEC_ERR_INVALID_KEY);
	assert_int_equal(
			mcsec_krr_signer_load(V "signer-cert.pem", V "signer-cert.pem", &s),
			MCSEC_ERR_INVALID_KEY);
	assert_int_equal(mcsec_krr_signer_load(missing, V "signer-cert.pem", &s),
			MCSEC_ERR_IO);
	assert_int_equal(mcsec_krr_trust_load(&missing, 1, &t), MCSEC_ERR_IO);
}

/* ---- parser ---- */

static void test_d43_example(void **state)
{
	char *b = read_file(V "d43-example.xml", NULL);
	mcsec_krr_t *k = parse(b);
	int sig;
	(void)state;
	assert_string_equal(k->id, "0123456789abcdef");
	assert_string_equal(k->time, "2018-01-26T11:15:43");
	assert_string_equal(k->creator, "example:processor.2@example.org");
	assert_string_equal(k->initiator, "example:initiator@example.org");
	assert_string_equal(k->initiator_kms, "kms.init.example.org");
	assert_string_equal(k->receiver, "example:receiver@example.org");
	assert_string_equal(k->receiver_kms, "kms.reject.example.org");
	list_is(&k->init_list, "ANY");
	list_is(&k->recv_list, "kms.option1.example.org");
	assert_int_equal(k->levels, 2);
	assert_string_equal(k->received->id, "001122334455667788");
	assert_string_equal(
			k->received->creator, "example:processor.1@example.org");
	list_is(&k->received->recv_list,
			"kms.option1.example.org,kms.option2.example.org");
	assert_null(k->received->received);
	assert_int_equal(mcsec_krr_verify(trust, k, &sig), MCSEC_OK);
	assert_int_equal(sig, MCSEC_KRR_SIG_ABSENT);
	mcsec_krr_free(k);
	free(b);
}

#define HEAD                                                      \
	"<KmsRedirectResponse xmlns=\"urn:3gpp:ns:mcsecKMSKRR:1.0\" " \
	"Version=\"1.0.0\" Id=\"a\">"
#define F6                                                              \
	"<Time>2018-01-26T11:15:43Z</Time>"                                 \
	"<KRRCreatorUri>c</KRRCreatorUri><InitiatorUri>i</InitiatorUri>"    \
	"<InitiatorKmsUri>ik</InitiatorKmsUri><ReceiverUri>r</ReceiverUri>" \
	"<ReceiverKmsUri>rk</ReceiverKmsUri>"
#define LISTS "<InitiatorKmsList><ANY/></InitiatorKmsList><ReceiverKmsList/>"
#define TAIL "</KmsRedirectResponse>"

static void test_parse_rejects(void **state)
{
	static const struct
	{
		const char *xml;
		int rc;
	} cases[] = {
			{HEAD F6 LISTS TAIL, MCSEC_OK},
			/* extensions of another namespace are allowed */
			{HEAD F6 LISTS "<x:e xmlns:x=\"urn:x\"/>" TAIL, MCSEC_OK},
			{"<KmsRedirectResponse xmlns=\"urn:3gpp:ns:mcsecKMSKRR:2.0\">" F6
							LISTS TAIL,
					MCSEC_ERR_MALFORMED},
			{"<KmsRedirectResponse xmlns=\"urn:3gpp:ns:mcsecKMSKRR:1.0\" "
			 "Version=\"1.0.1\">" F6 LISTS TAIL,
					MCSEC_ERR_UNSUPPORTED},
			{"<KmsRedirectResponse xmlns=\"urn:3gpp:ns:mcsecKMSKRR:1.0\" "
			 "Foo=\"1\">" F6 LISTS TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD "<Time>2018-01-26</Time>" TAIL, MCSEC_ERR_MALFORMED},
			{HEAD F6 TAIL, MCSEC_ERR_MALFORMED},
			{HEAD F6 "<ReceiverKmsList/><InitiatorKmsList/>" TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD F6 LISTS "<ReceiverKmsList/>" TAIL, MCSEC_ERR_MALFORMED},
			{HEAD F6 "<InitiatorKmsList><ANY>x</ANY></InitiatorKmsList>"
					 "<ReceiverKmsList/>" TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD F6 "<InitiatorKmsList><ANY/><KmsUri>k</KmsUri>"
					 "</InitiatorKmsList><ReceiverKmsList/>" TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD F6 "<InitiatorKmsList><KmsUri><b/></KmsUri>"
					 "</InitiatorKmsList><ReceiverKmsList/>" TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD F6 LISTS "junk" TAIL, MCSEC_ERR_MALFORMED},
			{HEAD F6 LISTS "<Foo/>" TAIL, MCSEC_ERR_MALFORMED},
			{HEAD F6 LISTS "<Signature xmlns=\"http://www.w3.org/2000/09/"
						   "xmldsig#\"/><x:e xmlns:x=\"urn:x\"/>" TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD F6 LISTS "<Signature xmlns=\"http://www.w3.org/2000/09/"
						   "xmldsig#\"/><Signature xmlns=\"http://www.w3.org/"
						   "2000/09/xmldsig#\"/>" TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD "<Time>2018-13-26T11:15:43Z</Time>" TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD "<Time>2018-01-26T11:15:43+0100</Time>" TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD F6 LISTS "<ReceivedKmsRedirectResponse/>" TAIL,
					MCSEC_ERR_MALFORMED},
			{HEAD F6 LISTS "<ReceivedKmsRedirectResponse>" HEAD F6 LISTS TAIL
						   "</ReceivedKmsRedirectResponse>" TAIL,
					MCSEC_ERR_MALFORMED}, /* duplicate Id "a" */
			{"<!DOCTYPE x [<!ENTITY e \"x\">]>" HEAD F6 LISTS TAIL,
					MCSEC_ERR_UNSUPPORTED},
			{HEAD "<Time>2018-01-26T11:15:43Z</Time><KRRCreatorUri>c&#1;"
				  "</KRRCreatorUri>" TAIL,
					MCSEC_ERR_MALFORMED},
	};
	(void)state;
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mcsec_krr_t *k = NULL;
		int rc = mcsec_krr_parse(cases[i].xml, strlen(cases[i].xml), &k);
		if(rc != cases[i].rc)
			fail_msg("case %zu: %d, want %d", i, rc, cases[i].rc);
		mcsec_krr_free(k);
	}
}

/* Nesting: MCSEC_KRR_PARSE_MAX_LEVELS parse, one more does not. */
static void test_parse_depth(void **state)
{
	(void)state;
	for(int levels = MCSEC_KRR_PARSE_MAX_LEVELS;
			levels <= MCSEC_KRR_PARSE_MAX_LEVELS + 1; levels++) {
		char *x = malloc(16384);
		mcsec_krr_t *k = NULL;
		size_t n = 0;
		int rc;
		for(int i = 0; i < levels; i++) {
			n += (size_t)sprintf(x + n,
					"%s<KmsRedirectResponse xmlns=\"urn:3gpp:ns:mcsecKMSKRR:"
					"1.0\" Id=\"l%d\">" F6 LISTS,
					i ? "<ReceivedKmsRedirectResponse>" : "", i);
		}
		for(int i = 0; i < levels; i++)
			n += (size_t)sprintf(x + n, "%s%s", TAIL,
					i < levels - 1 ? "</ReceivedKmsRedirectResponse>" : "");
		rc = mcsec_krr_parse(x, n, &k);
		if(levels == MCSEC_KRR_PARSE_MAX_LEVELS) {
			assert_int_equal(rc, MCSEC_OK);
			assert_int_equal(k->levels, (size_t)levels);
		} else {
			assert_int_equal(rc, MCSEC_ERR_MALFORMED);
		}
		mcsec_krr_free(k);
		free(x);
	}
}

static int setup(void **state)
{
	const char *a = V "signer-cert.pem", *b = V "other-cert.pem";
	(void)state;
	if(mcsec_krr_signer_load(V "signer-key.pem", a, &signer) != MCSEC_OK
			|| mcsec_krr_signer_load(V "other-key.pem", b, &other) != MCSEC_OK
			|| mcsec_krr_trust_load(&a, 1, &trust) != MCSEC_OK
			|| mcsec_krr_trust_load(&b, 1, &trust_other) != MCSEC_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mcsec_krr_signer_free(signer);
	mcsec_krr_signer_free(other);
	mcsec_krr_trust_free(trust);
	mcsec_krr_trust_free(trust_other);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_create_case_a),
			cmocka_unit_test(test_create_cases_b_c),
			cmocka_unit_test(test_create_case_d),
			cmocka_unit_test(test_ids_from_mikey),
			cmocka_unit_test(test_regen_cases),
			cmocka_unit_test(test_nesting_limit),
			cmocka_unit_test(test_tamper),
			cmocka_unit_test(test_profile_and_wrapping),
			cmocka_unit_test(test_trust_decisions),
			cmocka_unit_test(test_signer_load),
			cmocka_unit_test(test_d43_example),
			cmocka_unit_test(test_parse_rejects),
			cmocka_unit_test(test_parse_depth),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
