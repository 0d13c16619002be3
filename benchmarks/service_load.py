"""Service load: events/s and latency of ``POST /events`` from a separate process, and the
latency of a window check, on SQLite and PostgreSQL.

The server is ``shiftwatch serve`` in its own process (uvicorn, one worker) on 127.0.0.1; the
load comes from another process (``--child load``) with ``--connections`` threads, each
posting pre-built bodies of 100 events x 20 numeric features (``httpx``, keep-alive) for
``--events`` events in all. Every request is timed from send to answer (the answer comes once
the batch is committed). The server's CPU time over the load (user + system, from
``/proc/<pid>/stat``; in the table) and the load generator's (``time.process_time``; in the
JSON) are reported per batch: the two share the machine's cores. Then the admin ``check``
call is timed 20 times on two models: one with a 10,000-row window and one with a
1,000,000-row window, after the whole load went to the second (so its window holds up to 1M
rows) and 20,000 events to the first. Targets on a 2-core machine (issue 6): >= 20,000
events/s on SQLite, p99 < 100 ms per batch, a window check < 200 ms whatever the history.

Run::

    .venv/bin/python benchmarks/service_load.py                      # SQLite and PostgreSQL
    .venv/bin/python benchmarks/service_load.py --databases sqlite --events 200000

Results go to stdout (Markdown) and ``benchmarks/results/service_load.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import _measure

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_FILE = BENCH_DIR / "results" / "service_load.json"
FEATURES, BATCH = 20, 100
ADMIN = "bench-admin"
POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


# --- load generator (child process) ------------------------------------------------------------


def _bodies(seed: int, count: int) -> list[bytes]:
    import numpy as np

    rng = np.random.default_rng(seed)
    bodies = []
    for b in range(count):
        values = rng.normal(size=(BATCH, FEATURES)).round(6)
        events = [
            {
                "id": f"{seed}-{b}-{i}",
                "inputs": {f"f{j}": float(values[i, j]) for j in range(FEATURES)},
            }
            for i in range(BATCH)
        ]
        bodies.append(json.dumps({"events": events}).encode())
    return bodies


def _load(job: dict[str, Any]) -> dict[str, Any]:
    import httpx

    url, model, connections = job["url"], job["model"], job["connections"]
    batches = job["events"] // BATCH
    per_connection = batches // connections
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [0] * connections
    # bodies are built before the clock starts; ids are unique per connection and batch
    bodies = [_bodies(job["seed"] * 1000 + c, min(per_connection, 200)) for c in range(connections)]

    def run(c: int) -> None:
        headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"}
        with httpx.Client(headers=headers, timeout=30) as client:
            for b in range(per_connection):
                body = bodies[c][b % len(bodies[c])]
                if b >= len(bodies[c]):  # fresh ids: rename the batch
                    body = body.replace(b'"id": "', f'"id": "r{b}-'.encode())
                start = time.perf_counter()
                answer = client.post(f"{url}/v1/models/{model}/events", content=body)
                latencies[c].append(time.perf_counter() - start)
                if answer.status_code != 200:
                    failures[c] += 1

    threads = [threading.Thread(target=run, args=(c,)) for c in range(connections)]
    cpu = time.process_time()
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    flat = sorted(x for part in latencies for x in part)
    sent = len(flat) * BATCH
    return {
        "events": sent,
        "seconds": seconds,
        "events_per_s": sent / seconds,
        "p50_ms": 1000 * flat[len(flat) // 2],
        "p99_ms": 1000 * flat[min(len(flat) - 1, int(len(flat) * 0.99))],
        "max_ms": 1000 * flat[-1],
        "failures": sum(failures),
        "client_cpu_ms_per_batch": 1000 * cpu / len(flat),
    }


def _checks(job: dict[str, Any]) -> dict[str, Any]:
    import httpx

    times = []
    headers = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(headers=headers, timeout=60) as client:
        for _ in range(job["repeats"]):
            start = time.perf_counter()
            answer = client.post(f"{job['url']}/v1/models/{job['model']}/check")
            times.append(time.perf_counter() - start)
            answer.raise_for_status()
        window = answer.json()["window_rows"]
    return {
        "window_rows": window,
        "median_ms": 1000 * statistics.median(times),
        "max_ms": 1000 * max(times),
    }


CHILDREN = {"load": _load, "checks": _checks}


# --- parent ------------------------------------------------------------------------------------


def _reference(folder: Path) -> Path:
    import numpy as np

    from shiftwatch.profile import Profile

    rng = np.random.default_rng(1)
    path = folder / "ref.swp"
    data = rng.normal(size=(20_000, FEATURES))
    Profile.from_data({f"f{j}": data[:, j] for j in range(FEATURES)}).save(path)
    return path


def _postgres_url() -> tuple[str, str] | None:
    try:
        import psycopg
    except ImportError:
        return None
    name = f"sw_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def _drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux ``/proc``; else None)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _child(job: dict[str, Any], timeout: float) -> dict[str, Any]:
    return _measure.run_script(sys.executable, __file__, ["--child", json.dumps(job)], timeout, {})


def _one_database(kind: str, url: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.service.servers import Server, free_port

    reference = _reference(folder)
    config = folder / f"{kind}.toml"
    config.write_text(
        f'[server]\ndb_url = "{url}"\nadmin_tokens = ["{ADMIN}"]\n'
        f"raw_retention_rows = 2000000\n\n"
        f'[[models]]\nname = "w10k"\nreference = "{reference}"\nwindow = 10000\n\n'
        f'[[models]]\nname = "w1m"\nreference = "{reference}"\nwindow = 1000000\nert = 100000000\n'
    )
    server = Server(config, free_port(), folder / f"{kind}.log")
    try:
        print(f"  {kind}: loading {args.events:,} events", file=sys.stderr, flush=True)
        cpu_before = _cpu_seconds(server.process.pid)
        load = _child(
            {
                "child": "load",
                "url": server.url,
                "model": "w1m",
                "events": args.events,
                "connections": args.connections,
                "seed": 1,
            },
            args.timeout,
        )
        cpu_after = _cpu_seconds(server.process.pid)
        if cpu_before is not None and cpu_after is not None:
            load["server_cpu_ms_per_batch"] = (
                1000 * (cpu_after - cpu_before) * BATCH / load["events"]
            )
        _child(
            {
                "child": "load",
                "url": server.url,
                "model": "w10k",
                "events": 20_000,
                "connections": 2,
                "seed": 2,
            },
            args.timeout,
        )
        checks = {
            model: _child(
                {"child": "checks", "url": server.url, "model": model, "repeats": 20}, args.timeout
            )
            for model in ("w10k", "w1m")
        }
    finally:
        server.stop()
    return {"load": load, "checks": checks}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="shiftwatch serve under load")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=3_600.0)
    parser.add_argument("--output", type=Path, default=RESULTS_FILE)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        job = json.loads(args.child)
        _measure.report(CHILDREN[job["child"]](job))
        return
    machine = _measure.describe_machine()
    results: dict[str, Any] = {"machine": machine, "events": args.events}
    for kind in args.databases:
        with tempfile.TemporaryDirectory() as folder:
            if kind == "sqlite":
                results[kind] = _one_database(kind, f"sqlite:///{folder}/sw.db", Path(folder), args)
                continue
            created = _postgres_url()
            if created is None:
                results[kind] = {"error": "no PostgreSQL on 127.0.0.1:5432"}
                continue
            try:
                results[kind] = _one_database(kind, created[0], Path(folder), args)
            finally:
                _drop_postgres(created[1])
    print("# shiftwatch serve under load\n")
    print(f"- machine: {machine['cpu']}, {machine['logical_cores']} logical cores")
    print(
        f"- {args.events:,} events in batches of {BATCH} x {FEATURES} features, "
        f"{args.connections} connections from another process\n"
    )
    print(
        "| database | events/s | p50 (ms) | p99 (ms) | max (ms) | failures "
        "| server CPU per batch (ms) "
        "| check, window 10,000 (ms, median / max) | check, window 1,000,000 (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in args.databases:
        result = results[kind]
        if "error" in result:
            print(f"| {kind} | {result['error']} | | | | | | | |")
            continue
        load, checks = result["load"], result["checks"]
        small, big = checks["w10k"], checks["w1m"]
        print(
            f"| {kind} | {load['events_per_s']:,.0f} | {load['p50_ms']:.1f} | "
            f"{load['p99_ms']:.1f} | {load['max_ms']:.1f} | {load['failures']} | "
            f"{load.get('server_cpu_ms_per_batch', float('nan')):.2f} | "
            f"{small['median_ms']:.1f} / {small['max_ms']:.1f} ({small['window_rows']:,} rows) | "
            f"{big['median_ms']:.1f} / {big['max_ms']:.1f} ({big['window_rows']:,} rows) |"
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
