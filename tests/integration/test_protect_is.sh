#!/usr/bin/env bash
# Interconnection Signalling Proxy (TS 33.180 I.3.7) with cfg/kamailio-is-proxy.cfg:
#  1. two domains: MCX server A (SIPp UAC) -> IS proxy A (mcsec_protect with the SPK of
#     partner b.example) -> IS proxy B (mcsec_unprotect with the SPK of partner a.example) ->
#     MCX server B (SIPp UAS) gets plain XML; its 200 with XML comes back protected by B and
#     unprotected by A (the UAC asserts plain XML);
#  2. the wire: IS proxy B alone, the partner played byte-exact: an SPK-protected MESSAGE (mcsec
#     body protect with the SPK) reaches MCX B in clear; tampered, or protected with another SPK
#     or a client CSK-ID: 403 and nothing forwarded; MCX B -> partner arrives protected and
#     verifies/decrypts with the SPK (mcsec body verify/unprotect);
#  3. an spk modparam without the SPK purpose tag (3) stops Kamailio at start-up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
. "$(dirname "$0")/protect_lib.sh"
it_init protect_is
export KAM_CFG="$IT_TOP/cfg/kamailio-is-proxy.cfg"
SPK="$(openssl rand -hex 16)"
SPK_ID="3$(openssl rand -hex 4 | cut -c2-8)"
SPK_RAND="$(openssl rand -hex 16)"
SPK_MCX="sip:interconnect@mc-partners.example"
A_PORT="$(free_port)"
while [ "$A_PORT" = "$KAM_PORT" ] || [ "$A_PORT" = "$MCX_PORT" ] || [ "$A_PORT" = "$UAC_PORT" ]; do
	A_PORT="$(free_port)"
done
spk_val() { echo "\"$1;spk-id=$2;spk=$SPK;rand=$SPK_RAND;mcx-id=$SPK_MCX\""; }

# --- 3. purpose tag enforced at start-up (a CSK-ID, top 4 bits 2)
if kam_start -A "MCSEC_SPK_1=$(spk_val a.example 2"${SPK_ID:1}")"; then
	it_fail "kamailio started with an SPK-ID whose purpose tag is not 3"
fi
grep -q "purpose tag 3" "$IT_DIR/kamailio.log" || it_fail "no purpose tag error in the log"

# --- IS proxy B (kam_start: listen KAM_PORT, MCX server B = MCX_PORT, partner = A_PORT)
B_DEFS=(-A "MCSEC_PEER_DOMAIN=\"a.example\"" -A "MCSEC_PEER_URI=\"sip:127.0.0.1:$A_PORT\""
	-A "MCSEC_PEER_IP_STR=\"127.0.0.1\"" -A "MCSEC_PEER_PORT=$A_PORT"
	-A "MCSEC_SPK_1=$(spk_val a.example "$SPK_ID")" -A "MCSEC_XML_POLICY=\"$PROTECT_POLICY\"")
kam_start "${B_DEFS[@]}" || it_fail "IS proxy B did not start"

# --- IS proxy A (listen A_PORT, MCX server A = UAC_PORT, partner = B)
A_DIR="$IT_DIR/a"
mkdir -p "$A_DIR"
setsid /usr/sbin/kamailio -f "$KAM_CFG" -DD -E -P "$A_DIR/kamailio.pid" -Y "$A_DIR" -m 64 -M 16 \
	-A "MCSEC_LISTEN=udp:127.0.0.1:$A_PORT" -A "MCSEC_CTL=\"unix:$A_DIR/ctl.sock\"" \
	-A "MCSEC_MODULE=\"$IT_TOP/build/mcsec.so\"" -A "MCSEC_CHILDREN=2" \
	-A "MCSEC_MCX_URI=\"sip:127.0.0.1:$UAC_PORT\"" -A "MCSEC_MCX_IP_STR=\"127.0.0.1\"" \
	-A "MCSEC_MCX_PORT=$UAC_PORT" -A "MCSEC_PEER_DOMAIN=\"b.example\"" \
	-A "MCSEC_PEER_URI=\"sip:127.0.0.1:$KAM_PORT\"" -A "MCSEC_PEER_IP_STR=\"127.0.0.1\"" \
	-A "MCSEC_PEER_PORT=$KAM_PORT" -A "MCSEC_SPK_1=$(spk_val b.example "$SPK_ID")" \
	-A "MCSEC_XML_POLICY=\"$PROTECT_POLICY\"" >"$A_DIR/kamailio.log" 2>&1 </dev/null &
A_PID=$!
IT_BG_PIDS+=("$A_PID")
for i in $(seq 1 50); do
	kamcmd -s "unix:$A_DIR/ctl.sock" core.version >/dev/null 2>&1 && break
	kill -0 "$A_PID" 2>/dev/null || it_fail "IS proxy A did not start: $(tail -3 "$A_DIR/kamailio.log")"
	sleep 0.1
done
a_stat() { kamcmd -s "unix:$A_DIR/ctl.sock" mcsec.stats | sed -n "s/^[[:space:]]*$1: \([0-9]*\)$/\1/p"; }

# --- 1. MCX A -> IS A -> IS B -> MCX B, and the 200 with XML back
GRP="sip:border-patrol-$RANDOM@a.example"
RGRP="sip:rescue-$RANDOM@b.example"
protect_info "$IT_DIR/req.xml" "$GRP" "sip:officer@a.example"
protect_info "$IT_DIR/rsp.xml" "$RGRP" "sip:dispatcher@b.example"
protect_mcx_uas MESSAGE "mcpttURI.$GRP./mcpttURI.*mcpttString.sip:officer@a.example." \
	"$IT_DIR/rsp.xml" "$MCPTT_CT" -- -m 1
PROTECT_UAC_DST="127.0.0.1:$A_PORT" PROTECT_UAC_PORT="$UAC_PORT" \
	protect_mcx_uac MESSAGE "sip:dispatcher@b.example" "sip:dispatcher@b.example" "$MCPTT_CT" \
	"$IT_DIR/req.xml" 200 "<mcpttURI>$RGRP</mcpttURI>" || it_fail "A -> B: no 200 with plain XML"
sipp_uas_wait || it_fail "MCX B: the MESSAGE was not plain mcptt-info"
[ "$(a_stat xml_protected)" = 1 ] || it_fail "IS A: xml_protected != 1"
[ "$(a_stat xml_unprotected)" = 1 ] || it_fail "IS A: xml_unprotected != 1 (the 200)"
[ "$(protect_stat xml_unprotected)" = 1 ] || it_fail "IS B: xml_unprotected != 1"
[ "$(protect_stat xml_protected)" = 1 ] || it_fail "IS B: xml_protected != 1 (the 200)"
kill -TERM "$A_PID" 2>/dev/null
wait "$A_PID" 2>/dev/null

# --- 2. the wire, partner A played byte-exact from A_PORT
protect_body "$IT_DIR/spk.body" "$SPK" "$SPK_ID" "$SPK_MCX" "$IT_DIR/req.xml" "$MCPTT_CT"
grep -q "$GRP" "$IT_DIR/spk.body" && it_fail "tool left the group ID in clear"
peer_send() { PROTECT_SIP_LPORT="$A_PORT" protect_send MESSAGE officer@a.example "$1" "$2"; }
protect_mcx_uas MESSAGE "mcpttURI.$GRP./mcpttURI" -- -m 1
st="$(peer_send "$IT_DIR/spk.body" "$(cat "$IT_DIR/spk.body.ct")")"
[ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "partner MESSAGE: $st"
sipp_uas_wait || it_fail "MCX B: partner MESSAGE not plain"
# refused: tampered ciphertext, another SPK (same SPK-ID), a CSK-ID
protect_mcx_uas MESSAGE "." -- -m 1
/usr/bin/python3 - "$IT_DIR/spk.body" "$IT_DIR/spk.bad" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
p = d.index(b"<CipherValue>") + 22
d = d[:p] + (b"A" if d[p:p+1] != b"A" else b"B") + d[p+1:]
open(sys.argv[2], "wb").write(d)
PY
st="$(peer_send "$IT_DIR/spk.bad" "$(cat "$IT_DIR/spk.body.ct")")"
[ "$(echo "$st" | cut -d' ' -f2)" = 403 ] || it_fail "tampered partner MESSAGE: $st"
protect_body "$IT_DIR/other.body" "$(openssl rand -hex 16)" "$SPK_ID" "$SPK_MCX" "$IT_DIR/req.xml" "$MCPTT_CT"
st="$(peer_send "$IT_DIR/other.body" "$(cat "$IT_DIR/other.body.ct")")"
[ "$(echo "$st" | cut -d' ' -f2)" = 403 ] || it_fail "another SPK: $st"
protect_body "$IT_DIR/csk.body" "$SPK" "2${SPK_ID:1}" "$SPK_MCX" "$IT_DIR/req.xml" "$MCPTT_CT"
st="$(peer_send "$IT_DIR/csk.body" "$(cat "$IT_DIR/csk.body.ct")")"
[ "$(echo "$st" | cut -d' ' -f2)" = 403 ] || it_fail "CSK-ID instead of the SPK-ID: $st"
# plain XML from the partner: the policy requires integrity for mcptt-info
st="$(peer_send "$IT_DIR/req.xml" "$MCPTT_CT")"
[ "$(echo "$st" | cut -d' ' -f2)" = 403 ] || it_fail "unsigned partner MESSAGE: $st"
sleep 0.3
grep -q "^MESSAGE sip:" "$IT_DIR/uas-messages.log" 2>/dev/null &&
	it_fail "a refused partner MESSAGE reached MCX B"
kill -TERM "$UAS_PID" 2>/dev/null
wait "$UAS_PID" 2>/dev/null
# MCX B -> partner: protected with the SPK on the wire
protect_client_uas "$A_PORT" "$IT_DIR"
cpid="${IT_BG_PIDS[-1]}"
protect_mcx_uac MESSAGE "sip:officer@a.example" "sip:officer@a.example" "$MCPTT_CT" \
	"$IT_DIR/rsp.xml" 200 "SIP/2.0 200" || it_fail "MCX B -> partner: no 200"
kill -TERM "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
[ -s "$IT_DIR/client-request.raw" ] || it_fail "the partner received nothing"
grep -q "$RGRP" "$IT_DIR/client-request.raw" && it_fail "group ID in clear towards the partner"
rct="$(protect_split "$IT_DIR/client-request.raw" "$IT_DIR/peer.body")"
"$MCSEC" body verify --xpk "$SPK" --xpk-id "$SPK_ID" --mcx-id "$SPK_MCX" --content-type "$rct" \
	"$IT_DIR/peer.body" || it_fail "the partner cannot verify with the SPK"
"$MCSEC" body unprotect --xpk "$SPK" --xpk-id "$SPK_ID" --mcx-id "$SPK_MCX" --content-type "$rct" \
	--policy "$PROTECT_POLICY" "$IT_DIR/peer.body" 2>/dev/null | grep -q "<mcpttURI>$RGRP</mcpttURI>" ||
	it_fail "the partner cannot decrypt with the SPK"
grep -qi "$SPK" "$IT_DIR/kamailio.log" "$A_DIR/kamailio.log" && it_fail "the SPK in a log"
kam_rpc mcsec.stats | grep xml_ >&2
it_log "PASS protect_is"
