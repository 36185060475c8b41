/*
 * mcsec tool - KMS Redirect Responses (TS 33.180 5.2.8, D.4):
 *   mcsec krr build   --policy FILE --role cs-in|is|cs-out
 *                     (--key KEY.pem --cert CERT.pem | --unsigned)
 *                     [--creator URI] [--initiator-uri URI]
 *                     [--receiver-uri URI] [--time UNIX-SECS] [FILE]
 *        MIKEY I_MESSAGE in (binary, base64 or "mikey <base64>"); prints
 *        the KRR document (5.2.8.2.3) and case=A..D on stderr, or
 *        result=acceptable.  The creator defaults to the policy's
 *        krr-creator.
 *   mcsec krr rebuild --policy FILE --role cs-in|is|cs-out
 *                     (--key KEY.pem --cert CERT.pem | --unsigned)
 *                     [--creator URI] [--time UNIX-SECS] [FILE]
 *        received KRR in; prints the new KRR (5.2.8.2.4) and case=A..D on
 *        stderr, or result=forward / result=too-deep (forward it
 *        unchanged; a new one would exceed 5 levels).
 *   mcsec krr verify  [--trust CA.pem ...] [--schema XSD] [--policy FILE] FILE
 *        D.4.4 structure (+ XSD), D.4.2 signature; prints signature=...,
 *        levels=N; exit 0 only if the signature is valid and trusted (with
 *        --policy: or absent/untrusted and the policy accepts that).
 *   mcsec krr decode  [--trust CA.pem ...] FILE
 *        name=value lines per level (level=1 is the outermost KRR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlschemas.h>

#include "../lib/krr.h"
#include "../lib/mcsec_err.h"
#include "../lib/mikey.h"
#include "tool.h"

#define MAX_TRUST 16

typedef struct krr_opts
{
	const char *policy, *key, *cert, *creator, *ini, *rcv, *schema, *input;
	const char *trust[MAX_TRUST];
	size_t ntrust;
	int role, unsignd, have_time;
	uint64_t time;
} krr_opts_t;

static void usage_krr(void)
{
	fprintf(stderr,
			"usage: mcsec krr build --policy FILE --role cs-in|is|cs-out "
			"(--key KEY.pem --cert CERT.pem | --unsigned) [--creator URI] "
			"[--initiator-uri URI] [--receiver-uri URI] [--time UNIX] [FILE]\n"
			"       mcsec krr rebuild --policy FILE --role cs-in|is|cs-out "
			"(--key KEY.pem --cert CERT.pem | --unsigned) [--creator URI] "
			"[--time UNIX] [FILE]\n"
			"       mcsec krr verify [--trust CA.pem ...] [--schema XSD] "
			"[--policy FILE] FILE\n"
			"       mcsec krr decode [--trust CA.pem ...] FILE\n");
}

static int parse_role(const char *s)
{
	if(!strcmp(s, "cs-in"))
		return MCSEC_KRR_ROLE_CS_INBOUND;
	if(!strcmp(s, "is"))
		return MCSEC_KRR_ROLE_IS;
	if(!strcmp(s, "cs-out"))
		return MCSEC_KRR_ROLE_CS_OUTBOUND;
	return 0;
}

static int parse_opts(int argc, char **argv, krr_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	for(int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int v = i + 1 < argc;
		if(!strcmp(a, "--unsigned"))
			o->unsignd = 1;
		else if(!strcmp(a, "--policy") && v)
			o->policy = argv[++i];
		else if(!strcmp(a, "--key") && v)
			o->key = argv[++i];
		else if(!strcmp(a, "--cert") && v)
			o->cert = argv[++i];
		else if(!strcmp(a, "--creator") && v)
			o->creator = argv[++i];
		else if(!strcmp(a, "--initiator-uri") && v)
			o->ini = argv[++i];
		else if(!strcmp(a, "--receiver-uri") && v)
			o->rcv = argv[++i];
		else if(!strcmp(a, "--schema") && v)
			o->schema = argv[++i];
		else if(!strcmp(a, "--trust") && v) {
			if(o->ntrust == MAX_TRUST) {
				tool_err("too many --trust files");
				return -1;
			}
			o->trust[o->ntrust++] = argv[++i];
		} else if(!strcmp(a, "--role") && v) {
			o->role = parse_role(argv[++i]);
			if(!o->role) {
				tool_err("--role: expected cs-in, is or cs-out");
				return -1;
			}
		} else if(!strcmp(a, "--time") && v) {
			if(tool_u64_arg("--time", argv[++i], &o->time) < 0)
				return -1;
			o->have_time = 1;
		} else if(a[0] == '-' && a[1] == '-') {
			tool_err("unknown or incomplete option '%s'", a);
			return -1;
		} else if(!o->input)
			o->input = a;
		else {
			tool_err("more than one input file");
			return -1;
		}
	}
	return 0;
}

static int load_policy(const char *path, mcsec_kms_policy_t **p)
{
	int line = 0, rc = mcsec_kms_policy_load(path, p, &line);
	if(rc != MCSEC_OK) {
		if(rc == MCSEC_ERR_MALFORMED && line)
			tool_err("%s:%d: %s", path, line, mcsec_strerror(rc));
		else
			tool_err("%s: %s", path, mcsec_strerror(rc));
		return -1;
	}
	return 0;
}

/* Options shared by build and rebuild: policy, role, signer, creator. */
static int gen_setup(const krr_opts_t *o, mcsec_kms_policy_t **p,
		mcsec_krr_signer_t **s, const char **creator)
{
	int rc;
	*p = NULL;
	*s = NULL;
	if(!o->policy || !o->role || (!o->unsignd && (!o->key || !o->cert))
			|| (o->unsignd && (o->key || o->cert))) {
		usage_krr();
		return TOOL_EXIT_USAGE;
	}
	if(load_policy(o->policy, p) < 0)
		return TOOL_EXIT_FAIL;
	*creator = o->creator ? o->creator : mcsec_kms_policy_creator(*p);
	if(!*creator) {
		tool_err("no --creator and no krr-creator in the policy");
		mcsec_kms_policy_free(*p);
		return TOOL_EXIT_USAGE;
	}
	if(!o->unsignd) {
		rc = mcsec_krr_signer_load(o->key, o->cert, s);
		if(rc != MCSEC_OK) {
			tool_err("signing key/certificate: %s", mcsec_strerror(rc));
			mcsec_kms_policy_free(*p);
			return TOOL_EXIT_FAIL;
		}
	}
	return 0;
}

static int emit(const mcsec_krr_t *k, const mcsec_krr_signer_t *s)
{
	char *xml;
	size_t len;
	int rc = mcsec_krr_write(k, s, &xml, &len);
	if(rc != MCSEC_OK) {
		tool_err("writing KRR: %s", mcsec_strerror(rc));
		return TOOL_EXIT_FAIL;
	}
	fwrite(xml, 1, len, stdout);
	free(xml);
	return 0;
}

static int cmd_build(krr_opts_t *o)
{
	mcsec_kms_policy_t *p;
	mcsec_krr_signer_t *s;
	mcsec_mikey_msg_t *m = NULL;
	mcsec_mikey_err_t me;
	mcsec_krr_ids_t ids;
	mcsec_krr_t *k = NULL;
	const char *creator;
	char *buf, kc = 0;
	size_t len;
	int rc, ex;

	ex = gen_setup(o, &p, &s, &creator);
	if(ex)
		return ex;
	ex = TOOL_EXIT_FAIL;
	if(tool_read_input(o->input, &buf, &len) < 0)
		goto out;
	rc = mcsec_mikey_parse_any((const uint8_t *)buf, len, &m, &me);
	free(buf);
	if(rc != MCSEC_OK) {
		tool_err("MIKEY: %s", mcsec_strerror(rc));
		goto out;
	}
	rc = mcsec_krr_ids_from_mikey(m, o->ini, o->rcv, &ids);
	if(rc != MCSEC_OK) {
		tool_err("MIKEY identities: %s%s", mcsec_strerror(rc),
				rc == MCSEC_ERR_UNSUPPORTED
						? " (hidden identities: give --initiator-uri / "
						  "--receiver-uri)"
						: "");
		goto out;
	}
	rc = mcsec_krr_create(p, o->role, &ids, creator,
			o->have_time ? (time_t)o->time : time(NULL), &k, &kc);
	mcsec_krr_ids_clear(&ids);
	if(rc != MCSEC_OK) {
		tool_err("KRR: %s", mcsec_strerror(rc));
		goto out;
	}
	if(!k) {
		printf("result=acceptable\n");
		ex = 0;
		goto out;
	}
	fprintf(stderr, "case=%c\n", kc);
	ex = emit(k, s);
out:
	mcsec_krr_free(k);
	mcsec_mikey_msg_free(m);
	mcsec_krr_signer_free(s);
	mcsec_kms_policy_free(p);
	return ex;
}

static int read_krr(const char *input, mcsec_krr_t **k)
{
	char *buf;
	size_t len;
	int rc;
	if(tool_read_input(input, &buf, &len) < 0)
		return -1;
	rc = mcsec_krr_parse(buf, len, k);
	free(buf);
	if(rc != MCSEC_OK) {
		tool_err("KRR: %s", mcsec_strerror(rc));
		return -1;
	}
	return 0;
}

static int cmd_rebuild(krr_opts_t *o)
{
	mcsec_kms_policy_t *p;
	mcsec_krr_signer_t *s;
	mcsec_krr_t *rx = NULL, *k = NULL;
	const char *creator;
	char kc = 0;
	int rc, ex, action;

	ex = gen_setup(o, &p, &s, &creator);
	if(ex)
		return ex;
	ex = TOOL_EXIT_FAIL;
	if(read_krr(o->input, &rx) < 0)
		goto out;
	rc = mcsec_krr_regenerate(p, o->role, rx, creator,
			o->have_time ? (time_t)o->time : time(NULL), &k, &action, &kc);
	if(rc != MCSEC_OK) {
		tool_err("KRR: %s", mcsec_strerror(rc));
		goto out;
	}
	if(action == MCSEC_KRR_FORWARD) {
		printf("result=forward\n");
		ex = 0;
	} else if(action == MCSEC_KRR_TOO_DEEP) {
		printf("result=too-deep\nlevels=%zu\ncase=%c\n", rx->levels, kc);
		ex = 0;
	} else {
		fprintf(stderr, "case=%c\n", kc);
		ex = emit(k, s);
	}
out:
	mcsec_krr_free(k);
	mcsec_krr_free(rx);
	mcsec_krr_signer_free(s);
	mcsec_kms_policy_free(p);
	return ex;
}

/* Load an XSD with libxml2.  Done before any library call: the library's
 * hardened parser init refuses every external load, and the KRR schema
 * imports its xmldsig schema from the same directory. */
static xmlSchemaPtr schema_load(const char *xsd)
{
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
	xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
	if(pc)
		xmlSchemaFreeParserCtxt(pc);
	if(!schema)
		tool_err("%s: schema does not load", xsd);
	return schema;
}

/* Validate the tree our hardened parser built. */
static int schema_check(xmlSchemaPtr schema, const mcsec_krr_t *k)
{
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
	int r = vc ? xmlSchemaValidateDoc(vc, (xmlDocPtr)k->xml) : -1;
	if(vc)
		xmlSchemaFreeValidCtxt(vc);
	printf("schema=%s\n", r == 0 ? "valid" : "invalid");
	return r == 0 ? 0 : -1;
}

static int load_trust(const krr_opts_t *o, mcsec_krr_trust_t **t)
{
	int rc;
	*t = NULL;
	if(!o->ntrust)
		return 0;
	rc = mcsec_krr_trust_load(o->trust, o->ntrust, t);
	if(rc != MCSEC_OK) {
		tool_err("trust anchors: %s", mcsec_strerror(rc));
		return -1;
	}
	return 0;
}

static int cmd_verify(krr_opts_t *o)
{
	mcsec_kms_policy_t *p = NULL;
	mcsec_krr_trust_t *t = NULL;
	mcsec_krr_t *k = NULL;
	xmlSchemaPtr schema = NULL;
	int ex = TOOL_EXIT_FAIL, sig, rc, ok;

	if(!o->input) {
		usage_krr();
		return TOOL_EXIT_USAGE;
	}
	if(o->schema && !(schema = schema_load(o->schema)))
		return TOOL_EXIT_FAIL;
	if(o->policy && load_policy(o->policy, &p) < 0)
		goto out;
	if(load_trust(o, &t) < 0 || read_krr(o->input, &k) < 0)
		goto out;
	if(schema && schema_check(schema, k) < 0)
		goto out;
	rc = mcsec_krr_verify(t, k, &sig);
	if(rc != MCSEC_OK) {
		tool_err("verify: %s", mcsec_strerror(rc));
		goto out;
	}
	printf("signature=%s\nlevels=%zu\n", mcsec_krr_sig_name(sig), k->levels);
	ok = p ? mcsec_krr_received_ok(p, sig) : sig == MCSEC_KRR_SIG_VALID;
	printf("accepted=%s\n", ok ? "yes" : "no");
	ex = ok ? 0 : TOOL_EXIT_FAIL;
out:
	mcsec_krr_free(k);
	mcsec_krr_trust_free(t);
	mcsec_kms_policy_free(p);
	if(schema)
		xmlSchemaFree(schema);
	return ex;
}

static void print_list(const char *name, const mcsec_krr_list_t *l)
{
	printf("%s=", name);
	if(l->any)
		printf("ANY");
	for(size_t i = 0; i < l->n; i++)
		printf("%s%s", i ? "," : "", l->uris[i]);
	printf("\n");
}

static int cmd_decode(krr_opts_t *o)
{
	mcsec_krr_trust_t *t = NULL;
	mcsec_krr_t *k = NULL;
	int ex = TOOL_EXIT_FAIL, lvl = 1;

	if(load_trust(o, &t) < 0 || read_krr(o->input, &k) < 0)
		goto out;
	printf("levels=%zu\n", k->levels);
	for(const mcsec_krr_t *c = k; c; c = c->received, lvl++) {
		int sig;
		printf("level=%d\nid=%s\ntime=%s\ncreator=%s\ninitiator=%s\n"
			   "initiator-kms=%s\nreceiver=%s\nreceiver-kms=%s\n",
				lvl, c->id ? c->id : "", c->time, c->creator, c->initiator,
				c->initiator_kms, c->receiver, c->receiver_kms);
		print_list("initiator-list", &c->init_list);
		print_list("receiver-list", &c->recv_list);
		if(mcsec_krr_verify(t, c, &sig) != MCSEC_OK)
			goto out;
		printf("signature=%s\n", mcsec_krr_sig_name(sig));
	}
	ex = 0;
out:
	mcsec_krr_free(k);
	mcsec_krr_trust_free(t);
	return ex;
}

int cmd_krr(int argc, char **argv)
{
	krr_opts_t o;
	const char *verb;

	if(argc < 2) {
		usage_krr();
		return TOOL_EXIT_USAGE;
	}
	verb = argv[1];
	if(parse_opts(argc - 1, argv + 1, &o) < 0)
		return TOOL_EXIT_USAGE;
	if(!strcmp(verb, "build"))
		return cmd_build(&o);
	if(!strcmp(verb, "rebuild"))
		return cmd_rebuild(&o);
	if(!strcmp(verb, "verify"))
		return cmd_verify(&o);
	if(!strcmp(verb, "decode"))
		return cmd_decode(&o);
	usage_krr();
	return TOOL_EXIT_USAGE;
}
