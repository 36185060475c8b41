/*
 * mcsec - bounded whole-file reads for the loaders (key store, policies).
 */
#ifndef MCSEC_FILEIO_H
#define MCSEC_FILEIO_H

#include <stddef.h>

/* Read the regular file at path (at most max octets) into a new
 * NUL-terminated buffer. MCSEC_ERR_IO if it cannot be opened or read or is
 * not a regular file, MCSEC_ERR_MALFORMED if it is larger than max; errbuf
 * names the file. The caller frees *buf (OPENSSL_clear_free when the file
 * may hold secrets; the buffer has *len + 1 octets). */
int mcsec_read_file(const char *path, size_t max, char **buf, size_t *len,
		char *errbuf, size_t errlen);

#endif
