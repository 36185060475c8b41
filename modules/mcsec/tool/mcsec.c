/*
 * mcsec - command-line tool for operators and tests (DESIGN.md section 5).
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"
#include "xml_mem.h"

static const struct
{
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
		{"uid", cmd_uid, "compute a MIKEY-SAKKE UID (TS 33.180 F.2.1)"},
		{"kms", cmd_kms, "test KMS: init, issue"},
		{"mikey", cmd_mikey, "MIKEY-SAKKE I_MESSAGE: decode, extract, build"},
		{"bench", cmd_bench, "measure crypto speed (bench crypto)"},
		{"xml", cmd_xml, "XML content encryption (TS 33.180 9.3.4.2)"},
		{"uri", cmd_uri, "XML URI attribute encryption (9.3.4.3)"},
		{"body", cmd_body, "sign/verify/protect SIP MIME bodies (9.3.5)"},
		{"krr", cmd_krr, "KMS Redirect Responses (D.4): build, verify, ..."},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mcsec COMMAND [options]\n\ncommands:\n");
	for(size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if(argc < 2) {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	if(!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")
			|| !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	/* before any libxml2/xmlsec1 use (KMS XML parsing, KRR, XML protection):
	 * libxml2's blocks are wiped when freed.  Only the allocator: krr verify
	 * --schema loads its XSD files before mcsec_xml_init() refuses external
	 * loads. */
	mcsec_xml_mem_init();
	for(size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if(!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	tool_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return TOOL_EXIT_USAGE;
}
