#!/usr/bin/env bash
# XML signalling protection (TS 33.180 9.3) through the mcsec tool, and
# interop with the xmlsec1 command-line tool (OpenSSL backend) using the same
# F.1.4 keys, derived here independently with `openssl mac`:
#  - xmlsec1 decrypts what `mcsec xml encrypt` produces, mcsec decrypts what
#    `xmlsec1 --encrypt` produces (aes128-gcm, Type #Content, KeyName);
#  - xmlsec1 verifies every ds:Signature `mcsec body sign` produces (cid:
#    references mapped with --url-map), mcsec verifies what `xmlsec1 --sign`
#    produces; tampering makes both fail;
#  - uri encrypt/decrypt, the 9.3.4.3 known answer, body protect/unprotect.
# Run from the repository top with MCSEC set (default build/mcsec).
set -euo pipefail
M="${MCSEC:-build/mcsec}"
V=tests/vectors/xml
T="$(mktemp -d "${TMPDIR:-/tmp}/mcsec-xml.XXXXXX")"
trap 'rm -rf "$T"' EXIT
n=0
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
kv() { sed -n "s/^$1=//p" "$V/uri_kat.txt"; }
hex2bin() { printf "$(printf %s "$1" | sed 's/../\\x&/g')"; }

[ -x "$M" ] || fail "$M not built"
command -v openssl >/dev/null || fail "openssl CLI missing (package openssl)"
XPK=$(kv xpk)
KID=$(kv xpk-id)
MC=$(kv mcx-id)
KN=IACrzQ== # base64 of the XPK-ID 2000abcd
K=(--xpk "$XPK" --xpk-id "$KID" --mcx-id "$MC")

# F.1.4: KDF(XPK, FC || MC-ID || L0 || XPK-ID || 0x0004), last 16 octets
derive() {
	local fc=$1 s
	s="${fc}$(printf %s "$MC" | od -An -tx1 | tr -d ' \n')$(printf '%04x' ${#MC})${KID}0004"
	hex2bin "$s" >"$T/s.bin"
	openssl mac -digest SHA256 -macopt "hexkey:$XPK" -in "$T/s.bin" HMAC | tr 'A-F' 'a-f' | tail -c 33
}
CONF=$(derive 51)
INTEG=$(derive 52)
[ "$CONF" = "$(kv conf)" ] || fail "openssl-derived conf key differs from the vector"
[ "$INTEG" = "$(kv integ)" ] || fail "openssl-derived integ key differs from the vector"
hex2bin "$CONF" >"$T/conf.key"
hex2bin "$INTEG" >"$T/integ.key"
hex2bin "$XPK" >"$T/xpk.key"
ok "F.1.4 keys derived with openssl match the vector"

c14n() { xmllint --c14n "$1" 2>/dev/null || cat "$1"; }
same_doc() { # after decryption the marker is back to Normal
	diff <(c14n "$1") <(c14n "$2") >/dev/null
}

# ---------- content encryption: mcsec round trip ----------
"$M" xml encrypt "${K[@]}" "$V/mcptt_info.xml" >"$T/enc.xml"
[ "$(grep -c '<EncryptedData' "$T/enc.xml")" -eq 2 ] || fail "expected 2 EncryptedData"
grep -q 'sip:group1' "$T/enc.xml" && fail "plaintext left in encrypted doc"
grep -q "<ds:KeyName>$KN</ds:KeyName>" "$T/enc.xml" || fail "KeyName missing"
grep -q 'type="Encrypted"' "$T/enc.xml" || fail "type marker missing"
"$M" xml decrypt "${K[@]}" "$T/enc.xml" >"$T/dec.xml"
same_doc "$V/mcptt_info.xml" "$T/dec.xml" || fail "mcsec round trip differs"
ok "mcsec xml encrypt/decrypt round trip"

# wrong key: decryption must fail (GCM tag)
if "$M" xml decrypt --xpk 0f0e0d0c0b0a09080706050403020100 --xpk-id "$KID" --mcx-id "$MC" \
	"$T/enc.xml" >/dev/null 2>&1; then fail "decrypt with a wrong XPK succeeded"; fi
# tampered ciphertext
sed 's/<CipherValue>\(.\)/<CipherValue>A\1/;s/<CipherValue>AA/<CipherValue>BA/' "$T/enc.xml" >"$T/tampered.xml"
cmp -s "$T/enc.xml" "$T/tampered.xml" && fail "tampering did not change the file"
if "$M" xml decrypt "${K[@]}" "$T/tampered.xml" >/dev/null 2>&1; then fail "tampered ciphertext accepted"; fi
ok "wrong key and tampered ciphertext rejected"

if ! command -v xmlsec1 >/dev/null; then
	fail "xmlsec1 CLI not installed (package xmlsec1): interop not tested"
fi

# ---------- mcsec -> xmlsec1 (decrypt every EncryptedData, one per run) ----------
cp "$T/enc.xml" "$T/x.xml"
while grep -q '<EncryptedData' "$T/x.xml"; do
	xmlsec1 --decrypt --aeskey:"$KN" "$T/conf.key" "$T/x.xml" >"$T/x2.xml" 2>"$T/err" ||
		fail "xmlsec1 could not decrypt mcsec output: $(cat "$T/err")"
	mv "$T/x2.xml" "$T/x.xml"
done
sed 's/type="Encrypted"/type="Normal"/g' "$T/x.xml" >"$T/x3.xml"
same_doc "$V/mcptt_info.xml" "$T/x3.xml" || fail "xmlsec1 decryption differs from original"
ok "xmlsec1 decrypts mcsec xml encrypt output (derived key)"

# raw-XPK interop option
"$M" xml encrypt "${K[@]}" --raw-xpk "$V/mcptt_info.xml" >"$T/encr.xml"
xmlsec1 --decrypt --aeskey:"$KN" "$T/xpk.key" "$T/encr.xml" >/dev/null 2>&1 ||
	fail "xmlsec1 could not decrypt --raw-xpk output with the XPK"
if xmlsec1 --decrypt --aeskey:"$KN" "$T/conf.key" "$T/encr.xml" >/dev/null 2>&1; then
	fail "--raw-xpk output decrypted with the derived key"
fi
ok "--raw-xpk uses the XPK itself"

# ---------- xmlsec1 -> mcsec ----------
cat >"$T/tmpl.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Content"><EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes128-gcm"/><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyName>$KN</ds:KeyName></ds:KeyInfo><CipherData><CipherValue/></CipherData></EncryptedData>
EOF
cp "$V/mcptt_info.xml" "$T/src.xml"
for el in mcptt-request-uri mcptt-calling-user-id; do
	xmlsec1 --encrypt --aeskey:"$KN" "$T/conf.key" --xml-data "$T/src.xml" \
		--node-xpath "//*[local-name()='$el']" "$T/tmpl.xml" >"$T/src2.xml" 2>"$T/err" ||
		fail "xmlsec1 --encrypt failed: $(cat "$T/err")"
	mv "$T/src2.xml" "$T/src.xml"
done
[ "$(grep -c '<EncryptedData' "$T/src.xml")" -eq 2 ] || fail "xmlsec1 output lacks EncryptedData"
"$M" xml decrypt "${K[@]}" "$T/src.xml" >"$T/dec2.xml" || fail "mcsec could not decrypt xmlsec1 output"
same_doc "$V/mcptt_info.xml" "$T/dec2.xml" || fail "mcsec decryption of xmlsec1 output differs"
"$M" xml decrypt "${K[@]}" "$V/xmlsec1_encrypted.xml" >"$T/dec3.xml" || fail "stored xmlsec1 vector"
same_doc "$V/mcptt_info.xml" "$T/dec3.xml" || fail "stored xmlsec1 vector differs"
ok "mcsec decrypts xmlsec1 --encrypt output"

# ---------- signatures: mcsec -> xmlsec1 ----------
B=tst-b0undary
CT="multipart/mixed;boundary=$B"
sed 's/$/\r/' "$V/mcptt_info.xml" >"$T/p1.xml"
printf '<?xml version="1.0"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list><entry uri="sip:bob@example.org"/></list></resource-lists>' >"$T/p2.xml"
{
	printf -- '--%s\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n' "$B"
	printf -- '--%s\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\n\r\n' "$B"
	cat "$T/p1.xml"
	printf -- '\r\n--%s\r\nContent-Type: application/resource-lists+xml\r\nContent-ID: <rl1@op1.example>\r\n\r\n' "$B"
	cat "$T/p2.xml"
	printf -- '\r\n--%s--\r\n' "$B"
} >"$T/body.txt"
"$M" body sign "${K[@]}" --content-type "$CT" "$T/body.txt" >"$T/signed.txt"
grep -q 'Content-Type: application/vnd.3gpp.mcptt-signed+xml' "$T/signed.txt" || fail "no signatures part"
grep -q "^--$B--" "$T/signed.txt" || fail "boundary not kept"
[ "$(grep -c '^Content-ID: ' "$T/signed.txt")" -eq 2 ] || fail "Content-ID not added"
"$M" body verify "${K[@]}" --content-type "$CT" "$T/signed.txt" | grep -qx 'signed=2' || fail "self verify"
awk '/mcptt-signed\+xml/{f=1;next} f&&/^<\?xml/{p=1} p{print} /^<\/signatures>/{p=0}' "$T/signed.txt" >"$T/sigs.xml"
CID1=$(grep -o 'cid:xml[^"]*' "$T/sigs.xml")
[ -n "$CID1" ] || fail "generated cid not found"
xmlsec1 --verify --hmackey:"$KN" "$T/integ.key" --url-map:"$CID1" "$T/p1.xml" \
	--node-xpath "(//*[local-name()='Signature'])[1]" "$T/sigs.xml" >/dev/null 2>&1 ||
	fail "xmlsec1 rejects mcsec signature 1"
xmlsec1 --verify --hmackey:"$KN" "$T/integ.key" --url-map:cid:rl1@op1.example "$T/p2.xml" \
	--node-xpath "(//*[local-name()='Signature'])[2]" "$T/sigs.xml" >/dev/null 2>&1 ||
	fail "xmlsec1 rejects mcsec signature 2"
sed 's/bob@/eve@/' "$T/p2.xml" >"$T/p2x.xml"
if xmlsec1 --verify --hmackey:"$KN" "$T/integ.key" --url-map:cid:rl1@op1.example "$T/p2x.xml" \
	--node-xpath "(//*[local-name()='Signature'])[2]" "$T/sigs.xml" >/dev/null 2>&1; then
	fail "xmlsec1 accepted a modified part"
fi
if xmlsec1 --verify --hmackey:"$KN" "$T/conf.key" --url-map:cid:rl1@op1.example "$T/p2.xml" \
	--node-xpath "(//*[local-name()='Signature'])[2]" "$T/sigs.xml" >/dev/null 2>&1; then
	fail "xmlsec1 accepted the signature under the wrong key"
fi
ok "xmlsec1 verifies mcsec body sign output (and rejects tampering)"

# tampering with the signed body is caught by mcsec too
sed 's/bob@example/eve@example/' "$T/signed.txt" >"$T/signed_x.txt"
if "$M" body verify "${K[@]}" --content-type "$CT" "$T/signed_x.txt" >/dev/null 2>&1; then
	fail "mcsec accepted a modified part"
fi
if "$M" body verify "${K[@]}" --content-type "$CT" "$T/body.txt" >/dev/null 2>&1; then
	fail "mcsec accepted an unsigned body"
fi
ok "mcsec body verify rejects modified and unsigned bodies"

# ---------- signatures: xmlsec1 -> mcsec ----------
sig_tmpl() {
	printf '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"/><Reference URI="cid:%s"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><KeyName>%s</KeyName></KeyInfo></Signature>\n' "$1" "$KN"
}
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<signatures>\n'
	sig_tmpl mcptt1@op1.example
	sig_tmpl mcptt2@op1.example
	printf '</signatures>\n'
} >"$T/stmpl.xml"
xmlsec1 --sign --hmackey:"$KN" "$T/integ.key" --url-map:cid:mcptt1@op1.example "$T/p1.xml" \
	--node-xpath "(//*[local-name()='Signature'])[1]" "$T/stmpl.xml" >"$T/s1.xml" 2>"$T/err" ||
	fail "xmlsec1 --sign: $(cat "$T/err")"
xmlsec1 --sign --hmackey:"$KN" "$T/integ.key" --url-map:cid:mcptt2@op1.example "$T/p2.xml" \
	--node-xpath "(//*[local-name()='Signature'])[2]" "$T/s1.xml" >"$T/s2.xml" 2>"$T/err" ||
	fail "xmlsec1 --sign: $(cat "$T/err")"
mk_body() { # $1 = part 2 file
	printf -- '--%s\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\nContent-ID: <mcptt1@op1.example>\r\n\r\n' "$B"
	cat "$T/p1.xml"
	printf -- '\r\n--%s\r\nContent-Type: application/resource-lists+xml\r\nContent-ID: <mcptt2@op1.example>\r\n\r\n' "$B"
	cat "$1"
	printf -- '\r\n--%s\r\nContent-Type: application/vnd.3gpp.mcptt-signed+xml\r\n\r\n' "$B"
	cat "$T/s2.xml"
	printf -- '\r\n--%s--\r\n' "$B"
}
mk_body "$T/p2.xml" >"$T/xs_body.txt"
"$M" body verify "${K[@]}" --content-type "$CT" "$T/xs_body.txt" | grep -qx 'signed=2' ||
	fail "mcsec rejects xmlsec1 signatures"
mk_body "$T/p2x.xml" >"$T/xs_body_x.txt"
if "$M" body verify "${K[@]}" --content-type "$CT" "$T/xs_body_x.txt" >/dev/null 2>&1; then
	fail "mcsec accepted xmlsec1-signed body with a modified part"
fi
"$M" body verify "${K[@]}" --content-type "$(cat "$V/xmlsec1_signed_body.ctype")" \
	"$V/xmlsec1_signed_body.txt" | grep -qx 'signed=2' || fail "stored xmlsec1 signed body"
ok "mcsec verifies xmlsec1 --sign output (and rejects tampering)"

# ---------- URI attributes ----------
U=sip:thegroup@mcptt.org
E=$("$M" uri encrypt "${K[@]}" "$U")
[[ "$E" =~ ^sip:[A-Za-z0-9_-]+\;iv=[A-Za-z0-9_-]{16}\;key-id=IACrzQ\;alg=128-aes-gcm@mc1-encryption\.3gppnetwork\.org$ ]] ||
	fail "encrypted URI has the wrong form: $E"
[ "$("$M" uri decrypt "${K[@]}" "$E")" = "$U" ] || fail "uri round trip"
E2=$("$M" uri encrypt "${K[@]}" --domain enc.partner.example "$U")
[[ "$E2" == *@enc.partner.example ]] || fail "--domain ignored"
[ "$E" != "$("$M" uri encrypt "${K[@]}" "$U")" ] || fail "IV not random"
[ "$("$M" uri decrypt "${K[@]}" "$(kv encrypted)")" = "$(kv uri)" ] || fail "9.3.4.3 known answer"
[ "$("$M" uri decrypt "${K[@]}" --raw-xpk "$(kv encrypted-raw-xpk)")" = "$(kv uri)" ] ||
	fail "9.3.4.3 known answer (raw XPK)"
if "$M" uri decrypt "${K[@]}" "$(kv encrypted-raw-xpk)" >/dev/null 2>&1; then
	fail "raw-XPK ciphertext decrypted with derived key"
fi
ok "uri encrypt/decrypt, known answer, domain, random IV"

# ---------- body protect / unprotect with the example policy ----------
"$M" body protect "${K[@]}" --policy cfg/xml-policy.example --content-type "$CT" \
	"$T/body.txt" >"$T/prot.txt"
grep -q 'sip:group1' "$T/prot.txt" && fail "protect left a group ID in clear"
grep -q 'sip:bob@example.org' "$T/prot.txt" && fail "protect left a resource-list URI in clear"
grep -q 'mcptt-signed+xml' "$T/prot.txt" || fail "policy requires integrity: no signature"
"$M" body unprotect "${K[@]}" --policy cfg/xml-policy.example --content-type "$CT" \
	"$T/prot.txt" >"$T/unprot.txt"
grep -q 'mcptt-signed+xml' "$T/unprot.txt" && fail "signatures part not removed"
grep -q 'sip:group1@example.org' "$T/unprot.txt" || fail "group ID not restored"
grep -q 'entry uri="sip:bob@example.org"' "$T/unprot.txt" || fail "URI attribute not restored"
if "$M" body unprotect "${K[@]}" --policy cfg/xml-policy.example --content-type "$CT" \
	"$T/body.txt" >/dev/null 2>&1; then fail "unsigned body accepted where integrity is required"; fi
ok "body protect/unprotect with cfg/xml-policy.example"

# ---------- usage errors: exit 2, failures: exit 1 ----------
rc=0
"$M" xml encrypt --xpk-id "$KID" --mcx-id "$MC" "$V/mcptt_info.xml" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "missing --xpk: exit $rc, want 2"
rc=0
"$M" xml encrypt --xpk 0011 --xpk-id "$KID" --mcx-id "$MC" "$V/mcptt_info.xml" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "short --xpk: exit $rc, want 2"
rc=0
"$M" body verify "${K[@]}" "$T/signed.txt" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "missing --content-type: exit $rc, want 2"
rc=0
"$M" uri decrypt "${K[@]}" "sip:not-encrypted@example.org" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "uri decrypt of a plain URI: exit $rc, want 1"
rc=0
printf '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>' | "$M" xml decrypt "${K[@]}" - >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "DTD accepted by xml decrypt (exit $rc)"
printf 'bad = line\n' >"$T/bad.policy"
"$M" xml encrypt "${K[@]}" --policy "$T/bad.policy" "$V/mcptt_info.xml" 2>"$T/err" >/dev/null &&
	fail "bad policy accepted"
grep -q 'line 1' "$T/err" || fail "policy error does not name the line"
ok "usage errors, refused input and bad policy files"

echo "all $n xml tool checks passed"
