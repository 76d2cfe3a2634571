#!/usr/bin/env python3
"""Hostile client shapes against a running dccd, from addresses other than the probe's.

usage: hostile_clients.py CASE PORT [options]
  slowloris      COUNT connections from 127.0.0.2 send a header one byte per 0.5 s
                 (reopened when dropped) while GET /_status is probed from 127.0.0.1;
                 every probe must be answered.
  per_client_cap opens CAP+5 connections from 127.0.0.3; the extra ones are answered 503
                 with a JSON body, and 127.0.0.1 is still served.
  header_deadline a header that stops half-way is answered 408 (JSON) and closed.
Exit 0 on success; prints FAIL: ... and exits 1 otherwise. Deadlines are generous: they
bound the test's run time, they do not measure dccd.
"""
import json
import socket
import sys
import threading
import time
import urllib.request


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def connect(port, source, timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def probe(port, timeout=20):
    """GET /_status from 127.0.0.1; returns (status, seconds)."""
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_status", timeout=timeout) as r:
        r.read()
        return r.status, time.monotonic() - start


def read_response(s, limit=65536):
    """Reads until the peer closes or a full response with Content-Length arrived."""
    data = b""
    while len(data) < limit:
        try:
            chunk = s.recv(4096)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length" and len(body) >= int(value):
                    return data
    return data


def status_and_body(data):
    head, _, body = data.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        fail(f"not an HTTP response: {data[:200]!r}")
    return int(parts[1]), body


class Slowloris:
    """COUNT connections that each send 'GET / HTTP/1.1\\r\\nX-a: ...' one byte per period."""

    def __init__(self, port, source, count, period=0.5):
        self.port, self.source, self.count, self.period = port, source, count, period
        self.stop = threading.Event()
        self.reopened = 0
        self.threads = []

    def start(self):
        for i in range(self.count):
            t = threading.Thread(target=self.run, daemon=True)
            t.start()
            self.threads.append(t)

    def run(self):
        header = b"GET /_status HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100000
        while not self.stop.is_set():
            try:
                s = connect(self.port, self.source)
            except OSError:
                time.sleep(self.period)
                continue
            try:
                for b in header:
                    if self.stop.is_set():
                        break
                    s.send(bytes([b]))
                    time.sleep(self.period)
            except OSError:
                self.reopened += 1
            finally:
                s.close()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=5)


def slowloris(port, count):
    attack = Slowloris(port, "127.0.0.2", count)
    attack.start()
    time.sleep(3)  # every connection open and dribbling
    for i in range(5):
        try:
            status, seconds = probe(port)
        except Exception as e:  # noqa: BLE001 - any failure of the probe is the defect
            attack.join()
            fail(f"GET /_status {i + 1} of 5 from 127.0.0.1 was not answered during the slowloris: {e}")
        if status != 200:
            attack.join()
            fail(f"GET /_status answered {status} during the slowloris")
        print(f"   probe {i + 1}: 200 in {seconds * 1000:.1f} ms")
        time.sleep(0.5)
    attack.join()
    print(f"   {count} slow connections from 127.0.0.2; /_status answered 5 of 5")


def per_client_cap(port, cap):
    held = []
    for _ in range(cap):
        held.append(connect(port, "127.0.0.3"))
    time.sleep(0.5)
    refused = 0
    for _ in range(5):
        s = connect(port, "127.0.0.3")
        s.send(b"GET /_status HTTP/1.1\r\nHost: x\r\n\r\n")
        status, body = status_and_body(read_response(s))
        s.close()
        if status != 503:
            fail(f"connection {cap + refused + 1} from 127.0.0.3 answered {status}, expected 503")
        doc = json.loads(body)
        if doc.get("code") != 503 or "too many connections" not in doc.get("description", ""):
            fail(f"the 503 body does not say why: {body!r}")
        refused += 1
    status, _ = probe(port)
    if status != 200:
        fail(f"127.0.0.1 was not served while 127.0.0.3 was at its cap ({status})")
    # A held connection still works: the cap refuses new ones, it does not cut old ones.
    s = held[0]
    s.send(b"GET /_status HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _ = status_and_body(read_response(s))
    if status != 200:
        fail(f"a connection within the cap answered {status}")
    for s in held:
        s.close()
    time.sleep(3)  # closed connections leave the count (the server lingers briefly)
    s = connect(port, "127.0.0.3")
    s.send(b"GET /_status HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _ = status_and_body(read_response(s))
    if status != 200:
        fail(f"after closing its connections 127.0.0.3 still answered {status}")
    print(f"   {cap} connections from 127.0.0.3 held; 5 more refused with 503; 127.0.0.1 served")


def header_deadline(port):
    s = connect(port, "127.0.0.4", timeout=60)
    s.send(b"GET /_status HTTP/1.1\r\nHost: x\r\nX-Half: ")
    start = time.monotonic()
    data = read_response(s)
    seconds = time.monotonic() - start
    status, body = status_and_body(data)
    if status != 408:
        fail(f"a header that stopped half-way answered {status}, expected 408")
    if json.loads(body).get("code") != 408:
        fail(f"the 408 body is not the JSON error: {body!r}")
    if s.recv(1) != b"":
        fail("the connection stayed open after the 408")
    print(f"   half a header: 408 after {seconds:.1f} s, connection closed")


def main():
    case, port = sys.argv[1], int(sys.argv[2])
    if case == "slowloris":
        slowloris(port, int(sys.argv[3]) if len(sys.argv) > 3 else 200)
    elif case == "per_client_cap":
        per_client_cap(port, int(sys.argv[3]))
    elif case == "header_deadline":
        header_deadline(port)
    else:
        fail("unknown case " + case)


if __name__ == "__main__":
    main()
