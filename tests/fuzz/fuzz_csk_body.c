/*
 * libFuzzer target: CSK upload body split (csk_upload.c) on untrusted SIP
 * bodies.  The first input octet picks the request's Content-Type (0:
 * multipart/mixed;boundary=b1, 1: application/mikey, 2: multipart/related,
 * else: an XML type); the rest is the body.  Invariants: a successful split
 * yields a non-empty MIKEY part no bigger than MCSEC_CSK_MAX_MIKEY, and a
 * multipart rest parses again with no application/mikey part left in it.
 * The MIKEY part then goes through mcsec_mikey_parse_any as the module does.
 * The MC service ID candidate of a hidden initiator (mcsec_csk_body_mcx_id)
 * is taken from the rest, and from the whole input with its Content-Type:
 * on success a value of 1..MCSEC_CSK_MAX_MCX_ID octets without control
 * characters or surrounding blanks, on failure nothing.
 * Seeds in tests/fuzz/corpus/csk_body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csk_upload.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "mime_multipart.h"

static void check_mcx_id(const char *body, size_t len, const char *ct)
{
	static const char *elems[] = {NULL, "mcptt-client-id"};

	for(size_t e = 0; e < 2; e++) {
		char *v = (char *)1;
		int rc = mcsec_csk_body_mcx_id(body, len, ct, elems[e], &v);
		if(rc != MCSEC_OK) {
			if(v)
				abort(); /* nothing returned on failure */
			continue;
		}
		size_t n = v ? strlen(v) : 0;
		if(n == 0 || n > MCSEC_CSK_MAX_MCX_ID || v[0] == ' ' || v[n - 1] == ' ')
			abort();
		for(size_t i = 0; i < n; i++)
			if((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
				abort();
		free(v);
	}
}

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
	check_mcx_id((const char *)data + 1, size - 1, ct);
	int rc = mcsec_csk_body_split(
			(const char *)data + 1, size - 1, ct, strlen(ct), &b);
	if(rc != MCSEC_OK) {
		if(b.mikey || b.rest || b.rest_ctype)
			abort(); /* nothing returned on failure */
		return 0;
	}
	if(!b.mikey || b.mikey_len == 0 || b.mikey_len > MCSEC_CSK_MAX_MIKEY)
		abort();
	/* the media type, not a prefix: a lone part typed
	 * "multipart/mixedvnd..." is not multipart */
	if(b.rest
			&& mcsec_mime_type_is(
					b.rest_ctype, strlen(b.rest_ctype), "multipart/mixed")) {
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
	if(b.rest)
		check_mcx_id(b.rest, b.rest_len, b.rest_ctype);
	mcsec_mikey_msg_t *msg = NULL;
	if(mcsec_mikey_parse_any(b.mikey, b.mikey_len, &msg, NULL) == MCSEC_OK)
		mcsec_mikey_msg_free(msg);
	mcsec_csk_body_clear(&b);
	return 0;
}
