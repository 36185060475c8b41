#!/usr/bin/env python3
"""Minimal SIP UAC for the CSK upload tests: sends one REGISTER over UDP whose body is given as
parts (the MIKEY part may be raw binary, which SIPp injection cannot carry) and prints the final
status line. Usage:
  sip_send.py HOST:PORT USER@HOST single-mikey RAW.bin
  sip_send.py HOST:PORT USER@HOST binary RAW.bin INFO.xml [RESPONSE-OUT]
"""
import socket
import sys
import time
import uuid


def main():
    dst, user, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    host, port = dst.rsplit(":", 1)
    raw = open(sys.argv[4], "rb").read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    lport = s.getsockname()[1]
    if mode == "single-mikey":
        ctype, body = "application/mikey", raw
    else:
        info = open(sys.argv[5], "rb").read()
        b = b"mcsec-raw-7f3a"
        body = (b"--" + b + b"\r\nContent-Type: application/mikey\r\n"
                b"Content-Transfer-Encoding: binary\r\n\r\n" + raw +
                b"\r\n--" + b + b"\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\n\r\n" +
                info + b"\r\n--" + b + b"--\r\n")
        ctype = "multipart/mixed;boundary=" + b.decode()
    branch = "z9hG4bK" + uuid.uuid4().hex
    hdr = (f"REGISTER sip:mcptt-server@example.org SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch={branch}\r\n"
           f"Max-Forwards: 70\r\n"
           f"From: <sip:{user}>;tag={uuid.uuid4().hex[:8]}\r\n"
           f"To: <sip:{user}>\r\n"
           f"P-Asserted-Identity: <sip:{user}>\r\n"
           f"Call-ID: {uuid.uuid4().hex}@127.0.0.1\r\n"
           f"CSeq: 1 REGISTER\r\n"
           f"Contact: <sip:{user.split('@')[0]}@127.0.0.1:{lport}>\r\n"
           f"Expires: 600\r\n"
           f"Content-Type: {ctype}\r\n"
           f"Content-Length: {len(body)}\r\n\r\n").encode()
    msg = hdr + body
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
            if len(sys.argv) > 6:  # the whole final response, for the caller to check
                open(sys.argv[6], "wb").write(data)
            return 0
    print("no final response", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
