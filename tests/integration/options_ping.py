#!/usr/bin/env python3
"""OPTIONS pinger: sends an OPTIONS to the proxy itself every INTERVAL ms for SECONDS and prints
sent, answered and latency percentiles (ms) as name=value lines. Each ping is one transaction
(own branch); a ping not answered within 2 s counts as lost. Usage:
  options_ping.py HOST:PORT SECONDS INTERVAL_MS [PREFIX [RTT-FILE]]
RTT-FILE (optional) receives every round-trip time in ms, one per line (to pool runs).
Environment OPTIONS_PING_STOP_FILE: stop sending as soon as that file exists (end of a load run).
"""
import os
import select
import socket
import sys
import time
import uuid


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    secs, interval = float(sys.argv[2]), float(sys.argv[3]) / 1000.0
    prefix = sys.argv[4] if len(sys.argv) > 4 else "options"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    lport = s.getsockname()[1]
    pending, rtts = {}, []
    sent = 0
    t_end = time.monotonic() + secs
    t_next = time.monotonic()
    stop_file = os.environ.get("OPTIONS_PING_STOP_FILE")
    while True:
        now = time.monotonic()
        if stop_file and now < t_end and os.path.exists(stop_file):
            t_end = now
        if now >= t_next and now < t_end:
            br = "z9hG4bK" + uuid.uuid4().hex[:16]
            msg = (f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch={br}\r\n"
                   f"Max-Forwards: 70\r\nFrom: <sip:ping@127.0.0.1>;tag={sent}\r\n"
                   f"To: <sip:{host}:{port}>\r\nCall-ID: {br}@ping\r\nCSeq: 1 OPTIONS\r\n"
                   f"Content-Length: 0\r\n\r\n").encode()
            pending[br] = time.monotonic()
            s.sendto(msg, (host, int(port)))
            sent += 1
            t_next += interval
        if now >= t_end and (not pending or now > t_end + 2):
            break
        r, _, _ = select.select([s], [], [], max(0.0, min(t_next - time.monotonic(), 0.05)))
        if r:
            data = s.recv(65535)
            t = time.monotonic()
            for line in data.split(b"\r\n"):
                if line.lower().startswith(b"via:") and b"branch=" in line:
                    br = line.split(b"branch=", 1)[1].split(b";")[0].decode()
                    if br in pending:
                        rtts.append((t - pending.pop(br)) * 1000.0)
                    break
    rtts.sort()
    if len(sys.argv) > 5:
        with open(sys.argv[5], "w") as f:
            f.write("".join(f"{r:.4f}\n" for r in rtts))

    def pct(p):
        return rtts[min(len(rtts) - 1, int(round(p / 100.0 * len(rtts) + 0.5)) - 1)] if rtts else float("nan")

    print(f"{prefix}_sent={sent}")
    print(f"{prefix}_answered={len(rtts)}")
    print(f"{prefix}_p50_ms={pct(50):.3f}")
    print(f"{prefix}_p99_ms={pct(99):.3f}")
    print(f"{prefix}_max_ms={rtts[-1] if rtts else float('nan'):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
