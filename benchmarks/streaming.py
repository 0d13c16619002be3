"""Streaming: Monitor throughput and memory, its calibration and delays, detectors, peers.

What is measured (each measurement in a fresh child process with one thread, the variables of
``_data.SINGLE_THREAD_ENV`` set before it starts):

(a) ``Monitor.log`` throughput on batches of 100 rows x 20 float64 columns (N(0, 1); a pool of
    100 distinct batches, seed 2, logged in turn), reference 20,000 rows (seed 1),
    ``window=10_000``. "log only" never checks (``check_every`` beyond the run) but feeds the
    per-column score CUSUMs (``scores=True``, the default; "scores off" without them); "with
    checks" compares the window with the reference every 10,000 or 1,000 rows
    (``ert=1_000_000``, so alpha 0.005 or 0.0005 per check, half the budget going to the
    CUSUMs). Inputs are dicts of NumPy arrays (what a model server holds) or pyarrow record
    batches. The child warms up on 20 batches, resets the kernel's peak-RSS mark (Linux
    ``/proc/self/clear_refs``) and samples its RSS 20 times along the run: flat samples are
    the bounded-memory claim. Where a mode is under 200,000 rows/s, the child then profiles
    200 more batches (cProfile, top 15 by internal time; not part of the timing).
(b) Calibration on unshifted data: columns ``normal`` N(0, 1), ``lognormal`` and ``plan``
    (4 categories), reference 20,000 rows; one check per batch of ``check_every`` rows. The
    contract: at most one drifted check per ``ert`` rows on average (alpha = check_every / ert
    per check, union bound over checks), hence at least ``ert`` rows between false alarms.
    Reported: rows per drifted check, rows per alarm with ``clear_after=1`` (each run of
    drifted checks one alarm) and with the default ``clear_after`` (the window renewed).
(c) Detection delay: 5 N(0, 1) columns, column 0 shifted by 0.5 or 1 std after a warm-up of
    two windows; delay = rows from the first shifted row to the alarm's ``at_row`` (which is
    where the check that raised it ran). Runs with a false alarm in the warm-up are left out
    and counted.
(d) Detectors in ``shiftwatch.detectors`` (whichever import): ``update_many`` throughput on one
    array and in chunks of 1,000 values; ERT measured as values / alarms on that N(0, 1) stream
    (seed 3); mean delay from the first shifted value to the alarm (included) after 2,000
    in-control values, over ``runs`` runs (seeds [4, run]). BernoulliCUSUM watches 0/1 errors:
    rate 0.05 in control, then x1.5 and x2.
(e) Peers where they import: river's ADWIN and PageHinkley (``--river-python``), alibi-detect's
    CVMDriftOnline (``--alibi-python``), on the same streams (NumPy's default_rng, same seeds),
    fed one value at a time as their APIs take them. PageHinkley and ADWIN use the same
    parameters on both sides (river's defaults), so their alarms can be compared one for one.

Run::

    .venv/bin/python benchmarks/streaming.py --river-python /tmp/venv-river/bin/python
    .venv/bin/python benchmarks/streaming.py --quick    # smoke test, a few minutes

The tables go to stdout, progress to stderr, and the results as JSON to
``benchmarks/results/streaming.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _measure

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "results" / "streaming.json"
TARGET_ROWS_PER_S = 200_000

BATCH_ROWS, N_COLUMNS, WINDOW, REFERENCE_ROWS = 100, 20, 10_000, 20_000
CALIBRATION_SETTINGS = [  # (window, check_every, ert)
    (500, 100, 5_000),
    (1_000, 250, 20_000),
]
DELAY_SETTINGS = [(500, 100, 5_000), (1_000, 250, 20_000)]
SHIFTS = (0.5, 1.0)
MONITOR_SHIFTS = (0.1, 0.5, 1.0)  # a tenth of a std: what the score CUSUMs are for
ERROR_RATE, ERROR_RISES = 0.05, (1.5, 2.0)
PRE_SHIFT = 2_000
DETECTOR_CONFIGS = {
    "CUSUM": "CUSUM(mean=0.0, std=1.0, ert=10_000)",
    "PageHinkley": "PageHinkley() (river's defaults: threshold 50, delta 0.005)",
    "ADWIN": "ADWIN() (river's defaults: delta 0.002, clock 32)",
    "BernoulliCUSUM": f"BernoulliCUSUM({ERROR_RATE}, ert=10_000) on 0/1 errors",
}


# --- child side ------------------------------------------------------------------------------


def _top_functions(run: Callable[[], None], limit: int = 15) -> str:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(run)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(limit)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    table = [line for line in lines[start:] if line.strip()]
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    cumulative: dict[str, float] = {}
    for (file, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        label = _BREAKDOWN.get((file, function))
        if label is not None:  # the outermost of same-named functions: the largest time
            cumulative[label] = max(cumulative.get(label, 0.0), row[3])
    parts = [f"{label} {t:.2f} s ({t / total:.0%})" for label, t in cumulative.items()]
    return "\n".join([*table, "", f"total {total:.2f} s; cumulative: " + "; ".join(parts)])


_BREAKDOWN = {
    ("tables.py", "to_table"): "to_table (input to Arrow)",
    ("windows.py", "add"): "BucketedWindow.add (bucket summaries)",
    ("windows.py", "profile"): "BucketedWindow.profile (merging buckets)",
    ("compare.py", "compare"): "compare (window vs reference)",
}


def _throughput(job: dict[str, Any]) -> dict[str, Any]:
    import gc

    import numpy as np
    import pyarrow as pa

    from shiftwatch.monitor import Monitor

    rows, check_every = job["rows"], job["check_every"]
    names = [f"c{i}" for i in range(N_COLUMNS)]
    reference = np.random.default_rng(1).normal(size=(REFERENCE_ROWS, N_COLUMNS))
    rng = np.random.default_rng(2)
    pool: list[Any] = []
    for _ in range(100):
        batch = rng.normal(size=(BATCH_ROWS, N_COLUMNS))
        columns = {name: np.ascontiguousarray(batch[:, j]) for j, name in enumerate(names)}
        pool.append(pa.record_batch(columns) if job["input"] == "arrow" else columns)
    if check_every is None:  # never check during the run
        check_every, ert = rows + 1, 10.0 * (rows + 1)
    else:
        ert = 1_000_000.0
    monitor = Monitor(
        {name: reference[:, j] for j, name in enumerate(names)},
        window=WINDOW,
        check_every=check_every,
        ert=ert,
        scores=job["scores"],
    )
    for batch in pool[:20]:
        monitor.log(batch)
    gc.collect()
    peak_reset = _measure.reset_peak_rss()
    baseline = _measure.rss_bytes() // 1024
    n_batches = rows // BATCH_ROWS
    every = max(1, n_batches // 20)
    samples = []
    start = time.perf_counter()
    for i in range(n_batches):
        monitor.log(pool[i % 100])
        if (i + 1) % every == 0:
            samples.append(
                [(i + 1) * BATCH_ROWS, time.perf_counter() - start, _measure.rss_bytes() // 1024]
            )
    seconds = time.perf_counter() - start
    result: dict[str, Any] = {
        "rows": n_batches * BATCH_ROWS,
        "seconds": seconds,
        "rows_per_s": n_batches * BATCH_ROWS / seconds,
        "checks": n_batches * BATCH_ROWS // check_every,
        "baseline_kib": baseline,
        "peak_kib": _measure.max_rss_bytes() // 1024,
        "peak_reset": peak_reset,
        "samples": samples,
        "profile": None,
    }
    if result["rows_per_s"] < TARGET_ROWS_PER_S:

        def more() -> None:
            for i in range(200):
                monitor.log(pool[i % 100])

        result["profile"] = _top_functions(more)
    return result


def _calibration_stream(rng: Any, n: int) -> dict[str, Any]:
    import numpy as np

    plans = np.array(["basic", "plus", "pro", "team"])
    return {
        "normal": rng.normal(size=n),
        "lognormal": rng.lognormal(sigma=1.0, size=n),
        "plan": plans[rng.choice(4, size=n, p=[0.5, 0.3, 0.15, 0.05])],
    }


def _alarms(flags: list[bool], clear_after: int) -> int:
    from shiftwatch.monitor.alerts import Hysteresis

    state = Hysteresis(clear_after)
    return sum(state.observe(flag) == "alarm" for flag in flags)


def _calibration(job: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    from shiftwatch.monitor import Monitor

    window, check_every, ert = job["window"], job["check_every"], job["ert"]
    reference = _calibration_stream(np.random.default_rng(job["seed"]), REFERENCE_ROWS)
    monitor = Monitor(reference, window=window, check_every=check_every, ert=ert)
    rng = np.random.default_rng(job["seed"] + 1)
    flags = []
    start = time.perf_counter()
    for _ in range(job["rows"] // check_every):
        monitor.log(_calibration_stream(rng, check_every))
        flags.append(monitor.last_drifted)
    rows = len(flags) * check_every
    return {
        "rows": rows,
        "checks": len(flags),
        "alpha": monitor.alpha,
        "drifted_checks": int(sum(flags)),
        "alarms_clear_after_1": _alarms(flags, 1),
        "clear_after": monitor.clear_after,
        "alarms_default": _alarms(flags, monitor.clear_after),
        "seconds": time.perf_counter() - start,
    }


def _monitor_delay(job: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    from shiftwatch.monitor import Monitor

    window, check_every, ert, shift = job["window"], job["check_every"], job["ert"], job["shift"]
    names = [f"x{i}" for i in range(5)]
    reference = np.random.default_rng(job["seed"]).normal(size=(REFERENCE_ROWS, 5))
    reference_columns = {name: reference[:, j] for j, name in enumerate(names)}
    delays, false_alarms, undetected = [], 0, 0
    cap = 50 * window
    for run in range(job["runs"]):
        monitor = Monitor(
            reference_columns,
            window=window,
            check_every=check_every,
            ert=ert,
            scores=job["scores"],
        )
        rng = np.random.default_rng([job["seed"], run])
        warm_up = 2 * window
        alarmed = False
        for _ in range(warm_up // check_every):
            data = rng.normal(size=(check_every, 5))
            alarmed = alarmed or bool(monitor.log({n: data[:, j] for j, n in enumerate(names)}))
        if alarmed:
            false_alarms += 1
            continue
        shift_row = monitor.n
        delay = None
        while delay is None and monitor.n - shift_row < cap:
            data = rng.normal(size=(check_every, 5))
            data[:, 0] += shift
            events = monitor.log({n: data[:, j] for j, n in enumerate(names)})
            if events:
                delay = events[0].at_row - shift_row
        if delay is None:
            undetected += 1
        else:
            delays.append(delay)
    return {"delays": delays, "false_alarms_in_warm_up": false_alarms, "undetected": undetected}


def _stream(kind: str, seed: Any, n: int, level: float = 0.0) -> Any:
    """N(level, 1) values, or 0/1 errors at rate ERROR_RATE * level (level 1: in control)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    if kind == "errors":
        return (rng.random(n) < ERROR_RATE * (level or 1.0)).astype(np.float64)
    return rng.normal(level, 1.0, n)


def _make_shiftwatch(name: str) -> Any:
    import shiftwatch.detectors as detectors

    if name == "CUSUM":
        return detectors.CUSUM(mean=0.0, std=1.0, ert=10_000)
    if name == "BernoulliCUSUM":
        return detectors.BernoulliCUSUM(ERROR_RATE, ert=10_000)
    return getattr(detectors, name)()


def _make_peer(name: str) -> Any:
    if name == "river.PageHinkley":
        from river import drift

        return drift.PageHinkley()
    if name == "river.ADWIN":
        from river import drift

        return drift.ADWIN()
    if name == "alibi.CVMDriftOnline":
        import numpy as np
        from alibi_detect.cd import CVMDriftOnline

        reference = _stream("normal", 5, 1_000)
        model = CVMDriftOnline(
            reference, ert=10_000, window_sizes=[50, 200], n_bootstraps=20_000, verbose=False
        )
        return model, np
    raise ValueError(name)


def _first_alarm(detector: Any, values: Any, vectorised: bool) -> int | None:
    """Feed ``values``; the position of the first alarm among them (the detector keeps going)."""
    if vectorised:
        alarms = detector.update_many(values)
        return int(alarms[0]) if alarms.size else None
    first = None
    for i, x in enumerate(values.tolist()):
        if isinstance(detector, tuple):  # alibi: predict one value at a time
            model, np = detector
            if model.predict(np.array([x]))["data"]["is_drift"] and first is None:
                first = i
            continue
        detector.update(x)
        if detector.drift_detected and first is None:
            first = i
    return first


def _all_alarms(detector: Any, values: Any, vectorised: bool) -> list[int]:
    if vectorised:
        return [int(a) for a in detector.update_many(values)]
    alarms = []
    for i, x in enumerate(values.tolist()):
        detector.update(x)
        if detector.drift_detected:
            alarms.append(i)
    return alarms


def _delays(make: Callable[[], Any], kind: str, level: float, runs: int, vectorised: bool) -> Any:
    delays, false_alarms, undetected = [], 0, 0
    for run in range(runs):
        detector = make()
        if _first_alarm(detector, _stream(kind, [4, run], PRE_SHIFT), vectorised) is not None:
            false_alarms += 1
            continue
        fed, delay = 0, None
        for part in range(100):
            chunk = _stream(kind, [6, run, part], 1_000, level)
            first = _first_alarm(detector, chunk, vectorised)
            if first is not None:
                delay = fed + first + 1
                break
            fed += chunk.size
        if delay is None:
            undetected += 1
        else:
            delays.append(delay)
    return {"delays": delays, "false_alarms_before_shift": false_alarms, "undetected": undetected}


def _detector(job: dict[str, Any]) -> dict[str, Any]:
    name, values, runs = job["name"], job["values"], job["runs"]
    peer = "." in name
    make = (lambda: _make_peer(name)) if peer else (lambda: _make_shiftwatch(name))
    vectorised = not peer
    result: dict[str, Any] = {"values": values}
    if name == "alibi.CVMDriftOnline":  # thresholds by bootstrap: set up once, reset per run
        start = time.perf_counter()
        built = _make_peer(name)
        result["setup_seconds"] = time.perf_counter() - start

        def make() -> Any:
            built[0].reset_state()
            return built

    kind = "errors" if name == "BernoulliCUSUM" else "normal"
    stream = _stream(kind, 3, values)
    if name != "alibi.CVMDriftOnline":
        detector = make()  # set-up (a threshold solved from the ERT) is not timed
        start = time.perf_counter()
        alarms = _all_alarms(detector, stream, vectorised)
        result["seconds"] = time.perf_counter() - start
        result["values_per_s"] = values / result["seconds"]
        result["alarms"] = len(alarms)
        result["first_alarms"] = alarms[:200]
        if vectorised:
            detector = make()
            start = time.perf_counter()
            for offset in range(0, values, 1_000):
                detector.update_many(stream[offset : offset + 1_000])
            result["values_per_s_chunks"] = values / (time.perf_counter() - start)
    else:
        start = time.perf_counter()
        alarms = []
        model, np = make()
        for i, x in enumerate(stream.tolist()):
            if model.predict(np.array([x]))["data"]["is_drift"]:
                alarms.append(i)
                model.reset_state()
        result["seconds"] = time.perf_counter() - start
        result["values_per_s"] = values / result["seconds"]
        result["alarms"] = len(alarms)
        result["first_alarms"] = alarms[:200]
    levels = ERROR_RISES if kind == "errors" else SHIFTS
    result["delay"] = {str(level): _delays(make, kind, level, runs, vectorised) for level in levels}
    return result


def _probe() -> dict[str, Any]:
    from importlib import metadata

    facts: dict[str, Any] = {"executable": sys.executable, "python": platform.python_version()}
    for name in ("numpy", "pyarrow", "scipy", "shiftwatch", "river", "alibi-detect"):
        try:
            facts[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            facts[name] = None
    facts["detectors"], facts["missing"] = [], {}
    for name in DETECTOR_CONFIGS:
        try:
            _make_shiftwatch(name)
        except Exception as error:
            facts["missing"][name] = f"{type(error).__name__}: {error}"
        else:
            facts["detectors"].append(name)
    for peer in ("river.PageHinkley", "river.ADWIN", "alibi.CVMDriftOnline"):
        module = "river" if peer.startswith("river") else "alibi_detect"
        try:
            __import__(module)
        except Exception as error:
            facts["missing"][peer] = f"{type(error).__name__}: {error}"
        else:
            facts["detectors"].append(peer)
    return facts


CHILDREN: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "throughput": _throughput,
    "calibration": _calibration,
    "monitor_delay": _monitor_delay,
    "detector": _detector,
}


# --- parent side -----------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    """What children get on top of this environment."""
    import _data  # not at the top: children run where pandas may not import

    return {**_data.SINGLE_THREAD_ENV, "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "3"}


def _run(python: str, job: dict[str, Any], timeout: float) -> dict[str, Any]:
    print(f"  {json.dumps(job)}", file=sys.stderr, flush=True)
    try:
        args = ["--child", json.dumps(job)]
        return _measure.run_script(python, __file__, args, timeout, _child_env())
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    except (OSError, RuntimeError) as error:
        return {"error": str(error)}


def _machine() -> str:
    machine = _measure.describe_machine()
    return f"{machine['cpu']}, {machine['logical_cores']} logical cores; {machine['os']}"


def _mb(kib: float) -> str:
    return f"{kib / 1024:,.0f}"


def _section_throughput(args: argparse.Namespace, out: dict[str, Any]) -> None:
    modes = [  # label, check_every, input, rows, per-column score CUSUMs
        ("log only", None, "dict", args.rows_log, True),
        ("log only, scores off", None, "dict", args.rows_log // 5, False),
        ("log only", None, "arrow", args.rows_log // 10, True),
        ("with checks", 10_000, "dict", args.rows_checks, True),
        ("with checks", 1_000, "dict", args.rows_checks, True),
    ]
    print("\n## (a) Monitor.log throughput: batches of 100 rows x 20 columns, window 10,000\n")
    print(
        "| mode | input | rows | seconds | rows/s | checks (every) | baseline RSS (MB) "
        "| peak RSS (MB) "
        "| RSS growth after warm-up (MB) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for label, check_every, kind, rows, scores in modes:
        job = {
            "child": "throughput",
            "rows": rows,
            "check_every": check_every,
            "input": kind,
            "scores": scores,
        }
        result = _run(args.python, job, args.timeout)
        result.update(mode=label, input=kind)
        results.append(result)
        if "error" in result:
            print(f"| {label} | {kind} | {rows:,} | {result['error']} | | | | | |")
            continue
        inputs = "dict of NumPy arrays" if kind == "dict" else "pyarrow RecordBatch"
        growth = result["samples"][-1][2] - result["samples"][0][2]
        print(
            f"| {label} | {inputs} | {result['rows']:,} | {result['seconds']:.1f} | "
            f"{result['rows_per_s']:,.0f} | {result['checks']:,} ({check_every or '—'}) | "
            f"{_mb(result['baseline_kib'])} | {_mb(result['peak_kib'])} | {growth / 1024:+.1f} |"
        )
    for result in results:
        if "error" in result:
            continue
        print(f"\nRSS along the run ({result['mode']}, {result['input']}): rows logged -> MB")
        print()
        print(
            "  " + ", ".join(f"{rows / 1e6:g}M: {_mb(rss)}" for rows, _, rss in result["samples"])
        )
    for result in results:
        if result.get("profile"):
            print(
                f"\n{result['mode']} ({result['input']}) is below {TARGET_ROWS_PER_S:,} rows/s; "
                "cProfile of 200 more batches, top 15 by internal time:\n"
            )
            print("```")
            print(result["profile"])
            print("```")
    out["throughput"] = results


def _section_calibration(args: argparse.Namespace, out: dict[str, Any]) -> None:
    print("\n## (b) Calibration on unshifted data (3 columns: normal, lognormal, 4-level plan)\n")
    print(
        "| window | check_every | ert | alpha / check | rows | checks | drifted checks "
        "| rows per drifted check | alarms (clear_after 1) | rows per alarm "
        "| alarms (default clear_after) | rows per alarm | seconds |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for seed, (window, check_every, ert) in enumerate(CALIBRATION_SETTINGS, start=40):
        job = {
            "child": "calibration",
            "window": window,
            "check_every": check_every,
            "ert": ert,
            "rows": args.rows_calibration,
            "seed": seed,
        }
        result = {**job, **_run(args.python, job, args.timeout)}
        results.append(result)
        if "error" in result:
            print(f"| {window:,} | {check_every:,} | {ert:,} | {result['error']} |")
            continue

        def per(count: int, rows: int = result["rows"]) -> str:
            return f"> {rows:,}" if count == 0 else f"{rows / count:,.0f}"

        print(
            f"| {window:,} | {check_every:,} | {ert:,} | {result['alpha']:.3g} | "
            f"{result['rows']:,} | {result['checks']:,} | {result['drifted_checks']} | "
            f"{per(result['drifted_checks'])} | {result['alarms_clear_after_1']} | "
            f"{per(result['alarms_clear_after_1'])} | {result['alarms_default']} "
            f"(clear_after {result['clear_after']}) | {per(result['alarms_default'])} | "
            f"{result['seconds']:.0f} |"
        )
    print(
        "\nThe contract: rows per drifted check >= ert on average (the union bound's "
        "statement), so rows per alarm >= ert too. With k events in T rows the estimate "
        "T / k has a relative standard error of about 1 / sqrt(k) (more for drifted checks, "
        "which come in clusters: overlapping windows). One reference sample per setting: the "
        "guarantee holds on average over reference samples too, and one sample can sit a "
        "little off its population."
    )
    out["calibration"] = results


def _summary(delays: list[int]) -> str:
    import numpy as np

    if not delays:
        return "— | — | — | —"
    values = np.array(delays)
    return (
        f"{values.mean():,.0f} | {np.median(values):,.0f} | "
        f"{np.percentile(values, 90):,.0f} | {values.max():,}"
    )


def _section_delay(args: argparse.Namespace, out: dict[str, Any]) -> None:
    print("\n## (c) Monitor detection delay: shift of column 0 of 5 N(0, 1) columns\n")
    print(
        "| window | check_every | ert | scores | shift (std) | runs | mean delay (rows) | median "
        "| p90 "
        "| max | false alarm in warm-up | undetected in 50 windows |"
    )
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for (window, check_every, ert), shift, scores in itertools.product(
        DELAY_SETTINGS, MONITOR_SHIFTS, (True, False)
    ):
        job = {
            "child": "monitor_delay",
            "window": window,
            "check_every": check_every,
            "ert": ert,
            "shift": shift,
            "scores": scores,
            "runs": args.runs,
            "seed": 70,
        }
        result = {**job, **_run(args.python, job, args.timeout)}
        results.append(result)
        if "error" in result:
            print(
                f"| {window:,} | {check_every:,} | {ert:,} | {scores} | {shift} | "
                f"{result['error']} |"
            )
            continue
        print(
            f"| {window:,} | {check_every:,} | {ert:,} | {'on' if scores else 'off'} | "
            f"{shift:g} | {args.runs} | "
            f"{_summary(result['delays'])} | {result['false_alarms_in_warm_up']} | "
            f"{result['undetected']} |"
        )
    print("\nDelays are in rows and move in steps of check_every (an alarm is raised by a check).")
    out["monitor_delay"] = results


def _section_detectors(args: argparse.Namespace, out: dict[str, Any]) -> None:
    probes = {"shiftwatch": _probe_in(args.python)}
    if args.river_python:
        probes["river"] = _probe_in(args.river_python)
    if args.alibi_python:
        probes["alibi"] = _probe_in(args.alibi_python)
    jobs: list[tuple[str, str, int]] = []
    for name in DETECTOR_CONFIGS:
        if name in probes["shiftwatch"].get("detectors", []):
            jobs.append((args.python, name, args.values))
        else:
            why = probes["shiftwatch"].get("missing", {}).get(name) or probes["shiftwatch"].get(
                "error", "not found"
            )
            print(f"- skipped shiftwatch {name}: {why}")
    peers = [
        ("river", "river.PageHinkley", args.peer_values),
        ("river", "river.ADWIN", args.peer_values),
        ("alibi", "alibi.CVMDriftOnline", args.alibi_values),
    ]
    for env, name, values in peers:
        probe = probes.get(env)
        if probe is None:
            print(f"- skipped {name}: no --{env}-python given")
        elif name in probe.get("detectors", []):
            jobs.append((args.river_python if env == "river" else args.alibi_python, name, values))
        else:
            why = probe.get("missing", {}).get(name) or probe.get("error", "not importable")
            print(f"- skipped {name}: {why}")
    print("\n## (d, e) Streaming detectors and peers on N(0, 1) streams with a mean shift\n")
    print(
        "| detector | configuration | values | values/s (one array) | values/s (chunks of "
        "1,000) | alarms | ERT measured (values / alarms) | delay, smaller shift "
        "| delay, larger shift |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    results = {}
    for python, name, values in jobs:
        job = {"child": "detector", "name": name, "values": values, "runs": args.detector_runs}
        if name == "alibi.CVMDriftOnline":
            job["runs"] = max(3, args.detector_runs // 10)
        result = {**job, **_run(python, job, args.timeout)}
        results[name] = result
        config = DETECTOR_CONFIGS.get(name) or _PEER_CONFIGS[name]
        if "error" in result:
            print(f"| {name} | {config} | {values:,} | {result['error']} | | | | | |")
            continue
        chunks = result.get("values_per_s_chunks")
        ert = "—" if not result["alarms"] else f"{values / result['alarms']:,.0f}"
        ert = f"> {values:,}" if not result["alarms"] else ert
        cells = []
        for level, delay in result["delay"].items():
            shown = "x" + level if name == "BernoulliCUSUM" else level + " std"
            mean = (sum(delay["delays"]) / len(delay["delays"])) if delay["delays"] else None
            extra = (f", {delay['undetected']} undetected" if delay["undetected"] else "") + (
                f", {delay['false_alarms_before_shift']} false alarm(s) before"
                if delay["false_alarms_before_shift"]
                else ""
            )
            mean_text = "—" if mean is None else f"{mean:,.1f}"
            cells.append(f"{shown}: {mean_text} ({len(delay['delays'])} runs{extra})")
        print(
            f"| {name} | {config} | {values:,} | {result['values_per_s']:,.0f} | "
            f"{'—' if chunks is None else f'{chunks:,.0f}'} | {result['alarms']} | {ert} | "
            f"{cells[0]} | {cells[1]} |"
        )
    for ours, theirs in (("PageHinkley", "river.PageHinkley"), ("ADWIN", "river.ADWIN")):
        mine, peer = results.get(ours, {}), results.get(theirs, {})
        if "error" in mine or "error" in peer or not mine or not peer:
            continue
        n = peer["values"]
        a, b = [x for x in mine["first_alarms"] if x < n], peer["first_alarms"]
        same = "identical" if a == b[: len(a)] and len(a) == len(b) else "different"
        delays_same = all(
            mine["delay"][level]["delays"] == peer["delay"][level]["delays"]
            for level in mine["delay"]
        )
        print(
            f"\n{ours} vs {theirs}: alarm positions over the first {n:,} in-control values "
            f"are {same} ({len(a)} vs {len(b)} alarms); per-run delays after the shifts are "
            f"{'identical' if delays_same else 'different'}."
        )
    print(
        "\nERT: values / alarms on one in-control stream (restart after each alarm). Delay: "
        f"mean values from the first shifted value to the alarm (included), after {PRE_SHIFT:,} "
        "in-control values; runs with an alarm before the shift are left out. Peers are fed "
        "one value at a time (their API); shiftwatch through update_many."
    )
    out["detectors"] = {"probes": probes, "results": results}


_PEER_CONFIGS = {
    "river.PageHinkley": "river.drift.PageHinkley() (defaults)",
    "river.ADWIN": "river.drift.ADWIN() (defaults)",
    "alibi.CVMDriftOnline": "CVMDriftOnline(1,000 reference values, ert=10,000, "
    "window_sizes=[50, 200], n_bootstraps=20,000)",
}


def _probe_in(python: str) -> dict[str, Any]:
    try:
        return _measure.run_script(python, __file__, ["--probe"], 600, _child_env(), check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"error": str(error)}
    except _measure.ChildFailed as error:
        return {"error": f"cannot run this script: {error.tail}"}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Monitor throughput, memory, calibration and delay; streaming detectors "
        "and their peers. One child process (one thread) per measurement.",
        epilog=f"Writes {RESULTS_FILE.relative_to(BENCH_DIR.parent)}.",
    )
    parser.add_argument(
        "--sections",
        nargs="+",
        choices=["throughput", "calibration", "delay", "detectors"],
        default=["throughput", "calibration", "delay", "detectors"],
    )
    parser.add_argument("--quick", action="store_true", help="smaller runs: a few minutes")
    parser.add_argument("--python", default=sys.executable, help="interpreter for shiftwatch")
    parser.add_argument(
        "--river-python",
        default="/tmp/venv-river/bin/python",
        help="interpreter where river imports (skipped if it does not)",
    )
    parser.add_argument(
        "--alibi-python",
        default="/tmp/venv-alibi/bin/python",
        help="interpreter where alibi-detect imports (skipped if it does not)",
    )
    parser.add_argument("--timeout", type=float, default=3_600.0, help="seconds per child")
    parser.add_argument("--output", type=Path, default=RESULTS_FILE, help="JSON results file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.python = os.path.abspath(args.python) if os.sep in args.python else args.python
    for name in ("river_python", "alibi_python"):
        path = getattr(args, name)
        setattr(args, name, path if path and os.path.exists(path) else None)
    if args.quick:
        args.rows_log, args.rows_checks, args.rows_calibration = 1_000_000, 100_000, 200_000
        args.runs, args.values, args.peer_values, args.alibi_values = 10, 1_000_000, 200_000, 5_000
        args.detector_runs = 50
    else:
        args.rows_log, args.rows_checks, args.rows_calibration = 10_000_000, 1_000_000, 1_000_000
        args.runs, args.values, args.peer_values = 50, 10_000_000, 2_000_000
        args.alibi_values, args.detector_runs = 20_000, 300
    return args


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    if args.child:
        job = json.loads(args.child)
        _measure.report(CHILDREN[job["child"]](job))
        return
    if args.probe:
        _measure.report(_probe())
        return
    print("# Streaming: Monitor and detectors, one thread per measurement\n")
    print(f"- machine: {_machine()}")
    print(f"- {'quick run (--quick)' if args.quick else 'full run'}; interpreter {args.python}")
    settings = {**vars(args), "output": str(args.output)}
    out: dict[str, Any] = {"machine": _machine(), "quick": args.quick, "settings": settings}
    sections = {
        "throughput": _section_throughput,
        "calibration": _section_calibration,
        "delay": _section_delay,
        "detectors": _section_detectors,
    }
    for name in args.sections:
        sections[name](args, out)
        sys.stdout.flush()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nWrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
