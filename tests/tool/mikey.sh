#!/bin/sh
# mcsec mikey decode / extract / build (DESIGN.md section 5): the fixed
# vectors of tests/vectors/mikey (old captures: --at / --no-time-check),
# every rejection class the tool reports, and build -> decode -> extract
# round trips with a fresh test KMS from `mcsec kms`.
# Run from the repo top with MCSEC=build/mcsec.
set -u
MCSEC=${MCSEC:-build/mcsec}
V=tests/vectors/mikey
T0=3900000000
KEY=2b7e151628aed2a6abf7158809cf4f3c
fail=0
W=$(mktemp -d "${TMPDIR:-/tmp}/mcsec-mikey.XXXXXX")
trap 'rm -rf "$W"' EXIT

check() { # name expected actual
	if [ "$2" != "$3" ]; then
		printf 'FAIL %s:\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3" >&2
		fail=1
	fi
}
has() { # name pattern text
	if ! printf '%s\n' "$3" | grep -q -- "$2"; then
		printf 'FAIL %s: no [%s] in:\n%s\n' "$1" "$2" "$3" >&2
		fail=1
	fi
}
rejects() { # name stderr-pattern args...
	n=$1
	p=$2
	shift 2
	err=$("$MCSEC" mikey "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "FAIL $n: exit 0" >&2
		fail=1
	fi
	has "$n" "$p" "$err"
}
CERTS="--cert $V/kms-cert.xml --cert $V/kms2-cert.xml"

# ---- extract: fixed vectors ----
out=$("$MCSEC" mikey extract $CERTS --keyset $V/server-keyset.xml \
	--at $((T0 + 10)) $V/csk-upload-hidden.b64) || { echo "FAIL csk exit" >&2; fail=1; }
check "csk upload, hidden identities" "key=$KEY
key-id=2a5a5a01
key-type=CSK
rand=00112233445566778899aabbccddeeff
initiator=1ea0a600ac202aecdb4f8e8cf8edd9d1d3fad8b7a8812fb947682eb6d3fb494d
responder=sip:mcptt-server@example.org
time=$T0
initiator-bound=0
kms-initiator=kms.example.org
kms-responder=kms.example.org" "$out"

out=$("$MCSEC" mikey extract $CERTS --keyset $V/server-keyset.xml \
	--initiator-uri sip:alice@example.org --at $T0 --expect CSK \
	<$V/csk-upload-hidden.b64) || { echo "FAIL csk bound exit" >&2; fail=1; }
has "bound initiator" "^initiator=sip:alice@example.org$" "$out"
has "bound flag" "^initiator-bound=1$" "$out"

out=$("$MCSEC" mikey extract $CERTS --keyset $V/bob-keyset.xml \
	--no-time-check $V/gmk-partner.bin) || { echo "FAIL gmk exit" >&2; fail=1; }
check "gmk to a partner domain, key parameters" "key=$KEY
key-id=0a5a5a02
key-type=GMK
rand=00112233445566778899aabbccddeeff
initiator=sip:alice@example.org
responder=sip:bob@partner.example.net
guk-id=0208d53c
time=$T0
kms-initiator=kms.example.org
kms-responder=kms.partner.example.net
kp-msg-type=0x43
kp-date-time=1691011200
kp-algorithm=1
kp-dppk-id=0208d53c
kp-key-type=GMK
kp-status=0x00000001
kp-revoked=0
kp-shared-with-gateway=0
kp-activation=1690000000
kp-activation-utc=2023-07-22T04:26:40Z
kp-expiry=1700000000
kp-expiry-utc=2023-11-14T22:13:20Z
kp-text=Group A key
kp-group-count=1
kp-group=sip:group-a@example.org" "$out"

out=$("$MCSEC" mikey extract --cert $V/kms-cert.xml --keyset $V/server-keyset.xml \
	--at $T0 $V/pck-sdp.txt | sed -n 's/^\(key\|key-id\|key-type\)=/&/p')
check "pck, SDP key-mgmt form" "key=$KEY
key-id=1a5a5a03
key-type=PCK" "$out"

# ---- extract: rejections ----
rejects "stale" "stale timestamp" extract $CERTS --keyset $V/server-keyset.xml $V/pck-sdp.txt
rejects "window" "stale timestamp" extract $CERTS --keyset $V/server-keyset.xml \
	--at $((T0 + 301)) $V/pck-sdp.txt
rejects "not for us" "not addressed to us" extract $CERTS --keyset $V/bob-keyset.xml \
	--at $T0 $V/pck-sdp.txt
rejects "unknown initiator KMS" "unknown KMS" extract --cert $V/kms2-cert.xml \
	--keyset $V/bob-keyset.xml --at $T0 $V/gmk-partner.bin
rejects "wrong purpose" "wrong key purpose" extract $CERTS --keyset $V/server-keyset.xml \
	--at $T0 --expect CSK $V/pck-sdp.txt
rejects "identity mismatch" "identity mismatch" extract $CERTS \
	--keyset $V/server-keyset.xml --at $T0 --initiator-uri sip:mallory@example.org \
	$V/csk-upload-hidden.b64
# one flipped bit in the signature's s
base64 -d $V/csk-upload-hidden.b64 >"$W/csk.bin"
len=$(wc -c <"$W/csk.bin")
cp "$W/csk.bin" "$W/bad.bin"
printf '\001' | dd of="$W/bad.bin" bs=1 seek=$((len - 80)) conv=notrunc 2>/dev/null
cmp -s "$W/csk.bin" "$W/bad.bin" && { echo "FAIL: tamper did nothing" >&2; fail=1; }
rejects "bad signature" "bad signature" extract $CERTS --keyset $V/server-keyset.xml \
	--at $T0 "$W/bad.bin"
head -c 200 "$W/csk.bin" >"$W/trunc.bin"
rejects "truncated" "malformed input.*at offset" decode "$W/trunc.bin"
echo "not mikey at all" >"$W/junk.txt"
rejects "junk" "malformed" decode "$W/junk.txt"
rejects "extract needs keys" "required" extract $V/pck-sdp.txt
rejects "--at with --no-time-check" "exclude" extract $CERTS --keyset $V/server-keyset.xml \
	--at 1 --no-time-check $V/pck-sdp.txt

# ---- decode ----
out=$("$MCSEC" mikey decode $V/gmk-partner.bin) || { echo "FAIL decode exit" >&2; fail=1; }
for l in "^payloads=HDR@0,T@24,RAND@34,IDR@52,IDR@78,IDR@110,IDR@130,SP@158,SAKKE@193,GENEXT@471,GENEXT@753,SIGN@865$" "^version=1$" "^data-type=26$" "^prf=1$" "^csb-id=0208d53c$" \
	"^csb-id-purpose=GMK$" "^cs-count=2$" "^cs-map-type=2$" "^cs.0.id=4$" \
	"^cs.1.id=5$" "^cs.0.policies=0$" "^t=$T0$" "^t-utc=2023-08-02T21:20:00Z$" \
	"^rand=00112233445566778899aabbccddeeff$" "^idri=sip:alice@example.org$" \
	"^idrr=sip:bob@partner.example.net$" "^idrkmsi=kms.example.org$" \
	"^idrkmsr=kms.partner.example.net$" "^sp.0.policy-no=0$" "^sp.0.param.0=06$" \
	"^sp.0.param.13=01$" "^sakke-params=1$" "^sakke-id-scheme=2$" \
	"^sakke-to-self-data=04" "^key-parameters=present$" "^kp-dppk-id=0208d53c$" \
	"^sign-type=2$" "^sign-len=129$" "^signed-octets="; do
	has "decode $l" "$l" "$out"
done
if printf '%s\n' "$out" | grep -q "^kp-text=\|^key="; then
	echo "FAIL decode without keys shows key parameters or key" >&2
	fail=1
fi
out=$("$MCSEC" mikey decode $CERTS --keyset $V/bob-keyset.xml --at $T0 \
	$V/gmk-partner.bin) || { echo "FAIL decode with keys exit" >&2; fail=1; }
has "decode verified" "^verified=1$" "$out"
has "decode key params" "^kp-text=Group A key$" "$out"
has "decode key id" "^key-id=0a5a5a02$" "$out"
if printf '%s\n' "$out" | grep -q "^key="; then
	echo "FAIL decode prints the key" >&2
	fail=1
fi
out=$("$MCSEC" mikey decode $V/csk-upload-hidden.b64)
has "decode hidden" "^idruidi=1ea0a600" "$out"
has "decode hidden r" "^idruidr=" "$out"

# ---- build -> decode -> extract with a fresh KMS ----
NOW=$(($(date +%s) + 2208988800))
"$MCSEC" kms init --kms-uri kms.test.example --out "$W/kms" >/dev/null || fail=1
"$MCSEC" kms issue --kms "$W/kms" --user sip:ue@test.example --time "$NOW" \
	--out "$W/ue.xml" >/dev/null || fail=1
"$MCSEC" kms issue --kms "$W/kms" --user sip:server@test.example --time "$NOW" \
	--out "$W/server.xml" >/dev/null || fail=1
K2=00112233445566778899aabbccddeeff
for opts in "" "--hide-ids" "--sakke-to-self --sp --cs 6 --cs 8" \
	"--hide-ids --kp --kp-text upload --kp-expiry 2000000000"; do
	b64=$("$MCSEC" mikey build --cert "$W/kms/kms-cert.xml" --keyset "$W/ue.xml" \
		--to sip:server@test.example --to-kms kms.test.example --key-type CSK \
		--key $K2 --key-id 20000abc --rand 0102030405060708090a0b0c0d0e0f10 $opts) ||
		{ echo "FAIL build [$opts]" >&2; fail=1; continue; }
	out=$(printf '%s\n' "$b64" | "$MCSEC" mikey extract --cert "$W/kms/kms-cert.xml" \
		--keyset "$W/server.xml" --initiator-uri sip:ue@test.example --expect CSK -)
	has "round trip [$opts] key" "^key=$K2$" "$out"
	has "round trip [$opts] id" "^key-id=20000abc$" "$out"
	has "round trip [$opts] rand" "^rand=0102030405060708090a0b0c0d0e0f10$" "$out"
	has "round trip [$opts] initiator" "^initiator=sip:ue@test.example$" "$out"
	case "$opts" in *--kp*) has "round trip kp" "^kp-text=upload$" "$out" ;; esac
	dec=$(printf 'mikey %s\n' "$b64" | "$MCSEC" mikey decode -)
	case "$opts" in
	*--cs*) has "build cs" "^cs.1.id=8$" "$dec"
		has "build sp" "^sp.0.param.20=10$" "$dec"
		has "build self" "^sakke-to-self-data=" "$dec" ;;
	*--hide-ids*) has "build hidden" "^idruidr=" "$dec" ;;
	*) has "build ids" "^idrr=sip:server@test.example$" "$dec" ;;
	esac
done
# GMK: the GUK-ID is carried, the GMK-ID recovered
b64=$("$MCSEC" mikey build --cert "$W/kms/kms-cert.xml" --keyset "$W/ue.xml" \
	--to sip:server@test.example --to-kms kms.test.example --key-type GMK \
	--key $K2 --key-id 01234567 --kp --kp-group sip:grp@test.example)
out=$(printf '%s\n' "$b64" | "$MCSEC" mikey extract --cert "$W/kms/kms-cert.xml" \
	--keyset "$W/server.xml" -)
has "gmk id" "^key-id=01234567$" "$out"
has "gmk guk" "^guk-id=0" "$out"
has "gmk group" "^kp-group=sip:grp@test.example$" "$out"
if printf '%s\n' "$out" | grep -q "^guk-id=01234567$"; then
	echo "FAIL gmk: GUK-ID equals GMK-ID" >&2
	fail=1
fi
"$MCSEC" mikey build --cert "$W/kms/kms-cert.xml" --keyset "$W/ue.xml" \
	--to sip:server@test.example --to-kms kms.test.example --key-type CSK \
	--key $K2 --key-id 20000001 --kp-status 0 >"$W/rev.b64" || fail=1
rejects "revoked key" "revoked" extract --cert "$W/kms/kms-cert.xml" \
	--keyset "$W/server.xml" "$W/rev.b64"

# ---- build usage ----
rejects "purpose tag vs key type" "purpose tag" build --cert "$W/kms/kms-cert.xml" \
	--keyset "$W/ue.xml" --to sip:server@test.example --to-kms kms.test.example \
	--key-type PCK --key $K2 --key-id 20000001
rejects "key length" "expected 16 octets" build --cert "$W/kms/kms-cert.xml" \
	--keyset "$W/ue.xml" --to sip:server@test.example --to-kms kms.test.example \
	--key-type CSK --key 0011 --key-id 20000001
rejects "no key set for the time" "no --keyset for the key period" build \
	--cert "$W/kms/kms-cert.xml" --keyset "$W/ue.xml" --to sip:server@test.example \
	--to-kms kms.test.example --key-type CSK --key $K2 --key-id 20000001 --time 3900000000
rejects "unknown receiver KMS" "unknown KMS" build --cert "$W/kms/kms-cert.xml" \
	--keyset "$W/ue.xml" --to sip:server@test.example --to-kms kms.other.example \
	--key-type CSK --key $K2 --key-id 20000001
rejects "missing args" "required" build --cert "$W/kms/kms-cert.xml"
rejects "unknown subcommand" "unknown subcommand" frobnicate

[ "$fail" -eq 0 ] && echo "mikey.sh: all passed"
exit "$fail"
