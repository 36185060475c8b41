#!/usr/bin/env bash
# CSK upload forms: hidden identities (E.7, IDRuidi/IDRuidr) bound to the MC service ID from the
# configured source (P-Asserted-Identity by default, From with mcx_id_source=from, the clear
# <mcptt-request-uri> of the mcptt-info body with mcx_id_source=xml, and a wrong or encrypted
# candidate there refused with 403 and nothing forwarded); the MIKEY part
# as raw binary (Content-Transfer-Encoding: binary); a body that is only the I_MESSAGE (forwarded
# with no body). The MCX server (SIPp UAS) checks what it receives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
it_init csk_upload_forms
csk_keys
kam_start || it_fail "kamailio did not start"

# hidden identities, candidate from P-Asserted-Identity
csk_upload "$IT_DIR/hid" alice --hide-ids
/usr/bin/python3 - "$IT_DIR/hid.b64" <<'PY' || it_fail "not a hidden-identity I_MESSAGE"
import base64, sys
b = base64.b64decode(open(sys.argv[1]).read())
# IDR payloads (type 14) with role 8 (IDRuidi) and 9 (IDRuidr), no URI of alice in clear
assert b"alice" not in b and b"mcsec-proxy" not in b
PY
. "$IT_DIR/hid.env"
csk_uas uas_csk_upload.xml REGISTER -m 1
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/hid.csv" -m 1 || it_fail "hidden: no 200"
sipp_uas_wait || it_fail "UAS: hidden-identity REGISTER"
kam_rpc mcsec.client sip:alice@example.org | grep -q "csk_id: $CSK_ID" || it_fail "hidden binding"

# raw binary MIKEY part (bob) and a body that is only the I_MESSAGE (carol)
csk_upload "$IT_DIR/bin" bob
base64 -d "$IT_DIR/bin.b64" >"$IT_DIR/bin.raw"
. "$IT_DIR/bin.env"
csk_uas uas_csk_upload.xml REGISTER -m 1
st="$(/usr/bin/python3 "$IT_TOP/tests/integration/sip_send.py" "127.0.0.1:$KAM_PORT" bob@example.org \
	binary "$IT_DIR/bin.raw" "$IT_DIR/bin.xml")" || it_fail "binary: no final response"
[ "${st%% *}" = "SIP/2.0" ] && [ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "binary: $st"
sipp_uas_wait || it_fail "UAS: binary-MIKEY REGISTER"
kam_rpc mcsec.client sip:bob@example.org | grep -q "csk_id: $CSK_ID" || it_fail "binary binding"

csk_upload "$IT_DIR/only" carol
base64 -d "$IT_DIR/only.b64" >"$IT_DIR/only.raw"
csk_uas uas_csk_nobody.xml REGISTER -m 1
st="$(/usr/bin/python3 "$IT_TOP/tests/integration/sip_send.py" "127.0.0.1:$KAM_PORT" carol@example.org \
	single-mikey "$IT_DIR/only.raw")" || it_fail "single: no final response"
[ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "single: $st"
sipp_uas_wait || it_fail "UAS: the I_MESSAGE-only REGISTER was not forwarded without a body"
kam_stop

# mcx_id_source=from: P-Asserted-Identity says dave, From says alice (hidden upload by alice):
# bound to MC service ID alice with IMPU dave
kam_start -A 'MCSEC_MCX_ID_SOURCE="from"' || it_fail "kamailio (mcx_id_source from) did not start"
CSK_HDR_USER="dave@example.org" CSK_FROM_USER="alice@example.org" csk_upload "$IT_DIR/hid2" alice --hide-ids
. "$IT_DIR/hid2.env"
csk_uas uas_csk_upload.xml REGISTER -m 1
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/hid2.csv" -m 1 || it_fail "hidden (From): no 200"
sipp_uas_wait || it_fail "UAS: hidden (From) REGISTER"
out="$(kam_rpc mcsec.client sip:alice@example.org)"
echo "$out" | grep -q "csk_id: $CSK_ID" || it_fail "hidden (From) binding"
echo "$out" | grep -q "impu: sip:dave@example.org" || it_fail "IMPU is not the P-Asserted-Identity"
kam_stop

# mcx_id_source=xml: the candidate is the clear <mcptt-request-uri> of the mcptt-info body (the
# client encrypts only its access token); P-Asserted-Identity and From say dave, so a header
# source would fail. The access token is decrypted with the keys of that MC service ID (F.1.4).
kam_start -A 'MCSEC_MCX_ID_SOURCE="xml"' || it_fail "kamailio (mcx_id_source xml) did not start"
cat >"$IT_DIR/token-only.policy" <<'POL'
[application/vnd.3gpp.mcptt-info+xml]
content = urn:3gpp:ns:mcpttInfo:1.0 mcptt-access-token mark
POL
export CSK_HDR_USER="dave@example.org" CSK_XML_POLICY="$IT_DIR/token-only.policy"
csk_upload "$IT_DIR/hidx" alice --hide-ids
grep -q 'mcptt-request-uri type="Normal"><mcpttURI>sip:alice@example.org<' "$IT_DIR/hidx.xml" ||
	it_fail "the test body does not carry the MC service ID in clear"
grep -q "$(sed -n 's/^TOKEN=//p' "$IT_DIR/hidx.env")" "$IT_DIR/hidx.xml" && it_fail "token in clear"
. "$IT_DIR/hidx.env"
csk_uas uas_csk_upload.xml REGISTER -m 1
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/hidx.csv" -m 1 || it_fail "hidden (xml): no 200"
sipp_uas_wait || it_fail "UAS: hidden (xml) REGISTER"
out="$(kam_rpc mcsec.client sip:alice@example.org)"
echo "$out" | grep -q "csk_id: $CSK_ID" || it_fail "hidden (xml) binding"
echo "$out" | grep -q "impu: sip:dave@example.org" || it_fail "hidden (xml): IMPU is not the PAI"

# a wrong candidate in the body (bob; the I_MESSAGE hides alice's UID), and the MC service ID
# encrypted (default client policy): 403 identity mismatch, the MCX server receives nothing
csk_uas uas_plain.xml REGISTER -m 10
CSK_INFO_MCX="sip:bob@example.org" csk_upload "$IT_DIR/hidx-bob" alice --hide-ids
csk_uac uac_csk_upload.xml REGISTER 403 "CSK upload identity mismatch" "$IT_DIR/hidx-bob.csv" -m 1 ||
	it_fail "hidden (xml), wrong candidate: no 403 identity mismatch"
CSK_XML_POLICY="" csk_upload "$IT_DIR/hidx-enc" alice --hide-ids
grep -q 'mcptt-request-uri type="Encrypted"' "$IT_DIR/hidx-enc.xml" || it_fail "request URI not encrypted"
csk_uac uac_csk_upload.xml REGISTER 403 "CSK upload identity mismatch" "$IT_DIR/hidx-enc.csv" -m 1 ||
	it_fail "hidden (xml), encrypted candidate: no 403 identity mismatch"
grep -q "MC service ID candidate element is encrypted" "$IT_DIR/kamailio.log" ||
	it_fail "the log does not say the candidate element was encrypted"
sleep 0.5
[ "$(uas_received REGISTER)" = 0 ] || it_fail "the MCX server received a refused hidden upload"
unset CSK_HDR_USER CSK_XML_POLICY
it_log "PASS csk_upload_forms"
