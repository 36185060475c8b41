#!/usr/bin/env python3
"""OPTIONS pinger: sends an OPTIONS to the proxy itself every INTERVAL ms for SECONDS and prints
sent, answered and latency percentiles (ms) as name=value lines. Each ping is one transaction
(own branch); a ping not answered within 2 s counts as lost. Usage:
  options_ping.py HOST:PORT SECONDS INTERVAL_MS [PREFIX [RTT-FILE]]
RTT-FILE (optional) receives every round-trip time in ms, one per line (to pool runs).
Two clocks per answered ping: the round trip as this process sees it (send .. its recv() returns,
so it includes the time this pinger waits for a CPU after the answer has arrived) and the round
trip up to the kernel's receive timestamp of the answer (SO_TIMESTAMPNS: send .. the answer is
queued on the pinger's socket, i.e. what the proxy took, without the pinger's own wake-up);
the second set is printed as PREFIX_kernel_* and written to RTT-FILE.kernel.
Environment OPTIONS_PING_STOP_FILE: stop sending as soon as that file exists (end of a load run).
"""
import os
import select
import socket
import struct
import sys
import time
import uuid

# Linux SO_TIMESTAMPNS (= SCM_TIMESTAMPNS; Python 3.11's socket module does not name it); on 64-bit
# Linux the answer is a struct timespec of two 64-bit fields
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)

def main():
    host, port = sys.argv[1].rsplit(":", 1)
    secs, interval = float(sys.argv[2]), float(sys.argv[3]) / 1000.0
    prefix = sys.argv[4] if len(sys.argv) > 4 else "options"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    lport = s.getsockname()[1]
    pending, rtts, krtts = {}, [], []
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
            # both clocks read just before the send: monotonic for the process view, realtime
            # for the kernel's receive stamp (SO_TIMESTAMPNS is CLOCK_REALTIME)
            pending[br] = (time.monotonic(), time.time_ns())
            s.sendto(msg, (host, int(port)))
            sent += 1
            t_next += interval
        if now >= t_end and (not pending or now > t_end + 2):
            break
        r, _, _ = select.select([s], [], [], max(0.0, min(t_next - time.monotonic(), 0.05)))
        if r:
            data, anc, _, _ = s.recvmsg(65535, socket.CMSG_SPACE(16))
            t = time.monotonic()
            kns = None
            for lvl, typ, val in anc:
                if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS and len(val) >= 16:
                    sec, nsec = struct.unpack("qq", val[:16])
                    kns = sec * 1000000000 + nsec
            for line in data.split(b"\r\n"):
                if line.lower().startswith(b"via:") and b"branch=" in line:
                    br = line.split(b"branch=", 1)[1].split(b";")[0].decode()
                    if br in pending:
                        t0, t0ns = pending.pop(br)
                        rtts.append((t - t0) * 1000.0)
                        if kns is not None:
                            krtts.append((kns - t0ns) / 1e6)
                    break
    rtts.sort()
    krtts.sort()
    if len(sys.argv) > 5:
        with open(sys.argv[5], "w") as f:
            f.write("".join(f"{r:.4f}\n" for r in rtts))
        with open(sys.argv[5] + ".kernel", "w") as f:
            f.write("".join(f"{r:.4f}\n" for r in krtts))

    def pct(p, v=rtts):
        return v[min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1)] if v else float("nan")

    print(f"{prefix}_sent={sent}")
    print(f"{prefix}_answered={len(rtts)}")
    print(f"{prefix}_p50_ms={pct(50):.3f}")
    print(f"{prefix}_p99_ms={pct(99):.3f}")
    print(f"{prefix}_max_ms={rtts[-1] if rtts else float('nan'):.3f}")
    print(f"{prefix}_kernel_p50_ms={pct(50, krtts):.3f}")
    print(f"{prefix}_kernel_p99_ms={pct(99, krtts):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
