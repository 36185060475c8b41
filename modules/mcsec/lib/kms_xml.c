/*
 * mcsec - parse KMS XML (TS 33.180 D.3): KmsCertificate (D.3.2) and
 * KmsKeySet (D.3.3), alone or inside KmsResponse / SignedKmsCertificate /
 * SignedKmsResponse (D.3.4, D.3.5.1, D.3.5.2).
 *
 * Hardened: size and depth limits, no network, no DTD (a DOCTYPE is
 * refused, so no entity can be declared or expanded), no mixed content.
 * Element order inside KmsCertificate / KmsKeySet is not enforced (the
 * D.3.4 examples and the D.3.5.1 schema disagree on it); each field may
 * appear once. Elements of other namespaces are ignored where the schema
 * has xsd:any ##other; unknown elements of the KMS namespace are refused.
 * Table D.3.2.2-1 writes "UserIDFormat", the schema and the examples
 * "UserIdFormat": both are accepted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>

#include "encoding.h"
#include "hex_ct.h"
#include "keywrap.h"
#include "kms.h"
#include "kms_sig.h"
#include "mcsec_err.h"

#define KMS_MAX_ITEMS 4096	/* certificates or key sets in one document */
#define KMS_MAX_STRING 2048 /* URIs, issuer, domain names */

struct pctx
{
	const mcsec_kms_parse_opts_t *opts;
	mcsec_kms_doc_t *doc;
	char *err;
	size_t errlen;
};

static int perr(struct pctx *p, int code, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
static int perr(struct pctx *p, int code, const char *fmt, ...)
{
	va_list ap;
	if(p->err && p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* ---- freeing ---- */

void mcsec_kms_cert_free(mcsec_kms_cert_t *c)
{
	if(!c)
		return;
	free(c->cert_uri);
	free(c->kms_uri);
	free(c->issuer);
	for(size_t i = 0; i < c->ndomains; i++)
		free(c->domains[i]);
	free(c->domains);
	free(c);
}

void mcsec_kms_keyset_free(mcsec_kms_keyset_t *k)
{
	if(!k)
		return;
	free(k->kms_uri);
	free(k->cert_uri);
	free(k->issuer);
	free(k->user_uri);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

void mcsec_kms_doc_free(mcsec_kms_doc_t *doc)
{
	if(!doc)
		return;
	for(size_t i = 0; i < doc->ncerts; i++)
		mcsec_kms_cert_free(doc->certs[i]);
	for(size_t i = 0; i < doc->nkeysets; i++)
		mcsec_kms_keyset_free(doc->keysets[i]);
	free(doc->certs);
	free(doc->keysets);
	free(doc->signature_key);
	memset(doc, 0, sizeof(*doc));
}

/* ---- text values ---- */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trimmed text of a leaf element (xs whitespace collapse at the ends). */
static int leaf_text(struct pctx *p, xmlNodePtr n, const char *path,
		xmlChar **buf, const char **s, size_t *len)
{
	*buf = mcsec_kms_text(n);
	if(!*buf)
		return perr(p, MCSEC_ERR_MALFORMED,
				"%s/%s: element content where text is expected", path,
				(const char *)n->name);
	*s = (const char *)*buf;
	*len = strlen(*s);
	while(*len && is_ws((*s)[0]))
		(*s)++, (*len)--;
	while(*len && is_ws((*s)[*len - 1]))
		(*len)--;
	return MCSEC_OK;
}

static int get_string(
		struct pctx *p, xmlNodePtr n, const char *path, char **out)
{
	xmlChar *b;
	const char *s;
	size_t len;
	int rc = leaf_text(p, n, path, &b, &s, &len);
	if(rc)
		return rc;
	if(len == 0 || len > KMS_MAX_STRING) {
		xmlFree(b);
		return perr(p, MCSEC_ERR_MALFORMED, "%s/%s: empty or longer than %d",
				path, (const char *)n->name, KMS_MAX_STRING);
	}
	*out = strndup(s, len);
	xmlFree(b);
	return *out ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

static int get_bool(struct pctx *p, xmlNodePtr n, const char *path, int *v)
{
	xmlChar *b;
	const char *s;
	size_t len;
	int rc = leaf_text(p, n, path, &b, &s, &len);
	if(rc)
		return rc;
	if((len == 4 && !memcmp(s, "true", 4)) || (len == 1 && s[0] == '1'))
		*v = 1;
	else if((len == 5 && !memcmp(s, "false", 5)) || (len == 1 && s[0] == '0'))
		*v = 0;
	else
		rc = perr(p, MCSEC_ERR_MALFORMED, "%s/%s: not an xs:boolean", path,
				(const char *)n->name);
	xmlFree(b);
	return rc;
}

static int parse_u64(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	if(len && s[0] == '+')
		i++;
	if(i == len)
		return -1;
	for(; i < len; i++) {
		if(s[i] < '0' || s[i] > '9')
			return -1;
		if(x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static int get_u64(struct pctx *p, xmlNodePtr n, const char *path, uint64_t *v)
{
	xmlChar *b;
	const char *s;
	size_t len;
	int rc = leaf_text(p, n, path, &b, &s, &len);
	if(rc)
		return rc;
	if(parse_u64(s, len, v))
		rc = perr(p, MCSEC_ERR_MALFORMED, "%s/%s: not a non-negative integer",
				path, (const char *)n->name);
	xmlFree(b);
	return rc;
}

static int get_time(struct pctx *p, xmlNodePtr n, const char *path, uint64_t *v)
{
	xmlChar *b;
	const char *s;
	size_t len;
	int rc = leaf_text(p, n, path, &b, &s, &len);
	if(rc)
		return rc;
	if(mcsec_kms_time_parse(s, len, v) || *v == 0)
		rc = perr(p, MCSEC_ERR_MALFORMED,
				"%s/%s: not an xs:dateTime from 1900 on", path,
				(const char *)n->name);
	xmlFree(b);
	return rc;
}

/* Exactly want octets of hex; a point must be uncompressed (0x04). */
static int get_hex(struct pctx *p, xmlNodePtr n, const char *path, uint8_t *out,
		size_t want, int is_point)
{
	xmlChar *b;
	const char *s;
	size_t len;
	uint8_t tmp[MCSEC_SAKKE_POINT_LEN + 1];
	long got;
	int rc = leaf_text(p, n, path, &b, &s, &len);
	if(rc)
		return rc;
	got = mcsec_hex_ct_decode(s, len, tmp, want + 1);
	if(got < 0 || (size_t)got != want)
		rc = perr(p, MCSEC_ERR_MALFORMED,
				"%s/%s: expected %zu octets of hex, got %s", path,
				(const char *)n->name, want,
				got < 0 ? "invalid or too long hex" : "a different length");
	else if(is_point && tmp[0] != 0x04)
		rc = perr(p, MCSEC_ERR_MALFORMED,
				"%s/%s: not an uncompressed point (first octet 04)", path,
				(const char *)n->name);
	else
		memcpy(out, tmp, want);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	/* the copy of the text holds the key in hex */
	OPENSSL_cleanse(b, strlen((const char *)b));
	xmlFree(b);
	return rc;
}

/* ---- xmlenc EncryptedKey under a TrK (D.3.5.2) ---- */

static const mcsec_kms_named_key_t *find_trk(struct pctx *p, const char *name)
{
	const mcsec_kms_parse_opts_t *o = p->opts;
	for(size_t i = 0; o && o->trks && i < o->ntrks; i++)
		if(o->trks[i].name && !strcmp(o->trks[i].name, name))
			return &o->trks[i];
	return NULL;
}

/* The unwrapped octets as the OCTET STRING of want octets. kw-aes256 needs
 * a multiple of 8 octets, which the 257- and 65-octet points are not; we
 * accept the value itself, the point without its 04 prefix (x||y), or the
 * value zero-padded to a multiple of 8 (what mcsec writes). kw-aes-256-pad
 * carries the exact value. */
static int fit_unwrapped(const uint8_t *u, size_t ulen, int padded_alg,
		uint8_t *out, size_t want, int is_point)
{
	if(ulen == want) {
		if(is_point && u[0] != 0x04)
			return -1;
		memcpy(out, u, want);
		return 0;
	}
	if(padded_alg)
		return -1;
	if(is_point && ulen == want - 1) {
		out[0] = 0x04;
		memcpy(out + 1, u, want - 1);
		return 0;
	}
	if(ulen == (want + 7) / 8 * 8 && ulen > want) {
		uint8_t z = 0;
		for(size_t i = want; i < ulen; i++)
			z |= u[i];
		if(z || (is_point && u[0] != 0x04))
			return -1;
		memcpy(out, u, want);
		return 0;
	}
	return -1;
}

static int parse_encrypted_key(struct pctx *p, xmlNodePtr ek, const char *path,
		const char *field, uint8_t *out, size_t want, int is_point)
{
	int bad = 0, padded_alg = -1, rc = MCSEC_OK;
	xmlChar *keyname = NULL, *cv = NULL;
	const mcsec_kms_named_key_t *trk;
	uint8_t *ct = NULL, *pt = NULL;
	size_t ptlen = 0, cap = MCSEC_KW_MAX_DATA + 16;
	long ctlen;

	for(xmlNodePtr c = mcsec_kms_next_el(ek->children, &bad); c;
			c = mcsec_kms_next_el(c->next, &bad)) {
		if(mcsec_kms_is(c, MCSEC_XENC_NS, "EncryptionMethod")) {
			xmlChar *alg = xmlGetNoNsProp(c, (const xmlChar *)"Algorithm");
			if(padded_alg != -1 || !alg) {
				xmlFree(alg);
				rc = perr(p, MCSEC_ERR_MALFORMED,
						"%s/%s/EncryptedKey: one EncryptionMethod with an "
						"Algorithm expected",
						path, field);
				goto out;
			}
			if(!strcmp((const char *)alg, MCSEC_ALG_KW_AES256))
				padded_alg = 0;
			else if(!strcmp((const char *)alg, MCSEC_ALG_KWP_AES256))
				padded_alg = 1;
			else {
				rc = perr(p, MCSEC_ERR_UNSUPPORTED,
						"%s/%s/EncryptedKey: algorithm '%.100s' not "
						"supported (kw-aes256 expected)",
						path, field, (const char *)alg);
				xmlFree(alg);
				goto out;
			}
			xmlFree(alg);
		} else if(mcsec_kms_is(c, MCSEC_DSIG_NS, "KeyInfo")) {
			int kb = 0;
			xmlNodePtr kn = mcsec_kms_next_el(c->children, &kb);
			if(keyname || !mcsec_kms_is(kn, MCSEC_DSIG_NS, "KeyName")
					|| mcsec_kms_next_el(kn->next, &kb) || kb
					|| !(keyname = mcsec_kms_text(kn))) {
				rc = perr(p, MCSEC_ERR_MALFORMED,
						"%s/%s/EncryptedKey/KeyInfo: one KeyName naming the "
						"TrK expected",
						path, field);
				goto out;
			}
		} else if(mcsec_kms_is(c, MCSEC_XENC_NS, "CipherData")) {
			int cb = 0;
			xmlNodePtr v = mcsec_kms_next_el(c->children, &cb);
			if(cv || !mcsec_kms_is(v, MCSEC_XENC_NS, "CipherValue")
					|| mcsec_kms_next_el(v->next, &cb) || cb
					|| !(cv = mcsec_kms_text(v))) {
				rc = perr(p, MCSEC_ERR_MALFORMED,
						"%s/%s/EncryptedKey/CipherData: one CipherValue "
						"expected",
						path, field);
				goto out;
			}
		} else if(mcsec_kms_is(c, MCSEC_XENC_NS, "CarriedKeyName")
				  || mcsec_kms_is(c, MCSEC_XENC_NS, "EncryptionProperties")) {
			continue;
		} else {
			rc = perr(p, MCSEC_ERR_UNSUPPORTED,
					"%s/%s/EncryptedKey: unexpected element <%.64s>", path,
					field, (const char *)c->name);
			goto out;
		}
	}
	if(bad || padded_alg == -1 || !keyname || !cv) {
		rc = perr(p, MCSEC_ERR_MALFORMED,
				"%s/%s/EncryptedKey: needs EncryptionMethod, KeyInfo/KeyName "
				"and CipherData/CipherValue",
				path, field);
		goto out;
	}
	{
		char *kn = (char *)keyname;
		size_t kl = strlen(kn);
		size_t st = 0;
		while(st < kl && is_ws(kn[st]))
			st++;
		while(kl > st && is_ws(kn[kl - 1]))
			kl--;
		memmove(kn, kn + st, kl - st);
		kn[kl - st] = '\0';
	}
	trk = find_trk(p, (const char *)keyname);
	if(!trk) {
		rc = perr(p, MCSEC_ERR_NOT_FOUND,
				"%s/%s: wrapped with TrK '%.128s', which is not configured",
				path, field, (const char *)keyname);
		goto out;
	}
	if(trk->key_len != MCSEC_KW_KEK_LEN || !trk->key) {
		rc = perr(p, MCSEC_ERR_UNSUPPORTED,
				"%s/%s: TrK '%.128s' is not a 256-bit key", path, field,
				trk->name);
		goto out;
	}
	ct = malloc(cap);
	pt = malloc(cap);
	if(!ct || !pt) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	ctlen = mcsec_b64_decode(
			(const char *)cv, strlen((const char *)cv), ct, cap, 0);
	if(ctlen < 0) {
		rc = perr(p, MCSEC_ERR_MALFORMED,
				"%s/%s/EncryptedKey/CipherData/CipherValue: not base64", path,
				field);
		goto out;
	}
	rc = padded_alg ? mcsec_kwp_unwrap(
				 trk->key, ct, (size_t)ctlen, pt, cap, &ptlen)
					: mcsec_kw_unwrap(
							trk->key, ct, (size_t)ctlen, pt, cap, &ptlen);
	if(rc == MCSEC_ERR_MALFORMED) {
		rc = perr(p, rc,
				"%s/%s/EncryptedKey: CipherValue length %ld is not a key "
				"wrap output",
				path, field, ctlen);
		goto out;
	}
	if(rc) {
		rc = perr(p, MCSEC_ERR_INVALID_KEY,
				"%s/%s: unwrapping with TrK '%.128s' failed (wrong TrK or "
				"altered data)",
				path, field, trk->name);
		goto out;
	}
	if(fit_unwrapped(pt, ptlen, padded_alg, out, want, is_point)) {
		rc = perr(p, MCSEC_ERR_MALFORMED,
				"%s/%s: unwrapped value of %zu octets does not hold the "
				"expected %zu-octet value",
				path, field, ptlen, want);
		goto out;
	}
	p->doc->wrapped++;
out:
	if(pt)
		OPENSSL_clear_free(pt, cap);
	free(ct);
	xmlFree(keyname);
	xmlFree(cv);
	return rc;
}

/* UserDecryptKey & co: hex, or one xenc:EncryptedKey (EncKeyContentType). */
static int get_key_value(struct pctx *p, xmlNodePtr n, const char *path,
		uint8_t *out, size_t want, int is_point)
{
	int bad = 0;
	xmlNodePtr el = mcsec_kms_next_el(n->children, &bad);

	if(!el)
		return get_hex(p, n, path, out, want, is_point);
	if(bad || !mcsec_kms_is(el, MCSEC_XENC_NS, "EncryptedKey")
			|| mcsec_kms_next_el(el->next, &bad) || bad)
		return perr(p, MCSEC_ERR_MALFORMED,
				"%s/%s: expected hex or one xenc:EncryptedKey", path,
				(const char *)n->name);
	return parse_encrypted_key(
			p, el, path, (const char *)n->name, out, want, is_point);
}

/* ---- KmsCertificate (D.3.2) ---- */

static int is_kms(xmlNodePtr n, const char *name)
{
	return mcsec_kms_is(n, MCSEC_KMS_NS, name);
}

/* Elements of another (non-empty) namespace are extension points. */
static int is_other_ns(xmlNodePtr n)
{
	return n->ns && n->ns->href
		   && strcmp((const char *)n->ns->href, MCSEC_KMS_NS) != 0
		   && strcmp((const char *)n->ns->href, MCSEC_KMS_SECEXT_NS) != 0;
}

/* Every mandatory field of a D.3.2 / D.3.3 element was seen. */
struct required_field
{
	unsigned bit;
	const char *name;
};
static int check_required(struct pctx *p, unsigned mask,
		const struct required_field *req, size_t n, const char *path)
{
	for(size_t i = 0; i < n; i++)
		if(!(mask & req[i].bit))
			return perr(p, MCSEC_ERR_MALFORMED, "%s: <%s> missing", path,
					req[i].name);
	return MCSEC_OK;
}

static int seen(struct pctx *p, unsigned *mask, unsigned bit, const char *path,
		xmlNodePtr n)
{
	if(*mask & bit)
		return perr(p, MCSEC_ERR_MALFORMED, "%s: <%s> appears more than once",
				path, (const char *)n->name);
	*mask |= bit;
	return MCSEC_OK;
}

static int add_item(void ***arr, size_t *n, void *item)
{
	void **na;
	if(*n >= KMS_MAX_ITEMS)
		return MCSEC_ERR_MALFORMED;
	na = realloc(*arr, (*n + 1) * sizeof(void *));
	if(!na)
		return MCSEC_ERR_INTERNAL;
	*arr = na;
	na[(*n)++] = item;
	return MCSEC_OK;
}

static int parse_domains(struct pctx *p, xmlNodePtr n, mcsec_kms_cert_t *c)
{
	int bad = 0, rc;
	for(xmlNodePtr d = mcsec_kms_next_el(n->children, &bad); d;
			d = mcsec_kms_next_el(d->next, &bad)) {
		char *s = NULL;
		if(!is_kms(d, "KmsDomain")) {
			if(is_other_ns(d))
				continue;
			return perr(p, MCSEC_ERR_MALFORMED,
					"KmsCertificate/KmsDomainList: unexpected <%.64s>",
					(const char *)d->name);
		}
		rc = get_string(p, d, "KmsCertificate/KmsDomainList", &s);
		if(rc)
			return rc;
		rc = add_item((void ***)&c->domains, &c->ndomains, s);
		if(rc) {
			free(s);
			return rc;
		}
	}
	if(bad)
		return perr(p, MCSEC_ERR_MALFORMED,
				"KmsCertificate/KmsDomainList: text content");
	return MCSEC_OK;
}

enum
{
	F_KMSURI = 1 << 0,
	F_CERTURI = 1 << 1,
	F_ISSUER = 1 << 2,
	F_FROM = 1 << 3,
	F_TO = 1 << 4,
	F_REVOKED = 1 << 5,
	F_UIDFMT = 1 << 6,
	F_PERIOD = 1 << 7,
	F_OFFSET = 1 << 8,
	F_ENC = 1 << 9,
	F_AUTH = 1 << 10,
	F_PSET = 1 << 11,
	F_DOMAINS = 1 << 12,
	F_USERURI = 1 << 13,
	F_USERID = 1 << 14,
	F_PERIODNO = 1 << 15,
	F_RSK = 1 << 16,
	F_SSK = 1 << 17,
	F_PVT = 1 << 18,
};

static int cert_attrs(struct pctx *p, xmlNodePtr n, mcsec_kms_cert_t *c)
{
	const char *path = "KmsCertificate";
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)"Version");
	xmlChar *r = xmlGetNoNsProp(n, (const xmlChar *)"Role");
	xmlChar *g = xmlGetNoNsProp(n, (const xmlChar *)"IsSecurityGateway");
	int rc = MCSEC_OK;

	if(!v
			|| (strcmp((const char *)v, "1.1.0") != 0
					&& strcmp((const char *)v, "1.2.0") != 0)) {
		rc = perr(p, v ? MCSEC_ERR_UNSUPPORTED : MCSEC_ERR_MALFORMED,
				"%s: Version attribute must be 1.1.0 or 1.2.0", path);
		goto out;
	}
	snprintf(c->version, sizeof(c->version), "%s", (const char *)v);
	if(r && !strcmp((const char *)r, "Root"))
		c->role = MCSEC_KMS_ROLE_ROOT;
	else if(r && !strcmp((const char *)r, "External"))
		c->role = MCSEC_KMS_ROLE_EXTERNAL;
	else {
		rc = perr(p, MCSEC_ERR_MALFORMED,
				"%s: Role attribute must be Root or External", path);
		goto out;
	}
	if(g) {
		/* D.3.2.2: if present, the version shall be 1.2.0 */
		if(strcmp((const char *)v, "1.2.0") != 0) {
			rc = perr(p, MCSEC_ERR_MALFORMED,
					"%s: IsSecurityGateway requires Version 1.2.0", path);
			goto out;
		}
		if(!strcmp((const char *)g, "true") || !strcmp((const char *)g, "1"))
			c->is_security_gateway = 1;
		else if(!strcmp((const char *)g, "false")
				|| !strcmp((const char *)g, "0"))
			c->is_security_gateway = 0;
		else {
			rc = perr(p, MCSEC_ERR_MALFORMED,
					"%s: IsSecurityGateway is not an xs:boolean", path);
			goto out;
		}
	}
out:
	xmlFree(v);
	xmlFree(r);
	xmlFree(g);
	return rc;
}

static int parse_cert(struct pctx *p, xmlNodePtr n)
{
	const char *path = "KmsCertificate";
	mcsec_kms_cert_t *c = calloc(1, sizeof(*c));
	unsigned mask = 0;
	int bad = 0, rc;
	uint64_t v;

	if(!c)
		return MCSEC_ERR_INTERNAL;
	c->parameter_set = 1;
	rc = cert_attrs(p, n, c);
	if(rc)
		goto fail;
	for(xmlNodePtr e = mcsec_kms_next_el(n->children, &bad); e;
			e = mcsec_kms_next_el(e->next, &bad)) {
		if(is_kms(e, "KmsUri")) {
			if(!(rc = seen(p, &mask, F_KMSURI, path, e)))
				rc = get_string(p, e, path, &c->kms_uri);
		} else if(is_kms(e, "CertUri")) {
			if(!(rc = seen(p, &mask, F_CERTURI, path, e)))
				rc = get_string(p, e, path, &c->cert_uri);
		} else if(is_kms(e, "Issuer")) {
			if(!(rc = seen(p, &mask, F_ISSUER, path, e)))
				rc = get_string(p, e, path, &c->issuer);
		} else if(is_kms(e, "ValidFrom")) {
			if(!(rc = seen(p, &mask, F_FROM, path, e)))
				rc = get_time(p, e, path, &c->valid_from);
		} else if(is_kms(e, "ValidTo")) {
			if(!(rc = seen(p, &mask, F_TO, path, e)))
				rc = get_time(p, e, path, &c->valid_to);
		} else if(is_kms(e, "Revoked")) {
			if(!(rc = seen(p, &mask, F_REVOKED, path, e)))
				rc = get_bool(p, e, path, &c->revoked);
		} else if(is_kms(e, "UserIdFormat") || is_kms(e, "UserIDFormat")) {
			if(!(rc = seen(p, &mask, F_UIDFMT, path, e))
					&& !(rc = get_u64(p, e, path, &v))) {
				/* D.3.2.3: '2' = the F.2.1 UID scheme */
				if(v != 2)
					rc = perr(p, MCSEC_ERR_UNSUPPORTED,
							"%s/%s: must be 2 (TS 33.180 F.2.1 UIDs)", path,
							(const char *)e->name);
				c->user_id_format = (int)(v > 1000 ? 1000 : v);
			}
		} else if(is_kms(e, "UserKeyPeriod")) {
			if(!(rc = seen(p, &mask, F_PERIOD, path, e))
					&& !(rc = get_u64(p, e, path, &c->user_key_period))
					&& c->user_key_period == 0)
				rc = perr(p, MCSEC_ERR_MALFORMED,
						"%s/UserKeyPeriod: must not be 0", path);
		} else if(is_kms(e, "UserKeyOffset")) {
			if(!(rc = seen(p, &mask, F_OFFSET, path, e)))
				rc = get_u64(p, e, path, &c->user_key_offset);
		} else if(is_kms(e, "PubEncKey")) {
			if(!(rc = seen(p, &mask, F_ENC, path, e)))
				rc = get_hex(
						p, e, path, c->pub_enc_key, MCSEC_SAKKE_POINT_LEN, 1);
		} else if(is_kms(e, "PubAuthKey")) {
			if(!(rc = seen(p, &mask, F_AUTH, path, e)))
				rc = get_hex(
						p, e, path, c->pub_auth_key, MCSEC_ECCSI_POINT_LEN, 1);
		} else if(is_kms(e, "ParameterSet")) {
			if(!(rc = seen(p, &mask, F_PSET, path, e))
					&& !(rc = get_u64(p, e, path, &v)) && v != 1)
				rc = perr(p, MCSEC_ERR_UNSUPPORTED,
						"%s/ParameterSet: only parameter set 1 (RFC 6509) is "
						"supported",
						path);
		} else if(is_kms(e, "KmsDomainList")) {
			if(!(rc = seen(p, &mask, F_DOMAINS, path, e)))
				rc = parse_domains(p, e, c);
		} else if(is_other_ns(e)) {
			continue;
		} else {
			rc = perr(p, MCSEC_ERR_MALFORMED,
					"%s: unexpected element <%.64s>%s", path,
					(const char *)e->name,
					e->ns ? "" : " (not in the KMS namespace)");
		}
		if(rc)
			goto fail;
	}
	if(bad) {
		rc = perr(p, MCSEC_ERR_MALFORMED, "%s: text content", path);
		goto fail;
	}
	{
		static const struct required_field req[] = {{F_KMSURI, "KmsUri"},
				{F_UIDFMT, "UserIdFormat"}, {F_PERIOD, "UserKeyPeriod"},
				{F_OFFSET, "UserKeyOffset"}, {F_ENC, "PubEncKey"},
				{F_AUTH, "PubAuthKey"}};
		rc = check_required(p, mask, req, sizeof(req) / sizeof(req[0]), path);
		if(rc)
			goto fail;
	}
	if(c->valid_from && c->valid_to && c->valid_from > c->valid_to) {
		rc = perr(p, MCSEC_ERR_MALFORMED, "%s: ValidFrom after ValidTo", path);
		goto fail;
	}
	rc = add_item((void ***)&p->doc->certs, &p->doc->ncerts, c);
	if(rc) {
		perr(p, rc, "%s: too many certificates", path);
		goto fail;
	}
	return MCSEC_OK;
fail:
	mcsec_kms_cert_free(c);
	return rc;
}

/* ---- KmsKeySet (D.3.3) ---- */

static int is_keyfield(xmlNodePtr e, const char *name)
{
	char enc[64];
	snprintf(enc, sizeof(enc), "Enc%s", name);
	/* D.3.5.2 substitution group members EncUserDecryptKey & co */
	return is_kms(e, name) || mcsec_kms_is(e, MCSEC_KMS_SECEXT_NS, enc);
}

static int parse_keyset(struct pctx *p, xmlNodePtr n)
{
	const char *path = "KmsKeySet";
	mcsec_kms_keyset_t *k = calloc(1, sizeof(*k));
	unsigned mask = 0;
	int bad = 0, rc = MCSEC_OK;
	xmlChar *ver;

	if(!k)
		return MCSEC_ERR_INTERNAL;
	ver = xmlGetNoNsProp(n, (const xmlChar *)"Version");
	/* D.3.5.1: Version fixed to 1.1.0 */
	if(ver && strcmp((const char *)ver, "1.1.0") != 0)
		rc = perr(p, MCSEC_ERR_UNSUPPORTED,
				"%s: Version attribute must be 1.1.0", path);
	snprintf(k->version, sizeof(k->version), "%s",
			ver ? (const char *)ver : "1.1.0");
	xmlFree(ver);
	if(rc)
		goto fail;
	for(xmlNodePtr e = mcsec_kms_next_el(n->children, &bad); e;
			e = mcsec_kms_next_el(e->next, &bad)) {
		if(is_kms(e, "KmsUri")) {
			if(!(rc = seen(p, &mask, F_KMSURI, path, e)))
				rc = get_string(p, e, path, &k->kms_uri);
		} else if(is_kms(e, "CertUri")) {
			if(!(rc = seen(p, &mask, F_CERTURI, path, e)))
				rc = get_string(p, e, path, &k->cert_uri);
		} else if(is_kms(e, "Issuer")) {
			if(!(rc = seen(p, &mask, F_ISSUER, path, e)))
				rc = get_string(p, e, path, &k->issuer);
		} else if(is_kms(e, "UserUri")) {
			if(!(rc = seen(p, &mask, F_USERURI, path, e)))
				rc = get_string(p, e, path, &k->user_uri);
		} else if(is_kms(e, "UserID")) {
			if(!(rc = seen(p, &mask, F_USERID, path, e)))
				rc = get_hex(p, e, path, k->user_id, MCSEC_UID_LEN, 0);
		} else if(is_kms(e, "ValidFrom")) {
			if(!(rc = seen(p, &mask, F_FROM, path, e)))
				rc = get_time(p, e, path, &k->valid_from);
		} else if(is_kms(e, "ValidTo")) {
			if(!(rc = seen(p, &mask, F_TO, path, e)))
				rc = get_time(p, e, path, &k->valid_to);
		} else if(is_kms(e, "KeyPeriodNo")) {
			if(!(rc = seen(p, &mask, F_PERIODNO, path, e)))
				rc = get_u64(p, e, path, &k->key_period_no);
		} else if(is_kms(e, "Revoked")) {
			if(!(rc = seen(p, &mask, F_REVOKED, path, e)))
				rc = get_bool(p, e, path, &k->revoked);
		} else if(is_keyfield(e, "UserDecryptKey")) {
			if(!(rc = seen(p, &mask, F_RSK, path, e)))
				rc = get_key_value(
						p, e, path, k->rsk, MCSEC_SAKKE_POINT_LEN, 1);
		} else if(is_keyfield(e, "UserSigningKeySSK")) {
			if(!(rc = seen(p, &mask, F_SSK, path, e)))
				rc = get_key_value(
						p, e, path, k->ssk, MCSEC_ECCSI_SCALAR_LEN, 0);
		} else if(is_keyfield(e, "UserPubTokenPVT")) {
			if(!(rc = seen(p, &mask, F_PVT, path, e)))
				rc = get_key_value(
						p, e, path, k->pvt, MCSEC_ECCSI_POINT_LEN, 1);
		} else if(is_other_ns(e)) {
			continue;
		} else {
			rc = perr(p, MCSEC_ERR_MALFORMED,
					"%s: unexpected element <%.64s>%s", path,
					(const char *)e->name,
					e->ns ? "" : " (not in the KMS namespace)");
		}
		if(rc)
			goto fail;
	}
	if(bad) {
		rc = perr(p, MCSEC_ERR_MALFORMED, "%s: text content", path);
		goto fail;
	}
	{
		static const struct required_field req[] = {{F_KMSURI, "KmsUri"},
				{F_USERURI, "UserUri"}, {F_USERID, "UserID"},
				{F_PERIODNO, "KeyPeriodNo"}, {F_RSK, "UserDecryptKey"},
				{F_SSK, "UserSigningKeySSK"}, {F_PVT, "UserPubTokenPVT"}};
		rc = check_required(p, mask, req, sizeof(req) / sizeof(req[0]), path);
		if(rc)
			goto fail;
	}
	if(k->valid_from && k->valid_to && k->valid_from > k->valid_to) {
		rc = perr(p, MCSEC_ERR_MALFORMED, "%s: ValidFrom after ValidTo", path);
		goto fail;
	}
	rc = add_item((void ***)&p->doc->keysets, &p->doc->nkeysets, k);
	if(rc) {
		perr(p, rc, "%s: too many key sets", path);
		goto fail;
	}
	return MCSEC_OK;
fail:
	mcsec_kms_keyset_free(k);
	return rc;
}

/* ---- containers ---- */

/* SignedKmsCertificate (D.3.5.1): KmsCertificate and an optional
 * ds:Signature. That signature's key is not defined by D.3 (the example
 * names the KMS certificate URI with ecdsa-sha256 and no key material), so
 * it is not checked; the enclosing SignedKmsResponse HMAC covers it. */
static int parse_signed_cert(struct pctx *p, xmlNodePtr n)
{
	int bad = 0, ncert = 0, rc;
	for(xmlNodePtr e = mcsec_kms_next_el(n->children, &bad); e;
			e = mcsec_kms_next_el(e->next, &bad)) {
		if(is_kms(e, "KmsCertificate")) {
			if(ncert++)
				return perr(p, MCSEC_ERR_MALFORMED,
						"SignedKmsCertificate: more than one KmsCertificate");
			rc = parse_cert(p, e);
			if(rc)
				return rc;
		} else if(mcsec_kms_is(e, MCSEC_DSIG_NS, "Signature")
				  || is_other_ns(e)) {
			continue;
		} else
			return perr(p, MCSEC_ERR_MALFORMED,
					"SignedKmsCertificate: unexpected <%.64s>",
					(const char *)e->name);
	}
	if(bad || ncert != 1)
		return perr(p, MCSEC_ERR_MALFORMED,
				"SignedKmsCertificate: exactly one KmsCertificate expected");
	return MCSEC_OK;
}

/* D.3.5.2 NewTransportKey / NewIntegrityKey: carried keys are not used by
 * mcsec (its TrK/InK are configured), so they are skipped. */
static int is_new_key(xmlNodePtr e)
{
	return is_kms(e, "NewTransportKey") || is_kms(e, "NewIntegrityKey")
		   || mcsec_kms_is(e, MCSEC_KMS_SECEXT_NS, "NewTransportKey")
		   || mcsec_kms_is(e, MCSEC_KMS_SECEXT_NS, "NewIntegrityKey");
}

static int parse_message_body(struct pctx *p, xmlNodePtr n)
{
	const char *name = (const char *)n->name;
	int bad = 0, ncert = 0, rc;
	int init = is_kms(n, "KmsInit"), prov = is_kms(n, "KmsKeyProv");

	for(xmlNodePtr e = mcsec_kms_next_el(n->children, &bad); e;
			e = mcsec_kms_next_el(e->next, &bad)) {
		if(!prov && is_kms(e, "KmsCertificate")) {
			rc = parse_cert(p, e);
			ncert++;
		} else if(!prov && is_kms(e, "SignedKmsCertificate")) {
			rc = parse_signed_cert(p, e);
			ncert++;
		} else if(prov && is_kms(e, "KmsKeySet")) {
			rc = parse_keyset(p, e);
		} else if(!is_kms(n, "KmsCertCache") && is_new_key(e)) {
			continue;
		} else if(is_other_ns(e)) {
			continue;
		} else {
			rc = perr(p, MCSEC_ERR_MALFORMED, "%s: unexpected <%.64s>", name,
					(const char *)e->name);
		}
		if(rc)
			return rc;
	}
	if(bad)
		return perr(p, MCSEC_ERR_MALFORMED, "%s: text content", name);
	if(init && ncert != 1)
		return perr(p, MCSEC_ERR_MALFORMED,
				"KmsInit: exactly one KmsCertificate expected");
	return MCSEC_OK;
}

static int parse_kms_error(struct pctx *p, xmlNodePtr n)
{
	xmlChar *code = NULL, *msg = NULL;
	int bad = 0;
	for(xmlNodePtr e = mcsec_kms_next_el(n->children, &bad); e;
			e = mcsec_kms_next_el(e->next, &bad)) {
		if(is_kms(e, "ErrorCode") && !code)
			code = mcsec_kms_text(e);
		else if(is_kms(e, "ErrorMsg") && !msg)
			msg = mcsec_kms_text(e);
	}
	perr(p, MCSEC_ERR_UNSUPPORTED, "KmsResponse: KmsError %.16s: %.200s",
			code ? (const char *)code : "?", msg ? (const char *)msg : "");
	xmlFree(code);
	xmlFree(msg);
	return MCSEC_ERR_UNSUPPORTED;
}

static int parse_response(struct pctx *p, xmlNodePtr n)
{
	const char *path = "KmsResponse";
	unsigned mask = 0;
	int bad = 0, rc = MCSEC_OK;
	uint64_t t;

	for(xmlNodePtr e = mcsec_kms_next_el(n->children, &bad); e;
			e = mcsec_kms_next_el(e->next, &bad)) {
		if(is_kms(e, "KmsUri")) {
			rc = seen(p, &mask, F_KMSURI, path, e);
		} else if(is_kms(e, "UserUri")) {
			rc = seen(p, &mask, F_USERURI, path, e);
		} else if(is_kms(e, "Time")) {
			if(!(rc = seen(p, &mask, F_FROM, path, e)))
				rc = get_time(p, e, path, &t);
		} else if(is_kms(e, "KmsId")) {
			rc = seen(p, &mask, F_ISSUER, path, e);
		} else if(is_kms(e, "ClientReqUrl")) {
			rc = seen(p, &mask, F_CERTURI, path, e);
		} else if(is_kms(e, "KmsMessage")) {
			int mb = 0, nb = 0;
			if((rc = seen(p, &mask, F_DOMAINS, path, e)))
				return rc;
			for(xmlNodePtr m = mcsec_kms_next_el(e->children, &mb); m;
					m = mcsec_kms_next_el(m->next, &mb)) {
				if(is_kms(m, "KmsInit") || is_kms(m, "KmsKeyProv")
						|| is_kms(m, "KmsCertCache")) {
					if(nb++)
						return perr(p, MCSEC_ERR_MALFORMED,
								"KmsResponse/KmsMessage: more than one "
								"message");
					rc = parse_message_body(p, m);
					if(rc)
						return rc;
				} else if(is_other_ns(m)) {
					continue;
				} else
					return perr(p, MCSEC_ERR_MALFORMED,
							"KmsResponse/KmsMessage: unexpected <%.64s>",
							(const char *)m->name);
			}
			if(mb)
				return perr(p, MCSEC_ERR_MALFORMED,
						"KmsResponse/KmsMessage: text content");
		} else if(is_kms(e, "KmsError")) {
			return parse_kms_error(p, e);
		} else if(is_other_ns(e)) {
			continue;
		} else {
			rc = perr(p, MCSEC_ERR_MALFORMED, "%s: unexpected element <%.64s>",
					path, (const char *)e->name);
		}
		if(rc)
			return rc;
	}
	if(bad)
		return perr(p, MCSEC_ERR_MALFORMED, "%s: text content", path);
	return MCSEC_OK;
}

static int parse_signed_response(
		struct pctx *p, xmlDocPtr xdoc, xmlNodePtr root)
{
	int bad = 0, rc;
	xmlNodePtr resp = NULL, sig = NULL;

	for(xmlNodePtr e = mcsec_kms_next_el(root->children, &bad); e;
			e = mcsec_kms_next_el(e->next, &bad)) {
		if(!resp && !sig && is_kms(e, "KmsResponse"))
			resp = e;
		else if(resp && !sig && mcsec_kms_is(e, MCSEC_DSIG_NS, "Signature"))
			sig = e;
		else
			return perr(p, MCSEC_ERR_MALFORMED,
					"SignedKmsResponse: expected KmsResponse then an "
					"optional ds:Signature, found <%.64s>",
					(const char *)e->name);
	}
	if(bad || !resp)
		return perr(p, MCSEC_ERR_MALFORMED,
				"SignedKmsResponse: KmsResponse missing");
	if(sig) {
		rc = mcsec_kms_sig_verify(
				xdoc, root, resp, sig, p->opts, p->doc, p->err, p->errlen);
		if(rc)
			return rc;
	}
	return parse_response(p, resp);
}

/* ---- document level ---- */

static int check_tree(struct pctx *p, xmlNodePtr root)
{
	xmlNodePtr n = root;
	int depth = 1;

	/* iterative pre-order walk */
	while(n) {
		if(n->type == XML_ENTITY_REF_NODE || n->type == XML_ENTITY_NODE
				|| n->type == XML_DTD_NODE || n->type == XML_XINCLUDE_START)
			return perr(p, MCSEC_ERR_MALFORMED,
					"entity references are not allowed");
		if(n->type == XML_ELEMENT_NODE && depth > MCSEC_KMS_MAX_DEPTH)
			return perr(p, MCSEC_ERR_MALFORMED,
					"document nested deeper than %d elements",
					MCSEC_KMS_MAX_DEPTH);
		if(n->children && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			depth++;
			continue;
		}
		while(n && n != root && !n->next) {
			n = n->parent;
			depth--;
		}
		if(!n || n == root)
			break;
		n = n->next;
	}
	return MCSEC_OK;
}

static int has_doctype(const char *xml, size_t len)
{
	static const char pat[] = "<!DOCTYPE";
	static const char pat2[] = "<!ENTITY";
	for(size_t i = 0; i + 8 <= len; i++)
		if(xml[i] == '<' && i + 2 <= len && xml[i + 1] == '!'
				&& ((i + 9 <= len && !memcmp(xml + i, pat, 9))
						|| !memcmp(xml + i, pat2, 8)))
			return 1;
	return 0;
}

int mcsec_kms_parse(const char *xml, size_t len,
		const mcsec_kms_parse_opts_t *opts, mcsec_kms_doc_t *doc, char *errbuf,
		size_t errlen)
{
	struct pctx p = {opts, doc, errbuf, errlen};
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr xdoc = NULL;
	xmlNodePtr root;
	int rc;

	if(errbuf && errlen)
		errbuf[0] = '\0';
	if(!doc)
		return MCSEC_ERR_ARG;
	memset(doc, 0, sizeof(*doc));
	if(!xml)
		return MCSEC_ERR_ARG;
	if(len == 0 || len > MCSEC_KMS_MAX_DOC)
		return perr(&p, MCSEC_ERR_MALFORMED,
				"KMS XML: empty or larger than %u octets", MCSEC_KMS_MAX_DOC);
	if(has_doctype(xml, len))
		return perr(&p, MCSEC_ERR_MALFORMED,
				"KMS XML: DOCTYPE / ENTITY declarations are not allowed");
	ctxt = xmlNewParserCtxt();
	if(!ctxt)
		return MCSEC_ERR_INTERNAL;
	xdoc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL,
			XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if(!xdoc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		rc = perr(&p, MCSEC_ERR_MALFORMED,
				"KMS XML not well-formed: line %d: %.120s", e ? e->line : 0,
				e && e->message ? e->message : "?");
		if(errbuf && errlen) {
			size_t l = strlen(errbuf);
			if(l && errbuf[l - 1] == '\n')
				errbuf[l - 1] = '\0';
		}
		goto out;
	}
	if(xdoc->intSubset || xdoc->extSubset) {
		rc = perr(&p, MCSEC_ERR_MALFORMED,
				"KMS XML: DOCTYPE declarations are not allowed");
		goto out;
	}
	root = xmlDocGetRootElement(xdoc);
	if(!root) {
		rc = perr(&p, MCSEC_ERR_MALFORMED, "KMS XML: no root element");
		goto out;
	}
	rc = check_tree(&p, root);
	if(rc)
		goto out;
	if(mcsec_kms_is(root, MCSEC_KMS_SECEXT_NS, "SignedKmsResponse"))
		rc = parse_signed_response(&p, xdoc, root);
	else if(is_kms(root, "KmsResponse"))
		rc = parse_response(&p, root);
	else if(is_kms(root, "KmsCertificate"))
		rc = parse_cert(&p, root);
	else if(is_kms(root, "SignedKmsCertificate"))
		rc = parse_signed_cert(&p, root);
	else if(is_kms(root, "KmsKeySet"))
		rc = parse_keyset(&p, root);
	else
		rc = perr(&p, MCSEC_ERR_UNSUPPORTED,
				"KMS XML: root <%.64s> (namespace %.100s) is not a KMS "
				"certificate, key set or response",
				(const char *)root->name,
				root->ns && root->ns->href ? (const char *)root->ns->href
										   : "none");
	if(rc)
		goto out;
	if(doc->ncerts == 0 && doc->nkeysets == 0) {
		rc = perr(&p, MCSEC_ERR_NOT_FOUND,
				"KMS XML: no KmsCertificate or KmsKeySet in the document");
		goto out;
	}
	if(opts && opts->require_signature
			&& doc->signature != MCSEC_KMS_SIG_VERIFIED) {
		rc = perr(&p, MCSEC_ERR_BAD_SIGNATURE,
				"KMS XML: not a SignedKmsResponse with a verified signature "
				"(signature required)");
		goto out;
	}
out:
	if(xdoc) {
		mcsec_kms_cleanse_tree(xdoc);
		xmlFreeDoc(xdoc);
	}
	xmlFreeParserCtxt(ctxt);
	if(rc)
		mcsec_kms_doc_free(doc);
	return rc;
}
