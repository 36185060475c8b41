#!/usr/bin/env bash
# KRR creation at the CS proxy (TS 33.180 5.2.8.2.3, D.4, I.3.8) through cfg/kamailio-cs-proxy.cfg
# (route MCSEC_KMS: mcsec_check_kms("cs-in") on requests from clients, "cs-out" on requests from
# the MCX server towards clients):
#  - case A: a PCK (a=key-mgmt:mikey in the SDP offer of an INVITE) and a GMK (application/mikey
#    part of a multipart MESSAGE) from a client whose initiator KMS is refused: 488 with a signed
#    KRR (schema-valid, xmlsec1 verifies it with the demo certificate), the MCX server gets nothing;
#  - case D: a GMK in a group notification (NOTIFY, application/mikey body) from the MCX server to
#    a client whose receiver KMS is refused: 488 + KRR, the client gets nothing;
#  - a PCK with hidden identities (E.7): the initiator comes from the SIP From, 488 + KRR naming it;
#  - the PCK offer over UDP without Content-Length is examined all the same;
#  - acceptable PCK / GMK go through; a malformed MIKEY in an SDP gets 400 and goes nowhere.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
. "$(dirname "$0")/krr_lib.sh"
it_init krr_generate
krr_setup
cat >"$IT_DIR/kms-policy" <<POL
home kms.example.org
migration kms.mig.example.org
local *@example.org
krr-creator $CSK_PROXY
default both @home @migration
# eve must sign with the KMS of her secondment; dave is reached only through another KMS
user sip:eve@example.org initiator kms.fire.example.org @migration
user sip:dave@example.org receiver kms.dave.example.org
POL
export MCSEC_KMS_POLICY="$IT_DIR/kms-policy"
kam_start || it_fail "kamailio did not start"
# the XML protection towards clients needs their CSKs
krr_csk bob
krr_csk dave

# ---- case A: PCK in an SDP offer from eve ----
krr_mikey "$IT_DIR/pck-eve.b64" eve sip:bob@example.org PCK
krr_sdp "$IT_DIR/pck-eve.sdp" "$IT_DIR/pck-eve.b64"
krr_uas a-mcx "$MCX_PORT" INVITE 603
krr_uac a-pck "$UAC_PORT" INVITE sip:bob@example.org application/sdp "$IT_DIR/pck-eve.sdp" 488 eve ||
	it_fail "case A PCK: no 488"
[ "$(krr_reply_ct a-pck 488)" = "application/vnd.3gpp.kmsredirectresponse+xml" ] ||
	it_fail "case A PCK: 488 without the KRR Content-Type"
krr_reply_body a-pck 488 "$IT_DIR/krr-a-pck.xml"
krr_valid "$IT_DIR/krr-a-pck.xml"
out="$(krr_top "$IT_DIR/krr-a-pck.xml")"
krr_has krr-a-pck '^initiator=sip:eve@example.org$' "$out"
krr_has krr-a-pck '^receiver=sip:bob@example.org$' "$out"
krr_has krr-a-pck '^initiator-kms=kms.example.org$' "$out"
krr_has krr-a-pck '^initiator-list=kms.fire.example.org,kms.mig.example.org$' "$out"
krr_has krr-a-pck '^receiver-list=ANY$' "$out"
krr_has krr-a-pck "^creator=$CSK_PROXY\$" "$out"
sleep 0.5
[ "$(krr_uas_received a-mcx INVITE)" = 0 ] || it_fail "case A PCK: the MCX server received the INVITE"
kill "$KRR_UAS_PID" 2>/dev/null

# ---- hidden identities (E.7): the initiator is taken from From, the receiver from To ----
krr_mikey "$IT_DIR/pck-eve-h.b64" eve sip:bob@example.org PCK --hide-ids
"$MCSEC" mikey decode "$IT_DIR/pck-eve-h.b64" | grep -q "eve@example.org" && it_fail "the hidden PCK names eve"
krr_sdp "$IT_DIR/pck-eve-h.sdp" "$IT_DIR/pck-eve-h.b64"
krr_uas ah-mcx "$MCX_PORT" INVITE 603
krr_uac a-hidden "$UAC_PORT" INVITE sip:bob@example.org application/sdp "$IT_DIR/pck-eve-h.sdp" 488 eve ||
	it_fail "case A hidden PCK: no 488"
krr_reply_body a-hidden 488 "$IT_DIR/krr-a-hidden.xml"
krr_valid "$IT_DIR/krr-a-hidden.xml"
out="$(krr_top "$IT_DIR/krr-a-hidden.xml")"
krr_has krr-a-hidden '^initiator=sip:eve@example.org$' "$out"
krr_has krr-a-hidden '^receiver=sip:bob@example.org$' "$out"
krr_has krr-a-hidden '^initiator-list=kms.fire.example.org,kms.mig.example.org$' "$out"
sleep 0.5
[ "$(krr_uas_received ah-mcx INVITE)" = 0 ] || it_fail "case A hidden: forwarded"
kill "$KRR_UAS_PID" 2>/dev/null

# ---- the same over UDP without Content-Length (the body is the rest of the datagram) ----
krr_uas a0-mcx "$MCX_PORT" INVITE 603
KRR_NO_CLEN=1 krr_uac a-noclen "$UAC_PORT" INVITE sip:bob@example.org application/sdp "$IT_DIR/pck-eve.sdp" 488 eve ||
	it_fail "case A PCK without Content-Length: no 488"
sed -n '/^INVITE/,/^$/p' "$IT_DIR/a-noclen-uac.log" | grep -qi "^Content-Length" && it_fail "the INVITE has a Content-Length"
krr_reply_body a-noclen 488 "$IT_DIR/krr-a-noclen.xml"
krr_valid "$IT_DIR/krr-a-noclen.xml"
sleep 0.5
[ "$(krr_uas_received a0-mcx INVITE)" = 0 ] || it_fail "case A without Content-Length: forwarded"
kill "$KRR_UAS_PID" 2>/dev/null

# ---- case A: GMK in a multipart MESSAGE from eve (a GMS-style initiator in the client domain) ----
krr_mikey "$IT_DIR/gmk-eve.b64" eve sip:bob@example.org GMK
{
	printf -- '--krrb1\nContent-Type: application/vnd.3gpp.mcptt-info+xml\n\n'
	printf '<?xml version="1.0"?><mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"/>\n'
	printf -- '--krrb1\nContent-Type: application/mikey\nContent-Transfer-Encoding: base64\n\n'
	cat "$IT_DIR/gmk-eve.b64"
	printf '\n--krrb1--\n'
} >"$IT_DIR/gmk-eve.body"
krr_uas a2-mcx "$MCX_PORT" MESSAGE 200
krr_uac a-gmk "$UAC_PORT" MESSAGE sip:bob@example.org "multipart/mixed;boundary=krrb1" \
	"$IT_DIR/gmk-eve.body" 488 eve || it_fail "case A GMK: no 488"
krr_reply_body a-gmk 488 "$IT_DIR/krr-a-gmk.xml"
krr_valid "$IT_DIR/krr-a-gmk.xml"
krr_has krr-a-gmk '^initiator-list=kms.fire.example.org,kms.mig.example.org$' "$(krr_top "$IT_DIR/krr-a-gmk.xml")"
sleep 0.5
[ "$(krr_uas_received a2-mcx MESSAGE)" = 0 ] || it_fail "case A GMK: the MCX server received the MESSAGE"
kill "$KRR_UAS_PID" 2>/dev/null

# ---- case D: GMK in a group notification from the MCX server (the GMS) to dave ----
krr_mikey "$IT_DIR/gmk-dave.b64" gms sip:dave@example.org GMK
krr_uas d-client "$UAC_PORT" NOTIFY 200
KRR_TO=sip:dave@example.org krr_uac d-gmk "$MCX_PORT" NOTIFY "sip:dave@127.0.0.1:$UAC_PORT" application/mikey "$IT_DIR/gmk-dave.b64" 488 gms ||
	it_fail "case D GMK: no 488"
krr_reply_body d-gmk 488 "$IT_DIR/krr-d-gmk.xml"
krr_valid "$IT_DIR/krr-d-gmk.xml"
out="$(krr_top "$IT_DIR/krr-d-gmk.xml")"
krr_has krr-d-gmk '^initiator=sip:gms@example.org$' "$out"
krr_has krr-d-gmk '^receiver=sip:dave@example.org$' "$out"
krr_has krr-d-gmk '^initiator-list=ANY$' "$out"
krr_has krr-d-gmk '^receiver-list=kms.dave.example.org$' "$out"
sleep 0.5
[ "$(krr_uas_received d-client NOTIFY)" = 0 ] || it_fail "case D: the client received the NOTIFY"
kill "$KRR_UAS_PID" 2>/dev/null

# ---- acceptable: bob's GMK notification and alice's PCK offer go through ----
krr_mikey "$IT_DIR/gmk-bob.b64" gms sip:bob@example.org GMK
krr_uas ok-client "$UAC_PORT" NOTIFY 200
KRR_TO=sip:bob@example.org krr_uac ok-gmk "$MCX_PORT" NOTIFY "sip:bob@127.0.0.1:$UAC_PORT" application/mikey "$IT_DIR/gmk-bob.b64" 200 gms ||
	it_fail "acceptable GMK: no 200"
[ "$(krr_uas_received ok-client NOTIFY)" = 1 ] || it_fail "acceptable GMK: the client did not get it"
krr_mikey "$IT_DIR/pck-alice.b64" alice sip:bob@example.org PCK
krr_sdp "$IT_DIR/pck-alice.sdp" "$IT_DIR/pck-alice.b64"
krr_uas ok-mcx "$MCX_PORT" INVITE 603
krr_uac ok-pck "$UAC_PORT" INVITE sip:bob@example.org application/sdp "$IT_DIR/pck-alice.sdp" 603 alice ||
	it_fail "acceptable PCK: the INVITE did not reach the MCX server"
[ "$(krr_uas_received ok-mcx INVITE)" = 1 ] || it_fail "acceptable PCK: the MCX server did not get it"
grep -q "a=key-mgmt:mikey" "$IT_DIR/ok-mcx-uas.log" || it_fail "acceptable PCK: offer changed"

# ---- a MIKEY that does not parse: 400, forwarded nowhere ----
printf 'v=0\nm=audio 4000 RTP/AVP 0\na=key-mgmt:mikey QUJDRA==\n' >"$IT_DIR/bad.sdp"
krr_uas bad-mcx "$MCX_PORT" INVITE 603
krr_uac bad "$UAC_PORT" INVITE sip:bob@example.org application/sdp "$IT_DIR/bad.sdp" 400 alice ||
	it_fail "malformed MIKEY: no 400"
sleep 0.5
[ "$(krr_uas_received bad-mcx INVITE)" = 0 ] || it_fail "malformed MIKEY forwarded"
kill "$KRR_UAS_PID" 2>/dev/null

kam_rpc mcsec.stats >"$IT_DIR/stats.txt"
[ "$(krr_stat mikey_seen)" -ge 7 ] || it_fail "mikey_seen counter"
[ "$(krr_stat mikey_bad)" -ge 1 ] || it_fail "mikey_bad counter"
grep -A5 "krr_created" "$IT_DIR/stats.txt" | grep -q "A: 4" || { cat "$IT_DIR/stats.txt" >&2; it_fail "created A counter"; }
grep -A5 "krr_created" "$IT_DIR/stats.txt" | grep -q "D: 1" || it_fail "created D counter"
it_log "PASS krr_generate"
