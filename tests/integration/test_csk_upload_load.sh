#!/usr/bin/env bash
# While a SIPp UAC drives fresh CSK uploads above what the crypto can take (async workers busy),
# OPTIONS pings to the proxy keep being answered by the SIP workers: none lost, p99 latency
# printed (name=value lines on stdout for the closing note). Uploads are all answered 200 (SIPp
# retransmits while they queue). Bounded: a few seconds of load; at most MCSEC_LOAD_CONCURRENCY
# (default 40) uploads in flight keep the async workers saturated without a retransmission storm.
# MCSEC_LOAD_RATE / _SECONDS adjust.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
it_init csk_upload_load
export KAM_SHM_MB=512
csk_keys
csk_gen_build
rate="${MCSEC_LOAD_RATE:-1000}"
secs="${MCSEC_LOAD_SECONDS:-3}"
calls=$((rate * secs))
csk_gen "$IT_DIR/load.csv" "$calls"
kam_start || it_fail "kamailio did not start"

# baseline latency without load
/usr/bin/python3 "$IT_TOP/tests/integration/options_ping.py" "127.0.0.1:$KAM_PORT" 2 10 options_idle \
	>"$IT_DIR/ping-idle.txt" || it_fail "pinger (idle)"

csk_uas uas_plain.xml REGISTER -buff_size 4194304 -timeout 120s
/usr/bin/python3 "$IT_TOP/tests/integration/options_ping.py" "127.0.0.1:$KAM_PORT" "$((secs + 2))" 10 \
	options_load >"$IT_DIR/ping-load.txt" &
ping_pid=$!
IT_BG_PIDS+=("$ping_pid")
t0=$(date +%s%3N)
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/load.csv" -r "$rate" -m "$calls" -l "${MCSEC_LOAD_CONCURRENCY:-40}" \
	-buff_size 4194304 -recv_timeout 20000 -timeout 90s
uac_rc=$?
t1=$(date +%s%3N)
wait "$ping_pid" || it_fail "pinger (load)"
out="$(ls "$IT_DIR"/sipp-uac-uac_csk_upload-*.out | head -1)"
ok="$(sipp_count "$out" "Successful call")"
failed="$(sipp_count "$out" "Failed call")"
cat "$IT_DIR/ping-idle.txt" "$IT_DIR/ping-load.txt"
echo "csk_load_offered_rate=$rate"
echo "csk_load_uploads_ok=$ok"
echo "csk_load_uploads_failed=$failed"
echo "csk_load_achieved_rate=$((ok * 1000 / (t1 - t0 > 0 ? t1 - t0 : 1)))"
echo "csk_load_decapsulations=$(csk_stat decapsulations)"
sent="$(sed -n 's/^options_load_sent=//p' "$IT_DIR/ping-load.txt")"
answered="$(sed -n 's/^options_load_answered=//p' "$IT_DIR/ping-load.txt")"
[ "$uac_rc" = 0 ] && [ "$ok" = "$calls" ] || it_fail "uploads: $ok of $calls answered 200 (rc $uac_rc)"
[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$answered" = "$sent" ] || it_fail "OPTIONS lost under load: $answered of $sent"
[ "$(csk_stat decapsulations)" = "$calls" ] || it_fail "decapsulations != $calls"
it_log "PASS csk_upload_load"
