#!/usr/bin/env bash
# KRRs at the Interconnection Signalling Proxy (TS 33.180 5.2.8.2.3 / 5.2.8.2.4 cases B and C,
# D.4, I.3.8) through cfg/kamailio-is-proxy.cfg (routes MCSEC_KMS_IS / MCSEC_KMS_IS_REPLY:
# mcsec_check_kms / mcsec_process_krr with "is-in" from the partner, "is-out" from the MCX server).
# The partner IS proxy and this domain's MCX server are SIPp peers.
#  - creation B: eve (this domain) offers a PCK to the partner signed with a KMS refused for her:
#    488 + KRR (initiator list = hers, receiver ANY), the partner gets nothing;
#  - creation C: a partner user offers a PCK to dave (this domain) encrypted for a KMS refused
#    for him: 488 + KRR (initiator ANY, receiver list = his), the MCX server gets nothing;
#  - re-generation B: a KRR from the MCX side about a partner user's offer to dave whose receiver
#    list names a KMS refused for dave: reduced;
#  - re-generation C: a KRR from the partner about alice's offer whose initiator list names a KMS
#    refused for alice: reduced. Every KRR is schema-valid and verified by xmlsec1 with the demo
#    certificate; the embedded partner KRRs keep their own valid signatures.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
. "$(dirname "$0")/krr_lib.sh"
it_init krr_is
export KAM_CFG="$IT_TOP/cfg/kamailio-is-proxy.cfg"
krr_setup
now=$(($(date +%s) + 2208988800))
"$MCSEC" kms issue --kms "$MCSEC_STATE_DIR/demo-kms" --user sip:zed@partner.example.net \
	--time "$now" --out "$MCSEC_STATE_DIR/demo-client/zed.xml" >/dev/null || it_fail "kms issue zed"
PEER_PORT="$(free_port)"
while [ "$PEER_PORT" = "$KAM_PORT" ] || [ "$PEER_PORT" = "$MCX_PORT" ] || [ "$PEER_PORT" = "$UAC_PORT" ]; do
	PEER_PORT="$(free_port)"
done
cat >"$IT_DIR/kms-policy" <<POL
home kms.example.org
migration kms.mig.example.org
local *@example.org
krr-creator sip:is-proxy@example.org
default both @home @migration
user sip:eve@example.org initiator kms.fire.example.org
user sip:dave@example.org receiver kms.dave.example.org @migration
POL
export MCSEC_KMS_POLICY="$IT_DIR/kms-policy" MCSEC_KRR_TRUST="$KRR_PEER/krr-cert.pem"
kam_start -A "MCSEC_PEER_URI=\"sip:127.0.0.1:$PEER_PORT\"" -A "MCSEC_PEER_IP_STR=\"127.0.0.1\"" \
	-A "MCSEC_PEER_PORT=$PEER_PORT" || it_fail "IS proxy did not start"
PSIGN=(--key "$KRR_PEER/krr-key.pem" --cert "$KRR_PEER/krr-cert.pem")
KT=application/vnd.3gpp.kmsredirectresponse+xml
embedded_ok() { # FILE: the partner's KRR inside still verifies with the partner certificate
	local out
	out="$("$MCSEC" krr decode --trust "$KRR_PEER/krr-cert.pem" "$1")"
	krr_has "$1" '^level=2$' "$out"
	krr_has "$1" '^signature=valid$' "$(printf '%s\n' "$out" | sed -n '/^level=2$/,$p')"
}

# ---- creation B: eve -> partner, from the MCX server ----
krr_mikey "$IT_DIR/pck-eve.b64" eve sip:bob@partner.example.net PCK
krr_sdp "$IT_DIR/pck-eve.sdp" "$IT_DIR/pck-eve.b64"
krr_uas b-peer "$PEER_PORT" INVITE 603
krr_uac b "$MCX_PORT" INVITE sip:bob@partner.example.net application/sdp "$IT_DIR/pck-eve.sdp" 488 eve ||
	it_fail "creation B: no 488"
krr_reply_body b 488 "$IT_DIR/b.xml"
krr_valid "$IT_DIR/b.xml"
out="$(krr_top "$IT_DIR/b.xml")"
krr_has b '^initiator-list=kms.fire.example.org$' "$out"
krr_has b '^receiver-list=ANY$' "$out"
krr_has b '^creator=sip:is-proxy@example.org$' "$out"
sleep 0.5
[ "$(krr_uas_received b-peer INVITE)" = 0 ] || it_fail "creation B: the partner received the offer"
kill "$KRR_UAS_PID" 2>/dev/null

# ---- creation C: partner user zed -> dave, from the partner ----
krr_mikey "$IT_DIR/pck-zed.b64" zed sip:dave@example.org PCK
krr_sdp "$IT_DIR/pck-zed.sdp" "$IT_DIR/pck-zed.b64"
krr_uas c-mcx "$MCX_PORT" INVITE 603
krr_uac c "$PEER_PORT" INVITE sip:dave@example.org application/sdp "$IT_DIR/pck-zed.sdp" 488 zed ||
	it_fail "creation C: no 488"
krr_reply_body c 488 "$IT_DIR/c.xml"
krr_valid "$IT_DIR/c.xml"
out="$(krr_top "$IT_DIR/c.xml")"
krr_has c '^initiator-list=ANY$' "$out"
krr_has c '^receiver-list=kms.dave.example.org,kms.mig.example.org$' "$out"
sleep 0.5
[ "$(krr_uas_received c-mcx INVITE)" = 0 ] || it_fail "creation C: the MCX server received the offer"
kill "$KRR_UAS_PID" 2>/dev/null

# ---- re-generation B: zed's acceptable offer to bob@example.org; KRR from the MCX side ----
krr_mikey "$IT_DIR/pck-zb.b64" zed sip:bob@example.org PCK
krr_sdp "$IT_DIR/pck-zb.sdp" "$IT_DIR/pck-zb.b64"
printf 'home kms.example.org\ndefault receiver kms.elsewhere.example kms.mig.example.org\nkrr-creator sip:mcx@example.org\n' >"$IT_DIR/mcxpol"
"$MCSEC" krr build --policy "$IT_DIR/mcxpol" --role cs-out "${PSIGN[@]}" "$IT_DIR/pck-zb.b64" >"$IT_DIR/rx-b.xml" 2>/dev/null ||
	it_fail "krr build rx-b"
krr_uas rb-mcx "$MCX_PORT" INVITE 488 "$KT" "$IT_DIR/rx-b.xml"
krr_uac rb "$PEER_PORT" INVITE sip:bob@example.org application/sdp "$IT_DIR/pck-zb.sdp" 488 zed ||
	it_fail "re-generation B: no 488 at the partner"
[ "$(krr_uas_received rb-mcx INVITE)" = 1 ] || it_fail "re-generation B: the offer did not reach the MCX server"
krr_reply_body rb 488 "$IT_DIR/rb.xml"
krr_valid "$IT_DIR/rb.xml"
out="$(krr_top "$IT_DIR/rb.xml")"
krr_has rb '^receiver-list=kms.mig.example.org$' "$out"
krr_has rb '^initiator-list=ANY$' "$out"
embedded_ok "$IT_DIR/rb.xml"

# ---- re-generation C: alice's acceptable offer to the partner; KRR from the partner ----
krr_mikey "$IT_DIR/pck-alice.b64" alice sip:bob@partner.example.net PCK
krr_sdp "$IT_DIR/pck-alice.sdp" "$IT_DIR/pck-alice.b64"
printf 'home kms.partner.example.net\ndefault initiator kms.partner-only.example kms.mig.example.org\nkrr-creator sip:is-proxy@partner.example.net\n' >"$IT_DIR/peerpol"
"$MCSEC" krr build --policy "$IT_DIR/peerpol" --role cs-in "${PSIGN[@]}" "$IT_DIR/pck-alice.b64" >"$IT_DIR/rx-c.xml" 2>/dev/null ||
	it_fail "krr build rx-c"
krr_uas rc-peer "$PEER_PORT" INVITE 488 "$KT" "$IT_DIR/rx-c.xml"
krr_uac rc "$MCX_PORT" INVITE sip:bob@partner.example.net application/sdp "$IT_DIR/pck-alice.sdp" 488 alice ||
	it_fail "re-generation C: no 488 at the MCX server"
[ "$(krr_uas_received rc-peer INVITE)" = 1 ] || it_fail "re-generation C: the offer did not reach the partner"
krr_reply_body rc 488 "$IT_DIR/rc.xml"
krr_valid "$IT_DIR/rc.xml"
out="$(krr_top "$IT_DIR/rc.xml")"
krr_has rc '^initiator-list=kms.mig.example.org$' "$out"
krr_has rc '^receiver-list=ANY$' "$out"
embedded_ok "$IT_DIR/rc.xml"

kam_rpc mcsec.stats >"$IT_DIR/stats.txt"
for c in B C; do
	grep -A5 "krr_created" "$IT_DIR/stats.txt" | grep -q "$c: 1" || { cat "$IT_DIR/stats.txt" >&2; it_fail "created $c counter"; }
	grep -A5 "krr_regenerated" "$IT_DIR/stats.txt" | grep -q "$c: 1" || it_fail "regenerated $c counter"
done
it_log "PASS krr_is"
