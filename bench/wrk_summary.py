"""Turn one wrk --latency report into a Markdown table row for bench/RESULTS.md."""

from __future__ import annotations

import re
import sys


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def main(label: str, name: str, path: str, report_path: str) -> None:
    report = open(report_path, encoding="utf-8").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", report).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", report).group(1))
    non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", report) or [0, 0])[1])
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    socket_errors = sum(int(g) for g in socket.groups()) if socket else 0
    errors = non2xx + socket_errors
    ok = "yes" if errors == 0 and p99 < 1000 else "**no**"
    shown = re.sub(r"/s/[^/?]+", "/s/<token>", path)
    print(f"| {label} | {name} | `{shown}` | {rps:.0f} | {p50:.0f} ms | {p99:.0f} ms | {errors} | {ok} |")


if __name__ == "__main__":
    main(*sys.argv[1:5])
