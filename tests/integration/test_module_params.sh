#!/usr/bin/env bash
# mod_init validates the kms_cert / key_set paths: a missing path makes Kamailio refuse to start
# (with an error naming the path); a non-SIP identity is rejected at parameter time.
. "$(dirname "$0")/lib.sh"
it_init module_params

export MCSEC_KMS_CERT="$IT_DIR/does-not-exist.xml"
if kam_start; then it_fail "started with a missing kms_cert"; fi
grep -q "kms_cert \[$IT_DIR/does-not-exist.xml\]: No such file or directory" "$IT_DIR/kamailio.log" ||
	it_fail "no error naming the missing kms_cert path"
unset MCSEC_KMS_CERT

export MCSEC_KEY_SET="$IT_DIR/no-keysets"
if kam_start; then it_fail "started with a missing key_set"; fi
grep -q "key_set \[$IT_DIR/no-keysets\]: No such file or directory" "$IT_DIR/kamailio.log" ||
	it_fail "no error naming the missing key_set path"
unset MCSEC_KEY_SET

export MCSEC_IDENTITY="not-a-uri"
if kam_start; then it_fail "started with a bad identity"; fi
grep -q "identity \[not-a-uri\] is not a SIP URI" "$IT_DIR/kamailio.log" || it_fail "no identity error"
unset MCSEC_IDENTITY

# and with valid paths it starts
mkdir -p "$IT_DIR/ks"
export MCSEC_KEY_SET="$IT_DIR/ks" MCSEC_IDENTITY="sip:cs@mcptt.example.org"
kam_start || it_fail "did not start with valid parameters"
kam_rpc mcsec.status | grep -Eq '^[[:space:]]*key_set_paths: 1$' || it_fail "status"
it_log "PASS module_params"
