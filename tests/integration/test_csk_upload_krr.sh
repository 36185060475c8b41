#!/usr/bin/env bash
# CSK upload from a client of a KMS the domain does not accept (TS 33.180 5.2.8.2.3 case A, D.4):
# with a KMS policy the proxy answers 488 with a signed KMS Redirect Response listing the
# acceptable KMS (verified with `mcsec krr verify` against the signing certificate), before any
# crypto; the MCX server receives nothing; an upload of an accepted KMS still goes through.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
it_init csk_upload_krr
csk_keys
now=$(($(date +%s) + 2208988800))
"$MCSEC" kms init --kms-uri other-kms.example.org --out "$IT_DIR/kms2" >/dev/null || it_fail "kms2"
"$MCSEC" kms issue --kms "$IT_DIR/kms2" --user sip:eve@example.org --time "$now" \
	--out "$IT_DIR/eve.xml" >/dev/null || it_fail "eve key set"
# the proxy knows the other KMS's certificate, but its policy accepts only the home KMS
cp "$IT_DIR/kms2/kms-cert.xml" "$MCSEC_STATE_DIR/kms/other-kms.xml"
cat >"$IT_DIR/kms-policy" <<POL
home kms.example.org
krr-creator $CSK_PROXY
default both @home
POL
openssl ecparam -name prime256v1 -genkey -noout -out "$IT_DIR/krr-key.pem" 2>/dev/null || it_fail "key"
openssl req -new -x509 -key "$IT_DIR/krr-key.pem" -subj "/CN=mcsec-proxy.example.org" -days 2 \
	-out "$IT_DIR/krr-cert.pem" 2>/dev/null || it_fail "cert"
export MCSEC_KMS_POLICY="$IT_DIR/kms-policy" MCSEC_KRR_KEY="$IT_DIR/krr-key.pem" \
	MCSEC_KRR_CERT="$IT_DIR/krr-cert.pem"
kam_start || it_fail "kamailio did not start"
csk_uas uas_csk_upload.xml REGISTER -m 1

CSK_KEYSET="$IT_DIR/eve.xml" CSK_CERT_EXTRA="$IT_DIR/kms2/kms-cert.xml" csk_upload "$IT_DIR/eve" eve
base64 -d "$IT_DIR/eve.b64" >"$IT_DIR/eve.raw"
st="$(/usr/bin/python3 "$IT_TOP/tests/integration/sip_send.py" "127.0.0.1:$KAM_PORT" eve@example.org \
	binary "$IT_DIR/eve.raw" "$IT_DIR/eve.xml" "$IT_DIR/eve-reply.txt")" || it_fail "no final response"
[ "$st" = "SIP/2.0 488 KMS not acceptable" ] || it_fail "got: $st"
grep -qi "^Content-Type: application/vnd.3gpp.kmsredirectresponse+xml" "$IT_DIR/eve-reply.txt" ||
	it_fail "no KRR Content-Type"
/usr/bin/python3 -c "import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d.split(b'\r\n\r\n',1)[1])" \
	"$IT_DIR/eve-reply.txt" "$IT_DIR/krr.xml"
"$MCSEC" krr verify --trust "$IT_DIR/krr-cert.pem" "$IT_DIR/krr.xml" >"$IT_DIR/krr-verify.txt" 2>&1 ||
	{ cat "$IT_DIR/krr-verify.txt" >&2; it_fail "KRR does not verify"; }
cat "$IT_DIR/krr-verify.txt" >&2
grep -q "other-kms.example.org" "$IT_DIR/krr.xml" || it_fail "KRR does not name the initiator KMS"
grep -q "<KmsUri>kms.example.org</KmsUri>" "$IT_DIR/krr.xml" || it_fail "KRR does not list the home KMS"
[ "$(csk_stat decapsulations)" = 0 ] || it_fail "crypto done for a refused KMS"
[ "$(uas_received REGISTER)" = 0 ] || it_fail "the MCX server received the refused upload"

# an accepted KMS: the upload goes through
csk_upload "$IT_DIR/ok" alice
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/ok.csv" -m 1 || it_fail "accepted KMS: no 200"
sipp_uas_wait || it_fail "UAS: the accepted upload"
it_log "PASS csk_upload_krr"
