#!/usr/bin/env bash
# CSK upload through a real Kamailio (TS 33.180 5.4, 9.2.1.3, I.3.4, I.3.5): REGISTER, PUBLISH and
# SUBSCRIBE with a fresh I_MESSAGE and encrypted mcptt-info reach the SIPp UAS (MCX server)
# without the MIKEY part and with the access token / MC service ID in clear; mcsec.clients lists
# the binding with its CSK-ID; a refresh with the same I_MESSAGE costs no decapsulation (and a
# worker reuses the body it decrypted before; not after a revoke); a second
# proxy identity keeps both bindings (counted); de-REGISTER removes the client's bindings.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
it_init csk_upload
csk_keys
kam_start || it_fail "kamailio did not start"

# --- REGISTER
csk_upload "$IT_DIR/reg" alice
. "$IT_DIR/reg.env"
csk_uas uas_csk_upload.xml REGISTER -m 5
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/reg.csv" -m 1 || it_fail "REGISTER: no 200"
out="$(kam_rpc mcsec.clients)"
echo "$out" >&2
echo "$out" | grep -q "mcx_id: sip:alice@example.org" || it_fail "binding not listed"
echo "$out" | grep -q "csk_id: $CSK_ID" || it_fail "CSK-ID $CSK_ID not listed"
echo "$out" | grep -q "impu: sip:alice@example.org" || it_fail "IMPU not listed"
echo "$out" | grep -q "proxy_id: $CSK_PROXY" || it_fail "proxy identity not listed"
[ "$(csk_stat decapsulations)" = 1 ] || it_fail "decapsulations != 1"
[ "$(csk_stat cache_hits)" = 0 ] || it_fail "cache_hits != 0"

# --- refreshes with the same I_MESSAGE: forwarded the same way, no second decapsulation; four of
# them over the two SIP workers, so a worker also serves the decrypted body it remembered (every
# one must reach the UAS with the token and the MC service ID in clear)
for i in 1 2 3 4; do
	csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/reg.csv" -m 1 || it_fail "refresh $i: no 200"
done
sipp_uas_wait || it_fail "UAS: a forwarded REGISTER was not as expected"
[ "$(csk_stat decapsulations)" = 1 ] || it_fail "refresh decapsulated again"
[ "$(csk_stat cache_hits)" = 4 ] || it_fail "cache_hits != 4"
kam_rpc mcsec.client sip:alice@example.org | grep -q "refreshes: 4" || it_fail "refreshes != 4"

# --- PUBLISH and SUBSCRIBE (bob, carol)
csk_upload "$IT_DIR/pub" bob
csk_uas uas_csk_upload.xml PUBLISH -m 1
csk_uac uac_csk_upload.xml PUBLISH 200 OK "$IT_DIR/pub.csv" -m 1 || it_fail "PUBLISH: no 200"
sipp_uas_wait || it_fail "UAS: the forwarded PUBLISH was not as expected"
. "$IT_DIR/pub.env"
kam_rpc mcsec.client sip:bob@example.org | grep -q "csk_id: $CSK_ID" || it_fail "bob's CSK-ID"

csk_upload "$IT_DIR/sub" carol
csk_uas uas_csk_upload.xml SUBSCRIBE -m 1
csk_uac uac_csk_upload.xml SUBSCRIBE 200 OK "$IT_DIR/sub.csv" -m 1 || it_fail "SUBSCRIBE: no 200"
sipp_uas_wait || it_fail "UAS: the forwarded SUBSCRIBE was not as expected"

# --- I.3.5: alice again through the second identity: both bindings kept, counted
csk_upload "$IT_DIR/reg2" alice --to2
csk_uas uas_csk_upload.xml REGISTER -m 1
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/reg2.csv" -m 1 || it_fail "2nd identity: no 200"
sipp_uas_wait || it_fail "UAS: 2nd identity REGISTER"
[ "$(kam_rpc mcsec.client sip:alice@example.org | grep -c 'proxy_id:')" = 2 ] || it_fail "not 2 bindings"
[ "$(csk_stat dual_bindings)" = 1 ] || it_fail "dual_bindings != 1"
[ "$(csk_stat entries)" = 4 ] || it_fail "entries != 4"
shm="$(csk_stat shm_used)"
[ "$shm" -gt 0 ] && [ "$shm" -le $((4 * 512)) ] || it_fail "shm_used $shm not within 512 octets per client"
# never key bytes in the RPC output
. "$IT_DIR/reg.env"
kam_rpc mcsec.clients | grep -qi "csk:" && it_fail "a CSK in mcsec.clients"

# --- de-REGISTER (Expires: 0) removes alice's bindings; mcsec.revoke removes bob's
csk_uas uas_plain.xml REGISTER -m 1
sipp_uac uac_deregister.xml -m 1 -key user alice || it_fail "de-REGISTER: no 200"
sipp_uas_wait || it_fail "UAS: de-REGISTER"
kam_rpc mcsec.client sip:alice@example.org 2>&1 | grep -q "mcx_id:" && it_fail "alice still bound"
kam_rpc mcsec.client sip:alice@example.org 2>&1 | grep -q "404" || it_fail "no 404 for alice"
[ "$(csk_stat deregistrations)" = 2 ] || it_fail "deregistrations != 2"
kam_rpc mcsec.revoke sip:bob@example.org | grep -q "removed: 1" || it_fail "revoke"
kam_rpc mcsec.client sip:bob@example.org 2>&1 | grep -q "mcx_id:" && it_fail "bob still bound"
# the refresh of a revoked binding is not served from any worker's memory: a replay
csk_uas uas_plain.xml PUBLISH -m 5
csk_uac uac_csk_upload.xml PUBLISH 403 "CSK upload replayed" "$IT_DIR/pub.csv" -m 1 ||
	it_fail "refresh after revoke: no 403 replayed"
csk_uac uac_csk_upload.xml PUBLISH 403 "CSK upload replayed" "$IT_DIR/pub.csv" -m 1 ||
	it_fail "refresh after revoke (2): no 403 replayed"
sleep 0.3
[ "$(uas_received PUBLISH)" = 0 ] || it_fail "the MCX server received the refresh of a revoked binding"
[ "$(csk_stat entries)" = 1 ] || it_fail "entries != 1 after de-REGISTER and revoke"
it_log "PASS csk_upload"
