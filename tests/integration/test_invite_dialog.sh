#!/usr/bin/env bash
# INVITE dialog: the proxy record-routes the INVITE; ACK and BYE are relayed in-dialog along the
# route set (loose routing) to the SIPp UAS; the UAC gets 200s back through the proxy.
. "$(dirname "$0")/lib.sh"
it_init invite_dialog
kam_start || it_fail "kamailio did not start"
sipp_uas uas_invite_dialog.xml -m 1
sipp_uac uac_invite_dialog.xml -m 1 || it_fail "UAC: dialog did not complete through the proxy"
sipp_uas_wait || it_fail "UAS: the dialog requests were not relayed as expected"
it_log "PASS invite_dialog"
