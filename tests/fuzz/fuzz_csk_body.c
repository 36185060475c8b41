/*
 * libFuzzer target: CSK upload body split (csk_upload.c) on untrusted SIP
 * bodies.  The first input octet picks the request's Content-Type (0:
 * multipart/mixed;boundary=b1, 1: application/mikey, 2: multipart/related,
 * else: an XML type); the rest is the body.  Invariants: a successful split
 * yields a non-empty MIKEY part no bigger than MCSEC_CSK_MAX_MIKEY, and a
 * multipart rest parses again with no application/mikey part left in it.
 * The MIKEY part then goes through mcsec_mikey_parse_any as the module does.
 * Seeds in tests/fuzz/corpus/csk_body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csk_upload.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "mime_multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *cts[] = {"multipart/mixed;boundary=b1",
			"application/mikey", "multipart/related;boundary=b1",
			"application/vnd.3gpp.mcptt-info+xml"};
	mcsec_csk_body_t b;
	mcsec_mime_t m;
	const char *ct;

	if(size < 1)
		return 0;
	ct = cts[data[0] < 3 ? data[0] : 3];
	int rc = mcsec_csk_body_split(
			(const char *)data + 1, size - 1, ct, strlen(ct), &b);
	if(rc != MCSEC_OK) {
		if(b.mikey || b.rest || b.rest_ctype)
			abort(); /* nothing returned on failure */
		return 0;
	}
	if(!b.mikey || b.mikey_len == 0 || b.mikey_len > MCSEC_CSK_MAX_MIKEY)
		abort();
	if(b.rest && !strncmp(b.rest_ctype, "multipart/mixed", 15)) {
		if(mcsec_mime_parse(
				   b.rest, b.rest_len, b.rest_ctype, strlen(b.rest_ctype), &m)
				!= MCSEC_OK)
			abort();
		for(size_t i = 0; i < m.nparts; i++)
			if(m.parts[i].ctype
					&& mcsec_mime_type_is(m.parts[i].ctype,
							m.parts[i].ctype_len, "application/mikey"))
				abort();
	}
	mcsec_mikey_msg_t *msg = NULL;
	if(mcsec_mikey_parse_any(b.mikey, b.mikey_len, &msg, NULL) == MCSEC_OK)
		mcsec_mikey_msg_free(msg);
	mcsec_csk_body_clear(&b);
	return 0;
}
