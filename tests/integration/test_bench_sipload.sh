#!/usr/bin/env bash
# The bench's load generator (tests/bench/sipload.c) checked like the code it measures: byte for
# byte the request SIPp sends for the CSK upload scenario, every request answered and counted,
# garbage survived, failures counted (tests/bench/sipload-check.sh). SIPp must be there: a
# skipped comparison fails here.
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(bash "$TOP/tests/bench/sipload-check.sh" 2>&1)"
rc=$?
echo "$out"
if [ "$rc" != 0 ] || echo "$out" | grep -q '^SKIP'; then
	echo "FAIL: sipload self-check (rc $rc)"
	exit 1
fi
exit 0
