#!/usr/bin/env bash
# Fetch the Kamailio source tree matching the installed /usr/sbin/kamailio and run
# Debian's `make cfg` step so an out-of-tree module gets identical version and
# compile-flag strings. Never touches the system's apt sources: apt runs with a
# private configuration under build/apt/. Cached: a second run is a no-op.
set -euo pipefail

TOP="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$TOP/build"
APTDIR="$BUILD/apt"

say() { echo "kamailio-src: $*" >&2; }

KVER_DEB="$(dpkg-query -W -f='${Version}' kamailio 2>/dev/null || true)"
if [ -z "$KVER_DEB" ]; then
	say "the kamailio package is not installed (run scripts/install-deps.sh)"
	exit 1
fi
# upstream version: strip epoch and Debian revision
KVER="${KVER_DEB#*:}"
KVER="${KVER%-*}"
TREE="$BUILD/kamailio-$KVER"
STAMP="$TREE/.mcsec-cfg-done"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KVER_DEB" ] && [ -f "$TREE/src/config.mak" ]; then
	# already fetched and configured for this exact package version
	echo "$TREE"
	exit 0
fi

mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/src"
cat > "$APTDIR/sources.list" <<SRC
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
SRC

APTOPTS=(
	-o "Dir::Etc::SourceList=$APTDIR/sources.list"
	-o "Dir::Etc::SourceParts=/dev/null"
	-o "Dir::State::Lists=$APTDIR/lists"
	-o "Dir::State::Status=/var/lib/dpkg/status"
	-o "Dir::Cache=$APTDIR/cache"
	-o "Dir::Cache::pkgcache="
	-o "Dir::Cache::srcpkgcache="
	-o "APT::Sandbox::User=root"
	-o "Debug::NoLocking=1"
	-q
)

if [ ! -d "$APTDIR/src/kamailio-$KVER" ]; then
	say "fetching Kamailio $KVER_DEB sources with a private apt configuration"
	apt-get "${APTOPTS[@]}" update >&2
	(cd "$APTDIR/src" && apt-get "${APTOPTS[@]}" source --only-source "kamailio=$KVER_DEB" >&2)
fi
[ -d "$APTDIR/src/kamailio-$KVER" ] || { say "apt-get source did not produce kamailio-$KVER"; exit 1; }

rm -rf "$TREE.tmp"
cp -a "$APTDIR/src/kamailio-$KVER" "$TREE.tmp"

say "configuring with Debian's flags (make cfg)"
# the flags from debian/rules (configure step)
CPPF="$(dpkg-buildflags --get CPPFLAGS)"
CF="$(dpkg-buildflags --get CFLAGS)"
LDF="$(dpkg-buildflags --get LDFLAGS)"
MULTIARCH="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
(cd "$TREE.tmp" && make cfg prefix=/usr cfg_target=/etc/kamailio/ FLAVOUR=kamailio \
	LIBDIR="lib/$MULTIARCH" group_include=kstandard \
	CC_EXTRA_OPTS="$CPPF $CF -DVERSION_NODATE" LD_EXTRA_OPTS="$LDF" >&2)
[ -f "$TREE.tmp/src/config.mak" ] || { say "make cfg did not write src/config.mak"; exit 1; }
rm -rf "$TREE"
mv "$TREE.tmp" "$TREE"
echo "$KVER_DEB" > "$STAMP"
echo "$TREE"
