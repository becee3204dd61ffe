"""Slow clients against a running server (issue 16, point 1).

SLOW connections trickle a request at 1 byte a second (half of them the headers, half a
multipart body to /api/v1/imports/cases), IDLE connections open and send nothing; meanwhile
one healthy client asks /healthz every 0.25 s on a new connection. Reported: the worst and
median latency of the healthy requests, and how many slow clients were still connected at the
end (so that they really were held, not refused). Target: worst under 1 s.

Usage: python bench/slow_clients.py http://127.0.0.1:PORT [--slow 20] [--idle 10] [--seconds 30]
Prints one Markdown table row (label given with --label).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
import urllib.parse
import urllib.request


def slow_client(host: str, port: int, kind: str, stop: threading.Event, held: list[int]) -> None:
    try:
        sock = socket.create_connection((host, port), timeout=5)
    except OSError:
        return
    if kind == "headers":
        payload = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nX-Slow: " + "a" * 200 + "\r\n\r\n"
    else:
        head = (f"POST /api/v1/imports/cases HTTP/1.1\r\nHost: {host}\r\n"
                "Authorization: Bearer lc_slow\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                "Content-Length: 100000\r\n\r\n")
        sock.sendall(head.encode())
        payload = "--x\r\n" + "a" * 400
    alive = True
    for char in payload:
        if stop.is_set():
            break
        try:
            sock.sendall(char.encode())
        except OSError:
            alive = False
            break
        stop.wait(1.0)
    if alive:
        held.append(1)
    sock.close()


def idle_client(host: str, port: int, stop: threading.Event, held: list[int]) -> None:
    try:
        sock = socket.create_connection((host, port), timeout=5)
    except OSError:
        return
    stop.wait()
    sock.setblocking(False)
    try:
        alive = sock.recv(1) != b""
    except BlockingIOError:
        alive = True
    except OSError:
        alive = False
    if alive:
        held.append(1)
    sock.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--slow", type=int, default=20)
    parser.add_argument("--idle", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--label", default="server")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    stop = threading.Event()
    held_slow: list[int] = []
    held_idle: list[int] = []
    threads = [threading.Thread(target=slow_client, args=(host, port, "headers" if i % 2 else "body", stop, held_slow))
               for i in range(args.slow)]
    threads += [threading.Thread(target=idle_client, args=(host, port, stop, held_idle)) for _ in range(args.idle)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # let them connect and start trickling
    latencies: list[float] = []
    failures = 0
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"{args.base}/healthz", timeout=60) as response:
                response.read()
                ok = response.status == 200
        except OSError:
            ok = False
        latencies.append(time.monotonic() - started)
        failures += 0 if ok else 1
        time.sleep(max(0.0, 0.25 - (time.monotonic() - started)))
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    worst, median = max(latencies), statistics.median(latencies)
    met = "yes" if worst < 1 and failures == 0 else "no"
    print(f"| {args.label} | {args.slow} slow + {args.idle} idle | {len(latencies)} | {median * 1000:.0f} ms | "
          f"{worst * 1000:.0f} ms | {failures} | {len(held_slow)}/{args.slow} slow, {len(held_idle)}/{args.idle} idle "
          f"| {met} |")


if __name__ == "__main__":
    main()
