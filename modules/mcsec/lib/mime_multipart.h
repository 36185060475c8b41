/*
 * mcsec - strict multipart/mixed parser and writer (RFC 2046 5.1, RFC 2045)
 * for SIP message bodies.  No allocation when parsing: parts point into the
 * caller's buffer.  Anything ambiguous is rejected: a delimiter line with
 * trailing garbage, a missing close delimiter, duplicate Content-Type /
 * Content-ID / Content-Transfer-Encoding headers, NUL or bare CR/LF in a
 * header, more than MCSEC_MIME_MAX_PARTS parts, duplicate Content-IDs.
 */
#ifndef MCSEC_MIME_MULTIPART_H
#define MCSEC_MIME_MULTIPART_H

#include <stddef.h>

#define MCSEC_MIME_MAX_PARTS 16
#define MCSEC_MIME_MAX_BOUNDARY 70 /* RFC 2046 5.1.1 */
#define MCSEC_MIME_MAX_HDR 4096	   /* header block of one part */

typedef struct mcsec_mime_part
{
	const char *hdr; /* header lines, each with its CRLF; no blank line */
	size_t hdr_len;
	const char *body; /* the raw octets of the part */
	size_t body_len;
	const char *ctype; /* Content-Type value (trimmed) or NULL */
	size_t ctype_len;
	const char *cid; /* Content-ID without the angle brackets, or NULL */
	size_t cid_len;
	const char *cte; /* Content-Transfer-Encoding value or NULL */
	size_t cte_len;
} mcsec_mime_part_t;

typedef struct mcsec_mime
{
	char boundary[MCSEC_MIME_MAX_BOUNDARY + 1];
	size_t boundary_len;
	size_t nparts;
	mcsec_mime_part_t parts[MCSEC_MIME_MAX_PARTS];
} mcsec_mime_t;

/* Media type without parameters, trimmed; returns MCSEC_ERR_MALFORMED if the
 * value is not type "/" subtype. */
int mcsec_mime_media_type(
		const char *ctype, size_t len, const char **mt, size_t *mt_len);
/* 1 if the media type (case-insensitive) equals want. */
int mcsec_mime_type_is(const char *ctype, size_t len, const char *want);
/* 1 for application/xml, text/xml and any "+xml" subtype. */
int mcsec_mime_type_is_xml(const char *ctype, size_t len);
/* Boundary of a multipart/mixed Content-Type (RFC 2046 5.1.1 bchars,
 * quoted or token); MCSEC_ERR_UNSUPPORTED for another media type. */
int mcsec_mime_boundary(const char *ctype, size_t len,
		char out[MCSEC_MIME_MAX_BOUNDARY + 1], size_t *out_len);
/* Find one header (case-insensitive name) in a header block; unfolded value
 * is not produced: the value runs to the end of its (possibly folded)
 * lines, trimmed.  MCSEC_ERR_NOT_FOUND if absent. */
int mcsec_mime_header(const char *hdr, size_t hdr_len, const char *name,
		const char **val, size_t *val_len);

int mcsec_mime_parse(const char *body, size_t len, const char *ctype,
		size_t ctype_len, mcsec_mime_t *m);

/* One part to write: hdr (raw lines with CRLFs, may be empty), then
 * extra_hdr (raw lines with CRLFs, may be NULL), blank line, body. */
typedef struct mcsec_mime_out
{
	const char *hdr;
	size_t hdr_len;
	const char *extra_hdr;
	size_t extra_len;
	const char *body;
	size_t body_len;
} mcsec_mime_out_t;

/* Writes "--b CRLF part CRLF ... --b-- CRLF".  MCSEC_ERR_MALFORMED if a body
 * contains the delimiter (no part can smuggle another one in). */
int mcsec_mime_write(const char *boundary, size_t boundary_len,
		const mcsec_mime_out_t *parts, size_t nparts, char **out,
		size_t *out_len);

/* RFC 2045 6.1: a part's Content-Transfer-Encoding, blanks and case
 * ignored: MCSEC_MIME_CTE_IDENTITY (none, 7bit, 8bit, binary: the octets as
 * they are), MCSEC_MIME_CTE_BASE64 (6.8), or MCSEC_ERR_UNSUPPORTED
 * (quoted-printable, x-tokens). */
#define MCSEC_MIME_CTE_IDENTITY 0
#define MCSEC_MIME_CTE_BASE64 1
int mcsec_mime_part_cte(const mcsec_mime_part_t *p);
/* A malloc'd copy of s without CR and LF (base64 lines joined), NUL-
 * terminated; NULL when out of memory. */
char *mcsec_mime_unfold(const char *s, size_t n, size_t *out_n);
/* 1 if the n octets at p contain s (ASCII case-insensitive) */
int mcsec_mime_contains_ci(const char *p, size_t n, const char *s);

/* A fresh random boundary (OpenSSL RNG), NUL-terminated, 32 characters. */
int mcsec_mime_new_boundary(char out[MCSEC_MIME_MAX_BOUNDARY + 1]);

#endif
