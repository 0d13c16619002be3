"""Client overhead: the time ``shiftwatch.client.Client.log`` takes on the caller's thread.

A model server calls ``log`` once per prediction, so what it pays is the time of that call;
the batching, JSON encoding and HTTP happen on the client's background thread. Target:
< 50 microseconds per call (issue 6).

What is measured: ``log(inputs, outputs=probs, id=...)`` with 20 features (float values as a
model server holds them: a dict of Python floats, or of NumPy float64 scalars) and two class
probabilities, default client settings (``batch_size=100``, ``flush_interval=0.5``,
``max_queue=10_000``) unless stated. The server is a separate process on 127.0.0.1
(``http.server`` answering 200 with ``{"accepted": n}``), so the background thread competes
with the caller for the GIL as it would in a model server. Between two calls the caller
stands in for the model's work for ``--gap`` microseconds (100: 10,000 predictions/s):

* ``busy``: a pure-Python busy loop, which never releases the GIL: the worst case for the
  background thread, which waits up to the interpreter's switch interval (5 ms) for the GIL
  after each socket call, so it sends fewer events per second than with an idle caller;
* ``sleep``: ``time.sleep`` (I/O waits, or NumPy/torch code that releases the GIL);
* ``no gap``: calls back to back (a burst: the queue fills and most calls are dropped);
* ``server down``: a closed port; the queue fills, and most calls take the "dropped" path.

Reported per scenario: mean microseconds per call (total time of ``calls`` calls, each
timed with ``perf_counter_ns``, the timer's own cost subtracted), p50, p99 and max; and the
client's counts (sent, dropped, failed, retried).

Run::

    .venv/bin/python benchmarks/client_overhead.py
    .venv/bin/python benchmarks/client_overhead.py --calls 20000   # quick

The table goes to stdout and the results as JSON to ``benchmarks/results/client_overhead.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from shiftwatch.client import Client

RESULTS_FILE = Path(__file__).resolve().parent / "results" / "client_overhead.json"
TARGET_US = 50.0

SERVER = """
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        data = json.dumps({"accepted": len(body.get("events", [])), "duplicates": 0}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def busy(microseconds: float) -> None:
    """Stand-in for the model's work between two predictions (holds the GIL, like Python)."""
    end = time.perf_counter_ns() + int(microseconds * 1_000)
    while time.perf_counter_ns() < end:
        pass


def timer_cost_ns() -> float:
    samples = np.empty(100_000, dtype=np.int64)
    for i in range(samples.size):
        start = time.perf_counter_ns()
        samples[i] = time.perf_counter_ns() - start
    return float(np.median(samples))


def measure(
    url: str,
    calls: int,
    gap_us: float,
    wait: str,
    numpy_values: bool,
    batch_size: int,
    flush_timeout: float,
) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(1_000, 20))
    if numpy_values:
        pool = [{f"f{j}": row[j] for j in range(20)} for row in rows]
    else:
        pool = [{f"f{j}": float(row[j]) for j in range(20)} for row in rows]
    probs = [[0.25, 0.75], [0.6, 0.4]]
    cost = timer_cost_ns()
    durations = np.empty(calls, dtype=np.int64)
    client = Client(url, "bench", batch_size=batch_size)
    pause = busy if wait == "busy" else lambda us: time.sleep(us / 1e6)
    try:
        for i in range(2_000):  # warm-up
            client.log(pool[i % 1_000], outputs=probs[i % 2])
        client.flush(timeout=flush_timeout)
        for i in range(calls):
            inputs, outputs, event_id = pool[i % 1_000], probs[i % 2], f"r{i}"
            start = time.perf_counter_ns()
            client.log(inputs, outputs=outputs, id=event_id)
            durations[i] = time.perf_counter_ns() - start
            if gap_us:
                pause(gap_us)
        client.flush(timeout=flush_timeout)
    finally:
        client.close(timeout=flush_timeout)
    us = np.maximum(durations - cost, 0) / 1_000
    stats = client.stats
    return {
        "calls": calls,
        "gap_us": gap_us,
        "wait": wait,
        "numpy_values": numpy_values,
        "batch_size": batch_size,
        "mean_us": float(us.mean()),
        "p50_us": float(np.percentile(us, 50)),
        "p99_us": float(np.percentile(us, 99)),
        "max_us": float(us.max()),
        "timer_cost_ns": cost,
        "sent": stats.sent,
        "dropped": stats.dropped,
        "failed": stats.failed,
        "retried": stats.retried,
    }


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--gap", type=float, default=100.0, help="busy microseconds per call")
    parser.add_argument("--out", type=Path, default=RESULTS_FILE)
    args = parser.parse_args()

    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        assert server.stdout is not None
        up = f"http://127.0.0.1:{int(server.stdout.readline())}"
        down = f"http://127.0.0.1:{closed_port()}"
        scenarios = {
            "busy, floats": (up, args.gap, "busy", False, 100, 60.0),
            "busy, numpy values": (up, args.gap, "busy", True, 100, 60.0),
            "busy, batch_size=1000": (up, args.gap, "busy", False, 1_000, 60.0),
            "sleep, floats": (up, args.gap, "sleep", False, 100, 60.0),
            "no gap, floats": (up, 0.0, "busy", False, 100, 60.0),
            "server down": (down, args.gap, "busy", False, 100, 1.0),
        }
        results = {}
        for name, (url, gap, wait, numpy_values, batch_size, flush_timeout) in scenarios.items():
            print(f"measuring: {name}", file=sys.stderr)
            results[name] = measure(
                url, args.calls, gap, wait, numpy_values, batch_size, flush_timeout
            )
    finally:
        server.terminate()
        server.wait(10)

    header = f"{'scenario':<24} {'mean us':>8} {'p50 us':>7} {'p99 us':>7} {'max us':>8}"
    print(header + f" {'sent':>8} {'dropped':>8} {'failed':>7}")
    for name, r in results.items():
        print(
            f"{name:<24} {r['mean_us']:8.2f} {r['p50_us']:7.2f} {r['p99_us']:7.2f} "
            f"{r['max_us']:8.0f} {r['sent']:8d} {r['dropped']:8d} {r['failed']:7d}"
        )
    worst = max(r["mean_us"] for r in results.values())
    verdict = "meets" if worst < TARGET_US else "MISSES"
    print(f"worst mean {worst:.2f} us per call: {verdict} the {TARGET_US:.0f} us target")
    machine = {"python": sys.version.split()[0], "platform": platform.platform()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"target_us": TARGET_US, "machine": machine, "results": results}
    args.out.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
