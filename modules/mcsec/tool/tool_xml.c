/*
 * mcsec tool - XML signalling protection (TS 33.180 9.3):
 *   mcsec xml encrypt  --xpk HEX --xpk-id HEX --mcx-id URI [--policy FILE]
 *                      [--content-type CT] [--raw-xpk] [FILE]
 *   mcsec xml decrypt  --xpk HEX --xpk-id HEX --mcx-id URI [--raw-xpk] [FILE]
 *   mcsec uri encrypt  --xpk HEX --xpk-id HEX --mcx-id URI [--domain D]
 *                      [--raw-xpk] URI
 *   mcsec uri decrypt  --xpk HEX --xpk-id HEX --mcx-id URI [--raw-xpk] URI
 *   mcsec body sign    --xpk HEX --xpk-id HEX --mcx-id URI
 *                      --content-type 'multipart/mixed;boundary=...' [FILE]
 *   mcsec body verify  (same options)
 *   mcsec body protect|unprotect (same, plus [--policy FILE])
 * Documents and bodies go to stdout as they are; uri prints the URI;
 * body verify prints signed=N.  A changed Content-Type (a single body
 * wrapped or unwrapped) is printed on stderr as content-type=VALUE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/mcsec_err.h"
#include "../lib/xmlprot.h"
#include "tool.h"

typedef struct xml_opts
{
	uint8_t xpk[32];
	long xpk_len;
	uint32_t xpk_id;
	int have_id;
	const char *mcx_id;
	const char *policy;
	const char *domain;
	const char *ctype;
	const char *input;
	int raw;
} xml_opts_t;

static void usage_xml(void)
{
	fprintf(stderr,
			"usage: mcsec xml encrypt --xpk HEX --xpk-id HEX --mcx-id URI "
			"[--policy FILE] [--content-type CT] [--raw-xpk] [FILE]\n"
			"       mcsec xml decrypt --xpk HEX --xpk-id HEX --mcx-id URI "
			"[--raw-xpk] [FILE]\n"
			"       mcsec uri encrypt --xpk HEX --xpk-id HEX --mcx-id URI "
			"[--domain D] [--raw-xpk] URI\n"
			"       mcsec uri decrypt --xpk HEX --xpk-id HEX --mcx-id URI "
			"[--raw-xpk] URI\n"
			"       mcsec body sign|verify|protect|unprotect --xpk HEX "
			"--xpk-id HEX --mcx-id URI --content-type CT [--policy FILE] "
			"[--raw-xpk] [FILE]\n");
}

/* Parses the options shared by the three commands (argv[0] = verb). */
static int parse_opts(int argc, char **argv, xml_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	for(int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has_val = i + 1 < argc;
		if(!strcmp(a, "--raw-xpk")) {
			o->raw = 1;
		} else if(!strcmp(a, "--xpk") && has_val) {
			o->xpk_len = tool_hex_arg("--xpk", argv[++i], o->xpk, 32, 0);
			if(o->xpk_len < 0)
				return -1;
			if(o->xpk_len != 16 && o->xpk_len != 32) {
				tool_err("--xpk: expected 16 or 32 octets");
				return -1;
			}
		} else if(!strcmp(a, "--xpk-id") && has_val) {
			uint8_t b[4];
			if(tool_hex_arg("--xpk-id", argv[++i], b, 4, 4) < 0)
				return -1;
			o->xpk_id = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16)
						| ((uint32_t)b[2] << 8) | b[3];
			o->have_id = 1;
		} else if(!strcmp(a, "--mcx-id") && has_val) {
			o->mcx_id = argv[++i];
		} else if(!strcmp(a, "--policy") && has_val) {
			o->policy = argv[++i];
		} else if(!strcmp(a, "--domain") && has_val) {
			o->domain = argv[++i];
		} else if(!strcmp(a, "--content-type") && has_val) {
			o->ctype = argv[++i];
		} else if(a[0] == '-' && a[1] == '-') {
			tool_err("unknown or incomplete option %s", a);
			return -1;
		} else if(!o->input) {
			o->input = a;
		} else {
			tool_err("unexpected argument %s", a);
			return -1;
		}
	}
	if(!o->xpk_len || !o->have_id || !o->mcx_id || !*o->mcx_id) {
		tool_err("--xpk, --xpk-id and --mcx-id are required");
		return -1;
	}
	return 0;
}

static int make_keys(const xml_opts_t *o, mcsec_xml_keys_t *k)
{
	int rc = mcsec_xml_keys_init(k, o->xpk, (size_t)o->xpk_len, o->xpk_id,
			o->mcx_id, strlen(o->mcx_id), o->raw);
	if(rc != MCSEC_OK)
		tool_err("key derivation: %s", mcsec_strerror(rc));
	return rc;
}

static int load_policy(const char *path, mcsec_xml_policy_t **pol)
{
	int line = 0, rc;
	if(!path)
		rc = mcsec_xml_policy_default(pol);
	else
		rc = mcsec_xml_policy_load(path, pol, &line);
	if(rc != MCSEC_OK) {
		if(line)
			tool_err("%s line %d: %s", path, line, mcsec_strerror(rc));
		else
			tool_err("policy %s: %s", path ? path : "(default)",
					mcsec_strerror(rc));
	}
	return rc;
}

/* The content type of a document, from its root namespace. */
static const char *guess_ctype(const char *doc)
{
	static const struct
	{
		const char *ns, *ctype;
	} map[] = {
			{"urn:3gpp:ns:mcpttInfo:1.0",
					"application/vnd.3gpp.mcptt-info+xml"},
			{"urn:3gpp:ns:mcvideoInfo:1.0",
					"application/vnd.3gpp.mcvideo-info+xml"},
			{"urn:3gpp:ns:mcdataInfo:1.0",
					"application/vnd.3gpp.mcdata-info+xml"},
			{"urn:3gpp:ns:mcpttLocationInfo:1.0",
					"application/vnd.3gpp.mcptt-location-info+xml"},
			{"urn:ietf:params:xml:ns:pidf", "application/pidf+xml"},
			{"urn:ietf:params:xml:ns:resource-lists",
					"application/resource-lists+xml"},
	};
	for(size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if(strstr(doc, map[i].ns))
			return map[i].ctype;
	return "application/xml";
}

static int fail(int rc, const char *what)
{
	tool_err("%s: %s", what, mcsec_strerror(rc));
	return TOOL_EXIT_FAIL;
}

int cmd_xml(int argc, char **argv)
{
	xml_opts_t o;
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = NULL;
	char *in = NULL, *out = NULL;
	size_t in_len, out_len;
	unsigned n = 0;
	int enc, rc, ret = TOOL_EXIT_FAIL;

	if(argc < 2 || (strcmp(argv[1], "encrypt") && strcmp(argv[1], "decrypt"))) {
		usage_xml();
		return TOOL_EXIT_USAGE;
	}
	enc = !strcmp(argv[1], "encrypt");
	if(parse_opts(argc - 1, argv + 1, &o) != 0) {
		usage_xml();
		return TOOL_EXIT_USAGE;
	}
	if(make_keys(&o, &k) != MCSEC_OK)
		return TOOL_EXIT_FAIL;
	mcsec_xml_init();
	if(tool_read_input(o.input, &in, &in_len) != 0)
		goto out;
	if(enc) {
		const char *ct = o.ctype ? o.ctype : guess_ctype(in);
		if(load_policy(o.policy, &pol) != MCSEC_OK)
			goto out;
		rc = mcsec_xml_encrypt_doc(
				in, in_len, ct, strlen(ct), pol, &k, &out, &out_len, &n);
	} else {
		rc = mcsec_xml_decrypt_doc(in, in_len, &k, 1,
				MCSEC_XML_SKIP_UNKNOWN_KEY, &out, &out_len, &n);
	}
	if(rc != MCSEC_OK) {
		ret = fail(rc, enc ? "xml encrypt" : "xml decrypt");
		goto out;
	}
	fwrite(out, 1, out_len, stdout);
	ret = 0;
out:
	mcsec_xml_keys_clear(&k);
	mcsec_xml_policy_free(pol);
	free(in);
	free(out);
	mcsec_xml_shutdown();
	return ret;
}

int cmd_uri(int argc, char **argv)
{
	xml_opts_t o;
	mcsec_xml_keys_t k;
	char *out = NULL;
	size_t out_len;
	int enc, rc;

	if(argc < 2 || (strcmp(argv[1], "encrypt") && strcmp(argv[1], "decrypt"))) {
		usage_xml();
		return TOOL_EXIT_USAGE;
	}
	enc = !strcmp(argv[1], "encrypt");
	if(parse_opts(argc - 1, argv + 1, &o) != 0 || !o.input) {
		usage_xml();
		return TOOL_EXIT_USAGE;
	}
	if(make_keys(&o, &k) != MCSEC_OK)
		return TOOL_EXIT_FAIL;
	if(enc)
		rc = mcsec_uri_encrypt(o.input, strlen(o.input), &k, o.domain, &out);
	else
		rc = mcsec_uri_decrypt(o.input, strlen(o.input), &k, 1, &out, &out_len);
	mcsec_xml_keys_clear(&k);
	if(rc != MCSEC_OK)
		return fail(rc, enc ? "uri encrypt" : "uri decrypt");
	printf("%s\n", out);
	free(out);
	return 0;
}

int cmd_body(int argc, char **argv)
{
	xml_opts_t o;
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = NULL;
	char *in = NULL, *out = NULL, *oct = NULL;
	size_t in_len, out_len = 0;
	unsigned n = 0;
	const char *verb;
	int rc, ret = TOOL_EXIT_FAIL;

	if(argc < 2
			|| (strcmp(argv[1], "sign") && strcmp(argv[1], "verify")
					&& strcmp(argv[1], "protect")
					&& strcmp(argv[1], "unprotect"))) {
		usage_xml();
		return TOOL_EXIT_USAGE;
	}
	verb = argv[1];
	if(parse_opts(argc - 1, argv + 1, &o) != 0 || !o.ctype) {
		if(!o.ctype)
			tool_err("--content-type is required");
		usage_xml();
		return TOOL_EXIT_USAGE;
	}
	if(make_keys(&o, &k) != MCSEC_OK)
		return TOOL_EXIT_FAIL;
	mcsec_xml_init();
	if(tool_read_input(o.input, &in, &in_len) != 0)
		goto out;
	if(!strcmp(verb, "sign")) {
		rc = mcsec_xml_body_sign(in, in_len, o.ctype, &k, &out, &out_len, &oct);
	} else if(!strcmp(verb, "verify")) {
		rc = mcsec_xml_body_verify(in, in_len, o.ctype, &k, 1, &n);
		if(rc == MCSEC_OK)
			printf("signed=%u\n", n);
	} else {
		if(load_policy(o.policy, &pol) != MCSEC_OK)
			goto out;
		if(!strcmp(verb, "protect"))
			rc = mcsec_xml_body_protect(
					in, in_len, o.ctype, pol, &k, &out, &out_len, &oct);
		else
			rc = mcsec_xml_body_unprotect(
					in, in_len, o.ctype, pol, &k, 1, 0, &out, &out_len, &oct);
	}
	if(rc != MCSEC_OK) {
		tool_err("body %s: %s", verb, mcsec_strerror(rc));
		goto out;
	}
	if(out)
		fwrite(out, 1, out_len, stdout);
	if(oct && strcmp(oct, o.ctype))
		fprintf(stderr, "content-type=%s\n", oct);
	ret = 0;
out:
	mcsec_xml_keys_clear(&k);
	mcsec_xml_policy_free(pol);
	free(in);
	free(out);
	free(oct);
	mcsec_xml_shutdown();
	return ret;
}
