/*
 * mcsec uid --uri URI --kms KMS-URI --period SECS --offset SECS
 *           (--period-no N | --time NTP-SECS)
 * Prints the MIKEY-SAKKE UID (TS 33.180 F.2.1) and the key period number.
 */
#include <stdio.h>
#include <string.h>

#include "../lib/kdf.h"
#include "../lib/mcsec_err.h"
#include "tool.h"

static void uid_usage(FILE *f)
{
	fprintf(f, "usage: mcsec uid --uri URI --kms KMS-URI --period SECS "
			   "--offset SECS (--period-no N | --time NTP-SECS)\n");
}

int cmd_uid(int argc, char **argv)
{
	const char *uri = NULL, *kms = NULL;
	const char *period_s = NULL, *offset_s = NULL, *pno_s = NULL,
			   *time_s = NULL;
	uint64_t period, offset, pno, t;
	uint8_t uid[MCSEC_UID_LEN];
	int rc;

	for(int i = 1; i < argc; i++) {
		const char **dst = NULL;
		if(!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			uid_usage(stdout);
			return 0;
		}
		if(!strcmp(argv[i], "--uri"))
			dst = &uri;
		else if(!strcmp(argv[i], "--kms"))
			dst = &kms;
		else if(!strcmp(argv[i], "--period"))
			dst = &period_s;
		else if(!strcmp(argv[i], "--offset"))
			dst = &offset_s;
		else if(!strcmp(argv[i], "--period-no"))
			dst = &pno_s;
		else if(!strcmp(argv[i], "--time"))
			dst = &time_s;
		if(!dst) {
			tool_err("uid: unknown option '%s'", argv[i]);
			uid_usage(stderr);
			return TOOL_EXIT_USAGE;
		}
		if(i + 1 >= argc) {
			tool_err("uid: %s needs a value", argv[i]);
			return TOOL_EXIT_USAGE;
		}
		if(*dst) {
			tool_err("uid: %s given twice", argv[i]);
			return TOOL_EXIT_USAGE;
		}
		*dst = argv[++i];
	}
	if(!uri || !*uri || !kms || !*kms || !period_s || !offset_s) {
		tool_err("uid: --uri, --kms, --period and --offset are required");
		uid_usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	if(!pno_s == !time_s) {
		tool_err("uid: give exactly one of --period-no and --time");
		uid_usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	if(tool_u64_arg("--period", period_s, &period)
			|| tool_u64_arg("--offset", offset_s, &offset))
		return TOOL_EXIT_USAGE;
	if(period == 0) {
		tool_err("uid: --period must be positive");
		return TOOL_EXIT_USAGE;
	}
	/* F.2.1.1: the offset "shall be less than" the period */
	if(offset >= period) {
		tool_err("uid: --offset must be less than --period");
		return TOOL_EXIT_USAGE;
	}
	if(strlen(uri) > 0xffff || strlen(kms) > 0xffff) {
		tool_err("uid: URI too long");
		return TOOL_EXIT_USAGE;
	}
	if(pno_s) {
		if(tool_u64_arg("--period-no", pno_s, &pno))
			return TOOL_EXIT_USAGE;
	} else {
		if(tool_u64_arg("--time", time_s, &t))
			return TOOL_EXIT_USAGE;
		if(mcsec_key_period_no(t, period, offset, &pno) != MCSEC_OK) {
			tool_err("uid: --time is before the first key period (offset)");
			return TOOL_EXIT_USAGE;
		}
	}
	rc = mcsec_uid(
			uri, strlen(uri), kms, strlen(kms), period, offset, pno, uid);
	if(rc != MCSEC_OK) {
		tool_err("uid: %s", mcsec_strerror(rc));
		return TOOL_EXIT_FAIL;
	}
	tool_print_hex("uid", uid, sizeof(uid));
	printf("period-no=%llu\n", (unsigned long long)pno);
	return 0;
}
