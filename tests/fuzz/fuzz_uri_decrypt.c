/*
 * libFuzzer target: encrypted URI attribute values (TS 33.180 9.3.4.3).
 * Input: an attribute value.  Checks that parsing and decryption never
 * crash, and that encrypt -> decrypt gives the input back (first octet odd).
 * Keys: the vectors' XPK 000102..0f, XPK-ID 2000abcd, sip:alice@example.org.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlstring.h>

#include "mcsec_err.h"
#include "xmlprot.h"

static mcsec_xml_keys_t keys[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t xpk[16] = {
			0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	const char *mc = "sip:alice@example.org";
	(void)argc;
	(void)argv;
	if(mcsec_xml_keys_init(&keys[0], xpk, 16, 0x2000abcd, mc, strlen(mc), 0)
					!= MCSEC_OK
			|| mcsec_xml_keys_init(
					   &keys[1], xpk, 16, 0x20000001, mc, strlen(mc), 1)
					   != MCSEC_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *out = NULL;
	size_t ol = 0;
	uint32_t id;
	int rc;

	if(!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)mcsec_uri_is_encrypted(s, size);
	(void)mcsec_uri_key_id(s, size, &id);
	rc = mcsec_uri_decrypt(s, size, keys, 2, &out, &ol);
	if(rc == MCSEC_OK) {
		if(!out || strlen(out) != ol)
			abort();
		free(out);
		out = NULL;
	} else if(out)
		abort(); /* no output on failure */
	/* round trip for values a URI attribute can hold */
	if(size > 1 && (data[0] & 1) && size - 1 <= MCSEC_XML_MAX_URI) {
		uint8_t iv[MCSEC_XML_IV_LEN] = {0};
		char *enc = NULL;
		int ok = 1;
		for(size_t i = 1; i < size; i++)
			if(data[i] < 0x20 || data[i] == 0x7f)
				ok = 0;
		if(!xmlCheckUTF8((const xmlChar *)s + 1))
			ok = 0; /* decryption refuses what an attribute cannot hold */
		memcpy(iv, data, size < sizeof(iv) ? size : sizeof(iv));
		if(ok
				&& mcsec_uri_encrypt_iv(
						   s + 1, size - 1, &keys[size & 1], NULL, iv, &enc)
						   == MCSEC_OK) {
			if(!mcsec_uri_is_encrypted(enc, strlen(enc))
					|| mcsec_uri_decrypt(enc, strlen(enc), keys, 2, &out, &ol)
							   != MCSEC_OK
					|| ol != size - 1 || memcmp(out, s + 1, ol) != 0)
				abort();
			free(out);
			free(enc);
		}
	}
	free(s);
	return 0;
}
