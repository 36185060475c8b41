/*
 * mcsec - error codes shared by every part of libmcsec.
 *
 * Every library function that can fail returns MCSEC_OK (0) or one of the
 * negative codes below.  The module maps them to SIP status codes and KRRs;
 * the tool prints mcsec_strerror() and exits non-zero.  Messages never carry
 * key material.
 */
#ifndef MCSEC_ERR_H
#define MCSEC_ERR_H

#include <stddef.h>

typedef enum mcsec_err
{
	MCSEC_OK = 0,
	MCSEC_ERR_INTERNAL = -1,	/* allocation or crypto library failure */
	MCSEC_ERR_ARG = -2,			/* caller passed an invalid argument */
	MCSEC_ERR_MALFORMED = -3,	/* input does not parse */
	MCSEC_ERR_UNSUPPORTED = -4, /* well-formed but uses an unsupported option */
	MCSEC_ERR_UNKNOWN_KMS = -5, /* no (acceptable) KMS certificate */
	MCSEC_ERR_NO_KEYSET = -6,	/* no key set for this identity / period */
	MCSEC_ERR_BAD_SIGNATURE = -7,  /* ECCSI / HMAC / XML signature invalid */
	MCSEC_ERR_NOT_FOR_US = -8,	   /* receiver is not one of our identities */
	MCSEC_ERR_STALE = -9,		   /* timestamp outside the freshness window */
	MCSEC_ERR_REPLAYED = -10,	   /* seen before (replay cache) */
	MCSEC_ERR_WRONG_PURPOSE = -11, /* key purpose tag not the expected one */
	MCSEC_ERR_REVOKED = -12,	   /* key, key set or certificate revoked */
	MCSEC_ERR_DECAP_FAILED = -13,  /* SAKKE decapsulation failed (uniform) */
	MCSEC_ERR_EXPIRED = -14,	   /* certificate / key set outside validity */
	MCSEC_ERR_INVALID_KEY = -15,   /* SSK/PVT/RSK fails validation */
	MCSEC_ERR_IDENTITY_MISMATCH = -16, /* bound identity does not match */
	MCSEC_ERR_NOT_FOUND = -17,		   /* lookup found nothing */
	MCSEC_ERR_IO = -18,				   /* file could not be read / written */
} mcsec_err_t;

#define MCSEC_ERR_MIN MCSEC_ERR_IO

/* Short, stable, human-readable reason for an error code. */
const char *mcsec_strerror(int err);

/* Format a message into err (if err and errlen) and return code: the
 * common "fail with a message" idiom of the loaders and parsers. */
int mcsec_errf(char *err, size_t errlen, int code, const char *fmt, ...)
		__attribute__((format(printf, 4, 5)));

#endif
