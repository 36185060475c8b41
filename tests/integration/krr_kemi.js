// KEMI routing for test_krr_kemi.sh: requests from clients are checked with
// KSR.mcsec.mcsec_check_kms("cs-in") and relayed to the MCX server ($du from the X-MCX header);
// 488 replies from there go through KSR.mcsec.mcsec_process_krr("cs-out").
function ksr_request_route()
{
	if (KSR.is_ACK()) {
		KSR.tm.t_relay();
		return;
	}
	var rc = KSR.mcsec.mcsec_check_kms("cs-in");
	KSR.info("mcsec_check_kms: " + rc + "\n");
	if (rc < 0) {
		return;
	}
	KSR.pv.sets("$du", KSR.pv.get("$hdr(X-MCX)"));
	KSR.tm.t_relay();
}

function ksr_reply_route()
{
	if (KSR.pv.get("$rs") == 488) {
		var rc = KSR.mcsec.mcsec_process_krr("cs-out");
		KSR.info("mcsec_process_krr: " + rc + "\n");
	}
}
