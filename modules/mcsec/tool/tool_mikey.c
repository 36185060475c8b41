/*
 * mcsec mikey decode | extract | build (DESIGN.md section 5).
 *
 * decode prints every field of an I_MESSAGE; with --cert/--keyset it also
 * verifies, extracts and prints the key-parameters content (never the key).
 * extract prints key=HEX and the other result fields.  build writes base64.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "../lib/encoding.h"
#include "../lib/kdf.h"
#include "../lib/keystore.h"
#include "../lib/mcsec_err.h"
#include "../lib/mikey.h"
#include "tool.h"

#define MAX_FILES 32
#define MAX_GROUPS 32
#define MAX_CS 16

typedef struct mk_args
{
	const char *certs[MAX_FILES];
	size_t ncerts;
	const char *keysets[MAX_FILES];
	size_t nkeysets;
	const char *initiator_uri;
	uint64_t at;
	int have_at;
	int no_time_check;
	int compat_sign_range;
	int expect;
	uint64_t window;
	const char *input;
	/* build */
	const char *to, *to_kms, *key_type, *key_hex, *key_id_hex, *rand_hex;
	const char *out;
	uint64_t time;
	int have_time, hide_ids, sakke_to_self, sp, no_guk, kp;
	uint8_t cs_ids[MAX_CS];
	size_t ncs;
	uint64_t kp_status, kp_activation, kp_expiry;
	int have_kp_status;
	const char *kp_text;
	const char *kp_groups[MAX_GROUPS];
	size_t nkp_groups;
	int kp_no_groups;
} mk_args_t;

enum
{
	O_CERT = 256,
	O_KEYSET,
	O_INITIATOR,
	O_AT,
	O_NO_TIME,
	O_COMPAT_SIGN,
	O_EXPECT,
	O_WINDOW,
	O_TO,
	O_TO_KMS,
	O_KEY_TYPE,
	O_KEY,
	O_KEY_ID,
	O_RAND,
	O_TIME,
	O_HIDE,
	O_SELF,
	O_SP,
	O_CS,
	O_NO_GUK,
	O_KP,
	O_KP_STATUS,
	O_KP_ACT,
	O_KP_EXP,
	O_KP_TEXT,
	O_KP_GROUP,
	O_KP_NO_GROUPS,
	O_OUT,
	O_HELP,
};

static const struct option mk_opts[] = {{"cert", 1, NULL, O_CERT},
		{"keyset", 1, NULL, O_KEYSET}, {"initiator-uri", 1, NULL, O_INITIATOR},
		{"at", 1, NULL, O_AT}, {"no-time-check", 0, NULL, O_NO_TIME},
		{"compat-sign-range", 0, NULL, O_COMPAT_SIGN},
		{"expect", 1, NULL, O_EXPECT}, {"window", 1, NULL, O_WINDOW},
		{"to", 1, NULL, O_TO}, {"to-kms", 1, NULL, O_TO_KMS},
		{"key-type", 1, NULL, O_KEY_TYPE}, {"key", 1, NULL, O_KEY},
		{"key-id", 1, NULL, O_KEY_ID}, {"rand", 1, NULL, O_RAND},
		{"time", 1, NULL, O_TIME}, {"hide-ids", 0, NULL, O_HIDE},
		{"sakke-to-self", 0, NULL, O_SELF}, {"sp", 0, NULL, O_SP},
		{"cs", 1, NULL, O_CS}, {"no-guk", 0, NULL, O_NO_GUK},
		{"kp", 0, NULL, O_KP}, {"kp-status", 1, NULL, O_KP_STATUS},
		{"kp-activation", 1, NULL, O_KP_ACT}, {"kp-expiry", 1, NULL, O_KP_EXP},
		{"kp-text", 1, NULL, O_KP_TEXT}, {"kp-group", 1, NULL, O_KP_GROUP},
		{"kp-no-groups", 0, NULL, O_KP_NO_GROUPS}, {"out", 1, NULL, O_OUT},
		{"help", 0, NULL, O_HELP}, {NULL, 0, NULL, 0}};

static void mk_usage(FILE *f)
{
	fprintf(f,
			"usage:\n"
			"  mcsec mikey decode [--cert CERT.xml ... --keyset KEYSET.xml "
			"...]\n"
			"        [--initiator-uri URI] [--at NTP-SECS | --no-time-check] "
			"[FILE]\n"
			"  mcsec mikey extract --cert CERT.xml [--cert ...] --keyset "
			"KEYSET.xml [--keyset ...]\n"
			"        [--initiator-uri URI] [--at NTP-SECS | --no-time-check]\n"
			"        [--expect TYPE] [--window SECS] [--compat-sign-range] "
			"[FILE]\n"
			"  mcsec mikey build --cert CERT.xml [--cert ...] --keyset "
			"INITIATOR-KEYSET.xml\n"
			"        --to URI --to-kms URI --key-type TYPE --key HEX --key-id "
			"HEX\n"
			"        [--rand HEX] [--time NTP-SECS] [--hide-ids] "
			"[--sakke-to-self]\n"
			"        [--sp] [--cs CS-ID ...] [--no-guk] [--out FILE]\n"
			"        [--kp [--kp-status N] [--kp-activation UNIX] [--kp-expiry "
			"UNIX]\n"
			"              [--kp-text TEXT] [--kp-group ID ...] "
			"[--kp-no-groups]]\n"
			"  MIKEY input (FILE or -): binary, base64 or 'mikey <base64>'.\n"
			"  TYPE: GMK PCK CSK SPK MKFC MSCCK MuSiK\n");
}

static int mk_parse_args(int argc, char **argv, mk_args_t *a)
{
	int c;
	uint64_t v;

	memset(a, 0, sizeof(*a));
	a->expect = -1;
	a->kp_status = MCSEC_KP_STATUS_NOT_REVOKED;
	optind = 1;
	opterr = 0;
	while((c = getopt_long(argc, argv, "", mk_opts, NULL)) != -1) {
		switch(c) {
			case O_CERT:
				if(a->ncerts >= MAX_FILES)
					goto many;
				a->certs[a->ncerts++] = optarg;
				break;
			case O_KEYSET:
				if(a->nkeysets >= MAX_FILES)
					goto many;
				a->keysets[a->nkeysets++] = optarg;
				break;
			case O_INITIATOR:
				a->initiator_uri = optarg;
				break;
			case O_AT:
				if(tool_u64_arg("--at", optarg, &a->at))
					return -1;
				a->have_at = 1;
				break;
			case O_NO_TIME:
				a->no_time_check = 1;
				break;
			case O_COMPAT_SIGN:
				a->compat_sign_range = 1;
				break;
			case O_EXPECT:
				a->expect = mcsec_key_purpose_from_name(optarg);
				if(a->expect < 0) {
					tool_err("--expect: unknown key type '%s'", optarg);
					return -1;
				}
				break;
			case O_WINDOW:
				if(tool_u64_arg("--window", optarg, &a->window))
					return -1;
				if(a->window == 0 || a->window > 0xffffffffu) {
					tool_err("--window: out of range");
					return -1;
				}
				break;
			case O_TO:
				a->to = optarg;
				break;
			case O_TO_KMS:
				a->to_kms = optarg;
				break;
			case O_KEY_TYPE:
				a->key_type = optarg;
				break;
			case O_KEY:
				a->key_hex = optarg;
				break;
			case O_KEY_ID:
				a->key_id_hex = optarg;
				break;
			case O_RAND:
				a->rand_hex = optarg;
				break;
			case O_TIME:
				if(tool_u64_arg("--time", optarg, &a->time))
					return -1;
				a->have_time = 1;
				break;
			case O_HIDE:
				a->hide_ids = 1;
				break;
			case O_SELF:
				a->sakke_to_self = 1;
				break;
			case O_SP:
				a->sp = 1;
				break;
			case O_CS:
				if(tool_u64_arg("--cs", optarg, &v))
					return -1;
				if(v > 255 || a->ncs >= MAX_CS) {
					tool_err("--cs: out of range or too many");
					return -1;
				}
				a->cs_ids[a->ncs++] = (uint8_t)v;
				break;
			case O_NO_GUK:
				a->no_guk = 1;
				break;
			case O_KP:
				a->kp = 1;
				break;
			case O_KP_STATUS:
				if(tool_u64_arg("--kp-status", optarg, &a->kp_status))
					return -1;
				if(a->kp_status > 0xffffffffu) {
					tool_err("--kp-status: out of range");
					return -1;
				}
				a->kp = 1;
				break;
			case O_KP_ACT:
				if(tool_u64_arg("--kp-activation", optarg, &a->kp_activation))
					return -1;
				a->kp = 1;
				break;
			case O_KP_EXP:
				if(tool_u64_arg("--kp-expiry", optarg, &a->kp_expiry))
					return -1;
				a->kp = 1;
				break;
			case O_KP_TEXT:
				a->kp_text = optarg;
				a->kp = 1;
				break;
			case O_KP_GROUP:
				if(a->nkp_groups >= MAX_GROUPS)
					goto many;
				a->kp_groups[a->nkp_groups++] = optarg;
				a->kp = 1;
				break;
			case O_KP_NO_GROUPS:
				a->kp_no_groups = 1;
				a->kp = 1;
				break;
			case O_OUT:
				a->out = optarg;
				break;
			case O_HELP:
				mk_usage(stdout);
				exit(0);
			default:
				tool_err("mikey: unknown or incomplete option '%s'",
						argv[optind - 1]);
				return -1;
		}
	}
	if(optind < argc)
		a->input = argv[optind++];
	if(optind < argc) {
		tool_err("mikey: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if(a->have_at && a->no_time_check) {
		tool_err("mikey: --at and --no-time-check exclude each other");
		return -1;
	}
	return 0;
many:
	tool_err("mikey: too many values for an option");
	return -1;
}

/* Certificates first, then key sets (a key set needs its KMS cert). */
static mcsec_keystore_t *mk_load(const mk_args_t *a)
{
	mcsec_keystore_t *ks = mcsec_keystore_new();
	char eb[512];

	if(!ks) {
		tool_err("out of memory");
		return NULL;
	}
	/* evaluating an old capture: material valid then, expired now, loads */
	if(a->have_at)
		mcsec_keystore_set_time(ks, a->at);
	for(size_t i = 0; i < a->ncerts; i++) {
		eb[0] = '\0';
		if(mcsec_keystore_load_path(ks, a->certs[i], eb, sizeof(eb))) {
			tool_err("%s: %s", a->certs[i], eb[0] ? eb : "cannot load");
			goto bad;
		}
	}
	for(size_t i = 0; i < a->nkeysets; i++) {
		eb[0] = '\0';
		if(mcsec_keystore_load_path(ks, a->keysets[i], eb, sizeof(eb))) {
			tool_err("%s: %s", a->keysets[i], eb[0] ? eb : "cannot load");
			goto bad;
		}
	}
	return ks;
bad:
	mcsec_keystore_free(ks);
	return NULL;
}

static mcsec_mikey_msg_t *mk_read_msg(const char *path)
{
	char *buf;
	size_t len;
	mcsec_mikey_msg_t *m = NULL;
	mcsec_mikey_err_t e = {0, 0, NULL};
	int rc;

	if(tool_read_input(path, &buf, &len))
		return NULL;
	rc = mcsec_mikey_parse_any((const uint8_t *)buf, len, &m, &e);
	free(buf);
	if(rc) {
		tool_err("mikey: %s: %s at offset %zu", mcsec_strerror(rc),
				e.what ? e.what : "?", e.offset);
		return NULL;
	}
	return m;
}

static void print_idr(const char *name, const mcsec_mikey_idr_t *id)
{
	char n[64];
	snprintf(n, sizeof(n), "%s-type", name);
	printf("%s=%u\n", n, id->type);
	if(id->role == MCSEC_MIKEY_ROLE_IDRUIDI
			|| id->role == MCSEC_MIKEY_ROLE_IDRUIDR
			|| memchr(id->data, 0, id->len))
		tool_print_hex(name, id->data, id->len);
	else {
		int printable = 1;
		for(size_t i = 0; i < id->len; i++)
			if(id->data[i] < 0x20 || id->data[i] == 0x7f)
				printable = 0;
		if(printable)
			printf("%s=%.*s\n", name, (int)id->len, (const char *)id->data);
		else
			tool_print_hex(name, id->data, id->len);
	}
}

static void print_time_utc(const char *name, uint64_t unix_secs)
{
	time_t tt = (time_t)unix_secs;
	struct tm tm;
	char b[64];
	if(gmtime_r(&tt, &tm) && strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm))
		printf("%s=%s\n", name, b);
}

static void print_kp(const mcsec_mikey_keyparams_t *kp, int content)
{
	printf("kp-msg-type=0x%02x\n", kp->msg_type);
	printf("kp-date-time=%llu\n", (unsigned long long)kp->date_time);
	printf("kp-algorithm=%u\n", kp->alg);
	printf("kp-dppk-id=%08x\n", kp->dppk_id);
	if(!content)
		return;
	{
		const char *tn = mcsec_key_purpose_name(kp->key_type);
		if(tn)
			printf("kp-key-type=%s\n", tn);
		else
			printf("kp-key-type=%u\n", kp->key_type);
	}
	printf("kp-status=0x%08x\n", kp->status);
	printf("kp-revoked=%d\n", !(kp->status & MCSEC_KP_STATUS_NOT_REVOKED));
	printf("kp-shared-with-gateway=%d\n",
			!!(kp->status & MCSEC_KP_STATUS_SHARED_SEGW));
	printf("kp-activation=%llu\n", (unsigned long long)kp->activation);
	if(kp->activation)
		print_time_utc("kp-activation-utc", kp->activation);
	printf("kp-expiry=%llu\n", (unsigned long long)kp->expiry);
	if(kp->expiry)
		print_time_utc("kp-expiry-utc", kp->expiry);
	printf("kp-text=%s\n", kp->text ? kp->text : "");
	if(kp->has_groups) {
		printf("kp-group-count=%zu\n", kp->ngroups);
		for(size_t i = 0; i < kp->ngroups; i++)
			printf("kp-group=%s\n", kp->groups[i]);
	}
	if(kp->has_reserved)
		printf("kp-reserved=present\n");
}

static void print_result(const mcsec_mikey_result_t *r, int with_key)
{
	const char *tn = mcsec_key_purpose_name(r->purpose);
	uint8_t id[4];

	if(with_key)
		tool_print_hex("key", r->key, MCSEC_MIKEY_KEY_LEN);
	id[0] = (uint8_t)(r->key_id >> 24);
	id[1] = (uint8_t)(r->key_id >> 16);
	id[2] = (uint8_t)(r->key_id >> 8);
	id[3] = (uint8_t)r->key_id;
	tool_print_hex("key-id", id, 4);
	printf("key-type=%s\n", tn ? tn : "?");
	tool_print_hex("rand", r->rand, r->rand_len);
	printf("initiator=%s\n", r->initiator);
	printf("responder=%s\n", r->responder);
	if(r->has_guk_id)
		printf("guk-id=%08x\n", r->guk_id);
	printf("time=%llu\n", (unsigned long long)r->time);
	if(r->initiator_hidden)
		printf("initiator-bound=%d\n", r->initiator_bound);
	if(r->via_sakke_to_self)
		printf("via-sakke-to-self=1\n");
	if(r->compat_sign_range_used)
		printf("sign-range=without-sign-header\n");
	printf("kms-initiator=%s\n", r->kms_initiator);
	printf("kms-responder=%s\n", r->kms_responder);
	if(r->has_key_params)
		print_kp(&r->kp, 1);
}

static int mk_extract_with(const mk_args_t *a, mcsec_keystore_t *ks,
		const mcsec_mikey_msg_t *m, mcsec_mikey_result_t *res)
{
	mcsec_mikey_extract_opts_t o;
	mcsec_mikey_err_t e = {0, 0, NULL};
	int rc;

	mcsec_mikey_extract_opts_init(&o);
	o.expected_purpose = a->expect;
	o.initiator_uri = a->initiator_uri;
	o.window = (uint32_t)a->window;
	o.no_time_check = a->no_time_check;
	o.now = a->have_at ? a->at : tool_ntp_now();
	o.allow_sakke_to_self = 1;
	o.compat_sign_range = a->compat_sign_range;
	rc = mcsec_mikey_extract(ks, m, &o, res, &e);
	if(rc)
		tool_err("mikey: %s: %s (offset %zu)", mcsec_strerror(rc),
				e.what ? e.what : "?", e.offset);
	return rc;
}

static int mk_decode(const mk_args_t *a)
{
	mcsec_mikey_msg_t *m = mk_read_msg(a->input);
	const char *pn;
	int ret = 0;

	if(!m)
		return TOOL_EXIT_FAIL;
	printf("payloads=");
	for(size_t i = 0; i < m->npayloads; i++)
		printf("%s%s@%zu", i ? "," : "",
				i ? mcsec_mikey_payload_name(m->payload_type[i]) : "HDR",
				m->payload_off[i]);
	printf("\n");
	printf("version=%u\n", m->version);
	printf("data-type=%u\n", m->data_type);
	printf("v=%u\n", m->v);
	printf("prf=%u\n", m->prf);
	printf("csb-id=%08x\n", m->csb_id);
	pn = mcsec_key_purpose_name(mcsec_key_purpose(m->csb_id));
	printf("csb-id-purpose=%s\n", pn ? pn : "unassigned");
	printf("cs-count=%u\n", m->ncs);
	printf("cs-map-type=%u\n", m->map_type);
	for(unsigned i = 0; i < m->ncs && m->cs; i++) {
		const mcsec_mikey_cs_t *c = &m->cs[i];
		char n[64];
		printf("cs.%u.id=%u\n", i, c->cs_id);
		printf("cs.%u.prot-type=%u\n", i, c->prot_type);
		printf("cs.%u.s=%u\n", i, c->s_flag);
		printf("cs.%u.policies=", i);
		for(unsigned j = 0; j < c->npolicies; j++)
			printf("%s%u", j ? "," : "", c->policies[j]);
		printf("\n");
		snprintf(n, sizeof(n), "cs.%u.session-data", i);
		tool_print_hex(n, c->session_data, c->session_data_len);
		snprintf(n, sizeof(n), "cs.%u.spi", i);
		tool_print_hex(n, c->spi, c->spi_len);
	}
	printf("t=%llu\n", (unsigned long long)m->t_secs);
	printf("t-ntp64=%016llx\n", (unsigned long long)m->t_ntp64);
	if(m->t_secs >= MCSEC_NTP_UNIX_OFFSET)
		print_time_utc("t-utc", m->t_secs - MCSEC_NTP_UNIX_OFFSET);
	tool_print_hex("rand", m->rand, m->rand_len);
	print_idr(m->hidden_i ? "idruidi" : "idri", &m->idi);
	print_idr(m->hidden_r ? "idruidr" : "idrr", &m->idr);
	print_idr("idrkmsi", &m->kmsi);
	print_idr("idrkmsr", &m->kmsr);
	for(size_t i = 0; i < m->nsp; i++) {
		const mcsec_mikey_sp_t *s = &m->sp[i];
		printf("sp.%zu.policy-no=%u\n", i, s->policy_no);
		printf("sp.%zu.prot-type=%u\n", i, s->prot_type);
		for(size_t o = 0; o + 2 <= s->params_len;) {
			uint8_t t = s->params[o], l = s->params[o + 1];
			char n[64];
			snprintf(n, sizeof(n), "sp.%zu.param.%u", i, t);
			tool_print_hex(n, s->params + o + 2, l);
			o += 2 + (size_t)l;
		}
	}
	printf("sakke-params=%u\n", m->sakke.params);
	printf("sakke-id-scheme=%u\n", m->sakke.id_scheme);
	tool_print_hex("sakke-data", m->sakke.data, m->sakke.len);
	if(m->sakke_self.present)
		tool_print_hex(
				"sakke-to-self-data", m->sakke_self.data, m->sakke_self.len);
	if(m->kp) {
		mcsec_mikey_keyparams_t kp;
		printf("key-parameters=present\n");
		if(mcsec_mikey_kp_header(m->kp, m->kp_len, &kp, NULL) == MCSEC_OK)
			print_kp(&kp, 0);
		mcsec_mikey_keyparams_clear(&kp);
	}
	printf("sign-type=%u\n", m->sig_type);
	printf("sign-len=%u\n", m->sig_len);
	tool_print_hex("sign", m->sig, m->sig_len);
	printf("signed-octets=%zu\n", m->signed_len);

	if(a->ncerts || a->nkeysets) {
		mcsec_keystore_t *ks = mk_load(a);
		mcsec_mikey_result_t r;
		if(!ks)
			ret = TOOL_EXIT_FAIL;
		else if(mk_extract_with(a, ks, m, &r)) {
			printf("verified=0\n");
			ret = TOOL_EXIT_FAIL;
		} else {
			printf("verified=1\n");
			print_result(&r, 0);
			mcsec_mikey_result_clear(&r);
		}
		mcsec_keystore_free(ks);
	}
	mcsec_mikey_msg_free(m);
	return ret;
}

static int mk_extract(const mk_args_t *a)
{
	mcsec_keystore_t *ks;
	mcsec_mikey_msg_t *m;
	mcsec_mikey_result_t r;
	int ret;

	if(!a->ncerts || !a->nkeysets) {
		tool_err("mikey extract: --cert and --keyset are required");
		return TOOL_EXIT_USAGE;
	}
	m = mk_read_msg(a->input);
	if(!m)
		return TOOL_EXIT_FAIL;
	ks = mk_load(a);
	if(!ks) {
		mcsec_mikey_msg_free(m);
		return TOOL_EXIT_FAIL;
	}
	ret = mk_extract_with(a, ks, m, &r) ? TOOL_EXIT_FAIL : 0;
	if(!ret) {
		print_result(&r, 1);
		mcsec_mikey_result_clear(&r);
	}
	mcsec_keystore_free(ks);
	mcsec_mikey_msg_free(m);
	return ret;
}

static int mk_build(const mk_args_t *a)
{
	mcsec_keystore_t *ks = NULL;
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_keyparams_t kp;
	mcsec_mikey_cs_t cs[MAX_CS];
	const mcsec_kms_cert_t *rcert;
	uint8_t idb[4], rnd[255], pol0 = 0, *out = NULL;
	size_t out_len = 0;
	long n;
	int type, rc, ret = TOOL_EXIT_FAIL;
	char *groups[MAX_GROUPS];
	size_t glens[MAX_GROUPS];

	memset(&o, 0, sizeof(o));
	memset(&kp, 0, sizeof(kp));
	if(!a->ncerts || !a->nkeysets || !a->to || !a->to_kms || !a->key_type
			|| !a->key_hex || !a->key_id_hex) {
		tool_err("mikey build: --cert, --keyset, --to, --to-kms, --key-type, "
				 "--key and --key-id are required");
		return TOOL_EXIT_USAGE;
	}
	type = mcsec_key_purpose_from_name(a->key_type);
	if(type < 0) {
		tool_err("--key-type: unknown key type '%s'", a->key_type);
		return TOOL_EXIT_USAGE;
	}
	if(tool_hex_arg(
			   "--key", a->key_hex, o.key, sizeof(o.key), MCSEC_MIKEY_KEY_LEN)
			< 0)
		return TOOL_EXIT_USAGE;
	if(tool_hex_arg("--key-id", a->key_id_hex, idb, sizeof(idb), 4) < 0)
		goto out;
	o.key_id = ((uint32_t)idb[0] << 24) | ((uint32_t)idb[1] << 16)
			   | ((uint32_t)idb[2] << 8) | idb[3];
	if(mcsec_key_purpose(o.key_id) != (unsigned)type) {
		tool_err("--key-id: purpose tag %u (top 4 bits) is not the one of "
				 "--key-type %s (%d, TS 33.180 Annex G)",
				mcsec_key_purpose(o.key_id), a->key_type, type);
		ret = TOOL_EXIT_USAGE;
		goto out;
	}
	if(a->rand_hex) {
		n = tool_hex_arg("--rand", a->rand_hex, rnd, sizeof(rnd), 0);
		if(n <= 0) {
			ret = TOOL_EXIT_USAGE;
			goto out;
		}
		o.rand = rnd;
		o.rand_len = (size_t)n;
	}
	o.time = a->have_time ? a->time : tool_ntp_now();
	ks = mk_load(a);
	if(!ks)
		goto out;
	/* the initiator key set of T's key period */
	for(size_t i = 0; i < mcsec_keystore_nkeysets(ks); i++) {
		const mcsec_keystore_entry_t *e = mcsec_keystore_entry_at(ks, i);
		uint64_t pno;
		if(!e || !e->cert || !e->signer)
			continue;
		if(mcsec_key_period_no(o.time, e->cert->user_key_period,
				   e->cert->user_key_offset,
				   &pno) == MCSEC_OK
				&& pno == e->ks->key_period_no) {
			o.initiator = e;
			break;
		}
	}
	if(!o.initiator) {
		tool_err("mikey build: no --keyset for the key period of time %llu",
				(unsigned long long)o.time);
		goto out;
	}
	rc = mcsec_keystore_find_cert(
			ks, a->to_kms, strlen(a->to_kms), o.time, &rcert);
	if(rc) {
		tool_err("mikey build: --to-kms %s: %s", a->to_kms, mcsec_strerror(rc));
		goto out;
	}
	o.responder_cert = rcert;
	o.responder_uri = a->to;
	o.hide_ids = a->hide_ids;
	o.sakke_to_self = a->sakke_to_self;
	o.no_guk = a->no_guk;
	o.add_sp = a->sp;
	for(size_t i = 0; i < a->ncs; i++) {
		memset(&cs[i], 0, sizeof(cs[i]));
		cs[i].cs_id = a->cs_ids[i];
		cs[i].prot_type = 0; /* SRTP */
		if(a->sp) {
			cs[i].npolicies = 1; /* E.2.2: #P 1, the SP's policy 0 */
			cs[i].policies = &pol0;
		}
	}
	o.cs = cs;
	o.ncs = a->ncs;
	if(a->kp) {
		kp.key_type = (uint8_t)type;
		kp.status = (uint32_t)a->kp_status;
		kp.activation = a->kp_activation;
		kp.expiry = a->kp_expiry;
		kp.text = (char *)(a->kp_text ? a->kp_text : "");
		kp.text_len = strlen(kp.text);
		kp.has_groups = !a->kp_no_groups
						&& (a->nkp_groups || type == MCSEC_PURPOSE_GMK
								|| type == MCSEC_PURPOSE_MKFC
								|| type == MCSEC_PURPOSE_MUSIK);
		for(size_t i = 0; i < a->nkp_groups; i++) {
			groups[i] = (char *)a->kp_groups[i];
			glens[i] = strlen(groups[i]);
		}
		kp.groups = groups;
		kp.group_lens = glens;
		kp.ngroups = a->nkp_groups;
		o.kp = &kp;
	}
	rc = mcsec_mikey_build(&o, &out, &out_len);
	if(rc) {
		tool_err("mikey build: %s", mcsec_strerror(rc));
		goto out;
	}
	if(a->out) {
		if(tool_write_file(a->out, out, out_len, 0644))
			goto out;
	} else {
		size_t cap = MCSEC_B64_ENC_LEN(out_len);
		char *b64 = malloc(cap);
		if(!b64 || mcsec_b64_encode(out, out_len, b64, cap, 0) < 0) {
			free(b64);
			tool_err("out of memory");
			goto out;
		}
		printf("%s\n", b64);
		free(b64);
	}
	ret = 0;
out:
	OPENSSL_cleanse(o.key, sizeof(o.key));
	free(out);
	mcsec_keystore_free(ks);
	return ret;
}

int cmd_mikey(int argc, char **argv)
{
	mk_args_t a;

	if(argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		mk_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? TOOL_EXIT_USAGE : 0;
	}
	if(mk_parse_args(argc - 1, argv + 1, &a))
		return TOOL_EXIT_USAGE;
	if(!strcmp(argv[1], "decode"))
		return mk_decode(&a);
	if(!strcmp(argv[1], "extract"))
		return mk_extract(&a);
	if(!strcmp(argv[1], "build"))
		return mk_build(&a);
	tool_err("mikey: unknown subcommand '%s'", argv[1]);
	mk_usage(stderr);
	return TOOL_EXIT_USAGE;
}
