#!/usr/bin/env bash
# CSK upload failures (issue 5 "Behaviour" 5): for each class the proxy answers itself with the
# expected status and a reason phrase saying what failed, and the MCX server (SIPp UAS, message
# trace) receives nothing: 400 malformed, 403 bad signature / not for us / stale / replayed
# (another IMPU, and after de-REGISTER through the shm replay table) / revoked / identity
# mismatch / not a CSK, 488 KMS not acceptable, 500 internal fault (shm replay table full).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
it_init csk_upload_fail
csk_keys
kam_start || it_fail "kamailio did not start"
csk_uas uas_plain.xml REGISTER -m 100

# refused: CSV, expected code, reason regexp
refused() {
	csk_uac uac_csk_upload.xml REGISTER "$2" "$3" "$1" -m 1 || it_fail "expected $2 $3 for $(basename "$1")"
	it_log "ok: $2 $3 ($(basename "$1" .csv))"
}
# rewrite the I_MESSAGE of a CSV: field0 replaced by base64 of the raw octets after a python edit
edit_b64() { # IN-CSV OUT-CSV PYTHON-EXPR-ON-b (bytearray)
	/usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import base64, sys
src, dst, expr = sys.argv[1:4]
lines = open(src).read().splitlines()
f = lines[1].split(";")
b = bytearray(base64.b64decode(f[0]))
exec(expr)
f[0] = base64.b64encode(bytes(b)).decode()
open(dst, "w").write(lines[0] + "\n" + ";".join(f) + "\n")
PY
}
now=$(($(date +%s) + 2208988800))

# 400: not MIKEY at all, and a truncated I_MESSAGE
csk_upload "$IT_DIR/ok" alice
edit_b64 "$IT_DIR/ok.csv" "$IT_DIR/garbage.csv" 'b[:] = b"\x00" * 40'
refused "$IT_DIR/garbage.csv" 400 "Malformed CSK upload"
edit_b64 "$IT_DIR/ok.csv" "$IT_DIR/trunc.csv" 'del b[60:]'
refused "$IT_DIR/trunc.csv" 400 "Malformed CSK upload"
# 403: signature (last octet of the ECCSI signature flipped)
edit_b64 "$IT_DIR/ok.csv" "$IT_DIR/badsig.csv" 'b[-1] ^= 1'
refused "$IT_DIR/badsig.csv" 403 "signature"
# 403: addressed to another identity (the proxy holds no key set for it)
CSK_TO="sip:stranger@example.org" csk_upload "$IT_DIR/notus" alice
refused "$IT_DIR/notus.csv" 403 "not addressed to this proxy"
# 403: stale timestamp (an hour old)
csk_upload "$IT_DIR/stale" alice --time $((now - 3600))
refused "$IT_DIR/stale.csv" 403 "not fresh"
# 403: key parameters say revoked (E.6.9)
csk_upload "$IT_DIR/revoked" alice --kp-status 0
refused "$IT_DIR/revoked.csv" 403 "revoked"
# 403: hidden initiator (E.7) whose UID is not the one of the IMPU (P-Asserted-Identity bob)
CSK_HDR_USER="bob@example.org" csk_upload "$IT_DIR/mismatch" alice --hide-ids
refused "$IT_DIR/mismatch.csv" 403 "identity mismatch"
# 403: a PCK is not a CSK (Annex G purpose tag)
csk_upload "$IT_DIR/pck" alice --key-type PCK --key-id 10000001
refused "$IT_DIR/pck.csv" 403 "not a CSK"
# 488: initiator's KMS not loaded
"$MCSEC" kms init --kms-uri other-kms.example.org --out "$IT_DIR/kms2" >/dev/null || it_fail "kms2"
"$MCSEC" kms issue --kms "$IT_DIR/kms2" --user sip:eve@example.org --time "$now" \
	--out "$IT_DIR/eve.xml" >/dev/null || it_fail "eve key set"
CSK_KEYSET="$IT_DIR/eve.xml" CSK_CERT_EXTRA="$IT_DIR/kms2/kms-cert.xml" csk_upload "$IT_DIR/kms" eve
refused "$IT_DIR/kms.csv" 488 "KMS not acceptable"
[ "$(uas_received REGISTER)" = 0 ] || it_fail "the MCX server received a refused upload"

# replays: accepted once, then the same I_MESSAGE under another IMPU, then again after
# de-REGISTER (the binding is gone, the shm replay table still knows it)
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/ok.csv" -m 1 || it_fail "first upload: no 200"
sed -e '2s/;alice@example.org;/;bob@example.org;/' "$IT_DIR/ok.csv" >"$IT_DIR/replay-bob.csv"
refused "$IT_DIR/replay-bob.csv" 403 "replayed"
sipp_uac uac_deregister.xml -m 1 -key user alice || it_fail "de-REGISTER: no 200"
dec0="$(csk_stat decapsulations)"
refused "$IT_DIR/ok.csv" 403 "replayed"
[ "$(csk_stat decapsulations)" = "$dec0" ] || it_fail "a known replay cost a decapsulation"
[ "$(uas_received REGISTER)" = 2 ] || it_fail "MCX server: $(uas_received REGISTER) REGISTERs, want 2"

st="$(kam_rpc mcsec.stats)"
echo "$st" >&2
[ "$(csk_stat uploads_failed)" = 11 ] || it_fail "uploads_failed != 11"
echo "$st" | grep -Eq "replayed: 2$" || it_fail "2 replays not counted by reason"
echo "$st" | grep -Eq "malformed input: 2$" || it_fail "2 malformed not counted by reason"
kam_stop

# 500 internal fault: the shm replay table is full (csk-limits-test.cfg: the product config with
# replay_max 1; a full table fails closed). One upload fills
# it; the next fresh upload verifies but cannot be recorded, so it is refused with a reason that
# says so, and the MCX server receives nothing of it.
KAM_CFG="$IT_TOP/tests/integration/csk-limits-test.cfg" kam_start ||
	it_fail "kamailio (replay_max 1) did not start"
csk_uas uas_plain.xml REGISTER -m 10
csk_upload "$IT_DIR/fill" alice
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/fill.csv" -m 1 || it_fail "replay_max 1: first upload"
sleep 0.3
[ "$(uas_received REGISTER)" = 1 ] || it_fail "the first upload was not forwarded"
csk_upload "$IT_DIR/full" bob
refused "$IT_DIR/full.csv" 500 "CSK upload internal error: replay table full"
sleep 0.5
[ "$(uas_received REGISTER)" = 1 ] || it_fail "the MCX server received the upload refused with 500"
[ "$(csk_stat uploads_failed)" = 1 ] || it_fail "the 500 is not counted"
kam_rpc mcsec.stats | grep -Eq "internal error: 1$" || it_fail "the 500 is not counted by reason"
kam_rpc mcsec.client sip:bob@example.org 2>&1 | grep -q "csk_id" && it_fail "bob bound despite the 500"
it_log "PASS csk_upload_fail"
