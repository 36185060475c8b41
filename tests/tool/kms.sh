#!/bin/sh
# mcsec kms init / issue (test KMS, DESIGN.md 5) end to end: files and modes,
# certificate and key sets parse, UserID equals `mcsec uid`, key sets for two
# periods load into a key store (kms check), wrapped/signed key sets, and
# usage/failure errors. Run from the repo top with MCSEC=build/mcsec.
set -u
MCSEC=${MCSEC:-build/mcsec}
fail=0
T=$(mktemp -d "${TMPDIR:-/tmp}/mcsec-kms-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
KMS=kms.example.org
USER=sip:alice@example.org
PERIOD=2592000
T1=3964665600          # in key period 1529
T2=$((T1 + PERIOD))    # in key period 1530

bad() { echo "FAIL: $*" >&2; fail=1; }
check() { # name expected actual
	[ "$2" = "$3" ] || bad "$1: expected [$2], got [$3]"
}
mode() { stat -c %a "$1"; }
field() { # name < name=value lines
	sed -n "s/^$1=//p" | head -n 1
}

# ---- init ----
out=$("$MCSEC" kms init --kms-uri $KMS --out "$T/kms") || bad "kms init exit $?"
check "init kms-uri" "$KMS" "$(echo "$out" | field kms-uri)"
[ -f "$T/kms/kms-secret.txt" ] || bad "no kms-secret.txt"
[ -f "$T/kms/kms-cert.xml" ] || bad "no kms-cert.xml"
check "secret mode" 600 "$(mode "$T/kms/kms-secret.txt")"
check "kms dir mode" 700 "$(mode "$T/kms")"
for n in ksak kpak z pub-enc-key; do
	grep -q "^$n=[0-9A-F]\{64,\}$" "$T/kms/kms-secret.txt" || bad "secret file lacks $n"
done
# secrets never printed
ksak=$(sed -n 's/^ksak=//p' "$T/kms/kms-secret.txt")
z=$(sed -n 's/^z=//p' "$T/kms/kms-secret.txt")
echo "$out" | grep -qi -e "$ksak" -e "$z" && bad "init printed a secret"
grep -qi "$ksak" "$T/kms/kms-cert.xml" && bad "certificate holds KSAK"

show=$("$MCSEC" kms show "$T/kms/kms-cert.xml") || bad "kms show cert exit $?"
check "cert role" Root "$(echo "$show" | field cert.role)"
check "cert version" 1.1.0 "$(echo "$show" | field cert.version)"
check "cert uid format" 2 "$(echo "$show" | field cert.user-id-format)"
check "cert period" $PERIOD "$(echo "$show" | field cert.period)"
check "cert offset" 0 "$(echo "$show" | field cert.offset)"
check "cert kms-uri" $KMS "$(echo "$show" | field cert.kms-uri)"
check "cert kpak = init kpak" "$(echo "$out" | field kpak)" "$(echo "$show" | field cert.pub-auth-key)"
grep -q '<KmsInit Version="1.0.0">' "$T/kms/kms-cert.xml" || bad "no KmsInit"
grep -q 'xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"' "$T/kms/kms-cert.xml" || bad "namespace"

# a second init into the same directory is refused
"$MCSEC" kms init --kms-uri $KMS --out "$T/kms" >/dev/null 2>&1 && bad "re-init overwrote a KMS"

# ---- issue for two periods ----
out1=$("$MCSEC" kms issue --kms "$T/kms" --user $USER --time $T1 --out "$T/a1529.xml") \
	|| bad "issue --time exit $?"
out2=$("$MCSEC" kms issue --kms "$T/kms" --user $USER --period-no 1530 --out "$T/a1530.xml") \
	|| bad "issue --period-no exit $?"
check "issue period from --time" 1529 "$(echo "$out1" | field period-no)"
check "keyset mode" 600 "$(mode "$T/a1529.xml")"
check "keyset mode" 600 "$(mode "$T/a1530.xml")"
uid1=$("$MCSEC" uid --uri $USER --kms $KMS --period $PERIOD --offset 0 --time $T1 | field uid)
uid2=$("$MCSEC" uid --uri $USER --kms $KMS --period $PERIOD --offset 0 --time $T2 | field uid)
check "issue uid = mcsec uid (1529)" "$uid1" "$(echo "$out1" | field uid)"
check "issue uid = mcsec uid (1530)" "$uid2" "$(echo "$out2" | field uid)"
s1=$("$MCSEC" kms show "$T/a1529.xml") || bad "kms show keyset exit $?"
check "keyset uid in file" "$uid1" "$(echo "$s1" | field keyset.uid)"
check "keyset period" 1529 "$(echo "$s1" | field keyset.period-no)"
check "keyset valid-from" $((1529 * PERIOD)) "$(echo "$s1" | field keyset.valid-from)"
check "keyset valid-to" $((1530 * PERIOD - 1)) "$(echo "$s1" | field keyset.valid-to)"
echo "$out1$s1" | grep -qi -e "$z" -e "$ksak" && bad "issue/show printed a secret"
# nor the user's SSK
ssk=$(sed -n 's/.*<UserSigningKeySSK>\([0-9A-F]*\)<.*/\1/p' "$T/a1529.xml")
[ ${#ssk} -eq 64 ] || bad "SSK not found in the key set"
echo "$out1$s1" | grep -qi -e "$ssk" && bad "issue/show printed the SSK"
grep -q '<KmsKeyProv Version="1.0.0">' "$T/a1529.xml" || bad "no KmsKeyProv"
grep -q '<UserSigningKeySSK>[0-9A-F]\{64\}</UserSigningKeySSK>' "$T/a1529.xml" || bad "SSK layout"

# ---- load both periods into a key store ----
chk=$("$MCSEC" kms check --cert "$T/kms/kms-cert.xml" --keyset "$T/a1529.xml" \
	--keyset "$T/a1530.xml" --at $T1) || bad "kms check exit $?"
check "check certs" 1 "$(echo "$chk" | field certs)"
check "check keysets" 2 "$(echo "$chk" | field keysets)"
# a directory (key sets sort before the certificate and still load)
mkdir "$T/store" && cp "$T/a1529.xml" "$T/a1530.xml" "$T/store/" \
	&& cp "$T/kms/kms-cert.xml" "$T/store/zz-cert.xml"
chk=$("$MCSEC" kms check --cert "$T/store" --at $T1) || bad "kms check dir exit $?"
check "check dir keysets" 2 "$(echo "$chk" | field keysets)"
# expired: period 1529 is over at T2 + PERIOD
"$MCSEC" kms check --cert "$T/kms/kms-cert.xml" --keyset "$T/a1529.xml" \
	--at $((T2 + PERIOD)) >/dev/null 2>"$T/err" && bad "expired key set loaded"
grep -q expired "$T/err" || bad "expired: no message"
# key set without its certificate
"$MCSEC" kms check --cert "$T/a1529.xml" --at $T1 >/dev/null 2>"$T/err" \
	&& bad "key set loaded without certificate"
grep -q "no certificate of KMS" "$T/err" || bad "missing cert: no message"
# a key set of another KMS does not validate against this certificate
"$MCSEC" kms init --kms-uri $KMS --out "$T/kms2" >/dev/null || bad "second init"
"$MCSEC" kms issue --kms "$T/kms2" --user $USER --time $T1 --out "$T/other.xml" >/dev/null || bad "issue 2"
"$MCSEC" kms check --cert "$T/kms/kms-cert.xml" --keyset "$T/other.xml" --at $T1 \
	>/dev/null 2>"$T/err" && bad "foreign key set loaded"
grep -q "RFC 650" "$T/err" || bad "foreign key set: no validation message"

# ---- security extension: TrK-wrapped, InK-signed ----
TRK=tk.1.alice=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
INK=ink.1.alice=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
"$MCSEC" kms issue --kms "$T/kms" --user $USER --time $T1 --out "$T/w.xml" \
	--trk $TRK --ink $INK >/dev/null || bad "issue --trk --ink exit $?"
grep -q 'xmlenc#kw-aes256' "$T/w.xml" || bad "not wrapped"
grep -q '<SignedKmsResponse' "$T/w.xml" || bad "not signed"
sw=$("$MCSEC" kms show --trk $TRK --ink $INK "$T/w.xml") || bad "show wrapped exit $?"
check "wrapped signature" verified "$(echo "$sw" | field signature)"
check "wrapped values" 3 "$(echo "$sw" | field wrapped)"
check "wrapped uid" "$uid1" "$(echo "$sw" | field keyset.uid)"
"$MCSEC" kms show "$T/w.xml" >/dev/null 2>&1 && bad "wrapped key set shown without TrK"
"$MCSEC" kms show --trk tk.1.alice=00000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e "$T/w.xml" \
	>/dev/null 2>&1 && bad "wrong TrK accepted"
"$MCSEC" kms check --cert "$T/kms/kms-cert.xml" --keyset "$T/w.xml" --trk $TRK --ink $INK \
	--require-signature --at $T1 >/dev/null 2>&1 && bad "unsigned cert accepted with --require-signature"
"$MCSEC" kms check --cert "$T/kms/kms-cert.xml" --keyset "$T/w.xml" --trk $TRK --ink $INK \
	--at $T1 >/dev/null || bad "wrapped key set did not load"
sed 's/period-no/x/; s/<KeyPeriodNo>1529</<KeyPeriodNo>1528</' "$T/w.xml" >"$T/t.xml"
"$MCSEC" kms show --trk $TRK --ink $INK "$T/t.xml" >/dev/null 2>"$T/err" && bad "tampered signed key set accepted"
grep -q digest "$T/err" || bad "tamper: no digest message"

# ---- interoperability of the SignedKmsResponse HMAC with xmlsec1 ----
# (xmlsec1 is a project dependency, DESIGN.md 3: its absence is a failure)
if ! command -v xmlsec1 >/dev/null 2>&1; then
	bad "xmlsec1 not installed"
else
	perl -e 'print pack("H*", $ARGV[0])' "${INK#*=}" >"$T/ink.bin"
	IDATTR=urn:3gpp:ns:mcsecKMSSecExt:1.0:SignedKmsResponse
	# ours, verified by xmlsec1
	xmlsec1 --verify --hmackey:ink.1.alice "$T/ink.bin" --id-attr:Id $IDATTR \
		"$T/w.xml" >/dev/null 2>&1 || bad "xmlsec1 does not verify our SignedKmsResponse"
	# xmlsec1's, with the HMACOutputLength 128 of the D.3.4 examples, verified by us
	sed -e 's|<DigestValue>[^<]*</DigestValue>|<DigestValue></DigestValue>|' \
		-e 's|<SignatureValue>[^<]*</SignatureValue>|<SignatureValue></SignatureValue>|' \
		-e 's|xmldsig-more#hmac-sha256"/>|xmldsig-more#hmac-sha256"><HMACOutputLength>128</HMACOutputLength></SignatureMethod>|' \
		"$T/w.xml" >"$T/tmpl.xml"
	grep -q HMACOutputLength "$T/tmpl.xml" || bad "template"
	xmlsec1 --sign --hmackey:ink.1.alice "$T/ink.bin" --id-attr:Id $IDATTR \
		--output "$T/xs.xml" "$T/tmpl.xml" >/dev/null 2>&1 || bad "xmlsec1 --sign"
	sx=$("$MCSEC" kms show --trk $TRK --ink $INK "$T/xs.xml") || bad "xmlsec1-signed not accepted"
	check "xmlsec1-signed verified" verified "$(echo "$sx" | field signature)"
	"$MCSEC" kms show --trk $TRK --ink ink.1.alice=00 "$T/xs.xml" >/dev/null 2>&1 \
		&& bad "xmlsec1-signed accepted with a wrong InK"
	sed 's/<KeyPeriodNo>1529</<KeyPeriodNo>1528</' "$T/xs.xml" >"$T/xt.xml"
	"$MCSEC" kms show --trk $TRK --ink $INK "$T/xt.xml" >/dev/null 2>&1 \
		&& bad "tampered xmlsec1-signed accepted"
fi

# ---- usage and input errors: non-zero exit with a message ----
usage_error() { # description, args...
	d=$1
	shift
	if err=$("$MCSEC" kms "$@" 2>&1 >/dev/null); then
		bad "$d: exit 0"
	elif [ -z "$err" ]; then
		bad "$d: no message"
	fi
}
usage_error "no subcommand"
usage_error "unknown subcommand" frobnicate
usage_error "init without --out" init --kms-uri $KMS
usage_error "init without --kms-uri" init --out "$T/x"
usage_error "init bad period" init --kms-uri $KMS --out "$T/x" --period abc
usage_error "init zero period" init --kms-uri $KMS --out "$T/x" --period 0
usage_error "init offset >= period" init --kms-uri $KMS --out "$T/x" --period 10 --offset 10
usage_error "init unknown option" init --kms-uri $KMS --out "$T/x" --bogus 1
usage_error "issue without user" issue --kms "$T/kms" --period-no 1 --out "$T/y.xml"
usage_error "issue both period and time" issue --kms "$T/kms" --user $USER --period-no 1 --time 5 --out "$T/y.xml"
usage_error "issue neither period nor time" issue --kms "$T/kms" --user $USER --out "$T/y.xml"
usage_error "issue negative period" issue --kms "$T/kms" --user $USER --period-no -1 --out "$T/y.xml"
usage_error "issue missing KMS" issue --kms "$T/nokms" --user $USER --period-no 1 --out "$T/y.xml"
usage_error "issue bad --trk" issue --kms "$T/kms" --user $USER --period-no 1 --out "$T/y.xml" --trk nohex
usage_error "issue short --trk" issue --kms "$T/kms" --user $USER --period-no 1 --out "$T/y.xml" --trk a=0011
usage_error "issue unwritable out" issue --kms "$T/kms" --user $USER --period-no 1 --out "$T/no/dir/y.xml"
usage_error "show missing file" show "$T/missing.xml"
usage_error "show no file" show
usage_error "check without cert" check --keyset "$T/a1529.xml"
printf 'kms-uri=x\nperiod=1\n' >"$T/kms/kms-secret.txt"
usage_error "issue with broken secret file" issue --kms "$T/kms" --user $USER --period-no 1 --out "$T/y.xml"
[ -e "$T/y.xml" ] && bad "a failed issue left a file"

[ $fail -eq 0 ] && echo "kms.sh: all passed"
exit $fail
