/*
 * mcsec - KMS Redirect Responses (TS 33.180 5.2.8, D.4): document model,
 * creation by a signalling proxy (5.2.8.2.3 cases A-D), re-generation from
 * a received KRR (5.2.8.2.4 cases A-D, at most MCSEC_KRR_MAX_LEVELS
 * KmsRedirectResponse elements), XML writing, hardened parsing, and the
 * D.4.2 XML signature (ECDSA-SHA256, X509 KeyInfo, xmlsec1; krr_sign.c).
 *
 * Typical proxy use:
 *   mcsec_krr_ids_from_mikey(msg, NULL, NULL, &ids);
 *   mcsec_krr_create(policy, MCSEC_KRR_ROLE_CS_INBOUND, &ids, creator, now,
 *                    &krr, &kcase);         krr == NULL: acceptable
 *   mcsec_krr_write(krr, signer, &xml, &len);   488 body
 * and in the reply route:
 *   mcsec_krr_parse(body, len, &rx);
 *   mcsec_krr_verify(trust, rx, &sig);      then mcsec_krr_received_ok()
 *   mcsec_krr_regenerate(policy, role, rx, creator, now, &nk, &action, &kcase);
 */
#ifndef MCSEC_KRR_H
#define MCSEC_KRR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "kms_policy.h"
#include "mikey.h"

#define MCSEC_KRR_NS "urn:3gpp:ns:mcsecKMSKRR:1.0"
#define MCSEC_KRR_CONTENT_TYPE "application/vnd.3gpp.kmsredirectresponse+xml"
#define MCSEC_KRR_SIP_STATUS 488 /* D.4.1 Not Acceptable Here */
#define MCSEC_KRR_VERSION "1.0.0"
/* 5.2.8.2.4: "a maximum of 5 sub-KRRs": a KRR we create has at most 5
 * KmsRedirectResponse levels (itself and 4 embedded). */
#define MCSEC_KRR_MAX_LEVELS 5
/* Parser bound: deeper received KRRs are refused as malformed; those with
 * MCSEC_KRR_MAX_LEVELS or more levels are forwarded unchanged. */
#define MCSEC_KRR_PARSE_MAX_LEVELS 8
#define MCSEC_KRR_MAX_LIST 64  /* KmsUri entries per list */
#define MCSEC_KRR_MAX_URI 1024 /* octets per URI field */

/* Where the proxy sits (from the cfg call). */
enum mcsec_krr_role
{
	/* from an MC client: case A */
	MCSEC_KRR_ROLE_CS_INBOUND = MCSEC_KMS_ROLE_CS_INBOUND,
	/* interconnection: cases B and C */
	MCSEC_KRR_ROLE_IS = MCSEC_KMS_ROLE_IS,
	/* towards an MC client: case D */
	MCSEC_KRR_ROLE_CS_OUTBOUND = MCSEC_KMS_ROLE_CS_OUTBOUND,
};

/* A KMS URI list (5.2.8.2.1): any = 1 is "ANY"; otherwise n URIs in
 * preference order (n may be 0: nothing acceptable). */
typedef struct mcsec_krr_list
{
	int any;
	size_t n;
	char **uris;
} mcsec_krr_list_t;

/* One KmsRedirectResponse (D.4.4).  Strings are NUL-terminated copies.
 * A parsed KRR also keeps its XML tree (xml, an xmlDocPtr; for an embedded
 * one, node points at its element inside the top document's tree) so that
 * it can be embedded unchanged and its signature checked. */
typedef struct mcsec_krr
{
	char *id;
	char *time; /* xsd:dateTime as carried */
	char *creator, *initiator, *initiator_kms, *receiver, *receiver_kms;
	mcsec_krr_list_t init_list, recv_list;
	struct mcsec_krr *received; /* ReceivedKmsRedirectResponse or NULL */
	int has_signature;			/* a ds:Signature child */
	size_t levels; /* KmsRedirectResponse levels, this one included */
	void *xml;	   /* xmlDocPtr (top level only) */
	void *node;	   /* xmlNodePtr of this KmsRedirectResponse */
} mcsec_krr_t;

/* The four identities of a MIKEY I_MESSAGE (5.2.8.2.1). */
typedef struct mcsec_krr_ids
{
	char *initiator, *initiator_kms, *receiver, *receiver_kms;
} mcsec_krr_ids_t;

/* Copy IDRi, IDRkmsi, IDRr, IDRkmsr out of a parsed I_MESSAGE.  With
 * identity hiding (E.7) IDRi / IDRr hold UIDs, not URIs: the caller must
 * pass the URI it knows (e.g. from P-Asserted-Identity) as initiator /
 * receiver, else MCSEC_ERR_UNSUPPORTED.  Non-NULL overrides always win.
 * A missing IDRkmsi / IDRkmsr gives "" (unacceptable under any list but
 * ANY).  URIs must be printable ASCII (else MCSEC_ERR_MALFORMED). */
int mcsec_krr_ids_from_mikey(const mcsec_mikey_msg_t *m, const char *initiator,
		const char *receiver, mcsec_krr_ids_t *ids);
void mcsec_krr_ids_clear(mcsec_krr_ids_t *ids);

/* 5.2.8.2.3: decide whether the MIKEY message may pass.  *out = NULL when
 * it is acceptable; otherwise a new (unsigned, unwritten) KRR whose lists
 * are filled as the case says and *kcase (if not NULL) is 'A'..'D' (IS
 * proxy with both B and C applying: 'B', both lists restricted).  id is
 * random (16 hex digits), time is now (UTC). */
int mcsec_krr_create(const mcsec_kms_policy_t *p, int role,
		const mcsec_krr_ids_t *ids, const char *creator, time_t now,
		mcsec_krr_t **out, char *kcase);

enum mcsec_krr_action
{
	MCSEC_KRR_FORWARD = 0,	/* acceptable: forward the received KRR */
	MCSEC_KRR_REPLACE = 1,	/* *out replaces it */
	MCSEC_KRR_TOO_DEEP = 2, /* would need a new level beyond the limit:
								forwarded unchanged (count it) */
};

/* 5.2.8.2.4: process a received (parsed) KRR.  A list of ANY counts as
 * holding unacceptable URIs unless this policy's list is ANY too; it is
 * then reduced to this policy's list.  *out embeds rx's tree unchanged. */
int mcsec_krr_regenerate(const mcsec_kms_policy_t *p, int role,
		const mcsec_krr_t *rx, const char *creator, time_t now,
		mcsec_krr_t **out, int *action, char *kcase);

/* Parse a KRR document (hardened parser, D.4.4 structure enforced: order,
 * cardinality, Version 1.0.0, Id present and unique, dateTime syntax,
 * URI characters, ANY empty, at most one ds:Signature as last child,
 * no foreign elements; at most MCSEC_KRR_PARSE_MAX_LEVELS levels). */
int mcsec_krr_parse(const char *buf, size_t len, mcsec_krr_t **out);
void mcsec_krr_free(mcsec_krr_t *k);

/* Signing key + certificate (D.4.2) and trust anchors; krr_sign.c. */
typedef struct mcsec_krr_signer mcsec_krr_signer_t;
typedef struct mcsec_krr_trust mcsec_krr_trust_t;

/* PEM files: an EC P-256 private key and its X509 certificate. */
int mcsec_krr_signer_load(
		const char *key_pem, const char *cert_pem, mcsec_krr_signer_t **out);
void mcsec_krr_signer_free(mcsec_krr_signer_t *s);
/* PEM files of trusted certificates (CA or self-signed end entity). */
int mcsec_krr_trust_load(
		const char *const *pem_files, size_t n, mcsec_krr_trust_t **out);
void mcsec_krr_trust_free(mcsec_krr_trust_t *t);

/* Serialise k (built by create/regenerate), signed when signer != NULL:
 * enveloped signature as the last child of the root, Reference URI
 * "#Id", SHA-256, ECDSA-SHA256, C14N 1.0, X509 certificate KeyInfo. */
int mcsec_krr_write(const mcsec_krr_t *k, const mcsec_krr_signer_t *signer,
		char **xml, size_t *len);

enum mcsec_krr_sig
{
	MCSEC_KRR_SIG_VALID = 1,	 /* verified, certificate trusted */
	MCSEC_KRR_SIG_ABSENT = 2,	 /* no ds:Signature */
	MCSEC_KRR_SIG_UNTRUSTED = 3, /* verifies with its own certificate,
									which does not chain to an anchor */
	MCSEC_KRR_SIG_INVALID = 4,	 /* wrong value/digest or not the D.4.2
									profile: always refused */
};

/* Check the top-level signature of a parsed KRR: Reference URI exactly
 * "#" + root Id, transforms enveloped-signature (+ optional C14N 1.0),
 * C14N 1.0, ECDSA-SHA256, SHA-256, X509 KeyInfo.  trust may be NULL (then
 * a good signature is UNTRUSTED).  Returns MCSEC_OK with *sig set. */
int mcsec_krr_verify(
		const mcsec_krr_trust_t *t, const mcsec_krr_t *k, int *sig);
/* Policy decision for a received KRR: 1 accept, 0 reject. */
int mcsec_krr_received_ok(const mcsec_kms_policy_t *p, int sig);

const char *mcsec_krr_sig_name(int sig);

/* Idempotent per-process init of libxml2 (mcsec_xml_init) and xmlsec1 with
 * its OpenSSL backend; xmlsec1's own error printing is switched off.  The
 * loaders call it; call it once in the main process before forking or
 * starting threads (the guard is a plain flag). */
int mcsec_krr_init(void);

#endif
