/*
 * mcsec - SDP key management attributes (RFC 4567 3.1, TS 33.180 5.2.2):
 * find the "a=key-mgmt:<prtcl-id> <keymgmt-data>" lines of an SDP body
 * (session and media level).  MC clients carry the PCK of a private call
 * as "a=key-mgmt:mikey <base64 I_MESSAGE>" in the SDP offer.
 *
 * No allocation: the results point into the caller's buffer.  Anything
 * that a proxy must not forward unexamined is refused as malformed: a NUL,
 * a key-mgmt line without "SP keymgmt-data", data of the wanted protocol
 * that is not base64 (RFC 4566 5.13 base64 alphabet, '=' padding only at
 * the end), more than the caller's capacity of wanted lines.
 */
#ifndef MCSEC_SDP_KEYMGMT_H
#define MCSEC_SDP_KEYMGMT_H

#include <stddef.h>

#define MCSEC_SDP_KEYMGMT_MAX 8 /* wanted lines per SDP body we examine */

typedef struct mcsec_sdp_keymgmt
{
	const char *data; /* keymgmt-data (base64), not NUL-terminated */
	size_t data_len;
	size_t line; /* 1-based line number in the SDP */
	int media;	 /* 0: session level, n: inside the n-th m= section */
} mcsec_sdp_keymgmt_t;

/* Scan sdp (len octets; CRLF or LF line ends) for key-mgmt attributes
 * whose prtcl-id equals prtcl (ASCII case-insensitive, e.g. "mikey").
 * Fills out[0..*n-1] in document order.  MCSEC_OK (also when *n is 0),
 * MCSEC_ERR_MALFORMED (see above; *err_line = 1-based line at fault when
 * err_line is not NULL), MCSEC_ERR_ARG. */
int mcsec_sdp_keymgmt_find(const char *sdp, size_t len, const char *prtcl,
		mcsec_sdp_keymgmt_t *out, size_t cap, size_t *n, size_t *err_line);

#endif
