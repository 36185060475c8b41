/*
 * mcsec - bounded whole-file reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "fileio.h"
#include "mcsec_err.h"

int mcsec_read_file(const char *path, size_t max, char **buf, size_t *len,
		char *err, size_t errlen)
{
	int fd;
	struct stat sb;
	size_t n = 0, size;
	char *b;

	if(!path || !buf || !len)
		return MCSEC_ERR_ARG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if(fd < 0)
		return mcsec_errf(err, errlen, MCSEC_ERR_IO, "%s: cannot open: %s",
				path, strerror(errno));
	if(fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return mcsec_errf(
				err, errlen, MCSEC_ERR_IO, "%s: not a regular file", path);
	}
	if(sb.st_size < 0 || (uint64_t)sb.st_size > max) {
		close(fd);
		return mcsec_errf(err, errlen, MCSEC_ERR_MALFORMED,
				"%s: larger than %zu octets", path, max);
	}
	size = (size_t)sb.st_size;
	b = malloc(size + 1);
	if(!b) {
		close(fd);
		return MCSEC_ERR_INTERNAL;
	}
	while(n < size) {
		ssize_t r = read(fd, b + n, size - n);
		if(r < 0 && errno == EINTR)
			continue;
		if(r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if(n != size) {
		OPENSSL_clear_free(b, size + 1);
		return mcsec_errf(err, errlen, MCSEC_ERR_IO, "%s: read error", path);
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return MCSEC_OK;
}
