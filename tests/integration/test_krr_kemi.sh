#!/usr/bin/env bash
# KEMI exports of the KMS functions: a JavaScript (app_jsdt) routing script calls
# KSR.mcsec.mcsec_check_kms("cs-in") (a refused PCK offer gets 488 + a signed, schema-valid KRR;
# an accepted one is relayed) and KSR.mcsec.mcsec_process_krr("cs-out") in ksr_reply_route (a
# partner KRR is re-generated, 2 levels).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
. "$(dirname "$0")/krr_lib.sh"
it_init krr_kemi
krr_setup
cat >"$IT_DIR/kms-policy" <<POL
home kms.example.org
krr-creator $CSK_PROXY
default both @home
user sip:eve@example.org initiator kms.fire.example.org
POL
KAM_CFG="$IT_TOP/tests/integration/krr_kemi.cfg"
export MCSEC_KMS_POLICY="$IT_DIR/kms-policy" MCSEC_KRR_TRUST="$KRR_PEER/krr-cert.pem"
kam_start -A "MCSEC_KEMI_SCRIPT=\"$IT_TOP/tests/integration/krr_kemi.js\"" ||
	it_fail "kamailio did not start"

# refused: eve's PCK offer
krr_mikey "$IT_DIR/pck-eve.b64" eve sip:bob@example.org PCK
krr_sdp "$IT_DIR/pck-eve.sdp" "$IT_DIR/pck-eve.b64"
krr_uac eve "$UAC_PORT" INVITE sip:bob@example.org application/sdp "$IT_DIR/pck-eve.sdp" 488 eve ||
	it_fail "KEMI mcsec_check_kms: no 488"
krr_reply_body eve 488 "$IT_DIR/eve.xml"
krr_valid "$IT_DIR/eve.xml"
krr_has eve '^initiator-list=kms.fire.example.org$' "$(krr_top "$IT_DIR/eve.xml")"

# accepted: alice's offer is relayed; the MCX side's partner KRR is re-generated
krr_mikey "$IT_DIR/pck.b64" alice sip:bob@example.org PCK
krr_sdp "$IT_DIR/pck.sdp" "$IT_DIR/pck.b64"
printf 'home kms.partner.example.net\ndefault receiver kms.partner.example.net\nkrr-creator sip:is-proxy@partner.example.net\n' >"$IT_DIR/peerpol"
"$MCSEC" krr build --policy "$IT_DIR/peerpol" --role cs-out --key "$KRR_PEER/krr-key.pem" \
	--cert "$KRR_PEER/krr-cert.pem" "$IT_DIR/pck.b64" >"$IT_DIR/rx.xml" 2>/dev/null || it_fail "krr build"
krr_uas mcx "$MCX_PORT" INVITE 488 application/vnd.3gpp.kmsredirectresponse+xml "$IT_DIR/rx.xml"
# (the X-MCX header tells the script where the MCX server is)
body="$IT_DIR/pck.sdp"
KRR_EXTRA_HDR="X-MCX: sip:127.0.0.1:$MCX_PORT" \
	krr_uac alice "$UAC_PORT" INVITE sip:bob@example.org application/sdp "$body" 488 alice ||
	it_fail "KEMI: no 488 for alice's offer"
[ "$(krr_uas_received mcx INVITE)" = 1 ] || it_fail "KEMI: the accepted offer was not relayed"
krr_reply_body alice 488 "$IT_DIR/alice.xml"
krr_valid "$IT_DIR/alice.xml"
out="$("$MCSEC" krr decode "$IT_DIR/alice.xml")"
krr_has alice '^level=2$' "$out"
krr_has alice '^initiator-list=kms.example.org$' "$(krr_top "$IT_DIR/alice.xml")"
grep -q "mcsec_process_krr: 1" "$IT_DIR/kamailio.log" || it_fail "ksr_reply_route did not re-generate"
it_log "PASS krr_kemi"
