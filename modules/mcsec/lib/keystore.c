/*
 * mcsec - the key store: KMS certificates (TS 33.180 D.3.2) and user key
 * sets (D.3.3) for many identities and key periods, validated on load
 * (F.2.1 UID, RFC 6507 5.1.2, RFC 6508 6.1.2) and looked up by KMS URI,
 * user URI + key period, or UID (E.7 identity hiding).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "fileio.h"
#include "kdf.h"
#include "keystore.h"
#include "mcsec_err.h"
#include "sakke_curve.h"

#define KS_MAX_FILES 4096

struct named
{
	char *name;
	uint8_t *key;
	size_t key_len;
};

struct mcsec_keystore
{
	mcsec_kms_cert_t **certs;
	size_t ncerts;
	mcsec_keystore_entry_t **entries; /* pointers: entries never move */
	size_t nentries;
	struct named *trks, *inks;
	size_t ntrks, ninks;
	uint64_t now; /* 0 = real clock */
	int require_signature;
};


mcsec_keystore_t *mcsec_keystore_new(void)
{
	return calloc(1, sizeof(mcsec_keystore_t));
}

static void entry_free(mcsec_keystore_entry_t *e)
{
	if(!e)
		return;
	mcsec_sakke_key_free(e->sakke);
	mcsec_eccsi_signer_free(e->signer);
	mcsec_kms_keyset_free(e->ks);
	free(e);
}

static void named_free(struct named *n, size_t count)
{
	for(size_t i = 0; i < count; i++) {
		free(n[i].name);
		if(n[i].key)
			OPENSSL_clear_free(n[i].key, n[i].key_len);
	}
	free(n);
}

void mcsec_keystore_free(mcsec_keystore_t *ks)
{
	if(!ks)
		return;
	for(size_t i = 0; i < ks->nentries; i++)
		entry_free(ks->entries[i]);
	for(size_t i = 0; i < ks->ncerts; i++)
		mcsec_kms_cert_free(ks->certs[i]);
	free(ks->entries);
	free(ks->certs);
	named_free(ks->trks, ks->ntrks);
	named_free(ks->inks, ks->ninks);
	free(ks);
}

void mcsec_keystore_set_time(mcsec_keystore_t *ks, uint64_t ntp)
{
	if(ks)
		ks->now = ntp;
}

void mcsec_keystore_set_require_signature(mcsec_keystore_t *ks, int on)
{
	if(ks)
		ks->require_signature = on != 0;
}

static int add_named(struct named **arr, size_t *n, const char *name,
		const uint8_t *key, size_t key_len)
{
	struct named *na;
	uint8_t *k;

	if(!name || !*name || !key || key_len == 0 || key_len > 64)
		return MCSEC_ERR_ARG;
	k = OPENSSL_malloc(key_len);
	if(!k)
		return MCSEC_ERR_INTERNAL;
	memcpy(k, key, key_len);
	/* a key of the same name is replaced */
	for(size_t i = 0; i < *n; i++)
		if(!strcmp((*arr)[i].name, name)) {
			OPENSSL_clear_free((*arr)[i].key, (*arr)[i].key_len);
			(*arr)[i].key = k;
			(*arr)[i].key_len = key_len;
			return MCSEC_OK;
		}
	na = realloc(*arr, (*n + 1) * sizeof(**arr));
	if(!na) {
		OPENSSL_clear_free(k, key_len);
		return MCSEC_ERR_INTERNAL;
	}
	*arr = na;
	na[*n].name = strdup(name);
	if(!na[*n].name) {
		OPENSSL_clear_free(k, key_len);
		return MCSEC_ERR_INTERNAL;
	}
	na[*n].key = k;
	na[*n].key_len = key_len;
	(*n)++;
	return MCSEC_OK;
}

int mcsec_keystore_add_trk(mcsec_keystore_t *ks, const char *name,
		const uint8_t *key, size_t key_len)
{
	if(!ks)
		return MCSEC_ERR_ARG;
	return add_named(&ks->trks, &ks->ntrks, name, key, key_len);
}

int mcsec_keystore_add_ink(mcsec_keystore_t *ks, const char *name,
		const uint8_t *key, size_t key_len)
{
	if(!ks)
		return MCSEC_ERR_ARG;
	return add_named(&ks->inks, &ks->ninks, name, key, key_len);
}

static uint64_t ks_now(const mcsec_keystore_t *ks)
{
	return ks->now ? ks->now : (uint64_t)time(NULL) + MCSEC_NTP_UNIX_OFFSET;
}

/* ---- staging: a load adds everything or nothing ---- */

struct stage
{
	mcsec_kms_cert_t **certs;
	size_t ncerts;
	mcsec_keystore_entry_t **entries;
	size_t nentries;
};

static void stage_free(struct stage *st)
{
	for(size_t i = 0; i < st->ncerts; i++)
		mcsec_kms_cert_free(st->certs[i]);
	for(size_t i = 0; i < st->nentries; i++)
		entry_free(st->entries[i]);
	free(st->certs);
	free(st->entries);
	memset(st, 0, sizeof(*st));
}

static int push(void ***arr, size_t *n, void *item)
{
	void **na = realloc(*arr, (*n + 1) * sizeof(void *));
	if(!na)
		return MCSEC_ERR_INTERNAL;
	*arr = na;
	na[(*n)++] = item;
	return MCSEC_OK;
}

static int str_eq(const char *a, const char *b)
{
	if(!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int same_cert(const mcsec_kms_cert_t *a, const mcsec_kms_cert_t *b)
{
	if(strcmp(a->version, b->version) || a->role != b->role
			|| a->is_security_gateway != b->is_security_gateway
			|| !str_eq(a->cert_uri, b->cert_uri)
			|| a->valid_from != b->valid_from || a->valid_to != b->valid_to
			|| a->user_key_period != b->user_key_period
			|| a->user_key_offset != b->user_key_offset
			|| memcmp(a->pub_enc_key, b->pub_enc_key, sizeof(a->pub_enc_key))
			|| memcmp(
					a->pub_auth_key, b->pub_auth_key, sizeof(a->pub_auth_key)))
		return 0;
	return 1;
}

static const mcsec_kms_cert_t *cert_by_uri(
		const mcsec_kms_cert_t *const *v, size_t n, const char *uri, size_t len)
{
	for(size_t i = 0; i < n; i++)
		if(strlen(v[i]->kms_uri) == len && !memcmp(v[i]->kms_uri, uri, len))
			return v[i];
	return NULL;
}

/* RFC 6509 2.1 / RFC 6507 4.2: KPAK is a point of P-256. */
static int kpak_on_curve(const uint8_t kpak[MCSEC_ECCSI_POINT_LEN])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	int ok = p
			 && EC_POINT_oct2point(g, p, kpak, MCSEC_ECCSI_POINT_LEN, NULL) == 1
			 && !EC_POINT_is_at_infinity(g, p);
	EC_POINT_free(p);
	EC_GROUP_free(g);
	return ok;
}

/* RFC 6508 2.1 / RFC 6509 A: Z_T is a point of the SAKKE curve. */
static int z_on_curve(const uint8_t Z[MCSEC_SAKKE_POINT_LEN])
{
	sakke_aff_t a;
	return sakke_curve_init() == MCSEC_OK
		   && sakke_point_decode(&a, Z) == MCSEC_OK;
}

static int stage_cert(mcsec_keystore_t *ks, struct stage *st,
		mcsec_kms_cert_t *c, const char *src, char *err, size_t errlen,
		int *taken)
{
	const mcsec_kms_cert_t *have;
	uint64_t now = ks_now(ks);

	*taken = 0;
	if(c->revoked)
		return mcsec_errf(err, errlen, MCSEC_ERR_REVOKED,
				"%sKmsCertificate of %s: revoked", src, c->kms_uri);
	if(c->valid_to && c->valid_to < now)
		return mcsec_errf(err, errlen, MCSEC_ERR_EXPIRED,
				"%sKmsCertificate of %s: expired (ValidTo is past)", src,
				c->kms_uri);
	if(!kpak_on_curve(c->pub_auth_key))
		return mcsec_errf(err, errlen, MCSEC_ERR_INVALID_KEY,
				"%sKmsCertificate of %s: PubAuthKey is not a P-256 point", src,
				c->kms_uri);
	if(!z_on_curve(c->pub_enc_key))
		return mcsec_errf(err, errlen, MCSEC_ERR_INVALID_KEY,
				"%sKmsCertificate of %s: PubEncKey is not a point of the "
				"SAKKE curve (RFC 6509)",
				src, c->kms_uri);
	have = cert_by_uri((const mcsec_kms_cert_t *const *)ks->certs, ks->ncerts,
			c->kms_uri, strlen(c->kms_uri));
	if(!have)
		have = cert_by_uri((const mcsec_kms_cert_t *const *)st->certs,
				st->ncerts, c->kms_uri, strlen(c->kms_uri));
	if(have) {
		if(same_cert(have, c))
			return MCSEC_OK; /* identical: skipped */
		return mcsec_errf(err, errlen, MCSEC_ERR_ARG,
				"%sKmsCertificate of %s: a different certificate of this "
				"KMS is already loaded",
				src, c->kms_uri);
	}
	if(push((void ***)&st->certs, &st->ncerts, c))
		return MCSEC_ERR_INTERNAL;
	*taken = 1;
	return MCSEC_OK;
}

static const mcsec_keystore_entry_t *entry_by_key(
		mcsec_keystore_entry_t *const *v, size_t n, const mcsec_kms_keyset_t *k)
{
	for(size_t i = 0; i < n; i++)
		if(v[i]->ks->key_period_no == k->key_period_no
				&& !strcmp(v[i]->ks->user_uri, k->user_uri)
				&& !strcmp(v[i]->ks->kms_uri, k->kms_uri))
			return v[i];
	return NULL;
}

static int same_keyset(const mcsec_kms_keyset_t *a, const mcsec_kms_keyset_t *b)
{
	/* constant time over the secrets */
	return !(CRYPTO_memcmp(a->user_id, b->user_id, sizeof(a->user_id))
			 | CRYPTO_memcmp(a->rsk, b->rsk, sizeof(a->rsk))
			 | CRYPTO_memcmp(a->ssk, b->ssk, sizeof(a->ssk))
			 | CRYPTO_memcmp(a->pvt, b->pvt, sizeof(a->pvt)));
}

static int stage_keyset(mcsec_keystore_t *ks, struct stage *st,
		mcsec_kms_keyset_t *k, const char *src, char *err, size_t errlen,
		int *taken)
{
	const mcsec_kms_cert_t *cert;
	const mcsec_keystore_entry_t *dup;
	mcsec_keystore_entry_t *e;
	uint8_t uid[MCSEC_UID_LEN];
	uint64_t now = ks_now(ks);
	int rc;

	*taken = 0;
	if(k->revoked)
		return mcsec_errf(err, errlen, MCSEC_ERR_REVOKED,
				"%sKmsKeySet of %s period %llu: revoked", src, k->user_uri,
				(unsigned long long)k->key_period_no);
	if(k->valid_to && k->valid_to < now)
		return mcsec_errf(err, errlen, MCSEC_ERR_EXPIRED,
				"%sKmsKeySet of %s period %llu: expired (ValidTo is past)", src,
				k->user_uri, (unsigned long long)k->key_period_no);
	cert = cert_by_uri((const mcsec_kms_cert_t *const *)st->certs, st->ncerts,
			k->kms_uri, strlen(k->kms_uri));
	if(!cert)
		cert = cert_by_uri((const mcsec_kms_cert_t *const *)ks->certs,
				ks->ncerts, k->kms_uri, strlen(k->kms_uri));
	if(!cert)
		return mcsec_errf(err, errlen, MCSEC_ERR_UNKNOWN_KMS,
				"%sKmsKeySet of %s: no certificate of KMS %s is loaded "
				"(load the KMS certificate first)",
				src, k->user_uri, k->kms_uri);
	dup = entry_by_key(ks->entries, ks->nentries, k);
	if(!dup)
		dup = entry_by_key(st->entries, st->nentries, k);
	if(dup) {
		if(same_keyset(dup->ks, k))
			return MCSEC_OK; /* identical: skipped */
		return mcsec_errf(err, errlen, MCSEC_ERR_ARG,
				"%sKmsKeySet of %s period %llu: a different key set for "
				"this user, KMS and period is already loaded",
				src, k->user_uri, (unsigned long long)k->key_period_no);
	}
	/* TS 33.180 F.2.1 / D.3.3: UserID is the UID of this key period */
	rc = mcsec_uid(k->user_uri, strlen(k->user_uri), k->kms_uri,
			strlen(k->kms_uri), cert->user_key_period, cert->user_key_offset,
			k->key_period_no, uid);
	if(rc)
		return mcsec_errf(err, errlen, rc,
				"%sKmsKeySet of %s: cannot compute UID", src, k->user_uri);
	if(CRYPTO_memcmp(uid, k->user_id, MCSEC_UID_LEN) != 0)
		return mcsec_errf(err, errlen, MCSEC_ERR_IDENTITY_MISMATCH,
				"%sKmsKeySet of %s period %llu: UserID is not the F.2.1 UID "
				"of UserUri, KmsUri and KeyPeriodNo",
				src, k->user_uri, (unsigned long long)k->key_period_no);
	e = calloc(1, sizeof(*e));
	if(!e)
		return MCSEC_ERR_INTERNAL;
	/* RFC 6507 5.1.2 */
	rc = mcsec_eccsi_signer_new(cert->pub_auth_key, k->user_id, MCSEC_UID_LEN,
			k->ssk, k->pvt, &e->signer);
	if(rc) {
		free(e);
		return mcsec_errf(err, errlen, rc,
				"%sKmsKeySet of %s period %llu: UserSigningKeySSK / "
				"UserPubTokenPVT do not validate against the KMS PubAuthKey "
				"(RFC 6507 5.1.2)",
				src, k->user_uri, (unsigned long long)k->key_period_no);
	}
	/* RFC 6508 6.1.2 */
	rc = mcsec_sakke_key_new(
			cert->pub_enc_key, k->user_id, MCSEC_UID_LEN, k->rsk, &e->sakke);
	if(rc) {
		mcsec_eccsi_signer_free(e->signer);
		free(e);
		return mcsec_errf(err, errlen, rc,
				"%sKmsKeySet of %s period %llu: UserDecryptKey does not "
				"validate against the KMS PubEncKey (RFC 6508 6.1.2)",
				src, k->user_uri, (unsigned long long)k->key_period_no);
	}
	e->ks = k;
	e->cert = cert;
	if(push((void ***)&st->entries, &st->nentries, e)) {
		e->ks = NULL;
		entry_free(e);
		return MCSEC_ERR_INTERNAL;
	}
	*taken = 1;
	return MCSEC_OK;
}

/* Move the staged items into the store. */
static int commit(mcsec_keystore_t *ks, struct stage *st)
{
	mcsec_kms_cert_t **nc;
	mcsec_keystore_entry_t **ne;

	nc = realloc(ks->certs, (ks->ncerts + st->ncerts + 1) * sizeof(*nc));
	if(!nc)
		return MCSEC_ERR_INTERNAL;
	ks->certs = nc;
	ne = realloc(ks->entries, (ks->nentries + st->nentries + 1) * sizeof(*ne));
	if(!ne)
		return MCSEC_ERR_INTERNAL;
	ks->entries = ne;
	if(st->ncerts)
		memcpy(nc + ks->ncerts, st->certs, st->ncerts * sizeof(*nc));
	ks->ncerts += st->ncerts;
	if(st->nentries)
		memcpy(ne + ks->nentries, st->entries, st->nentries * sizeof(*ne));
	ks->nentries += st->nentries;
	free(st->certs);
	free(st->entries);
	memset(st, 0, sizeof(*st));
	return MCSEC_OK;
}

/* Certificates of every document first, then key sets. Items taken by the
 * stage are removed from their document. */
static int load_docs(mcsec_keystore_t *ks, mcsec_kms_doc_t *docs, char **names,
		size_t n, char *err, size_t errlen)
{
	struct stage st = {0};
	char src[300];
	int rc = MCSEC_OK, taken;

	for(size_t d = 0; d < n && !rc; d++) {
		snprintf(src, sizeof(src), "%s%s", names[d] ? names[d] : "",
				names[d] ? ": " : "");
		for(size_t i = 0; i < docs[d].ncerts && !rc; i++) {
			rc = stage_cert(
					ks, &st, docs[d].certs[i], src, err, errlen, &taken);
			if(taken)
				docs[d].certs[i] = NULL;
		}
	}
	for(size_t d = 0; d < n && !rc; d++) {
		snprintf(src, sizeof(src), "%s%s", names[d] ? names[d] : "",
				names[d] ? ": " : "");
		for(size_t i = 0; i < docs[d].nkeysets && !rc; i++) {
			rc = stage_keyset(
					ks, &st, docs[d].keysets[i], src, err, errlen, &taken);
			if(taken)
				docs[d].keysets[i] = NULL;
		}
	}
	if(!rc)
		rc = commit(ks, &st);
	stage_free(&st);
	return rc;
}

static void parse_opts(const mcsec_keystore_t *ks, mcsec_kms_parse_opts_t *o,
		mcsec_kms_named_key_t **trk, mcsec_kms_named_key_t **ink)
{
	memset(o, 0, sizeof(*o));
	*trk = calloc(ks->ntrks + 1, sizeof(**trk));
	*ink = calloc(ks->ninks + 1, sizeof(**ink));
	for(size_t i = 0; *trk && i < ks->ntrks; i++)
		(*trk)[i] = (mcsec_kms_named_key_t){
				ks->trks[i].name, ks->trks[i].key, ks->trks[i].key_len};
	for(size_t i = 0; *ink && i < ks->ninks; i++)
		(*ink)[i] = (mcsec_kms_named_key_t){
				ks->inks[i].name, ks->inks[i].key, ks->inks[i].key_len};
	o->trks = *trk;
	o->ntrks = *trk ? ks->ntrks : 0;
	o->inks = *ink;
	o->ninks = *ink ? ks->ninks : 0;
	o->require_signature = ks->require_signature;
}

static int parse_one(const mcsec_keystore_t *ks, const char *xml, size_t len,
		const char *name, mcsec_kms_doc_t *doc, char *err, size_t errlen)
{
	mcsec_kms_parse_opts_t o;
	mcsec_kms_named_key_t *trk, *ink;
	char perr[400];
	int rc;

	parse_opts(ks, &o, &trk, &ink);
	if(!trk || !ink)
		rc = MCSEC_ERR_INTERNAL;
	else
		rc = mcsec_kms_parse(xml, len, &o, doc, perr, sizeof(perr));
	free(trk);
	free(ink);
	if(rc)
		mcsec_errf(err, errlen, rc, "%s%s%s", name ? name : "",
				name ? ": " : "",
				rc == MCSEC_ERR_INTERNAL ? "out of memory" : perr);
	return rc;
}

int mcsec_keystore_load_xml(mcsec_keystore_t *ks, const char *xml, size_t len,
		char *errbuf, size_t errlen)
{
	mcsec_kms_doc_t doc;
	char *name = NULL;
	int rc;

	if(errbuf && errlen)
		errbuf[0] = '\0';
	if(!ks || !xml)
		return MCSEC_ERR_ARG;
	rc = parse_one(ks, xml, len, NULL, &doc, errbuf, errlen);
	if(rc)
		return rc;
	rc = load_docs(ks, &doc, &name, 1, errbuf, errlen);
	mcsec_kms_doc_free(&doc);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(
		const char *path, char ***names, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int rc = MCSEC_OK;

	*names = NULL;
	*n = 0;
	if(!d)
		return mcsec_errf(err, errlen, MCSEC_ERR_IO, "%s: cannot open: %s",
				path, strerror(errno));
	while((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char *full;
		if(l < 5 || strcmp(de->d_name + l - 4, ".xml") != 0
				|| de->d_name[0] == '.')
			continue;
		if(*n >= KS_MAX_FILES) {
			rc = mcsec_errf(err, errlen, MCSEC_ERR_ARG,
					"%s: more than %d files", path, KS_MAX_FILES);
			break;
		}
		full = malloc(strlen(path) + l + 2);
		if(!full || push((void ***)names, n, full)) {
			free(full);
			rc = MCSEC_ERR_INTERNAL;
			break;
		}
		sprintf(full, "%s/%s", path, de->d_name);
	}
	closedir(d);
	if(!rc && *n == 0)
		rc = mcsec_errf(
				err, errlen, MCSEC_ERR_NOT_FOUND, "%s: no *.xml file", path);
	if(rc) {
		for(size_t i = 0; i < *n; i++)
			free((*names)[i]);
		free(*names);
		*names = NULL;
		*n = 0;
		return rc;
	}
	qsort(*names, *n, sizeof(char *), cmp_str);
	return MCSEC_OK;
}

int mcsec_keystore_load_path(
		mcsec_keystore_t *ks, const char *path, char *errbuf, size_t errlen)
{
	struct stat sb;
	char **names = NULL;
	size_t n = 0, parsed = 0;
	mcsec_kms_doc_t *docs = NULL;
	int rc;

	if(errbuf && errlen)
		errbuf[0] = '\0';
	if(!ks || !path)
		return MCSEC_ERR_ARG;
	if(stat(path, &sb) != 0)
		return mcsec_errf(
				errbuf, errlen, MCSEC_ERR_IO, "%s: %s", path, strerror(errno));
	if(S_ISDIR(sb.st_mode)) {
		rc = list_dir(path, &names, &n, errbuf, errlen);
		if(rc)
			return rc;
	} else {
		names = malloc(sizeof(char *));
		if(!names || !(names[0] = strdup(path))) {
			free(names);
			return MCSEC_ERR_INTERNAL;
		}
		n = 1;
	}
	docs = calloc(n, sizeof(*docs));
	if(!docs) {
		rc = MCSEC_ERR_INTERNAL;
		goto out;
	}
	for(; parsed < n; parsed++) {
		char *buf = NULL;
		size_t len = 0;
		rc = mcsec_read_file(
				names[parsed], MCSEC_KMS_MAX_DOC, &buf, &len, errbuf, errlen);
		if(rc)
			goto out;
		if(len == 0) {
			OPENSSL_clear_free(buf, 1);
			rc = mcsec_errf(errbuf, errlen, MCSEC_ERR_MALFORMED, "%s: empty",
					names[parsed]);
			goto out;
		}
		rc = parse_one(
				ks, buf, len, names[parsed], &docs[parsed], errbuf, errlen);
		OPENSSL_clear_free(buf, len + 1);
		if(rc)
			goto out;
	}
	rc = load_docs(ks, docs, names, n, errbuf, errlen);
out:
	for(size_t i = 0; i < parsed; i++)
		mcsec_kms_doc_free(&docs[i]);
	free(docs);
	for(size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* ---- lookups ---- */

int mcsec_keystore_find_cert(const mcsec_keystore_t *ks, const char *kms_uri,
		size_t kms_len, uint64_t ntp_time, const mcsec_kms_cert_t **out)
{
	const mcsec_kms_cert_t *c;

	if(!ks || !kms_uri || !out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	c = cert_by_uri((const mcsec_kms_cert_t *const *)ks->certs, ks->ncerts,
			kms_uri, kms_len);
	if(!c)
		return MCSEC_ERR_UNKNOWN_KMS;
	if(c->revoked)
		return MCSEC_ERR_REVOKED;
	if(ntp_time
			&& ((c->valid_from && ntp_time < c->valid_from)
					|| (c->valid_to && ntp_time > c->valid_to)))
		return MCSEC_ERR_EXPIRED;
	*out = c;
	return MCSEC_OK;
}

static int uri_eq(const char *s, const char *p, size_t len)
{
	return strlen(s) == len && !memcmp(s, p, len);
}

int mcsec_keystore_find_keyset(const mcsec_keystore_t *ks, const char *user_uri,
		size_t uri_len, const char *kms_uri, size_t kms_len, uint64_t period_no,
		const mcsec_keystore_entry_t **out)
{
	if(!ks || !user_uri || !kms_uri || !out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	for(size_t i = 0; i < ks->nentries; i++) {
		const mcsec_kms_keyset_t *k = ks->entries[i]->ks;
		if(k->key_period_no == period_no
				&& uri_eq(k->user_uri, user_uri, uri_len)
				&& uri_eq(k->kms_uri, kms_uri, kms_len)) {
			*out = ks->entries[i];
			return MCSEC_OK;
		}
	}
	return MCSEC_ERR_NO_KEYSET;
}

int mcsec_keystore_find_keyset_by_uid(const mcsec_keystore_t *ks,
		const uint8_t uid[MCSEC_UID_LEN], const char *kms_uri, size_t kms_len,
		const mcsec_keystore_entry_t **out)
{
	if(!ks || !uid || !kms_uri || !out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	for(size_t i = 0; i < ks->nentries; i++) {
		const mcsec_kms_keyset_t *k = ks->entries[i]->ks;
		if(!memcmp(k->user_id, uid, MCSEC_UID_LEN)
				&& uri_eq(k->kms_uri, kms_uri, kms_len)) {
			*out = ks->entries[i];
			return MCSEC_OK;
		}
	}
	return MCSEC_ERR_NO_KEYSET;
}

size_t mcsec_keystore_ncerts(const mcsec_keystore_t *ks)
{
	return ks ? ks->ncerts : 0;
}

size_t mcsec_keystore_nkeysets(const mcsec_keystore_t *ks)
{
	return ks ? ks->nentries : 0;
}

const mcsec_kms_cert_t *mcsec_keystore_cert_at(
		const mcsec_keystore_t *ks, size_t i)
{
	return ks && i < ks->ncerts ? ks->certs[i] : NULL;
}

const mcsec_keystore_entry_t *mcsec_keystore_entry_at(
		const mcsec_keystore_t *ks, size_t i)
{
	return ks && i < ks->nentries ? ks->entries[i] : NULL;
}
