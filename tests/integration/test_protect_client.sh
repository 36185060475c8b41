#!/usr/bin/env bash
# XML signalling protection towards clients through a real Kamailio (TS 33.180 9.3, I.3.4):
# after a real CSK upload, a client MESSAGE and PUBLISH with encrypted + signed XML (mcsec body
# protect with the client's CSK, policy cfg/xml-policy.example: integrity required for
# mcptt-info) reach the MCX server (SIPp UAS) in clear; MESSAGE/NOTIFY from the MCX server (SIPp
# UAC) reach the client protected and verify/decrypt with the client's CSK (mcsec body
# verify/unprotect); a 200 with XML is protected towards the client and unprotected from it.
# Refused: each protected field and each signature tampered, the signatures part removed, a key
# of another client, an unknown key, no CSK for the destination; nothing is forwarded. A client
# whose IMPU (P-Asserted-Identity) differs from its MC service ID is found by either.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
. "$(dirname "$0")/protect_lib.sh"
it_init protect_client
csk_keys
kam_start -A "MCSEC_XML_POLICY=\"$PROTECT_POLICY\"" || it_fail "kamailio did not start"

protect_upload "$IT_DIR/alice" alice
protect_upload "$IT_DIR/bob" bob
. "$IT_DIR/bob.env"
BOB_CSK="$CSK" BOB_ID="$CSK_ID"
. "$IT_DIR/alice.env"
GRP="sip:fire-brigade-$RANDOM@example.org"
protect_info "$IT_DIR/info.xml" "$GRP" "sip:alice@example.org"

# --- client MESSAGE: encrypted + signed -> the MCX server gets plain XML
protect_body "$IT_DIR/msg.body" "$CSK" "$CSK_ID" "$MCX" "$IT_DIR/info.xml" "$MCPTT_CT"
grep -q "$GRP" "$IT_DIR/msg.body" && it_fail "the tool left the group ID in clear"
grep -q SignatureValue "$IT_DIR/msg.body" || it_fail "the tool did not sign"
protect_mcx_uas MESSAGE "mcpttURI.$GRP./mcpttURI.*mcpttString.sip:alice@example.org." -- -m 1
st="$(protect_send MESSAGE alice@example.org "$IT_DIR/msg.body" "$(cat "$IT_DIR/msg.body.ct")")"
[ "${st%% *}" = "SIP/2.0" ] && [ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "MESSAGE: $st"
sipp_uas_wait || it_fail "UAS: the MESSAGE was not plain mcptt-info"
grep -q "^Content-Type: $MCPTT_CT" "$IT_DIR/uas-messages.log" || it_fail "MESSAGE: Content-Type not mcptt-info"
[ "$(protect_stat xml_unprotected)" = 1 ] || it_fail "xml_unprotected != 1"

# --- client PUBLISH (CSK upload route first: no MIKEY in it, then unprotect)
protect_body "$IT_DIR/pub.body" "$CSK" "$CSK_ID" "$MCX" "$IT_DIR/info.xml" "$MCPTT_CT"
protect_mcx_uas PUBLISH "mcpttURI.$GRP./mcpttURI" -- -m 1
st="$(protect_send PUBLISH alice@example.org "$IT_DIR/pub.body" "$(cat "$IT_DIR/pub.body.ct")")"
[ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "PUBLISH: $st"
sipp_uas_wait || it_fail "UAS: the PUBLISH was not plain mcptt-info"
[ "$(protect_stat xml_unprotected)" = 2 ] || it_fail "xml_unprotected != 2"
[ "$(protect_stat xml_protected)" = 0 ] || it_fail "xml_protected != 0"

# --- the same from a SIPp client: encrypted one-line XML, signed as SIPp sends it; the MCX
# server's 200 with plain XML comes back encrypted + signed
"$MCSEC" xml encrypt --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$MCPTT_CT" \
	--policy "$PROTECT_POLICY" "$IT_DIR/info.xml" | tr -d '\r\n' >"$IT_DIR/enc1.xml" || it_fail "xml encrypt"
"$MCSEC" body sign --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$MCPTT_CT" \
	"$IT_DIR/enc1.xml" >"$IT_DIR/sipp.body" 2>"$IT_DIR/sipp.err" || it_fail "body sign"
tr -d '\r\n' <"$IT_DIR/info.xml" >"$IT_DIR/info1.xml"
protect_sipp_scenario "$PROTECT_DIR/protect_bench_uac.xml" "$IT_DIR/sipp-client.xml" \
	"$(sed -n 's/^content-type=//p' "$IT_DIR/sipp.err")" "$IT_DIR/sipp.body" \
	"multipart/mixed.*EncryptedData.*SignatureValue" - /dev/null || it_fail "scenario"
protect_sipp_scenario "$PROTECT_DIR/protect_bench_uas.xml" "$IT_DIR/sipp-mcx.xml" - \
	"$IT_DIR/sipp.body" "mcpttinfo xmlns=.urn:3gpp:ns:mcpttInfo:1.0..*mcpttURI.$GRP./mcpttURI" "$MCPTT_CT" \
	"$IT_DIR/info1.xml" || it_fail "scenario"
(cd "$IT_DIR" && exec sipp -sf "$IT_DIR/sipp-mcx.xml" -i 127.0.0.1 -p "$MCX_PORT" -nostdin \
	-trace_err -error_file "$IT_DIR/uas-sipp-client_errors.log" -m 1 -timeout 30s \
	-timeout_error >"$IT_DIR/sipp-uas-sipp-client.out" 2>&1 </dev/null) &
UAS_PID=$!
IT_BG_PIDS+=("$UAS_PID")
sleep 0.3
(cd "$IT_DIR" && exec sipp "127.0.0.1:$KAM_PORT" -sf "$IT_DIR/sipp-client.xml" -i 127.0.0.1 \
	-p "$UAC_PORT" -nostdin -trace_err -error_file "$IT_DIR/uac-sipp-client_errors.log" -m 1 \
	-timeout 30s -timeout_error >"$IT_DIR/sipp-uac-sipp-client.out" 2>&1 </dev/null) ||
	it_fail "SIPp client MESSAGE: no 200 with protected XML"
sipp_uas_wait || it_fail "SIPp MCX server: the MESSAGE was not plain mcptt-info"
[ "$(protect_stat xml_unprotected)" = 3 ] || it_fail "xml_unprotected != 3"

# --- refused client requests: nothing reaches the MCX server
refused() { # NAME BODY CTYPE CODE [USER]
	local st
	st="$(protect_send MESSAGE "${5:-alice@example.org}" "$2" "$3")"
	[ "$(echo "$st" | cut -d' ' -f2)" = "$4" ] || it_fail "$1: expected $4, got '$st'"
	it_log "$1: $st"
}
protect_mcx_uas MESSAGE "." -- -m 1 # must stay without a call
b="$IT_DIR/msg.body"
ct="$(cat "$b.ct")"
# each encrypted field: one CipherValue character changed (the signature covers the part)
n="$(grep -o '<CipherValue>' "$b" | wc -l)"
[ "$n" -ge 2 ] || it_fail "expected >= 2 encrypted fields, got $n"
for i in $(seq 1 "$n"); do
	/usr/bin/python3 - "$b" "$b.t$i" "$i" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
k = int(sys.argv[3]); pos = -1
for _ in range(k):
    pos = d.index(b"<CipherValue>", pos + 1)
p = pos + len(b"<CipherValue>") + 20
d = d[:p] + (b"A" if d[p:p+1] != b"A" else b"B") + d[p+1:]
open(sys.argv[2], "wb").write(d)
PY
	refused "encrypted field $i tampered" "$b.t$i" "$ct" 403
done
# the same, re-signed with the right key: the signature holds, the GCM tag does not
sed 's|<mcptt-Params>|<mcptt-Params>|' "$b.t1" >/dev/null
/usr/bin/python3 - "$IT_DIR/msg.body" "$IT_DIR/xml1.xml" <<'PY'
import sys, re
d = open(sys.argv[1], "rb").read()
m = re.search(rb"\r\n\r\n(<\?xml.*?</mcpttinfo>)", d, re.S)
x = m.group(1)
p = x.index(b"<CipherValue>") + 30
x = x[:p] + (b"A" if x[p:p+1] != b"A" else b"B") + x[p+1:]
open(sys.argv[2], "wb").write(x)
PY
"$MCSEC" body sign --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$MCPTT_CT" \
	"$IT_DIR/xml1.xml" >"$IT_DIR/resigned.body" 2>"$IT_DIR/resigned.err" || it_fail "body sign"
rct="$(sed -n 's/^content-type=//p' "$IT_DIR/resigned.err")"
"$MCSEC" body verify --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$rct" \
	"$IT_DIR/resigned.body" >/dev/null || it_fail "re-signed body does not verify"
refused "ciphertext tampered, body re-signed" "$IT_DIR/resigned.body" "$rct" 403
# each signature field: SignatureValue, DigestValue, the Reference, the KeyName
for f in SignatureValue DigestValue; do
	/usr/bin/python3 - "$b" "$b.$f" "$f" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
t = b"<ds:" + sys.argv[3].encode() + b">"
p = d.index(t) + len(t) + 5
d = d[:p] + (b"A" if d[p:p+1] != b"A" else b"B") + d[p+1:]
open(sys.argv[2], "wb").write(d)
PY
	refused "$f tampered" "$b.$f" "$ct" 403
done
sed 's|URI="cid:xml0|URI="cid:xmlX|' "$b" >"$b.ref"
cmp -s "$b" "$b.ref" && it_fail "Reference not changed"
refused "Reference URI changed" "$b.ref" "$ct" 403
# the signatures part removed (the policy requires integrity for mcptt-info)
/usr/bin/python3 - "$b" "$b.nosig" "$ct" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
bnd = sys.argv[3].split("boundary=", 1)[1].strip('"').encode()
parts = d.split(b"--" + bnd)
keep = [p for p in parts[1:-1] if b"signed+xml" not in p]
out = b"".join(b"--" + bnd + p for p in keep) + b"--" + bnd + b"--\r\n"
open(sys.argv[2], "wb").write(out)
PY
grep -q "signed+xml" "$b.nosig" && it_fail "signatures part still there"
refused "signatures part removed" "$b.nosig" "$ct" 403
# the encrypted single body without any signature
/usr/bin/python3 - "$IT_DIR/msg.body" "$IT_DIR/enc-only.xml" <<'PY'
import sys, re
d = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(re.search(rb"\r\n\r\n(<\?xml.*?</mcpttinfo>)", d, re.S).group(1))
PY
refused "single body, no signature" "$IT_DIR/enc-only.xml" "$MCPTT_CT" 403
# a key of another client (bob's CSK used by alice)
protect_body "$IT_DIR/bobkey.body" "$BOB_CSK" "$BOB_ID" "sip:bob@example.org" "$IT_DIR/info.xml" "$MCPTT_CT"
refused "key of another client" "$IT_DIR/bobkey.body" "$(cat "$IT_DIR/bobkey.body.ct")" 403
# an XPK-ID nobody has
protect_body "$IT_DIR/unk.body" "$CSK" "2abcdef0" "$MCX" "$IT_DIR/info.xml" "$MCPTT_CT"
refused "unknown XPK-ID" "$IT_DIR/unk.body" "$(cat "$IT_DIR/unk.body.ct")" 403
# a client without any CSK
refused "sender without CSK" "$b" "$ct" 403 carol@example.org
# malformed XML
printf '<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><a>' >"$IT_DIR/bad.xml"
refused "malformed XML" "$IT_DIR/bad.xml" "$MCPTT_CT" 488
# XML hidden in a nested multipart (would escape the signature requirement): refused
{
	printf -- '--outer\r\nContent-Type: multipart/mixed;boundary=inner\r\n\r\n'
	printf -- '--inner\r\nContent-Type: %s\r\n\r\n' "$MCPTT_CT"
	cat "$IT_DIR/info.xml"
	printf -- '\r\n--inner--\r\n\r\n--outer--\r\n'
} >"$IT_DIR/nested.body"
refused "XML in a nested multipart" "$IT_DIR/nested.body" "multipart/mixed;boundary=outer" 488
[ -s "$IT_DIR/uas-messages.log" ] && grep -q "^MESSAGE sip:" "$IT_DIR/uas-messages.log" &&
	it_fail "a refused MESSAGE reached the MCX server"
kill -TERM "$UAS_PID" 2>/dev/null
wait "$UAS_PID" 2>/dev/null
[ "$(protect_stat xml_refused_integrity)" -ge 6 ] || it_fail "xml_refused_integrity < 6"
[ "$(protect_stat xml_refused_wrong_key)" -ge 2 ] || it_fail "xml_refused_wrong_key < 2"
[ "$(protect_stat xml_refused_no_key)" -ge 1 ] || it_fail "xml_refused_no_key < 1"
[ "$(protect_stat xml_refused_malformed)" -ge 2 ] || it_fail "xml_refused_malformed < 2"

# --- MCX server -> client: MESSAGE and NOTIFY arrive encrypted + signed
CLIENT_PORT="$(free_port)"
GRP2="sip:rail-ops-$RANDOM@example.org"
protect_info "$IT_DIR/info2.xml" "$GRP2" "sip:mcptt-server@example.org"
for m in MESSAGE NOTIFY; do
	rm -f "$IT_DIR/client-request.raw"
	protect_client_uas "$CLIENT_PORT" "$IT_DIR"
	cpid="${IT_BG_PIDS[-1]}"
	protect_mcx_uac "$m" "sip:alice@127.0.0.1:$CLIENT_PORT" "sip:alice@example.org" "$MCPTT_CT" \
		"$IT_DIR/info2.xml" 200 "SIP/2.0 200" || it_fail "$m to the client: no 200"
	kill -TERM "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	[ -s "$IT_DIR/client-request.raw" ] || it_fail "$m: the client received nothing"
	rct="$(protect_split "$IT_DIR/client-request.raw" "$IT_DIR/client.body")"
	grep -q "$GRP2" "$IT_DIR/client-request.raw" && it_fail "$m: group ID in clear towards the client"
	"$MCSEC" body verify --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$rct" \
		"$IT_DIR/client.body" || it_fail "$m: the client cannot verify the signature"
	"$MCSEC" body unprotect --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$rct" \
		--policy "$PROTECT_POLICY" "$IT_DIR/client.body" >"$IT_DIR/client.plain" 2>/dev/null ||
		it_fail "$m: the client cannot decrypt"
	grep -q "<mcpttURI>$GRP2</mcpttURI>" "$IT_DIR/client.plain" || it_fail "$m: decrypted text wrong"
	# with bob's key it must not verify
	"$MCSEC" body verify --xpk "$BOB_CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$rct" \
		"$IT_DIR/client.body" >/dev/null 2>&1 && it_fail "$m: verifies with another key"
done
[ "$(protect_stat xml_protected)" = 3 ] || it_fail "xml_protected != 3 (the SIPp client's 200, MESSAGE, NOTIFY)"

# --- MCX server -> a client without a CSK: 403, nothing forwarded
rm -f "$IT_DIR/client-request.raw" "$IT_DIR/client-count"
protect_client_uas "$CLIENT_PORT" "$IT_DIR"
cpid="${IT_BG_PIDS[-1]}"
protect_mcx_uac MESSAGE "sip:carol@127.0.0.1:$CLIENT_PORT" "sip:carol@example.org" "$MCPTT_CT" \
	"$IT_DIR/info2.xml" 403 "no XML protection key" || it_fail "no 403 for a client without CSK"
sleep 0.3
[ -e "$IT_DIR/client-count" ] && it_fail "a request reached a client without CSK"
# ... but a body without XML needs no key: forwarded untouched
printf 'plain text for carol' >"$IT_DIR/text.body"
protect_mcx_uac MESSAGE "sip:carol@127.0.0.1:$CLIENT_PORT" "sip:carol@example.org" text/plain \
	"$IT_DIR/text.body" 200 "SIP/2.0 200" || it_fail "text/plain to a client without CSK: no 200"
sleep 0.2
grep -q "plain text for carol" "$IT_DIR/client-request.raw" || it_fail "text/plain body not forwarded"
# ... and XML the policy leaves untouched (nothing to encrypt, no integrity) goes out as is
printf '<?xml version="1.0"?>\n<poc-settings xmlns="urn:oma:xml:poc:poc-settings"><entity id="carol"/></poc-settings>\n' \
	>"$IT_DIR/settings.xml"
protect_client_uas "$CLIENT_PORT" "$IT_DIR"
protect_mcx_uac MESSAGE "sip:carol@127.0.0.1:$CLIENT_PORT" "sip:carol@example.org" \
	application/poc-settings+xml "$IT_DIR/settings.xml" 200 "SIP/2.0 200" ||
	it_fail "XML the policy does not cover, to a client without CSK: no 200"
sleep 0.2
grep -q '<entity id="carol"/>' "$IT_DIR/client-request.raw" || it_fail "uncovered XML not forwarded as is"

# --- replies: 200 with XML from the client (protected by alice) -> the MCX server gets it plain
protect_info "$IT_DIR/rinfo.xml" "sip:reply-grp-$RANDOM@example.org" "sip:alice@example.org"
RGRP="$(sed -n 's|.*<mcpttURI>\(.*\)</mcpttURI>.*|\1|p' "$IT_DIR/rinfo.xml")"
protect_body "$IT_DIR/rbody" "$CSK" "$CSK_ID" "$MCX" "$IT_DIR/rinfo.xml" "$MCPTT_CT"
kill -TERM "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
protect_client_uas "$CLIENT_PORT" "$IT_DIR" "$IT_DIR/rbody" "$(cat "$IT_DIR/rbody.ct")"
cpid="${IT_BG_PIDS[-1]}"
protect_mcx_uac MESSAGE "sip:alice@127.0.0.1:$CLIENT_PORT" "sip:alice@example.org" "$MCPTT_CT" \
	"$IT_DIR/info2.xml" 200 "<mcpttURI>$RGRP</mcpttURI>" || it_fail "protected 200 not unprotected"
kill -TERM "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
# a tampered reply: replaced by 500 towards the MCX server
/usr/bin/python3 - "$IT_DIR/rbody" "$IT_DIR/rbody.bad" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
p = d.index(b"<CipherValue>") + 25
d = d[:p] + (b"A" if d[p:p+1] != b"A" else b"B") + d[p+1:]
open(sys.argv[2], "wb").write(d)
PY
before="$(protect_stat xml_refused_replies)"
protect_client_uas "$CLIENT_PORT" "$IT_DIR" "$IT_DIR/rbody.bad" "$(cat "$IT_DIR/rbody.ct")"
cpid="${IT_BG_PIDS[-1]}"
protect_mcx_uac MESSAGE "sip:alice@127.0.0.1:$CLIENT_PORT" "sip:alice@example.org" "$MCPTT_CT" \
	"$IT_DIR/info2.xml" 500 "XML protection failed" || it_fail "tampered 200 not replaced by 500"
kill -TERM "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
[ "$(protect_stat xml_refused_replies)" -gt "$before" ] || it_fail "xml_refused_replies not counted"

# --- replies: 200 with plain XML from the MCX server -> protected towards the client (From)
protect_mcx_uas MESSAGE "mcpttURI.$GRP." "$IT_DIR/info2.xml" "$MCPTT_CT" -- -m 1
st="$(protect_send MESSAGE alice@example.org "$IT_DIR/msg.body" "$ct" "$IT_DIR/reply.raw")"
[ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "MESSAGE for a reply with XML: $st"
sipp_uas_wait || it_fail "UAS: reply case"
rct="$(protect_split "$IT_DIR/reply.raw" "$IT_DIR/reply.body")"
grep -q "$GRP2" "$IT_DIR/reply.raw" && it_fail "reply: group ID in clear towards the client"
"$MCSEC" body verify --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$rct" \
	"$IT_DIR/reply.body" || it_fail "reply: the client cannot verify"
"$MCSEC" body unprotect --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$rct" \
	--policy "$PROTECT_POLICY" "$IT_DIR/reply.body" 2>/dev/null | grep -q "<mcpttURI>$GRP2</mcpttURI>" ||
	it_fail "reply: decrypted text wrong"
# --- a client whose IMPU differs from its MC service ID (found through the IMPU index)
protect_upload "$IT_DIR/dave" dave "dave-ims@ims.example.net"
kam_rpc mcsec.client sip:dave@example.org | grep -q "impu: sip:dave-ims@ims.example.net" ||
	it_fail "dave's binding does not carry the IMPU"
(
	. "$IT_DIR/dave.env"
	protect_body "$IT_DIR/dave.body" "$CSK" "$CSK_ID" "$MCX" "$IT_DIR/info.xml" "$MCPTT_CT"
	protect_mcx_uas MESSAGE "mcpttURI.$GRP./mcpttURI" -- -m 1
	st="$(protect_send MESSAGE dave-ims@ims.example.net "$IT_DIR/dave.body" "$(cat "$IT_DIR/dave.body.ct")")"
	[ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "MESSAGE from dave's IMPU: $st"
	sipp_uas_wait || it_fail "UAS: dave's MESSAGE not plain"
	# alice's key from dave's IMPU: another client's key
	st="$(protect_send MESSAGE dave-ims@ims.example.net "$IT_DIR/msg.body" "$ct")"
	[ "$(echo "$st" | cut -d' ' -f2)" = 403 ] || it_fail "alice's key from dave: $st"
	# towards dave's IMPU (To): protected with dave's CSK, derived with his MC service ID
	rm -f "$IT_DIR/client-request.raw"
	protect_client_uas "$CLIENT_PORT" "$IT_DIR"
	cpid="${IT_BG_PIDS[-1]}"
	protect_mcx_uac MESSAGE "sip:dave@127.0.0.1:$CLIENT_PORT" "sip:dave-ims@ims.example.net" \
		"$MCPTT_CT" "$IT_DIR/info2.xml" 200 "SIP/2.0 200" || it_fail "MESSAGE to dave's IMPU: no 200"
	kill -TERM "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	rct="$(protect_split "$IT_DIR/client-request.raw" "$IT_DIR/dave-in.body")"
	"$MCSEC" body verify --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$rct" \
		"$IT_DIR/dave-in.body" || it_fail "dave cannot verify"
) || exit 1
kam_rpc mcsec.stats | grep xml_ >&2
kam_rpc mcsec.stats | grep -qi "$CSK" && it_fail "a CSK in mcsec.stats"
grep -qi "$CSK" "$IT_DIR/kamailio.log" && it_fail "a CSK in the log"
it_log "PASS protect_client"
