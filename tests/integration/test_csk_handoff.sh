#!/usr/bin/env bash
# CSK upload hand-off (mcsec_csk_handoff(), mcsec_in_worker(); cfg route CSK_UPLOAD): a fresh
# upload is passed from the SIP worker to an async worker, which runs request_route again,
# creates the transaction, verifies + decapsulates and relays:
#  1. a fresh REGISTER goes through the hand-off (mcsec.stats handoffs / handoff_runs) and the MCX
#     server (SIPp UAS) gets the plain body with Max-Forwards decremented once;
#  2. the same REGISTER (same octets: Via branch, Call-ID, CSeq) sent 3 times back to back and
#     again after the 200: every answer is that 200 (no 403 "replayed"), the MCX server receives
#     the request exactly once, one decapsulation; a refused upload's copies all get its 403;
#  3. with async_workers=0 the SIP worker uploads in place (handoff_failed counts the fallback).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
it_init csk_handoff
csk_keys
kam_start || it_fail "kamailio did not start"

stat_is() { # NAME VALUE
	local v
	v="$(csk_stat "$1")"
	[ "$v" = "$2" ] || it_fail "mcsec.stats $1 = '$v', expected $2"
}

# the request of uac_csk_upload.xml, byte for byte the same in every copy; sends it COPIES times
# back to back, then once more LATE seconds after the first answer; prints every status line
# received (for LATE + 1.5 s) as "CODE REASON"
send_copies() { # CSV COPIES LATE
	/usr/bin/python3 - "127.0.0.1:$KAM_PORT" "$1" "$2" "$3" <<'PY'
import socket, sys, time, uuid
dst, csv, copies, late = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
f = open(csv).read().splitlines()[1].split(";")
b64, xml, pai, frm = f[0], f[1], f[2], f[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
lport = s.getsockname()[1]
body = ("--mcsec-b1\r\nContent-Type: application/mikey\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b64 + "\r\n--mcsec-b1\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\n\r\n"
        + xml + "\r\n--mcsec-b1--\r\n").encode()
hdr = ("REGISTER sip:mcptt-server@example.org SIP/2.0\r\n"
       f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch=z9hG4bK{uuid.uuid4().hex}\r\n"
       "Max-Forwards: 70\r\n"
       f"From: <sip:{frm}>;tag={uuid.uuid4().hex[:8]}\r\n"
       f"To: <sip:{frm}>\r\n"
       f"P-Asserted-Identity: <sip:{pai}>\r\n"
       f"Call-ID: {uuid.uuid4().hex}@127.0.0.1\r\n"
       "CSeq: 1 REGISTER\r\n"
       f"Contact: <sip:{pai}@127.0.0.1:{lport}>\r\n"
       "Expires: 600\r\n"
       "Content-Type: multipart/mixed;boundary=mcsec-b1\r\n"
       f"Content-Length: {len(body)}\r\n\r\n").encode()
msg = hdr + body
for _ in range(copies):
    s.sendto(msg, (dst.split(":")[0], int(dst.split(":")[1])))
s.settimeout(0.1)
end = time.time() + 10
first = None
sent_late = False
while time.time() < end:
    if first is not None and not sent_late and time.time() >= first + late:
        s.sendto(msg, (dst.split(":")[0], int(dst.split(":")[1])))
        sent_late = True
        end = time.time() + 1.5
    try:
        data, _ = s.recvfrom(65535)
    except socket.timeout:
        continue
    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
    code = line.split(" ", 2)
    if len(code) >= 2 and code[1].isdigit() and int(code[1]) >= 200:
        print(" ".join(code[1:]))
        if first is None:
            first = time.time()
PY
}

# --- 1. a fresh upload through the hand-off
csk_upload "$IT_DIR/reg" alice
csk_uas uas_csk_upload.xml REGISTER -m 1
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/reg.csv" -m 1 || it_fail "fresh upload: no 200"
sipp_uas_wait || it_fail "UAS: the handed-off REGISTER was not as expected (plain body, Max-Forwards 69)"
stat_is handoffs 1
stat_is handoff_runs 1
stat_is handoff_failed 0
stat_is handoff_pending 0
stat_is decapsulations 1
. "$IT_DIR/reg.env"
kam_rpc mcsec.client sip:alice@example.org | grep -q "csk_id: $CSK_ID" || it_fail "alice's CSK-ID not bound"
kam_rpc mcsec.upload_cpu | grep -q "fresh_uploads: 1" || it_fail "mcsec.upload_cpu does not count it"
# the re-run happened in an async worker: its log line carries that process's pid
apids="$(kam_rpc core.psx | awk '/PID:/{p=$2} /DSC:/ && /Async Task/{print p}')"
[ -n "$apids" ] || it_fail "no async workers listed"
upid="$(grep "CSK upload: mcx-id sip:alice@example.org" "$IT_DIR/kamailio.log" | head -1 | sed -n 's/^ *[0-9]*(\([0-9]*\)).*/\1/p')"
echo "$apids" | grep -qx "$upid" || it_fail "the upload ran in pid '$upid', not in an async worker ($apids)"
# modparam async_nice (default 10) applies to the async worker doing the re-run
[ "$(ps -o ni= -p "$upid" | tr -d ' ')" = 10 ] || it_fail "async worker $upid not at nice 10"

# --- 2. retransmissions: 3 copies back to back, one 0.5 s after the 200
csk_upload "$IT_DIR/rtx" bob
rm -f "$IT_DIR/uas-messages.log"
csk_uas uas_csk_upload.xml REGISTER -m 5
h0="$(csk_stat handoffs)"
u0="$(csk_stat uploads_ok)"
c0="$(csk_stat cache_hits)"
send_copies "$IT_DIR/rtx.csv" 3 0.5 >"$IT_DIR/rtx.out" || it_fail "sender failed"
cat "$IT_DIR/rtx.out" >&2
sleep 0.5
[ -s "$IT_DIR/rtx.out" ] || it_fail "retransmissions: no final answer"
grep -v "^200 OK$" "$IT_DIR/rtx.out" && it_fail "retransmissions: an answer other than 200 OK"
[ "$(wc -l <"$IT_DIR/rtx.out")" -ge 2 ] || it_fail "the copy sent after the 200 was not answered with it"
[ "$(uas_received REGISTER)" = 1 ] || it_fail "the MCX server received the REGISTER $(uas_received REGISTER) times"
stat_is decapsulations 2
h1="$(csk_stat handoffs)"
it_log "retransmissions: $((h1 - h0)) of 4 copies handed off (the rest absorbed by tm in the SIP worker)"
[ $((h1 - h0)) -ge 1 ] || it_fail "no hand-off for the retransmitted upload"
stat_is handoff_failed 0
kam_rpc mcsec.stats | grep -q "replayed" && it_fail "a copy was refused as a replay"
# the copies handed off were absorbed by tm before the upload (t_newtran() first in the re-run):
# one upload, none of them taken for a refresh of the binding the first one made
[ "$(csk_stat uploads_ok)" = $((u0 + 1)) ] || it_fail "uploads_ok +$(($(csk_stat uploads_ok) - u0)) for one REGISTER"
[ "$(csk_stat cache_hits)" = "$c0" ] || it_fail "a copy was processed as a refresh"
. "$IT_DIR/rtx.env"
kam_rpc mcsec.client sip:bob@example.org | grep -q "csk_id: $CSK_ID" || it_fail "bob's CSK-ID not bound"

# a refused fresh upload (ECCSI signature broken) handed off: every copy gets the one 403
csk_upload "$IT_DIR/bad0" dave
/usr/bin/python3 - "$IT_DIR/bad0.csv" "$IT_DIR/bad.csv" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().splitlines()
f = lines[1].split(";")
b = bytearray(base64.b64decode(f[0]))
b[-1] ^= 1
f[0] = base64.b64encode(bytes(b)).decode()
open(sys.argv[2], "w").write(lines[0] + "\n" + ";".join(f) + "\n")
PY
f0="$(csk_stat uploads_failed)"
send_copies "$IT_DIR/bad.csv" 2 0.3 >"$IT_DIR/bad.out" || it_fail "sender failed"
cat "$IT_DIR/bad.out" >&2
[ "$(wc -l <"$IT_DIR/bad.out")" -ge 2 ] || it_fail "refused upload: not every copy answered"
grep -v "^403 .*signature" "$IT_DIR/bad.out" && it_fail "refused upload: an answer other than the 403"
[ "$(uas_received REGISTER)" = 1 ] || it_fail "the MCX server received the refused upload"
stat_is decapsulations 2
# verified once: the other copies were absorbed by the transaction, which resent the 403
[ "$(csk_stat uploads_failed)" = $((f0 + 1)) ] || it_fail "refused upload: $(($(csk_stat uploads_failed) - f0)) verifications for one REGISTER"
grep -q "Failed regexp" "$IT_DIR"/uas-*_errors.log 2>/dev/null && it_fail "UAS: a forwarded REGISTER was not as expected"
kill "$UAS_PID" 2>/dev/null
wait "$UAS_PID" 2>/dev/null
kam_stop
mv "$IT_DIR/kamailio.log" "$IT_DIR/kamailio-1.log"

# --- 3. no async workers: the SIP worker does the upload itself
MCSEC_ASYNC_WORKERS=0 kam_start || it_fail "kamailio with async_workers=0 did not start"
kam_rpc core.psx | grep -q "Async Task" && it_fail "async workers running with async_workers=0"
csk_upload "$IT_DIR/fb" carol
csk_uas uas_csk_upload.xml REGISTER -m 1
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/fb.csv" -m 1 || it_fail "fallback: no 200"
sipp_uas_wait || it_fail "UAS: the REGISTER uploaded in place was not as expected"
stat_is handoffs 0
stat_is handoff_failed 1
stat_is decapsulations 1
. "$IT_DIR/fb.env"
kam_rpc mcsec.client sip:carol@example.org | grep -q "csk_id: $CSK_ID" || it_fail "carol's CSK-ID not bound"
grep -q "no async workers" "$IT_DIR/kamailio.log" || it_fail "the fallback was not logged"
it_log "PASS csk_handoff"
