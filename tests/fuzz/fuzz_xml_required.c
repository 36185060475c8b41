/*
 * libFuzzer target: the required-protection check of the module's
 * require_encryption (mcsec_xml_body_clear_items, TS 33.180 9.3.4): strict
 * multipart parsing and the policy walk over untrusted XML.  Input: the
 * Content-Type on the first line, then the body.  Properties: no crash; on
 * an input without any encrypted item, whatever mcsec_xml_body_protect
 * makes of it (built-in policy) has no covered item left in clear.
 * Keys: the vectors' XPK 000102..0f, XPK-ID 2000abcd, sip:alice@example.org.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcsec_err.h"
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
	char *ct, *body, *out = NULL, *oct = NULL;
	size_t cl, bl, ol = 0;
	unsigned n = 0, n2 = 0;
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

	rc = mcsec_xml_body_clear_items(body, bl, ct, pol, &n);
	if(rc != MCSEC_OK && n != 0)
		abort();
	if(strlen(ct) == cl && strlen(body) == bl && !strstr(body, "Encrypted")
			&& !strstr(body, "iv=") && !strstr(body, "signed+xml")
			&& mcsec_xml_body_protect(body, bl, ct, pol, &keys, &out, &ol, &oct)
					   == MCSEC_OK
			&& mcsec_xml_body_clear_items(out, ol, oct, pol, &n2) == MCSEC_OK
			&& n2 != 0)
		abort();
	free(out);
	free(oct);
	free(ct);
	free(body);
	return 0;
}
