/*
 * mcsec - XML URI attribute encryption (TS 33.180 9.3.4.3):
 *   sip:<ct>;iv=<iv>;key-id=<XPK-ID>;alg=128-aes-gcm@<encryption domain>
 * Reading (DESIGN.md section 4): every field is base64url without padding
 * (the spec's examples contain '_' and '-'); the whole original URI is the
 * plaintext; ct includes the 16-octet GCM tag; the IV is 12 random octets;
 * AES-128-GCM with the F.1.4 confidentiality key (or the XPK when raw).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlstring.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "encoding.h"
#include "mcsec_err.h"
#include "xml_internal.h"

#define ALG_NAME "128-aes-gcm"
#define MAX_DOMAIN 253

typedef struct enc_uri
{
	const char *ct, *iv, *kid, *alg, *host;
	size_t ct_len, iv_len, kid_len, alg_len, host_len;
} enc_uri_t;

static int is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		   || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int valid_domain(const char *d, size_t n)
{
	if(n == 0 || n > MAX_DOMAIN || d[0] == '.' || d[0] == '-')
		return 0;
	for(size_t i = 0; i < n; i++) {
		char c = d[i];
		if(!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
				   || (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

/* Splits the structure; checks field alphabets but decodes nothing. */
static int split(const char *v, size_t len, enc_uri_t *e)
{
	const char *at, *p, *end;
	const char *f[4];
	size_t fl[4], nf = 0;
	static const char *const names[4] = {NULL, "iv=", "key-id=", "alg="};

	while(len && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')) {
		v++;
		len--;
	}
	while(len
			&& (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'
					|| v[len - 1] == '\n'))
		len--;
	if(len < 4 || strncasecmp(v, "sip:", 4) != 0)
		return MCSEC_ERR_MALFORMED;
	end = v + len;
	at = NULL;
	for(p = v + 4; p < end; p++)
		if(*p == '@') {
			if(at)
				return MCSEC_ERR_MALFORMED;
			at = p;
		}
	if(!at)
		return MCSEC_ERR_MALFORMED;
	p = v + 4;
	while(p <= at) {
		const char *q = p;
		while(q < at && *q != ';')
			q++;
		if(nf == 4)
			return MCSEC_ERR_MALFORMED;
		f[nf] = p;
		fl[nf] = (size_t)(q - p);
		nf++;
		p = q + 1;
	}
	if(nf != 4)
		return MCSEC_ERR_MALFORMED;
	for(size_t i = 1; i < 4; i++) {
		size_t nl = strlen(names[i]);
		if(fl[i] <= nl || strncasecmp(f[i], names[i], nl) != 0)
			return MCSEC_ERR_MALFORMED;
		f[i] += nl;
		fl[i] -= nl;
	}
	for(size_t i = 0; i < 3; i++) {
		if(fl[i] == 0)
			return MCSEC_ERR_MALFORMED;
		for(size_t k = 0; k < fl[i]; k++)
			if(!is_b64url(f[i][k]))
				return MCSEC_ERR_MALFORMED;
	}
	e->ct = f[0];
	e->ct_len = fl[0];
	e->iv = f[1];
	e->iv_len = fl[1];
	e->kid = f[2];
	e->kid_len = fl[2];
	e->alg = f[3];
	e->alg_len = fl[3];
	e->host = at + 1;
	e->host_len = (size_t)(end - at - 1);
	if(!valid_domain(e->host, e->host_len))
		return MCSEC_ERR_MALFORMED;
	return MCSEC_OK;
}

int mcsec_uri_is_encrypted(const char *v, size_t len)
{
	enc_uri_t e;
	return v && split(v, len, &e) == MCSEC_OK;
}

int mcsec_uri_key_id(const char *v, size_t len, uint32_t *xpk_id)
{
	enc_uri_t e;
	uint8_t b[8];
	int rc;

	if(!v || !xpk_id)
		return MCSEC_ERR_ARG;
	rc = split(v, len, &e);
	if(rc != MCSEC_OK)
		return rc;
	if(mcsec_b64_decode(e.kid, e.kid_len, b, sizeof(b), 1) != 4)
		return MCSEC_ERR_MALFORMED;
	*xpk_id = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16)
			  | ((uint32_t)b[2] << 8) | b[3];
	return MCSEC_OK;
}

int mcsec_uri_encrypt_iv(const char *uri, size_t len,
		const mcsec_xml_keys_t *keys, const char *domain,
		const uint8_t iv[MCSEC_XML_IV_LEN], char **out)
{
	uint8_t *sealed = NULL, kid[4];
	size_t dlen, ct_b64, cap, o;
	char *s = NULL;
	long n;
	int rc;

	if(!uri || !keys || !iv || !out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	if(!domain)
		domain = MCSEC_XML_DEFAULT_DOMAIN;
	dlen = strlen(domain);
	if(len == 0 || len > MCSEC_XML_MAX_URI || !valid_domain(domain, dlen))
		return MCSEC_ERR_ARG;
	if(keys->conf_len != 16)
		return MCSEC_ERR_UNSUPPORTED; /* the only algorithm is 128-AES-GCM */
	sealed = malloc(MCSEC_XML_IV_LEN + len + MCSEC_XML_TAG_LEN);
	if(!sealed)
		return MCSEC_ERR_INTERNAL;
	rc = mcsec_gcm_seal(
			keys->conf, keys->conf_len, iv, (const uint8_t *)uri, len, sealed);
	if(rc != MCSEC_OK)
		goto out;
	kid[0] = (uint8_t)(keys->xpk_id >> 24);
	kid[1] = (uint8_t)(keys->xpk_id >> 16);
	kid[2] = (uint8_t)(keys->xpk_id >> 8);
	kid[3] = (uint8_t)keys->xpk_id;
	ct_b64 = MCSEC_B64_ENC_LEN(len + MCSEC_XML_TAG_LEN);
	cap = 4 + ct_b64 + 4 + 17 + 8 + 9 + 5 + sizeof(ALG_NAME) + 1 + dlen + 1;
	s = malloc(cap);
	if(!s) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	memcpy(s, "sip:", 4);
	o = 4;
	n = mcsec_b64_encode(sealed + MCSEC_XML_IV_LEN, len + MCSEC_XML_TAG_LEN,
			s + o, cap - o, 1);
	if(n < 0)
		goto fail;
	o += (size_t)n;
	memcpy(s + o, ";iv=", 4);
	o += 4;
	n = mcsec_b64_encode(iv, MCSEC_XML_IV_LEN, s + o, cap - o, 1);
	if(n < 0)
		goto fail;
	o += (size_t)n;
	memcpy(s + o, ";key-id=", 8);
	o += 8;
	n = mcsec_b64_encode(kid, 4, s + o, cap - o, 1);
	if(n < 0)
		goto fail;
	o += (size_t)n;
	if(o + 5 + strlen(ALG_NAME) + 1 + dlen + 1 > cap)
		goto fail;
	memcpy(s + o, ";alg=" ALG_NAME "@", 5 + strlen(ALG_NAME) + 1);
	o += 5 + strlen(ALG_NAME) + 1;
	memcpy(s + o, domain, dlen + 1);
	*out = s;
	s = NULL;
	rc = MCSEC_OK;
	goto out;
fail:
	rc = MCSEC_ERR_INTERNAL;
out:
	free(s);
	free(sealed);
	return rc;
}

int mcsec_uri_encrypt(const char *uri, size_t len, const mcsec_xml_keys_t *keys,
		const char *domain, char **out)
{
	uint8_t iv[MCSEC_XML_IV_LEN];

	if(RAND_bytes(iv, sizeof(iv)) != 1)
		return MCSEC_ERR_INTERNAL;
	return mcsec_uri_encrypt_iv(uri, len, keys, domain, iv, out);
}

int mcsec_uri_decrypt(const char *v, size_t len, const mcsec_xml_keys_t *keys,
		size_t nkeys, char **out, size_t *out_len)
{
	enc_uri_t e;
	const mcsec_xml_keys_t *k;
	uint8_t *sealed = NULL, *pt = NULL;
	uint32_t id;
	size_t cap, ct_len, pt_len;
	long n;
	int rc;

	if(!v || !out || !out_len)
		return MCSEC_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	rc = split(v, len, &e);
	if(rc != MCSEC_OK)
		return rc;
	if(e.alg_len != strlen(ALG_NAME) || strncasecmp(e.alg, ALG_NAME, e.alg_len))
		return MCSEC_ERR_UNSUPPORTED;
	rc = mcsec_uri_key_id(v, len, &id);
	if(rc != MCSEC_OK)
		return rc;
	k = mcsec_xml_keys_find(keys, nkeys, 1, id);
	if(!k)
		return MCSEC_ERR_NOT_FOUND;
	if(k->conf_len != 16)
		return MCSEC_ERR_UNSUPPORTED;
	if(e.ct_len > MCSEC_B64_ENC_LEN(MCSEC_XML_MAX_URI + MCSEC_XML_TAG_LEN))
		return MCSEC_ERR_MALFORMED;
	cap = MCSEC_XML_IV_LEN + e.ct_len; /* base64 never grows when decoding */
	sealed = malloc(cap);
	if(!sealed)
		return MCSEC_ERR_INTERNAL;
	n = mcsec_b64_decode(e.iv, e.iv_len, sealed, MCSEC_XML_IV_LEN + 1, 1);
	if(n != MCSEC_XML_IV_LEN) {
		rc = MCSEC_ERR_MALFORMED;
		goto out;
	}
	n = mcsec_b64_decode(e.ct, e.ct_len, sealed + MCSEC_XML_IV_LEN,
			cap - MCSEC_XML_IV_LEN, 1);
	if(n <= MCSEC_XML_TAG_LEN
			|| (size_t)n > MCSEC_XML_MAX_URI + MCSEC_XML_TAG_LEN) {
		rc = MCSEC_ERR_MALFORMED;
		goto out;
	}
	ct_len = (size_t)n;
	pt_len = ct_len - MCSEC_XML_TAG_LEN;
	pt = malloc(pt_len + 1);
	if(!pt) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	rc = mcsec_gcm_open(
			k->conf, k->conf_len, sealed, MCSEC_XML_IV_LEN + ct_len, pt);
	if(rc != MCSEC_OK)
		goto out;
	/* the plaintext goes back into an attribute: no control characters */
	for(size_t i = 0; i < pt_len; i++)
		if(pt[i] < 0x20 || pt[i] == 0x7f) {
			rc = MCSEC_ERR_MALFORMED;
			goto out;
		}
	pt[pt_len] = '\0';
	if(!xmlCheckUTF8(pt)) { /* it becomes an XML attribute value */
		rc = MCSEC_ERR_MALFORMED;
		goto out;
	}
	*out = (char *)pt;
	*out_len = pt_len;
	pt = NULL;
out:
	if(pt) {
		OPENSSL_cleanse(pt, pt_len);
		free(pt);
	}
	free(sealed);
	return rc;
}
