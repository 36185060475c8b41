#!/usr/bin/env bash
# Required protection (modparam require_encryption = 1, policy cfg/xml-policy.example): a client
# MESSAGE whose mcptt-info is signed but carries the policy-listed elements in clear, or has one
# encrypted and one in clear, is refused with 488 and not forwarded; the fully protected one
# passes in clear to the MCX server; a MESSAGE without XML passes untouched (return code 2); a
# MESSAGE without Content-Length (UDP) is examined all the same; mcsec_protect_client() with an
# explicit destination client (cfg variant calling it with an X-MC-Client header).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
. "$(dirname "$0")/protect_lib.sh"
it_init protect_required
csk_keys
# the CS proxy cfg with mcsec_protect_client($hdr(X-MC-Client)) when the MCX server names the
# destination client explicitly (To is then a group URI, not the client)
/usr/bin/python3 - "$IT_TOP/cfg/kamailio-cs-proxy.cfg" "$IT_DIR/cs-proxy.cfg" <<'PY'
import sys
s = open(sys.argv[1]).read()
old = "route[MCSEC_TO_CLIENT] {\n"
assert old in s
s = s.replace(old, old + '\tif (is_present_hf("X-MC-Client")) {\n'
              '\t\tmcsec_protect_client("$(hdr(X-MC-Client){nameaddr.uri})");\n'
              '\t\tif ($rc < 0) {\n\t\t\texit;\n\t\t}\n\t\treturn;\n\t}\n', 1)
open(sys.argv[2], "w").write(s)
PY
KAM_CFG="$IT_DIR/cs-proxy.cfg" kam_start -A "MCSEC_XML_POLICY=\"$PROTECT_POLICY\"" \
	-A "MCSEC_REQUIRE_ENCRYPTION=1" || it_fail "kamailio did not start"
protect_upload "$IT_DIR/alice" alice
. "$IT_DIR/alice.env"
GRP="sip:hazmat-$RANDOM@example.org"
protect_info "$IT_DIR/info.xml" "$GRP" "sip:alice@example.org"
sign() { # IN OUT -> OUT, OUT.ct
	"$MCSEC" body sign --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$MCPTT_CT" \
		"$1" >"$2" 2>"$2.err" || it_fail "body sign"
	sed -n 's/^content-type=//p' "$2.err" >"$2.ct"
}
protect_mcx_uas MESSAGE "." -- -m 1
# signed, nothing encrypted
sign "$IT_DIR/info.xml" "$IT_DIR/clear.body"
st="$(protect_send MESSAGE alice@example.org "$IT_DIR/clear.body" "$(cat "$IT_DIR/clear.body.ct")")"
[ "$(echo "$st" | cut -d' ' -f2)" = 488 ] || it_fail "signed plain XML: $st"
echo "$st" | grep -q "XML protection required" || it_fail "reason phrase: $st"
# one element encrypted, the other put back in clear, signed again
"$MCSEC" xml encrypt --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$MCPTT_CT" \
	--policy "$PROTECT_POLICY" "$IT_DIR/info.xml" >"$IT_DIR/enc.xml" || it_fail "xml encrypt"
/usr/bin/python3 - "$IT_DIR/enc.xml" "$IT_DIR/half.xml" <<'PY'
import re, sys
d = open(sys.argv[1]).read()
m = re.search(r'<mcptt-calling-user-id type="Encrypted">.*?</mcptt-calling-user-id>', d, re.S)
d = d[:m.start()] + '<mcptt-calling-user-id type="Normal"><mcpttString>sip:alice@example.org</mcpttString></mcptt-calling-user-id>' + d[m.end():]
open(sys.argv[2], "w").write(d)
PY
grep -q "EncryptedData" "$IT_DIR/half.xml" || it_fail "half.xml has no EncryptedData left"
sign "$IT_DIR/half.xml" "$IT_DIR/half.body"
st="$(protect_send MESSAGE alice@example.org "$IT_DIR/half.body" "$(cat "$IT_DIR/half.body.ct")")"
[ "$(echo "$st" | cut -d' ' -f2)" = 488 ] || it_fail "one element in clear: $st"
# the same without Content-Length (UDP): the body is still examined
st="$(PROTECT_SIP_NO_CLEN=1 protect_send MESSAGE alice@example.org "$IT_DIR/clear.body" \
	"$(cat "$IT_DIR/clear.body.ct")")"
[ "$(echo "$st" | cut -d' ' -f2)" = 488 ] || it_fail "no Content-Length, plain XML: $st"
sleep 0.3
grep -q "^MESSAGE sip:" "$IT_DIR/uas-messages.log" 2>/dev/null && it_fail "a refused MESSAGE was forwarded"
[ "$(protect_stat xml_refused_clear)" = 3 ] || it_fail "xml_refused_clear != 3"
# fully protected: forwarded in clear
protect_body "$IT_DIR/ok.body" "$CSK" "$CSK_ID" "$MCX" "$IT_DIR/info.xml" "$MCPTT_CT"
st="$(protect_send MESSAGE alice@example.org "$IT_DIR/ok.body" "$(cat "$IT_DIR/ok.body.ct")")"
[ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "protected MESSAGE: $st"
sipp_uas_wait || it_fail "UAS: protected MESSAGE"
grep -q "<mcpttURI>$GRP</mcpttURI>" "$IT_DIR/uas-messages.log" || it_fail "not in clear at the MCX server"
# no XML: untouched
printf 'hello' >"$IT_DIR/text.body"
protect_mcx_uas MESSAGE "^hello$" -- -m 1
pass="$(protect_stat xml_passthrough)"
st="$(protect_send MESSAGE alice@example.org "$IT_DIR/text.body" text/plain)"
[ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "text/plain MESSAGE: $st"
sipp_uas_wait || it_fail "UAS: text/plain MESSAGE"
[ "$(protect_stat xml_passthrough)" -gt "$pass" ] || it_fail "xml_passthrough not counted"
# mcsec_protect_client(): To names a group, X-MC-Client names the client
CLIENT_PORT="$(free_port)"
protect_client_uas "$CLIENT_PORT" "$IT_DIR"
cpid="${IT_BG_PIDS[-1]}"
PROTECT_UAC_EXTRA_HDR="X-MC-Client: <sip:alice@example.org>" \
	protect_mcx_uac MESSAGE "sip:alice@127.0.0.1:$CLIENT_PORT" "$GRP" "$MCPTT_CT" \
	"$IT_DIR/info.xml" 200 "SIP/2.0 200" || it_fail "explicit client: no 200"
kill -TERM "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
[ -s "$IT_DIR/client-request.raw" ] || it_fail "explicit client: nothing received"
rct="$(protect_split "$IT_DIR/client-request.raw" "$IT_DIR/client.body")"
grep -q "<mcpttURI>$GRP</mcpttURI>" "$IT_DIR/client-request.raw" && it_fail "explicit client: in clear"
"$MCSEC" body verify --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$rct" \
	"$IT_DIR/client.body" || it_fail "explicit client: not signed with alice's CSK"
# the same to a client without CSK: 403
PROTECT_UAC_EXTRA_HDR="X-MC-Client: <sip:carol@example.org>" \
	protect_mcx_uac MESSAGE "sip:carol@127.0.0.1:$CLIENT_PORT" "$GRP" "$MCPTT_CT" \
	"$IT_DIR/info.xml" 403 "no XML protection key" || it_fail "explicit client without CSK: no 403"
it_log "PASS protect_required"
