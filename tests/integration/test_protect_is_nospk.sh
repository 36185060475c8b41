#!/usr/bin/env bash
# IS proxy without an SPK for its partner (no MCSEC_SPK_1; the cfg has no built-in one): fail
# closed. An SPK-protected MESSAGE from the partner and mcptt-info (integrity required) in clear
# from it get 403; mcptt-info from the MCX server towards the partner gets 403 instead of going
# out in clear; XML the policy leaves untouched (poc-settings) passes both ways unchanged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
. "$(dirname "$0")/protect_lib.sh"
it_init protect_is_nospk
export KAM_CFG="$IT_TOP/cfg/kamailio-is-proxy.cfg"
SPK="$(openssl rand -hex 16)"
SPK_ID="3$(openssl rand -hex 4 | cut -c2-8)"
SPK_MCX="sip:interconnect@mc-partners.example"
A_PORT="$(free_port)"
while [ "$A_PORT" = "$KAM_PORT" ] || [ "$A_PORT" = "$MCX_PORT" ] || [ "$A_PORT" = "$UAC_PORT" ]; do
	A_PORT="$(free_port)"
done
kam_start -A "MCSEC_PEER_DOMAIN=\"a.example\"" -A "MCSEC_PEER_URI=\"sip:127.0.0.1:$A_PORT\"" \
	-A "MCSEC_PEER_IP_STR=\"127.0.0.1\"" -A "MCSEC_PEER_PORT=$A_PORT" \
	-A "MCSEC_XML_POLICY=\"$PROTECT_POLICY\"" || it_fail "IS proxy did not start"
peer_send() { PROTECT_SIP_LPORT="$A_PORT" protect_send MESSAGE officer@a.example "$1" "$2"; }
code() { echo "$1" | cut -d' ' -f2; }

GRP="sip:border-patrol-$RANDOM@a.example"
protect_info "$IT_DIR/req.xml" "$GRP" "sip:officer@a.example"
protect_body "$IT_DIR/spk.body" "$SPK" "$SPK_ID" "$SPK_MCX" "$IT_DIR/req.xml" "$MCPTT_CT"
printf '<?xml version="1.0"?>\n<poc-settings xmlns="urn:oma:xml:poc:poc-settings"><entity id="officer"/></poc-settings>\n' \
	>"$IT_DIR/settings.xml"

# partner -> MCX server
protect_mcx_uas MESSAGE "entity id=.officer." -- -m 1
st="$(peer_send "$IT_DIR/settings.xml" application/poc-settings+xml)"
[ "$(code "$st")" = 200 ] || it_fail "uncovered XML from the partner: $st"
sipp_uas_wait || it_fail "MCX: uncovered XML from the partner not relayed as is"
protect_mcx_uas MESSAGE "." -- -m 1
st="$(peer_send "$IT_DIR/spk.body" "$(cat "$IT_DIR/spk.body.ct")")"
[ "$(code "$st")" = 403 ] || it_fail "SPK-protected MESSAGE without an SPK here: $st"
st="$(peer_send "$IT_DIR/req.xml" "$MCPTT_CT")"
[ "$(code "$st")" = 403 ] || it_fail "mcptt-info in clear from the partner: $st"
sleep 0.3
grep -q "^MESSAGE sip:" "$IT_DIR/uas-messages.log" 2>/dev/null &&
	it_fail "a refused partner MESSAGE reached the MCX server"
kill -TERM "$UAS_PID" 2>/dev/null
wait "$UAS_PID" 2>/dev/null

# MCX server -> partner
protect_client_uas "$A_PORT" "$IT_DIR"
cpid="${IT_BG_PIDS[-1]}"
protect_mcx_uac MESSAGE "sip:officer@a.example" "sip:officer@a.example" "$MCPTT_CT" \
	"$IT_DIR/req.xml" 403 "no XML protection key" || it_fail "mcptt-info to the partner: no 403"
sleep 0.3
[ -e "$IT_DIR/client-count" ] && it_fail "mcptt-info reached the partner without an SPK"
protect_mcx_uac MESSAGE "sip:officer@a.example" "sip:officer@a.example" application/poc-settings+xml \
	"$IT_DIR/settings.xml" 200 "SIP/2.0 200" || it_fail "uncovered XML to the partner: no 200"
kill -TERM "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
grep -q '<entity id="officer"/>' "$IT_DIR/client-request.raw" || it_fail "uncovered XML not relayed as is"
[ "$(protect_stat xml_refused_no_key)" -ge 3 ] || it_fail "xml_refused_no_key < 3"
it_log "PASS protect_is_nospk"
