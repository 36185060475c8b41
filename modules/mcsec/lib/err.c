/*
 * mcsec - error strings.
 */
#include <stdarg.h>
#include <stdio.h>

#include "mcsec_err.h"

int mcsec_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if(err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *mcsec_strerror(int err)
{
	switch(err) {
		case MCSEC_OK:
			return "ok";
		case MCSEC_ERR_INTERNAL:
			return "internal error";
		case MCSEC_ERR_ARG:
			return "invalid argument";
		case MCSEC_ERR_MALFORMED:
			return "malformed input";
		case MCSEC_ERR_UNSUPPORTED:
			return "unsupported";
		case MCSEC_ERR_UNKNOWN_KMS:
			return "unknown KMS";
		case MCSEC_ERR_NO_KEYSET:
			return "no key set for this identity and key period";
		case MCSEC_ERR_BAD_SIGNATURE:
			return "bad signature";
		case MCSEC_ERR_NOT_FOR_US:
			return "not addressed to us";
		case MCSEC_ERR_STALE:
			return "stale timestamp";
		case MCSEC_ERR_REPLAYED:
			return "replayed";
		case MCSEC_ERR_WRONG_PURPOSE:
			return "wrong key purpose";
		case MCSEC_ERR_REVOKED:
			return "revoked";
		case MCSEC_ERR_DECAP_FAILED:
			return "decapsulation failed";
		case MCSEC_ERR_EXPIRED:
			return "expired or not yet valid";
		case MCSEC_ERR_INVALID_KEY:
			return "invalid key material";
		case MCSEC_ERR_IDENTITY_MISMATCH:
			return "identity mismatch";
		case MCSEC_ERR_NOT_FOUND:
			return "not found";
		case MCSEC_ERR_IO:
			return "I/O error";
	}
	return "unknown error";
}
