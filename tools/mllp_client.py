#!/usr/bin/env python3
"""A plain-socket MLLP sender, to test healthanchor's listener from outside Go.

Each message is sent as 0x0B <message> 0x1C 0x0D on one TCP connection,
waiting for its ACK before the next one (as interface engines do). For
every message it prints one line: "<MSH-10 sent> <MSA-1> <MSA-2> <seconds>".

  mllp_client.py HOST:PORT --ids M1,M2          ADT^A01 messages with these MSH-10
  mllp_client.py HOST:PORT --count 50 --prefix M  M0 .. M49
  mllp_client.py HOST:PORT --ids X --drop-ack   send, close without reading the ACK
  mllp_client.py HOST:PORT --ids BIG --pad 9000 add a 9000-byte NTE (over a size limit)
  mllp_client.py HOST:PORT --garbage            a block that is not HL7
  mllp_client.py HOST:PORT --ids S --slow 1     one byte a second (a stuck sender)
"""
import argparse
import socket
import sys
import time

SB, EB, CR = b"\x0b", b"\x1c", b"\x0d"


def message(facility, control_id, pad):
    segs = [
        "MSH|^~\\&|ADT|%s|HA|AGENCY|20261202101500||ADT^A01^ADT_A01|%s|P|2.5.1" % (facility, control_id),
        "PID|1||%s^^^H^MR||DOE^JANE||19800101|F" % control_id,
    ]
    if pad:
        segs.append("NTE|1||" + "x" * pad)
    return ("\r".join(segs) + "\r").encode()


def read_ack(sock):
    buf = b""
    while EB not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed before the ACK")
        buf += chunk
    body = buf[buf.index(SB) + 1:buf.index(EB)].decode("utf-8", "replace")
    for seg in body.split("\r"):
        if seg.startswith("MSA|"):
            f = seg.split("|") + ["", ""]
            return f[1], f[2]
    raise ValueError("ACK without MSA: %r" % body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("--ids", default="")
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--prefix", default="M")
    ap.add_argument("--facility", default="HOSP")
    ap.add_argument("--pad", type=int, default=0)
    ap.add_argument("--garbage", action="store_true")
    ap.add_argument("--drop-ack", action="store_true")
    ap.add_argument("--slow", type=float, default=0, help="seconds between bytes")
    a = ap.parse_args()
    host, port = a.addr.rsplit(":", 1)
    ids = [i for i in a.ids.split(",") if i] + ["%s%d" % (a.prefix, i) for i in range(a.count)]
    blocks = [(i, message(a.facility, i, a.pad)) for i in ids]
    if a.garbage:
        blocks.append(("-", b"this is not an HL7 message\r"))
    sock = socket.create_connection((host, int(port)), timeout=60)
    for cid, msg in blocks:
        start = time.monotonic()
        frame = SB + msg + EB + CR
        if a.slow:
            for b in frame:
                sock.sendall(bytes([b]))
                time.sleep(a.slow)
        else:
            sock.sendall(frame)
        if a.drop_ack:
            print(cid, "sent", "-", "0", flush=True)
            continue
        code, acked = read_ack(sock)
        print(cid, code, acked or "-", "%.4f" % (time.monotonic() - start), flush=True)
    sock.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # the Go test reads the exit code and stderr
        print("mllp_client:", e, file=sys.stderr)
        sys.exit(1)
