"""False-alarm rate and power of the dataset and column verdicts: shiftwatch against its peers.

What is measured, on ``_data.mixed_frame`` (25 columns: 15 floats of several shapes, 5 integer,
5 string columns) with ``n`` rows in both the reference and the current set:

* replicate ``r`` (0, 1, …) at size ``n`` draws its reference from seed ``(SEED, n, r, 0)`` and
  its current set from seed ``(SEED, n, r, 1)``: same distribution, no shift. The shifted
  current set is that same current set with ``num_0`` (normal) moved by 0.25 standard
  deviations (``--shift-column``, ``--shift``). Every tool sees the same replicates.
* false alarm: share of unshifted replicates where the tool's dataset verdict says drift;
  also the share where it flags any column (evidently's dataset verdict needs half the
  columns, so its column flags tell more).
* power: share of shifted replicates where the tool flags the shifted column, and where its
  dataset verdict says drift.
* each rate comes with a 95% Wilson score interval; ``alpha = 0.05`` everywhere. How each peer
  is called and what its verdicts mean is in ``peers.py``; peers run in this interpreter and
  are skipped, with a line saying so, where they do not import.
* evidently needs about a second per comparison whatever the size, so by default it runs on
  the first ``--evidently-runs`` replicates only (the table's ``runs`` column says how many).

Run (the Makefile's ``make bench-quality`` does the first)::

    .venv-bench/bin/python benchmarks/compare_quality.py
    .venv-bench/bin/python benchmarks/compare_quality.py --quick   # smoke test, under a minute
    .venv-bench/bin/python benchmarks/compare_quality.py --scenarios new_level scale \
        corr_flip tied_integers dates bad_values   # issue 14's messy-data shifts

``--scenarios`` picks the shifts (``_scenarios.py`` describes each); the default, "mean", is
the original benchmark above.

Replicates run in ``--jobs`` worker processes (one thread each). The tables go to stdout,
progress to stderr, and the results as JSON to ``benchmarks/results/compare_quality.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import sys
import time
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import _data
import _scenarios
import peers
import shiftwatch as sw

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "results" / "compare_quality.json"
ALPHA = 0.05
Z_95 = 1.959963984540054
DEFAULT_SEED = 2026
DEFAULT_SIZES = (100, 1_000, 10_000)
DEFAULT_EVIDENTLY_RUNS = 100


def default_runs(n: int) -> int:
    return 200 if n <= 1_000 else 100


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval for k successes out of n."""
    p = k / n
    denominator = 1 + Z_95**2 / n
    centre = (p + Z_95**2 / (2 * n)) / denominator
    half = Z_95 * math.sqrt(p * (1 - p) / n + Z_95**2 / (4 * n**2)) / denominator
    return (0.0 if k == 0 else centre - half), (1.0 if k == n else centre + half)


# --- worker side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    n: int
    replicate: int
    tools: tuple[str, ...]
    seed: int
    shift: tuple[str, float]
    scenario: str = "mean"


@dataclass(frozen=True)
class Outcome:
    """One tool on one replicate: the unshifted and the shifted comparison."""

    null_drifted: bool
    null_flagged: tuple[str, ...]
    shift_drifted: bool
    shift_flagged: tuple[str, ...]
    seconds: float
    """For both comparisons."""
    errors: int = 0
    """Comparisons (of the two) where the tool raised instead of answering."""


def _verdict(tool: str, reference: Any, current: Any) -> tuple[bool, tuple[str, ...]] | None:
    """The tool's dataset verdict and flagged columns; None where it raised."""
    if tool == "shiftwatch":
        report = sw.compare(reference, current, alpha=ALPHA)
        return report.drifted, report.drifted_columns
    try:
        result = peers.run_peer(
            tool,
            _scenarios.for_peers(reference),
            _scenarios.for_peers(current),
            alpha=ALPHA,
            categorical=_data.CATEGORICAL,
        )
    except Exception:  # a peer failing on messy data is a result to count
        return None
    return result.drifted, result.drifted_columns


def _replicate(task: Task) -> tuple[Task, dict[str, Outcome]]:
    data = _scenarios.frames(
        task.scenario, task.n, (task.seed, task.n, task.replicate), mean_shift=task.shift
    )
    outcomes = {}
    for tool in task.tools:
        start = time.perf_counter()
        null = _verdict(tool, data.reference, data.current)
        shift = _verdict(tool, data.reference, data.shifted)
        seconds = time.perf_counter() - start
        errors = (null is None) + (shift is None)
        null_drifted, null_flagged = null or (False, ())
        shift_drifted, shift_flagged = shift or (False, ())
        outcomes[tool] = Outcome(
            null_drifted, null_flagged, shift_drifted, shift_flagged, seconds, errors
        )
    return task, outcomes


def _init_worker() -> None:
    warnings.simplefilter("ignore")
    peers.available_peers()  # import the peers now, not inside the first timed comparison


# --- parent side ------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts for one tool at one size."""

    runs: int = 0
    null_drifted: int = 0
    null_any_column: int = 0
    shift_column_flagged: int = 0
    shift_drifted: int = 0
    seconds: float = 0.0
    errors: int = 0
    null_flags: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome, shifted_column: str) -> None:
        self.runs += 1
        self.errors += outcome.errors
        self.null_drifted += outcome.null_drifted
        self.null_any_column += bool(outcome.null_flagged)
        self.shift_column_flagged += shifted_column in outcome.shift_flagged
        self.shift_drifted += outcome.shift_drifted
        self.seconds += outcome.seconds
        self.null_flags.update(outcome.null_flagged)

    def rates(self) -> dict[str, dict[str, Any]]:
        measures = {
            "false_alarm_dataset": self.null_drifted,
            "null_any_column_flagged": self.null_any_column,
            "power_column": self.shift_column_flagged,
            "power_dataset": self.shift_drifted,
        }
        return {
            name: {"count": k, "rate": k / self.runs, "wilson_95": wilson(k, self.runs)}
            for name, k in measures.items()
        }


def _cell(rate: dict[str, Any]) -> str:
    low, high = rate["wilson_95"]
    return f"{rate['rate']:.3f} [{low:.3f}, {high:.3f}]"


Key = tuple[str, int]  # (scenario, n)


def _tables(
    tallies: dict[Key, dict[str, Tally]], shift: tuple[str, float], columns: dict[str, str]
) -> str:
    column, k = shift
    lines = [
        "| scenario | n | tool | runs | false alarm: dataset verdict | no shift: any column "
        "flagged | power: shifted column flagged | power: dataset verdict | errors | "
        "s / comparison |",
        "|---|---:|---|---:|---|---|---|---|---:|---:|",
    ]
    for (scenario, n), by_tool in tallies.items():
        for tool, tally in by_tool.items():
            rates = tally.rates()
            lines.append(
                f"| {scenario} | {n:,} | {tool} | {tally.runs} | "
                f"{_cell(rates['false_alarm_dataset'])} | "
                f"{_cell(rates['null_any_column_flagged'])} | {_cell(rates['power_column'])} | "
                f"{_cell(rates['power_dataset'])} | {tally.errors} | "
                f"{tally.seconds / (2 * tally.runs):.3f} |"
            )
    lines += [
        "",
        "Rates with 95% Wilson intervals. Shifted columns: "
        + "; ".join(f"{name}: {target}" for name, target in columns.items())
        + f" (mean: a {k:g}-standard-deviation mean shift of {column}, "
        f"{_data.COLUMN_SHAPES[column]}). errors: comparisons where the tool raised (counted "
        "as no verdict).",
        "",
        "Columns flagged most often without a shift (share of runs):",
        "",
        "| scenario | n | tool | columns |",
        "|---|---:|---|---|",
    ]
    for (scenario, n), by_tool in tallies.items():
        for tool, tally in by_tool.items():
            top = ", ".join(
                f"{name} {count / tally.runs:.3f}"
                for name, count in tally.null_flags.most_common(4)
            )
            lines.append(f"| {scenario} | {n:,} | {tool} | {top or 'none'} |")
    return "\n".join(lines)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="False-alarm rate and power of shiftwatch, evidently and alibi-detect on "
        "simulated mixed data.",
        epilog=f"Writes {RESULTS_FILE.relative_to(BENCH_DIR.parent)}.",
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=int,
        default=list(DEFAULT_SIZES),
        help="rows per set (default: 100 1000 10000)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        help="replicates per size (default: 200 for n <= 1000, 100 above)",
    )
    parser.add_argument(
        "--evidently-runs",
        type=int,
        default=DEFAULT_EVIDENTLY_RUNS,
        help="at most this many replicates (the first ones) for evidently, which is slow "
        f"(default: {DEFAULT_EVIDENTLY_RUNS}; 0 skips it)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="base seed")
    parser.add_argument(
        "--shift-column", choices=_data.FLOAT_COLUMNS, default="num_0", help="column to shift"
    )
    parser.add_argument(
        "--shift", type=float, default=0.25, help="shift in standard deviations (default: 0.25)"
    )
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=_scenarios.SCENARIOS,
        default=["mean"],
        help="shifts to measure (see _scenarios.py; default: mean, the original benchmark)",
    )
    parser.add_argument("--skip-peers", action="store_true", help="run shiftwatch only")
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes (default: up to 2)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: sizes 100 and 1000, 4 runs each"
    )
    parser.add_argument("--output", type=Path, default=RESULTS_FILE, help="JSON results file")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs = [100, 1_000], 4
    if min(args.sizes) < 2 or (args.runs is not None and args.runs < 1) or args.jobs < 1:
        parser.error("sizes must be >= 2, --runs and --jobs >= 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    os.environ.update(_data.SINGLE_THREAD_ENV)  # inherited by the workers
    shift = (args.shift_column, args.shift)
    available = peers.available_peers()
    peer_tools = [] if args.skip_peers else [t for t in peers.PEERS if t in available]
    if args.evidently_runs < 1 and "evidently" in peer_tools:
        peer_tools.remove("evidently")
    tools = ["shiftwatch", *peer_tools]
    runs = {n: args.runs or default_runs(n) for n in args.sizes}

    versions = {"shiftwatch": sw.__version__} | {t: metadata.version(t) for t in tools[1:]}
    print("# compare: false alarms and power on simulated mixed data\n")
    print(
        f"- Python {platform.python_version()} ({sys.executable}); numpy "
        f"{metadata.version('numpy')}, pandas {metadata.version('pandas')}, scipy "
        f"{metadata.version('scipy')}; " + ", ".join(f"{t} {v}" for t, v in versions.items())
    )
    if not args.skip_peers:
        for name in peers.PEERS:
            if name not in available:
                print(f"- skipped {name}: {peers.why_unavailable(name)} in {sys.executable}")
    print(
        f"- replicate r at n rows: reference = mixed_frame(n, seed=({args.seed}, n, r, 0)), "
        f"current = mixed_frame(n, seed=({args.seed}, n, r, 1)); shifted current = the same "
        f"with {args.shift_column} + {args.shift:g} sd; alpha {ALPHA}"
    )
    print("- runs per size: " + ", ".join(f"n={n:,}: {r}" for n, r in runs.items()))
    print(
        f"- scenarios: {', '.join(args.scenarios)}; all but 'mean' use a "
        f"{_scenarios.REFERENCE_ROWS:,}-row reference (see benchmarks/_scenarios.py)"
    )
    if "evidently" in tools and max(runs.values()) > args.evidently_runs:
        print(
            f"- evidently runs on the first {args.evidently_runs} replicates of each size only "
            "(--evidently-runs): it takes about a second per comparison, whatever the size"
        )
    print(f"- {args.jobs} worker process(es), one thread each\n", flush=True)

    tasks = [
        Task(
            n,
            r,
            tuple(t for t in tools if t != "evidently" or r < args.evidently_runs),
            args.seed,
            shift,
            scenario,
        )
        for scenario in args.scenarios
        for n in args.sizes
        for r in range(runs[n])
    ]
    tallies: dict[Key, dict[str, Tally]] = {
        (scenario, n): {tool: Tally() for tool in tools}
        for scenario in args.scenarios
        for n in args.sizes
    }
    targets: dict[str, str] = {}
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.jobs, mp_context=context, initializer=_init_worker) as pool:
        for done, (task, outcomes) in enumerate(pool.map(_replicate, tasks), start=1):
            target = targets.setdefault(
                task.scenario, _scenarios.TARGETS.get(task.scenario, args.shift_column)
            )
            for tool, outcome in outcomes.items():
                tallies[(task.scenario, task.n)][tool].add(outcome, target)
            if done % max(len(tasks) // 20, 1) == 0 or done == len(tasks):
                elapsed = time.perf_counter() - start
                print(f"  {done}/{len(tasks)} replicates, {elapsed:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - start

    print(_tables(tallies, shift, targets))
    print(
        f"\nTotal time: {elapsed:.0f} s with {args.jobs} worker(s); s / comparison is wall time "
        "inside a worker, with the workers sharing the machine."
    )

    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "settings": {
            "alpha": ALPHA,
            "seed": args.seed,
            "seeds": "reference (seed, n, r, 0), current (seed, n, r, 1)",
            "shift": {"column": args.shift_column, "sd": args.shift},
            "runs": runs,
            "evidently_runs": args.evidently_runs,
            "jobs": args.jobs,
            "elapsed_s": elapsed,
        },
        "versions": versions,
        "columns": _data.COLUMN_SHAPES,
        "results": {
            f"{scenario}/{n}": {
                tool: {
                    "runs": tally.runs,
                    "errors": tally.errors,
                    "seconds_per_comparison": tally.seconds / (2 * tally.runs),
                    **tally.rates(),
                    "null_flags_by_column": dict(tally.null_flags.most_common()),
                }
                for tool, tally in by_tool.items()
            }
            for (scenario, n), by_tool in tallies.items()
        },
    }
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"Wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
