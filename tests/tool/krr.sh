#!/bin/sh
# mcsec krr build / rebuild / verify / decode (TS 33.180 5.2.8, D.4):
# creation cases A-D and re-generation cases A-D from the MIKEY vectors,
# every generated KRR validated with xmllint against the D.4.4 schema and
# verified with the xmlsec1 command-line tool using the demo certificate of
# scripts/krr-demo-cert.sh; nesting limit; tampering of each field and the
# signature; untrusted and unsigned KRRs; decode of the D.4.3 example.
# Run from the repo top with MCSEC=build/mcsec.
set -u
MCSEC=${MCSEC:-build/mcsec}
XSD=cfg/schema/mcsecKMSKRR.xsd
MV=tests/vectors/mikey
fail=0
W=$(mktemp -d "${TMPDIR:-/tmp}/mcsec-krr.XXXXXX")
trap 'rm -rf "$W"' EXIT

has() { # name pattern text
	if ! printf '%s\n' "$3" | grep -q -- "$2"; then
		printf 'FAIL %s: no [%s] in:\n%s\n' "$1" "$2" "$3" >&2
		fail=1
	fi
}
# xmlsec1 on the root's own Signature (the first in document order may be
# an embedded KRR's)
xmlsec_verify() { # file cert
	xmlsec1 --verify --trusted-pem "$2" \
		--id-attr:Id urn:3gpp:ns:mcsecKMSKRR:1.0:KmsRedirectResponse \
		--node-xpath "/*/*[local-name()='Signature']" "$1" >/dev/null 2>&1
}
valid() { # name file cert: schema, xmlsec1, mcsec krr verify all accept
	if ! xmllint --noout --schema "$XSD" "$2" >/dev/null 2>&1; then
		echo "FAIL $1: xmllint schema" >&2
		fail=1
	fi
	if ! xmlsec_verify "$2" "$3"; then
		echo "FAIL $1: xmlsec1 --verify" >&2
		fail=1
	fi
	out=$("$MCSEC" krr verify --trust "$3" --schema "$XSD" "$2" 2>&1)
	if [ $? -ne 0 ]; then
		printf 'FAIL %s: mcsec krr verify:\n%s\n' "$1" "$out" >&2
		fail=1
	fi
	has "$1" '^signature=valid$' "$out"
	has "$1" '^schema=valid$' "$out"
}
refused() { # name file cert: mcsec krr verify and xmlsec1 both refuse
	if "$MCSEC" krr verify --trust "$3" "$2" >/dev/null 2>&1; then
		echo "FAIL $1: mcsec krr verify accepted" >&2
		fail=1
	fi
	if xmlsec_verify "$2" "$3"; then
		echo "FAIL $1: xmlsec1 accepted" >&2
		fail=1
	fi
}

scripts/krr-demo-cert.sh "$W/demo" || { echo "FAIL demo cert" >&2; exit 1; }
scripts/krr-demo-cert.sh "$W/peer" peer-proxy.example.net || exit 1
[ "$(stat -c %a "$W/demo/krr-key.pem")" = 600 ] || { echo "FAIL key mode" >&2; fail=1; }
CA=$W/demo/krr-cert.pem
PEER=$W/peer/krr-cert.pem
SIGN="--key $W/demo/krr-key.pem --cert $CA"
PSIGN="--key $W/peer/krr-key.pem --cert $PEER"

# pck-sdp: alice (kms.example.org) -> mcptt-server (kms.example.org)
# gmk-partner: alice (kms.example.org) -> bob@partner.example.net
#              (kms.partner.example.net)
cat >"$W/strict" <<'P'
home kms.elsewhere.example.org
local sip:alice@example.org
krr-creator sip:proxy@example.org
P
cat >"$W/partner" <<'P'
home kms.partner-home.example.net
migration kms.partner-mig.example.net
local *@partner.example.net
krr-creator sip:is-proxy@partner.example.net
P
cat >"$W/open" <<'P'
home kms.example.org
local *@example.org
default receiver kms.example.org kms.partner.example.net
krr-creator sip:proxy@example.org
P

# ---- creation 5.2.8.2.3 ----
build() { # name expected-case args...
	n=$1
	c=$2
	shift 2
	if ! "$MCSEC" krr build "$@" >"$W/$n.xml" 2>"$W/$n.err"; then
		echo "FAIL $n: build exit" >&2
		cat "$W/$n.err" >&2
		fail=1
	fi
	has "$n" "^case=$c\$" "$(cat "$W/$n.err")"
	valid "$n" "$W/$n.xml" "$CA"
}
build gen-A A --policy "$W/strict" --role cs-in $SIGN $MV/pck-sdp.txt
out=$("$MCSEC" krr decode "$W/gen-A.xml")
has gen-A-lists '^initiator-list=kms.elsewhere.example.org$' "$out"
has gen-A-lists '^receiver-list=ANY$' "$out"
has gen-A-ids '^initiator=sip:alice@example.org$' "$out"
has gen-A-ids '^receiver-kms=kms.example.org$' "$out"
has gen-A-ids '^creator=sip:proxy@example.org$' "$out"
build gen-B B --policy "$W/strict" --role is $SIGN $MV/pck-sdp.txt
out=$("$MCSEC" krr decode "$W/gen-B.xml")
has gen-B '^initiator-list=kms.elsewhere.example.org$' "$out"
has gen-B '^receiver-list=ANY$' "$out"
build gen-C C --policy "$W/partner" --role is $SIGN $MV/gmk-partner.bin
out=$("$MCSEC" krr decode "$W/gen-C.xml")
has gen-C '^initiator-list=ANY$' "$out"
has gen-C '^receiver-list=kms.partner-home.example.net,kms.partner-mig.example.net$' "$out"
has gen-C '^creator=sip:is-proxy@partner.example.net$' "$out"
build gen-D D --policy "$W/strict" --role cs-out $SIGN --creator sip:other@example.org $MV/pck-sdp.txt
out=$("$MCSEC" krr decode "$W/gen-D.xml")
has gen-D '^initiator-list=ANY$' "$out"
has gen-D '^receiver-list=kms.elsewhere.example.org$' "$out"
has gen-D '^creator=sip:other@example.org$' "$out"
# acceptable: no KRR
out=$("$MCSEC" krr build --policy "$W/open" --role cs-out $SIGN $MV/gmk-partner.bin)
has acceptable '^result=acceptable$' "$out"
# hidden identities need the URIs from the caller
if "$MCSEC" krr build --policy "$W/strict" --role cs-in $SIGN $MV/csk-upload-hidden.b64 >/dev/null 2>&1; then
	echo "FAIL hidden: accepted without --initiator-uri" >&2
	fail=1
fi
build gen-hidden A --policy "$W/strict" --role cs-in $SIGN \
	--initiator-uri sip:alice@example.org --receiver-uri sip:mcptt-server@example.org \
	$MV/csk-upload-hidden.b64
# fixed time
"$MCSEC" krr build --policy "$W/strict" --role cs-in $SIGN --time 1800000000 $MV/pck-sdp.txt >"$W/t.xml" 2>/dev/null
has time '<Time>2027-01-15T08:00:00Z</Time>' "$(cat "$W/t.xml")"

# ---- re-generation 5.2.8.2.4 ----
# a peer-signed KRR (case D at the peer: mcptt-server must not be reached
# through kms.example.org): initiator list ANY, receiver list of 3
cat >"$W/peerpol" <<'P'
home kms.partner.example.net
default receiver kms.bad.example.org kms.partner.example.net kms.example2.org
krr-creator sip:is-proxy@partner.example.net
P
"$MCSEC" krr build --policy "$W/peerpol" --role cs-out $PSIGN $MV/pck-sdp.txt >"$W/rx1.xml" 2>/dev/null
valid rx1 "$W/rx1.xml" "$PEER"
rebuild() { # name expected-case file args...
	n=$1
	c=$2
	f=$3
	shift 3
	if ! "$MCSEC" krr rebuild "$@" "$f" >"$W/$n.xml" 2>"$W/$n.err"; then
		echo "FAIL $n: rebuild exit" >&2
		cat "$W/$n.err" >&2
		fail=1
	fi
	has "$n" "^case=$c\$" "$(cat "$W/$n.err")"
	valid "$n" "$W/$n.xml" "$CA"
	# the embedded KRR still verifies with its own signer's certificate
	out=$("$MCSEC" krr decode --trust "$PEER" "$W/$n.xml")
	has "$n-embedded" '^level=2$' "$out"
	has "$n-embedded" '^signature=valid$' "$(printf '%s\n' "$out" | sed -n '/^level=2$/,$p')"
}
top() { "$MCSEC" krr decode "$1" | sed -n '1,/^level=2$/p'; }
cat >"$W/local" <<'P'
home kms.example.org
local *@example.org
default receiver kms.partner.example.net
krr-creator sip:proxy@example.org
P
# A: inbound CS, receiver list reduced to the acceptable URI
rebuild regen-A A "$W/rx1.xml" --policy "$W/local" --role cs-in $SIGN
out=$(top "$W/regen-A.xml")
has regen-A '^receiver-list=kms.partner.example.net$' "$out"
has regen-A '^initiator-list=ANY$' "$out"
has regen-A '^creator=sip:proxy@example.org$' "$out"
# D: outbound CS, initiator list (ANY) reduced to the local list
rebuild regen-D D "$W/rx1.xml" --policy "$W/local" --role cs-out $SIGN
out=$(top "$W/regen-D.xml")
has regen-D '^initiator-list=kms.example.org$' "$out"
has regen-D '^receiver-list=kms.bad.example.org,kms.partner.example.net,kms.example2.org$' "$out"
# C: IS proxy, initiator alice of this domain: initiator list reduced
sed 's|^local .*|local sip:alice@example.org|' "$W/local" >"$W/local-c"
rebuild regen-C C "$W/rx1.xml" --policy "$W/local-c" --role is $SIGN
out=$(top "$W/regen-C.xml")
has regen-C '^initiator-list=kms.example.org$' "$out"
has regen-C '^receiver-list=kms.bad.example.org,kms.partner.example.net,kms.example2.org$' "$out"
# B: IS proxy, receiver mcptt-server of this domain: receiver list reduced
sed 's|^local .*|local sip:mcptt-server@example.org|' "$W/local" >"$W/local-b"
rebuild regen-B B "$W/rx1.xml" --policy "$W/local-b" --role is $SIGN
out=$(top "$W/regen-B.xml")
has regen-B '^receiver-list=kms.partner.example.net$' "$out"
has regen-B '^initiator-list=ANY$' "$out"
# empty result list is allowed (the communication then fails)
printf 'home kms.example.org\ndefault receiver kms.none.example\nkrr-creator sip:x@example.org\n' >"$W/empty"
rebuild regen-empty A "$W/rx1.xml" --policy "$W/empty" --role cs-in $SIGN
has regen-empty '^receiver-list=$' "$(top "$W/regen-empty.xml")"
# nothing unacceptable: forwarded
out=$("$MCSEC" krr rebuild --policy "$W/peerpol" --role cs-in $SIGN "$W/rx1.xml")
has forward '^result=forward$' "$out"

# ---- nesting: 5 levels from 4 received, no 6th ----
cat >"$W/n0" <<'P'
home kms.example.org
default receiver k1 k2 k3 k4 k5 k6
krr-creator sip:p0@example.org
P
"$MCSEC" krr build --policy "$W/n0" --role cs-out $SIGN $MV/pck-sdp.txt >"$W/lvl1.xml" 2>/dev/null
cur=$W/lvl1.xml
for i in 2 3 4 5 6; do
	list=$(echo k1 k2 k3 k4 k5 k6 | cut -d' ' -f"$i"-)
	printf 'home kms.example.org\ndefault receiver %s\nkrr-creator sip:p%s@example.org\n' "$list" "$i" >"$W/n$i"
	"$MCSEC" krr rebuild --policy "$W/n$i" --role cs-in $SIGN "$cur" >"$W/lvl$i.xml" 2>/dev/null
	if [ "$i" -le 5 ]; then
		valid "nest-$i" "$W/lvl$i.xml" "$CA"
		has "nest-$i" "^levels=$i\$" "$("$MCSEC" krr decode "$W/lvl$i.xml")"
		cur=$W/lvl$i.xml
	else
		has nest-6 '^result=too-deep$' "$(cat "$W/lvl$i.xml")"
		has nest-6 '^levels=5$' "$(cat "$W/lvl$i.xml")"
	fi
done
# every level of the 5-deep KRR verifies
out=$("$MCSEC" krr decode --trust "$CA" "$W/lvl5.xml")
[ "$(printf '%s\n' "$out" | grep -c '^signature=valid$')" = 5 ] ||
	{ printf 'FAIL nest-5 levels:\n%s\n' "$out" >&2; fail=1; }

# ---- tampering: each field and the signature ----
src=$W/regen-A.xml
tamper() { # name sed-expression
	sed "$2" "$src" >"$W/tampered.xml"
	if cmp -s "$src" "$W/tampered.xml"; then
		echo "FAIL tamper $1: edit did not apply" >&2
		fail=1
	fi
	refused "tamper $1" "$W/tampered.xml" "$CA"
}
tamper Time 's|<Time>2|<Time>1|'
tamper KRRCreatorUri 's|<KRRCreatorUri>sip:proxy|<KRRCreatorUri>sip:proxx|'
tamper InitiatorUri 's|<InitiatorUri>sip:alice|<InitiatorUri>sip:alicf|'
tamper InitiatorKmsUri 's|<InitiatorKmsUri>kms.example|<InitiatorKmsUri>kms.exbmple|'
tamper ReceiverUri 's|<ReceiverUri>sip:mcptt|<ReceiverUri>sip:mcptu|'
tamper ReceiverKmsUri 's|<ReceiverKmsUri>kms.example|<ReceiverKmsUri>kms.exbmple|'
tamper InitiatorKmsList 's|<InitiatorKmsList><ANY/>|<InitiatorKmsList><KmsUri>kms.rogue</KmsUri>|'
tamper ReceiverKmsList 's|<ReceiverKmsList><KmsUri>kms.partner.example.net</KmsUri>|<ReceiverKmsList><KmsUri>kms.rogue.org</KmsUri>|'
tamper embedded 's|<KRRCreatorUri>sip:is-proxy|<KRRCreatorUri>sip:is-proxz|'
tamper Id 's|\(<KmsRedirectResponse xmlns="urn:3gpp:ns:mcsecKMSKRR:1.0" Version="1.0.0" Id="\)|\1x|'
tamper DigestValue 's|<DigestValue>.|<DigestValue>A|'
tamper SignatureValue 's|<SignatureValue>..|<SignatureValue>AA|'
# ---- trust ----
out=$("$MCSEC" krr verify --trust "$PEER" "$W/gen-A.xml")
[ $? -ne 0 ] || { echo "FAIL untrusted accepted" >&2; fail=1; }
has untrusted '^signature=untrusted$' "$out"
printf 'home h\nkrr-untrusted accept\n' >"$W/acc"
"$MCSEC" krr verify --trust "$PEER" --policy "$W/acc" "$W/gen-A.xml" >/dev/null ||
	{ echo "FAIL untrusted with krr-untrusted accept" >&2; fail=1; }
"$MCSEC" krr build --policy "$W/strict" --role cs-in --unsigned $MV/pck-sdp.txt >"$W/u.xml" 2>/dev/null
xmllint --noout --schema "$XSD" "$W/u.xml" >/dev/null 2>&1 || { echo "FAIL unsigned schema" >&2; fail=1; }
out=$("$MCSEC" krr verify --trust "$CA" "$W/u.xml")
[ $? -ne 0 ] || { echo "FAIL unsigned accepted" >&2; fail=1; }
has unsigned '^signature=absent$' "$out"
printf 'home h\nkrr-unsigned accept\n' >"$W/accu"
"$MCSEC" krr verify --policy "$W/accu" "$W/u.xml" >/dev/null ||
	{ echo "FAIL unsigned with krr-unsigned accept" >&2; fail=1; }

# ---- D.4.3 example ----
out=$("$MCSEC" krr decode tests/vectors/krr/d43-example.xml)
has d43 '^levels=2$' "$out"
has d43 '^receiver-list=kms.option1.example.org,kms.option2.example.org$' "$out"

# ---- usage and input errors ----
for args in "" "frob" "build --policy $W/strict $SIGN" "build --role cs-in $SIGN" \
	"build --policy $W/strict --role cs-in" "build --policy $W/strict --role xx $SIGN" \
	"verify"; do
	# shellcheck disable=SC2086
	"$MCSEC" krr $args </dev/null >/dev/null 2>&1
	[ $? -eq 2 ] || { echo "FAIL usage exit for 'krr $args'" >&2; fail=1; }
done
echo 'not xml' >"$W/junk"
"$MCSEC" krr verify --trust "$CA" "$W/junk" >/dev/null 2>&1 && { echo "FAIL junk verified" >&2; fail=1; }
"$MCSEC" krr build --policy "$W/strict" --role cs-in $SIGN "$W/junk" >/dev/null 2>&1 && { echo "FAIL junk MIKEY" >&2; fail=1; }
printf 'home h\nbogus\n' >"$W/badpol"
err=$("$MCSEC" krr build --policy "$W/badpol" --role cs-in $SIGN $MV/pck-sdp.txt 2>&1 >/dev/null)
has badpol 'badpol:2:' "$err"
exit $fail
