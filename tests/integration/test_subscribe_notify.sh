#!/usr/bin/env bash
# SUBSCRIBE relayed and record-routed to the MCX server (SIPp UAS); the MCX server's in-dialog
# NOTIFY follows the route set back through the proxy to the client (SIPp UAC).
. "$(dirname "$0")/lib.sh"
it_init subscribe_notify
kam_start || it_fail "kamailio did not start"
sipp_uas uas_subscribe_notify.xml -m 1
sipp_uac uac_subscribe_notify.xml -m 1 || it_fail "UAC: SUBSCRIBE not answered or NOTIFY not relayed"
sipp_uas_wait || it_fail "UAS: SUBSCRIBE not as sent or no 200 for the NOTIFY"
it_log "PASS subscribe_notify"
