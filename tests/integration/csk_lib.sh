# shellcheck shell=bash
# CSK upload helpers for the integration tests (sourced after lib.sh and it_init):
#   csk_keys                      demo KMS + proxy key sets (2 identities) + client key sets
#   csk_upload OUT CLIENT [mikey build options...]
#                                 fresh CSK, I_MESSAGE (base64) and mcptt-info with the access
#                                 token and MC service ID encrypted under it; writes OUT.b64,
#                                 OUT.xml (one line), OUT.csv (SIPp -inf: b64;xml;pai-user;token;
#                                 from-user) and
#                                 OUT.env (CSK_ID=..., TOKEN=...)
#   csk_uac SCENARIO CSV [sipp args]  SIPp UAC of a CSK upload scenario template
#   csk_stat NAME                 a counter of mcsec.stats
MCSEC="$IT_TOP/build/mcsec"
CSK_PROXY="sip:mcsec-proxy@example.org"
CSK_PROXY2="sip:mcsec-proxy2@example.org"
CSK_KMS="kms.example.org"

csk_keys() {
	[ -x "$MCSEC" ] || it_fail "build/mcsec missing"
	export MCSEC_IDENTITY="$CSK_PROXY,$CSK_PROXY2"
	MCSEC_DEMO_CLIENT="sip:alice@example.org" "$IT_TOP/scripts/demo-keys.sh" \
		"$MCSEC_STATE_DIR" "$MCSEC_IDENTITY" 2>"$IT_DIR/demo-keys.log" ||
		it_fail "demo-keys.sh failed"
	CSK_CERT="$MCSEC_STATE_DIR/kms/kms-cert.xml"
	local now=$(($(date +%s) + 2208988800)) u
	for u in bob carol dave; do
		"$MCSEC" kms issue --kms "$MCSEC_STATE_DIR/demo-kms" --user "sip:$u@example.org" \
			--time "$now" --out "$MCSEC_STATE_DIR/demo-client/$u.xml" >/dev/null ||
			it_fail "kms issue $u"
	done
	cp "$MCSEC_STATE_DIR/demo-client/client.xml" "$MCSEC_STATE_DIR/demo-client/alice.xml"
}

csk_info() { # MCX-ID TOKEN -> mcptt-info XML on one line
	printf '<?xml version="1.0" encoding="UTF-8"?> <mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params><mcptt-access-token type="Normal"><mcpttString>%s</mcpttString></mcptt-access-token><mcptt-request-uri type="Normal"><mcpttURI>%s</mcpttURI></mcptt-request-uri><mcptt-client-id type="Normal"><mcpttString>urn:uuid:00000000-0000-1000-8000-00000000a11c</mcpttString></mcptt-client-id></mcptt-Params></mcpttinfo>' "$2" "$1"
}

# overrides (environment): CSK_TO receiver URI, CSK_KEYSET initiator key set, CSK_CERT_EXTRA
# another KMS certificate for the builder, CSK_HDR_USER user@host for P-Asserted-Identity (and
# From), CSK_FROM_USER user@host for From only, CSK_XML_POLICY the client's XML protection policy
# (default: the built-in one, which encrypts the MC service ID too), CSK_INFO_MCX the MC service
# ID written into the mcptt-info body (default sip:CLIENT-USER@example.org)
csk_upload() { # OUT CLIENT-USER [extra mikey build args; --to2 = the second proxy identity]
	local out="$1" user="$2"
	shift 2
	local csk cskid token a to="${CSK_TO:-$CSK_PROXY}"
	local keyset="${CSK_KEYSET:-$MCSEC_STATE_DIR/demo-client/$user.xml}"
	local args=() certs=(--cert "$CSK_CERT")
	[ -n "${CSK_CERT_EXTRA:-}" ] && certs+=(--cert "$CSK_CERT_EXTRA")
	for a in "$@"; do
		if [ "$a" = "--to2" ]; then to="$CSK_PROXY2"; else args+=("$a"); fi
	done
	csk="$(openssl rand -hex 16)"
	cskid="2$(openssl rand -hex 4 | cut -c2-8)"
	token="ACCESS-TOKEN-$(openssl rand -hex 6)"
	"$MCSEC" mikey build "${certs[@]}" --keyset "$keyset" --to "$to" --to-kms "$CSK_KMS" \
		--key-type CSK --key "$csk" --key-id "$cskid" "${args[@]}" >"$out.b64" ||
		it_fail "mikey build ($user)"
	local pol=()
	[ -n "${CSK_XML_POLICY:-}" ] && pol=(--policy "$CSK_XML_POLICY")
	csk_info "${CSK_INFO_MCX:-sip:$user@example.org}" "$token" >"$out.info"
	"$MCSEC" xml encrypt --xpk "$csk" --xpk-id "$cskid" --mcx-id "sip:$user@example.org" "${pol[@]}" \
		--content-type application/vnd.3gpp.mcptt-info+xml "$out.info" | tr '\r\n' '  ' >"$out.xml" ||
		it_fail "xml encrypt ($user)"
	grep -q "$token" "$out.xml" && it_fail "token not encrypted by the tool"
	grep -q EncryptedData "$out.xml" || it_fail "no EncryptedData"
	{
		echo "SEQUENTIAL"
		echo "$(tr -d '\n' <"$out.b64");$(cat "$out.xml");${CSK_HDR_USER:-$user@example.org};$token;${CSK_FROM_USER:-${CSK_HDR_USER:-$user@example.org}}"
	} >"$out.csv"
	printf 'CSK_ID=%s\nTOKEN=%s\n' "$cskid" "$token" >"$out.env"
}

# SIPp UAC from a template: @METHOD@ @CODE@ @REASON@ substituted; rest are sipp args
csk_uac() { # TEMPLATE METHOD CODE REASON CSV [sipp args]
	local tpl="$1" method="$2" code="$3" reason="$4" csv="$5"
	shift 5
	local sc
	sc="$(basename "$tpl" .xml)-$method-$code-$RANDOM.xml"
	sed -e "s|@METHOD@|$method|g" -e "s|@CODE@|$code|g" -e "s|@REASON@|$reason|g" \
		"$SIPP_DIR/$tpl" >"$IT_DIR/$sc"
	(cd "$IT_DIR" && exec sipp "127.0.0.1:$KAM_PORT" -sf "$IT_DIR/$sc" -i 127.0.0.1 \
		-p "$UAC_PORT" -nostdin -trace_err -error_file "$IT_DIR/uac-${sc}_errors.log" \
		-inf "$csv" -timeout 30s -timeout_error "$@" >"$IT_DIR/sipp-uac-$sc.out" 2>&1 </dev/null) &
	local pid=$!
	IT_BG_PIDS+=("$pid")
	wait "$pid"
}

# SIPp UAS (the MCX server) from a template, background; -trace_msg for "received nothing"
csk_uas() { # TEMPLATE METHOD [sipp args]
	local tpl="$1" method="$2"
	shift 2
	local sc
	sc="$(basename "$tpl" .xml)-$method-$RANDOM.xml"
	sed -e "s|@METHOD@|$method|g" -e "s|@CSKID@|${CSK_ID_EXPECT:-}|g" "$SIPP_DIR/$tpl" >"$IT_DIR/$sc"
	# CSK_UAS_TRACE=0 (the bench): no message trace, which costs the UAS CPU at hundreds/s
	local trace=(-trace_msg -message_file "$IT_DIR/uas-messages.log")
	[ "${CSK_UAS_TRACE:-1}" = 0 ] && trace=()
	(cd "$IT_DIR" && exec sipp -sf "$IT_DIR/$sc" -i 127.0.0.1 -p "$MCX_PORT" -nostdin \
		-trace_err -error_file "$IT_DIR/uas-${sc}_errors.log" "${trace[@]}" \
		-timeout 60s -timeout_error "$@" >"$IT_DIR/sipp-uas-$sc.out" 2>&1 </dev/null) &
	UAS_PID=$!
	IT_BG_PIDS+=("$UAS_PID")
	sleep 0.3
}

csk_stat() { # NAME -> value of mcsec.stats
	kam_rpc mcsec.stats | sed -n "s/^[[:space:]]*$1: \([0-9]*\)$/\1/p" | head -n1
}

# requests the UAS has received so far (from its message trace)
uas_received() {
	grep -c "^$1 sip:" "$IT_DIR/uas-messages.log" 2>/dev/null || true
}

# the load generator (tests/integration/csk_gen.c) built against build/libmcsec.a into $IT_DIR
csk_gen_build() {
	local top="$IT_TOP"
	# shellcheck disable=SC2046
	cc -std=gnu11 -O2 -I "$top/modules/mcsec/lib" $(pkg-config --cflags openssl libxml-2.0 xmlsec1-openssl) \
		"$top/tests/integration/csk_gen.c" "$top/build/libmcsec.a" \
		$(pkg-config --libs xmlsec1-openssl libxml-2.0 openssl libsrtp2) -o "$IT_DIR/csk_gen" ||
		it_fail "csk_gen did not build"
}

# N fresh uploads from alice, bob, carol, dave to the first identity -> CSV
csk_gen() { # OUT.csv N
	"$IT_DIR/csk_gen" "$CSK_CERT" "$CSK_PROXY" "$CSK_KMS" "$2" \
		"$MCSEC_STATE_DIR"/demo-client/{alice,bob,carol,dave}.xml >"$1" || it_fail "csk_gen"
}

# successful / failed calls from a SIPp output file (cumulative column)
sipp_count() { # FILE "Successful call"|"Failed call"
	grep "$2" "$1" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}'
}
