#!/usr/bin/env bash
# mcsec.status over the ctl binrpc socket (kamcmd -s MCSEC_CTL): version and real counters.
. "$(dirname "$0")/lib.sh"
it_init rpc_status
export MCSEC_IDENTITY="sip:cs-proxy@mcptt.example.org sip:cs-proxy@mcvideo.example.org"
mkdir -p "$IT_DIR/certs" "$IT_DIR/keys"
# a real KMS certificate (mod_init loads and validates it), given as a file and in a directory
"$IT_TOP/build/mcsec" kms init --kms-uri kms.example.org --out "$IT_DIR/kmsgen" >/dev/null || it_fail "kms init"
cp "$IT_DIR/kmsgen/kms-cert.xml" "$IT_DIR/certs/kms.xml"
export MCSEC_KMS_CERT="$IT_DIR/certs/kms.xml $IT_DIR/certs"
export MCSEC_KEY_SET="$IT_DIR/keys"
kam_start || it_fail "kamailio did not start"
out="$(kam_rpc mcsec.status)" || it_fail "kamcmd mcsec.status failed"
echo "$out" >&2
echo "$out" | grep -Eq '^[[:space:]]*version: [0-9]+\.[0-9]+\.[0-9]+' || it_fail "no version"
echo "$out" | grep -q 'kamailio: kamailio 5\.6\.3' || it_fail "no kamailio version"
echo "$out" | grep -Eq '^[[:space:]]*identities: 2$' || it_fail "identities != 2"
echo "$out" | grep -Eq '^[[:space:]]*kms_cert_paths: 2$' || it_fail "kms_cert_paths != 2"
echo "$out" | grep -Eq '^[[:space:]]*key_set_paths: 1$' || it_fail "key_set_paths != 1"
echo "$out" | grep -Eq '^[[:space:]]*uptime: [0-9]+$' || it_fail "no uptime"
# OPTIONS to a configured identity is answered by the proxy (mcsec_is_identity in the cfg)
sipp_uac uac_options_identity.xml -m 2 || it_fail "no 200 for OPTIONS to the proxy identity"
out="$(kam_rpc mcsec.status)" || it_fail "kamcmd mcsec.status failed"
echo "$out" | grep -Eq '^[[:space:]]*identity_matches: 2$' || it_fail "identity_matches != 2"
echo "$out" | grep -Eq '^[[:space:]]*identity_checks: 2$' || it_fail "identity_checks != 2"
kam_rpc system.listMethods | grep -qx 'mcsec.status' || it_fail "mcsec.status not listed"
it_log "PASS rpc_status"
