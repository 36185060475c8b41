/*
 * mcsec - strict multipart/mixed parser and writer (RFC 2046 5.1.1,
 * RFC 2045 5.1 and 7, RFC 2392 for Content-ID).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "mcsec_err.h"
#include "mime_multipart.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 2045 5.1 token character */
static int is_token(unsigned char c)
{
	if(c <= 0x20 || c >= 0x7f)
		return 0;
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* RFC 2046 5.1.1 bchars (space allowed except last) */
static int is_bchar(unsigned char c)
{
	if((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
			|| (c >= 'A' && c <= 'Z'))
		return 1;
	return c != 0 && strchr("'()+_,-./:=? ", c) != NULL;
}

static void trim(const char **s, size_t *n)
{
	while(*n && (is_ws(**s) || **s == '\r' || **s == '\n')) {
		(*s)++;
		(*n)--;
	}
	while(*n
			&& (is_ws((*s)[*n - 1]) || (*s)[*n - 1] == '\r'
					|| (*s)[*n - 1] == '\n'))
		(*n)--;
}

static const char *find_mem(
		const char *h, size_t hn, const char *needle, size_t nn)
{
	if(nn == 0 || hn < nn)
		return NULL;
	for(size_t i = 0; i + nn <= hn; i++) {
		const char *p = memchr(h + i, needle[0], hn - nn - i + 1);
		if(!p)
			return NULL;
		i = (size_t)(p - h);
		if(!memcmp(p, needle, nn))
			return p;
	}
	return NULL;
}

int mcsec_mime_media_type(
		const char *ctype, size_t len, const char **mt, size_t *mt_len)
{
	const char *s = ctype;
	size_t n = len, i, slash = 0, nslash = 0;

	if(!ctype)
		return MCSEC_ERR_ARG;
	for(i = 0; i < n && s[i] != ';'; i++)
		;
	n = i;
	trim(&s, &n);
	if(n == 0)
		return MCSEC_ERR_MALFORMED;
	for(i = 0; i < n; i++) {
		if(s[i] == '/') {
			nslash++;
			slash = i;
		} else if(!is_token((unsigned char)s[i]))
			return MCSEC_ERR_MALFORMED;
	}
	if(nslash != 1 || slash == 0 || slash == n - 1)
		return MCSEC_ERR_MALFORMED;
	*mt = s;
	*mt_len = n;
	return MCSEC_OK;
}

int mcsec_mime_type_is(const char *ctype, size_t len, const char *want)
{
	const char *mt;
	size_t n;

	if(mcsec_mime_media_type(ctype, len, &mt, &n) != MCSEC_OK)
		return 0;
	return n == strlen(want) && !strncasecmp(mt, want, n);
}

int mcsec_mime_type_is_xml(const char *ctype, size_t len)
{
	const char *mt;
	size_t n;

	if(mcsec_mime_media_type(ctype, len, &mt, &n) != MCSEC_OK)
		return 0;
	if((n == 15 && !strncasecmp(mt, "application/xml", 15))
			|| (n == 8 && !strncasecmp(mt, "text/xml", 8)))
		return 1;
	return n > 4 && !strncasecmp(mt + n - 4, "+xml", 4);
}

/* RFC 2045 5.1 parameters: ";" attribute "=" (token / quoted-string) */
int mcsec_mime_boundary(const char *ctype, size_t len,
		char out[MCSEC_MIME_MAX_BOUNDARY + 1], size_t *out_len)
{
	size_t i = 0, found = 0;

	if(!ctype || !out || !out_len)
		return MCSEC_ERR_ARG;
	if(!mcsec_mime_type_is(ctype, len, "multipart/mixed"))
		return MCSEC_ERR_UNSUPPORTED;
	while(i < len && ctype[i] != ';')
		i++;
	while(i < len) {
		size_t a0, a1;
		char val[MCSEC_MIME_MAX_BOUNDARY + 1];
		size_t vn = 0;

		while(i < len
				&& (is_ws(ctype[i]) || ctype[i] == '\r' || ctype[i] == '\n'))
			i++;
		if(i == len)
			break;
		if(ctype[i] != ';')
			return MCSEC_ERR_MALFORMED;
		i++;
		while(i < len && is_ws(ctype[i]))
			i++;
		if(i == len) /* trailing ';' */
			break;
		a0 = i;
		while(i < len && is_token((unsigned char)ctype[i]))
			i++;
		a1 = i;
		while(i < len && is_ws(ctype[i]))
			i++;
		if(a1 == a0 || i >= len || ctype[i] != '=')
			return MCSEC_ERR_MALFORMED;
		i++;
		while(i < len && is_ws(ctype[i]))
			i++;
		if(i < len && ctype[i] == '"') {
			i++;
			while(i < len && ctype[i] != '"') {
				char c = ctype[i];
				if(c == '\\') {
					if(++i >= len)
						return MCSEC_ERR_MALFORMED;
					c = ctype[i];
				}
				if(vn >= MCSEC_MIME_MAX_BOUNDARY + 1)
					return MCSEC_ERR_MALFORMED;
				val[vn++] = c;
				i++;
			}
			if(i >= len)
				return MCSEC_ERR_MALFORMED;
			i++;
		} else {
			while(i < len && is_token((unsigned char)ctype[i])) {
				if(vn >= MCSEC_MIME_MAX_BOUNDARY + 1)
					return MCSEC_ERR_MALFORMED;
				val[vn++] = ctype[i++];
			}
			if(vn == 0)
				return MCSEC_ERR_MALFORMED;
		}
		if(a1 - a0 == 8 && !strncasecmp(ctype + a0, "boundary", 8)) {
			if(found++)
				return MCSEC_ERR_MALFORMED; /* two boundaries */
			if(vn == 0 || vn > MCSEC_MIME_MAX_BOUNDARY || val[vn - 1] == ' ')
				return MCSEC_ERR_MALFORMED;
			for(size_t k = 0; k < vn; k++)
				if(!is_bchar((unsigned char)val[k]))
					return MCSEC_ERR_MALFORMED;
			memcpy(out, val, vn);
			out[vn] = '\0';
			*out_len = vn;
		}
	}
	return found ? MCSEC_OK : MCSEC_ERR_MALFORMED;
}

int mcsec_mime_header(const char *hdr, size_t hdr_len, const char *name,
		const char **val, size_t *val_len)
{
	size_t nl = strlen(name), i = 0;

	while(i < hdr_len) {
		size_t eol = i, end;
		/* a header runs over its continuation lines (RFC 5322 2.2.3) */
		for(;;) {
			const char *p = find_mem(hdr + eol, hdr_len - eol, "\r\n", 2);
			end = p ? (size_t)(p - hdr) : hdr_len;
			eol = p ? end + 2 : hdr_len;
			if(eol >= hdr_len || !is_ws(hdr[eol]))
				break;
		}
		if(end - i > nl && !strncasecmp(hdr + i, name, nl)
				&& hdr[i + nl] == ':') {
			const char *v = hdr + i + nl + 1;
			size_t vn = end - (i + nl + 1);
			trim(&v, &vn);
			*val = v;
			*val_len = vn;
			return MCSEC_OK;
		}
		i = eol;
	}
	return MCSEC_ERR_NOT_FOUND;
}

/* Checks every header line of one part and records the ones we use. */
static int parse_headers(mcsec_mime_part_t *pt)
{
	const char *h = pt->hdr;
	size_t n = pt->hdr_len, i = 0;
	int seen_ct = 0, seen_cid = 0, seen_cte = 0;

	if(n > MCSEC_MIME_MAX_HDR)
		return MCSEC_ERR_MALFORMED;
	while(i < n) {
		const char *p = find_mem(h + i, n - i, "\r\n", 2);
		size_t end, k;
		if(!p)
			return MCSEC_ERR_MALFORMED;
		end = (size_t)(p - h);
		for(k = i; k < end; k++)
			if(h[k] == '\0' || h[k] == '\r' || h[k] == '\n')
				return MCSEC_ERR_MALFORMED;
		if(!is_ws(h[i])) { /* a new field: name ":" */
			size_t c = i;
			while(c < end && is_token((unsigned char)h[c]))
				c++;
			if(c == i || c >= end || h[c] != ':')
				return MCSEC_ERR_MALFORMED;
			if(c - i == 12 && !strncasecmp(h + i, "Content-Type", 12))
				seen_ct++;
			else if(c - i == 10 && !strncasecmp(h + i, "Content-ID", 10))
				seen_cid++;
			else if(c - i == 25
					&& !strncasecmp(h + i, "Content-Transfer-Encoding", 25))
				seen_cte++;
		} else if(i == 0) {
			return MCSEC_ERR_MALFORMED; /* continuation of nothing */
		}
		i = end + 2;
	}
	if(seen_ct > 1 || seen_cid > 1 || seen_cte > 1)
		return MCSEC_ERR_MALFORMED;
	if(seen_ct) {
		const char *mt;
		size_t mtn;
		mcsec_mime_header(h, n, "Content-Type", &pt->ctype, &pt->ctype_len);
		if(mcsec_mime_media_type(pt->ctype, pt->ctype_len, &mt, &mtn))
			return MCSEC_ERR_MALFORMED;
	}
	if(seen_cte)
		mcsec_mime_header(
				h, n, "Content-Transfer-Encoding", &pt->cte, &pt->cte_len);
	if(seen_cid) {
		const char *v;
		size_t vn;
		mcsec_mime_header(h, n, "Content-ID", &v, &vn);
		/* RFC 2045 7: msg-id = "<" id-left "@" id-right ">" (we accept any
		 * non-empty id without brackets, whitespace or quotes) */
		if(vn < 3 || v[0] != '<' || v[vn - 1] != '>')
			return MCSEC_ERR_MALFORMED;
		for(size_t k = 1; k + 1 < vn; k++) {
			unsigned char c = (unsigned char)v[k];
			if(c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"')
				return MCSEC_ERR_MALFORMED;
		}
		pt->cid = v + 1;
		pt->cid_len = vn - 2;
	}
	return MCSEC_OK;
}

int mcsec_mime_parse(const char *body, size_t len, const char *ctype,
		size_t ctype_len, mcsec_mime_t *m)
{
	char delim[MCSEC_MIME_MAX_BOUNDARY + 5];
	size_t dlen, p;
	int rc;

	if(!body || !ctype || !m)
		return MCSEC_ERR_ARG;
	memset(m, 0, sizeof(*m));
	rc = mcsec_mime_boundary(ctype, ctype_len, m->boundary, &m->boundary_len);
	if(rc != MCSEC_OK)
		return rc;
	/* delim = CRLF "--" boundary; the first may come without the CRLF */
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, m->boundary, m->boundary_len);
	dlen = 4 + m->boundary_len;

	if(len >= dlen - 2 && !memcmp(body, delim + 2, dlen - 2)) {
		p = dlen - 2;
	} else {
		const char *d = find_mem(body, len, delim, dlen);
		if(!d)
			return MCSEC_ERR_MALFORMED;
		p = (size_t)(d - body) + dlen;
	}
	for(;;) {
		const char *d, *part, *sep;
		size_t part_len;
		mcsec_mime_part_t *pt;

		/* after a delimiter: "--" (close) or transport padding + CRLF */
		if(len - p >= 2 && body[p] == '-' && body[p + 1] == '-')
			break; /* epilogue, if any, is ignored */
		while(p < len && is_ws(body[p]))
			p++;
		if(len - p < 2 || body[p] != '\r' || body[p + 1] != '\n')
			return MCSEC_ERR_MALFORMED;
		p += 2;
		d = find_mem(body + p, len - p, delim, dlen);
		if(!d)
			return MCSEC_ERR_MALFORMED; /* no close delimiter */
		if(m->nparts == MCSEC_MIME_MAX_PARTS)
			return MCSEC_ERR_UNSUPPORTED;
		part = body + p;
		part_len = (size_t)(d - part);
		pt = &m->parts[m->nparts++];
		if(part_len >= 2 && part[0] == '\r' && part[1] == '\n') {
			pt->hdr = part;
			pt->hdr_len = 0;
			pt->body = part + 2;
			pt->body_len = part_len - 2;
		} else {
			sep = find_mem(part, part_len, "\r\n\r\n", 4);
			if(!sep)
				return MCSEC_ERR_MALFORMED;
			pt->hdr = part;
			pt->hdr_len = (size_t)(sep - part) + 2;
			pt->body = sep + 4;
			pt->body_len = part_len - pt->hdr_len - 2;
		}
		rc = parse_headers(pt);
		if(rc != MCSEC_OK)
			return rc;
		p = (size_t)(d - body) + dlen;
	}
	if(m->nparts == 0)
		return MCSEC_ERR_MALFORMED;
	/* RFC 2045 7: Content-IDs are world-unique; two equal ones in one body
	 * would let a signature cover one part while another is processed */
	for(size_t a = 0; a < m->nparts; a++)
		for(size_t b = a + 1; b < m->nparts; b++)
			if(m->parts[a].cid && m->parts[b].cid
					&& m->parts[a].cid_len == m->parts[b].cid_len
					&& !memcmp(m->parts[a].cid, m->parts[b].cid,
							m->parts[a].cid_len))
				return MCSEC_ERR_MALFORMED;
	return MCSEC_OK;
}

int mcsec_mime_write(const char *boundary, size_t blen,
		const mcsec_mime_out_t *parts, size_t nparts, char **out,
		size_t *out_len)
{
	char delim[MCSEC_MIME_MAX_BOUNDARY + 5];
	size_t total = 0, o = 0;
	char *b;

	if(!boundary || blen == 0 || blen > MCSEC_MIME_MAX_BOUNDARY || !parts
			|| nparts == 0 || !out || !out_len)
		return MCSEC_ERR_ARG;
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, blen);
	for(size_t i = 0; i < nparts; i++) {
		const mcsec_mime_out_t *pt = &parts[i];
		/* the body may neither contain a delimiter nor start with one
		 * (the blank line before it supplies the CRLF) */
		if(find_mem(pt->body, pt->body_len, delim, blen + 4)
				|| (pt->body_len >= blen + 2
						&& !memcmp(pt->body, delim + 2, blen + 2))
				|| find_mem(pt->hdr, pt->hdr_len, delim, blen + 4)
				|| find_mem(pt->extra_hdr, pt->extra_len, delim, blen + 4))
			return MCSEC_ERR_MALFORMED;
		total += 2 + blen + 2 + pt->hdr_len + pt->extra_len + 2 + pt->body_len
				 + 2;
	}
	total += 2 + blen + 4 + 1;
	b = malloc(total);
	if(!b)
		return MCSEC_ERR_INTERNAL;
	for(size_t i = 0; i < nparts; i++) {
		const mcsec_mime_out_t *pt = &parts[i];
		memcpy(b + o, delim + 2, blen + 2);
		o += blen + 2;
		memcpy(b + o, "\r\n", 2);
		o += 2;
		if(pt->hdr_len) {
			memcpy(b + o, pt->hdr, pt->hdr_len);
			o += pt->hdr_len;
		}
		if(pt->extra_len) {
			memcpy(b + o, pt->extra_hdr, pt->extra_len);
			o += pt->extra_len;
		}
		memcpy(b + o, "\r\n", 2);
		o += 2;
		if(pt->body_len) {
			memcpy(b + o, pt->body, pt->body_len);
			o += pt->body_len;
		}
		memcpy(b + o, "\r\n", 2);
		o += 2;
	}
	memcpy(b + o, delim + 2, blen + 2);
	o += blen + 2;
	memcpy(b + o, "--\r\n", 4);
	o += 4;
	b[o] = '\0';
	*out = b;
	*out_len = o;
	return MCSEC_OK;
}

int mcsec_mime_new_boundary(char out[MCSEC_MIME_MAX_BOUNDARY + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[12];

	if(RAND_bytes(r, sizeof(r)) != 1)
		return MCSEC_ERR_INTERNAL;
	memcpy(out, "mcsec-", 6);
	for(size_t i = 0; i < sizeof(r); i++) {
		out[6 + 2 * i] = hex[r[i] >> 4];
		out[7 + 2 * i] = hex[r[i] & 15];
	}
	memcpy(out + 30, "-b", 2);
	out[32] = '\0';
	return MCSEC_OK;
}

static int cte_is(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);

	while(n && is_ws(*v)) {
		v++;
		n--;
	}
	while(n && is_ws(v[n - 1]))
		n--;
	return n == tl && !strncasecmp(v, tok, tl);
}

int mcsec_mime_part_cte(const mcsec_mime_part_t *p)
{
	if(!p->cte || cte_is(p->cte, p->cte_len, "binary")
			|| cte_is(p->cte, p->cte_len, "8bit")
			|| cte_is(p->cte, p->cte_len, "7bit"))
		return MCSEC_MIME_CTE_IDENTITY;
	if(cte_is(p->cte, p->cte_len, "base64"))
		return MCSEC_MIME_CTE_BASE64;
	return MCSEC_ERR_UNSUPPORTED;
}

char *mcsec_mime_unfold(const char *s, size_t n, size_t *out_n)
{
	char *o = malloc(n + 1);
	size_t k = 0;

	if(!o)
		return NULL;
	for(size_t i = 0; i < n; i++)
		if(s[i] != '\r' && s[i] != '\n')
			o[k++] = s[i];
	o[k] = '\0';
	*out_n = k;
	return o;
}

int mcsec_mime_contains_ci(const char *p, size_t n, const char *s)
{
	size_t sl = strlen(s);

	for(size_t i = 0; sl <= n && i <= n - sl; i++)
		if(!strncasecmp(p + i, s, sl))
			return 1;
	return 0;
}
