/*
 * libFuzzer target: SDP key-mgmt extraction (sdp_keymgmt.c, RFC 4567) and
 * the scan of a SIP body for MIKEY I_MESSAGEs (mikey_body.c) as
 * mcsec_check_kms() runs it on untrusted requests.  The first input octet
 * picks the Content-Type (0: application/sdp, 1: multipart/mixed;
 * boundary=b1, 2: application/mikey, 3: multipart/related;boundary=b1,
 * else: application/xml); the rest is the body.  Invariants: every
 * key-mgmt result lies inside the input, is non-empty base64 of a length
 * divisible by 4 and sits on a line starting "a=key-mgmt:"; scan results
 * are non-empty, bounded, and empty on failure.  Each I_MESSAGE then goes
 * through mcsec_mikey_parse as the module does.
 * Seeds in tests/fuzz/corpus/sdp_keymgmt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcsec_err.h"
#include "mikey.h"
#include "mikey_body.h"
#include "sdp_keymgmt.h"

static void check_rc(int rc)
{
	if(rc > 0 || rc < MCSEC_ERR_MIN)
		abort();
}

static void check_sdp(const char *s, size_t len)
{
	mcsec_sdp_keymgmt_t km[MCSEC_SDP_KEYMGMT_MAX];
	size_t n = 0, line = 0;
	int rc = mcsec_sdp_keymgmt_find(
			s, len, "mikey", km, MCSEC_SDP_KEYMGMT_MAX, &n, &line);

	check_rc(rc);
	if(rc != MCSEC_OK) {
		if(line == 0)
			abort(); /* a refusal names its line */
		return;
	}
	if(n > MCSEC_SDP_KEYMGMT_MAX)
		abort();
	for(size_t i = 0; i < n; i++) {
		const char *d = km[i].data;
		if(d < s || d + km[i].data_len > s + len || km[i].data_len == 0
				|| km[i].data_len % 4 != 0 || km[i].line == 0)
			abort();
		/* the attribute prefix precedes the protocol name and the data */
		if((size_t)(d - s) < sizeof("a=key-mgmt:mikey ") - 1)
			abort();
		const char *l = d - (sizeof("a=key-mgmt:mikey ") - 1);
		if(memcmp(l, "a=key-mgmt:", 11) != 0 || (l != s && l[-1] != '\n'))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *cts[] = {"application/sdp",
			"multipart/mixed;boundary=b1", "application/mikey",
			"multipart/related;boundary=b1", "application/xml"};
	mcsec_mikey_body_t b;
	const char *ct, *what = NULL;
	const char *body;
	size_t len;
	int rc;

	if(size < 1)
		return 0;
	ct = cts[data[0] < 4 ? data[0] : 4];
	body = (const char *)data + 1;
	len = size - 1;
	check_sdp(body, len);
	rc = mcsec_mikey_body_scan(body, len, ct, strlen(ct), &b, &what);
	check_rc(rc);
	if(rc != MCSEC_OK) {
		if(b.n != 0 || (rc != MCSEC_ERR_INTERNAL && !what))
			abort();
		return 0;
	}
	if(b.n > MCSEC_MIKEY_BODY_MAX)
		abort();
	for(size_t i = 0; i < b.n; i++) {
		mcsec_mikey_msg_t *m = NULL;
		if(!b.items[i].raw || b.items[i].len == 0
				|| b.items[i].len > MCSEC_MIKEY_BODY_MAX_ONE)
			abort();
		rc = mcsec_mikey_parse(b.items[i].raw, b.items[i].len, &m, NULL);
		check_rc(rc);
		if(rc == MCSEC_OK)
			mcsec_mikey_msg_free(m);
	}
	mcsec_mikey_body_clear(&b);
	return 0;
}
