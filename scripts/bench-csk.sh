#!/usr/bin/env bash
# CSK upload figures for make bench (called by scripts/bench.sh; name=value lines on stdout):
#  - crypto ceiling: cores / (eccsi_verify + sakke_decap). Primary (csk_inrun_*): the cost the
#    async workers measure themselves (thread CPU clock of each MIKEY verify + extract, RPC
#    mcsec.upload_cpu) during the upload run, i.e. in the same processes under the same load; for
#    reference (csk_tool_*) `build/mcsec bench crypto` (its output file as $1, or run here), which
#    ran minutes earlier: the same code's cost moves by up to 3x on this shared machine;
#  - fresh-upload REGISTER rate at zero failures: a SIPp UAC offers MCSEC_BENCH_CSK_UPLOADS (5000)
#    distinct fresh uploads at up to 2x the tool ceiling with at most 40 in flight; achieved rate
#    and its ratio to the ceiling (target >= 0.8), also Kamailio CPU per upload (async workers /
#    other processes) and the CPU-bound ratio, with the machine's busy share split into Kamailio,
#    the bench tools (SIPp peers, pinger) and the rest (other sessions);
#  - OPTIONS p99 latency during that saturation minus idle p99 (pooled from 6 s before and 6 s
#    after it; same pinger, same rate) (target <= 1 ms);
#  - cached refresh REGISTER (the same I_MESSAGE again) Kamailio CPU per request vs the plain
#    relay of a REGISTER with a multipart body at the same rate (target ratio <= 2).
# Kamailio runs with the memory manager of make run (MCSEC_MEM_MANAGER, default tlsf); measured
# parts start when the machine has been quiet for 2 s (at most MCSEC_BENCH_QUIET_WAIT s, 90).
# Kamailio CPU is utime+stime of all its processes (/proc/<pid>/stat). Shared machine: noisy.
#
# Load generator of the fresh-upload run (MCSEC_BENCH_LOADGEN): "sipload" (default) is
# tests/bench/sipload.c, a lean single-threaded C UAC + UAS (the UAC sends byte for byte what the
# SIPp scenario sends); "sipp" keeps the SIPp UAC/UAS. Why: on the 2-core bench VM the load
# generators share the cores with Kamailio, and SIPp's CPU per call (UAC + UAS 340-500 us per
# upload, sipload 180-250 us: csk_fresh_loadgen_cpu_us_per_upload) is not the proxy's cost but is
# taken from the proxy's cores, which pulls the rate/ceiling ratio down. The MCX stand-in counts the REGISTERs it
# received (csk_fresh_mcx_received, must equal csk_fresh_uploads_ok). The refresh/plain-relay
# comparison stays on SIPp (both sides with the same tool). Self-check of the generator (byte for
# byte vs SIPp, counts, garbage, failures): bash tests/bench/sipload-check.sh
set -uo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
cd "$TOP"
crypto_out="${1:-}"
if [ -z "$crypto_out" ] || [ ! -s "$crypto_out" ]; then
	crypto_out="$(mktemp)"
	timeout -k 5 300 build/mcsec bench crypto >"$crypto_out" || { echo "bench-csk: crypto bench failed" >&2; exit 1; }
fi
ev="$(sed -n 's/^eccsi_verify_us=//p' "$crypto_out")"
sd="$(sed -n 's/^sakke_decap_us=//p' "$crypto_out")"
cores="$(nproc)"
ceiling="$(/usr/bin/python3 -c "print('%.0f' % ($cores * 1e6 / ($ev + $sd)))")"
echo "csk_tool_crypto_us_per_upload=$(/usr/bin/python3 -c "print('%.1f' % ($ev + $sd))")"
echo "csk_tool_crypto_ceiling_per_s=$ceiling"

export IT_BASE="${IT_BASE:-$TOP/build/bench}"
export MCSEC_CHILDREN="${MCSEC_CHILDREN:-4}" MCSEC_DEBUG=1 KAM_SHM_MB=1024 KAM_PKG_MB=16
export MCSEC_ASYNC_WORKERS="${MCSEC_ASYNC_WORKERS:-$cores}"
# the SIPp UAS does not trace every message (harness CPU, not the proxy's)
export CSK_UAS_TRACE=0
# shellcheck source=tests/integration/lib.sh
. "$TOP/tests/integration/lib.sh"
# shellcheck source=tests/integration/csk_lib.sh
. "$TOP/tests/integration/csk_lib.sh"
it_init csk_bench >/dev/null 2>&1
csk_keys
csk_gen_build
loadgen="${MCSEC_BENCH_LOADGEN:-sipload}"
case "$loadgen" in
sipload)
	cc -std=gnu11 -O2 -Wall -Wextra "$TOP/tests/bench/sipload.c" -o "$IT_DIR/sipload" ||
		{ echo "bench-csk: sipload did not build" >&2; exit 1; }
	;;
sipp) ;;
*) echo "bench-csk: MCSEC_BENCH_LOADGEN must be sipload or sipp" >&2; exit 1 ;;
esac
echo "csk_fresh_loadgen=$loadgen"
# sipload: 0 = woken by every datagram (poll), else drain the socket every N us (nanosleep)
sl_tick="${MCSEC_BENCH_SIPLOAD_TICK_US:-0}"
[ "$loadgen" = sipload ] && echo "csk_fresh_sipload_tick_us=$sl_tick"
N="${MCSEC_BENCH_CSK_UPLOADS:-5000}"
csk_gen "$IT_DIR/fresh.csv" "$N"
# the memory manager of make run (scripts/run.sh: MCSEC_MEM_MANAGER, default tlsf); extra
# Kamailio arguments for experiments in MCSEC_BENCH_KAM_ARGS (e.g. -A 'MCSEC_ASYNC_SCHED="idle"')
mm="${MCSEC_MEM_MANAGER:-tlsf}"
echo "csk_mem_manager=$mm"
# shellcheck disable=SC2086
kam_start -x "$mm" -X "$mm" ${MCSEC_BENCH_KAM_ARGS:-} >&2 ||
	{ echo "bench-csk: kamailio did not start" >&2; exit 1; }

HZ="$(getconf CLK_TCK)"
# the machine is shared (other sessions' processes are invisible to ps but show in /proc/stat):
# busy and total ticks of all CPUs, to report how busy the machine was and to start the
# measured runs when it is quiet (at most MCSEC_BENCH_QUIET_WAIT seconds of waiting)
sys_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9; exit}' /proc/stat; }
busy_pct() { # "busy0 total0" "busy1 total1"
	set -- $1 $2
	/usr/bin/python3 -c "print('%.0f' % (100.0 * ($3 - $1) / max($4 - $2, 1)))"
}
wait_quiet() { # label
	local t0 a b p waited=0 max="${MCSEC_BENCH_QUIET_WAIT:-90}" lim="${MCSEC_BENCH_QUIET_PCT:-20}"
	t0="$(date +%s)"
	while :; do
		a="$(sys_ticks)"
		sleep 2
		b="$(sys_ticks)"
		p="$(busy_pct "$a" "$b")"
		waited=$(($(date +%s) - t0))
		[ "$p" -le "$lim" ] || [ "$waited" -ge "$max" ] && break
	done
	echo "csk_${1}_machine_busy_before_pct=$p"
	echo "csk_${1}_waited_for_quiet_s=$waited"
}
child_ticks() { # CPU of this script's reaped children (SIPp peers, pinger)
	local s
	s="$(cat /proc/$$/stat)"
	s="${s##*) }"
	# shellcheck disable=SC2086
	set -- $s
	echo $((${14} + ${15}))
}
ping() { # SECONDS PREFIX [RTT-FILE]: one OPTIONS every 5 ms
	/usr/bin/python3 "$TOP/tests/integration/options_ping.py" "127.0.0.1:$KAM_PORT" "$1" 5 "$2" ${3:+"$3"}
}
p99() { # RTT files... -> p99 in ms of all samples pooled (same rank rule as options_ping.py)
	cat "$@" | /usr/bin/python3 -c "
import sys
r = sorted(float(x) for x in sys.stdin if x.strip())
print('%.3f' % r[min(len(r) - 1, int(round(0.99 * len(r) + 0.5)) - 1)] if r else 'nan')"
}

# ---- OPTIONS idle: before and after the saturation run, pooled, so that the baseline sees the
# same (shared-machine) noise as the loaded run; the same tool, rate and message as under load
wait_quiet idle
ping 6 options_idle_before "$IT_DIR/rtt-idle-1.txt" | tee "$IT_DIR/ping-idle.txt"

# ---- fresh uploads at saturation, OPTIONS meanwhile
wait_quiet fresh
if [ "$loadgen" = sipload ]; then
	# the MCX stand-in: 200 to every request, count written at SIGTERM (a child of this script,
	# reaped below before child_ticks is read)
	"$IT_DIR/sipload" uas -p "$MCX_PORT" -c "$IT_DIR/mcx-received.txt" -i "$sl_tick" \
		2>"$IT_DIR/sipload-uas.err" &
	UAS_PID=$!
	IT_BG_PIDS+=("$UAS_PID")
	# the same scenario text as csk_uac gives SIPp
	sed -e "s|@METHOD@|REGISTER|g" -e "s|@CODE@|200|g" -e "s|@REASON@|OK|g" \
		"$SIPP_DIR/uac_csk_upload.xml" >"$IT_DIR/uac_csk_upload-REGISTER.xml"
	sleep 0.3
else
	csk_uas uas_plain.xml REGISTER -buff_size 4194304 -timeout 600s
fi
offered=$((2 * ceiling))
# the pinger runs for exactly the saturation run (stopped by a file when the UAC is done)
rm -f "$IT_DIR/sat-done"
OPTIONS_PING_STOP_FILE="$IT_DIR/sat-done" ping 300 options_saturated "$IT_DIR/rtt-sat.txt" >"$IT_DIR/ping-sat.txt" &
ping_pid=$!
IT_BG_PIDS+=("$ping_pid")
# the async task workers (core.psx descriptions), to split Kamailio's CPU between them and the
# SIP workers (+ timers, main)
apids="$(kam_rpc core.psx | awk '/PID:/{p=$2} /DSC:/ && /Async Task/{print p}')"
# shellcheck disable=SC2086
a0="$(pid_ticks $apids)"
w0=$(date +%s%6N)
k0="$(kam_ticks)"
s0="$(sys_ticks)"
c0="$(child_ticks)"
if [ "$loadgen" = sipload ]; then
	# same offer as the SIPp run: RATE, TOTAL, 40 in flight, 20 s per request; the whole run is
	# bounded by timeout(1) like SIPp's -timeout 300s
	(exec timeout -k 5 300 "$IT_DIR/sipload" uac -d "127.0.0.1:$KAM_PORT" -p "$UAC_PORT" \
		-f "$IT_DIR/fresh.csv" -t "$IT_DIR/uac_csk_upload-REGISTER.xml" -r "$offered" -m "$N" \
		-l 40 -T 20 -i "$sl_tick" >"$IT_DIR/sipload-uac.out" 2>"$IT_DIR/sipload-uac.err" </dev/null) &
	uac_pid=$!
	IT_BG_PIDS+=("$uac_pid")
	wait "$uac_pid"
else
	csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/fresh.csv" -r "$offered" -m "$N" -l 40 \
		-buff_size 4194304 -recv_timeout 20000 -timeout 300s
fi
w1=$(date +%s%6N)
k1="$(kam_ticks)"
# shellcheck disable=SC2086
a1="$(pid_ticks $apids)"
s1="$(sys_ticks)"
# reaped children so far: the UAC (c_uac - c0); then the pinger, then the UAS
c_uac="$(child_ticks)"
touch "$IT_DIR/sat-done"
wait "$ping_pid"
c_ping="$(child_ticks)"
cat "$IT_DIR/ping-sat.txt"
kill "$UAS_PID" 2>/dev/null
wait "$UAS_PID" 2>/dev/null
c1="$(child_ticks)"
# the async workers' scheduling class and niceness (ps: TS normal, B batch, IDL idle)
# shellcheck disable=SC2086
echo "csk_async_worker_sched=$(ps -o cls=,ni= -p "$(echo $apids | tr ' ' ,)" | awk '{print $1 "/" $2}' | sort -u | tr '\n' ' ' | sed 's/ $//')"
ping 6 options_idle_after "$IT_DIR/rtt-idle-2.txt" | tee -a "$IT_DIR/ping-idle.txt"
echo "options_idle_p99_ms=$(p99 "$IT_DIR/rtt-idle-1.txt" "$IT_DIR/rtt-idle-2.txt")" | tee -a "$IT_DIR/ping-idle.txt"
if [ "$loadgen" = sipload ]; then
	# sent=N ok=N failed=N retransmissions=N elapsed_us=N rate_per_s=N
	sum="$(cat "$IT_DIR/sipload-uac.out" 2>/dev/null)"
	ok="$(echo "$sum" | sed -n 's/.* ok=\([0-9]*\) .*/\1/p')"
	failed="$(echo "$sum" | sed -n 's/.* failed=\([0-9]*\) .*/\1/p')"
	echo "csk_fresh_uac_retransmissions=$(echo "$sum" | sed -n 's/.* retransmissions=\([0-9]*\) .*/\1/p')"
	[ -s "$IT_DIR/sipload-uac.err" ] && sed 's/^/bench-csk: /' "$IT_DIR/sipload-uac.err" | head -20 >&2
	mcx="$(cat "$IT_DIR/mcx-received.txt" 2>/dev/null)"
else
	out="$(ls "$IT_DIR"/sipp-uac-uac_csk_upload-*.out | head -1)"
	ok="$(sipp_count "$out" "Successful call")"
	failed="$(sipp_count "$out" "Failed call")"
	# REGISTER messages the SIPp UAS received (its statistics screen, written at exit)
	mcx="$(awk '$1 == "---------->" && $2 == "REGISTER" {print $3}' "$IT_DIR"/sipp-uas-uas_plain-REGISTER-*.out 2>/dev/null | tail -1)"
fi
ok="${ok:-0}"
failed="${failed:-nan}"
rate=$((ok * 1000000 / (w1 - w0)))
echo "csk_fresh_uploads_ok=$ok"
echo "csk_fresh_uploads_failed=$failed"
# every upload the UAC saw answered 200 was relayed once to the MCX stand-in, and nothing else
echo "csk_fresh_mcx_received=${mcx:-nan}"
[ "${mcx:-x}" = "$ok" ] ||
	echo "bench-csk: the MCX stand-in received ${mcx:-?} REGISTERs but the UAC got $ok 200s" >&2
echo "csk_fresh_upload_rate_per_s=$rate"
# The ceiling, cores / (eccsi_verify + sakke_decap), with the crypto cost measured where and
# when it ran: the async workers time each MIKEY verification + extraction (thread CPU clock,
# mcsec.upload_cpu) during this run. The same code's cost varies by up to 3x on this shared
# machine from one minute to the next (CPU contention from the other sessions), so a figure
# from `mcsec bench crypto` minutes earlier is printed for reference only (..._tool_...).
ucpu="$(kam_rpc mcsec.upload_cpu)"
xus="$(echo "$ucpu" | sed -n 's/^[[:space:]]*crypto_us_avg: \([0-9.]*\)$/\1/p')"
uus="$(echo "$ucpu" | sed -n 's/^[[:space:]]*upload_us_avg: \([0-9.]*\)$/\1/p')"
xn="$(echo "$ucpu" | sed -n 's/^[[:space:]]*fresh_uploads: \([0-9]*\)$/\1/p')"
inceil="$(/usr/bin/python3 -c "print('%.0f' % ($cores * 1e6 / max(float('${xus:-0}'), 1e-9)))")"
echo "csk_inrun_fresh_uploads=${xn:-0}"
echo "csk_inrun_crypto_us_per_upload=${xus:-nan}"
echo "csk_inrun_upload_call_us=${uus:-nan}"
echo "csk_inrun_crypto_ceiling_per_s=$inceil"
echo "csk_fresh_upload_rate_vs_ceiling=$(/usr/bin/python3 -c "print('%.2f' % ($rate / max($inceil, 1)))")"
echo "csk_fresh_upload_rate_vs_tool_ceiling=$(/usr/bin/python3 -c "print('%.2f' % ($rate / $ceiling))")"
# CPU-bound view (independent of what else runs on the machine): Kamailio CPU per fresh upload,
# and the rate its cores would give at that cost, against the crypto ceiling
fcpu="$(/usr/bin/python3 -c "print('%.1f' % (($k1 - $k0) * 1e6 / $HZ / max(${ok:-0}, 1)))")"
echo "csk_fresh_kamailio_cpu_us_per_upload=$fcpu"
# where it goes: the async workers (crypto + the rest of mcsec_csk_upload() + relaying the
# request) and the other processes (SIP workers: receive, cheap checks, hand-off, the reply)
echo "csk_fresh_async_workers_cpu_us_per_upload=$(/usr/bin/python3 -c "print('%.1f' % (($a1 - $a0) * 1e6 / $HZ / max(${ok:-0}, 1)))")"
echo "csk_fresh_other_procs_cpu_us_per_upload=$(/usr/bin/python3 -c "print('%.1f' % ((($k1 - $k0) - ($a1 - $a0)) * 1e6 / $HZ / max(${ok:-0}, 1)))")"
echo "csk_fresh_cpu_bound_rate_vs_ceiling=$(/usr/bin/python3 -c "print('%.2f' % ($cores * 1e6 / $fcpu / max($inceil, 1)))")"
# the whole machine (all sessions) and Kamailio's share of it during the saturation run
echo "csk_fresh_machine_busy_pct=$(busy_pct "$s0" "$s1")"
kpct="$(/usr/bin/python3 -c "print('%.0f' % (100.0 * ($k1 - $k0) / $HZ / (($w1 - $w0) / 1e6) / $cores))")"
tpct="$(/usr/bin/python3 -c "print('%.0f' % (100.0 * ($c1 - $c0) / $HZ / (($w1 - $w0) / 1e6) / $cores))")"
echo "csk_fresh_kamailio_cpu_pct=$kpct"
# the load generator (UAC + MCX stand-in) and the pinger (they share the 2 cores with Kamailio)
echo "csk_fresh_bench_tools_cpu_pct=$tpct"
# of which the load generator, per upload (UAC + UAS; CLK_TCK resolution)
echo "csk_fresh_loadgen_cpu_us_per_upload=$(/usr/bin/python3 -c "print('%.0f' % ((($c_uac - $c0) + ($c1 - $c_ping)) * 1e6 / $HZ / max(${ok:-0}, 1)))")"
echo "csk_fresh_pinger_cpu_pct=$(/usr/bin/python3 -c "print('%.1f' % (100.0 * ($c_ping - $c_uac) / $HZ / (($w1 - $w0) / 1e6) / $cores))")"
# what is left: other sessions on this machine
echo "csk_fresh_other_load_pct=$(($(busy_pct "$s0" "$s1") - kpct - tpct))"
echo "csk_load_average=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)"
idle99="$(sed -n 's/^options_idle_p99_ms=//p' "$IT_DIR/ping-idle.txt")"
sat99="$(sed -n 's/^options_saturated_p99_ms=//p' "$IT_DIR/ping-sat.txt")"
echo "csk_options_p99_added_ms=$(/usr/bin/python3 -c "print('%.3f' % ($sat99 - $idle99))")"
# the same pings timed up to the kernel's receive stamp of each answer (SO_TIMESTAMPNS): what the
# proxy took, without the time the pinger itself waited for a CPU once the answer had arrived
# (on the loaded 2 cores it competes with Kamailio and the load generator for them)
kidle99="$(p99 "$IT_DIR/rtt-idle-1.txt.kernel" "$IT_DIR/rtt-idle-2.txt.kernel")"
ksat99="$(p99 "$IT_DIR/rtt-sat.txt.kernel")"
echo "options_idle_kernel_p99_ms=$kidle99"
echo "options_saturated_kernel_p99_ms=$ksat99"
echo "csk_options_kernel_p99_added_ms=$(/usr/bin/python3 -c "print('%.3f' % ($ksat99 - $kidle99))")"

[ -n "${MCSEC_BENCH_CSK_FRESH_ONLY:-}" ] && exit 0

# ---- cached refresh vs plain relay, same rate and duration
R="${MCSEC_BENCH_CSK_REFRESH_RATE:-1000}"
S="${MCSEC_BENCH_CSK_REFRESH_SECONDS:-10}"
csk_upload "$IT_DIR/refresh" alice
csk_uas uas_plain.xml REGISTER -buff_size 4194304 -timeout 600s
# the first one is a fresh upload: outside the measured window
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/refresh.csv" -m 1 >/dev/null ||
	echo "bench-csk: first upload of the refresh run failed" >&2
hits0="$(csk_stat cache_hits)"
t0="$(kam_ticks)"
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/refresh.csv" -r "$R" -m "$((R * S))" \
	-l "$((R * 4))" -buff_size 4194304 -recv_timeout 5000 -timeout "$((S + 30))s"
t1="$(kam_ticks)"
hits=$(($(csk_stat cache_hits) - hits0))
echo "csk_refresh_requests=$hits"
cpu_refresh="$(/usr/bin/python3 -c "print('%.1f' % (($t1 - $t0) * 1e6 / $HZ / max($hits, 1)))")"
echo "csk_refresh_cpu_us_per_req=$cpu_refresh"
kill "$UAS_PID" 2>/dev/null
wait "$UAS_PID" 2>/dev/null

sipp_uas uas_register_bench.xml -buff_size 4194304 -timeout 600s
t0="$(kam_ticks)"
sipp_uac uac_register_multipart.xml -r "$R" -m "$((R * S))" -l "$((R * 4))" \
	-buff_size 4194304 -recv_timeout 5000 -timeout "$((S + 30))s"
t1="$(kam_ticks)"
pout="$IT_DIR/sipp-uac-uac_register_multipart.xml.out"
pok="$(sipp_count "$pout" "Successful call")"
cpu_plain="$(/usr/bin/python3 -c "print('%.1f' % (($t1 - $t0) * 1e6 / $HZ / max(${pok:-0}, 1)))")"
echo "csk_plain_relay_requests=${pok:-0}"
echo "csk_plain_relay_cpu_us_per_req=$cpu_plain"
echo "csk_refresh_vs_plain_cpu=$(/usr/bin/python3 -c "print('%.2f' % ($cpu_refresh / max($cpu_plain, 0.001)))")"
echo "csk_bench_rate=$R csk_bench_seconds=$S csk_bench_cores=$cores csk_async_workers=$MCSEC_ASYNC_WORKERS"
exit 0
