/*
 * Key parameters general extension (TS 33.180 E.6 in an 8.5.4 protected
 * payload): octet layout checked against an independent decryption (HMAC
 * DPCK per F.1.5 and AES-128-GCM with the 16-octet IV and the 32-octet AD
 * done here with OpenSSL directly), every structural check, tampering of
 * header (AD) and ciphertext, accepted message types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mcsec_err.h"
#include "mikey.h"

static const uint8_t KEY[16] = {0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
		0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0};
static const uint8_t IV[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
		0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
#define DPPK 0x0abcdef0u
#define DT 1700000123u

static void sample(mcsec_mikey_keyparams_t *kp, char **groups, size_t *lens)
{
	memset(kp, 0, sizeof(*kp));
	kp->key_type = 0; /* GMK */
	kp->status = 3;
	kp->activation = 0x0102030405ull;
	kp->expiry = 0x0a0b0c0d0eull;
	kp->text = "Group A";
	kp->text_len = 7;
	kp->has_groups = 1;
	kp->ngroups = 2;
	groups[0] = "sip:ga@x";
	groups[1] = "g";
	lens[0] = 8;
	lens[1] = 1;
	kp->groups = groups;
	kp->group_lens = lens;
}

/* E.6.1 content octets of sample(), by hand */
static const uint8_t CONTENT[] = {0x00, 0, 0, 0, 3, 0x01, 0x02, 0x03, 0x04,
		0x05, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0, 7, 'G', 'r', 'o', 'u', 'p', ' ',
		'A', 0, 1 + 3 + 8 + 3 + 1, 2, 0x00, 0, 8, 's', 'i', 'p', ':', 'g', 'a',
		'@', 'x', 0x00, 0, 1, 'g'};

static void independent_dpck(uint8_t out[16])
{
	/* F.1.5: KDF(DPPK, FC 0x53, P0 = DPPK-ID, L0 = 0x0004), last 16 */
	uint8_t s[1 + 4 + 2] = {0x53, (uint8_t)(DPPK >> 24), (uint8_t)(DPPK >> 16),
			(uint8_t)(DPPK >> 8), (uint8_t)DPPK, 0x00, 0x04};
	uint8_t mac[32];
	unsigned ml = 0;
	assert_non_null(HMAC(EVP_sha256(), KEY, 16, s, sizeof(s), mac, &ml));
	assert_int_equal(ml, 32);
	memcpy(out, mac + 16, 16);
}

static void test_layout_and_independent_decrypt(void **state)
{
	mcsec_mikey_keyparams_t kp, back;
	char *g[2];
	size_t gl[2];
	uint8_t *b = NULL, dpck[16], pt[sizeof(CONTENT)];
	size_t n = 0;
	int l;
	EVP_CIPHER_CTX *c;
	(void)state;

	sample(&kp, g, gl);
	assert_int_equal(
			mcsec_mikey_kp_protect(&kp, KEY, DPPK, DT, IV, &b, &n), MCSEC_OK);
	assert_int_equal(n, 32 + 3 + sizeof(CONTENT) + 16);
	/* 8.5.4.1 header */
	assert_int_equal(b[0], 0x43);
	assert_memory_equal(b + 1, "\x00\x65\x53\xf1\x7b", 5); /* DT */
	assert_memory_equal(b + 6, "\x00\x00\x00\x00\x00", 5); /* ID, seq */
	assert_int_equal(b[11], 1);
	assert_memory_equal(b + 12, IV, 16);
	assert_memory_equal(b + 28, "\x0a\xbc\xde\xf0", 4);
	/* Payload TLV-E: IEI 0, length = content + tag */
	assert_int_equal(b[32], 0);
	assert_int_equal((b[33] << 8) | b[34], sizeof(CONTENT) + 16);

	independent_dpck(dpck);
	c = EVP_CIPHER_CTX_new();
	assert_non_null(c);
	assert_int_equal(
			EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL), 1);
	assert_int_equal(
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 16, NULL), 1);
	assert_int_equal(EVP_DecryptInit_ex(c, NULL, NULL, dpck, IV), 1);
	assert_int_equal(EVP_DecryptUpdate(c, NULL, &l, b, 32), 1);
	assert_int_equal(
			EVP_DecryptUpdate(c, pt, &l, b + 35, (int)sizeof(CONTENT)), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
							 b + 35 + sizeof(CONTENT)),
			1);
	assert_int_equal(EVP_DecryptFinal_ex(c, pt + l, &l), 1);
	EVP_CIPHER_CTX_free(c);
	assert_memory_equal(pt, CONTENT, sizeof(CONTENT));

	assert_int_equal(
			mcsec_mikey_kp_unprotect(b, n, KEY, &back, NULL), MCSEC_OK);
	assert_int_equal(back.key_type, 0);
	assert_int_equal(back.status, 3);
	assert_int_equal(back.activation, 0x0102030405ull);
	assert_int_equal(back.expiry, 0x0a0b0c0d0eull);
	assert_string_equal(back.text, "Group A");
	assert_int_equal(back.ngroups, 2);
	assert_string_equal(back.groups[0], "sip:ga@x");
	assert_string_equal(back.groups[1], "g");
	assert_int_equal(back.dppk_id, DPPK);
	assert_int_equal(back.date_time, DT);
	assert_int_equal(back.msg_type, 0x43);
	mcsec_mikey_keyparams_clear(&back);
	free(b);
}

/* Encrypt arbitrary content octets as a peer would (independent path). */
static size_t peer_blob(
		uint8_t msg_type, const uint8_t *content, size_t cl, uint8_t *out)
{
	uint8_t dpck[16];
	int l;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	memset(out, 0, 32);
	out[0] = msg_type;
	out[11] = 1;
	memcpy(out + 12, IV, 16);
	out[28] = (uint8_t)(DPPK >> 24);
	out[29] = (uint8_t)(DPPK >> 16);
	out[30] = (uint8_t)(DPPK >> 8);
	out[31] = (uint8_t)DPPK;
	out[32] = 0;
	out[33] = (uint8_t)((cl + 16) >> 8);
	out[34] = (uint8_t)(cl + 16);
	independent_dpck(dpck);
	assert_int_equal(
			EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL), 1);
	assert_int_equal(
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 16, NULL), 1);
	assert_int_equal(EVP_EncryptInit_ex(c, NULL, NULL, dpck, IV), 1);
	assert_int_equal(EVP_EncryptUpdate(c, NULL, &l, out, 32), 1);
	if(cl)
		assert_int_equal(
				EVP_EncryptUpdate(c, out + 35, &l, content, (int)cl), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, out + 35 + cl, &l), 1);
	assert_int_equal(
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + 35 + cl), 1);
	EVP_CIPHER_CTX_free(c);
	return 35 + cl + 16;
}

static void test_peer_variants(void **state)
{
	uint8_t b[512];
	mcsec_mikey_keyparams_t kp;
	mcsec_mikey_err_t e;
	size_t n;
	(void)state;

	/* another vendor's message type 0x40 */
	n = peer_blob(0x40, CONTENT, sizeof(CONTENT), b);
	assert_int_equal(mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e), MCSEC_OK);
	assert_int_equal(kp.msg_type, 0x40);
	mcsec_mikey_keyparams_clear(&kp);
	/* not protected */
	n = peer_blob(0x03, CONTENT, sizeof(CONTENT), b);
	assert_int_equal(mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e),
			MCSEC_ERR_UNSUPPORTED);
	/* a CSK without group IDs (E.6.3: only for GMK, MKFC, MuSiK) */
	{
		static const uint8_t csk[] = {
				2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
		n = peer_blob(0x43, csk, sizeof(csk), b);
		assert_int_equal(
				mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e), MCSEC_OK);
		assert_int_equal(kp.key_type, 2);
		assert_int_equal(kp.has_groups, 0);
		assert_int_equal(kp.text_len, 0);
		mcsec_mikey_keyparams_clear(&kp);
	}
	/* a CSK with the empty group IE (length 1, number 0) as some send */
	{
		static const uint8_t csk[] = {
				2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
		n = peer_blob(0x43, csk, sizeof(csk), b);
		assert_int_equal(
				mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e), MCSEC_OK);
		assert_int_equal(kp.has_groups, 1);
		assert_int_equal(kp.ngroups, 0);
		mcsec_mikey_keyparams_clear(&kp);
	}
	/* a Reserved TLV-E after the groups (E.6.6) */
	{
		uint8_t c[sizeof(CONTENT) + 5];
		memcpy(c, CONTENT, sizeof(CONTENT));
		memcpy(c + sizeof(CONTENT), "\x00\x00\x02\xaa\xbb", 5);
		n = peer_blob(0x43, c, sizeof(c), b);
		assert_int_equal(
				mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e), MCSEC_OK);
		assert_int_equal(kp.has_reserved, 1);
		assert_int_equal(kp.ngroups, 2);
		mcsec_mikey_keyparams_clear(&kp);
	}
	/* malformed contents */
	{
		uint8_t c[sizeof(CONTENT) + 1];
		memcpy(c, CONTENT, sizeof(CONTENT));
		c[sizeof(CONTENT)] = 0x99; /* trailing octet */
		n = peer_blob(0x43, c, sizeof(c), b);
		assert_int_equal(mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e),
				MCSEC_ERR_MALFORMED);
		memcpy(c, CONTENT, sizeof(CONTENT));
		c[16] = 200; /* text length overflows */
		n = peer_blob(0x43, c, sizeof(CONTENT), b);
		assert_int_equal(mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e),
				MCSEC_ERR_MALFORMED);
		memcpy(c, CONTENT, sizeof(CONTENT));
		c[26] = 3; /* three groups announced, two present */
		n = peer_blob(0x43, c, sizeof(CONTENT), b);
		assert_int_equal(mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e),
				MCSEC_ERR_MALFORMED);
		memcpy(c, CONTENT, sizeof(CONTENT));
		c[29] = 50; /* group ID length overflows */
		n = peer_blob(0x43, c, sizeof(CONTENT), b);
		assert_int_equal(mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e),
				MCSEC_ERR_MALFORMED);
		n = peer_blob(0x43, CONTENT, 10, b); /* fixed part truncated */
		assert_int_equal(mcsec_mikey_kp_unprotect(b, n, KEY, &kp, &e),
				MCSEC_ERR_MALFORMED);
	}
}

static void test_tamper_and_structure(void **state)
{
	mcsec_mikey_keyparams_t kp, back;
	char *g[2];
	size_t gl[2];
	uint8_t *b = NULL, wrong[16];
	size_t n = 0;
	mcsec_mikey_err_t e;
	(void)state;

	sample(&kp, g, gl);
	assert_int_equal(
			mcsec_mikey_kp_protect(&kp, KEY, DPPK, DT, IV, &b, &n), MCSEC_OK);
	/* any header octet is AD; any payload octet is authenticated */
	for(size_t i = 0; i < n; i++) {
		int rc;
		b[i] ^= 0x01;
		rc = mcsec_mikey_kp_unprotect(b, n, KEY, &back, &e);
		if(i != 32)
			assert_int_not_equal(rc, MCSEC_OK);
		if(i == 32) { /* the payload IEI is not in the AD and is ignored */
			assert_int_equal(rc, MCSEC_OK);
			mcsec_mikey_keyparams_clear(&back);
		} else if(i != 0 && i != 11 && i != 33 && i != 34)
			assert_int_equal(rc, MCSEC_ERR_DECAP_FAILED);
		b[i] ^= 0x01;
	}
	/* wrong key */
	memcpy(wrong, KEY, 16);
	wrong[15] ^= 1;
	assert_int_equal(mcsec_mikey_kp_unprotect(b, n, wrong, &back, &e),
			MCSEC_ERR_DECAP_FAILED);
	/* truncation anywhere */
	for(size_t l = 0; l < n; l++)
		assert_int_not_equal(
				mcsec_mikey_kp_unprotect(b, l, KEY, &back, &e), MCSEC_OK);
	/* header only view */
	assert_int_equal(mcsec_mikey_kp_header(b, n, &back, &e), MCSEC_OK);
	assert_int_equal(back.dppk_id, DPPK);
	assert_null(back.text);
	mcsec_mikey_keyparams_clear(&back);
	assert_int_equal(mcsec_mikey_kp_unprotect(b, n, KEY, &back, &e), MCSEC_OK);
	mcsec_mikey_keyparams_clear(&back);
	free(b);
	/* encoder bounds */
	kp.activation = 1ull << 40;
	assert_int_equal(mcsec_mikey_kp_protect(&kp, KEY, DPPK, DT, IV, &b, &n),
			MCSEC_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_layout_and_independent_decrypt),
			cmocka_unit_test(test_peer_variants),
			cmocka_unit_test(test_tamper_and_structure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
