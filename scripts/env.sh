# shellcheck shell=bash
# Sourced by scripts/run.sh, the integration tests and the bench: turns the MCSEC_* environment
# variables into Kamailio -A defines (array KAM_DEFINES) for cfg/kamailio-cs-proxy.cfg.
#   MCSEC_LISTEN      listen socket                    default udp:127.0.0.1:5060
#   MCSEC_MCX_SERVER  host:port of the MCX server      default 127.0.0.1:5070
#   MCSEC_STATE_DIR   KMS certificates, key sets, run files   default build/demo
#   MCSEC_CTL         ctl binrpc socket (kamcmd -s form)      default unix:<state>/run/ctl.sock
#   MCSEC_IDENTITY    the proxy's identities (MDSI URIs), comma separated (optional)
#   MCSEC_KMS_CERT    KMS certificate files/dirs, space separated; default <state>/kms if not empty
#   MCSEC_KEY_SET     key set files/dirs, space separated; default <state>/keys if not empty
#                     (<state>/keysets, the earlier name, is used when keys/ is absent)
#   MCSEC_CHILDREN    SIP worker processes (default 4), MCSEC_DEBUG log level (default 2)
#   MCSEC_ASYNC_WORKERS  async workers for the CSK upload crypto (default 2)
#   MCSEC_CSK_LIFETIME   CSK binding lifetime in seconds (default 3600)
#   MCSEC_KMS_POLICY     KMS acceptance policy file (optional: 488 + KRR for KMSs it refuses)
#   MCSEC_KRR_KEY, MCSEC_KRR_CERT  PEM key and certificate signing the KRRs (optional)
#   MCSEC_KRR_TRUST   trust anchors for received KRR signatures (PEM files/dirs, space separated)
MCSEC_TOP="${MCSEC_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

mcsec_env() {
	MCSEC_LISTEN="${MCSEC_LISTEN:-udp:127.0.0.1:5060}"
	MCSEC_MCX_SERVER="${MCSEC_MCX_SERVER:-127.0.0.1:5070}"
	MCSEC_STATE_DIR="${MCSEC_STATE_DIR:-$MCSEC_TOP/build/demo}"
	case "$MCSEC_STATE_DIR" in /*) ;; *) MCSEC_STATE_DIR="$MCSEC_TOP/$MCSEC_STATE_DIR" ;; esac
	MCSEC_CTL="${MCSEC_CTL:-unix:$MCSEC_STATE_DIR/run/ctl.sock}"
	MCSEC_CHILDREN="${MCSEC_CHILDREN:-4}"
	MCSEC_DEBUG="${MCSEC_DEBUG:-2}"
	export MCSEC_LISTEN MCSEC_MCX_SERVER MCSEC_STATE_DIR MCSEC_CTL

	local mcx_host mcx_port
	mcx_host="${MCSEC_MCX_SERVER%:*}"
	mcx_port="${MCSEC_MCX_SERVER##*:}"
	if [ "$mcx_host" = "$MCSEC_MCX_SERVER" ]; then mcx_port=5060; fi
	case "$mcx_port" in '' | *[!0-9]*)
		echo "MCSEC_MCX_SERVER must be host:port (got $MCSEC_MCX_SERVER)" >&2
		return 1
		;;
	esac

	mkdir -p "$MCSEC_STATE_DIR/run" "$MCSEC_STATE_DIR/kms"
	local keydir="$MCSEC_STATE_DIR/keys"
	if [ ! -d "$keydir" ] && [ -d "$MCSEC_STATE_DIR/keysets" ]; then
		keydir="$MCSEC_STATE_DIR/keysets"
	fi
	mkdir -p "$keydir"
	KAM_RUNDIR="$MCSEC_STATE_DIR/run"
	KAM_PIDFILE="$KAM_RUNDIR/kamailio.pid"

	KAM_DEFINES=(
		-A "MCSEC_LISTEN=$MCSEC_LISTEN"
		-A "MCSEC_MCX_URI=\"sip:$mcx_host:$mcx_port\""
		-A "MCSEC_MCX_IP=$mcx_host"
		-A "MCSEC_MCX_IP_STR=\"$mcx_host\""
		-A "MCSEC_MCX_PORT=$mcx_port"
		-A "MCSEC_CTL=\"$MCSEC_CTL\""
		-A "MCSEC_MODULE=\"$MCSEC_TOP/build/mcsec.so\""
		-A "MCSEC_CHILDREN=$MCSEC_CHILDREN"
		-A "MCSEC_DEBUG=$MCSEC_DEBUG"
		-A "MCSEC_ASYNC_WORKERS=${MCSEC_ASYNC_WORKERS:-2}"
		-A "MCSEC_CSK_LIFETIME=${MCSEC_CSK_LIFETIME:-3600}"
	)
	# repeatable module parameters: up to 4 values each, as MCSEC_<NAME>_<n> defines
	local kc ks
	kc="${MCSEC_KMS_CERT:-}"
	if [ -z "$kc" ] && [ -n "$(ls -A "$MCSEC_STATE_DIR/kms" 2>/dev/null)" ]; then
		kc="$MCSEC_STATE_DIR/kms"
	fi
	ks="${MCSEC_KEY_SET:-}"
	if [ -z "$ks" ] && [ -n "$(ls -A "$keydir" 2>/dev/null)" ]; then
		ks="$keydir"
	fi
	local ids="${MCSEC_IDENTITY:-}"
	_mcsec_multi IDENTITY "${ids//,/ }" || return 1
	_mcsec_multi KMS_CERT "$kc" || return 1
	_mcsec_multi KEY_SET "$ks" || return 1
	if [ -n "${MCSEC_ASYNC_NICE:-}" ]; then
		KAM_DEFINES+=(-A "MCSEC_ASYNC_NICE=$MCSEC_ASYNC_NICE")
	fi
	# optional: KMS acceptance policy and the KRR signing key/certificate (PEM)
	if [ -n "${MCSEC_KMS_POLICY:-}" ]; then
		KAM_DEFINES+=(-A "MCSEC_KMS_POLICY=\"$MCSEC_KMS_POLICY\"")
	fi
	if [ -n "${MCSEC_KRR_KEY:-}" ] && [ -n "${MCSEC_KRR_CERT:-}" ]; then
		KAM_DEFINES+=(-A "MCSEC_KRR_KEY=\"$MCSEC_KRR_KEY\"" -A "MCSEC_KRR_CERT=\"$MCSEC_KRR_CERT\"")
	fi
	_mcsec_multi KRR_TRUST "${MCSEC_KRR_TRUST:-}" || return 1
	return 0
}

_mcsec_multi() { # NAME "v1 v2 ..."
	local n=0 v
	for v in $2; do
		n=$((n + 1))
		if [ "$n" -gt 4 ]; then
			echo "MCSEC_$1: at most 4 values (use a directory for more files)" >&2
			return 1
		fi
		KAM_DEFINES+=(-A "MCSEC_$1_$n=\"$v\"")
	done
	return 0
}
