#!/usr/bin/env bash
# make run: build, prepare the demo state dir and start Kamailio in the foreground with the CS
# proxy config (logs on stderr). Ctrl-C / SIGTERM stops Kamailio and all its children.
# Environment: see scripts/env.sh (MCSEC_LISTEN, MCSEC_MCX_SERVER, MCSEC_STATE_DIR, MCSEC_CTL, ...).
set -euo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
cd "$TOP"
# shellcheck source=scripts/env.sh
. "$TOP/scripts/env.sh"

make --no-print-directory module
mkdir -p build
make --no-print-directory tool >build/tool-build.log 2>&1 ||
	echo "run: warning: build/mcsec (the tool) did not build (build/tool-build.log); the proxy does not need it" >&2

# the proxy's identities (comma separated); the first one gets the demo key sets
export MCSEC_IDENTITY="${MCSEC_IDENTITY:-sip:mcsec-proxy@example.org}"
# demo material only when both folders are empty: drop real KMS output into
# $MCSEC_STATE_DIR/kms/ (KMS certificates) and $MCSEC_STATE_DIR/keys/ (key sets) instead
state="${MCSEC_STATE_DIR:-$TOP/build/demo}"
case "$state" in /*) ;; *) state="$TOP/$state" ;; esac
if [ -z "$(ls -A "$state/kms" 2>/dev/null)" ] && [ -z "$(ls -A "$state/keys" 2>/dev/null)" ] &&
	[ -z "$(ls -A "$state/keysets" 2>/dev/null)" ] && [ -z "${MCSEC_KMS_CERT:-}${MCSEC_KEY_SET:-}" ]; then
	if [ -x "$TOP/build/mcsec" ]; then
		echo "run: no KMS certificate and no key set in $state: generating demo material" >&2
		"$TOP/scripts/demo-keys.sh" "$state" "$MCSEC_IDENTITY" ||
			echo "run: warning: demo key generation failed" >&2
	else
		echo "run: warning: no key material and no build/mcsec to make demo material" >&2
	fi
fi

# KMS Redirect Responses (TS 33.180 5.2.8, D.4): a demo KMS policy (home = the demo KMS) and a
# demo KRR signing pair when none is configured; partner KRR signers' certificates go into
# $state/krr-trust/ (trust anchors for received KRRs)
# (a policy file already in the state dir is used; the demo one is written only next to the demo
# KMS, never in front of real KMS material)
if [ -z "${MCSEC_KMS_POLICY:-}" ] && { [ -s "$state/kms-policy" ] || [ -d "$state/demo-kms" ]; }; then
	export MCSEC_KMS_POLICY="$state/kms-policy"
	if [ ! -s "$MCSEC_KMS_POLICY" ]; then
		echo "run: no KMS policy: writing a demo one to $MCSEC_KMS_POLICY (cfg/kms-policy.example explains it)" >&2
		cat >"$MCSEC_KMS_POLICY" <<POL
# demo KMS policy written by make run: only the demo KMS is acceptable
home ${MCSEC_DEMO_KMS_URI:-kms.example.org}
local *@example.org
krr-creator ${MCSEC_IDENTITY%%,*}
krr-unsigned reject
krr-untrusted reject
default both @home
POL
	fi
fi
if [ -z "${MCSEC_KRR_KEY:-}" ] && [ -z "${MCSEC_KRR_CERT:-}" ]; then
	"$TOP/scripts/krr-demo-cert.sh" "$state/krr" "${MCSEC_IDENTITY%%,*}" ||
		echo "run: warning: demo KRR signing pair not generated (KRRs go out unsigned)" >&2
	if [ -s "$state/krr/krr-key.pem" ] && [ -s "$state/krr/krr-cert.pem" ]; then
		export MCSEC_KRR_KEY="$state/krr/krr-key.pem" MCSEC_KRR_CERT="$state/krr/krr-cert.pem"
	fi
fi
mkdir -p "$state/krr-trust"
export MCSEC_KRR_TRUST="${MCSEC_KRR_TRUST:-$state/krr-trust}"

mcsec_env
echo "run: state dir $MCSEC_STATE_DIR" >&2
echo "run: identities $MCSEC_IDENTITY" >&2
echo "run: listening on $MCSEC_LISTEN, relaying to sip:$MCSEC_MCX_SERVER" >&2
echo "run: status: kamcmd -s $MCSEC_CTL mcsec.status   (also mcsec.clients, mcsec.stats)" >&2
echo "run: KMS policy ${MCSEC_KMS_POLICY:-none (every KMS accepted)} (reload: kamcmd -s $MCSEC_CTL mcsec.reload)" >&2
echo "run: KRRs signed with ${MCSEC_KRR_CERT:-nothing (unsigned)}; trust anchors ${MCSEC_KRR_TRUST}" >&2

if [ -f "$KAM_PIDFILE" ] && kill -0 "$(cat "$KAM_PIDFILE")" 2>/dev/null; then
	echo "run: a Kamailio started from $MCSEC_STATE_DIR is already running (pid $(cat "$KAM_PIDFILE"))" >&2
	exit 1
fi

# a system Kamailio (the Debian service) or an earlier run may hold the port
proto="${MCSEC_LISTEN%%:*}"
hostport="${MCSEC_LISTEN#*:}"
if ! /usr/bin/python3 - "$proto" "${hostport%:*}" "${hostport##*:}" <<'PY'; then
import socket, sys
proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto in ("tcp", "tls") else socket.SOCK_DGRAM)
try:
    s.bind((host, port))
except OSError as e:
    sys.stderr.write("run: cannot bind %s: %s\n" % (sys.argv[2] + ":" + sys.argv[3], e))
    sys.exit(1)
PY
	echo "run: $MCSEC_LISTEN is in use (a system kamailio service? try: systemctl stop kamailio," >&2
	echo "run: or set MCSEC_LISTEN=udp:127.0.0.1:<port>)" >&2
	exit 1
fi

# XML signalling protection (optional): MCSEC_XML_POLICY policy file (cfg/xml-policy.example),
# MCSEC_REQUIRE_ENCRYPTION=1, MCSEC_RAW_XPK=1
xml_defs=()
[ -n "${MCSEC_XML_POLICY:-}" ] && xml_defs+=(-A "MCSEC_XML_POLICY=\"$MCSEC_XML_POLICY\"")
[ -n "${MCSEC_REQUIRE_ENCRYPTION:-}" ] && xml_defs+=(-A "MCSEC_REQUIRE_ENCRYPTION=$MCSEC_REQUIRE_ENCRYPTION")
[ -n "${MCSEC_RAW_XPK:-}" ] && xml_defs+=(-A "MCSEC_RAW_XPK=$MCSEC_RAW_XPK")
echo "run: XML protection policy ${MCSEC_XML_POLICY:-built-in}" >&2

# exec: Kamailio becomes this process, so SIGINT/SIGTERM reach its main process, which stops
# every child it forked
# memory manager for shm and pkg (MCSEC_MEM_MANAGER: tlsf, qm or fm): tlsf by default, as in
# make bench; Debian's qm (debug build) cost about a fifth of the SIP workers' CPU under CSK uploads
mm="${MCSEC_MEM_MANAGER:-tlsf}"
exec /usr/sbin/kamailio -f "$TOP/cfg/kamailio-cs-proxy.cfg" -DD -E \
	-P "$KAM_PIDFILE" -Y "$KAM_RUNDIR" -m "${MCSEC_SHM_MB:-256}" -M "${MCSEC_PKG_MB:-16}" \
	-x "$mm" -X "$mm" "${KAM_DEFINES[@]}" "${xml_defs[@]}"
