# shellcheck shell=bash
# KMS Redirect Response helpers for the integration tests (sourced after lib.sh, csk_lib.sh and
# it_init). SIPp peers are generated per request from templates below, so the MIKEY (built fresh
# with `mcsec mikey build`) and KRR bodies (built with `mcsec krr build|rebuild`) go in verbatim.
#   krr_setup                     demo KMS/key sets (csk_keys), key sets for eve, dave and the
#                                 GMS, the demo KRR signing pair ($KRR_DEMO) and a peer signing
#                                 pair ($KRR_PEER, trusted through krr_trust)
#   krr_mikey OUT FROM-USER TO-URI TYPE [ARGS]  base64 I_MESSAGE (TYPE PCK|GMK|CSK) -> OUT
#   krr_sdp OUT B64               SDP offer with a=key-mgmt:mikey <B64 file>
#   krr_uac NAME PORT METHOD RURI CT BODYFILE CODE [FROM]   SIPp UAC bound to PORT, expects CODE;
#                                 the reply is kept in $IT_DIR/NAME-uac.log (To: $KRR_TO or RURI;
#                                 KRR_EXTRA_HDR: one more header; KRR_NO_CLEN=1: no Content-Length)
#   krr_csk USER                  USER uploads a CSK (REGISTER through the proxy), so that the
#                                 XML protection lets messages towards USER through
#   krr_uas NAME PORT METHOD CODE [CT BODYFILE]   SIPp UAS (background) answering CODE
#   krr_reply_body NAME CODE OUT  body of the CODE reply the UAC NAME received
#   krr_valid FILE [CERT]         xmllint against the D.4.4 schema and xmlsec1 verification of the
#                                 top-level signature with the demo certificate
#   krr_stat NAME                 a counter of the "kms" struct of mcsec.stats
KRR_XSD="$IT_TOP/cfg/schema/mcsecKMSKRR.xsd"

krr_setup() {
	csk_keys
	local now=$(($(date +%s) + 2208988800)) u
	for u in eve gms; do
		"$MCSEC" kms issue --kms "$MCSEC_STATE_DIR/demo-kms" --user "sip:$u@example.org" \
			--time "$now" --out "$MCSEC_STATE_DIR/demo-client/$u.xml" >/dev/null ||
			it_fail "kms issue $u"
	done
	KRR_DEMO="$IT_DIR/krr-demo"
	KRR_PEER="$IT_DIR/krr-peer"
	"$IT_TOP/scripts/krr-demo-cert.sh" "$KRR_DEMO" || it_fail "demo KRR signing pair"
	"$IT_TOP/scripts/krr-demo-cert.sh" "$KRR_PEER" peer-proxy.partner.example.net ||
		it_fail "peer KRR signing pair"
	export MCSEC_KRR_KEY="$KRR_DEMO/krr-key.pem" MCSEC_KRR_CERT="$KRR_DEMO/krr-cert.pem"
}

krr_mikey() { # OUT FROM-USER TO-URI TYPE [extra mikey build args, e.g. --hide-ids]
	local id out="$1" from="$2" to="$3" type="$4"
	case "$4" in
	PCK) id="1$(openssl rand -hex 4 | cut -c2-8)" ;;
	GMK) id="0$(openssl rand -hex 4 | cut -c2-8)" ;;
	CSK) id="2$(openssl rand -hex 4 | cut -c2-8)" ;;
	*) it_fail "krr_mikey: type $4" ;;
	esac
	shift 4
	"$MCSEC" mikey build --cert "$CSK_CERT" --keyset "$MCSEC_STATE_DIR/demo-client/$from.xml" \
		--to "$to" --to-kms "$CSK_KMS" --key-type "$type" --key "$(openssl rand -hex 16)" \
		--key-id "$id" "$@" | tr -d '\r\n' >"$out" || it_fail "mikey build $type $from -> $to"
	[ -s "$out" ] || it_fail "mikey build $type: empty"
}

krr_csk() { # USER
	csk_uas uas_csk_upload.xml REGISTER -m 1
	csk_upload "$IT_DIR/csk-$1" "$1"
	csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/csk-$1.csv" -m 1 || it_fail "CSK upload of $1"
	sipp_uas_wait || it_fail "CSK upload of $1: MCX side"
}

krr_sdp() { # OUT B64-FILE
	printf 'v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\na=key-mgmt:mikey %s\n' \
		"$(cat "$2")" >"$1"
}

# the scenario text: SIPp strips leading blanks of each line and sends CRLF line ends
krr_uac() { # NAME PORT METHOD RURI CT BODYFILE CODE [FROM-USER]
	local name="$1" port="$2" method="$3" ruri="$4" ct="$5" body="$6" code="$7"
	local from="${8:-alice}" sc="$IT_DIR/$1-uac.xml" extra="" ack=""
	[ "$method" = NOTIFY ] && extra=$'Event: presence\nSubscription-State: active;expires=60\n'
	local clen=$'Content-Length: [len]\n'
	[ -n "${KRR_NO_CLEN:-}" ] && clen=""
	if [ "$method" = INVITE ]; then
		ack="<send><![CDATA[

ACK $ruri SIP/2.0
[last_Via:]
Max-Forwards: 70
[last_From:]
[last_To:]
[last_Call-ID:]
CSeq: 1 ACK
Content-Length: 0

]]></send>"
	fi
	cat >"$sc" <<SC
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="krr uac $name">
<send retrans="500"><![CDATA[

$method $ruri SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:$from@example.org>;tag=[pid]krr[call_number]
To: <${KRR_TO:-$ruri}>
Call-ID: [call_id]
CSeq: 1 $method
Contact: <sip:$from@[local_ip]:[local_port]>
${extra}${KRR_EXTRA_HDR:+$KRR_EXTRA_HDR
}Content-Type: $ct
${clen}
$(cat "$body")
]]></send>
<recv response="100" optional="true"/>
<recv response="$code"/>
$ack
</scenario>
SC
	(cd "$IT_DIR" && exec sipp "127.0.0.1:$KAM_PORT" -sf "$sc" -i 127.0.0.1 -p "$port" -m 1 \
		-nostdin -trace_err -error_file "$IT_DIR/$name-uac_errors.log" -trace_msg \
		-message_file "$IT_DIR/$name-uac.log" -timeout 20s -timeout_error \
		>"$IT_DIR/sipp-$name-uac.out" 2>&1 </dev/null) &
	local pid=$!
	IT_BG_PIDS+=("$pid")
	wait "$pid"
}

krr_uas() { # NAME PORT METHOD CODE [CT BODYFILE]
	local name="$1" port="$2" method="$3" code="$4" ct="${5:-}" body="${6:-}"
	local sc="$IT_DIR/$1-uas.xml" hdr="" ack="" content=""
	if [ -n "$body" ]; then
		hdr="Content-Type: $ct"$'\n'
		content="$(cat "$body")"
	fi
	[ "$method" = INVITE ] && ack='<recv request="ACK"/>'
	cat >"$sc" <<SC
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="krr uas $name">
<recv request="$method"/>
<send><![CDATA[

SIP/2.0 $code Test
[last_Via:]
[last_From:]
[last_To:];tag=[pid]krruas[call_number]
[last_Call-ID:]
[last_CSeq:]
${hdr}Content-Length: [len]

$content
]]></send>
$ack
</scenario>
SC
	(cd "$IT_DIR" && exec sipp -sf "$sc" -i 127.0.0.1 -p "$port" -m 1 -nostdin \
		-trace_err -error_file "$IT_DIR/$name-uas_errors.log" -trace_msg \
		-message_file "$IT_DIR/$name-uas.log" -timeout 30s -timeout_error \
		>"$IT_DIR/sipp-$name-uas.out" 2>&1 </dev/null) &
	KRR_UAS_PID=$!
	IT_BG_PIDS+=("$KRR_UAS_PID")
	sleep 0.3
}

# requests METHOD the UAS NAME has received so far
krr_uas_received() { # NAME METHOD
	grep -c "^$2 sip:" "$IT_DIR/$1-uas.log" 2>/dev/null || true
}

krr_reply_body() { # NAME CODE OUT
	/usr/bin/python3 - "$IT_DIR/$1-uac.log" "$2" "$3" <<'PY' || it_fail "no $2 reply body in $1"
import re, sys
log = open(sys.argv[1], "rb").read()
code = sys.argv[2].encode()
body = None
for m in re.finditer(rb"message received \[\d+\] bytes :\r?\n\r?\n", log):
    msg = log[m.end():]
    if not msg.startswith(b"SIP/2.0 " + code):
        continue
    h = re.search(rb"\r?\n\r?\n", msg)
    head, rest = msg[:h.start()], msg[h.end():]
    cl = re.search(rb"(?im)^(content-length|l)\s*:\s*(\d+)", head)
    body = rest[:int(cl.group(2)) if cl else 0]
if not body:
    sys.exit(1)
open(sys.argv[3], "wb").write(body)
PY
}

# content type of the CODE reply the UAC NAME received
krr_reply_ct() { # NAME CODE
	/usr/bin/python3 - "$IT_DIR/$1-uac.log" "$2" <<'PY'
import re, sys
log = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
ct = b""
for m in re.finditer(rb"message received \[\d+\] bytes :\n\n", log):
    msg = log[m.end():]
    if msg.startswith(b"SIP/2.0 " + sys.argv[2].encode()):
        h = re.search(rb"(?im)^(content-type|c)\s*:\s*(\S+)", msg.partition(b"\n\n")[0])
        ct = h.group(2) if h else b""
print(ct.decode())
PY
}

krr_valid() { # FILE [CERT]
	local cert="${2:-$KRR_DEMO/krr-cert.pem}"
	xmllint --noout --schema "$KRR_XSD" "$1" >"$1.xmllint" 2>&1 ||
		{ cat "$1.xmllint" >&2; it_fail "$(basename "$1"): not valid against the D.4.4 schema"; }
	xmlsec1 --verify --trusted-pem "$cert" \
		--id-attr:Id urn:3gpp:ns:mcsecKMSKRR:1.0:KmsRedirectResponse \
		--node-xpath "/*/*[local-name()='Signature']" "$1" >"$1.xmlsec1" 2>&1 ||
		{ cat "$1.xmlsec1" >&2; it_fail "$(basename "$1"): xmlsec1 does not verify the signature"; }
}

# top level of a KRR as `mcsec krr decode` prints it (lines up to the embedded KRR)
krr_top() { "$MCSEC" krr decode "$1" | sed -n '1,/^level=2$/p'; }

krr_has() { # FILE-or-text-label PATTERN TEXT
	printf '%s\n' "$3" | grep -q -- "$2" || { printf '%s\n' "$3" >&2; it_fail "$1: no [$2]"; }
}

krr_stat() { # NAME -> value in mcsec.stats (first match)
	kam_rpc mcsec.stats | sed -n "s/^[[:space:]]*$1: \([0-9]*\)$/\1/p" | head -n1
}
