#!/usr/bin/env bash
# mcsec.reload (KMS policy at run time, TS 33.180 5.2.8) through cfg/kamailio-cs-proxy.cfg:
#  - alice's CSK is stored; her PCK offer (kms.example.org) passes under policy 1;
#  - policy 2 (alice must sign with another KMS) is loaded with mcsec.reload: every SIP worker
#    answers the same offer with 488 + KRR listing the new KMS; alice's CSK is still listed by
#    mcsec.clients; mcsec.stats reports policy generation 2;
#  - a policy file with an error on line 3 is refused (the fault names the line), generation and
#    behaviour stay those of policy 2; a trust anchor directory holding a file that is not a
#    certificate is refused the same way;
#  - mcsec.reload without any kms_policy is a fault, not a crash (second Kamailio).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
. "$(dirname "$0")/krr_lib.sh"
it_init krr_reload
krr_setup
POL="$IT_DIR/kms-policy"
printf 'home kms.example.org\nkrr-creator %s\ndefault both @home\n' "$CSK_PROXY" >"$POL"
mkdir -p "$IT_DIR/trust"
cp "$KRR_PEER/krr-cert.pem" "$IT_DIR/trust/peer.pem"
export MCSEC_KMS_POLICY="$POL" MCSEC_CHILDREN=4 MCSEC_KRR_TRUST="$IT_DIR/trust"
kam_start || it_fail "kamailio did not start"
krr_csk alice
kam_rpc mcsec.clients | grep -q "sip:alice@example.org" || it_fail "alice's CSK not stored"
[ "$(krr_stat policy_generation)" = 1 ] || it_fail "initial generation"

krr_mikey "$IT_DIR/pck.b64" alice sip:bob@example.org PCK
krr_sdp "$IT_DIR/pck.sdp" "$IT_DIR/pck.b64"
offer() { # NAME CODE: alice's offer through the proxy (the MCX side declines what it gets)
	krr_uas "$1-mcx" "$MCX_PORT" INVITE 603
	krr_uac "$1" "$UAC_PORT" INVITE sip:bob@example.org application/sdp "$IT_DIR/pck.sdp" "$2" alice ||
		it_fail "$1: no $2"
	kill "$KRR_UAS_PID" 2>/dev/null
	wait "$KRR_UAS_PID" 2>/dev/null
}
offer p1 603

# policy 2: alice signs with kms.seconded.example.org only
printf 'home kms.example.org\nkrr-creator %s\ndefault both @home\nuser sip:alice@example.org initiator kms.seconded.example.org\n' \
	"$CSK_PROXY" >"$POL"
kam_rpc mcsec.reload >"$IT_DIR/reload2.txt" 2>&1
! grep -q "^error" "$IT_DIR/reload2.txt" || { cat "$IT_DIR/reload2.txt" >&2; it_fail "mcsec.reload"; }
grep -q "generation: 2" "$IT_DIR/reload2.txt" || { cat "$IT_DIR/reload2.txt" >&2; it_fail "reload reply"; }
# each of the 4 workers switches (the offers are spread over them)
for i in 1 2 3 4 5 6; do
	offer "p2-$i" 488
	krr_reply_body "p2-$i" 488 "$IT_DIR/p2-$i.xml"
	krr_has "p2-$i" '^initiator-list=kms.seconded.example.org$' "$(krr_top "$IT_DIR/p2-$i.xml")"
done
krr_valid "$IT_DIR/p2-1.xml"
kam_rpc mcsec.clients | grep -q "sip:alice@example.org" || it_fail "the reload dropped alice's CSK"
[ "$(krr_stat policy_generation)" = 2 ] || it_fail "generation after reload"
[ "$(krr_stat reloads)" = 1 ] || it_fail "reloads counter"

[ "$(krr_stat trust_anchor_files)" = 1 ] || it_fail "trust anchors from the directory"
# a trust anchor directory with a file that is not a certificate: refused
echo "not a certificate" >"$IT_DIR/trust/junk.pem"
kam_rpc mcsec.reload >"$IT_DIR/reload-trust.txt" 2>&1
grep -q "^error: 500.*krr_trust" "$IT_DIR/reload-trust.txt" ||
	{ cat "$IT_DIR/reload-trust.txt" >&2; it_fail "a bad trust anchor was accepted"; }
rm -f "$IT_DIR/trust/junk.pem"
[ "$(krr_stat reloads_failed)" = 1 ] || it_fail "reloads_failed counter (trust)"

# a bad file: refused with its line, policy 2 stays
cp "$POL" "$IT_DIR/policy2.bak"
printf 'home kms.example.org\nkrr-creator %s\ndefault sideways @home\n' "$CSK_PROXY" >"$POL"
# (kamcmd exits 0 on an RPC fault: the reply text tells)
kam_rpc mcsec.reload >"$IT_DIR/reload3.txt" 2>&1
grep -q "^error: 500" "$IT_DIR/reload3.txt" || { cat "$IT_DIR/reload3.txt" >&2; it_fail "a bad policy was accepted"; }
grep -q "line 3" "$IT_DIR/reload3.txt" || { cat "$IT_DIR/reload3.txt" >&2; it_fail "the fault does not name line 3"; }
[ "$(krr_stat policy_generation)" = 2 ] || it_fail "generation changed by a refused reload"
[ "$(krr_stat reloads_failed)" = 2 ] || it_fail "reloads_failed counter"
offer p3 488
krr_has p3 '^initiator-list=kms.seconded.example.org$' "$(krr_reply_body p3 488 "$IT_DIR/p3.xml"; krr_top "$IT_DIR/p3.xml")"
# a missing file: refused too
rm -f "$POL"
kam_rpc mcsec.reload 2>&1 | grep -q "^error: 500" || it_fail "a missing policy file was accepted"
cp "$IT_DIR/policy2.bak" "$POL"
kam_rpc mcsec.clients | grep -q "sip:alice@example.org" || it_fail "alice's CSK gone"
kam_stop

# no kms_policy: mcsec.reload is a fault (Kamailio keeps running)
unset MCSEC_KMS_POLICY
kam_start || it_fail "kamailio without kms_policy did not start"
kam_rpc mcsec.reload >"$IT_DIR/reload4.txt" 2>&1
grep -q "^error: 400" "$IT_DIR/reload4.txt" || it_fail "mcsec.reload without kms_policy succeeded"
grep -qi "no kms_policy" "$IT_DIR/reload4.txt" || { cat "$IT_DIR/reload4.txt" >&2; it_fail "fault text"; }
kam_rpc core.version >/dev/null || it_fail "kamailio died"
it_log "PASS krr_reload"
