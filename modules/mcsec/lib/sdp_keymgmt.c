/*
 * mcsec - SDP key management attributes (RFC 4567 3.1):
 *   key-mgmt-attribute = "a=key-mgmt:" prtcl-id SP keymgmt-data
 *   prtcl-id = non-ws-string, keymgmt-data = base64 (RFC 4566)
 */
#include <string.h>
#include <strings.h>

#include "mcsec_err.h"
#include "sdp_keymgmt.h"

#define KM_ATTR "a=key-mgmt:"

static int b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		   || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* RFC 4566 5.13 base64: 4-character groups, '=' padding only in the last */
static int b64_ok(const char *s, size_t n)
{
	size_t i = 0, pad = 0;

	if(n == 0 || n % 4 != 0)
		return 0;
	for(; i < n; i++) {
		if(s[i] == '=') {
			pad++;
			continue;
		}
		if(pad || !b64_char(s[i]))
			return 0; /* data after padding, or outside the alphabet */
	}
	return pad <= 2;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* one attribute line (without its line end); 1 wanted, 0 other, -1 bad */
static int keymgmt_line(const char *l, size_t n, const char *prtcl,
		const char **data, size_t *data_len)
{
	const char *p, *sp, *end = l + n;
	size_t pl = strlen(prtcl);

	p = l + sizeof(KM_ATTR) - 1;
	/* prtcl-id: up to the single SP */
	sp = memchr(p, ' ', (size_t)(end - p));
	if(!sp || sp == p)
		return -1;
	for(const char *q = p; q < sp; q++)
		if(is_blank(*q) || (unsigned char)*q < 0x21 || (unsigned char)*q > 0x7e)
			return -1;
	if((size_t)(sp - p) != pl || strncasecmp(p, prtcl, pl) != 0)
		return 0; /* another key management protocol: not ours */
	p = sp + 1;
	/* trailing blanks tolerated (seen from real clients), none inside */
	while(end > p && is_blank(end[-1]))
		end--;
	if(!b64_ok(p, (size_t)(end - p)))
		return -1;
	*data = p;
	*data_len = (size_t)(end - p);
	return 1;
}

int mcsec_sdp_keymgmt_find(const char *sdp, size_t len, const char *prtcl,
		mcsec_sdp_keymgmt_t *out, size_t cap, size_t *n, size_t *err_line)
{
	size_t off = 0, line = 0;
	int media = 0;

	if(!n || !prtcl || !*prtcl || (!sdp && len) || (!out && cap))
		return MCSEC_ERR_ARG;
	*n = 0;
	if(err_line)
		*err_line = 0;
	if(len && memchr(sdp, '\0', len)) {
		if(err_line)
			*err_line = 1;
		return MCSEC_ERR_MALFORMED;
	}
	while(off < len) {
		const char *l = sdp + off, *nl;
		size_t ll, next;
		const char *data;
		size_t data_len;
		int r;

		line++;
		nl = memchr(l, '\n', len - off);
		if(nl) {
			ll = (size_t)(nl - l);
			next = off + ll + 1;
		} else {
			ll = len - off;
			next = len;
		}
		if(ll > 0 && l[ll - 1] == '\r')
			ll--;
		off = next;
		if(ll >= 2 && l[0] == 'm' && l[1] == '=') {
			media++;
			continue;
		}
		if(ll < sizeof(KM_ATTR) - 1 || memcmp(l, KM_ATTR, sizeof(KM_ATTR) - 1))
			continue;
		r = keymgmt_line(l, ll, prtcl, &data, &data_len);
		if(r == 0)
			continue;
		if(r < 0 || *n >= cap) {
			if(err_line)
				*err_line = line;
			return MCSEC_ERR_MALFORMED;
		}
		out[*n].data = data;
		out[*n].data_len = data_len;
		out[*n].line = line;
		out[*n].media = media;
		(*n)++;
	}
	return MCSEC_OK;
}
