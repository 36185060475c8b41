#!/usr/bin/env bash
# Demo key material for `make run`, made with the mcsec tool (never used when real KMS output is
# present): a demo KMS, the proxy's key sets for the current and the next key period, and a demo
# client key set, then instructions to build and send a CSK upload.
#   scripts/demo-keys.sh STATE_DIR IDENTITY[,IDENTITY...]
# Writes STATE_DIR/kms/kms-cert.xml (loaded by the proxy), STATE_DIR/keys/*.xml (loaded),
# STATE_DIR/demo-kms/ (the KMS secret, 0600, not loaded) and STATE_DIR/demo-client/ (the
# client's key set, not loaded by the proxy).
set -euo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
MCSEC="${MCSEC:-$TOP/build/mcsec}"
STATE="${1:?usage: demo-keys.sh STATE_DIR IDENTITY[,IDENTITY...]}"
IDS="${2:?usage: demo-keys.sh STATE_DIR IDENTITY[,IDENTITY...]}"
KMS_URI="${MCSEC_DEMO_KMS_URI:-kms.example.org}"
CLIENT="${MCSEC_DEMO_CLIENT:-sip:alice@example.org}"

[ -x "$MCSEC" ] || { echo "demo-keys: $MCSEC is missing (make tool)" >&2; exit 1; }
mkdir -p "$STATE/kms" "$STATE/keys" "$STATE/demo-kms" "$STATE/demo-client"
chmod 700 "$STATE/demo-kms"
now_ntp=$(($(date +%s) + 2208988800))

"$MCSEC" kms init --kms-uri "$KMS_URI" --out "$STATE/demo-kms" >/dev/null
cp "$STATE/demo-kms/kms-cert.xml" "$STATE/kms/kms-cert.xml"
period=$(sed -n 's:.*<UserKeyPeriod>\([0-9]*\)</UserKeyPeriod>.*:\1:p' "$STATE/kms/kms-cert.xml" | head -n1)
period="${period:-2592000}"

n=0
for id in ${IDS//,/ }; do
	n=$((n + 1))
	"$MCSEC" kms issue --kms "$STATE/demo-kms" --user "$id" --time "$now_ntp" \
		--out "$STATE/keys/proxy-$n-current.xml" >/dev/null
	"$MCSEC" kms issue --kms "$STATE/demo-kms" --user "$id" --time "$((now_ntp + period))" \
		--out "$STATE/keys/proxy-$n-next.xml" >/dev/null
done
"$MCSEC" kms issue --kms "$STATE/demo-kms" --user "$CLIENT" --time "$now_ntp" \
	--out "$STATE/demo-client/client.xml" >/dev/null
chmod 600 "$STATE"/keys/*.xml "$STATE/demo-client/client.xml"

first="${IDS%%,*}"
cat >&2 <<TXT
demo-keys: demo KMS $KMS_URI, key sets for $IDS (current and next period),
demo-keys: demo client $CLIENT (key set $STATE/demo-client/client.xml).
demo-keys: replace $STATE/kms/ and $STATE/keys/ by real KMS output to use your own.

To try a CSK upload (TS 33.180 5.4) against the running proxy:
  CSK=\$(openssl rand -hex 16); CSKID=2\$(openssl rand -hex 4 | cut -c2-8)
  $MCSEC mikey build --cert $STATE/kms/kms-cert.xml --keyset $STATE/demo-client/client.xml \\
      --to '$first' --to-kms $KMS_URI --key-type CSK --key \$CSK --key-id \$CSKID > upload.b64
  $MCSEC xml encrypt --xpk \$CSK --xpk-id \$CSKID --mcx-id '$CLIENT' \\
      --content-type application/vnd.3gpp.mcptt-info+xml info.xml > info-enc.xml
then send a REGISTER with Content-Type: multipart/mixed;boundary=b1 and the two parts
  --b1 / Content-Type: application/mikey / Content-Transfer-Encoding: base64 / (upload.b64)
  --b1 / Content-Type: application/vnd.3gpp.mcptt-info+xml / (info-enc.xml) / --b1--
(tests/integration/csk_upload_lib.sh builds exactly this) and look at the binding with
  kamcmd -s <ctl socket> mcsec.clients
TXT
