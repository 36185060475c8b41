#!/usr/bin/env bash
# register multipart relayed by the CS proxy to a SIPp UAS (the MCX server), which checks what it received
# and answers 200; the SIPp UAC must get the 200 back through the proxy.
. "$(dirname "$0")/lib.sh"
it_init register_multipart
kam_start || it_fail "kamailio did not start"
sipp_uas uas_register_multipart.xml -m 1
sipp_uac uac_register_multipart.xml -m 1 || it_fail "UAC: no 200 for the relayed request"
sipp_uas_wait || it_fail "UAS: the relayed request was not what was sent"
it_log "PASS register_multipart"
