#!/usr/bin/env bash
# OPTIONS addressed to the proxy itself is answered 200 by the proxy.
. "$(dirname "$0")/lib.sh"
it_init options
kam_start || it_fail "kamailio did not start"
sipp_uac uac_options.xml -m 3 || it_fail "no 200 for OPTIONS"
it_log "PASS options"
