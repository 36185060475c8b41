#!/usr/bin/env bash
# XML signalling protection bench (TS 33.180 9.3): name=value lines on stdout, logs on stderr.
#
# One Kamailio (cfg/kamailio-cs-proxy.cfg, policy cfg/xml-policy.example: integrity required for
# mcptt-info) after a real CSK upload of the client alice. Two phases at the same rate, in the
# same Kamailio process tree:
#   plain      client -> proxy -> MCX -> proxy -> client: a text/plain MESSAGE of the size of
#              the protected one, 200 with a text/plain body of the size of the plain XML
#              (mcsec_unprotect/mcsec_protect run and find nothing to do: the relay baseline)
#   protected  the same with an encrypted + signed mcptt-info MESSAGE (the proxy verifies and
#              decrypts it: the MCX server gets plain XML) and a 200 with plain mcptt-info (the
#              proxy encrypts and signs it towards the client)
# Kamailio CPU per message (utime+stime of all its processes from /proc/<pid>/stat, as
# scripts/bench.sh) for each phase, also net of the idle processes' CPU (measured for 5 s
# before), and protect_cpu_ratio = protected / plain on the net figures (target <= 3;
# protect_cpu_ratio_with_idle on the raw ones).
# Bounded: MCSEC_BENCH_PROTECT_RATE messages/s (default 500) for MCSEC_BENCH_PROTECT_SECONDS
# (default 15, max 30) per phase; about a minute in all. Figures are noisy on a shared machine.
set -uo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
cd "$TOP"

make --no-print-directory module tool >&2 || {
	echo "bench-protect: build failed" >&2
	exit 1
}
RATE="${MCSEC_BENCH_PROTECT_RATE:-500}"
SECS="${MCSEC_BENCH_PROTECT_SECONDS:-15}"
[ "$SECS" -gt 30 ] && SECS=30
CALLS=$((RATE * SECS))

export IT_BASE="$TOP/build/bench-protect"
rm -rf "$IT_BASE"
export MCSEC_CHILDREN="${MCSEC_CHILDREN:-4}" MCSEC_DEBUG=1 KAM_SHM_MB=512 KAM_PKG_MB=16
# shellcheck source=tests/integration/lib.sh
. "$TOP/tests/integration/lib.sh"
# shellcheck source=tests/integration/csk_lib.sh
. "$TOP/tests/integration/csk_lib.sh"
# shellcheck source=tests/integration/protect_lib.sh
. "$TOP/tests/integration/protect_lib.sh"
it_init bench_protect
csk_keys
kam_start -A "MCSEC_XML_POLICY=\"$PROTECT_POLICY\"" >&2 || {
	echo "bench-protect: kamailio did not start" >&2
	exit 1
}
protect_upload "$IT_DIR/alice" alice
. "$IT_DIR/alice.env"

HZ="$(getconf CLK_TCK)"

# ---- the bodies ----
GRP="sip:bench-group@example.org"
protect_info "$IT_DIR/info.xml" "$GRP" "sip:alice@example.org"
RGRP="sip:bench-reply-group@example.org"
protect_info "$IT_DIR/rinfo.xml" "$RGRP" "sip:mcptt-server@example.org"
# the encrypted document on one line (SIPp rewrites line ends), signed as it will be sent
"$MCSEC" xml encrypt --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$MCPTT_CT" \
	--policy "$PROTECT_POLICY" "$IT_DIR/info.xml" | tr -d '\r\n' >"$IT_DIR/enc.xml" ||
	it_fail "xml encrypt"
"$MCSEC" body sign --xpk "$CSK" --xpk-id "$CSK_ID" --mcx-id "$MCX" --content-type "$MCPTT_CT" \
	"$IT_DIR/enc.xml" >"$IT_DIR/signed.body" 2>"$IT_DIR/signed.err" || it_fail "body sign"
SIGNED_CT="$(sed -n 's/^content-type=//p' "$IT_DIR/signed.err")"

tr -d '\r\n' <"$IT_DIR/rinfo.xml" >"$IT_DIR/rinfo1.xml"
# baseline bodies of the same sizes
head -c "$(wc -c <"$IT_DIR/signed.body")" /dev/zero | tr '\0' 'x' >"$IT_DIR/plain.body"
head -c "$(wc -c <"$IT_DIR/rinfo1.xml")" /dev/zero | tr '\0' 'y' >"$IT_DIR/plain.rbody"
protect_sipp_scenario "$PROTECT_DIR/protect_bench_uac.xml" "$IT_DIR/uac-plain.xml" text/plain \
	"$IT_DIR/plain.body" "yyyyyyyy" text/plain "$IT_DIR/plain.rbody" || it_fail "scenario"
protect_sipp_scenario "$PROTECT_DIR/protect_bench_uas.xml" "$IT_DIR/uas-plain.xml" text/plain \
	"$IT_DIR/plain.body" "xxxxxxxx" text/plain "$IT_DIR/plain.rbody" || it_fail "scenario"
protect_sipp_scenario "$PROTECT_DIR/protect_bench_uac.xml" "$IT_DIR/uac-prot.xml" "$SIGNED_CT" \
	"$IT_DIR/signed.body" "SignatureValue" "$MCPTT_CT" "$IT_DIR/rinfo1.xml" || it_fail "scenario"
protect_sipp_scenario "$PROTECT_DIR/protect_bench_uas.xml" "$IT_DIR/uas-prot.xml" "$SIGNED_CT" \
	"$IT_DIR/signed.body" "mcpttURI.$GRP./mcpttURI" "$MCPTT_CT" "$IT_DIR/rinfo1.xml" ||
	it_fail "scenario"

run_phase() { # NAME
	local name="$1" t0 t1 w0 w1 ok failed uok upid cpu net
	(cd "$IT_DIR" && exec sipp -sf "$IT_DIR/uas-$name.xml" -i 127.0.0.1 -p "$MCX_PORT" -nostdin \
		-trace_err -error_file "$IT_DIR/uas-$name-errors.log" -m "$CALLS" -buff_size 4194304 \
		-timeout "$((SECS + 40))s" >"$IT_DIR/sipp-uas-$name.out" 2>&1 </dev/null) &
	upid=$!
	IT_BG_PIDS+=("$upid")
	sleep 0.3
	t0="$(kam_ticks)"
	w0="$(date +%s%6N)"
	(cd "$IT_DIR" && exec sipp "127.0.0.1:$KAM_PORT" -sf "$IT_DIR/uac-$name.xml" -i 127.0.0.1 \
		-p "$UAC_PORT" -nostdin -trace_err -error_file "$IT_DIR/uac-$name-errors.log" \
		-r "$RATE" -m "$CALLS" -l "$((RATE * 5))" -recv_timeout 5000 -buff_size 4194304 \
		-timeout "$((SECS + 30))s" >"$IT_DIR/sipp-uac-$name.out" 2>&1 </dev/null)
	t1="$(kam_ticks)"
	w1="$(date +%s%6N)"
	wait "$upid" 2>/dev/null
	ok="$(sipp_count "$IT_DIR/sipp-uac-$name.out" "Successful call")"
	failed="$(sipp_count "$IT_DIR/sipp-uac-$name.out" "Failed call")"
	uok="$(sipp_count "$IT_DIR/sipp-uas-$name.out" "Successful call")"
	ok="${ok:-0}"
	cpu="nan"
	net="nan"
	if [ "$ok" -gt 0 ]; then
		cpu="$(/usr/bin/python3 -c "print('%.1f' % (($t1 - $t0) * 1e6 / $HZ / $ok))")"
		# minus what the idle processes use in the same wall time
		net="$(/usr/bin/python3 -c "print('%.1f' % (max(0.0, ($t1 - $t0) - $IDLE_TICKS_PER_S * ($w1 - $w0) / 1e6) * 1e6 / $HZ / $ok))")"
	fi
	echo "protect_${name}_messages_ok=$ok"
	echo "protect_${name}_messages_failed=${failed:-nan}"
	echo "protect_${name}_uas_ok=${uok:-0}"
	echo "protect_${name}_cpu_us_per_msg=$cpu"
	echo "protect_${name}_net_cpu_us_per_msg=$net"
	eval "CPU_$name=$cpu"
	eval "NET_$name=$net"
}

# idle Kamailio (timers, workers waiting): CPU per second, subtracted from the phases
IDLE_SECS=5
t0="$(kam_ticks)"
sleep "$IDLE_SECS"
t1="$(kam_ticks)"
IDLE_TICKS_PER_S="$(/usr/bin/python3 -c "print(($t1 - $t0) / $IDLE_SECS)")"
echo "protect_idle_cpu_us_per_s=$(/usr/bin/python3 -c "print('%.0f' % ($IDLE_TICKS_PER_S * 1e6 / $HZ))")"

echo "bench-protect: plain phase, $RATE msg/s for $SECS s" >&2
run_phase plain
echo "bench-protect: protected phase, $RATE msg/s for $SECS s" >&2
st0="$(protect_stat xml_unprotected)"
run_phase prot
echo "protect_prot_unprotected=$(($(protect_stat xml_unprotected) - st0))"
echo "protect_refused_integrity=$(protect_stat xml_refused_integrity)"
echo "protect_rate=$RATE"
echo "protect_seconds_per_phase=$SECS"
echo "protect_kamailio_children=$MCSEC_CHILDREN"
# shellcheck disable=SC2154
/usr/bin/python3 -c "
for name, p, q in (('protect_cpu_ratio', '$NET_plain', '$NET_prot'),
                   ('protect_cpu_ratio_with_idle', '$CPU_plain', '$CPU_prot')):
    try:
        print('%s=%.2f' % (name, float(q) / float(p)))
    except Exception:
        print('%s=nan' % name)
"
