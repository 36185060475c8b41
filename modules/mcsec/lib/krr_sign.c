/*
 * mcsec - KRR XML signature (TS 33.180 D.4.2) with xmlsec1 (OpenSSL):
 * digest SHA-256, signature ECDSA-SHA256, C14N 1.0, KeyInfo X509
 * certificate; enveloped signature over the KRR's Id.  Verification checks
 * the profile itself first (Reference URI exactly "#" + the KRR's own Id,
 * only enveloped-signature and C14N 1.0 transforms), then lets xmlsec1
 * verify with the trust anchors; a signature that only verifies with its
 * own (untrusted) certificate is reported as such.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keyinfo.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include "krr.h"
#include "krr_internal.h"
#include "mcsec_err.h"
#include "xml_internal.h"
#include "xmlprot.h"

#define ALG_ECDSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define ALG_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

struct mcsec_krr_signer
{
	xmlSecKeyPtr key; /* EC P-256 private key with its certificate */
};

struct mcsec_krr_trust
{
	xmlSecKeysMngrPtr mngr;
};

/* Set once per process (documented global state), like mcsec_xml_init. */
static int krr_inited;

int mcsec_krr_init(void)
{
	if(krr_inited)
		return MCSEC_OK;
	mcsec_xml_init();
	if(xmlSecInit() < 0)
		return MCSEC_ERR_INTERNAL;
	if(xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0
			|| xmlSecCryptoInit() < 0)
		return MCSEC_ERR_INTERNAL;
	/* library use: no xmlsec1 error text on stderr (errors are codes) */
	xmlSecErrorsDefaultCallbackEnableOutput(0);
	krr_inited = 1;
	return MCSEC_OK;
}

/* D.4.2 uses ECDSA; we sign with P-256 and check that the certificate
 * belongs to the key. */
static int check_pair(const char *key_pem, const char *cert_pem)
{
	FILE *f;
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	char group[32];
	size_t glen = 0;
	int rc = MCSEC_ERR_INVALID_KEY;

	f = fopen(key_pem, "rb");
	if(!f)
		return MCSEC_ERR_IO;
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	f = fopen(cert_pem, "rb");
	if(!f) {
		EVP_PKEY_free(pk);
		return MCSEC_ERR_IO;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if(pk && x && EVP_PKEY_is_a(pk, "EC")
			&& EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen)
			&& !strcmp(group, "prime256v1") && X509_check_private_key(x, pk))
		rc = MCSEC_OK;
	EVP_PKEY_free(pk);
	X509_free(x);
	return rc;
}

int mcsec_krr_signer_load(
		const char *key_pem, const char *cert_pem, mcsec_krr_signer_t **out)
{
	mcsec_krr_signer_t *s;
	int rc;

	if(!key_pem || !cert_pem || !out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	rc = mcsec_krr_init();
	if(rc != MCSEC_OK)
		return rc;
	rc = check_pair(key_pem, cert_pem);
	if(rc != MCSEC_OK)
		return rc;
	s = calloc(1, sizeof(*s));
	if(!s)
		return MCSEC_ERR_INTERNAL;
	s->key = xmlSecCryptoAppKeyLoad(
			key_pem, xmlSecKeyDataFormatPem, NULL, NULL, NULL);
	if(!s->key || !xmlSecKeyCheckId(s->key, xmlSecKeyDataEcdsaId)
			|| xmlSecCryptoAppKeyCertLoad(
					   s->key, cert_pem, xmlSecKeyDataFormatPem)
					   < 0) {
		mcsec_krr_signer_free(s);
		return MCSEC_ERR_INVALID_KEY;
	}
	*out = s;
	return MCSEC_OK;
}

void mcsec_krr_signer_free(mcsec_krr_signer_t *s)
{
	if(!s)
		return;
	/* xmlSecKeyDestroy frees the EVP_PKEY (OpenSSL clears EC scalars) */
	if(s->key)
		xmlSecKeyDestroy(s->key);
	free(s);
}

int mcsec_krr_trust_load(
		const char *const *pem_files, size_t n, mcsec_krr_trust_t **out)
{
	mcsec_krr_trust_t *t;
	int rc;

	if(!out || (n && !pem_files))
		return MCSEC_ERR_ARG;
	*out = NULL;
	rc = mcsec_krr_init();
	if(rc != MCSEC_OK)
		return rc;
	t = calloc(1, sizeof(*t));
	if(!t)
		return MCSEC_ERR_INTERNAL;
	t->mngr = xmlSecKeysMngrCreate();
	if(!t->mngr || xmlSecCryptoAppDefaultKeysMngrInit(t->mngr) < 0) {
		mcsec_krr_trust_free(t);
		return MCSEC_ERR_INTERNAL;
	}
	for(size_t i = 0; i < n; i++) {
		/* read it ourselves first: xmlsec1 1.2.37 leaks its BIO when the
		 * file cannot be parsed or opened */
		FILE *f = fopen(pem_files[i], "rb");
		X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
		if(f)
			fclose(f);
		if(!x) {
			mcsec_krr_trust_free(t);
			return MCSEC_ERR_IO;
		}
		X509_free(x);
		if(xmlSecCryptoAppKeysMngrCertLoad(t->mngr, pem_files[i],
				   xmlSecKeyDataFormatPem, xmlSecKeyDataTypeTrusted)
				< 0) {
			mcsec_krr_trust_free(t);
			return MCSEC_ERR_IO;
		}
	}
	*out = t;
	return MCSEC_OK;
}

void mcsec_krr_trust_free(mcsec_krr_trust_t *t)
{
	if(!t)
		return;
	if(t->mngr)
		xmlSecKeysMngrDestroy(t->mngr);
	free(t);
}

int mcsec_krr_sign_doc(xmlDocPtr doc, const mcsec_krr_signer_t *s)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), sig, ref, ki, x509;
	xmlSecDSigCtxPtr ctx = NULL;
	xmlChar *id;
	char uri[140];
	int rc = MCSEC_ERR_INTERNAL;

	if(!root || !s || !s->key)
		return MCSEC_ERR_ARG;
	id = xmlGetProp(root, BAD_CAST "Id");
	if(!id || strlen((const char *)id) > 128) {
		xmlFree(id);
		return MCSEC_ERR_ARG;
	}
	snprintf(uri, sizeof(uri), "#%s", (const char *)id);
	xmlFree(id);
	/* D.4.2: C14N 1.0, ECDSA-SHA256; default-namespace ds:Signature */
	sig = xmlSecTmplSignatureCreate(
			doc, xmlSecTransformInclC14NId, xmlSecTransformEcdsaSha256Id, NULL);
	if(!sig)
		return MCSEC_ERR_INTERNAL;
	if(!xmlAddChild(root, sig)) {
		xmlFreeNode(sig);
		return MCSEC_ERR_INTERNAL;
	}
	ref = xmlSecTmplSignatureAddReference(
			sig, xmlSecTransformSha256Id, NULL, BAD_CAST uri, NULL);
	if(!ref
			|| !xmlSecTmplReferenceAddTransform(
					ref, xmlSecTransformEnvelopedId))
		goto out;
	ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
	x509 = ki ? xmlSecTmplKeyInfoAddX509Data(ki) : NULL;
	if(!x509 || !xmlSecTmplX509DataAddCertificate(x509))
		goto out;
	ctx = xmlSecDSigCtxCreate(NULL);
	if(!ctx)
		goto out;
	ctx->signKey = xmlSecKeyDuplicate(s->key);
	if(!ctx->signKey)
		goto out;
	if(xmlSecDSigCtxSign(ctx, sig) < 0)
		goto out;
	rc = MCSEC_OK;
out:
	if(ctx)
		xmlSecDSigCtxDestroy(ctx);
	if(rc != MCSEC_OK) {
		xmlUnlinkNode(sig);
		xmlFreeNode(sig);
	}
	return rc;
}

/* ---- verification ---- */

static xmlNodePtr child(xmlNodePtr n, int *bad)
{
	return mcsec_xml_next_elem(n ? n->children : NULL, bad);
}

static xmlNodePtr next(xmlNodePtr n, int *bad)
{
	return mcsec_xml_next_elem(n ? n->next : NULL, bad);
}

/* An AlgorithmType element with exactly this Algorithm and no content. */
static int alg_is(xmlNodePtr n, const char *local, const char *alg)
{
	xmlChar *a;
	int ok, bad = 0;
	if(!mcsec_xml_is(n, MCSEC_DSIG_NS, local))
		return 0;
	if(child(n, &bad) || bad)
		return 0;
	a = xmlGetNoNsProp(n, BAD_CAST "Algorithm");
	ok = a && !strcmp((const char *)a, alg);
	xmlFree(a);
	return ok;
}

/* The D.4.2 profile, checked before any cryptography: one Reference whose
 * URI is exactly "#" + the KRR's Id (no wrapping: the Id is unique in the
 * document and names the element the Signature is a child of), transforms
 * enveloped-signature [+ C14N 1.0], SHA-256, ECDSA-SHA256, C14N 1.0,
 * KeyInfo with an X509Certificate. */
static int profile_ok(xmlNodePtr sig, const char *id)
{
	xmlNodePtr si, c, ref, t, ki, xd;
	xmlChar *uri;
	int bad = 0, ok, have_cert = 0;

	si = child(sig, &bad);
	if(!mcsec_xml_is(si, MCSEC_DSIG_NS, "SignedInfo") || si->properties)
		return 0;
	c = child(si, &bad);
	if(!alg_is(c, "CanonicalizationMethod", MCSEC_ALG_C14N10))
		return 0;
	c = next(c, &bad);
	if(!alg_is(c, "SignatureMethod", ALG_ECDSA_SHA256))
		return 0;
	ref = next(c, &bad);
	if(!mcsec_xml_is(ref, MCSEC_DSIG_NS, "Reference") || next(ref, &bad) || bad)
		return 0;
	uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
	ok = uri && uri[0] == '#' && !strcmp((const char *)uri + 1, id);
	xmlFree(uri);
	if(!ok)
		return 0;
	c = child(ref, &bad);
	if(!mcsec_xml_is(c, MCSEC_DSIG_NS, "Transforms"))
		return 0;
	t = child(c, &bad);
	if(!alg_is(t, "Transform", ALG_ENVELOPED))
		return 0;
	t = next(t, &bad);
	if(t && !alg_is(t, "Transform", MCSEC_ALG_C14N10))
		return 0;
	if(t && next(t, &bad))
		return 0;
	c = next(c, &bad);
	if(!alg_is(c, "DigestMethod", MCSEC_ALG_SHA256))
		return 0;
	c = next(c, &bad);
	if(!mcsec_xml_is(c, MCSEC_DSIG_NS, "DigestValue") || next(c, &bad))
		return 0;
	c = next(si, &bad);
	if(!mcsec_xml_is(c, MCSEC_DSIG_NS, "SignatureValue"))
		return 0;
	ki = next(c, &bad);
	if(!mcsec_xml_is(ki, MCSEC_DSIG_NS, "KeyInfo") || next(ki, &bad))
		return 0;
	for(xd = child(ki, &bad); xd; xd = next(xd, &bad)) {
		if(!mcsec_xml_is(xd, MCSEC_DSIG_NS, "X509Data"))
			return 0;
		for(c = child(xd, &bad); c; c = next(c, &bad))
			if(mcsec_xml_is(c, MCSEC_DSIG_NS, "X509Certificate"))
				have_cert = 1;
	}
	return have_cert && !bad;
}

/* One xmlsec1 verification; 1 = succeeded. */
static int xmlsec_verify(xmlSecKeysMngrPtr mngr, xmlNodePtr sig, int no_chain)
{
	xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(mngr);
	int ok = 0;

	if(!ctx)
		return -1;
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	if(xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformInclC14NId) < 0
			|| xmlSecDSigCtxEnableSignatureTransform(
					   ctx, xmlSecTransformEcdsaSha256Id)
					   < 0
			|| xmlSecDSigCtxEnableReferenceTransform(
					   ctx, xmlSecTransformEnvelopedId)
					   < 0
			|| xmlSecDSigCtxEnableReferenceTransform(
					   ctx, xmlSecTransformInclC14NId)
					   < 0
			|| xmlSecDSigCtxEnableReferenceTransform(
					   ctx, xmlSecTransformSha256Id)
					   < 0
			|| xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
					   (xmlSecPtr)(uintptr_t)xmlSecKeyDataX509Id)
					   < 0) {
		xmlSecDSigCtxDestroy(ctx);
		return -1;
	}
	if(no_chain)
		ctx->keyInfoReadCtx.flags |=
				XMLSEC_KEYINFO_FLAGS_X509DATA_DONT_VERIFY_CERTS;
	if(xmlSecDSigCtxVerify(ctx, sig) == 0
			&& ctx->status == xmlSecDSigStatusSucceeded)
		ok = 1;
	xmlSecDSigCtxDestroy(ctx);
	return ok;
}

int mcsec_krr_verify(
		const mcsec_krr_trust_t *t, const mcsec_krr_t *k, int *sig_status)
{
	xmlNodePtr root, sig = NULL, c;
	xmlSecKeysMngrPtr tmp = NULL;
	int bad = 0, r, rc;

	if(!k || !sig_status || !k->node)
		return MCSEC_ERR_ARG;
	rc = mcsec_krr_init();
	if(rc != MCSEC_OK)
		return rc;
	*sig_status = MCSEC_KRR_SIG_INVALID;
	if(!k->has_signature) {
		*sig_status = MCSEC_KRR_SIG_ABSENT;
		return MCSEC_OK;
	}
	root = (xmlNodePtr)k->node;
	for(c = child(root, &bad); c; c = next(c, &bad))
		sig = c; /* the parser put the only ds:Signature last */
	if(!sig || !mcsec_xml_is(sig, MCSEC_DSIG_NS, "Signature") || !k->id
			|| !profile_ok(sig, k->id))
		return MCSEC_OK;
	/* the Id must name this element (registered, unique) */
	if(xmlGetID(root->doc, BAD_CAST k->id) == NULL
			|| xmlGetID(root->doc, BAD_CAST k->id)->parent != root)
		return MCSEC_OK;
	if(t && t->mngr) {
		r = xmlsec_verify(t->mngr, sig, 0);
		if(r < 0)
			return MCSEC_ERR_INTERNAL;
		if(r == 1) {
			*sig_status = MCSEC_KRR_SIG_VALID;
			return MCSEC_OK;
		}
	}
	/* not trusted (or no anchors): does it verify with its own cert? */
	tmp = xmlSecKeysMngrCreate();
	if(!tmp || xmlSecCryptoAppDefaultKeysMngrInit(tmp) < 0) {
		if(tmp)
			xmlSecKeysMngrDestroy(tmp);
		return MCSEC_ERR_INTERNAL;
	}
	r = xmlsec_verify(tmp, sig, 1);
	xmlSecKeysMngrDestroy(tmp);
	if(r < 0)
		return MCSEC_ERR_INTERNAL;
	if(r == 1)
		*sig_status = MCSEC_KRR_SIG_UNTRUSTED;
	return MCSEC_OK;
}
