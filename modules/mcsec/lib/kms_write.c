/*
 * mcsec - write KMS XML as a KMS sends it (TS 33.180 D.3.4 layout):
 * KmsResponse / KmsMessage / KmsInit with the KmsCertificate, or
 * KmsResponse / KmsMessage / KmsKeyProv with KmsKeySet(s); optionally with
 * the D.3.5.2 security extension (key values as xmlenc EncryptedKey,
 * kw-aes256 under a TrK; SignedKmsResponse with an HMAC-SHA256 signature).
 *
 * KmsCertificate children are written in the D.3.5.1 schema order (KmsUri
 * first): the D.3.4.1 example puts CertUri first, which a validating
 * reader would refuse, while order-tolerant readers take either.
 * Octet strings are upper-case hex as in the D.3.4 examples.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>

#include "encoding.h"
#include "hex_ct.h"
#include "kdf.h"
#include "keywrap.h"
#include "kms.h"
#include "kms_sig.h"
#include "mcsec_err.h"

/* A growing output buffer that cleanses what it drops (it holds keys). */
struct sb
{
	char *b;
	size_t len, cap;
	int err;
};

static void sb_put(struct sb *s, const char *p, size_t n)
{
	if(s->err)
		return;
	if(s->len + n + 1 > s->cap) {
		size_t nc = s->cap ? s->cap : 4096;
		char *nb;
		while(nc < s->len + n + 1)
			nc *= 2;
		nb = malloc(nc);
		if(!nb) {
			s->err = 1;
			return;
		}
		if(s->b) {
			memcpy(nb, s->b, s->len);
			OPENSSL_clear_free(s->b, s->cap);
		}
		s->b = nb;
		s->cap = nc;
	}
	memcpy(s->b + s->len, p, n);
	s->len += n;
	s->b[s->len] = '\0';
}

static void sb_puts(struct sb *s, const char *p)
{
	sb_put(s, p, strlen(p));
}

static void sb_printf(struct sb *s, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *s, const char *fmt, ...)
{
	char tmp[512], *big;
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if(n < 0) {
		s->err = 1;
		return;
	}
	if((size_t)n < sizeof(tmp)) {
		sb_put(s, tmp, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if(!big) {
		s->err = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_put(s, big, (size_t)n);
	free(big);
}

/* XML-escaped text or attribute value. */
static void sb_esc(struct sb *s, const char *p)
{
	for(; p && *p; p++) {
		switch(*p) {
			case '&':
				sb_puts(s, "&amp;");
				break;
			case '<':
				sb_puts(s, "&lt;");
				break;
			case '>':
				sb_puts(s, "&gt;");
				break;
			case '"':
				sb_puts(s, "&quot;");
				break;
			default:
				sb_put(s, p, 1);
		}
	}
}

static void sb_free(struct sb *s)
{
	if(s->b)
		OPENSSL_clear_free(s->b, s->cap);
	memset(s, 0, sizeof(*s));
}

static void el_str(
		struct sb *s, const char *ind, const char *name, const char *v)
{
	if(!v)
		return;
	sb_printf(s, "%s<%s>", ind, name);
	sb_esc(s, v);
	sb_printf(s, "</%s>\n", name);
}

static void el_u64(struct sb *s, const char *ind, const char *name, uint64_t v)
{
	sb_printf(s, "%s<%s>%llu</%s>\n", ind, name, (unsigned long long)v, name);
}

static int el_time(
		struct sb *s, const char *ind, const char *name, uint64_t ntp)
{
	char t[MCSEC_KMS_TIME_LEN];
	if(!ntp)
		return MCSEC_OK;
	if(mcsec_kms_time_format(ntp, t))
		return MCSEC_ERR_ARG;
	sb_printf(s, "%s<%s>%s</%s>\n", ind, name, t, name);
	return MCSEC_OK;
}

static void el_hex(struct sb *s, const char *ind, const char *name,
		const uint8_t *v, size_t n)
{
	char *h = malloc(2 * n + 1);
	if(!h) {
		s->err = 1;
		return;
	}
	mcsec_hex_ct_encode_upper(v, n, h);
	sb_printf(s, "%s<%s>", ind, name);
	sb_put(s, h, 2 * n);
	sb_printf(s, "</%s>\n", name);
	OPENSSL_clear_free(h, 2 * n + 1);
}

/* D.3.5.2 EncKeyContentType: the value zero-padded to a multiple of 8
 * octets, kw-aes256 (RFC 3394) under the TrK, base64 in CipherValue. */
static int el_wrapped(struct sb *s, const char *ind, const char *name,
		const uint8_t *v, size_t n, const mcsec_kms_named_key_t *trk)
{
	size_t padded = (n + 7) / 8 * 8, wlen = 0;
	uint8_t *in, *w;
	char *b64;
	int rc;

	if(!trk->key || trk->key_len != MCSEC_KW_KEK_LEN || !trk->name)
		return MCSEC_ERR_ARG;
	in = calloc(1, padded);
	w = malloc(padded + 8);
	b64 = malloc(MCSEC_B64_ENC_LEN(padded + 8));
	if(!in || !w || !b64) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	memcpy(in, v, n);
	rc = mcsec_kw_wrap(trk->key, in, padded, w, padded + 8, &wlen);
	if(rc)
		goto out;
	mcsec_b64_encode(w, wlen, b64, MCSEC_B64_ENC_LEN(padded + 8), 0);
	sb_printf(s, "%s<%s xsi:type=\"se:EncKeyContentType\">\n", ind, name);
	sb_printf(s, "%s  <EncryptedKey xmlns=\"%s\">\n", ind, MCSEC_XENC_NS);
	sb_printf(s, "%s    <EncryptionMethod Algorithm=\"%s\"/>\n", ind,
			MCSEC_ALG_KW_AES256);
	sb_printf(s, "%s    <ds:KeyInfo>\n%s      <ds:KeyName>", ind, ind);
	sb_esc(s, trk->name);
	sb_printf(s, "</ds:KeyName>\n%s    </ds:KeyInfo>\n", ind);
	sb_printf(s,
			"%s    <CipherData>\n%s      <CipherValue>%s</CipherValue>\n"
			"%s    </CipherData>\n",
			ind, ind, b64, ind);
	sb_printf(s, "%s  </EncryptedKey>\n%s</%s>\n", ind, ind, name);
out:
	if(in)
		OPENSSL_clear_free(in, padded);
	free(w);
	free(b64);
	return rc;
}

static int key_value(struct sb *s, const char *ind, const char *name,
		const uint8_t *v, size_t n, const mcsec_kms_write_opts_t *o)
{
	if(o && o->trk)
		return el_wrapped(s, ind, name, v, n, o->trk);
	el_hex(s, ind, name, v, n);
	return MCSEC_OK;
}

/* KmsResponse header (D.3.4, D.3.5.1 KmsResponseType). */
static void response_open(struct sb *s, const char *kms_uri,
		const char *user_uri, uint64_t ntp, const char *req,
		const mcsec_kms_write_opts_t *o)
{
	char t[MCSEC_KMS_TIME_LEN];

	if(!ntp)
		ntp = (uint64_t)time(NULL) + MCSEC_NTP_UNIX_OFFSET;
	if(mcsec_kms_time_format(ntp, t))
		s->err = 1;
	sb_printf(s, "<KmsResponse xmlns=\"%s\"", MCSEC_KMS_NS);
	if(o && o->trk && !o->ink)
		sb_printf(s,
				" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
				" xmlns:ds=\"%s\" xmlns:se=\"%s\"",
				MCSEC_DSIG_NS, MCSEC_KMS_SECEXT_NS);
	sb_puts(s, " Version=\"1.0.0\">\n");
	el_str(s, "  ", "KmsUri", kms_uri);
	sb_puts(s, "  <UserUri>");
	sb_esc(s, user_uri ? user_uri : "");
	sb_puts(s, "</UserUri>\n");
	sb_printf(s, "  <Time>%s</Time>\n", t);
	sb_puts(s, "  <ClientReqUrl>");
	if(!strstr(kms_uri, "://"))
		sb_puts(s, "https://");
	sb_esc(s, kms_uri);
	sb_printf(s, "/keymanagement/identity/v1/%s</ClientReqUrl>\n", req);
	sb_puts(s, "  <KmsMessage>\n");
}

static void response_close(struct sb *s)
{
	sb_puts(s, "  </KmsMessage>\n</KmsResponse>\n");
}

static int write_cert(struct sb *s, const mcsec_kms_cert_t *c)
{
	const char *ind = "      ";
	const char *ver = c->version[0] ? c->version : "1.1.0";
	int rc;

	if(!c->kms_uri || c->user_key_period == 0
			|| (c->role != MCSEC_KMS_ROLE_ROOT
					&& c->role != MCSEC_KMS_ROLE_EXTERNAL)
			|| (strcmp(ver, "1.1.0") && strcmp(ver, "1.2.0"))
			|| (c->is_security_gateway && strcmp(ver, "1.2.0")))
		return MCSEC_ERR_ARG;
	sb_printf(s, "    <KmsCertificate Version=\"%s\" Role=\"%s\"%s>\n", ver,
			c->role == MCSEC_KMS_ROLE_ROOT ? "Root" : "External",
			c->is_security_gateway ? " IsSecurityGateway=\"true\"" : "");
	el_str(s, ind, "KmsUri", c->kms_uri);
	el_str(s, ind, "CertUri", c->cert_uri);
	el_str(s, ind, "Issuer", c->issuer);
	if((rc = el_time(s, ind, "ValidFrom", c->valid_from))
			|| (rc = el_time(s, ind, "ValidTo", c->valid_to)))
		return rc;
	el_str(s, ind, "Revoked", c->revoked ? "true" : "false");
	el_u64(s, ind, "UserIdFormat", 2);
	el_u64(s, ind, "UserKeyPeriod", c->user_key_period);
	el_u64(s, ind, "UserKeyOffset", c->user_key_offset);
	el_hex(s, ind, "PubEncKey", c->pub_enc_key, MCSEC_SAKKE_POINT_LEN);
	el_hex(s, ind, "PubAuthKey", c->pub_auth_key, MCSEC_ECCSI_POINT_LEN);
	el_u64(s, ind, "ParameterSet", 1);
	if(c->ndomains) {
		sb_printf(s, "%s<KmsDomainList>\n", ind);
		for(size_t i = 0; i < c->ndomains; i++)
			el_str(s, "        ", "KmsDomain", c->domains[i]);
		sb_printf(s, "%s</KmsDomainList>\n", ind);
	}
	sb_puts(s, "    </KmsCertificate>\n");
	return MCSEC_OK;
}

static int write_keyset(struct sb *s, const mcsec_kms_keyset_t *k,
		const mcsec_kms_write_opts_t *o)
{
	const char *ind = "        ";
	int rc;

	if(!k->kms_uri || !k->user_uri)
		return MCSEC_ERR_ARG;
	sb_puts(s, "      <KmsKeySet Version=\"1.1.0\">\n");
	el_str(s, ind, "KmsUri", k->kms_uri);
	el_str(s, ind, "CertUri", k->cert_uri);
	el_str(s, ind, "Issuer", k->issuer);
	el_str(s, ind, "UserUri", k->user_uri);
	el_hex(s, ind, "UserID", k->user_id, MCSEC_UID_LEN);
	if((rc = el_time(s, ind, "ValidFrom", k->valid_from))
			|| (rc = el_time(s, ind, "ValidTo", k->valid_to)))
		return rc;
	el_u64(s, ind, "KeyPeriodNo", k->key_period_no);
	el_str(s, ind, "Revoked", k->revoked ? "true" : "false");
	if((rc = key_value(
				s, ind, "UserDecryptKey", k->rsk, MCSEC_SAKKE_POINT_LEN, o))
			|| (rc = key_value(s, ind, "UserSigningKeySSK", k->ssk,
						MCSEC_ECCSI_SCALAR_LEN, o))
			|| (rc = key_value(s, ind, "UserPubTokenPVT", k->pvt,
						MCSEC_ECCSI_POINT_LEN, o)))
		return rc;
	sb_puts(s, "      </KmsKeySet>\n");
	return MCSEC_OK;
}

/* Wrap the KmsResponse in body into a SignedKmsResponse (D.3.4 layout,
 * with the enveloped-signature transform made explicit) and sign it. */
static int sign_response(struct sb *body, const mcsec_kms_named_key_t *ink,
		char **out, size_t *out_len)
{
	struct sb s = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr root, sig = NULL;
	xmlChar *mem = NULL;
	int memlen = 0, rc = MCSEC_ERR_INTERNAL, bad = 0;

	if(!ink->name || !ink->key || ink->key_len == 0)
		return MCSEC_ERR_ARG;
	sb_printf(&s,
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<SignedKmsResponse xmlns=\"%s\""
			" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
			" xmlns:ds=\"%s\" xmlns:se=\"%s\" Id=\"xmldoc\">\n",
			MCSEC_KMS_SECEXT_NS, MCSEC_DSIG_NS, MCSEC_KMS_SECEXT_NS);
	sb_put(&s, body->b, body->len);
	sb_printf(&s,
			"<Signature xmlns=\"%s\">\n"
			"  <SignedInfo>\n"
			"    <CanonicalizationMethod Algorithm=\"%s\"/>\n"
			"    <SignatureMethod Algorithm=\"%s\"/>\n"
			"    <Reference URI=\"#xmldoc\">\n"
			"      <Transforms>\n"
			"        <Transform Algorithm=\"%s\"/>\n"
			"      </Transforms>\n"
			"      <DigestMethod Algorithm=\"%s\"/>\n"
			"      <DigestValue></DigestValue>\n"
			"    </Reference>\n"
			"  </SignedInfo>\n"
			"  <SignatureValue></SignatureValue>\n"
			"  <KeyInfo>\n"
			"    <KeyName>",
			MCSEC_DSIG_NS, MCSEC_ALG_C14N, MCSEC_ALG_HMAC_SHA256,
			MCSEC_ALG_ENVELOPED, MCSEC_ALG_SHA256);
	sb_esc(&s, ink->name);
	sb_puts(&s,
			"</KeyName>\n  </KeyInfo>\n</Signature>\n</SignedKmsResponse>\n");
	if(s.err)
		goto out;
	doc = xmlReadMemory(s.b, (int)s.len, NULL, NULL,
			XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if(!doc) {
		rc = MCSEC_ERR_ARG;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	for(xmlNodePtr e = mcsec_kms_next_el(root->children, &bad); e;
			e = mcsec_kms_next_el(e->next, &bad))
		if(mcsec_kms_is(e, MCSEC_DSIG_NS, "Signature"))
			sig = e;
	if(!sig)
		goto out;
	rc = mcsec_kms_sig_sign(doc, root, sig, ink);
	if(rc)
		goto out;
	xmlDocDumpMemoryEnc(doc, &mem, &memlen, "UTF-8");
	if(!mem || memlen <= 0) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	*out = malloc((size_t)memlen + 1);
	if(!*out) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	memcpy(*out, mem, (size_t)memlen);
	(*out)[memlen] = '\0';
	*out_len = (size_t)memlen;
	rc = MCSEC_OK;
out:
	if(mem) {
		OPENSSL_cleanse(mem, (size_t)(memlen > 0 ? memlen : 0));
		xmlFree(mem);
	}
	if(doc) {
		mcsec_kms_cleanse_tree(doc);
		xmlFreeDoc(doc);
	}
	sb_free(&s);
	return rc;
}

static int finish(struct sb *s, const mcsec_kms_write_opts_t *o, char **out,
		size_t *out_len)
{
	if(s->err) {
		sb_free(s);
		return MCSEC_ERR_INTERNAL;
	}
	if(o && o->ink) {
		int rc = sign_response(s, o->ink, out, out_len);
		sb_free(s);
		return rc;
	}
	/* hand the buffer over; callers cleanse key set documents */
	*out = s->b;
	*out_len = s->len;
	return MCSEC_OK;
}

int mcsec_kms_write_init_ex(const mcsec_kms_cert_t *c,
		const mcsec_kms_write_opts_t *o, char **out, size_t *out_len)
{
	struct sb s = {0};
	int rc;

	if(!c || !out || !out_len || !c->kms_uri)
		return MCSEC_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	if(!(o && o->ink))
		sb_puts(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	response_open(&s, c->kms_uri, NULL, o ? o->time : 0, "init", o);
	sb_puts(&s, "    <KmsInit Version=\"1.0.0\">\n");
	rc = write_cert(&s, c);
	if(rc) {
		sb_free(&s);
		return rc;
	}
	sb_puts(&s, "    </KmsInit>\n");
	response_close(&s);
	return finish(&s, o, out, out_len);
}

int mcsec_kms_write_keyprov_ex(const mcsec_kms_keyset_t *const *k, size_t nk,
		const char *user_uri, const mcsec_kms_write_opts_t *o, char **out,
		size_t *out_len)
{
	struct sb s = {0};
	int rc;

	if(!k || nk == 0 || !out || !out_len || !k[0] || !k[0]->kms_uri)
		return MCSEC_ERR_ARG;
	for(size_t i = 0; i < nk; i++)
		if(!k[i] || !k[i]->kms_uri || strcmp(k[i]->kms_uri, k[0]->kms_uri))
			return MCSEC_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	if(!(o && o->ink))
		sb_puts(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	response_open(&s, k[0]->kms_uri, user_uri ? user_uri : k[0]->user_uri,
			o ? o->time : 0, "keyprov", o);
	sb_printf(&s, "    <KmsKeyProv Version=\"1.0.0\"%s>\n",
			o && o->trk ? " xsi:type=\"se:KmsKeyProvTkType\"" : "");
	for(size_t i = 0; i < nk; i++) {
		rc = write_keyset(&s, k[i], o);
		if(rc) {
			sb_free(&s);
			return rc;
		}
	}
	sb_puts(&s, "    </KmsKeyProv>\n");
	response_close(&s);
	return finish(&s, o, out, out_len);
}

int mcsec_kms_write_init(const mcsec_kms_cert_t *c, char **out, size_t *out_len)
{
	return mcsec_kms_write_init_ex(c, NULL, out, out_len);
}

int mcsec_kms_write_keyprov(const mcsec_kms_keyset_t *k, const char *user_uri,
		char **out, size_t *out_len)
{
	return mcsec_kms_write_keyprov_ex(&k, 1, user_uri, NULL, out, out_len);
}
