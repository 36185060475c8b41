/*
 * libFuzzer target: RFC 6507 5.2.2 verification of untrusted signatures.
 * Input = signature (129 octets, zero-padded if shorter) || message, checked
 * against the RFC 6507 Appendix A KPAK and ID.  Only the genuine RFC
 * signature over "message\0" may verify; anything else must be rejected
 * with MCSEC_ERR_BAD_SIGNATURE (never a crash or another code).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eccsi.h"
#include "mcsec_err.h"

static const uint8_t KPAK[65] = {0x04, 0x50, 0xD4, 0x67, 0x0B, 0xDE, 0x75, 0x24,
		0x4F, 0x28, 0xD2, 0x83, 0x8A, 0x0D, 0x25, 0x55, 0x8A, 0x7A, 0x72, 0x68,
		0x6D, 0x45, 0x22, 0xD4, 0xC8, 0x27, 0x3F, 0xB6, 0x44, 0x2A, 0xEB, 0xFA,
		0x93, 0xDB, 0xDD, 0x37, 0x55, 0x1A, 0xFD, 0x26, 0x3B, 0x5D, 0xFD, 0x61,
		0x7F, 0x39, 0x60, 0xC6, 0x5A, 0x8C, 0x29, 0x88, 0x50, 0xFF, 0x99, 0xF2,
		0x03, 0x66, 0xDC, 0xE7, 0xD4, 0x36, 0x72, 0x17, 0xF4};
static const uint8_t ID[] = "2011-02\0tel:+447700900123"; /* 26 with NUL */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sig[MCSEC_ECCSI_SIG_LEN] = {0};
	const uint8_t *msg = NULL;
	size_t mlen = 0;
	int rc;

	if(size <= MCSEC_ECCSI_SIG_LEN) {
		memcpy(sig, data, size);
	} else {
		memcpy(sig, data, MCSEC_ECCSI_SIG_LEN);
		msg = data + MCSEC_ECCSI_SIG_LEN;
		mlen = size - MCSEC_ECCSI_SIG_LEN;
	}
	rc = mcsec_eccsi_verify(KPAK, ID, sizeof(ID), msg, mlen, sig);
	if(rc == MCSEC_OK) {
		/* only the published signature over "message\0" */
		if(mlen != 8 || memcmp(msg, "message\0", 8) != 0)
			abort();
	} else if(rc != MCSEC_ERR_BAD_SIGNATURE) {
		abort();
	}
	return 0;
}
