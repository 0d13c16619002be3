"""Service faults: a flood of large bodies, unauthenticated senders, slow bodies.

A real ``shiftwatch serve`` (uvicorn, one process, SQLite) watches two models, ``flooded`` and
``other``, on 127.0.0.1. Three scenarios, each bounded in requests and time:

- **flood**: ``--connections`` (24) threads post bodies of about 390 KiB (1,000 events x 20
  features) to ``flooded`` with a 0.5 s client timeout for ``--seconds`` (from a process of
  their own); the server's RSS is
  sampled every second (``/proc/<pid>/status``), answers are counted by status (timeouts
  apart), and a 1-event POST to the flooded model and to the other one is timed every second.
  Target (issue 17): RSS at most 1.5x the idle RSS, the small POST answered within 1 s.
- **pre-auth**: 4 sender processes post 9.6 MB bodies to ``/labels`` without a token while
  ``/healthz`` and an authenticated 100-event ingest are timed; against the same timings with
  no senders. The senders share this machine's cores with the server.
- **slow bodies**: 200 connections send headers and half a body, then nothing; counted as
  still open after the body timeout (5 s here) plus 3 s.

Run::

    .venv/bin/python benchmarks/service_faults.py                 # about two minutes
    .venv/bin/python benchmarks/service_faults.py --seconds 60

Results go to stdout (Markdown) and ``benchmarks/results/service_faults.json``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_FILE = BENCH_DIR / "results" / "service_faults.json"
TOKEN = "bench-write"
FEATURES = 20


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _events(prefix: str, n: int) -> bytes:
    import numpy as np

    values = np.random.default_rng(abs(hash(prefix)) % 2**32).normal(size=(n, FEATURES)).round(9)
    events = [
        {"id": f"{prefix}-{i}", "inputs": {f"f{j}": float(values[i, j]) for j in range(FEATURES)}}
        for i in range(n)
    ]
    return json.dumps({"events": events}).encode()


def _config(folder: Path) -> Path:
    import numpy as np

    from shiftwatch.profile import Profile

    reference = folder / "ref.swp"
    data = np.random.default_rng(1).normal(size=(20_000, FEATURES))
    Profile.from_data({f"f{j}": data[:, j] for j in range(FEATURES)}).save(reference)
    config = folder / "faults.toml"
    config.write_text(
        f'[server]\ndb_url = "sqlite:///{folder / "sw.db"}"\nwrite_tokens = ["{TOKEN}"]\n'
        "body_timeout_seconds = 5\n\n"
        f'[[models]]\nname = "flooded"\nreference = "{reference}"\nwindow = 10000\n\n'
        f'[[models]]\nname = "other"\nreference = "{reference}"\nwindow = 10000\n'
    )
    return config


def _timed_post(client: Any, url: str, body: bytes, timeout: float) -> tuple[float, int | None]:
    import httpx

    start = time.perf_counter()
    try:
        status = client.post(url, content=body, timeout=timeout).status_code
    except httpx.HTTPError:
        status = None
    return time.perf_counter() - start, status


def _flood_senders(url: str, connections: int, seconds: float) -> dict[str, int]:
    """In a process of its own: post large bodies from many threads; count the answers."""
    import httpx

    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    bodies = [_events(f"flood{c}", 1_000) for c in range(connections)]
    counts: dict[str, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def sender(c: int) -> None:
        with httpx.Client(headers=headers) as client:
            sent = 0
            while time.perf_counter() < stop:
                body = bodies[c].replace(b'"id": "', f'"id": "{sent}-'.encode())
                _, status = _timed_post(client, f"{url}/v1/models/flooded/events", body, 0.5)
                with lock:
                    key = "timeout" if status is None else str(status)
                    counts[key] = counts.get(key, 0) + 1
                sent += 1

    threads = [threading.Thread(target=sender, args=(c,)) for c in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def flood(url: str, pid: int, connections: int, seconds: float) -> dict[str, Any]:
    """Flood one model; sample RSS; time small POSTs to it and to another model."""
    import httpx

    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    stop = time.perf_counter() + seconds
    idle = _rss_mb(pid)
    rss: list[float] = []
    small: dict[str, list[tuple[float, int | None]]] = {"flooded": [], "other": []}

    def prober() -> None:
        with httpx.Client(headers=headers) as client:
            probe = 0
            while time.perf_counter() < stop:
                rss.append(_rss_mb(pid))
                for model in small:
                    body = _events(f"probe-{model}-{probe}", 1)
                    small[model].append(
                        _timed_post(client, f"{url}/v1/models/{model}/events", body, 10.0)
                    )
                probe += 1
                time.sleep(1.0)

    with multiprocessing.get_context("fork").Pool(1) as pool:  # senders apart from the prober
        flooding = pool.apply_async(_flood_senders, (url, connections, seconds))
        prober()
        counts = flooding.get(timeout=seconds + 60)
    time.sleep(5)
    after = _rss_mb(pid)
    stored = httpx.get(f"{url}/v1/models/flooded", headers=headers).json()["stored_rows"]
    return {
        "idle_rss_mb": idle,
        "peak_rss_mb": max(rss),
        "rss_after_5s_mb": after,
        "peak_over_idle": max(rss) / idle,
        "answers": counts,
        "stored_rows": stored,
        "small_post_flooded_max_s": max(s for s, _ in small["flooded"]),
        "small_post_flooded_median_s": statistics.median(s for s, _ in small["flooded"]),
        "small_post_flooded_statuses": sorted({str(status) for _, status in small["flooded"]}),
        "small_post_other_max_s": max(s for s, _ in small["other"]),
    }


def pre_auth(url: str, rounds: int = 30) -> dict[str, Any]:
    """Time /healthz and authenticated ingest with and without unauthenticated big senders."""
    import httpx

    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    big = b'{"labels": [' + b",".join([b'{"id": "x", "label": 1}'] * 400_000) + b"]}"

    def timings() -> tuple[float, float]:
        health, ingest = [], []
        with httpx.Client(headers=headers, timeout=30) as client:
            for i in range(rounds):
                health.append(_timed_post_get(client, f"{url}/healthz"))
                body = _events(f"auth-{time.perf_counter()}-{i}", 100)
                ingest.append(_timed_post(client, f"{url}/v1/models/other/events", body, 30)[0])
        return statistics.median(health), statistics.median(ingest)

    quiet = timings()
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    refused = context.Value("i", 0)
    senders = [
        context.Process(target=_unauthenticated, args=(url, big, stop, refused)) for _ in range(4)
    ]
    for process in senders:
        process.start()
    time.sleep(1)
    loaded = timings()
    stop.set()
    for process in senders:
        process.join(60)
    return {
        "body_mb": len(big) / 1e6,
        "healthz_median_ms_quiet": 1000 * quiet[0],
        "healthz_median_ms_under_senders": 1000 * loaded[0],
        "ingest_median_ms_quiet": 1000 * quiet[1],
        "ingest_median_ms_under_senders": 1000 * loaded[1],
        "unauthenticated_refused": refused.value,
    }


def _unauthenticated(url: str, body: bytes, stop: Any, refused: Any) -> None:
    """In a process of its own: post a large body without a token until told to stop."""
    import httpx

    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            answer = client.post(f"{url}/v1/models/other/labels", content=body)
            with refused.get_lock():
                refused.value += answer.status_code == 401


def _timed_post_get(client: Any, url: str) -> float:
    start = time.perf_counter()
    client.get(url)
    return time.perf_counter() - start


def slow_bodies(url: str, count: int = 200, body_timeout: float = 5.0) -> dict[str, Any]:
    """Open connections that send half a body and stop; count those still open later."""
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for i in range(count):
        conn = socket.create_connection((host, int(port)))
        head = (
            f"POST /v1/models/other/events HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
            f"Content-Length: 1000\r\n\r\n"
        )
        conn.sendall(head.encode() + b'{"events": [' + b" " * (400 + i % 10))
        sockets.append(conn)
    time.sleep(body_timeout + 3)
    still_open = 0
    statuses: dict[str, int] = {}
    for conn in sockets:
        conn.settimeout(0.2)
        try:
            data = conn.recv(4096)
        except TimeoutError:
            still_open += 1
            continue
        except OSError:
            data = b""
        status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "closed"
        statuses[status] = statuses.get(status, 0) + 1
        conn.close()
    for conn in sockets:
        conn.close()
    return {"connections": count, "still_open": still_open, "answers": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--connections", type=int, default=24)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.service.servers import Server, free_port

    with tempfile.TemporaryDirectory() as folder:
        config = _config(Path(folder))
        server = Server(config, free_port(), Path(folder) / "server.log")
        try:
            results = {
                "flood": flood(server.url, server.process.pid, args.connections, args.seconds),
                "pre_auth": pre_auth(server.url),
                "slow_bodies": slow_bodies(server.url),
            }
        finally:
            server.stop()
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(results, indent=2))
    f, a, s = results["flood"], results["pre_auth"], results["slow_bodies"]
    print("| scenario | measure | value |\n|---|---|---|")
    print(
        f"| flood | RSS idle -> peak -> 5 s after (MB) | {f['idle_rss_mb']:.0f} -> "
        f"{f['peak_rss_mb']:.0f} -> {f['rss_after_5s_mb']:.0f} ({f['peak_over_idle']:.2f}x) |"
    )
    print(f"| flood | answers by status | {f['answers']} |")
    print(
        f"| flood | 1-event POST to the flooded model: median / max (s) | "
        f"{f['small_post_flooded_median_s']:.3f} / {f['small_post_flooded_max_s']:.3f} "
        f"({', '.join(f['small_post_flooded_statuses'])}) |"
    )
    print(
        f"| flood | 1-event POST to the other model: max (s) | {f['small_post_other_max_s']:.3f} |"
    )
    print(
        f"| pre-auth | /healthz median, quiet -> 4 senders of {a['body_mb']:.1f} MB (ms) | "
        f"{a['healthz_median_ms_quiet']:.1f} -> {a['healthz_median_ms_under_senders']:.1f} |"
    )
    print(
        f"| pre-auth | 100-event ingest median, quiet -> senders (ms) | "
        f"{a['ingest_median_ms_quiet']:.1f} -> {a['ingest_median_ms_under_senders']:.1f} |"
    )
    print(
        f"| slow bodies | still open {5 + 3} s after sending half a body | "
        f"{s['still_open']} of {s['connections']} ({s['answers']}) |"
    )


if __name__ == "__main__":
    main()
