#!/usr/bin/env python3
"""Byte-exact SIP peer for the XML protection tests (SIPp rewrites line ends and leading
whitespace of the bodies it sends, which would break signatures over raw MIME octets).

  protect_sip.py send HOST:PORT METHOD USER@HOST BODY CTYPE [RESPONSE-OUT] [TO-USER@HOST]
      one request (P-Asserted-Identity/From = USER, To = TO-USER or USER) over UDP; prints the
      final status line; writes the whole final response to RESPONSE-OUT (if given);
      environment PROTECT_SIP_LPORT: the local port (default: any); PROTECT_SIP_NO_CLEN=1: no
      Content-Length header (allowed over UDP: the body is the rest of the datagram)
  protect_sip.py uas PORT REQUEST-OUT [BODY CTYPE] [COUNT-FILE]
      the client side: answers every request with 200 (with BODY if given), writes the last
      request received to REQUEST-OUT and the number received to COUNT-FILE; runs until killed
      or 60 s
Loopback only. BODY "-" means no body.
"""
import os
import socket
import sys
import time
import uuid


def send(argv):
    dst, method, user, body_f, ctype = argv[:5]
    out = argv[5] if len(argv) > 5 else ""
    to = argv[6] if len(argv) > 6 else user
    host, port = dst.rsplit(":", 1)
    body = b"" if body_f == "-" else open(body_f, "rb").read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(os.environ.get("PROTECT_SIP_LPORT", "0"))))
    lport = s.getsockname()[1]
    branch = "z9hG4bK" + uuid.uuid4().hex
    hdr = (f"{method} sip:{to} SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch={branch}\r\n"
           f"Max-Forwards: 70\r\n"
           f"From: <sip:{user}>;tag={uuid.uuid4().hex[:8]}\r\n"
           f"To: <sip:{to}>\r\n"
           f"P-Asserted-Identity: <sip:{user}>\r\n"
           f"Call-ID: {uuid.uuid4().hex}@127.0.0.1\r\n"
           f"CSeq: 1 {method}\r\n"
           f"Contact: <sip:{user.split('@')[0]}@127.0.0.1:{lport}>\r\n")
    if method == "PUBLISH":
        hdr += "Event: presence\r\nExpires: 600\r\n"
    if body:
        hdr += f"Content-Type: {ctype}\r\n"
    if os.environ.get("PROTECT_SIP_NO_CLEN") != "1":
        hdr += f"Content-Length: {len(body)}\r\n"
    hdr += "\r\n"
    msg = hdr.encode() + body
    s.settimeout(0.5)
    deadline = time.time() + 10
    s.sendto(msg, (host, int(port)))
    while time.time() < deadline:
        try:
            data, _ = s.recvfrom(65535)
        except socket.timeout:
            s.sendto(msg, (host, int(port)))
            continue
        line = data.split(b"\r\n", 1)[0].decode(errors="replace")
        parts = line.split(" ", 2)
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= 200:
            print(line)
            if out:
                open(out, "wb").write(data)
            return 0
    print("timeout")
    return 1


def header(msg, name):
    for line in msg.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        n, _, v = line.partition(b":")
        if n.strip().lower() == name.lower().encode():
            return v.strip()
    return b""


def uas(argv):
    port, req_out = int(argv[0]), argv[1]
    body_f = argv[2] if len(argv) > 2 else "-"
    ctype = argv[3] if len(argv) > 3 else ""
    count_f = argv[4] if len(argv) > 4 else ""
    body = b"" if body_f == "-" else open(body_f, "rb").read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(1.0)
    n = 0
    seen = set()
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if data.startswith(b"SIP/2.0") or data.startswith(b"ACK "):
            continue
        vias = [l for l in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
                if l.lower().startswith(b"via:") or l.lower().startswith(b"v:")]
        key = header(data, "Call-ID") + header(data, "CSeq")
        if key not in seen:
            seen.add(key)
            n += 1
            open(req_out, "wb").write(data)
            if count_f:
                open(count_f, "w").write(f"{n}\n")
        to = header(data, "To")
        if b";tag=" not in to:
            to += b";tag=" + uuid.uuid4().hex[:8].encode()
        rsp = b"SIP/2.0 200 OK\r\n"
        for v in vias:
            rsp += v + b"\r\n"
        rsp += (b"From: " + header(data, "From") + b"\r\nTo: " + to + b"\r\nCall-ID: " +
                header(data, "Call-ID") + b"\r\nCSeq: " + header(data, "CSeq") + b"\r\n")
        if body:
            rsp += b"Content-Type: " + ctype.encode() + b"\r\n"
        rsp += b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        s.sendto(rsp, addr)
    return 0


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "send":
        return send(sys.argv[2:])
    if sys.argv[1] == "uas":
        return uas(sys.argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
