#!/bin/sh
# mcsec uid: TS 33.180 F.2.1.2 example (with the corrected UID, DESIGN.md 4)
# and usage errors. Run from the repo top with MCSEC=build/mcsec.
set -u
MCSEC=${MCSEC:-build/mcsec}
fail=0
UID_EX=3a81fb14c3b1d0fe43c9c577104d55a6d81788bfd2f09743c4557746a5a0353b

check() { # name expected actual
	if [ "$2" != "$3" ]; then
		echo "FAIL $1: expected [$2], got [$3]" >&2
		fail=1
	fi
}

out=$("$MCSEC" uid --uri sip:user@example.org --kms kms.example.org \
	--period 2592000 --offset 0 --time 3599719634) || { echo "FAIL: --time exit $?" >&2; fail=1; }
check "uid from --time" "uid=$UID_EX
period-no=1388" "$out"

out=$("$MCSEC" uid --uri sip:user@example.org --kms kms.example.org \
	--period 2592000 --offset 0 --period-no 1388) || { echo "FAIL: --period-no exit $?" >&2; fail=1; }
check "uid from --period-no" "uid=$UID_EX
period-no=1388" "$out"

# the last second of period 1388 and the first of 1389
out=$("$MCSEC" uid --uri sip:user@example.org --kms kms.example.org \
	--period 2592000 --offset 0 --time 3600287999 | sed -n 's/^period-no=//p')
check "period boundary (last second)" 1388 "$out"
out=$("$MCSEC" uid --uri sip:user@example.org --kms kms.example.org \
	--period 2592000 --offset 0 --time 3600288000 | sed -n 's/^period-no=//p')
check "period boundary (next period)" 1389 "$out"
out=$("$MCSEC" uid --uri sip:user@example.org --kms kms.example.org \
	--period 2592000 --offset 0 --period-no 1389 | sed -n 's/^uid=//p')
[ "$out" != "$UID_EX" ] && [ ${#out} -eq 64 ] || { echo "FAIL: period 1389 UID" >&2; fail=1; }

usage_error() { # description, args...
	d=$1
	shift
	err=$("$MCSEC" uid "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 2 ]; then
		echo "FAIL $d: exit $rc, expected 2" >&2
		fail=1
	elif [ -z "$err" ]; then
		echo "FAIL $d: no message on stderr" >&2
		fail=1
	fi
}
B="--uri sip:user@example.org --kms kms.example.org --period 2592000 --offset 0"
usage_error "no time or period" $B
usage_error "both --time and --period-no" $B --time 3599719634 --period-no 1388
usage_error "missing --kms" --uri sip:a@b --period 10 --offset 0 --period-no 1
usage_error "bad number" $B --time 12x
usage_error "negative number" $B --time -5
usage_error "zero period" --uri sip:a@b --kms k --period 0 --offset 0 --period-no 1
usage_error "offset >= period" --uri sip:a@b --kms k --period 10 --offset 10 --period-no 1
usage_error "time before offset" --uri sip:a@b --kms k --period 10 --offset 5 --time 4
usage_error "unknown option" $B --period-no 1 --frobnicate
usage_error "missing value" $B --period-no

[ $fail -eq 0 ] && echo "uid.sh: ok"
exit $fail
