#!/usr/bin/env bash
# $mcsec(mcx_id), $mcsec(csk_id), $mcsec(impu) after a successful mcsec_csk_upload() (called
# synchronously, without the async route), and $mcsec(err_code) / $mcsec(err_reason) after a
# refused one (logged by the test config tests/integration/csk-pv-test.cfg).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/csk_lib.sh"
it_init csk_upload_pv
csk_keys
export KAM_CFG="$IT_TOP/tests/integration/csk-pv-test.cfg"
kam_start || it_fail "kamailio did not start"
csk_upload "$IT_DIR/ok" alice
. "$IT_DIR/ok.env"
CSK_ID_EXPECT="$CSK_ID" csk_uas uas_csk_pv.xml REGISTER -m 1
csk_uac uac_csk_upload.xml REGISTER 200 OK "$IT_DIR/ok.csv" -m 1 || it_fail "no 200"
sipp_uas_wait || it_fail "UAS: PVs not as expected"
# refused: stale
csk_upload "$IT_DIR/stale" alice --time $(($(date +%s) + 2208988800 - 3600))
csk_uac uac_csk_upload.xml REGISTER 403 "not fresh" "$IT_DIR/stale.csv" -m 1 || it_fail "no 403"
sleep 0.3
grep -q "PVTEST rc=-3 err_code=403 err_reason=\[CSK upload timestamp not fresh\] csk_id=\[<null>\]" \
	"$IT_DIR/kamailio.log" || it_fail "error PVs not set as expected"
it_log "PASS csk_upload_pv"
