#!/usr/bin/env bash
# Safety net after the integration tests: stop any Kamailio whose pid file lies under DIR
# (SIGTERM to its main pid, then its session) and any process (SIPp) whose cwd is under DIR.
# Prints what it had to stop; exit 0.
DIR="${1:?usage: reap.sh DIR}"
[ -d "$DIR" ] || exit 0
DIR="$(cd "$DIR" && pwd)"
while IFS= read -r pf; do
	[ -f "$pf" ] || continue
	pid="$(cat "$pf" 2>/dev/null)"
	case "$pid" in '' | *[!0-9]*) continue ;; esac
	if grep -q kamailio "/proc/$pid/cmdline" 2>/dev/null; then
		echo "reap: kamailio $pid ($pf)"
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -TERM -- "-$pid" 2>/dev/null
	fi
done < <(find "$DIR" -maxdepth 6 -name kamailio.pid 2>/dev/null)
for p in /proc/[0-9]*; do
	cwd="$(readlink "$p/cwd" 2>/dev/null)" || continue
	case "$cwd" in "$DIR"/*)
		pid="${p#/proc/}"
		[ "$pid" = "$$" ] && continue
		echo "reap: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null | cut -c1-80) ($pid)"
		kill -TERM "$pid" 2>/dev/null
		;;
	esac
done
exit 0
