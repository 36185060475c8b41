# shellcheck shell=bash
# Helpers for the integration tests: free loopback ports, a real Kamailio with the CS proxy config
# and SIPp peers. Every process started here is stopped by its own pid in an EXIT trap, also when
# the test fails. Usage in a test:
#   . "$(dirname "$0")/lib.sh"; it_init NAME; kam_start; sipp_uas uas.xml; sipp_uac uac.xml ...
set -uo pipefail
IT_TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export MCSEC_TOP="$IT_TOP"
# shellcheck source=scripts/env.sh
. "$IT_TOP/scripts/env.sh"
SIPP_DIR="$IT_TOP/tests/sipp"
IT_BG_PIDS=()
KAM_PID=""

it_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
it_fail() {
	it_log "FAIL: $*"
	exit 1
}

# one free UDP port on 127.0.0.1 (also free for TCP, so Kamailio/SIPp can bind either)
free_port() {
	/usr/bin/python3 - <<'PY'
import socket
for _ in range(200):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        u.close(); t.close(); continue
    u.close(); t.close()
    print(port)
    break
PY
}

it_init() { # test name
	IT_NAME="$1"
	local base="${IT_BASE:-$IT_TOP/build/test-runs}"
	mkdir -p "$base"
	IT_DIR="$(mktemp -d "$base/$IT_NAME.XXXXXX")"
	trap it_cleanup EXIT
	trap 'exit 130' INT TERM
	KAM_PORT="$(free_port)"
	MCX_PORT="$(free_port)"
	UAC_PORT="$(free_port)"
	while [ "$MCX_PORT" = "$KAM_PORT" ]; do MCX_PORT="$(free_port)"; done
	while [ "$UAC_PORT" = "$KAM_PORT" ] || [ "$UAC_PORT" = "$MCX_PORT" ]; do UAC_PORT="$(free_port)"; done
	export MCSEC_LISTEN="udp:127.0.0.1:$KAM_PORT"
	export MCSEC_MCX_SERVER="127.0.0.1:$MCX_PORT"
	export MCSEC_STATE_DIR="$IT_DIR/state"
	export MCSEC_CTL="unix:$IT_DIR/state/run/ctl.sock"
	export MCSEC_CHILDREN="${MCSEC_CHILDREN:-2}"
	it_log "$IT_NAME: kamailio 127.0.0.1:$KAM_PORT, MCX (UAS) 127.0.0.1:$MCX_PORT, UAC 127.0.0.1:$UAC_PORT, dir $IT_DIR"
}

# stop Kamailio by its main pid (SIGTERM: the main process stops its children), wait for it
kam_stop() {
	[ -n "$KAM_PID" ] || return 0
	local pid="$KAM_PID" i
	KAM_PID=""
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	wait "$pid" 2>/dev/null
	# fallback: the session we started it in (setsid: pgid == pid)
	if pgrep -s "$pid" >/dev/null 2>&1; then
		kill -TERM -- "-$pid" 2>/dev/null
		sleep 1
		kill -KILL -- "-$pid" 2>/dev/null
	fi
	return 0
}

it_cleanup() {
	local rc=$? p
	for p in "${IT_BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${IT_BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	kam_stop
	if [ "$rc" -ne 0 ] && [ -n "${IT_DIR:-}" ]; then
		it_log "logs in $IT_DIR"
		tail -n 30 "$IT_DIR/kamailio.log" 2>/dev/null | sed 's/^/    kamailio| /' >&2
		for f in "$IT_DIR"/*_errors.log "$IT_DIR"/sipp-*.out; do
			[ -s "$f" ] && tail -n 30 "$f" | sed "s/^/    $(basename "$f")| /" >&2
		done
	fi
	exit "$rc"
}

# start Kamailio with the CS proxy config; extra args are passed to kamailio
kam_start() {
	mcsec_env || it_fail "bad environment"
	local i
	setsid /usr/sbin/kamailio -f "${KAM_CFG:-$IT_TOP/cfg/kamailio-cs-proxy.cfg}" -DD -E \
		-P "$KAM_PIDFILE" -Y "$KAM_RUNDIR" -m "${KAM_SHM_MB:-256}" -M "${KAM_PKG_MB:-16}" \
		"${KAM_DEFINES[@]}" "$@" >"$IT_DIR/kamailio.log" 2>&1 </dev/null &
	KAM_PID=$!
	for i in $(seq 1 100); do
		if ! kill -0 "$KAM_PID" 2>/dev/null; then
			wait "$KAM_PID" 2>/dev/null
			KAM_EXIT=$?
			KAM_PID=""
			return 1
		fi
		if kamcmd -s "$MCSEC_CTL" core.version >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	it_fail "kamailio did not become ready"
}

kam_rpc() { kamcmd -s "$MCSEC_CTL" "$@"; }

# SIPp UAS as the MCX server, in the background (killed in cleanup); $1 scenario, rest extra args
sipp_uas() {
	local sc="$1"
	shift
	(cd "$IT_DIR" && exec sipp -sf "$SIPP_DIR/$sc" -i 127.0.0.1 -p "$MCX_PORT" -nostdin \
		-trace_err -error_file "$IT_DIR/uas-${sc}_errors.log" -timeout 60s -timeout_error \
		"$@" >"$IT_DIR/sipp-uas-$sc.out" 2>&1 </dev/null) &
	UAS_PID=$!
	IT_BG_PIDS+=("$UAS_PID")
	sleep 0.3
}

# wait for the UAS to finish its calls; returns its exit status
sipp_uas_wait() {
	local rc
	wait "$UAS_PID"
	rc=$?
	return "$rc"
}

# SIPp UAC towards Kamailio in the foreground; returns SIPp's exit status
sipp_uac() {
	local sc="$1"
	shift
	(cd "$IT_DIR" && exec sipp "127.0.0.1:$KAM_PORT" -sf "$SIPP_DIR/$sc" -i 127.0.0.1 \
		-p "$UAC_PORT" -nostdin -trace_err -error_file "$IT_DIR/uac-${sc}_errors.log" \
		-timeout 30s -timeout_error "$@" >"$IT_DIR/sipp-uac-$sc.out" 2>&1 </dev/null) &
	local pid=$!
	IT_BG_PIDS+=("$pid")
	wait "$pid"
}

# CPU ticks (utime+stime, CLK_TCK units) of the given processes, for the bench scripts
pid_ticks() { # PIDS...
	local t=0 p s
	for p in "$@"; do
		s="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
		s="${s##*) }"
		# shellcheck disable=SC2086
		set -- $s
		t=$((t + ${12} + ${13}))
	done
	echo "$t"
}
# ... of the Kamailio started by kam_start: its main process and children (its session)
kam_ticks() {
	# shellcheck disable=SC2046
	pid_ticks $(ps -o pid= -s "$KAM_PID" 2>/dev/null)
}
