#!/usr/bin/env bash
# KRR re-generation at the CS proxy (TS 33.180 5.2.8.2.4, D.4) through cfg/kamailio-cs-proxy.cfg
# (route MCSEC_KMS_REPLY: mcsec_process_krr("cs-out") on replies from the MCX side, "cs-in" on
# replies from clients). The far end answers an acceptable MIKEY request with 488 + a KRR made by
# `mcsec krr build|rebuild` and signed by a partner whose certificate is a krr_trust anchor:
#  - case D: KRR on its way to the client with an initiator list of ANY: replaced by a signed KRR
#    (schema-valid, xmlsec1 verifies the outer signature with the demo certificate) whose initiator
#    list is the local one and which embeds the received KRR (its signature still verifies);
#  - case A: KRR from a client whose receiver list names a KMS refused here: list reduced;
#  - a KRR of 4 levels becomes 5; one of 5 is forwarded unchanged (no 6th level, counted);
#  - unsigned and untrusted received KRRs: removed (488 forwarded without it) under
#    "krr-unsigned/krr-untrusted reject"; after mcsec.reload with "accept" they are re-generated.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
. "$(dirname "$0")/krr_lib.sh"
it_init krr_regen
krr_setup
"$IT_TOP/scripts/krr-demo-cert.sh" "$IT_DIR/krr-stranger" stranger.example.com || it_fail "stranger pair"
PSIGN=(--key "$KRR_PEER/krr-key.pem" --cert "$KRR_PEER/krr-cert.pem")
policy() { # FLAG: reject|accept
	cat >"$IT_DIR/kms-policy" <<POL
home kms.example.org
migration kms.mig.example.org
local *@example.org
krr-creator $CSK_PROXY
krr-unsigned $1
krr-untrusted $1
default both @home @migration
POL
}
policy reject
export MCSEC_KMS_POLICY="$IT_DIR/kms-policy" MCSEC_KRR_TRUST="$KRR_PEER/krr-cert.pem"
kam_start || it_fail "kamailio did not start"
krr_csk alice
krr_csk bob

# the partner's KRRs about alice's PCK offer to bob (case D there: bob is reached through other
# KMSs): initiator list ANY
krr_mikey "$IT_DIR/pck.b64" alice sip:bob@example.org PCK
krr_sdp "$IT_DIR/pck.sdp" "$IT_DIR/pck.b64"
printf 'home kms.partner.example.net\ndefault receiver kms.bad1.example kms.bad2.example kms.bad3.example kms.partner.example.net\nkrr-creator sip:is-proxy@partner.example.net\n' >"$IT_DIR/peer1"
"$MCSEC" krr build --policy "$IT_DIR/peer1" --role cs-out "${PSIGN[@]}" "$IT_DIR/pck.b64" \
	>"$IT_DIR/rx1.xml" 2>/dev/null || it_fail "krr build rx1"
# deeper ones: each partner hop drops one more receiver KMS (case A there)
prev="$IT_DIR/rx1.xml"
for n in 2 3 4 5; do
	case $n in
	2) l="kms.bad2.example kms.bad3.example kms.partner.example.net" ;;
	3) l="kms.bad3.example kms.partner.example.net" ;;
	4) l="kms.partner.example.net" ;;
	5) l="kms.bad9.example" ;;
	esac
	printf 'home kms.partner.example.net\ndefault receiver %s\nkrr-creator sip:hop%s@partner.example.net\n' "$l" "$n" >"$IT_DIR/peer$n"
	"$MCSEC" krr rebuild --policy "$IT_DIR/peer$n" --role cs-in "${PSIGN[@]}" "$prev" \
		>"$IT_DIR/rx$n.xml" 2>"$IT_DIR/rx$n.err" || { cat "$IT_DIR/rx$n.err" >&2; it_fail "krr rebuild rx$n"; }
	grep -q "^case=A" "$IT_DIR/rx$n.err" || it_fail "rx$n: not re-generated"
	prev="$IT_DIR/rx$n.xml"
done
"$MCSEC" krr decode "$IT_DIR/rx4.xml" | grep -q '^level=4$' || it_fail "rx4 has not 4 levels"

# one call: alice's offer, the MCX side answers 488 with KRR file $2; reply body -> $IT_DIR/$1.xml
offer() { # NAME KRR-FILE
	krr_uas "$1-mcx" "$MCX_PORT" INVITE 488 application/vnd.3gpp.kmsredirectresponse+xml "$2"
	krr_uac "$1" "$UAC_PORT" INVITE sip:bob@example.org application/sdp "$IT_DIR/pck.sdp" 488 alice ||
		it_fail "$1: no 488 at the client"
	wait "$KRR_UAS_PID" 2>/dev/null
	[ "$(krr_uas_received "$1-mcx" INVITE)" = 1 ] || it_fail "$1: the offer did not reach the MCX side"
}

# ---- case D: 1 level received, 2 levels forwarded ----
offer d1 "$IT_DIR/rx1.xml"
krr_reply_body d1 488 "$IT_DIR/d1.xml"
krr_valid "$IT_DIR/d1.xml"
out="$(krr_top "$IT_DIR/d1.xml")"
krr_has d1 "^creator=$CSK_PROXY\$" "$out"
krr_has d1 '^initiator-list=kms.example.org,kms.mig.example.org$' "$out"
krr_has d1 '^receiver-list=kms.bad1.example,kms.bad2.example,kms.bad3.example,kms.partner.example.net$' "$out"
out="$("$MCSEC" krr decode --trust "$KRR_PEER/krr-cert.pem" "$IT_DIR/d1.xml")"
krr_has d1-embedded '^level=2$' "$out"
krr_has d1-embedded '^signature=valid$' "$(printf '%s\n' "$out" | sed -n '/^level=2$/,$p')"
krr_has d1-embedded '^creator=sip:is-proxy@partner.example.net$' "$(printf '%s\n' "$out" | sed -n '/^level=2$/,$p')"

# ---- 4 levels received: the fifth is ours ----
offer d4 "$IT_DIR/rx4.xml"
krr_reply_body d4 488 "$IT_DIR/d4.xml"
krr_valid "$IT_DIR/d4.xml"
out="$("$MCSEC" krr decode "$IT_DIR/d4.xml")"
krr_has d4 '^level=5$' "$out"
printf '%s\n' "$out" | grep -q '^level=6$' && it_fail "d4: more than 5 levels"
krr_has d4 "^creator=$CSK_PROXY\$" "$(krr_top "$IT_DIR/d4.xml")"

# ---- 5 levels received: forwarded unchanged, no 6th level ----
offer d5 "$IT_DIR/rx5.xml"
krr_reply_body d5 488 "$IT_DIR/d5.xml"
out="$("$MCSEC" krr decode "$IT_DIR/d5.xml")"
krr_has d5 '^level=5$' "$out"
printf '%s\n' "$out" | grep -q '^level=6$' && it_fail "d5: a 6th level was created"
krr_has d5 '^creator=sip:hop5@partner.example.net$' "$(krr_top "$IT_DIR/d5.xml")"
tr -d '\r' <"$IT_DIR/d5.xml" | cmp -s - "$IT_DIR/rx5.xml" || it_fail "d5: the 5-level KRR was changed"
"$MCSEC" krr verify --trust "$KRR_PEER/krr-cert.pem" "$IT_DIR/d5.xml" >/dev/null 2>&1 || it_fail "d5 does not verify"
[ "$(krr_stat too_deep)" = 1 ] || it_fail "too_deep counter"

# ---- case A: a KRR from client bob about the GMS's GMK notification ----
krr_mikey "$IT_DIR/gmk.b64" gms sip:bob@example.org GMK
printf 'home kms.example.org\ndefault receiver kms.elsewhere.example kms.mig.example.org\nkrr-creator sip:bob@example.org\n' >"$IT_DIR/bobpol"
"$MCSEC" krr build --policy "$IT_DIR/bobpol" --role cs-out "${PSIGN[@]}" "$IT_DIR/gmk.b64" \
	>"$IT_DIR/rx-bob.xml" 2>/dev/null || it_fail "krr build rx-bob"
krr_uas a-client "$UAC_PORT" NOTIFY 488 application/vnd.3gpp.kmsredirectresponse+xml "$IT_DIR/rx-bob.xml"
KRR_TO=sip:bob@example.org krr_uac a-gms "$MCX_PORT" NOTIFY "sip:bob@127.0.0.1:$UAC_PORT" application/mikey \
	"$IT_DIR/gmk.b64" 488 gms || it_fail "case A: no 488 at the MCX side"
krr_reply_body a-gms 488 "$IT_DIR/a.xml"
krr_valid "$IT_DIR/a.xml"
out="$(krr_top "$IT_DIR/a.xml")"
krr_has a '^receiver-list=kms.mig.example.org$' "$out"
krr_has a '^initiator-list=ANY$' "$out"
krr_has a '^level=2$' "$("$MCSEC" krr decode "$IT_DIR/a.xml")"

# ---- unsigned / untrusted under "reject": the 488 goes on without the KRR ----
"$MCSEC" krr build --policy "$IT_DIR/peer1" --role cs-out --unsigned "$IT_DIR/pck.b64" \
	>"$IT_DIR/rx-unsigned.xml" 2>/dev/null || it_fail "krr build unsigned"
"$MCSEC" krr build --policy "$IT_DIR/peer1" --role cs-out --key "$IT_DIR/krr-stranger/krr-key.pem" \
	--cert "$IT_DIR/krr-stranger/krr-cert.pem" "$IT_DIR/pck.b64" >"$IT_DIR/rx-untrusted.xml" 2>/dev/null ||
	it_fail "krr build untrusted"
for k in unsigned untrusted; do
	offer "rej-$k" "$IT_DIR/rx-$k.xml"
	[ -z "$(krr_reply_ct "rej-$k" 488)" ] || it_fail "$k KRR forwarded under reject"
	[ "$(krr_stat "${k}_rejected")" = 1 ] || it_fail "${k}_rejected counter"
done

# ---- mcsec.reload with "accept": the same KRRs are now re-generated ----
policy accept
kam_rpc mcsec.reload >"$IT_DIR/reload.txt" 2>&1
grep -q "generation: 2" "$IT_DIR/reload.txt" || { cat "$IT_DIR/reload.txt" >&2; it_fail "mcsec.reload"; }
for k in unsigned untrusted; do
	offer "acc-$k" "$IT_DIR/rx-$k.xml"
	krr_reply_body "acc-$k" 488 "$IT_DIR/acc-$k.xml"
	krr_valid "$IT_DIR/acc-$k.xml"
	krr_has "acc-$k" '^initiator-list=kms.example.org,kms.mig.example.org$' "$(krr_top "$IT_DIR/acc-$k.xml")"
	[ "$(krr_stat "${k}_accepted")" = 1 ] || it_fail "${k}_accepted counter"
done
kam_rpc mcsec.stats >"$IT_DIR/stats.txt"
grep -A5 "krr_regenerated" "$IT_DIR/stats.txt" | grep -q "D: 4" || { cat "$IT_DIR/stats.txt" >&2; it_fail "regenerated D counter"; }
grep -A5 "krr_regenerated" "$IT_DIR/stats.txt" | grep -q "A: 1" || it_fail "regenerated A counter"
it_log "PASS krr_regen"
