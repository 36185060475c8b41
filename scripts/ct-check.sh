#!/bin/bash
# make ct-check: constant-time check of SAKKE decapsulation/encapsulation and
# ECCSI signing under valgrind memcheck (tests/ct/ct_harness.c marks the
# secrets undefined).  Every "Conditional jump or move depends on
# uninitialised value(s)" and "Use of uninitialised value of size N" is a
# branch or memory index that depends on a secret.  Reports are deduplicated
# by stack and classified by the top frame: mcsec's own code (lib/ sources),
# OpenSSL (libcrypto) or other.  Exit status is non-zero when mcsec's count
# is not 0 (or the harness fails).  Installs nothing.
set -u
TOP="$(cd "$(dirname "$0")/.." && pwd)"
cd "$TOP"
LIB=modules/mcsec/lib
OUT=build/ct
mkdir -p "$OUT"

if ! command -v valgrind >/dev/null 2>&1 || [ ! -f /usr/include/valgrind/memcheck.h ]; then
	echo "ct-check: valgrind (package 'valgrind', /usr/include/valgrind/memcheck.h) is missing" >&2
	exit 2
fi

SRCS="$(ls $LIB/sakke*.c) $LIB/eccsi.c $LIB/encoding.c $LIB/err.c"
CFLAGS="-std=gnu11 -O1 -g -Wall -Wextra -DMCSEC_CT_CHECK -I $LIB $(pkg-config --cflags openssl)"
LIBS="$(pkg-config --libs openssl) -lpthread"
if ! ${CC:-cc} $CFLAGS tests/ct/ct_harness.c $SRCS $LIBS -o "$OUT/ct_harness"; then
	echo "ct-check: build of the harness failed" >&2
	exit 2
fi

LOG="$OUT/valgrind.log"
valgrind --tool=memcheck --track-origins=yes --error-limit=no --num-callers=40 \
	--log-file="$LOG" "$OUT/ct_harness"
hrc=$?
if [ $hrc -ne 0 ]; then
	echo "ct-check: harness exited with $hrc (see $LOG)" >&2
fi

# file names of mcsec's own library sources, for classification
MCSEC_FILES="$(cd $LIB && ls *.c *.h | tr '\n' ' ')"

awk -v mcsec_files="$MCSEC_FILES" -v summary="$OUT/summary.txt" '
function strip(line) {
	sub(/^==[0-9]+==[ ]+/, "", line)
	sub(/0x[0-9A-Fa-f]+: /, "", line)
	return line
}
function classify(top,   n, i, f) {
	if (top ~ /libcrypto/) return "openssl"
	if (match(top, /\(([A-Za-z0-9_.-]+\.[ch]):[0-9]+\)/)) {
		f = substr(top, RSTART + 1, RLENGTH - 2)
		sub(/:[0-9]+$/, "", f)
		n = split(mcsec_files, arr, " ")
		for (i = 1; i <= n; i++) if (arr[i] == f) return "mcsec"
	}
	return "other"
}
function flush() {
	if (kind != "" && stack != "") {
		key = kind "\n" stack
		if (!(key in seen)) {
			seen[key] = 1
			cls = classify(top)
			count[cls]++
			if (cls == "mcsec") sites = sites "  " kind ": " top "\n"
			if (cls == "other") osites = osites "  " kind ": " top "\n"
			detail = detail "---- [" cls "] " kind "\n" stack "\n"
		}
	}
	kind = ""; stack = ""; top = ""; instack = 0
}
BEGIN { count["mcsec"] = 0; count["openssl"] = 0; count["other"] = 0 }
{
	line = $0
	body = line; sub(/^==[0-9]+==[ ]?/, "", body)
	if (body ~ /^Conditional jump or move depends on uninitialised value/ ||
	    body ~ /^Use of uninitialised value of size [0-9]+/) {
		flush()
		kind = body
		instack = 1
		next
	}
	if (kind != "" && instack) {
		if (body ~ /^[ ]+(at|by) /) {
			s = strip(line)
			if (stack == "") top = s
			stack = stack "    " s "\n"
			next
		}
		instack = 0
	}
	if (body ~ /^[ ]*$/ || body ~ /^[A-Z]/) {
		if (body !~ /^ *Uninitialised value was created/ && body !~ /^[ ]+(at|by) /) flush()
	}
}
END {
	flush()
	printf "ct_mcsec_reports=%d\nct_openssl_reports=%d\nct_other_reports=%d\n", count["mcsec"], count["openssl"], count["other"]
	if (sites != "") printf "mcsec sites:\n%s", sites
	if (osites != "") printf "other sites (libc etc.; see the stacks in the summary):\n%s", osites
	printf "%s", detail > summary
}' "$LOG" | tee "$OUT/result.txt"

echo "ct-check: full valgrind log $LOG, deduplicated stacks $OUT/summary.txt"
mc=$(sed -n 's/^ct_mcsec_reports=//p' "$OUT/result.txt")
if [ $hrc -ne 0 ] || [ "${mc:-1}" != "0" ]; then
	exit 1
fi
exit 0
