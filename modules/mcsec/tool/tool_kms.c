/*
 * mcsec kms - a test KMS (TS 33.180 Annex D) and KMS XML helpers.
 *
 *   mcsec kms init  --kms-uri URI --out DIR [--period SECS] [--offset SECS]
 *                   [--valid-from NTP] [--valid-to NTP] [--domain D]...
 *   mcsec kms issue --kms DIR --user URI (--period-no N | --time NTP-SECS)
 *                   --out KEYSET.xml [--trk NAME=HEX] [--ink NAME=HEX]
 *   mcsec kms show  [--trk NAME=HEX] [--ink NAME=HEX] FILE
 *   mcsec kms check --cert FILE|DIR [--cert ...] [--keyset FILE|DIR ...]
 *                   [--trk NAME=HEX] [--ink NAME=HEX] [--require-signature]
 *                   [--at NTP-SECS]
 *
 * init writes DIR/kms-secret.txt (mode 0600): name=hex lines
 *   kms-uri, period, offset, [valid-from, valid-to,] ksak (ECCSI KSAK),
 *   kpak (KPAK), z (SAKKE master secret), pub-enc-key (Z = [z]P)
 * and DIR/kms-cert.xml: a KmsResponse/KmsInit with the Root KmsCertificate
 * (Version 1.1.0, UserIdFormat 2). issue writes a KmsResponse/KmsKeyProv
 * with the KmsKeySet for the key period (mode 0600). show and check print
 * public values only; secrets never reach stdout or stderr.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "../lib/eccsi.h"
#include "../lib/encoding.h"
#include "../lib/hex_ct.h"
#include "../lib/kdf.h"
#include "../lib/keystore.h"
#include "../lib/kms.h"
#include "../lib/mcsec_err.h"
#include "../lib/sakke.h"
#include "tool.h"

#define KMS_SECRET_FILE "kms-secret.txt"
#define KMS_CERT_FILE "kms-cert.xml"
#define MAX_MULTI 64

static void kms_usage(FILE *f)
{
	fprintf(f,
			"usage: mcsec kms init  --kms-uri URI --out DIR [--period SECS] "
			"[--offset SECS]\n"
			"                       [--valid-from NTP] [--valid-to NTP] "
			"[--domain D]...\n"
			"       mcsec kms issue --kms DIR --user URI (--period-no N | "
			"--time NTP-SECS)\n"
			"                       --out KEYSET.xml [--trk NAME=HEX] "
			"[--ink NAME=HEX]\n"
			"       mcsec kms show  [--trk NAME=HEX] [--ink NAME=HEX] FILE\n"
			"       mcsec kms check --cert FILE|DIR... [--keyset FILE|DIR...] "
			"[--trk NAME=HEX]\n"
			"                       [--ink NAME=HEX] [--require-signature] "
			"[--at NTP-SECS]\n");
}

/* ---- options ---- */

struct opts
{
	const char *kms_uri, *out, *period, *offset, *valid_from, *valid_to;
	const char *kms_dir, *user, *period_no, *time, *at;
	const char *domains[MAX_MULTI], *certs[MAX_MULTI], *keysets[MAX_MULTI];
	const char *trks[MAX_MULTI], *inks[MAX_MULTI];
	size_t ndomains, ncerts, nkeysets, ntrks, ninks;
	const char *file;
	int require_signature;
};

static int parse_opts(
		int argc, char **argv, const char *const *allowed, struct opts *o)
{
	static const struct
	{
		const char *name;
		size_t off;
		int multi; /* offset of the count for repeatable options */
		size_t count_off;
	} tab[] = {
#define S(n, f) {n, offsetof(struct opts, f), 0, 0}
#define M(n, f, c)                                               \
	{                                                            \
		n, offsetof(struct opts, f), 1, offsetof(struct opts, c) \
	}
			S("--kms-uri", kms_uri),
			S("--out", out),
			S("--period", period),
			S("--offset", offset),
			S("--valid-from", valid_from),
			S("--valid-to", valid_to),
			S("--kms", kms_dir),
			S("--user", user),
			S("--period-no", period_no),
			S("--time", time),
			S("--at", at),
			M("--domain", domains, ndomains),
			M("--cert", certs, ncerts),
			M("--keyset", keysets, nkeysets),
			M("--trk", trks, ntrks),
			M("--ink", inks, ninks),
#undef S
#undef M
	};
	const char *sub = argv[0];

	memset(o, 0, sizeof(*o));
	for(int i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t t;
		int ok = 0;

		if(!strcmp(a, "-h") || !strcmp(a, "--help")) {
			kms_usage(stdout);
			return 1;
		}
		for(const char *const *p = allowed; *p; p++)
			if(!strcmp(*p, a))
				ok = 1;
		if(!ok) {
			if(a[0] == '-' && a[1] != '\0') {
				tool_err("kms %s: unknown option '%s'", sub, a);
				kms_usage(stderr);
				return -1;
			}
			/* a positional FILE, where the subcommand takes one */
			ok = 0;
			for(const char *const *p = allowed; *p; p++)
				if(!strcmp(*p, "FILE"))
					ok = 1;
			if(!ok || o->file) {
				tool_err("kms %s: unexpected argument '%s'", sub, a);
				kms_usage(stderr);
				return -1;
			}
			o->file = a;
			continue;
		}
		if(!strcmp(a, "--require-signature")) {
			o->require_signature = 1;
			continue;
		}
		for(t = 0; t < sizeof(tab) / sizeof(tab[0]); t++)
			if(!strcmp(tab[t].name, a))
				break;
		if(t == sizeof(tab) / sizeof(tab[0]))
			return -1;
		if(i + 1 >= argc) {
			tool_err("kms %s: %s needs a value", sub, a);
			return -1;
		}
		if(tab[t].multi) {
			const char **arr = (const char **)((char *)o + tab[t].off);
			size_t *cnt = (size_t *)((char *)o + tab[t].count_off);
			if(*cnt >= MAX_MULTI) {
				tool_err("kms %s: too many %s", sub, a);
				return -1;
			}
			arr[(*cnt)++] = argv[++i];
		} else {
			const char **dst = (const char **)((char *)o + tab[t].off);
			if(*dst) {
				tool_err("kms %s: %s given twice", sub, a);
				return -1;
			}
			*dst = argv[++i];
		}
	}
	return 0;
}

/* NAME=HEX into a named key (key malloc'd, cleansed by named_free). */
static int named_arg(const char *opt, const char *arg, mcsec_kms_named_key_t *k)
{
	const char *eq = strrchr(arg, '=');
	uint8_t *key;
	long n;
	char *name;

	if(!eq || eq == arg || !eq[1]) {
		tool_err("%s: expected NAME=HEX", opt);
		return -1;
	}
	key = OPENSSL_malloc(64);
	name = strndup(arg, (size_t)(eq - arg));
	if(!key || !name) {
		OPENSSL_free(key);
		free(name);
		tool_err("out of memory");
		return -1;
	}
	n = tool_hex_arg(opt, eq + 1, key, 64, 0);
	if(n <= 0) {
		OPENSSL_clear_free(key, 64);
		free(name);
		if(n == 0)
			tool_err("%s: empty key", opt);
		return -1;
	}
	k->name = name;
	k->key = key;
	k->key_len = (size_t)n;
	return 0;
}

static void named_free(mcsec_kms_named_key_t *k, size_t n)
{
	for(size_t i = 0; i < n; i++) {
		free((char *)k[i].name);
		if(k[i].key)
			OPENSSL_clear_free((uint8_t *)k[i].key, 64);
	}
}

static int named_args(const char *opt, const char *const *args, size_t n,
		mcsec_kms_named_key_t *out)
{
	for(size_t i = 0; i < n; i++)
		if(named_arg(opt, args[i], &out[i])) {
			named_free(out, i);
			return -1;
		}
	return 0;
}

/* ---- the KMS secret file ---- */

struct kms_secret
{
	char *kms_uri;
	uint64_t period, offset, valid_from, valid_to;
	uint8_t ksak[MCSEC_ECCSI_SCALAR_LEN], kpak[MCSEC_ECCSI_POINT_LEN];
	uint8_t z[MCSEC_SAKKE_SCALAR_LEN], Z[MCSEC_SAKKE_POINT_LEN];
};

static void secret_clear(struct kms_secret *s)
{
	free(s->kms_uri);
	OPENSSL_cleanse(s, sizeof(*s));
}

static char *path_join(const char *dir, const char *file)
{
	char *p = malloc(strlen(dir) + strlen(file) + 2);
	if(p)
		sprintf(p, "%s/%s", dir, file);
	return p;
}

static int read_secret(const char *dir, struct kms_secret *s)
{
	char *path = path_join(dir, KMS_SECRET_FILE), *buf = NULL, *line, *save;
	size_t len;
	unsigned have = 0;
	struct stat st;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if(!path) {
		tool_err("out of memory");
		return -1;
	}
	if(stat(path, &st) == 0 && (st.st_mode & 077))
		tool_err("warning: %s is readable by others (mode %03o)", path,
				(unsigned)(st.st_mode & 0777));
	if(tool_read_input(path, &buf, &len))
		goto out;
	for(line = strtok_r(buf, "\n", &save); line;
			line = strtok_r(NULL, "\n", &save)) {
		char *eq, *v;
		long n = 0;
		size_t l = strlen(line);
		if(l && line[l - 1] == '\r')
			line[--l] = '\0';
		if(!l || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if(!eq) {
			tool_err("%s: bad line (expected name=value)", path);
			goto out;
		}
		*eq = '\0';
		v = eq + 1;
		if(!strcmp(line, "kms-uri")) {
			free(s->kms_uri);
			s->kms_uri = strdup(v);
			have |= 1;
		} else if(!strcmp(line, "period")) {
			if(tool_u64_arg("period", v, &s->period))
				goto out;
			have |= 2;
		} else if(!strcmp(line, "offset")) {
			if(tool_u64_arg("offset", v, &s->offset))
				goto out;
			have |= 4;
		} else if(!strcmp(line, "valid-from")) {
			if(tool_u64_arg("valid-from", v, &s->valid_from))
				goto out;
		} else if(!strcmp(line, "valid-to")) {
			if(tool_u64_arg("valid-to", v, &s->valid_to))
				goto out;
		} else if(!strcmp(line, "ksak")) {
			n = mcsec_hex_ct_decode(v, strlen(v), s->ksak, sizeof(s->ksak));
			have |= n == (long)sizeof(s->ksak) ? 8 : 0;
		} else if(!strcmp(line, "kpak")) {
			n = mcsec_hex_ct_decode(v, strlen(v), s->kpak, sizeof(s->kpak));
			have |= n == (long)sizeof(s->kpak) ? 16 : 0;
		} else if(!strcmp(line, "z")) {
			n = mcsec_hex_ct_decode(v, strlen(v), s->z, sizeof(s->z));
			have |= n == (long)sizeof(s->z) ? 32 : 0;
		} else if(!strcmp(line, "pub-enc-key")) {
			n = mcsec_hex_ct_decode(v, strlen(v), s->Z, sizeof(s->Z));
			have |= n == (long)sizeof(s->Z) ? 64 : 0;
		}
		if(n < 0) {
			tool_err("%s: %s is not valid hex", path, line);
			goto out;
		}
	}
	if(have != 127 || !s->kms_uri || s->period == 0) {
		tool_err("%s: incomplete KMS secret file (needs kms-uri, period, "
				 "offset, ksak, kpak, z, pub-enc-key)",
				path);
		goto out;
	}
	rc = 0;
out:
	if(buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	free(path);
	if(rc)
		secret_clear(s);
	return rc;
}

static int write_secret(const char *dir, const struct kms_secret *s)
{
	char *path = path_join(dir, KMS_SECRET_FILE);
	char *buf = NULL, *p;
	size_t cap = 2048;
	int rc = -1;
	char hx[2 * MCSEC_SAKKE_POINT_LEN + 1];

	buf = OPENSSL_zalloc(cap);
	if(!path || !buf) {
		tool_err("out of memory");
		goto out;
	}
	p = buf;
	p += sprintf(p,
			"# mcsec test KMS secrets (TS 33.180 Annex D). Keep private.\n"
			"kms-uri=%s\nperiod=%llu\noffset=%llu\n",
			s->kms_uri, (unsigned long long)s->period,
			(unsigned long long)s->offset);
	if(s->valid_from)
		p += sprintf(p, "valid-from=%llu\n", (unsigned long long)s->valid_from);
	if(s->valid_to)
		p += sprintf(p, "valid-to=%llu\n", (unsigned long long)s->valid_to);
	mcsec_hex_ct_encode_upper(s->ksak, sizeof(s->ksak), hx);
	p += sprintf(p, "ksak=%s\n", hx);
	mcsec_hex_ct_encode_upper(s->kpak, sizeof(s->kpak), hx);
	p += sprintf(p, "kpak=%s\n", hx);
	mcsec_hex_ct_encode_upper(s->z, sizeof(s->z), hx);
	p += sprintf(p, "z=%s\n", hx);
	mcsec_hex_ct_encode_upper(s->Z, sizeof(s->Z), hx);
	p += sprintf(p, "pub-enc-key=%s\n", hx);
	rc = tool_write_file(path, buf, (size_t)(p - buf), 0600);
out:
	OPENSSL_cleanse(hx, sizeof(hx));
	if(buf)
		OPENSSL_clear_free(buf, cap);
	free(path);
	return rc;
}

/* ---- kms init ---- */

static int kms_init(int argc, char **argv)
{
	static const char *const allowed[] = {"--kms-uri", "--out", "--period",
			"--offset", "--valid-from", "--valid-to", "--domain", NULL};
	struct opts o;
	struct kms_secret s;
	mcsec_kms_cert_t c;
	char *xml = NULL, *cert_path = NULL;
	size_t xlen;
	int rc, ret = TOOL_EXIT_FAIL;
	struct stat st;

	rc = parse_opts(argc, argv, allowed, &o);
	if(rc)
		return rc > 0 ? 0 : TOOL_EXIT_USAGE;
	if(!o.kms_uri || !*o.kms_uri || !o.out || !*o.out) {
		tool_err("kms init: --kms-uri and --out are required");
		kms_usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	if(strlen(o.kms_uri) > 1024 || strpbrk(o.kms_uri, " \t\r\n<>&\"")) {
		tool_err("kms init: --kms-uri must be a URI without spaces or "
				 "markup characters");
		return TOOL_EXIT_USAGE;
	}
	memset(&s, 0, sizeof(s));
	s.period = 2592000;
	if((o.period && tool_u64_arg("--period", o.period, &s.period))
			|| (o.offset && tool_u64_arg("--offset", o.offset, &s.offset))
			|| (o.valid_from
					&& tool_u64_arg(
							"--valid-from", o.valid_from, &s.valid_from))
			|| (o.valid_to
					&& tool_u64_arg("--valid-to", o.valid_to, &s.valid_to)))
		return TOOL_EXIT_USAGE;
	if(s.period == 0 || s.offset >= s.period) {
		/* F.2.1.1: the offset shall be less than the period */
		tool_err("kms init: --period must be positive and --offset less than "
				 "--period");
		return TOOL_EXIT_USAGE;
	}
	if(s.valid_from && s.valid_to && s.valid_from > s.valid_to) {
		tool_err("kms init: --valid-from is after --valid-to");
		return TOOL_EXIT_USAGE;
	}
	for(size_t i = 0; i < o.ndomains; i++)
		if(!*o.domains[i] || strpbrk(o.domains[i], " \t\r\n<>&\"")) {
			tool_err("kms init: bad --domain '%s'", o.domains[i]);
			return TOOL_EXIT_USAGE;
		}
	if(mkdir(o.out, 0700) != 0 && errno != EEXIST) {
		tool_err("kms init: cannot create %s: %s", o.out, strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	{
		char *sp = path_join(o.out, KMS_SECRET_FILE);
		int exists = sp && stat(sp, &st) == 0;
		free(sp);
		if(exists) {
			tool_err("kms init: %s already holds a KMS (%s); refusing to "
					 "overwrite",
					o.out, KMS_SECRET_FILE);
			return TOOL_EXIT_FAIL;
		}
	}
	s.kms_uri = strdup(o.kms_uri);
	if(!s.kms_uri) {
		tool_err("out of memory");
		return TOOL_EXIT_FAIL;
	}
	if((rc = mcsec_eccsi_kms_generate(s.ksak, s.kpak))
			|| (rc = mcsec_sakke_kms_generate(s.z, s.Z))) {
		tool_err("kms init: key generation failed: %s", mcsec_strerror(rc));
		goto out;
	}
	memset(&c, 0, sizeof(c));
	strcpy(c.version, "1.1.0");
	c.role = MCSEC_KMS_ROLE_ROOT;
	c.kms_uri = s.kms_uri;
	c.cert_uri = s.kms_uri;
	c.issuer = s.kms_uri;
	c.valid_from = s.valid_from;
	c.valid_to = s.valid_to;
	c.user_id_format = 2;
	c.user_key_period = s.period;
	c.user_key_offset = s.offset;
	memcpy(c.pub_enc_key, s.Z, sizeof(s.Z));
	memcpy(c.pub_auth_key, s.kpak, sizeof(s.kpak));
	c.parameter_set = 1;
	c.domains = (char **)o.domains;
	c.ndomains = o.ndomains;
	rc = mcsec_kms_write_init(&c, &xml, &xlen);
	if(rc) {
		tool_err("kms init: cannot write the certificate: %s",
				mcsec_strerror(rc));
		goto out;
	}
	cert_path = path_join(o.out, KMS_CERT_FILE);
	if(!cert_path || write_secret(o.out, &s)
			|| tool_write_file(cert_path, xml, xlen, 0644))
		goto out;
	printf("kms-uri=%s\n", s.kms_uri);
	printf("cert=%s\n", cert_path);
	printf("secret=%s/%s\n", o.out, KMS_SECRET_FILE);
	printf("period=%llu\noffset=%llu\n", (unsigned long long)s.period,
			(unsigned long long)s.offset);
	tool_print_hex("kpak", s.kpak, sizeof(s.kpak));
	tool_print_hex("pub-enc-key", s.Z, sizeof(s.Z));
	ret = 0;
out:
	free(xml);
	free(cert_path);
	secret_clear(&s);
	return ret;
}

/* ---- kms issue ---- */

static int kms_issue(int argc, char **argv)
{
	static const char *const allowed[] = {"--kms", "--user", "--period-no",
			"--time", "--out", "--trk", "--ink", NULL};
	struct opts o;
	struct kms_secret s;
	mcsec_kms_keyset_t k;
	mcsec_kms_named_key_t trk = {0}, ink = {0};
	mcsec_kms_write_opts_t wo = {0};
	const mcsec_kms_keyset_t *kp = &k;
	char *xml = NULL;
	size_t xlen = 0;
	uint64_t pno, t;
	int rc, ret = TOOL_EXIT_FAIL;

	rc = parse_opts(argc, argv, allowed, &o);
	if(rc)
		return rc > 0 ? 0 : TOOL_EXIT_USAGE;
	if(!o.kms_dir || !o.user || !*o.user || !o.out || !*o.out) {
		tool_err("kms issue: --kms, --user and --out are required");
		kms_usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	if(!o.period_no == !o.time) {
		tool_err("kms issue: give exactly one of --period-no and --time");
		return TOOL_EXIT_USAGE;
	}
	if(strlen(o.user) > 1024 || strpbrk(o.user, " \t\r\n")) {
		tool_err("kms issue: --user must be a URI without spaces");
		return TOOL_EXIT_USAGE;
	}
	if(o.ntrks > 1 || o.ninks > 1) {
		tool_err("kms issue: at most one --trk and one --ink");
		return TOOL_EXIT_USAGE;
	}
	if((o.period_no && tool_u64_arg("--period-no", o.period_no, &pno))
			|| (o.time && tool_u64_arg("--time", o.time, &t)))
		return TOOL_EXIT_USAGE;
	if(o.ntrks && named_arg("--trk", o.trks[0], &trk))
		return TOOL_EXIT_USAGE;
	if(o.ninks && named_arg("--ink", o.inks[0], &ink)) {
		named_free(&trk, 1);
		return TOOL_EXIT_USAGE;
	}
	if(trk.name && trk.key_len != 32) {
		tool_err("kms issue: --trk must be a 256-bit key (kw-aes256)");
		ret = TOOL_EXIT_USAGE;
		goto out_keys;
	}
	if(read_secret(o.kms_dir, &s))
		goto out_keys;
	if(o.time && mcsec_key_period_no(t, s.period, s.offset, &pno)) {
		tool_err("kms issue: --time is before the first key period");
		ret = TOOL_EXIT_USAGE;
		goto out;
	}
	if(pno > (UINT64_MAX - s.offset) / s.period - 1) {
		tool_err("kms issue: --period-no too large");
		ret = TOOL_EXIT_USAGE;
		goto out;
	}
	memset(&k, 0, sizeof(k));
	strcpy(k.version, "1.1.0");
	k.kms_uri = s.kms_uri;
	k.cert_uri = s.kms_uri;
	k.issuer = s.kms_uri;
	k.user_uri = (char *)o.user;
	k.key_period_no = pno;
	/* F.2.1: the key period's boundaries */
	k.valid_from = s.offset + pno * s.period;
	k.valid_to = k.valid_from + s.period - 1;
	if((rc = mcsec_uid(o.user, strlen(o.user), s.kms_uri, strlen(s.kms_uri),
				s.period, s.offset, pno, k.user_id))
			|| (rc = mcsec_sakke_kms_issue(
						s.z, k.user_id, MCSEC_UID_LEN, k.rsk))
			|| (rc = mcsec_eccsi_kms_issue(s.ksak, s.kpak, k.user_id,
						MCSEC_UID_LEN, k.ssk, k.pvt))) {
		tool_err("kms issue: %s", mcsec_strerror(rc));
		goto out;
	}
	wo.trk = trk.name ? &trk : NULL;
	wo.ink = ink.name ? &ink : NULL;
	rc = mcsec_kms_write_keyprov_ex(&kp, 1, NULL, &wo, &xml, &xlen);
	if(rc) {
		tool_err("kms issue: cannot write the key set: %s", mcsec_strerror(rc));
		goto out;
	}
	if(tool_write_file(o.out, xml, xlen, 0600))
		goto out;
	printf("user-uri=%s\n", o.user);
	printf("kms-uri=%s\n", s.kms_uri);
	printf("period-no=%llu\n", (unsigned long long)pno);
	tool_print_hex("uid", k.user_id, MCSEC_UID_LEN);
	printf("valid-from=%llu\nvalid-to=%llu\n", (unsigned long long)k.valid_from,
			(unsigned long long)k.valid_to);
	printf("out=%s\n", o.out);
	ret = 0;
out:
	OPENSSL_cleanse(&k, sizeof(k));
	if(xml)
		OPENSSL_clear_free(xml, xlen);
	secret_clear(&s);
out_keys:
	named_free(&trk, 1);
	named_free(&ink, 1);
	return ret;
}

/* ---- kms show ---- */

static void print_opt_time(const char *name, uint64_t v)
{
	if(v)
		printf("%s=%llu\n", name, (unsigned long long)v);
}

static int kms_show(int argc, char **argv)
{
	static const char *const allowed[] = {"--trk", "--ink", "FILE", NULL};
	struct opts o;
	mcsec_kms_named_key_t trk[MAX_MULTI] = {{0}}, ink[MAX_MULTI] = {{0}};
	mcsec_kms_parse_opts_t po = {0};
	mcsec_kms_doc_t d;
	char *buf = NULL, err[512];
	size_t len = 0;
	int rc, ret = TOOL_EXIT_FAIL;
	static const char *sig[] = {"none", "unchecked", "verified"};

	rc = parse_opts(argc, argv, allowed, &o);
	if(rc)
		return rc > 0 ? 0 : TOOL_EXIT_USAGE;
	if(!o.file) {
		tool_err("kms show: FILE is required ('-' for stdin)");
		return TOOL_EXIT_USAGE;
	}
	if(named_args("--trk", o.trks, o.ntrks, trk))
		return TOOL_EXIT_USAGE;
	if(named_args("--ink", o.inks, o.ninks, ink)) {
		named_free(trk, o.ntrks);
		return TOOL_EXIT_USAGE;
	}
	po.trks = trk;
	po.ntrks = o.ntrks;
	po.inks = ink;
	po.ninks = o.ninks;
	if(tool_read_input(o.file, &buf, &len))
		goto out;
	rc = mcsec_kms_parse(buf, len, &po, &d, err, sizeof(err));
	if(rc) {
		tool_err("kms show: %s: %s", o.file, err[0] ? err : mcsec_strerror(rc));
		goto out;
	}
	printf("signature=%s\n", sig[d.signature]);
	if(d.signature_key)
		printf("signature-key=%s\n", d.signature_key);
	printf("wrapped=%d\n", d.wrapped);
	for(size_t i = 0; i < d.ncerts; i++) {
		const mcsec_kms_cert_t *c = d.certs[i];
		printf("cert.kms-uri=%s\n", c->kms_uri);
		if(c->cert_uri)
			printf("cert.cert-uri=%s\n", c->cert_uri);
		printf("cert.version=%s\ncert.role=%s\n", c->version,
				c->role == MCSEC_KMS_ROLE_ROOT ? "Root" : "External");
		if(c->is_security_gateway)
			printf("cert.security-gateway=true\n");
		printf("cert.revoked=%s\n", c->revoked ? "true" : "false");
		printf("cert.user-id-format=%d\n", c->user_id_format);
		printf("cert.period=%llu\ncert.offset=%llu\n",
				(unsigned long long)c->user_key_period,
				(unsigned long long)c->user_key_offset);
		print_opt_time("cert.valid-from", c->valid_from);
		print_opt_time("cert.valid-to", c->valid_to);
		tool_print_hex(
				"cert.pub-auth-key", c->pub_auth_key, sizeof(c->pub_auth_key));
		tool_print_hex(
				"cert.pub-enc-key", c->pub_enc_key, sizeof(c->pub_enc_key));
		for(size_t j = 0; j < c->ndomains; j++)
			printf("cert.domain=%s\n", c->domains[j]);
	}
	for(size_t i = 0; i < d.nkeysets; i++) {
		const mcsec_kms_keyset_t *k = d.keysets[i];
		printf("keyset.user-uri=%s\nkeyset.kms-uri=%s\n", k->user_uri,
				k->kms_uri);
		printf("keyset.period-no=%llu\n", (unsigned long long)k->key_period_no);
		tool_print_hex("keyset.uid", k->user_id, sizeof(k->user_id));
		print_opt_time("keyset.valid-from", k->valid_from);
		print_opt_time("keyset.valid-to", k->valid_to);
		printf("keyset.revoked=%s\n", k->revoked ? "true" : "false");
		tool_print_hex("keyset.pvt", k->pvt, sizeof(k->pvt));
	}
	mcsec_kms_doc_free(&d);
	ret = 0;
out:
	if(buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	named_free(trk, o.ntrks);
	named_free(ink, o.ninks);
	return ret;
}

/* ---- kms check: load into a key store, as the module does ---- */

static int kms_check(int argc, char **argv)
{
	static const char *const allowed[] = {"--cert", "--keyset", "--trk",
			"--ink", "--at", "--require-signature", NULL};
	struct opts o;
	mcsec_kms_named_key_t trk[MAX_MULTI] = {{0}}, ink[MAX_MULTI] = {{0}};
	mcsec_keystore_t *ks = NULL;
	uint64_t at = 0;
	char err[512];
	int rc, ret = TOOL_EXIT_FAIL;

	rc = parse_opts(argc, argv, allowed, &o);
	if(rc)
		return rc > 0 ? 0 : TOOL_EXIT_USAGE;
	if(!o.ncerts) {
		tool_err("kms check: at least one --cert is required");
		return TOOL_EXIT_USAGE;
	}
	if(o.at && tool_u64_arg("--at", o.at, &at))
		return TOOL_EXIT_USAGE;
	if(named_args("--trk", o.trks, o.ntrks, trk))
		return TOOL_EXIT_USAGE;
	if(named_args("--ink", o.inks, o.ninks, ink)) {
		named_free(trk, o.ntrks);
		return TOOL_EXIT_USAGE;
	}
	ks = mcsec_keystore_new();
	if(!ks) {
		tool_err("out of memory");
		goto out;
	}
	mcsec_keystore_set_time(ks, at);
	mcsec_keystore_set_require_signature(ks, o.require_signature);
	for(size_t i = 0; i < o.ntrks; i++)
		if(mcsec_keystore_add_trk(ks, trk[i].name, trk[i].key, trk[i].key_len))
			goto out;
	for(size_t i = 0; i < o.ninks; i++)
		if(mcsec_keystore_add_ink(ks, ink[i].name, ink[i].key, ink[i].key_len))
			goto out;
	for(size_t i = 0; i < o.ncerts + o.nkeysets; i++) {
		const char *p = i < o.ncerts ? o.certs[i] : o.keysets[i - o.ncerts];
		err[0] = '\0';
		rc = mcsec_keystore_load_path(ks, p, err, sizeof(err));
		if(rc) {
			tool_err(
					"kms check: %s (%s)", err[0] ? err : p, mcsec_strerror(rc));
			goto out;
		}
	}
	printf("certs=%zu\nkeysets=%zu\n", mcsec_keystore_ncerts(ks),
			mcsec_keystore_nkeysets(ks));
	for(size_t i = 0; i < mcsec_keystore_nkeysets(ks); i++) {
		const mcsec_keystore_entry_t *e = mcsec_keystore_entry_at(ks, i);
		printf("keyset=%s period-no=%llu kms=%s\n", e->ks->user_uri,
				(unsigned long long)e->ks->key_period_no, e->ks->kms_uri);
	}
	ret = 0;
out:
	mcsec_keystore_free(ks);
	named_free(trk, o.ntrks);
	named_free(ink, o.ninks);
	return ret;
}

int cmd_kms(int argc, char **argv)
{
	if(argc < 2) {
		kms_usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	if(!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		kms_usage(stdout);
		return 0;
	}
	if(!strcmp(argv[1], "init"))
		return kms_init(argc - 1, argv + 1);
	if(!strcmp(argv[1], "issue"))
		return kms_issue(argc - 1, argv + 1);
	if(!strcmp(argv[1], "show"))
		return kms_show(argc - 1, argv + 1);
	if(!strcmp(argv[1], "check"))
		return kms_check(argc - 1, argv + 1);
	tool_err("kms: unknown subcommand '%s'", argv[1]);
	kms_usage(stderr);
	return TOOL_EXIT_USAGE;
}
