/*
 * libFuzzer target: untrusted KMS XML (TS 33.180 D.3) through
 * mcsec_kms_parse and then through a key store load from memory.
 *
 * The parser runs with a TrK "tk.fuzz" and an InK "ink.fuzz" configured
 * (the seed corpus tests/fuzz/corpus/kms_xml/ has key sets wrapped and
 * signed with them), so the unwrap and HMAC paths are reachable. The key
 * store is preloaded with the certificate of the fixed test KMS the seed
 * key sets were issued by, so UID / ECCSI / SAKKE validation is reached.
 * Invariants: every result code is one of ours; what parses is
 * well-formed by our own rules; a loaded key set has its contexts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keystore.h"
#include "kms.h"
#include "mcsec_err.h"

static const uint8_t TRK[32] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13,
		0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
static const uint8_t INK[32] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
		0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3,
		0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf};
#define NOW 3964665600ULL /* inside the seed key sets' period 1529 */

/* corpus/kms_xml/cert-init.xml */
static const char CERT[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<KmsResponse xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\" "
		"Version=\"1.0.0\">\n"
		"  <KmsUri>kms.fuzz.example</KmsUri>\n"
		"  <UserUri></UserUri>\n"
		"  <Time>2026-11-28T03:21:56</Time>\n"
		"  "
		"<ClientReqUrl>https://kms.fuzz.example/keymanagement/identity/v1/"
		"init</ClientReqUrl>\n"
		"  <KmsMessage>\n"
		"    <KmsInit Version=\"1.0.0\">\n"
		"    <KmsCertificate Version=\"1.1.0\" Role=\"Root\">\n"
		"      <KmsUri>kms.fuzz.example</KmsUri>\n"
		"      <CertUri>kms.fuzz.example</CertUri>\n"
		"      <Issuer>kms.fuzz.example</Issuer>\n"
		"      <Revoked>false</Revoked>\n"
		"      <UserIdFormat>2</UserIdFormat>\n"
		"      <UserKeyPeriod>2592000</UserKeyPeriod>\n"
		"      <UserKeyOffset>0</UserKeyOffset>\n"
		"      "
		"<PubEncKey>"
		"04164ABD31967D986176A152A8425B0DA79635AC908AA79565834A4369F17FA979BFBB"
		"7F63B78FFB912330CC9DA47ABF6713BC17EB404FB970149BB59D1CFF0DEC09A9AF421D"
		"66CD4009B4177B35BA652331B53CC22AF161C55A20F09689D963E93348C44728673939"
		"1249C3E3D24E82541E7A8885D2E5EACAF5A20EA40A1E47C34442F5437DF88AA091C736"
		"FD6D7D61B4591915E2A4FB5310A170F2FAEE4A37AE6433FD2556C89EA833149EC1B635"
		"2DFEA97A54BECF7997DBF2069B02F25194B5CF6C49C177799D979D44C92C2C9ED64827"
		"A93B450E669958CDFD8F33E2883C60AD97E8B71D8E938B8DA2E18A08C546E2FD11669F"
		"3E3A2BEF4D81076B66201B48</PubEncKey>\n"
		"      "
		"<PubAuthKey>"
		"048955E0F7918029795048F03F9C6A86D8B229315AB53D5A5A6E5A0D459FBD83EFA48A"
		"6EB7C1CEE898037161CA3AFA6E5A4F402B912E7385F79C18BA6137E0219D</"
		"PubAuthKey>\n"
		"      <ParameterSet>1</ParameterSet>\n"
		"    </KmsCertificate>\n"
		"    </KmsInit>\n"
		"  </KmsMessage>\n"
		"</KmsResponse>\n";

static void check_doc(const mcsec_kms_doc_t *d)
{
	if(d->ncerts + d->nkeysets == 0)
		abort();
	for(size_t i = 0; i < d->ncerts; i++) {
		const mcsec_kms_cert_t *c = d->certs[i];
		if(!c->kms_uri || c->user_id_format != 2 || c->user_key_period == 0
				|| c->pub_enc_key[0] != 4 || c->pub_auth_key[0] != 4
				|| (strcmp(c->version, "1.1.0") && strcmp(c->version, "1.2.0"))
				|| (c->is_security_gateway && strcmp(c->version, "1.2.0")))
			abort();
	}
	for(size_t i = 0; i < d->nkeysets; i++) {
		const mcsec_kms_keyset_t *k = d->keysets[i];
		if(!k->kms_uri || !k->user_uri || k->rsk[0] != 4 || k->pvt[0] != 4)
			abort();
	}
	if(d->signature < MCSEC_KMS_SIG_NONE
			|| d->signature > MCSEC_KMS_SIG_VERIFIED)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mcsec_kms_named_key_t trk = {"tk.fuzz", TRK, sizeof(TRK)};
	mcsec_kms_named_key_t ink = {"ink.fuzz", INK, sizeof(INK)};
	mcsec_kms_parse_opts_t o = {&trk, 1, &ink, 1, (int)(size & 1)};
	mcsec_kms_doc_t d;
	mcsec_keystore_t *ks;
	char err[256];
	int rc;

	rc = mcsec_kms_parse((const char *)data, size, &o, &d, err, sizeof(err));
	if(rc > 0 || rc < MCSEC_ERR_MIN)
		abort();
	if(rc == MCSEC_OK) {
		check_doc(&d);
		if(o.require_signature && d.signature != MCSEC_KMS_SIG_VERIFIED)
			abort();
		mcsec_kms_doc_free(&d);
	} else if(d.certs || d.keysets || d.ncerts || d.nkeysets) {
		abort(); /* nothing is handed out on failure */
	}

	ks = mcsec_keystore_new();
	if(!ks)
		return 0;
	mcsec_keystore_set_time(ks, NOW);
	if(mcsec_keystore_add_trk(ks, trk.name, TRK, sizeof(TRK))
			|| mcsec_keystore_add_ink(ks, ink.name, INK, sizeof(INK))
			|| mcsec_keystore_load_xml(
					ks, CERT, sizeof(CERT) - 1, err, sizeof(err)))
		abort();
	rc = mcsec_keystore_load_xml(
			ks, (const char *)data, size, err, sizeof(err));
	if(rc > 0 || rc < MCSEC_ERR_MIN)
		abort();
	for(size_t i = 0; i < mcsec_keystore_nkeysets(ks); i++) {
		const mcsec_keystore_entry_t *e = mcsec_keystore_entry_at(ks, i);
		if(!e || !e->ks || !e->cert || !e->sakke || !e->signer)
			abort();
	}
	if(rc != MCSEC_OK
			&& (mcsec_keystore_ncerts(ks) != 1
					|| mcsec_keystore_nkeysets(ks) != 0))
		abort(); /* all or nothing */
	mcsec_keystore_free(ks);
	return 0;
}
