/*
 * The key store: a test KMS (ECCSI/SAKKE KMS keys generated here) issues
 * key sets, which are written as KMS XML and loaded; every load check
 * (certificate present, UID, SSK/PVT vs KPAK, RSK vs Z, revoked, expired,
 * duplicates, all-or-nothing, TrK, required signature) fails on its own;
 * loaded material signs/verifies and encapsulates/decapsulates.
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

#include <openssl/crypto.h>

#include "eccsi.h"
#include "kdf.h"
#include "keystore.h"
#include "kms.h"
#include "mcsec_err.h"
#include "sakke.h"

#define KMS "kms.example.org"
#define PERIOD 2592000ULL
#define ALICE "sip:alice@example.org"
#define BOB "sip:bob@example.org"
/* inside key period 1514 (ValidFrom 1514 * PERIOD) */
#define T1514 (1514ULL * PERIOD + 1000)

static uint8_t ksak[32], kpak[65], z[128], Z[257];
static char errbuf[512];

static mcsec_kms_cert_t *make_cert(void)
{
	mcsec_kms_cert_t *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	strcpy(c->version, "1.1.0");
	c->role = MCSEC_KMS_ROLE_ROOT;
	c->kms_uri = strdup(KMS);
	c->user_id_format = 2;
	c->user_key_period = PERIOD;
	c->user_key_offset = 0;
	memcpy(c->pub_enc_key, Z, sizeof(Z));
	memcpy(c->pub_auth_key, kpak, sizeof(kpak));
	c->parameter_set = 1;
	return c;
}

static mcsec_kms_keyset_t *issue(const char *user, uint64_t pn)
{
	mcsec_kms_keyset_t *k = calloc(1, sizeof(*k));
	assert_non_null(k);
	strcpy(k->version, "1.1.0");
	k->kms_uri = strdup(KMS);
	k->user_uri = strdup(user);
	k->key_period_no = pn;
	k->valid_from = pn * PERIOD;
	k->valid_to = pn * PERIOD + PERIOD - 1;
	assert_int_equal(mcsec_uid(user, strlen(user), KMS, strlen(KMS), PERIOD, 0,
							 pn, k->user_id),
			MCSEC_OK);
	assert_int_equal(
			mcsec_sakke_kms_issue(z, k->user_id, 32, k->rsk), MCSEC_OK);
	assert_int_equal(
			mcsec_eccsi_kms_issue(ksak, kpak, k->user_id, 32, k->ssk, k->pvt),
			MCSEC_OK);
	return k;
}

static char *cert_doc(mcsec_kms_cert_t *c)
{
	char *x;
	size_t l;
	assert_int_equal(mcsec_kms_write_init(c, &x, &l), MCSEC_OK);
	mcsec_kms_cert_free(c);
	return x;
}

static char *keyset_doc(mcsec_kms_keyset_t *k)
{
	char *x;
	size_t l;
	assert_int_equal(mcsec_kms_write_keyprov(k, NULL, &x, &l), MCSEC_OK);
	mcsec_kms_keyset_free(k);
	return x;
}

/* pre-issued material shared by the tests */
static char *CERT, *ALICE_1514, *ALICE_1515, *BOB_1514;
static mcsec_kms_keyset_t *KALICE, *KBOB;

static int setup(void **state)
{
	(void)state;
	if(mcsec_eccsi_kms_generate(ksak, kpak) || mcsec_sakke_kms_generate(z, Z))
		return -1;
	CERT = cert_doc(make_cert());
	KALICE = issue(ALICE, 1514);
	KBOB = issue(BOB, 1514);
	ALICE_1514 = keyset_doc(issue(ALICE, 1514));
	ALICE_1515 = keyset_doc(issue(ALICE, 1515));
	BOB_1514 = keyset_doc(issue(BOB, 1514));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(CERT);
	free(ALICE_1514);
	free(ALICE_1515);
	free(BOB_1514);
	mcsec_kms_keyset_free(KALICE);
	mcsec_kms_keyset_free(KBOB);
	return 0;
}

static mcsec_keystore_t *fresh(void)
{
	mcsec_keystore_t *ks = mcsec_keystore_new();
	assert_non_null(ks);
	mcsec_keystore_set_time(ks, T1514);
	return ks;
}

static int load(mcsec_keystore_t *ks, const char *xml)
{
	errbuf[0] = '\0';
	return mcsec_keystore_load_xml(
			ks, xml, strlen(xml), errbuf, sizeof(errbuf));
}

static void expect_load_fail(
		mcsec_keystore_t *ks, const char *xml, int code, const char *what)
{
	size_t nc = mcsec_keystore_ncerts(ks), nk = mcsec_keystore_nkeysets(ks);
	int rc = load(ks, xml);
	if(rc != code)
		fail_msg("expected %d, got %d (%s)", code, rc, errbuf);
	if(what && !strstr(errbuf, what))
		fail_msg("error '%s' does not mention '%s'", errbuf, what);
	/* all or nothing */
	assert_int_equal(mcsec_keystore_ncerts(ks), nc);
	assert_int_equal(mcsec_keystore_nkeysets(ks), nk);
}

/* A modified copy of KALICE written as a document. */
static char *alice_variant(void (*mod)(mcsec_kms_keyset_t *))
{
	mcsec_kms_keyset_t *k = issue(ALICE, 1514);
	mod(k);
	return keyset_doc(k);
}

static void test_load_and_use(void **state)
{
	mcsec_keystore_t *ks = fresh();
	const mcsec_kms_cert_t *c;
	const mcsec_keystore_entry_t *e, *e2;
	uint8_t sig[MCSEC_ECCSI_SIG_LEN], ssv[16], ssv2[16],
			sed[MCSEC_SAKKE_SED_LEN];
	static const uint8_t msg[] = "MIKEY-SAKKE I_MESSAGE";

	(void)state;
	assert_int_equal(load(ks, CERT), MCSEC_OK);
	assert_int_equal(load(ks, ALICE_1514), MCSEC_OK);
	assert_int_equal(load(ks, ALICE_1515), MCSEC_OK);
	assert_int_equal(load(ks, BOB_1514), MCSEC_OK);
	assert_int_equal(mcsec_keystore_ncerts(ks), 1);
	assert_int_equal(mcsec_keystore_nkeysets(ks), 3);

	assert_int_equal(mcsec_keystore_find_cert(ks, KMS, strlen(KMS), T1514, &c),
			MCSEC_OK);
	assert_string_equal(c->kms_uri, KMS);
	assert_ptr_equal(mcsec_keystore_cert_at(ks, 0), c);
	assert_null(mcsec_keystore_cert_at(ks, 1));
	assert_int_equal(mcsec_keystore_find_cert(ks, "kms.other.org", 13, 0, &c),
			MCSEC_ERR_UNKNOWN_KMS);
	/* length-exact: a prefix of the URI is another URI */
	assert_int_equal(
			mcsec_keystore_find_cert(ks, KMS, 3, 0, &c), MCSEC_ERR_UNKNOWN_KMS);

	assert_int_equal(mcsec_keystore_find_keyset(ks, ALICE, strlen(ALICE), KMS,
							 strlen(KMS), 1515, &e),
			MCSEC_OK);
	assert_int_equal(e->ks->key_period_no, 1515);
	assert_int_equal(mcsec_keystore_find_keyset(ks, ALICE, strlen(ALICE), KMS,
							 strlen(KMS), 1514, &e),
			MCSEC_OK);
	assert_int_equal(
			mcsec_keystore_find_cert(ks, KMS, strlen(KMS), 0, &c), MCSEC_OK);
	assert_ptr_equal(e->cert, c);
	assert_non_null(e->sakke);
	assert_non_null(e->signer);
	assert_memory_equal(e->ks->user_id, KALICE->user_id, 32);
	assert_int_equal(mcsec_keystore_find_keyset(ks, ALICE, strlen(ALICE), KMS,
							 strlen(KMS), 1516, &e2),
			MCSEC_ERR_NO_KEYSET);
	assert_int_equal(mcsec_keystore_find_keyset(ks, "sip:carol@example.org", 21,
							 KMS, strlen(KMS), 1514, &e2),
			MCSEC_ERR_NO_KEYSET);
	assert_int_equal(mcsec_keystore_find_keyset(ks, ALICE, strlen(ALICE),
							 "kms.other.org", 13, 1514, &e2),
			MCSEC_ERR_NO_KEYSET);
	assert_int_equal(mcsec_keystore_find_keyset_by_uid(
							 ks, KBOB->user_id, KMS, strlen(KMS), &e2),
			MCSEC_OK);
	assert_string_equal(e2->ks->user_uri, BOB);
	assert_int_equal(mcsec_keystore_find_keyset_by_uid(
							 ks, KBOB->user_id, "kms.other.org", 13, &e2),
			MCSEC_ERR_NO_KEYSET);

	/* the loaded material works: ECCSI sign/verify, SAKKE encap/decap */
	assert_int_equal(
			mcsec_eccsi_sign(e->signer, msg, sizeof(msg), sig), MCSEC_OK);
	assert_int_equal(mcsec_eccsi_verify(c->pub_auth_key, e->ks->user_id, 32,
							 msg, sizeof(msg), sig),
			MCSEC_OK);
	for(int i = 0; i < 16; i++)
		ssv[i] = (uint8_t)(0x30 + i);
	assert_int_equal(
			mcsec_sakke_encap(c->pub_enc_key, e->ks->user_id, 32, ssv, sed),
			MCSEC_OK);
	assert_int_equal(
			mcsec_sakke_decap(e->sakke, sed, sizeof(sed), ssv2), MCSEC_OK);
	assert_memory_equal(ssv, ssv2, 16);
	mcsec_keystore_free(ks);
}

static void test_cert_validity_lookup(void **state)
{
	mcsec_kms_cert_t *c = make_cert();
	mcsec_keystore_t *ks = fresh();
	const mcsec_kms_cert_t *out;
	char *x;

	(void)state;
	c->valid_from = T1514 - 100;
	c->valid_to = T1514 + 100;
	x = cert_doc(c);
	assert_int_equal(load(ks, x), MCSEC_OK);
	assert_int_equal(
			mcsec_keystore_find_cert(ks, KMS, strlen(KMS), T1514, &out),
			MCSEC_OK);
	assert_int_equal(
			mcsec_keystore_find_cert(ks, KMS, strlen(KMS), 0, &out), MCSEC_OK);
	assert_int_equal(
			mcsec_keystore_find_cert(ks, KMS, strlen(KMS), T1514 - 101, &out),
			MCSEC_ERR_EXPIRED);
	assert_int_equal(
			mcsec_keystore_find_cert(ks, KMS, strlen(KMS), T1514 + 101, &out),
			MCSEC_ERR_EXPIRED);
	assert_null(out);
	mcsec_keystore_free(ks);
	free(x);
}

static void test_keyset_needs_cert(void **state)
{
	mcsec_keystore_t *ks = fresh();
	(void)state;
	expect_load_fail(ks, ALICE_1514, MCSEC_ERR_UNKNOWN_KMS, KMS);
	mcsec_keystore_free(ks);
}

static void mod_uid(mcsec_kms_keyset_t *k)
{
	k->user_id[31] ^= 1;
}
static void mod_uri(mcsec_kms_keyset_t *k)
{
	free(k->user_uri);
	k->user_uri = strdup("sip:mallory@example.org");
}
static void mod_period(mcsec_kms_keyset_t *k)
{
	k->key_period_no = 1515;
}
static void mod_ssk(mcsec_kms_keyset_t *k)
{
	k->ssk[31] ^= 1;
}
static void mod_ssk_pvt_of_bob(mcsec_kms_keyset_t *k)
{
	memcpy(k->ssk, KBOB->ssk, 32);
	memcpy(k->pvt, KBOB->pvt, 65);
}
static void mod_rsk_of_bob(mcsec_kms_keyset_t *k)
{
	memcpy(k->rsk, KBOB->rsk, 257);
}
static void mod_revoked(mcsec_kms_keyset_t *k)
{
	k->revoked = 1;
}
static void mod_expired(mcsec_kms_keyset_t *k)
{
	k->valid_to = T1514 - 1;
	k->valid_from = T1514 - 2;
}

static void test_keyset_checks(void **state)
{
	static const struct
	{
		void (*mod)(mcsec_kms_keyset_t *);
		int code;
		const char *what;
	} cases[] = {
			{mod_uid, MCSEC_ERR_IDENTITY_MISMATCH, "UserID"},
			{mod_uri, MCSEC_ERR_IDENTITY_MISMATCH, "UserID"},
			{mod_period, MCSEC_ERR_IDENTITY_MISMATCH, "UserID"},
			{mod_ssk, MCSEC_ERR_INVALID_KEY, "PubAuthKey"},
			{mod_ssk_pvt_of_bob, MCSEC_ERR_INVALID_KEY, "RFC 6507"},
			{mod_rsk_of_bob, MCSEC_ERR_INVALID_KEY, "RFC 6508"},
			{mod_revoked, MCSEC_ERR_REVOKED, "revoked"},
			{mod_expired, MCSEC_ERR_EXPIRED, "expired"},
	};
	mcsec_keystore_t *ks = fresh();

	(void)state;
	assert_int_equal(load(ks, CERT), MCSEC_OK);
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *x = alice_variant(cases[i].mod);
		expect_load_fail(ks, x, cases[i].code, cases[i].what);
		free(x);
	}
	/* the unmodified key set loads */
	assert_int_equal(load(ks, ALICE_1514), MCSEC_OK);
	mcsec_keystore_free(ks);
}

/* "now" is injectable: the same key set is fine before its ValidTo and
 * refused after it. */
static void test_time_injection(void **state)
{
	mcsec_keystore_t *ks = fresh();
	(void)state;
	assert_int_equal(load(ks, CERT), MCSEC_OK);
	mcsec_keystore_set_time(ks, 1515 * PERIOD); /* period 1514 is over */
	expect_load_fail(ks, ALICE_1514, MCSEC_ERR_EXPIRED, "ValidTo");
	/* a future key period loads */
	assert_int_equal(load(ks, ALICE_1515), MCSEC_OK);
	mcsec_keystore_set_time(ks, 1515 * PERIOD - 1);
	assert_int_equal(load(ks, ALICE_1514), MCSEC_OK);
	/* the real clock (2026+) is long past period 1514 (1990) */
	mcsec_keystore_free(ks);
	ks = mcsec_keystore_new();
	assert_int_equal(load(ks, CERT), MCSEC_OK);
	expect_load_fail(ks, ALICE_1514, MCSEC_ERR_EXPIRED, "expired");
	mcsec_keystore_free(ks);
}

static void test_cert_checks(void **state)
{
	mcsec_keystore_t *ks = fresh();
	mcsec_kms_cert_t *c;
	char *x;

	(void)state;
	c = make_cert();
	c->revoked = 1;
	x = cert_doc(c);
	expect_load_fail(ks, x, MCSEC_ERR_REVOKED, "revoked");
	free(x);
	c = make_cert();
	c->valid_from = T1514 - 10;
	c->valid_to = T1514 - 1;
	x = cert_doc(c);
	expect_load_fail(ks, x, MCSEC_ERR_EXPIRED, "expired");
	free(x);
	c = make_cert();
	c->pub_auth_key[64] ^= 1; /* off the curve */
	x = cert_doc(c);
	expect_load_fail(ks, x, MCSEC_ERR_INVALID_KEY, "P-256");
	free(x);
	c = make_cert();
	c->pub_enc_key[256] ^= 1; /* off the SAKKE curve */
	x = cert_doc(c);
	expect_load_fail(ks, x, MCSEC_ERR_INVALID_KEY, "SAKKE curve");
	free(x);
	/* identical again: skipped; different for the same KMS: refused */
	assert_int_equal(load(ks, CERT), MCSEC_OK);
	assert_int_equal(load(ks, CERT), MCSEC_OK);
	assert_int_equal(mcsec_keystore_ncerts(ks), 1);
	c = make_cert();
	c->user_key_period = 604800;
	x = cert_doc(c);
	expect_load_fail(ks, x, MCSEC_ERR_ARG, "already loaded");
	free(x);
	mcsec_keystore_free(ks);
}

static void test_duplicates(void **state)
{
	mcsec_keystore_t *ks = fresh();
	char *x;
	const mcsec_keystore_entry_t *e;
	uint8_t ssk[32];

	(void)state;
	assert_int_equal(load(ks, CERT), MCSEC_OK);
	assert_int_equal(load(ks, ALICE_1514), MCSEC_OK);
	memcpy(ssk, mcsec_keystore_entry_at(ks, 0)->ks->ssk, 32);
	assert_int_equal(load(ks, ALICE_1514), MCSEC_OK); /* identical: skipped */
	assert_int_equal(mcsec_keystore_nkeysets(ks), 1);
	x = alice_variant(mod_ssk);
	expect_load_fail(ks, x, MCSEC_ERR_ARG, "already loaded");
	free(x);
	/* the first stays */
	assert_int_equal(mcsec_keystore_find_keyset(ks, ALICE, strlen(ALICE), KMS,
							 strlen(KMS), 1514, &e),
			MCSEC_OK);
	assert_memory_equal(e->ks->ssk, ssk, 32);
	mcsec_keystore_free(ks);
}

/* ---- files and directories ---- */

static void write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, strlen(s), f), strlen(s));
	fclose(f);
}

static void rm_dir(const char *dir, const char *const *files, size_t n)
{
	char p[512];
	for(size_t i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void test_directory(void **state)
{
	char dir[] = "/tmp/mcsec-ks-XXXXXX", p[512];
	static const char *const files[] = {
			"a-alice.xml", "b-bob.xml", "c-cert.xml", "notes.txt", "z-bad.xml"};
	mcsec_keystore_t *ks = fresh();
	char *bad;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* key sets sort before the certificate: still loaded after it */
	snprintf(p, sizeof(p), "%s/a-alice.xml", dir);
	write_str(p, ALICE_1514);
	snprintf(p, sizeof(p), "%s/b-bob.xml", dir);
	write_str(p, BOB_1514);
	snprintf(p, sizeof(p), "%s/c-cert.xml", dir);
	write_str(p, CERT);
	snprintf(p, sizeof(p), "%s/notes.txt", dir);
	write_str(p, "not xml, not loaded");
	errbuf[0] = '\0';
	assert_int_equal(mcsec_keystore_load_path(ks, dir, errbuf, sizeof(errbuf)),
			MCSEC_OK);
	assert_int_equal(mcsec_keystore_ncerts(ks), 1);
	assert_int_equal(mcsec_keystore_nkeysets(ks), 2);
	mcsec_keystore_free(ks);

	/* one bad file: nothing of the directory is loaded, the file is named */
	bad = alice_variant(mod_rsk_of_bob);
	bad = realloc(bad, strlen(bad) + 1);
	{
		char *q = strstr(bad, "sip:alice@example.org");
		assert_non_null(q);
	}
	snprintf(p, sizeof(p), "%s/z-bad.xml", dir);
	{
		/* a key set for another period so it is not a duplicate */
		mcsec_kms_keyset_t *k = issue(ALICE, 1515);
		memcpy(k->rsk, KBOB->rsk, 257);
		free(bad);
		bad = keyset_doc(k);
	}
	write_str(p, bad);
	free(bad);
	ks = fresh();
	assert_int_equal(mcsec_keystore_load_path(ks, dir, errbuf, sizeof(errbuf)),
			MCSEC_ERR_INVALID_KEY);
	assert_non_null(strstr(errbuf, "z-bad.xml"));
	assert_int_equal(mcsec_keystore_ncerts(ks), 0);
	assert_int_equal(mcsec_keystore_nkeysets(ks), 0);
	/* single files */
	snprintf(p, sizeof(p), "%s/c-cert.xml", dir);
	assert_int_equal(
			mcsec_keystore_load_path(ks, p, errbuf, sizeof(errbuf)), MCSEC_OK);
	snprintf(p, sizeof(p), "%s/notes.txt", dir);
	assert_int_equal(mcsec_keystore_load_path(ks, p, errbuf, sizeof(errbuf)),
			MCSEC_ERR_MALFORMED);
	assert_non_null(strstr(errbuf, "notes.txt"));
	snprintf(p, sizeof(p), "%s/missing.xml", dir);
	assert_int_equal(mcsec_keystore_load_path(ks, p, errbuf, sizeof(errbuf)),
			MCSEC_ERR_IO);
	mcsec_keystore_free(ks);
	rm_dir(dir, files, sizeof(files) / sizeof(files[0]));

	/* an empty directory */
	assert_non_null(mkdtemp(strcpy(dir, "/tmp/mcsec-ks-XXXXXX")));
	ks = fresh();
	assert_int_equal(mcsec_keystore_load_path(ks, dir, errbuf, sizeof(errbuf)),
			MCSEC_ERR_NOT_FOUND);
	mcsec_keystore_free(ks);
	rmdir(dir);
}

/* Security extension through the key store: TrK and required InK. */
static void test_trk_ink(void **state)
{
	static const uint8_t trk_key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
			13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
			30, 31, 32};
	static const uint8_t ink_key[32] = {0x55};
	mcsec_kms_named_key_t trk = {"tk.1.alice", trk_key, 32};
	mcsec_kms_named_key_t ink = {"ink.1.alice", ink_key, 32};
	mcsec_kms_write_opts_t wo = {.trk = &trk, .ink = &ink};
	mcsec_kms_keyset_t *k = issue(ALICE, 1514);
	mcsec_keystore_t *ks;
	char *x;
	size_t l;

	(void)state;
	assert_int_equal(
			mcsec_kms_write_keyprov_ex((const mcsec_kms_keyset_t *const *)&k, 1,
					NULL, &wo, &x, &l),
			MCSEC_OK);
	mcsec_kms_keyset_free(k);

	ks = fresh();
	assert_int_equal(load(ks, CERT), MCSEC_OK);
	expect_load_fail(ks, x, MCSEC_ERR_NOT_FOUND, "tk.1.alice");
	assert_int_equal(
			mcsec_keystore_add_trk(ks, "tk.1.alice", trk_key, 32), MCSEC_OK);
	mcsec_keystore_set_require_signature(ks, 1);
	expect_load_fail(ks, x, MCSEC_ERR_BAD_SIGNATURE, "ink.1.alice");
	/* a wrong InK value fails, then the right one (same name) replaces it */
	assert_int_equal(
			mcsec_keystore_add_ink(ks, "ink.1.alice", trk_key, 32), MCSEC_OK);
	expect_load_fail(ks, x, MCSEC_ERR_BAD_SIGNATURE, "HMAC");
	assert_int_equal(
			mcsec_keystore_add_ink(ks, "ink.1.alice", ink_key, 32), MCSEC_OK);
	assert_int_equal(load(ks, x), MCSEC_OK);
	assert_int_equal(mcsec_keystore_nkeysets(ks), 1);
	/* the unsigned certificate document is now refused */
	{
		mcsec_keystore_t *ks2 = fresh();
		mcsec_keystore_set_require_signature(ks2, 1);
		expect_load_fail(ks2, CERT, MCSEC_ERR_BAD_SIGNATURE, "signature");
		mcsec_keystore_free(ks2);
	}
	assert_int_equal(
			mcsec_keystore_add_trk(ks, "", trk_key, 32), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_keystore_add_ink(NULL, "x", trk_key, 32), MCSEC_ERR_ARG);
	mcsec_keystore_free(ks);
	OPENSSL_cleanse(x, l);
	free(x);
}

static void test_args(void **state)
{
	mcsec_keystore_t *ks = fresh();
	const mcsec_kms_cert_t *c;
	const mcsec_keystore_entry_t *e;
	uint8_t uid[32] = {0};
	(void)state;
	assert_int_equal(
			mcsec_keystore_load_xml(NULL, "x", 1, NULL, 0), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_keystore_load_path(ks, NULL, NULL, 0), MCSEC_ERR_ARG);
	assert_int_equal(
			mcsec_keystore_find_cert(ks, KMS, 3, 0, NULL), MCSEC_ERR_ARG);
	assert_int_equal(mcsec_keystore_find_cert(ks, KMS, strlen(KMS), 0, &c),
			MCSEC_ERR_UNKNOWN_KMS);
	assert_int_equal(mcsec_keystore_find_keyset_by_uid(ks, uid, KMS, 3, &e),
			MCSEC_ERR_NO_KEYSET);
	assert_null(mcsec_keystore_entry_at(ks, 0));
	assert_int_equal(mcsec_keystore_ncerts(NULL), 0);
	mcsec_keystore_free(ks);
	mcsec_keystore_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_load_and_use),
			cmocka_unit_test(test_cert_validity_lookup),
			cmocka_unit_test(test_keyset_needs_cert),
			cmocka_unit_test(test_keyset_checks),
			cmocka_unit_test(test_time_injection),
			cmocka_unit_test(test_cert_checks),
			cmocka_unit_test(test_duplicates),
			cmocka_unit_test(test_directory),
			cmocka_unit_test(test_trk_ink),
			cmocka_unit_test(test_args),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
