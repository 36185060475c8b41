/*
 * libFuzzer target: the receive path of a SIP message body (TS 33.180 9.3):
 * strict multipart parsing, xmldsig verification over cid: parts, xmlenc
 * decryption (mcsec_xml_body_unprotect).  Input: the Content-Type on the
 * first line, then the body.  Properties checked: no crash, no output on
 * failure, and whatever mcsec_xml_body_sign produces from the input
 * verifies and unprotects.
 * Keys: the vectors' XPK 000102..0f, XPK-ID 2000abcd, sip:alice@example.org.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcsec_err.h"
#include "mime_multipart.h"
#include "xmlprot.h"

static mcsec_xml_keys_t keys;
static mcsec_xml_policy_t *pol;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t xpk[16] = {
			0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	const char *mc = "sip:alice@example.org";
	(void)argc;
	(void)argv;
	mcsec_xml_init();
	if(mcsec_xml_keys_init(&keys, xpk, 16, 0x2000abcd, mc, strlen(mc), 0)
					!= MCSEC_OK
			|| mcsec_xml_policy_default(&pol) != MCSEC_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 300 ? size : 300);
	char *ct, *body, *out = NULL, *oct = NULL, *s = NULL, *sct = NULL;
	size_t cl, bl, ol = 0, sl = 0;
	mcsec_mime_t m;
	int rc;

	if(!nl)
		return 0;
	cl = (size_t)(nl - data);
	ct = malloc(cl + 1);
	bl = size - cl - 1;
	body = malloc(bl + 1);
	if(!ct || !body)
		abort();
	memcpy(ct, data, cl);
	ct[cl] = '\0';
	memcpy(body, nl + 1, bl);
	body[bl] = '\0';

	(void)mcsec_mime_parse(body, bl, ct, cl, &m);
	{
		uint32_t ids[8];
		size_t n = 0;
		if(mcsec_xml_body_key_ids(body, bl, ct, ids, 8, &n) == MCSEC_OK
				&& n > 8)
			abort();
	}
	rc = mcsec_xml_body_unprotect(body, bl, ct, pol, &keys, 1,
			(data[0] & 1) ? MCSEC_XML_SKIP_UNKNOWN_KEY : 0, &out, &ol, &oct);
	if(rc == MCSEC_OK) {
		if(!out || !oct)
			abort();
	} else if(out || oct)
		abort();
	free(out);
	free(oct);
	out = oct = NULL;

	if(strlen(ct) == cl
			&& mcsec_xml_body_sign(body, bl, ct, &keys, &s, &sl, &sct)
					   == MCSEC_OK) {
		/* unchanged when there was nothing to sign; else it must verify */
		int same = sl == bl && memcmp(s, body, bl) == 0;
		if(!same
				&& mcsec_xml_body_verify(s, sl, sct, &keys, 1, NULL)
						   != MCSEC_OK)
			abort();
		free(s);
		free(sct);
	}
	free(ct);
	free(body);
	return 0;
}
