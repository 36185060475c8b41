#!/usr/bin/env bash
# Self-check of tests/bench/sipload.c (the bench's load generator); make test runs it through
# tests/integration/test_bench_sipload.sh, or by hand:
#   bash tests/bench/sipload-check.sh
#  1. the UAC sends byte for byte what SIPp sends for tests/sipp/uac_csk_upload.xml (3 requests
#     over a 2-record CSV, so the records wrap; pid and local port normalised);
#  2. UAC -> UAS: 2000 requests all answered 200, exit 0, the UAS counts exactly 2000;
#  3. the UAS survives garbage and truncated requests and answers only complete ones;
#  4. the UAC counts a non-200 final response and a missing one (timeout) as failures, exit 1.
# Loopback only; every process is stopped by its own pid. Prints PASS/FAIL lines.
set -uo pipefail
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
W="$(mktemp -d "${TMPDIR:-/tmp}/sipload-check.XXXXXX")"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	# kept for inspection when something failed
	if [ "$fails" = 0 ]; then rm -rf "$W"; else echo "sipload-check: files in $W"; fi
}
fails=0
trap cleanup EXIT
pass() { echo "PASS: $*"; }
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# capture N distinct requests (by Call-ID, in call order) on a port into a file, answer 200
capture() { # PORT FILE N
	/usr/bin/python3 - "$@" <<'PY' &
import re, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(3)
seen = {}
try:
    while len(seen) < int(sys.argv[3]):
        d, a = s.recvfrom(65535)
        m = re.search(rb"Call-ID: (\d+)-", d)
        if m:
            seen.setdefault(int(m.group(1)), d)
            # 200 OK so that the sender's call ends at once
            hdrs = [l for l in d.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]
                    if l.split(b":")[0] in (b"Via", b"From", b"To", b"Call-ID", b"CSeq")]
            s.sendto(b"SIP/2.0 200 OK\r\n" + b"\r\n".join(hdrs) + b"\r\nContent-Length: 0\r\n\r\n", a)
except socket.timeout:
    pass
open(sys.argv[2], "wb").write(b"\0".join(seen[k] for k in sorted(seen)))
PY
	CAP_PID=$!
	PIDS+=("$CAP_PID")
	sleep 0.3
}

cc -std=gnu11 -O2 -Wall -Wextra -Werror "$TOP/tests/bench/sipload.c" -o "$W/sipload" ||
	{ echo "FAIL: sipload does not build without warnings"; exit 1; }
sed -e "s|@METHOD@|REGISTER|g" -e "s|@CODE@|200|g" -e "s|@REASON@|OK|g" \
	"$TOP/tests/sipp/uac_csk_upload.xml" >"$W/scen.xml"
# two records in the csk_gen layout (b64;xml;pai-user;token;from-user), fields of realistic size
{
	echo "SEQUENTIAL"
	for u in alice bob; do
		printf '%s;<?xml version="1.0"?> <mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><x a="[b]">%s</x></mcpttinfo> ;%s@example.org;ACCESS-TOKEN-%s;%s@example.org\n' \
			"$(head -c 900 /dev/urandom | base64 -w0)" "$(head -c 600 /dev/urandom | base64 -w0)" "$u" "$u" "$u"
	done
} >"$W/in.csv"

# 1. byte for byte against SIPp
if command -v sipp >/dev/null; then
	P="$(port)"
	SP="$(port)"
	LP="$(port)"
	capture "$P" "$W/sipp.bin" 3
	(cd "$W" && exec sipp "127.0.0.1:$P" -sf "$W/scen.xml" -i 127.0.0.1 -p "$SP" -inf "$W/in.csv" \
		-m 3 -r 100 -nostdin -timeout 2s >/dev/null 2>&1)
	wait "$CAP_PID"
	capture "$P" "$W/sl.bin" 3
	"$W/sipload" uac -d "127.0.0.1:$P" -p "$LP" -f "$W/in.csv" -t "$W/scen.xml" -r 100 -m 3 -l 3 \
		-T 1 >/dev/null 2>&1
	wait "$CAP_PID"
	if /usr/bin/python3 - "$W/sipp.bin" "$W/sl.bin" "$SP" "$LP" <<'PY'; then
import re, sys
a = open(sys.argv[1], "rb").read()
b = open(sys.argv[2], "rb").read()
pa = re.search(rb"tag=(\d+)SIPp", a).group(1)
pb = re.search(rb"tag=(\d+)SIPp", b).group(1)
b = b.replace(pb, pa).replace(b":" + sys.argv[4].encode(), b":" + sys.argv[3].encode())
sys.exit(0 if a == b and a.count(b"\0") == 2 else 1)
PY
		pass "3 requests byte for byte as SIPp sends them (pid, local port normalised)"
	else
		fail "requests differ from SIPp's (see $W/sipp.bin, $W/sl.bin)"
	fi
else
	echo "SKIP: sipp not installed (byte-for-byte comparison)"
fi

# 2. UAC -> UAS
UP="$(port)"
"$W/sipload" uas -p "$UP" -c "$W/count.txt" 2>/dev/null &
UAS=$!
PIDS+=("$UAS")
sleep 0.2
out="$("$W/sipload" uac -d "127.0.0.1:$UP" -p "$(port)" -f "$W/in.csv" -t "$W/scen.xml" -r 4000 \
	-m 2000 -l 40 2>&1)"
rc=$?
case "$out" in
*"sent=2000 ok=2000 failed=0 "*) [ "$rc" = 0 ] && pass "UAC -> UAS: $out" || fail "rc $rc: $out" ;;
*) fail "UAC -> UAS: rc $rc: $out" ;;
esac

# 3. garbage to the UAS: it answers only the complete request (and keeps running)
n="$(/usr/bin/python3 - "$UP" <<'PY'
import os, random, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(0.5)
full = (b"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK1\r\n"
        b"From: <sip:a@x>;tag=1\r\nt: <sip:b@x>\r\nCall-ID: c1\r\nCSeq: 2 OPTIONS\r\n\r\n")
msgs = [b"", b"SIP/2.0 200 OK\r\n\r\n", b"ACK sip:x SIP/2.0\r\n\r\n"]
msgs += [os.urandom(random.randint(1, 3000)) for _ in range(500)]
msgs += [full[:k] for k in range(len(full) - 1)]
msgs.append(full)
for m in msgs:
    s.sendto(m, ("127.0.0.1", int(sys.argv[1])))
got = []
try:
    while True:
        got.append(s.recv(65535))
except socket.timeout:
    pass
ok = len(got) == 1 and got[0].startswith(b"SIP/2.0 200 OK\r\n") and b"t: <sip:b@x>;tag=" in got[0] \
    and b"Call-ID: c1\r\n" in got[0] and got[0].endswith(b"Content-Length: 0\r\n\r\n")
print(len(got) if ok else "bad: %r" % got[:2])
PY
)"
[ "$n" = 1 ] && pass "UAS: garbage and truncated requests ignored, the complete one answered" ||
	fail "UAS garbage: $n"
kill -TERM "$UAS"
wait "$UAS"
c="$(cat "$W/count.txt" 2>/dev/null)"
[ "$c" = 2001 ] && pass "UAS counted 2001 requests (2000 + 1)" || fail "UAS count '$c' (want 2001)"

# 4. failures: 488 for odd calls, nothing for even ones
FP="$(port)"
/usr/bin/python3 - "$FP" <<'PY' &
import re, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(4)
try:
    while True:
        d, a = s.recvfrom(65535)
        cid = re.search(rb"Call-ID: (\S+)", d).group(1)
        s.sendto(b"garbage", a)
        s.sendto(b"SIP/2.0 100 Trying\r\nCall-ID: " + cid + b"\r\nCSeq: 1 REGISTER\r\n\r\n", a)
        if int(cid.split(b"-")[0]) % 2:
            s.sendto(b"SIP/2.0 488 Not Acceptable Here\r\nCall-ID: " + cid + b"\r\nCSeq: 1 REGISTER\r\n\r\n", a)
except socket.timeout:
    pass
PY
FPID=$!
PIDS+=("$FPID")
sleep 0.3
out="$("$W/sipload" uac -d "127.0.0.1:$FP" -p "$(port)" -f "$W/in.csv" -t "$W/scen.xml" -r 100 \
	-m 6 -l 6 -T 1 2>/dev/null)"
rc=$?
case "$out" in
*"sent=6 ok=0 failed=6 "*) [ "$rc" = 1 ] && pass "UAC: 488 and timeouts are failures, exit 1" || fail "rc $rc: $out" ;;
*) fail "UAC failures: rc $rc: $out" ;;
esac
wait "$FPID" 2>/dev/null

[ "$fails" = 0 ] && echo "sipload-check: all passed" || echo "sipload-check: $fails failed"
[ "$fails" = 0 ]
