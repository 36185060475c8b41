// KEMI routing for test_kemi.sh: 200 when the Request-URI is one of the mcsec identities,
// 404 otherwise.
function ksr_request_route()
{
	if (KSR.mcsec.mcsec_is_identity(KSR.pv.get("$ru")) > 0) {
		KSR.sl.sl_send_reply(200, "OK");
	} else {
		KSR.sl.sl_send_reply(404, "Not an mcsec identity");
	}
}
