#!/usr/bin/env bash
# make test: build everything, then run every test and print one line per test:
#   unit tests (build/tests/test_*), the same under ASan+UBSan (build/asan/tests/test_*),
#   tool-level scripts (tests/tool/*.sh), each libFuzzer target for a short bounded time,
#   integration tests (tests/integration/test_*.sh: real Kamailio + SIPp on loopback).
# Ends with exactly one line "N passed, N failed"; exits non-zero on any failure.
# Optional argument: a substring filter on test names (e.g. `scripts/run-tests.sh integration`).
set -uo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
cd "$TOP"
FILTER="${1:-}"
# per-run directories, so concurrent runs in one working tree do not touch each other
LOGDIR="$TOP/build/test-logs/run.$$"
RUNS="$TOP/build/test-runs"
export IT_BASE="$RUNS/run.$$"
# leftovers of earlier runs whose runner is gone (interrupted): stop their processes, remove them
for d in "$RUNS"/* "$TOP"/build/test-logs/*; do
	[ -e "$d" ] || continue
	case "$d" in */run.[0-9]*) pid="${d##*.}" ;; *) pid="" ;; esac
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then continue; fi
	[ -d "$d" ] && bash "$TOP/tests/integration/reap.sh" "$d" >/dev/null 2>&1
	rm -rf "$d"
done
mkdir -p "$LOGDIR" "$IT_BASE"
ln -sfn "run.$$" "$TOP/build/test-logs/latest"
JOBS="$(nproc 2>/dev/null || echo 2)"
UNIT_TIMEOUT="${MCSEC_UNIT_TIMEOUT:-600}"

npass=0
nfail=0
failed=()

want() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

result() { # name rc logfile
	if [ "$2" -eq 0 ]; then
		npass=$((npass + 1))
		echo "PASS $1"
	else
		nfail=$((nfail + 1))
		failed+=("$1")
		echo "FAIL $1 (exit $2, log: ${3#"$TOP"/})"
		if [ -s "$3" ]; then
			tail -n 40 "$3" | sed 's/^/    | /'
		fi
	fi
}

run_logged() { # name logfile cmd...
	local name="$1" log="$2"
	shift 2
	"$@" >"$log" 2>&1 </dev/null
	result "$name" $? "$log"
}

# ---------- build ----------
M=(make --no-print-directory -C modules/mcsec -k -j"$JOBS")
run_logged "build/lib+tool" "$LOGDIR/build-lib-tool.log" "${M[@]}" lib tool
# test binaries: a failure here shows up as "<test> (build)" failures below
"${M[@]}" unit asan fuzz >"$LOGDIR/build-tests.log" 2>&1
run_logged "build/module" "$LOGDIR/build-module.log" make --no-print-directory module
# Kamailio's .clang-format on every C file of the module and the tests
if want "format-check"; then
	run_logged "format-check" "$LOGDIR/format-check.log" scripts/format-check.sh
fi

# a target counts as built only if make considers it up to date now (no stale binaries)
up_to_date() { make --no-print-directory -C modules/mcsec -q "$1" >/dev/null 2>&1; }

sanitize_env=(
	ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:halt_on_error=1"
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
)

# ---------- unit tests (plain, then ASan+UBSan) ----------
for variant in unit asan; do
	for src in tests/unit/test_*.c; do
		[ -e "$src" ] || continue
		t="$(basename "$src" .c)"
		if [ "$variant" = unit ]; then bin="build/tests/$t"; else bin="build/asan/tests/$t"; fi
		name="$variant/$t"
		want "$name" || continue
		log="$LOGDIR/$variant-$t.log"
		if ! up_to_date "$TOP/$bin"; then
			grep -E "(error|Error|undefined reference)" "$LOGDIR/build-tests.log" >"$log" 2>/dev/null
			result "$name (build)" 1 "$log"
			continue
		fi
		run_logged "$name" "$log" env "${sanitize_env[@]}" timeout -k 5 "$UNIT_TIMEOUT" "$bin"
	done
done

# ---------- tool-level scripts ----------
export MCSEC="build/mcsec"
for s in tests/tool/*.sh; do
	[ -e "$s" ] || continue
	name="tool/$(basename "$s" .sh)"
	want "$name" || continue
	run_logged "$name" "$LOGDIR/tool-$(basename "$s" .sh).log" timeout -k 5 600 bash "$s"
done

# ---------- fuzzers: short bounded runs on a copy of the seed corpus ----------
fuzzers=()
for src in tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	fuzzers+=("$(basename "$src" .c)")
done
if [ "${#fuzzers[@]}" -gt 0 ]; then
	# at most ~3 minutes of fuzzing in total, 20 s per target at most, 5 s at least
	per=$((180 / ${#fuzzers[@]}))
	[ "$per" -gt 20 ] && per=20
	[ "$per" -lt 5 ] && per=5
	per="${MCSEC_FUZZ_SECONDS:-$per}"
	for f in "${fuzzers[@]}"; do
		name="fuzz/$f"
		want "$name" || continue
		log="$LOGDIR/fuzz-$f.log"
		if ! up_to_date "$TOP/build/fuzz/$f"; then
			grep -E "(error|Error|undefined reference)" "$LOGDIR/build-tests.log" >"$log" 2>/dev/null
			result "$name (build)" 1 "$log"
			continue
		fi
		work="$(mktemp -d "${TMPDIR:-/tmp}/mcsec-fuzz.XXXXXX")"
		mkdir -p "$work/corpus" "$work/artifacts"
		seed="tests/fuzz/corpus/${f#fuzz_}"
		if [ -d "$seed" ]; then cp -a "$seed/." "$work/corpus/"; fi
		run_logged "$name" "$log" timeout -k 10 $((per + 60)) "build/fuzz/$f" \
			-max_total_time="$per" -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix="$work/artifacts/" "$work/corpus"
		if [ -n "$(ls -A "$work/artifacts" 2>/dev/null)" ]; then
			mkdir -p "$LOGDIR/fuzz-artifacts-$f"
			cp -a "$work/artifacts/." "$LOGDIR/fuzz-artifacts-$f/"
			echo "    reproducer(s): ${LOGDIR#"$TOP"/}/fuzz-artifacts-$f/ (run: build/fuzz/$f FILE)"
		fi
		rm -rf "$work"
	done
fi

# ---------- integration tests: real Kamailio + SIPp on loopback ----------
for s in tests/integration/test_*.sh; do
	[ -e "$s" ] || continue
	name="integration/$(basename "$s" .sh)"
	want "$name" || continue
	run_logged "$name" "$LOGDIR/integration-$(basename "$s" .sh).log" \
		timeout -k 10 300 bash "$s"
done
# safety net: nothing started by a test may survive it
reaped="$(bash "$TOP/tests/integration/reap.sh" "$IT_BASE" 2>&1)"
if [ -n "$reaped" ]; then
	echo "$reaped" >"$LOGDIR/reap.log"
	result "integration/no-leftover-processes" 1 "$LOGDIR/reap.log"
fi

if [ "${#failed[@]}" -gt 0 ]; then
	echo "failed: ${failed[*]}"
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
