/*
 * mcsec - CSK upload body handling (TS 33.180 5.4, 9.2.1.3, I.3.4).
 *
 * A client's REGISTER / PUBLISH / SUBSCRIBE carries in a multipart/mixed
 * body an application/mikey part (the CSK upload I_MESSAGE) and MC info
 * XML whose sensitive elements are encrypted with keys derived from that
 * CSK.  The proxy forwards the request without the MIKEY part and with the
 * XML decrypted.  This file holds the body side of that job:
 *
 *   mcsec_csk_body_split()   find the one application/mikey part (or a
 *                            single application/mikey body), decode it per
 *                            its Content-Transfer-Encoding, and rebuild the
 *                            body without it (one part left -> plain body
 *                            with that part's Content-Type);
 *   mcsec_csk_body_decrypt() decrypt the XML of the rest with the CSK
 *                            (F.1.4 keys for the MC service ID);
 *   mcsec_csk_status()       the SIP reply for a failure (status, reason).
 *
 * Everything returned is malloc'd; mcsec_csk_body_clear() releases it.
 */
#ifndef MCSEC_CSK_UPLOAD_H
#define MCSEC_CSK_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "xmlprot.h"

#define MCSEC_CSK_MAX_MIKEY 8192 /* octets of one encoded MIKEY part */
#define MCSEC_CSK_DIGEST_LEN 32	 /* SHA-256 of the raw I_MESSAGE */

typedef struct mcsec_csk_body
{
	uint8_t *mikey; /* the MIKEY part after Content-Transfer-Encoding
					   decoding: raw, base64 or "mikey <base64>" text as
					   the client sent it (mcsec_mikey_parse_any) */
	size_t mikey_len;
	char *rest; /* body without the MIKEY part, NUL-terminated; NULL
				   (and rest_len 0) when nothing is left */
	size_t rest_len;
	char *rest_ctype; /* Content-Type for rest (NULL when no rest) */
} mcsec_csk_body_t;

/* MCSEC_OK: out filled.  MCSEC_ERR_NOT_FOUND: the body has no
 * application/mikey part (nothing to do; out empty).  MCSEC_ERR_MALFORMED:
 * multipart that does not parse, more than one MIKEY part, a MIKEY part
 * that is empty, too big or whose Content-Transfer-Encoding is unknown or
 * does not decode.  ctype is the request's Content-Type value. */
int mcsec_csk_body_split(const char *body, size_t len, const char *ctype,
		size_t ctype_len, mcsec_csk_body_t *out);
void mcsec_csk_body_clear(mcsec_csk_body_t *b);

/* SHA-256 of the raw I_MESSAGE octets (refresh recognition). */
int mcsec_csk_digest(
		const uint8_t *raw, size_t len, uint8_t out[MCSEC_CSK_DIGEST_LEN]);

/* Decrypt the XML of rest (single body or multipart/mixed) with the CSK
 * as XPK (9.3.3: XPK = CSK, XPK-ID = CSK-ID) for MC service ID mc_id.
 * pol NULL = the built-in default policy.  Output as for
 * mcsec_xml_body_unprotect (a single part left becomes a plain body). */
int mcsec_csk_body_decrypt(const char *rest, size_t rest_len,
		const char *rest_ctype, const uint8_t csk[16], uint32_t csk_id,
		const char *mc_id, size_t mc_id_len, int raw_xpk,
		const mcsec_xml_policy_t *pol, char **out, size_t *out_len,
		char **out_ctype);

/* ---- MC service ID candidate for a hidden initiator (E.7) ----
 *
 * With identity hiding the I_MESSAGE carries only the initiator's UID
 * (IDRuidi); the proxy binds the CSK to an MC service ID only after
 * recomputing that ID's UID and finding it equal.  One source of the
 * candidate is the MC info body the request carries anyway: TS 24.379
 * (MCPTT), 24.281 (MCVideo) and 24.282 (MCData) have the client put its MC
 * service ID in <mcptt-request-uri> / <mcvideo-request-uri> /
 * <mcdata-request-uri> of the service-authorisation REGISTER / PUBLISH
 * (TS 33.180 5.1.3.2).  TS 33.180 9.3.2 lets the client encrypt that
 * element, but the F.1.4 keys that decrypt it are derived from the MC
 * service ID itself, so only an element sent in clear (type "Normal") can
 * be the candidate. */
#define MCSEC_CSK_MAX_MCX_ID 255 /* octets of a candidate MC service ID */

/* The candidate from the MC info XML of rest (a single body whose type is
 * rest_ctype, or the parts of a multipart/mixed rest): the element with
 * local name elem (any namespace) in every application/vnd.3gpp.
 * mcptt-info+xml, mcvideo-info+xml and mcdata-info+xml part; elem NULL =
 * the request URI element of each type (mcptt-request-uri in mcptt-info,
 * ...).  Its value is its text, or the text of its one child element
 * (<mcpttURI>), trimmed.
 * MCSEC_OK: *out = malloc'd, NUL-terminated value.
 * MCSEC_ERR_NOT_FOUND: no MC info body, or none has the element.
 * MCSEC_ERR_UNSUPPORTED: the element is encrypted (EncryptedData inside,
 * type="Encrypted", or an encrypted URI value 9.3.4.3), or an MC info part
 * has a Content-Transfer-Encoding other than 7bit/8bit/binary.
 * MCSEC_ERR_MALFORMED: an MC info body does not parse (hardened parser),
 * the element occurs twice in one body or with different values in two
 * bodies, holds other than text or one nested element, or its value is
 * empty, longer than MCSEC_CSK_MAX_MCX_ID or has control characters. */
int mcsec_csk_body_mcx_id(const char *rest, size_t rest_len,
		const char *rest_ctype, const char *elem, char **out);

/* SIP status for a failed upload (I.3.4; issue 5): 400 malformed /
 * unsupported, 403 bad signature, not for us, stale, replayed, revoked,
 * identity mismatch, wrong purpose, no key set, decapsulation failure,
 * expired, 488 KMS not acceptable, 500 anything else.  *reason: a static
 * reason phrase naming what failed (never key material). */
int mcsec_csk_status(int err, const char **reason);

#endif
