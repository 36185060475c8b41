/*
 * mcsec tool - shared helpers for the subcommands.
 *
 * Output is name=value lines on stdout; errors go to stderr with a
 * non-zero exit (2 for usage errors, 1 for failures).
 */
#ifndef MCSEC_TOOL_H
#define MCSEC_TOOL_H

#include <stddef.h>
#include <stdint.h>

#define TOOL_EXIT_FAIL 1
#define TOOL_EXIT_USAGE 2

/* Subcommands: argv[0] is the subcommand name. Each lives in its own file. */
int cmd_uid(int argc, char **argv);
int cmd_kms(int argc, char **argv);
int cmd_mikey(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_xml(int argc, char **argv);
int cmd_uri(int argc, char **argv);
int cmd_body(int argc, char **argv);
int cmd_krr(int argc, char **argv);

/* Read a whole file ("-" or NULL = stdin) into a NUL-terminated malloc'd
 * buffer. Returns 0 or -1 (message printed). */
int tool_read_input(const char *path, char **buf, size_t *len);
/* Write len octets to path atomically with the given mode (e.g. 0600). */
int tool_write_file(const char *path, const void *buf, size_t len, int mode);
/* Parse hex into exactly want octets (want 0 = any up to cap); returns
 * octet count or -1 (message printed naming opt). */
long tool_hex_arg(const char *opt, const char *hex, uint8_t *out, size_t cap,
		size_t want);
/* Parse a non-negative decimal integer; -1 on error (message printed). */
int tool_u64_arg(const char *opt, const char *s, uint64_t *v);
/* Print name=hex. */
void tool_print_hex(const char *name, const uint8_t *b, size_t len);
/* Current time as NTP seconds. */
uint64_t tool_ntp_now(void);

void tool_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
