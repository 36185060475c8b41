/*
 * mcsec - every MIKEY I_MESSAGE carried in a SIP message body, as a
 * signalling proxy must see them to apply KMS policy (TS 33.180 5.2.8.2.3,
 * I.3.8) without decrypting anything:
 *   - an application/mikey body or multipart/mixed part (CSK upload 9.2.1.3;
 *     GMK in group notifications and MESSAGEs 5.7.2, 7.3: "MIKEY payload"
 *     in the notification, carried as an application/mikey part);
 *   - "a=key-mgmt:mikey <base64>" lines (RFC 4567) of an application/sdp
 *     body or multipart/mixed part (PCK of private calls, 5.2.2, 7.2).
 * MIKEY parts honour Content-Transfer-Encoding (binary, 7bit, 8bit,
 * base64); their content may be raw, base64 or "mikey <base64>"
 * (mcsec_mikey_decode_input).  Other multipart types that contain MIKEY
 * cannot be taken apart safely and are refused (MCSEC_ERR_UNSUPPORTED).
 */
#ifndef MCSEC_MIKEY_BODY_H
#define MCSEC_MIKEY_BODY_H

#include <stddef.h>
#include <stdint.h>

#define MCSEC_MIKEY_BODY_MAX 8		  /* I_MESSAGEs per body */
#define MCSEC_MIKEY_BODY_MAX_ONE 8192 /* encoded octets of one */

enum mcsec_mikey_src
{
	MCSEC_MIKEY_SRC_PART = 1, /* application/mikey body or part */
	MCSEC_MIKEY_SRC_SDP = 2,  /* a=key-mgmt:mikey line */
};

typedef struct mcsec_mikey_item
{
	uint8_t *raw; /* the I_MESSAGE octets (malloc'd) */
	size_t len;
	int src;	 /* enum mcsec_mikey_src */
	size_t part; /* 0: the whole body, n: n-th multipart part */
	size_t line; /* SDP line number (MCSEC_MIKEY_SRC_SDP) */
} mcsec_mikey_item_t;

typedef struct mcsec_mikey_body
{
	size_t n;
	mcsec_mikey_item_t items[MCSEC_MIKEY_BODY_MAX];
} mcsec_mikey_body_t;

/* ctype: the message's Content-Type value.  MCSEC_OK with out->n >= 0
 * (0: no MIKEY in the body); MCSEC_ERR_MALFORMED / _UNSUPPORTED with
 * *what (if not NULL) a static description; MCSEC_ERR_INTERNAL.  On error
 * out is empty. */
int mcsec_mikey_body_scan(const char *body, size_t len, const char *ctype,
		size_t ctype_len, mcsec_mikey_body_t *out, const char **what);
void mcsec_mikey_body_clear(mcsec_mikey_body_t *b);

#endif
