"""Speed and extra memory of one reference-vs-current comparison: shiftwatch against its peers.

What is measured, for each tool (shiftwatch, evidently, alibi-detect; see ``peers.py`` for how
the peers are called) and each size:

* sizes: "100k x 25 mixed" (``_data.mixed_frame``: floats of several shapes, integer and string
  columns) and "1M x 100 numeric" (``_data.numeric_frame``: float64 normals); reference and
  current have the same size, drawn with seeds 1 and 2.
* ``--repeat N`` runs each cell N times (each in a fresh child) and keeps the fastest run; a run
  that took over a minute is not repeated.
* every run is a fresh child process with one thread (``OMP_NUM_THREADS=1`` and the like, set
  before it starts; shiftwatch's ``compare`` is called with ``workers=1``). The child imports
  the tool, generates both pandas frames, warms the tool up on their first 1,000 rows, resets
  the kernel's peak-RSS mark to the current RSS (Linux ``/proc/self/clear_refs``) and takes
  that RSS as its baseline. It then times only the compare
  call (``time.perf_counter``) and reports ``ru_maxrss`` minus the baseline as extra peak
  memory, and the size of the input (``memory_usage(deep=True)`` of both frames).
* the time includes everything the tool needs from a pandas frame: shiftwatch's conversion to
  Arrow, the peers' conversion in their adapters.
* "time / shiftwatch" is the tool's seconds over shiftwatch's seconds in the same interpreter
  (same numpy and pandas), or in ``--python``'s where shiftwatch does not run in the peers' one.

shiftwatch runs in ``--python`` and, if it imports there, also in ``--peer-python``; the peers
run in ``--peer-python``, and a peer that does not import there is skipped with a line saying so.

Run (the Makefile's ``make bench`` does the first)::

    .venv/bin/python benchmarks/compare_speed.py --peer-python .venv-bench/bin/python
    .venv/bin/python benchmarks/compare_speed.py --quick   # smoke test, well under a minute

The table goes to stdout, progress to stderr, and the same results as JSON to
``benchmarks/results/compare_speed.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import _data
import _measure
import peers

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "results" / "compare_speed.json"
ALPHA = 0.05
REFERENCE_SEED, CURRENT_SEED = 1, 2
WARM_UP_ROWS = 1_000
NO_REPEAT_AFTER_S = 60.0  # a run this long is not repeated: its noise is small beside it
_CHILD_ENV = {
    **_data.SINGLE_THREAD_ENV,
    "TRANSFORMERS_VERBOSITY": "error",  # alibi-detect imports transformers, which chats
    "PYTHONWARNINGS": "ignore",
}


@dataclass(frozen=True)
class Size:
    label: str
    kind: str  # "mixed" or "numeric"
    n_rows: int
    n_cols: int


SIZES = {
    "mixed-100k": Size("100k x 25 mixed", "mixed", 100_000, 25),
    "numeric-1M": Size("1M x 100 numeric", "numeric", 1_000_000, 100),
    "mixed-10k": Size("10k x 25 mixed", "mixed", 10_000, 25),
    "numeric-100k": Size("100k x 10 numeric", "numeric", 100_000, 10),
}
DEFAULT_SIZES = ("mixed-100k", "numeric-1M")
QUICK_SIZES = ("mixed-10k", "numeric-100k")


# --- child side: runs in the interpreter under test -------------------------------------------


def _comparison(tool: str, categorical: list[str]) -> Callable[[Any, Any], int]:
    """The call to time, for ``tool``: returns the number of columns it flags."""
    if tool == "shiftwatch":
        import shiftwatch as sw

        # one thread, as the peers: compare's default would test columns on one per core
        return lambda ref, cur: len(sw.compare(ref, cur, alpha=ALPHA, workers=1).drifted_columns)

    def run(ref: Any, cur: Any) -> int:
        result = peers.run_peer(tool, ref, cur, alpha=ALPHA, categorical=categorical)
        return len(result.drifted_columns)

    return run


def _child(tool: str, size_key: str) -> dict[str, Any]:
    size = SIZES[size_key]
    categorical = _data.CATEGORICAL if size.kind == "mixed" else []
    compare = _comparison(tool, categorical)
    if size.kind == "mixed":
        reference = _data.mixed_frame(size.n_rows, REFERENCE_SEED)
        current = _data.mixed_frame(size.n_rows, CURRENT_SEED)
    else:
        reference = _data.numeric_frame(size.n_rows, size.n_cols, REFERENCE_SEED)
        current = _data.numeric_frame(size.n_rows, size.n_cols, CURRENT_SEED)
    input_bytes = int(
        reference.memory_usage(deep=True).sum() + current.memory_usage(deep=True).sum()
    )
    compare(reference.iloc[:WARM_UP_ROWS], current.iloc[:WARM_UP_ROWS])  # imports, first calls

    gc.collect()
    peak_reset = _measure.reset_peak_rss()
    baseline = _measure.rss_bytes()
    start = time.perf_counter()
    n_flagged = compare(reference, current)
    seconds = time.perf_counter() - start
    peak = _measure.max_rss_bytes()
    return {
        "seconds": seconds,
        "extra_bytes": max(peak - baseline, 0),
        "input_bytes": input_bytes,
        "baseline_bytes": baseline,
        "peak_reset": peak_reset,
        "threads_after": _measure.threads(),
        "n_flagged": n_flagged,
    }


def _probe() -> dict[str, Any]:
    """Versions seen by this interpreter, and which tools import in it."""
    from importlib import metadata

    def version(distribution: str) -> str | None:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            return None

    facts: dict[str, Any] = {
        "executable": sys.executable,
        "python": platform.python_version(),
        **{name: version(name) for name in ("numpy", "pandas", "pyarrow", "scipy")},
        "tools": {},
        "import_errors": {},
    }
    try:
        import shiftwatch

        facts["tools"]["shiftwatch"] = shiftwatch.__version__
    except Exception as error:
        facts["import_errors"]["shiftwatch"] = f"{type(error).__name__}: {error}"
    importable = peers.available_peers()
    for name in peers.PEERS:
        if name in importable:
            facts["tools"][name] = version(name)
        else:
            facts["import_errors"][name] = peers.why_unavailable(name)
    return facts


# --- parent side -----------------------------------------------------------------------------


@dataclass
class Row:
    size: str
    tool: str
    python: str
    env: str
    status: str  # "ok", "timed out after X s" or "failed: ..."
    seconds: float | None = None
    extra_bytes: int | None = None
    input_bytes: int | None = None
    peak_reset: bool | None = None
    threads_after: int | None = None
    n_flagged: int | None = None
    time_ratio: float | None = None
    """seconds / shiftwatch seconds (same interpreter where shiftwatch ran there)."""


def _probe_in(python: str) -> dict[str, Any]:
    """What ``_probe`` reports in ``python``, or ``{"probe_error": why}``."""
    try:
        return _measure.run_script(python, __file__, ["--probe"], 300, _CHILD_ENV)
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as error:
        return {"probe_error": str(error)}


def _env_label(probe: dict[str, Any]) -> str:
    return f"numpy {probe['numpy']}, pandas {probe['pandas']}"


def _run_one(
    python: str, probe: dict[str, Any], tool: str, size_key: str, args: argparse.Namespace
) -> Row:
    size = SIZES[size_key]
    best: Row | None = None
    for attempt in range(1, args.repeat + 1):
        print(f"  {size.label}: {tool} in {python} (run {attempt})", file=sys.stderr, flush=True)
        row = Row(size.label, tool, python, _env_label(probe), "ok")
        try:
            reported = _measure.run_script(
                python, __file__, ["--child", tool, size_key], args.timeout, _CHILD_ENV
            )
        except subprocess.TimeoutExpired:
            row.status = f"timed out after {args.timeout:g} s (set-up included)"
        except RuntimeError as error:
            row.status = f"failed: {error}"
        else:
            for key, value in reported.items():
                setattr(row, key, value)
        if row.status != "ok":
            return best or row  # a failure would repeat: keep the best success, if any
        if best is None or (row.seconds or 0) < (best.seconds or 0):
            best = row
        if (row.seconds or 0) > NO_REPEAT_AFTER_S:
            break
    assert best is not None
    return best


def _fill_ratios(rows: list[Row], main_python: str) -> None:
    baseline = {(r.size, r.python): r.seconds for r in rows if r.tool == "shiftwatch" and r.seconds}
    for row in rows:
        reference = baseline.get((row.size, row.python)) or baseline.get((row.size, main_python))
        if reference is not None and row.seconds is not None:
            row.time_ratio = row.seconds / reference


def _table(rows: list[Row], main_python: str) -> str:
    def mb(n: int | None) -> str:
        return "—" if n is None else f"{n / 1e6:,.0f}"

    lines = [
        "| size | tool | env | seconds | input (MB) | extra peak memory (MB) | extra / input "
        "| time / shiftwatch |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r.status == "ok":
            seconds = f"{r.seconds:.2f}"
            ratio_memory = f"{(r.extra_bytes or 0) / (r.input_bytes or 1):.2f}"
        else:
            seconds, ratio_memory = r.status, "—"
        ratio = "—" if r.time_ratio is None else f"{r.time_ratio:,.1f}×"
        shown_python = "" if r.python == main_python else " (peer env)"
        lines.append(
            f"| {r.size} | {r.tool}{shown_python} | {r.env} | {seconds} | {mb(r.input_bytes)} | "
            f"{mb(r.extra_bytes)} | {ratio_memory} | {ratio} |"
        )
    return "\n".join(lines)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time shiftwatch.compare against evidently and alibi-detect, one run per "
        "child process (one thread), and measure its extra peak memory.",
        epilog=f"Writes {RESULTS_FILE.relative_to(BENCH_DIR.parent)}.",
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        choices=list(SIZES),
        default=list(DEFAULT_SIZES),
        help=f"data sizes to run (default: {' '.join(DEFAULT_SIZES)})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help=f"runs per cell, the fastest counts; a run over {NO_REPEAT_AFTER_S:g} s is not "
        "repeated (default: 1)",
    )
    parser.add_argument("--skip-peers", action="store_true", help="run shiftwatch only")
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds per child before it is stopped"
    )
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter for shiftwatch (default: this one)"
    )
    parser.add_argument(
        "--peer-python",
        default=sys.executable,
        help="interpreter for the peers, and for a second shiftwatch run (default: this one)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke test: sizes {' '.join(QUICK_SIZES)}, one run, 120 s timeout",
    )
    parser.add_argument("--output", type=Path, default=RESULTS_FILE, help="JSON results file")
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    # Children run in the benchmarks folder: a relative interpreter path must not change meaning.
    args.python, args.peer_python = (
        os.path.abspath(p) if os.sep in p else p for p in (args.python, args.peer_python)
    )
    if args.quick:
        args.sizes, args.repeat, args.timeout = list(QUICK_SIZES), 1, min(args.timeout, 120.0)
    return args


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    if args.child:
        _measure.report(_child(*args.child))
        return
    if args.probe:
        _measure.report(_probe())
        return

    main_python = args.python
    same = os.path.abspath(args.peer_python) == os.path.abspath(main_python)
    pythons = [main_python] + ([] if same else [args.peer_python])
    probes = {python: _probe_in(python) for python in pythons}
    machine = _measure.describe_machine(
        openblas_coretype=os.environ.get("OPENBLAS_CORETYPE"), child_env=_CHILD_ENV
    )
    print("# compare: speed and extra peak memory, one thread per run\n")
    memory_gib = (machine["memory_bytes"] or 0) / 2**30
    print(
        f"- machine: {machine['cpu']}, {machine['logical_cores']} logical cores, "
        f"{memory_gib:.0f} GiB memory; {machine['os']}"
    )
    if machine["openblas_coretype"]:
        print(f"- OPENBLAS_CORETYPE={machine['openblas_coretype']} (set in this environment)")
    print(f"- child environment: {' '.join(f'{k}={v}' for k, v in _CHILD_ENV.items())}")
    for python, probe in probes.items():
        if "probe_error" in probe:
            print(f"- {python}: cannot run this script ({probe['probe_error']})")
            continue
        tools = ", ".join(f"{name} {version}" for name, version in probe["tools"].items())
        print(
            f"- {python}: Python {probe['python']}, numpy {probe['numpy']}, pandas "
            f"{probe['pandas']}, pyarrow {probe['pyarrow']}, scipy {probe['scipy']}; {tools}"
        )

    wanted = [(python, "shiftwatch") for python in pythons]
    if not args.skip_peers:
        wanted += [(args.peer_python, name) for name in peers.PEERS]
    jobs: list[tuple[str, str]] = []
    for python, tool in wanted:
        probe = probes[python]
        if tool in probe.get("tools", {}):
            jobs.append((python, tool))
            continue
        why = probe.get("probe_error") or probe["import_errors"].get(tool, "does not import")
        print(f"- skipped {tool} in {python}: {why}")
    if (main_python, "shiftwatch") not in jobs:
        sys.exit(f"shiftwatch does not run in {main_python}")
    print(
        f"- data: reference seed {REFERENCE_SEED}, current seed {CURRENT_SEED} (same "
        f"distribution); warm-up on {WARM_UP_ROWS:,} rows; best of {args.repeat}; "
        f"timeout {args.timeout:g} s; alpha {ALPHA}\n",
        flush=True,
    )

    rows = [
        _run_one(python, probes[python], tool, size_key, args)
        for size_key in args.sizes
        for python, tool in jobs
    ]
    _fill_ratios(rows, main_python)
    print(_table(rows, main_python))
    if any(r.peak_reset is False for r in rows):
        print("\nThe kernel refused to reset the peak-RSS mark: extra memory includes set-up.")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": machine,
        "interpreters": probes,
        "settings": {
            "alpha": ALPHA,
            "reference_seed": REFERENCE_SEED,
            "current_seed": CURRENT_SEED,
            "repeat": args.repeat,
            "timeout_s": args.timeout,
            "sizes": {key: asdict(SIZES[key]) for key in args.sizes},
        },
        "results": [asdict(row) for row in rows],
    }
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nWrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
