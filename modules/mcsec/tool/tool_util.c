/*
 * mcsec tool - shared helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/encoding.h"
#include "../lib/kdf.h"
#include "tool.h"

void tool_err(const char *fmt, ...)
{
	va_list ap;
	fputs("mcsec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int tool_read_input(const char *path, char **buf, size_t *len)
{
	FILE *f = stdin;
	size_t cap = 4096, n = 0;
	char *b;

	if(path && strcmp(path, "-") != 0) {
		f = fopen(path, "rb");
		if(!f) {
			tool_err("cannot open %s: %s", path, strerror(errno));
			return -1;
		}
	}
	b = malloc(cap);
	if(!b)
		goto oom;
	for(;;) {
		size_t r;
		if(n + 1 >= cap) {
			char *nb;
			if(cap > (64u << 20)) {
				tool_err("input too large");
				free(b);
				if(f != stdin)
					fclose(f);
				return -1;
			}
			nb = realloc(b, cap * 2);
			if(!nb)
				goto oom;
			b = nb;
			cap *= 2;
		}
		r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if(r == 0)
			break;
	}
	if(ferror(f)) {
		tool_err("read error on %s", path ? path : "stdin");
		free(b);
		if(f != stdin)
			fclose(f);
		return -1;
	}
	if(f != stdin)
		fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
oom:
	free(b);
	if(f != stdin)
		fclose(f);
	tool_err("out of memory");
	return -1;
}

int tool_write_file(const char *path, const void *buf, size_t len, int mode)
{
	char tmp[4096];
	int fd;
	const char *p = buf;

	if(snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid())
			>= (int)sizeof(tmp)) {
		tool_err("path too long: %s", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if(fd < 0) {
		tool_err("cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	while(len > 0) {
		ssize_t w = write(fd, p, len);
		if(w < 0) {
			if(errno == EINTR)
				continue;
			tool_err("write %s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	if(fsync(fd) != 0 || close(fd) != 0) {
		tool_err("write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if(rename(tmp, path) != 0) {
		tool_err("rename to %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

long tool_hex_arg(
		const char *opt, const char *hex, uint8_t *out, size_t cap, size_t want)
{
	long n = mcsec_hex_decode(hex, strlen(hex), out, cap);
	if(n < 0) {
		tool_err("%s: not a valid hex string (or too long)", opt);
		return -1;
	}
	if(want && (size_t)n != want) {
		tool_err("%s: expected %zu octets, got %ld", opt, want, n);
		return -1;
	}
	return n;
}

int tool_u64_arg(const char *opt, const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if(!s || !*s || *s == '-' || *s == '+') {
		tool_err("%s: expected a non-negative integer", opt);
		return -1;
	}
	errno = 0;
	x = strtoull(s, &end, 10);
	if(errno || *end) {
		tool_err("%s: expected a non-negative integer, got '%s'", opt, s);
		return -1;
	}
	*v = (uint64_t)x;
	return 0;
}

void tool_print_hex(const char *name, const uint8_t *b, size_t len)
{
	char *h = malloc(2 * len + 1);
	if(!h) {
		tool_err("out of memory");
		return;
	}
	mcsec_hex_encode(b, len, h);
	printf("%s=%s\n", name, h);
	free(h);
}

uint64_t tool_ntp_now(void)
{
	return (uint64_t)time(NULL) + MCSEC_NTP_UNIX_OFFSET;
}
