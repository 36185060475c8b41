/*
 * Load generator for the CSK upload saturation test and the bench (not part of libmcsec or the
 * tool): N fresh CSK uploads (TS 33.180 5.4) from one or more client key sets to one proxy
 * identity, each with its own random CSK, CSK-ID and RAND, and the mcptt-info access token and
 * MC service ID encrypted under that CSK (9.3.4.2, F.1.4). Output: a SIPp -inf CSV in the format of
 * tests/integration/csk_lib.sh (b64;xml;user@host;token;user@host).
 *   csk_gen CERT.xml PROXY-URI KMS-URI N CLIENT-KEYSET.xml [CLIENT-KEYSET.xml ...] > out.csv
 * Build: cc -O2 -I modules/mcsec/lib tests/integration/csk_gen.c build/libmcsec.a $(pkg-config
 * --libs xmlsec1-openssl libxml-2.0 openssl libsrtp2)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "encoding.h"
#include "kdf.h"
#include "keystore.h"
#include "mcsec_err.h"
#include "mikey.h"
#include "xmlprot.h"

#define INFO_CT "application/vnd.3gpp.mcptt-info+xml"

int main(int argc, char **argv)
{
	char err[512];
	mcsec_keystore_t *ks;
	const mcsec_kms_cert_t *rcert;
	mcsec_xml_policy_t *pol = NULL;
	uint64_t now = (uint64_t)time(NULL) + MCSEC_NTP_UNIX_OFFSET;
	long n;
	int i, k;

	if(argc < 6) {
		fprintf(stderr, "usage: csk_gen CERT PROXY-URI KMS-URI N KEYSET...\n");
		return 2;
	}
	n = atol(argv[4]);
	mcsec_xml_init();
	ks = mcsec_keystore_new();
	if(!ks
			|| mcsec_keystore_load_path(ks, argv[1], err, sizeof(err))
					   != MCSEC_OK) {
		fprintf(stderr, "csk_gen: %s: %s\n", argv[1], err);
		return 1;
	}
	for(k = 5; k < argc; k++)
		if(mcsec_keystore_load_path(ks, argv[k], err, sizeof(err))
				!= MCSEC_OK) {
			fprintf(stderr, "csk_gen: %s: %s\n", argv[k], err);
			return 1;
		}
	if(mcsec_keystore_find_cert(ks, argv[3], strlen(argv[3]), now, &rcert)
					!= MCSEC_OK
			|| mcsec_xml_policy_default(&pol) != MCSEC_OK) {
		fprintf(stderr, "csk_gen: no certificate for %s\n", argv[3]);
		return 1;
	}
	printf("SEQUENTIAL\n");
	for(i = 0; i < n; i++) {
		const mcsec_keystore_entry_t *e = mcsec_keystore_entry_at(
				ks, (size_t)i % mcsec_keystore_nkeysets(ks));
		mcsec_mikey_build_opts_t o;
		mcsec_xml_keys_t xk;
		uint8_t *raw = NULL, tok[6];
		size_t raw_len = 0, enc_len = 0;
		char *b64, *enc = NULL, info[1024], toks[13];
		const char *user = e->ks->user_uri;

		memset(&o, 0, sizeof(o));
		o.initiator = e;
		o.responder_cert = rcert;
		o.responder_uri = argv[2];
		if(RAND_bytes(o.key, 16) != 1
				|| RAND_bytes((uint8_t *)&o.key_id, 4) != 1
				|| RAND_bytes(tok, 6) != 1)
			return 1;
		o.key_id = (o.key_id & 0x0fffffffu) | 0x20000000u; /* Annex G: CSK */
		o.time = now;
		if(mcsec_mikey_build(&o, &raw, &raw_len) != MCSEC_OK) {
			fprintf(stderr, "csk_gen: build failed\n");
			return 1;
		}
		b64 = malloc(MCSEC_B64_ENC_LEN(raw_len));
		mcsec_b64_encode(raw, raw_len, b64, MCSEC_B64_ENC_LEN(raw_len), 0);
		mcsec_hex_encode(tok, 6, toks);
		snprintf(info, sizeof(info),
				"<?xml version=\"1.0\" encoding=\"UTF-8\"?> <mcpttinfo "
				"xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\"><mcptt-Params>"
				"<mcptt-access-token "
				"type=\"Normal\"><mcpttString>ACCESS-TOKEN-%s"
				"</mcpttString></mcptt-access-token><mcptt-request-uri "
				"type=\"Normal\"><mcpttURI>%s</mcpttURI></mcptt-request-uri>"
				"</mcptt-Params></mcpttinfo>",
				toks, user);
		if(mcsec_xml_keys_init(&xk, o.key, 16, o.key_id, user, strlen(user), 0)
						!= MCSEC_OK
				|| mcsec_xml_encrypt_doc(info, strlen(info), INFO_CT,
						   strlen(INFO_CT), pol, &xk, &enc, &enc_len, NULL)
						   != MCSEC_OK) {
			fprintf(stderr, "csk_gen: xml encrypt failed\n");
			return 1;
		}
		mcsec_xml_keys_clear(&xk);
		OPENSSL_cleanse(o.key, sizeof(o.key));
		for(size_t j = 0; j < enc_len; j++)
			if(enc[j] == '\n' || enc[j] == '\r')
				enc[j] = ' ';
		/* user@host for From / P-Asserted-Identity */
		const char *uh = strncmp(user, "sip:", 4) ? user : user + 4;
		printf("%s;%s;%s;ACCESS-TOKEN-%s;%s\n", b64, enc, uh, toks, uh);
		free(b64);
		free(enc);
		free(raw);
	}
	mcsec_xml_policy_free(pol);
	mcsec_keystore_free(ks);
	return 0;
}
