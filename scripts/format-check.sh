#!/usr/bin/env bash
# make format-check: every C source/header under modules/mcsec and tests/ must be formatted
# with the repository's .clang-format (Kamailio's style). Checks only; never rewrites files.
# Optional arguments: files to check instead of the default set.
set -uo pipefail
TOP="$(cd "$(dirname "$0")/.." && pwd)"
cd "$TOP"
CF="$(command -v clang-format || command -v clang-format-14 || true)"
[ -n "$CF" ] || { echo "format-check: clang-format not installed (scripts/install-deps.sh)" >&2; exit 1; }
if [ "$#" -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(find modules/mcsec tests -type f \( -name '*.c' -o -name '*.h' \) \
		-not -path '*/corpus/*' | sort)
fi
bad=0
for f in "${files[@]}"; do
	if ! "$CF" --style=file --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "format-check: $f needs formatting (clang-format -i $f)"
		bad=$((bad + 1))
	fi
done
echo "format-check: ${#files[@]} files, $bad not formatted"
[ "$bad" -eq 0 ]
