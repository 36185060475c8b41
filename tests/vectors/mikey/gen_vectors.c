/*
 * Regenerates the MIKEY-SAKKE test vectors of this directory (test KMSs,
 * key sets and I_MESSAGEs with fixed time, keys and RANDs).  Not built by
 * make; from the repository top:
 *   cc -std=gnu11 -Imodules/mcsec/lib -Itests/unit \
 *      tests/vectors/mikey/gen_vectors.c build/libmcsec.a \
 *      $(pkg-config --libs xmlsec1-openssl libxml-2.0 openssl) -o /tmp/gen
 *   /tmp/gen tests/vectors/mikey
 * The KMS master secrets are random, so every run gives new files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "mikey.h"
#include "test_mikey_keys.h"

#define T0 3900000000ull /* NTP seconds, 2023-08-02T21:20:00Z */
#define PNO (T0 / TK_PERIOD)

static const char *dir;

static void put(const char *name, const void *b, size_t n)
{
	char p[512];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	if(!f || fwrite(b, 1, n, f) != n) {
		perror(p);
		exit(1);
	}
	fclose(f);
}

static void put_keyset(const tk_kms_t *k, const char *uri, const char *name)
{
	char *x;
	size_t l;
	if(tk_issue(k, uri, PNO, &x, &l))
		exit(1);
	put(name, x, l);
	free(x);
}

static void put_b64(const char *name, const uint8_t *b, size_t n, int sdp)
{
	char *s = malloc(MCSEC_B64_ENC_LEN(n) + 8);
	size_t o = 0;
	if(sdp) {
		memcpy(s, "mikey ", 6);
		o = 6;
	}
	mcsec_b64_encode(b, n, s + o, MCSEC_B64_ENC_LEN(n), 0);
	strcat(s, "\n");
	put(name, s, strlen(s));
	free(s);
}

int main(int argc, char **argv)
{
	tk_kms_t ka, kb;
	mcsec_keystore_t *ks = mcsec_keystore_new();
	const mcsec_keystore_entry_t *alice;
	const mcsec_kms_cert_t *ca, *cb;
	mcsec_mikey_build_opts_t o;
	mcsec_mikey_keyparams_t kp;
	mcsec_mikey_cs_t cs[2];
	char *groups[1] = {"sip:group-a@example.org"};
	size_t gl[1] = {23};
	uint8_t pol0 = 0, *msg;
	size_t len;
	static const uint8_t key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2,
			0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
	static const uint8_t rnd[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
			0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

	if(argc != 2)
		return 2;
	dir = argv[1];
	if(tk_kms_init(&ka, "kms.example.org")
			|| tk_kms_init(&kb, "kms.partner.example.net"))
		return 1;
	put("kms-cert.xml", ka.cert_xml, ka.cert_len);
	put("kms2-cert.xml", kb.cert_xml, kb.cert_len);
	put_keyset(&ka, "sip:alice@example.org", "alice-keyset.xml");
	put_keyset(&ka, "sip:mcptt-server@example.org", "server-keyset.xml");
	put_keyset(&kb, "sip:bob@partner.example.net", "bob-keyset.xml");
	if(tk_load(ks, ka.cert_xml, ka.cert_len)
			|| tk_load(ks, kb.cert_xml, kb.cert_len)
			|| tk_load_keyset(ks, &ka, "sip:alice@example.org", PNO))
		return 1;
	alice = tk_entry(ks, "sip:alice@example.org", PNO);
	mcsec_keystore_find_cert(ks, "kms.example.org", 15, T0, &ca);
	mcsec_keystore_find_cert(ks, "kms.partner.example.net", 23, T0, &cb);

	/* CSK upload alice -> server, hidden identities (as real clients) */
	memset(&o, 0, sizeof(o));
	o.initiator = alice;
	o.responder_cert = ca;
	o.responder_uri = "sip:mcptt-server@example.org";
	memcpy(o.key, key, 16);
	o.key_id = 0x2a5a5a01u;
	o.rand = rnd;
	o.rand_len = 16;
	o.time = T0;
	o.hide_ids = 1;
	if(mcsec_mikey_build(&o, &msg, &len))
		return 1;
	put_b64("csk-upload-hidden.b64", msg, len, 0);
	free(msg);

	/* GMK alice -> bob (partner KMS): GUK-ID, SP, GENERIC-ID, key params */
	memset(cs, 0, sizeof(cs));
	cs[0].cs_id = 4;
	cs[0].npolicies = 1;
	cs[0].policies = &pol0;
	cs[1].cs_id = 5;
	cs[1].npolicies = 1;
	cs[1].policies = &pol0;
	memset(&kp, 0, sizeof(kp));
	kp.key_type = 0;
	kp.status = 1;
	kp.activation = 1690000000;
	kp.expiry = 1700000000;
	kp.text = "Group A key";
	kp.text_len = strlen(kp.text);
	kp.has_groups = 1;
	kp.ngroups = 1;
	kp.groups = groups;
	kp.group_lens = gl;
	o.responder_cert = cb;
	o.responder_uri = "sip:bob@partner.example.net";
	o.key_id = 0x0a5a5a02u;
	o.hide_ids = 0;
	o.cs = cs;
	o.ncs = 2;
	o.add_sp = 1;
	o.kp = &kp;
	o.kp_date_time = T0 - MCSEC_NTP_UNIX_OFFSET;
	o.sakke_to_self = 1;
	if(mcsec_mikey_build(&o, &msg, &len))
		return 1;
	put("gmk-partner.bin", msg, len);
	free(msg);

	/* PCK alice -> server, SDP key-mgmt form */
	o.responder_cert = ca;
	o.responder_uri = "sip:mcptt-server@example.org";
	o.key_id = 0x1a5a5a03u;
	o.cs = NULL;
	o.ncs = 0;
	o.add_sp = 0;
	o.kp = NULL;
	o.sakke_to_self = 0;
	if(mcsec_mikey_build(&o, &msg, &len))
		return 1;
	put_b64("pck-sdp.txt", msg, len, 1);
	free(msg);
	mcsec_keystore_free(ks);
	tk_kms_free(&ka);
	tk_kms_free(&kb);
	return 0;
}
