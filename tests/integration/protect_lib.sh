# shellcheck shell=bash
# XML protection helpers for the integration tests (sourced after lib.sh, csk_lib.sh, it_init):
#   protect_upload OUT USER [IMPU] CSK upload of USER through Kamailio (REGISTER, from IMPU);
#                                  OUT.env gets CSK=hex CSK_ID=hex MCX=sip:USER@example.org
#   protect_info OUT GROUP USER    a plain mcptt-info XML (one line) naming GROUP and USER
#   protect_body OUT.body CSK CSKID MCX XML CTYPE [policy]
#                                  mcsec body protect -> OUT.body (raw octets) and OUT.ct
#   protect_send METHOD USER BODY CTYPE [RESPONSE-OUT] [TO]  -> final status line (byte-exact UAC)
#   protect_client_uas PORT DIR [BODY CTYPE]   byte-exact client UAS in the background
#   protect_mcx_uas METHOD EXPECT [-m N ...]   SIPp UAS (MCX server), plain XML asserted
#   protect_mcx_uac METHOD RURI TO CTYPE BODYFILE CODE EXPECT   SIPp UAC (MCX server)
#   protect_sipp_scenario TEMPLATE OUT CTYPE BODY EXPECT RCTYPE RBODY
#                                  protect_bench_uac/uas.xml with a body SIPp sends byte-exact
PROTECT_DIR="$IT_TOP/tests/integration"
PROTECT_SIP="$PROTECT_DIR/protect_sip.py"
PROTECT_POLICY="$IT_TOP/cfg/xml-policy.example"
MCPTT_CT="application/vnd.3gpp.mcptt-info+xml"

protect_upload() { # OUT USER [IMPU (user@host of P-Asserted-Identity/From; default USER@example.org)]
	local out="$1" user="$2" impu="${3:-$2@example.org}" csk cskid token
	csk="$(openssl rand -hex 16)"
	cskid="2$(openssl rand -hex 4 | cut -c2-8)"
	token="ACCESS-TOKEN-$(openssl rand -hex 6)"
	"$MCSEC" mikey build --cert "$CSK_CERT" --keyset "$MCSEC_STATE_DIR/demo-client/$user.xml" \
		--to "$CSK_PROXY" --to-kms "$CSK_KMS" --key-type CSK --key "$csk" --key-id "$cskid" \
		>"$out.b64" || it_fail "mikey build ($user)"
	csk_info "sip:$user@example.org" "$token" >"$out.info"
	"$MCSEC" xml encrypt --xpk "$csk" --xpk-id "$cskid" --mcx-id "sip:$user@example.org" \
		--content-type "$MCPTT_CT" "$out.info" >"$out.xml" || it_fail "xml encrypt ($user)"
	# multipart: MIKEY + encrypted mcptt-info, signed with the new CSK (the policy of these tests
	# requires integrity for mcptt-info, the upload too)
	{
		printf -- '--pb1\r\nContent-Type: application/mikey\r\nContent-Transfer-Encoding: base64\r\n\r\n'
		tr -d '\n' <"$out.b64"
		printf '\r\n--pb1\r\nContent-Type: %s\r\n\r\n' "$MCPTT_CT"
		cat "$out.xml"
		printf '\r\n--pb1--\r\n'
	} >"$out.mp"
	"$MCSEC" body sign --xpk "$csk" --xpk-id "$cskid" --mcx-id "sip:$user@example.org" \
		--content-type "multipart/mixed;boundary=pb1" "$out.mp" >"$out.signed" || it_fail "body sign ($user)"
	printf 'CSK=%s\nCSK_ID=%s\nMCX=sip:%s@example.org\n' "$csk" "$cskid" "$user" >"$out.env"
	csk_uas uas_csk_upload.xml REGISTER -m 1
	local st
	st="$(/usr/bin/python3 "$PROTECT_SIP" send "127.0.0.1:$KAM_PORT" REGISTER "$impu" \
		"$out.signed" "multipart/mixed;boundary=pb1")"
	[ "$(echo "$st" | cut -d' ' -f2)" = 200 ] || it_fail "CSK upload of $user: $st"
	sipp_uas_wait || it_fail "UAS: CSK upload of $user"
}

protect_info() { # OUT GROUP USER
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params><mcptt-request-uri type="Normal"><mcpttURI>%s</mcpttURI></mcptt-request-uri><mcptt-calling-user-id type="Normal"><mcpttString>%s</mcpttString></mcptt-calling-user-id></mcptt-Params></mcpttinfo>\n' "$2" "$3" >"$1"
}

protect_body() { # OUT CSK CSKID MCX XML CTYPE [POLICY]
	local out="$1" ct
	"$MCSEC" body protect --xpk "$2" --xpk-id "$3" --mcx-id "$4" --content-type "$6" \
		--policy "${7:-$PROTECT_POLICY}" "$5" >"$out" 2>"$out.err" || it_fail "body protect"
	ct="$(sed -n 's/^content-type=//p' "$out.err")"
	[ -n "$ct" ] || ct="$6"
	printf '%s' "$ct" >"$out.ct"
}

protect_send() { # METHOD USER BODY CTYPE [RESPONSE-OUT] [TO]
	/usr/bin/python3 "$PROTECT_SIP" send "127.0.0.1:$KAM_PORT" "$1" "$2" "$3" "$4" "${5:-}" "${6:-$2}"
}

protect_client_uas() { # PORT DIR [BODY CTYPE]
	/usr/bin/python3 "$PROTECT_SIP" uas "$1" "$2/client-request.raw" "${3:--}" "${4:-}" \
		"$2/client-count" &
	IT_BG_PIDS+=("$!")
	sleep 0.3
}

# SIPp UAS as the MCX server: METHOD EXPECT-REGEXP [RBODY-FILE RCTYPE] -- sipp args
protect_mcx_uas() {
	local method="$1" expect="$2" rbody="" rhdr="X-Mcsec-Test: no-body" sc
	shift 2
	if [ "${1:-}" != "--" ] && [ -n "${1:-}" ]; then
		rbody="$(tr -d '\r\n' <"$1")"
		rhdr="Content-Type: $2"
		shift 2
	fi
	[ "${1:-}" = "--" ] && shift
	sc="protect_uas-$method-$RANDOM.xml"
	METHOD="$method" EXPECT="$expect" RBODY="$rbody" RHDR="$rhdr" /usr/bin/python3 - \
		"$PROTECT_DIR/protect_uas.xml" "$IT_DIR/$sc" <<'PY'
import os, sys
s = open(sys.argv[1]).read()
for k in ("METHOD", "EXPECT", "RBODY", "RHDR"):
    s = s.replace("@" + k + "@", os.environ[k])
open(sys.argv[2], "w").write(s)
PY
	(cd "$IT_DIR" && exec sipp -sf "$IT_DIR/$sc" -i 127.0.0.1 -p "$MCX_PORT" -nostdin \
		-trace_err -error_file "$IT_DIR/uas-${sc}_errors.log" -trace_msg \
		-message_file "$IT_DIR/uas-messages.log" -timeout 60s -timeout_error \
		"$@" >"$IT_DIR/sipp-uas-$sc.out" 2>&1 </dev/null) &
	UAS_PID=$!
	IT_BG_PIDS+=("$UAS_PID")
	sleep 0.3
}

# SIPp UAC as the MCX server: METHOD RURI TO CTYPE BODYFILE CODE EXPECT [sipp args]
# (environment PROTECT_UAC_DST host:port, default Kamailio; PROTECT_UAC_PORT, default MCX_PORT;
# PROTECT_UAC_EXTRA_HDR one more header line)
protect_mcx_uac() {
	local sc
	sc="protect_uac-$1-$6-$RANDOM.xml"
	METHOD="$1" RURI="$2" TO="$3" CTYPE="$4" BODY="$(tr -d '\r\n' <"$5")" CODE="$6" \
		EXPECT="$7" EXTRA="${PROTECT_UAC_EXTRA_HDR:-X-Mcsec-Test: uac}" \
		/usr/bin/python3 - "$PROTECT_DIR/protect_uac.xml" "$IT_DIR/$sc" <<'PY'
import os, sys
s = open(sys.argv[1]).read()
for k in ("METHOD", "RURI", "TO", "CTYPE", "BODY", "CODE", "EXPECT", "EXTRA"):
    s = s.replace("@" + k + "@", os.environ[k])
open(sys.argv[2], "w").write(s)
PY
	shift 7
	(cd "$IT_DIR" && exec sipp "${PROTECT_UAC_DST:-127.0.0.1:$KAM_PORT}" -sf "$IT_DIR/$sc" \
		-i 127.0.0.1 -p "${PROTECT_UAC_PORT:-$MCX_PORT}" \
		-nostdin -trace_err -error_file "$IT_DIR/uac-${sc}_errors.log" -m 1 \
		-timeout 30s -timeout_error "$@" >"$IT_DIR/sipp-uac-$sc.out" 2>&1 </dev/null) &
	local pid=$!
	IT_BG_PIDS+=("$pid")
	wait "$pid"
}

# the body of a raw SIP message (after the first empty line) and its Content-Type
protect_split() { # RAW OUT-BODY -> prints the Content-Type
	/usr/bin/python3 - "$1" "$2" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
head, _, body = raw.partition(b"\r\n\r\n")
open(sys.argv[2], "wb").write(body)
for line in head.split(b"\r\n")[1:]:
    n, _, v = line.partition(b":")
    if n.strip().lower() in (b"content-type", b"c"):
        print(v.strip().decode())
PY
}

protect_stat() { csk_stat "$1"; }

# SIPp sends every scenario line with CRLF and cuts leading blanks: a body whose lines end in
# CRLF (or LF) and start with no blank (e.g. one-line XML signed as it will be sent, then the
# signatures part: XML parsers normalise its line ends) arrives as it was signed.
protect_sipp_scenario() { # TEMPLATE OUT CTYPE BODY-FILE EXPECT RCTYPE RBODY-FILE
	/usr/bin/python3 - "$@" <<'PY'
import sys
tpl, out, ct, bf, expect, rct, rbf = sys.argv[1:8]
s = open(tpl).read()
body = open(bf, "rb").read().decode()
lines = body.replace("\r\n", "\n").rstrip("\n").split("\n")
for l in lines:
    if l != l.strip() or "[" in l or "]]>" in l:
        sys.exit("body line not safe for SIPp: %r" % l[:60])
if any(c in expect for c in '<>&"'):
    sys.exit("SIPp's scenario parser cannot take < > & \" in a regexp: %r" % expect)
rbody = open(rbf).read().replace("\r", "").replace("\n", "").strip()
s = (s.replace("@CTYPE@", ct).replace("@BODY@", "\n".join(lines)).replace("@EXPECT@", expect)
     .replace("@RCTYPE@", rct).replace("@RBODY@", rbody))
open(out, "w").write(s)
PY
}
