#!/usr/bin/env bash
# The module's KEMI exports: a JavaScript (app_jsdt) routing script calls
# KSR.mcsec.mcsec_is_identity(); OPTIONS to a configured identity gets 200, the counters move.
. "$(dirname "$0")/lib.sh"
it_init kemi
export MCSEC_IDENTITY="sip:cs-proxy@mcptt.example.org"
KAM_CFG="$IT_TOP/tests/integration/kemi-test.cfg"
kam_start -A "MCSEC_KEMI_SCRIPT=\"$IT_TOP/tests/integration/kemi-test.js\"" ||
	it_fail "kamailio did not start"
sipp_uac uac_options_identity.xml -m 1 || it_fail "no 200 from the KEMI route for the identity"
# a URI that is not an identity gets the 404
sipp_uac uac_options_404.xml -m 1 || it_fail "no 404 for OPTIONS to a non-identity"
out="$(kam_rpc mcsec.status)" || it_fail "mcsec.status"

echo "$out" | grep -Eq '^[[:space:]]*identity_checks: 2$' || it_fail "identity_checks != 2"
echo "$out" | grep -Eq '^[[:space:]]*identity_matches: 1$' || it_fail "identity_matches != 1"
it_log "PASS kemi"
