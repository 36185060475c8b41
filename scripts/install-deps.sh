#!/usr/bin/env bash
# Install the Debian 12 packages mcsec needs (DESIGN.md section 3) when they are missing,
# then fetch and configure the matching Kamailio source tree (scripts/kamailio-src.sh).
# Non-interactive; a no-op when everything is present; uses sudo when not root.
# Never edits the system's apt sources.
set -euo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"

PKGS=(
	build-essential make pkg-config dpkg-dev gpgv debian-archive-keyring
	kamailio kamailio-xml-modules kamailio-tls-modules
	sip-tester
	libssl-dev libxml2-dev libxml2-utils xmlsec1 libxmlsec1-dev libsrtp2-dev
	libcmocka-dev libwolfssl-dev
	clang clang-14 libclang-rt-14-dev clang-format
	valgrind python3 procps coreutils
)

missing=()
for p in "${PKGS[@]}"; do
	st="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
	case "$st" in
	*"install ok installed"*) ;;
	*) missing+=("$p") ;;
	esac
done

if [ "${#missing[@]}" -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}" >&2
	SUDO=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "install-deps: not root and no sudo" >&2; exit 1; }
		SUDO=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	if ! "${APT[@]}" install --no-install-recommends "${missing[@]}" </dev/null; then
		# fresh machines often have no package lists yet
		"${APT[@]}" update </dev/null
		"${APT[@]}" install --no-install-recommends "${missing[@]}" </dev/null
	fi
	# Debian starts the packaged kamailio service on install (all interfaces, port 5060), which
	# would take the port `make run` uses. Stop it only if this script just installed it.
	case " ${missing[*]} " in *" kamailio "*)
		if command -v systemctl >/dev/null && systemctl is-active --quiet kamailio 2>/dev/null; then
			echo "install-deps: stopping and disabling the kamailio service started by the package install" >&2
			"${SUDO[@]}" systemctl disable --now kamailio >&2 || true
		fi
		;;
	esac
fi

# Kamailio headers + Debian's `make cfg` (cached under build/, fetched once)
"$TOP/scripts/kamailio-src.sh" >/dev/null
