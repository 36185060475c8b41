#!/usr/bin/env bash
# CSK upload figures for make bench (called by scripts/bench.sh; name=value lines on stdout):
#  - crypto ceiling: cores / (eccsi_verify + sakke_decap), from `build/mcsec bench crypto`
#    (pass its output file as $1, or it is run here);
#  - fresh-upload REGISTER rate at zero failures: a SIPp UAC offers MCSEC_BENCH_CSK_UPLOADS (5000)
#    distinct fresh uploads at up to 2x the ceiling with at most 40 in flight; achieved rate and
#    its ratio to the ceiling (target >= 0.8);
#  - OPTIONS p99 latency idle and during that saturation, and the difference (target <= 1 ms);
#  - cached refresh REGISTER (the same I_MESSAGE again) Kamailio CPU per request vs the plain
#    relay of a REGISTER with a multipart body at the same rate (target ratio <= 2).
# Kamailio CPU is utime+stime of all its processes (/proc/<pid>/stat). Shared machine: noisy.
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
echo "csk_crypto_us_per_upload=$(/usr/bin/python3 -c "print('%.1f' % ($ev + $sd))")"
echo "csk_crypto_ceiling_per_s=$ceiling"

export IT_BASE="$TOP/build/bench"
export MCSEC_CHILDREN="${MCSEC_CHILDREN:-4}" MCSEC_DEBUG=1 KAM_SHM_MB=1024 KAM_PKG_MB=16
export MCSEC_ASYNC_WORKERS="${MCSEC_ASYNC_WORKERS:-$cores}"
# shellcheck source=tests/integration/lib.sh
. "$TOP/tests/integration/lib.sh"
# shellcheck source=tests/integration/csk_lib.sh
. "$TOP/tests/integration/csk_lib.sh"
it_init csk_bench >/dev/null 2>&1
csk_keys
csk_gen_build
N="${MCSEC_BENCH_CSK_UPLOADS:-5000}"
csk_gen "$IT_DIR/fresh.csv" "$N"
kam_start >&2 || { echo "bench-csk: kamailio did not start" >&2; exit 1; }

kam_ticks() {
	local t=0 p s
	for p in $(ps -o pid= -s "$KAM_PID" 2>/dev/null); do
		s="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
		s="${s##*) }"
		# shellcheck disable=SC2086
		set -- $s
		t=$((t + ${12} + ${13}))
	done
	echo "$t"
}
HZ="$(getconf CLK_TCK)"
ping() { /usr/bin/python3 "$TOP/tests/integration/options_ping.py" "127.0.0.1:$KAM_PORT" "$1" 5 "$2"; }

# ---- OPTIONS idle
ping 5 options_idle | tee "$IT_DIR/ping-idle.txt"

# ---- fresh uploads at saturation, OPTIONS meanwhile
csk_uas uas_plain.xml REGISTER -buff_size 4194304 -timeout 600s
offered=$((2 * ceiling))
ping_secs=$((N / (ceiling > 0 ? ceiling : 100) + 2))
ping "$ping_secs" options_saturated >"$IT_DIR/ping-sat.txt" &
ping_pid=$!
IT_BG_PIDS+=("$ping_pid")
w0=$(date +%s%6N)
k0="$(kam_ticks)"
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/fresh.csv" -r "$offered" -m "$N" -l 40 \
	-buff_size 4194304 -recv_timeout 20000 -timeout 300s
w1=$(date +%s%6N)
k1="$(kam_ticks)"
wait "$ping_pid"
cat "$IT_DIR/ping-sat.txt"
out="$(ls "$IT_DIR"/sipp-uac-uac_csk_upload-*.out | head -1)"
ok="$(sipp_count "$out" "Successful call")"
failed="$(sipp_count "$out" "Failed call")"
rate=$((ok * 1000000 / (w1 - w0)))
echo "csk_fresh_uploads_ok=$ok"
echo "csk_fresh_uploads_failed=$failed"
echo "csk_fresh_upload_rate_per_s=$rate"
echo "csk_fresh_upload_rate_vs_ceiling=$(/usr/bin/python3 -c "print('%.2f' % ($rate / $ceiling))")"
# CPU-bound view (independent of what else runs on the machine): Kamailio CPU per fresh upload,
# and the rate its cores would give at that cost, against the crypto ceiling
fcpu="$(/usr/bin/python3 -c "print('%.1f' % (($k1 - $k0) * 1e6 / $HZ / max(${ok:-0}, 1)))")"
echo "csk_fresh_kamailio_cpu_us_per_upload=$fcpu"
echo "csk_fresh_cpu_bound_rate_vs_ceiling=$(/usr/bin/python3 -c "print('%.2f' % ($cores * 1e6 / $fcpu / $ceiling))")"
echo "csk_load_average=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)"
idle99="$(sed -n 's/^options_idle_p99_ms=//p' "$IT_DIR/ping-idle.txt")"
sat99="$(sed -n 's/^options_saturated_p99_ms=//p' "$IT_DIR/ping-sat.txt")"
echo "csk_options_p99_added_ms=$(/usr/bin/python3 -c "print('%.3f' % ($sat99 - $idle99))")"
kill "$UAS_PID" 2>/dev/null
wait "$UAS_PID" 2>/dev/null

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
