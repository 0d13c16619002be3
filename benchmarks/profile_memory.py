"""Peak memory and speed of ``Profile.from_data`` on a folder of Parquet files, against whylogs.

The target: profiling 5 GB of Parquet peaks under 1 GB (10^9 bytes) of resident memory.

What is measured:

* data: a folder of Parquet files of about ``--gigabytes`` on disk (default 5; ``--quick`` 0.2),
  written by pyarrow chunk by chunk (one row group of at most 524,288 rows per chunk, snappy,
  the writer's defaults otherwise), so the generator's own memory stays small. 21 columns:
  12 float64 (normal, lognormal, exponential, uniform, heavy-tailed, bimodal; some with NaN,
  one with nulls), 4 int64 (two with <= 20 levels, an id and an amount with thousands of
  levels), 3 strings (5, 20 and 50 levels of uneven frequency), a boolean and a timestamp.
  Values are full-precision random draws, so the bytes on disk are real, not compressed away.
  The folder (default ``benchmarks/results/profile_memory_data/<size>gb``, git-ignored) holds
  a marker with the row count and file sizes; a rerun with the same settings reuses it.
* shiftwatch: a fresh child process imports shiftwatch, notes its resident memory (the
  baseline), then times ``Profile.from_data(folder)`` (``time.perf_counter``) and reports the
  process's peak resident memory (``VmHWM`` in ``/proc/self/status``, the same as
  ``ru_maxrss``), with the resident memory after every batch to show whether it grows.
* correctness, cheaply: the profile's row count against the rows written; for one float
  column (``f_3``, lognormal with NaN) its missing count and mean against a separate streamed
  pass of ``pyarrow.compute`` over that column, and the true ranks of the profile's 1%, 10%,
  50%, 90% and 99% quantiles (the share of finite values at or below each) against the
  sketch's stated rank error.
* whylogs, where it imports in ``--peer-python``: a fresh child reads the files one after
  another in batches of 65,536 rows (``pyarrow.parquet.ParquetFile.iter_batches``), converts
  each to pandas, profiles it with ``whylogs.log(pandas=frame).view()`` and merges the views, as
  whylogs documents for data in parts. Same timing and memory measures; "time / shiftwatch" and
  "peak / shiftwatch" compare the runs of this invocation.
* a reference run (``--skip-references`` leaves it out) that iterates shiftwatch's own reader
  (``shiftwatch.io.chunks.iter_chunks``, what ``Profile.from_data`` reads from) and does nothing
  with the batches: the share of the peak and of the time that reading alone takes.

Children run with the caller's environment (all cores, Arrow's own threads); ``--single-thread``
sets ``OMP_NUM_THREADS=1`` and the like for both. Both children read files that the page cache
likely holds (the generator or an earlier run just read or wrote them): the times are those of
warm files. ``--cprofile`` adds an untimed shiftwatch run under cProfile and prints its top
functions.

whylogs 1.6 needs numpy < 2, so it lives in its own environment, for example::

    python3.11 -m venv /tmp/venv-whylogs
    /tmp/venv-whylogs/bin/pip install whylogs "numpy<2" "pandas>=2.1,<3" "pyarrow>=15,<26"

Run::

    .venv/bin/python benchmarks/profile_memory.py --peer-python /tmp/venv-whylogs/bin/python
    .venv/bin/python benchmarks/profile_memory.py --quick   # 0.2 GB, about a minute

Without ``--peer-python`` the script looks for whylogs in ``.venv-bench``, then in
``/tmp/venv-whylogs``, and skips it with a line saying why if neither has it. The table goes to
stdout, progress to stderr, and the results as JSON to ``benchmarks/results/profile_memory.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import _data
import _measure

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_FILE = BENCH_DIR / "results" / "profile_memory.json"
DATA_ROOT = BENCH_DIR / "results" / "profile_memory_data"
PEER_PYTHONS = (ROOT / ".venv-bench" / "bin" / "python", Path("/tmp/venv-whylogs/bin/python"))

TARGET_PEAK_BYTES = 10**9  # for DEFAULT_GIGABYTES of Parquet
DEFAULT_GIGABYTES, QUICK_GIGABYTES = 5.0, 0.2
FILE_GIGABYTES = 0.25  # about this much per file, and at least MIN_FILES files
MIN_FILES = 4
ROW_GROUP_ROWS = 1 << 19
BATCH_ROWS = 65_536  # shiftwatch's default batch; whylogs gets the same batches
SEED = 7
GENERATOR_VERSION = 3  # bump when the data changes: old folders are then regenerated
MARKER = "_profile_memory.json"  # not *.parquet, so the dataset readers skip it
CHECK_COLUMN = "f_3"
CHECK_RANKS = (0.01, 0.1, 0.5, 0.9, 0.99)
_PEER_ENV = {"WHYLOGS_NO_ANALYTICS": "True", "PYTHONWARNINGS": "ignore"}


# --- the data --------------------------------------------------------------------------------


def _zipf(levels: int) -> Any:
    import numpy as np

    weights = 1.0 / np.arange(1, levels + 1) ** 0.8
    return weights / weights.sum()


def _table(rng: Any, n: int) -> Any:
    """One chunk of ``n`` rows of the 21 columns (see the module docstring), as an Arrow table."""
    import numpy as np
    import pyarrow as pa

    def with_nan(values: Any, share: float) -> Any:
        values[rng.random(n) < share] = np.nan
        return values

    def strings(prefix: str, levels: int) -> Any:
        codes = rng.choice(levels, n, p=_zipf(levels)).astype(np.int32)
        names = pa.array([f"{prefix}_{i:02d}" for i in range(levels)])
        return pa.DictionaryArray.from_arrays(codes, names).cast(pa.string())

    columns: dict[str, Any] = {
        "f_0": rng.normal(0.0, 1.0, n),
        "f_1": rng.normal(50.0, 10.0, n),
        "f_2": rng.lognormal(0.0, 1.0, n),
        "f_3": with_nan(rng.lognormal(8.0, 1.5, n), 0.05),
        "f_4": rng.exponential(2.0, n),
        "f_5": with_nan(rng.uniform(0.0, 1.0, n), 0.01),
        "f_6": rng.standard_t(3, n),
        "f_7": rng.gamma(0.5, 1.0, n),
        "f_8": with_nan(rng.normal(0.0, 1.0, n), 0.2),
        "f_9": rng.normal(size=n) + 4.0 * (rng.random(n) < 0.3),
        "f_10": rng.uniform(-1e3, 1e3, n),
        "f_11": pa.array(rng.lognormal(3.0, 0.5, n), mask=rng.random(n) < 0.02),
        "i_0": rng.poisson(3.0, n).astype(np.int64),  # ~12 levels
        "i_1": rng.choice(np.array([1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]), n),
        "i_2": rng.integers(0, 1 << 40, n),  # an id: every value distinct
        "i_3": np.round(rng.lognormal(7.0, 1.2, n)).astype(np.int64),  # cents: thousands
        "s_0": strings("plan", 5),
        "s_1": strings("region", 20),
        "s_2": strings("device", 50),
        "b_0": rng.random(n) < 0.3,
        "t_0": pa.array(
            1_704_067_200_000_000 + rng.integers(0, 365 * 86_400 * 10**6, n),
            type=pa.timestamp("us"),
        ),
    }
    return pa.table(columns)


def _bytes_per_row() -> float:
    """Parquet bytes per row of this data, from one row group written to memory: a first guess."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(_table(np.random.default_rng(0), 1 << 17), sink)
    return sink.getvalue().size / (1 << 17)


@dataclass
class Dataset:
    path: Path
    rows: int
    files: int
    bytes: int
    reused: bool
    seconds: float
    generator_peak_bytes: int | None = None
    """This process's peak RSS after writing the data (None when reused)."""


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        marker: dict[str, Any] = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return marker


def _reusable(folder: Path, wanted: dict[str, Any]) -> dict[str, Any] | None:
    marker = _read_marker(folder)
    if marker is None or any(marker.get(key) != value for key, value in wanted.items()):
        return None
    for name, size in marker["file_sizes"].items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != size:
            return None
    return marker


def _clear(folder: Path) -> None:
    """Remove what an earlier run of this script wrote; refuse to touch anything else."""
    ours = [p for p in folder.iterdir() if p.name == MARKER or p.name.startswith("part-")]
    others = [p.name for p in folder.iterdir() if p not in ours]
    if others:
        sys.exit(f"{folder} holds files this script did not write ({others[:3]}); choose another")
    for path in ours:
        path.unlink()


def prepare_data(folder: Path, gigabytes: float, n_files: int, *, regenerate: bool) -> Dataset:
    """The dataset in ``folder``: reused when its marker matches, else written anew."""
    import numpy as np
    import pyarrow.parquet as pq

    wanted = {
        "generator": GENERATOR_VERSION,
        "gigabytes": gigabytes,
        "files": n_files,
        "seed": SEED,
        "row_group_rows": ROW_GROUP_ROWS,
    }
    start = time.perf_counter()
    marker = None if regenerate else _reusable(folder, wanted)
    if marker is not None:
        found = marker["file_sizes"]
        return Dataset(folder, marker["rows"], len(found), sum(found.values()), True, 0.0)

    folder.mkdir(parents=True, exist_ok=True)
    _clear(folder)
    target = gigabytes * 1e9
    bytes_per_row = _bytes_per_row()  # a first guess, then what each file shows
    schema = _table(np.random.default_rng(0), 1).schema
    sizes: dict[str, int] = {}
    total_rows = 0
    for index in range(n_files):
        # Each file stops at its share of what is left, by the bytes it has on disk so far.
        file_target = (target - sum(sizes.values())) / (n_files - index)
        rng = np.random.default_rng([SEED, index])
        name = f"part-{index:04d}.parquet"
        rows = 0
        with pq.ParquetWriter(folder / name, schema) as writer:
            while True:
                size = (folder / name).stat().st_size
                left = file_target - size
                if rows and left <= file_target * 1e-3:
                    break
                n = min(ROW_GROUP_ROWS, max(1, math.ceil(left / bytes_per_row)))
                writer.write_table(_table(rng, n))
                rows += n
                bytes_per_row = max((folder / name).stat().st_size / rows, 1.0)
        sizes[name] = (folder / name).stat().st_size
        total_rows += rows
        print(
            f"  wrote {name}: {rows:,} rows, {sizes[name] / 1e6:,.0f} MB",
            file=sys.stderr,
            flush=True,
        )
    (folder / MARKER).write_text(
        json.dumps({**wanted, "rows": total_rows, "file_sizes": sizes}, indent=2) + "\n"
    )
    seconds = time.perf_counter() - start
    peak = _measure.peak_rss_bytes()
    return Dataset(folder, total_rows, n_files, sum(sizes.values()), False, seconds, peak)


# --- child side: runs in the interpreter under test -------------------------------------------


class _Trace:
    """Resident memory after each batch, kept at a few evenly spaced points."""

    def __init__(self) -> None:
        self.points: list[tuple[int, int]] = []

    def __call__(self, rows: int, total: int | None = None) -> None:
        self.points.append((rows, _measure.rss_bytes()))

    def summary(self, keep: int = 5) -> list[tuple[int, int]]:
        if len(self.points) <= keep:
            return self.points
        step = (len(self.points) - 1) / (keep - 1)
        return [self.points[round(i * step)] for i in range(keep)]


def _finish(seconds: float, baseline: int, trace: _Trace) -> dict[str, Any]:
    return {
        "seconds": seconds,
        "peak_bytes": _measure.peak_rss_bytes(),
        "baseline_bytes": baseline,
        "rss_trace": trace.summary(),
        "threads_after": _measure.threads(),
    }


def _child_shiftwatch(folder: str) -> dict[str, Any]:
    import shiftwatch
    from shiftwatch.profile import Profile

    gc.collect()
    baseline = _measure.rss_bytes()
    trace = _Trace()
    start = time.perf_counter()
    profile = Profile.from_data(folder, batch_rows=BATCH_ROWS, on_progress=trace)
    seconds = time.perf_counter() - start
    result = _finish(seconds, baseline, trace)

    column = profile[CHECK_COLUMN]
    assert column.moments is not None
    assert column.quantiles is not None
    result.update(
        version=shiftwatch.__version__,
        n=profile.n,
        check={
            "n": column.n,
            "missing": column.missing,
            "mean": column.moments.mean,
            "quantiles": {str(r): column.quantiles.get_quantile(r) for r in CHECK_RANKS},
            "rank_error": column.quantiles.rank_error,
            "k": column.quantiles.k,
        },
        kinds={name: profile[name].kind.value for name in profile.column_names},
        profile_bytes=len(profile.to_bytes()),
    )
    return result


def _child_cprofile(folder: str, top: int = 15) -> dict[str, Any]:
    import cProfile
    import io
    import pstats

    from shiftwatch.profile import Profile

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    Profile.from_data(folder, batch_rows=BATCH_ROWS)
    profiler.disable()
    seconds = time.perf_counter() - start
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    return {"seconds": seconds, "report": text.getvalue()}


def _parquet_batches(folder: str) -> Iterator[Any]:
    """whylogs's input: each file's batches in turn (``ParquetFile.iter_batches``), by name."""
    import pyarrow.parquet as pq

    for path in sorted(Path(folder).rglob("*.parquet")):
        yield from pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)


def _child_reader(folder: str) -> dict[str, Any]:
    """shiftwatch's reader alone: what ``Profile.from_data`` iterates, with no summaries."""
    import shiftwatch
    from shiftwatch.io.chunks import iter_chunks

    gc.collect()
    baseline = _measure.rss_bytes()
    trace = _Trace()
    start = time.perf_counter()
    rows = 0
    for batch in iter_chunks(folder, batch_rows=BATCH_ROWS).batches:
        rows += batch.num_rows
        trace(rows)
    result = _finish(time.perf_counter() - start, baseline, trace)
    result.update(version=shiftwatch.__version__, n=rows)
    return result


def _child_whylogs(folder: str) -> dict[str, Any]:
    import logging

    import whylogs as why

    logging.getLogger("whylogs").setLevel(logging.ERROR)
    gc.collect()
    baseline = _measure.rss_bytes()
    trace = _Trace()
    start = time.perf_counter()
    merged = None
    rows = 0
    for batch in _parquet_batches(folder):
        view = why.log(pandas=batch.to_pandas()).view()
        merged = view if merged is None else merged.merge(view)
        rows += batch.num_rows
        trace(rows)
    seconds = time.perf_counter() - start
    result = _finish(seconds, baseline, trace)
    result.update(version=why.__version__, n=rows)
    try:  # whylogs's own numbers for the checked column, for the record
        assert merged is not None
        column = merged.get_column(CHECK_COLUMN)
        distribution = column.get_metric("distribution")
        counts = column.get_metric("counts")
        result["check"] = {
            "n": counts.n.value,
            "missing": counts.null.value,  # whylogs counts NaN as null (and again as nan)
            "mean": distribution.mean.value,
            "quantiles": {str(r): distribution.kll.value.get_quantile(r) for r in CHECK_RANKS},
        }
    except Exception as error:
        result["check_error"] = f"{type(error).__name__}: {error}"
    return result


def _probe_whylogs() -> dict[str, Any]:
    facts: dict[str, Any] = {"executable": sys.executable, "python": platform.python_version()}
    try:
        import numpy
        import pandas
        import pyarrow
        import whylogs as why

        # whylogs resolves column types on first use: an incompatible numpy fails only there.
        why.log(pandas=pandas.DataFrame({"x": [1.0, 2.0], "s": ["a", "b"]})).view()
    except Exception as error:
        facts["error"] = f"{type(error).__name__}: {error}"
        return facts
    facts.update(
        whylogs=why.__version__,
        numpy=numpy.__version__,
        pandas=pandas.__version__,
        pyarrow=pyarrow.__version__,
    )
    return facts


_CHILDREN: dict[str, Callable[[str], dict[str, Any]]] = {
    "shiftwatch": _child_shiftwatch,
    "whylogs": _child_whylogs,
    "reader": _child_reader,
    "cprofile": _child_cprofile,
}
_LABELS = {"reader": "reference: shiftwatch {version}'s reader alone"}


# --- parent side -----------------------------------------------------------------------------


@dataclass
class Row:
    tool: str
    python: str
    status: str  # "ok", "timed out after X s" or "failed: ..."
    version: str | None = None
    n: int | None = None
    seconds: float | None = None
    peak_bytes: int | None = None
    baseline_bytes: int | None = None
    threads_after: int | None = None
    rss_trace: list[tuple[int, int]] = field(default_factory=list)
    check: dict[str, Any] | None = None
    check_error: str | None = None
    kinds: dict[str, str] | None = None
    profile_bytes: int | None = None


def _run(tool: str, python: str, folder: Path, args: argparse.Namespace) -> Row:
    print(f"  profiling with {tool} in {python}", file=sys.stderr, flush=True)
    row = Row(tool, python, "ok")
    try:
        reported = _measure.run_script(
            python, __file__, ["--child", tool, str(folder)], args.timeout, args.child_env
        )
    except subprocess.TimeoutExpired:
        row.status = f"timed out after {args.timeout:g} s"
    except RuntimeError as error:
        row.status = f"failed: {error}"
    else:
        for key, value in reported.items():
            setattr(row, key, value)
    return row


def _find_peer(args: argparse.Namespace) -> tuple[str | None, dict[str, Any], list[str]]:
    """The interpreter where whylogs runs, its probe, and why each candidate was passed over."""
    candidates = [args.peer_python] if args.peer_python else [str(p) for p in PEER_PYTHONS]
    passed_over = []
    for python in candidates:
        if not Path(python).exists() and os.sep in python:
            passed_over.append(f"{python}: no such interpreter")
            continue
        try:
            probe = _measure.run_script(python, __file__, ["--probe"], 300, args.child_env)
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as error:
            passed_over.append(f"{python}: cannot run this script ({error})")
            continue
        if "error" in probe:
            passed_over.append(f"{python}: whylogs does not run there ({probe['error']})")
            continue
        return python, probe, passed_over
    return None, {}, passed_over


@dataclass
class Truth:
    rows: int
    n_finite: int
    missing: int
    mean: float
    ranks: dict[str, float]
    seconds: float


def _truth(folder: Path, quantiles: dict[str, float]) -> Truth:
    """One streamed pass over ``CHECK_COLUMN``: missing count, mean and the ranks of values."""
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    start = time.perf_counter()
    paths = sorted(str(p) for p in folder.rglob("*.parquet"))
    rows = n_finite = missing = 0
    total = 0.0
    at_or_below = dict.fromkeys(quantiles, 0)
    for batch in ds.dataset(paths, format="parquet").to_batches(columns=[CHECK_COLUMN]):
        column = batch.column(0)
        rows += len(column)
        finite = column.filter(pc.fill_null(pc.is_finite(column), False))
        missing += len(column) - len(finite)  # no infinities in this column
        n_finite += len(finite)
        total += pc.sum(finite).as_py() or 0.0
        values = finite.to_numpy()
        for rank, value in quantiles.items():
            at_or_below[rank] += int(np.count_nonzero(values <= value))
    return Truth(
        rows,
        n_finite,
        missing,
        total / n_finite,
        {rank: count / n_finite for rank, count in at_or_below.items()},
        time.perf_counter() - start,
    )


def _source() -> str:
    """The commit of the shiftwatch checkout, and whether src/ differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    if not commit:
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" with uncommitted changes in src/" if dirty else "")


def _mb(n: float | None) -> str:
    return "—" if n is None else f"{n / 1e6:,.0f}"


def _table_md(rows: list[Row], data: Dataset) -> str:
    reference = next((r for r in rows if r.tool == "shiftwatch" and r.status == "ok"), None)
    lines = [
        "| tool | rows | Parquet (GB) | seconds | rows/s | MB/s | peak RSS (MB) | "
        "RSS after imports (MB) | time / shiftwatch | peak / shiftwatch |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        tool = _LABELS.get(r.tool, r.tool + " {version}").format(version=r.version or "")
        if r.status != "ok" or not r.seconds:
            lines.append(
                f"| {tool} | — | {data.bytes / 1e9:.2f} | {r.status} | — | — | — | — | — | — |"
            )
            continue
        time_ratio = peak_ratio = "—"
        if reference is not None and reference.seconds and reference.peak_bytes:
            time_ratio = f"{r.seconds / reference.seconds:,.1f}×"
            peak_ratio = f"{(r.peak_bytes or 0) / reference.peak_bytes:,.1f}×"
        lines.append(
            f"| {tool} | {r.n:,} | {data.bytes / 1e9:.2f} | {r.seconds:,.1f} | "
            f"{(r.n or 0) / r.seconds:,.0f} | {data.bytes / 1e6 / r.seconds:,.1f} | "
            f"{_mb(r.peak_bytes)} | {_mb(r.baseline_bytes)} | {time_ratio} | {peak_ratio} |"
        )
    return "\n".join(lines)


def _check_lines(row: Row, data: Dataset, truth: Truth) -> tuple[list[str], dict[str, Any]]:
    check = row.check or {}
    quantiles = check["quantiles"]
    errors = {rank: abs(truth.ranks[rank] - float(rank)) for rank in quantiles}
    worst = max(errors.values())
    stated = check["rank_error"]
    mean_error = abs(check["mean"] - truth.mean) / abs(truth.mean)
    results = {
        "n_matches": row.n == data.rows,
        "column_n_matches": check["n"] == truth.rows,
        "missing_matches": check["missing"] == truth.missing,
        "mean_relative_error": mean_error,
        "rank_errors": errors,
        "max_rank_error": worst,
        "stated_rank_error": stated,
        "ranks_within_stated": worst <= stated,
    }
    ok = {True: "ok", False: "MISMATCH"}
    lines = [
        f"- rows: profile n = {row.n:,}, written {data.rows:,} ({ok[row.n == data.rows]})",
        f"- {CHECK_COLUMN} missing (NaN): profile {check['missing']:,}, pyarrow "
        f"{truth.missing:,} ({ok[results['missing_matches']]})",
        f"- {CHECK_COLUMN} mean: profile {check['mean']:.10g}, pyarrow {truth.mean:.10g} "
        f"(relative difference {mean_error:.1e}; {ok[mean_error < 1e-9]})",
        f"- {CHECK_COLUMN} quantiles (k = {check['k']}): true rank of the profile's quantile at "
        + ", ".join(f"{rank}: {truth.ranks[rank]:.5f}" for rank in quantiles)
        + f"; largest rank error {worst:.3%} against the stated {stated:.3%} (99% bound; "
        f"{ok[worst <= stated]})",
        f"- reference pass (pyarrow.compute, one column): {truth.seconds:.1f} s",
    ]
    return lines, results


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Peak memory and speed of shiftwatch's Profile.from_data on a folder of "
        "Parquet files, against whylogs where it installs; one child process per measurement.",
        epilog=f"Writes {RESULTS_FILE.relative_to(ROOT)}.",
    )
    parser.add_argument(
        "--gigabytes",
        type=float,
        default=DEFAULT_GIGABYTES,
        help=f"Parquet bytes on disk, in GB (default: {DEFAULT_GIGABYTES:g})",
    )
    parser.add_argument(
        "--files",
        type=int,
        help=f"number of Parquet files (default: one per {FILE_GIGABYTES:g} GB, at least "
        f"{MIN_FILES})",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"folder for the data, reused when it matches (default: "
        f"{DATA_ROOT.relative_to(ROOT)}/<size>gb)",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="write the data even if it exists"
    )
    parser.add_argument("--skip-peers", action="store_true", help="leave whylogs out")
    parser.add_argument(
        "--skip-references",
        action="store_true",
        help="leave out the run of shiftwatch's reader alone",
    )
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter for shiftwatch (default: this one)"
    )
    parser.add_argument(
        "--peer-python",
        help="interpreter with whylogs (default: the first of "
        + ", ".join(str(p) for p in PEER_PYTHONS)
        + " where whylogs runs)",
    )
    parser.add_argument(
        "--single-thread",
        action="store_true",
        help="children run with OMP_NUM_THREADS=1 and the like (default: the caller's settings)",
    )
    parser.add_argument(
        "--cprofile", action="store_true", help="also run shiftwatch under cProfile (untimed)"
    )
    parser.add_argument(
        "--timeout", type=float, default=3600.0, help="seconds per child before it is stopped"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke test: {QUICK_GIGABYTES:g} GB, 600 s timeout",
    )
    parser.add_argument("--output", type=Path, default=RESULTS_FILE, help="JSON results file")
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.gigabytes, args.timeout = QUICK_GIGABYTES, min(args.timeout, 600.0)
    if args.gigabytes <= 0:
        parser.error("--gigabytes must be positive")
    if args.files is None:
        args.files = max(MIN_FILES, math.ceil(args.gigabytes / FILE_GIGABYTES))
    if args.files < 1:
        parser.error("--files must be at least 1")
    if args.data_dir is None:
        args.data_dir = DATA_ROOT / f"{args.gigabytes:g}gb"
    args.data_dir = args.data_dir.resolve()
    # Children run in the benchmarks folder: a relative interpreter path must not change meaning.
    args.python = os.path.abspath(args.python) if os.sep in args.python else args.python
    if args.peer_python and os.sep in args.peer_python:
        args.peer_python = os.path.abspath(args.peer_python)
    args.child_env = {**_PEER_ENV, **(_data.SINGLE_THREAD_ENV if args.single_thread else {})}
    return args


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    if args.child:
        tool, folder = args.child
        _measure.report(_CHILDREN[tool](folder))
        return
    if args.probe:
        _measure.report(_probe_whylogs())
        return

    machine = _measure.describe_machine(python=platform.python_version())
    print("# Profile.from_data: peak memory and speed on a folder of Parquet files\n")
    print(
        f"- machine: {machine['cpu']}, {machine['logical_cores']} logical cores, "
        f"{(machine['memory_bytes'] or 0) / 2**30:.0f} GiB memory; {machine['os']}"
    )
    threads = "one thread (--single-thread)" if args.single_thread else "default threads"
    source = _source()
    print(f"- shiftwatch source: {source}")
    print(f"- children: fresh interpreters, {threads}, batches of {BATCH_ROWS:,} rows")

    print(f"  data in {args.data_dir}", file=sys.stderr, flush=True)
    data = prepare_data(args.data_dir, args.gigabytes, args.files, regenerate=args.regenerate)
    made = (
        "reused"
        if data.reused
        else f"written in {data.seconds:.0f} s (generator's peak RSS "
        f"{_mb(data.generator_peak_bytes)} MB)"
    )
    print(
        f"- data: {data.rows:,} rows x 21 columns in {data.files} Parquet files, "
        f"{data.bytes:,} bytes ({data.bytes / 1e9:.2f} GB, "
        f"{data.bytes / data.rows:.0f} bytes/row), "
        f"row groups of up to {ROW_GROUP_ROWS:,} rows; {made}; {data.path}"
    )

    peer_python: str | None = None
    probe: dict[str, Any] = {}
    if args.skip_peers:
        print("- whylogs: skipped (--skip-peers)")
    else:
        peer_python, probe, passed_over = _find_peer(args)
        for line in passed_over:
            print(f"- whylogs: not in {line}")
        if peer_python is None:
            print("- whylogs: skipped, it runs in none of the interpreters above")
        else:
            print(
                f"- whylogs {probe['whylogs']} in {peer_python}: Python {probe['python']}, numpy "
                f"{probe['numpy']}, pandas {probe['pandas']}, pyarrow {probe['pyarrow']}"
            )
    print(flush=True)

    shiftwatch = _run("shiftwatch", args.python, data.path, args)
    references = []
    if not args.skip_references:
        references = [_run("reader", args.python, data.path, args)]
    peer = [] if peer_python is None else [_run("whylogs", peer_python, data.path, args)]
    rows = [shiftwatch, *peer, *references]

    document: dict[str, Any] = {
        "machine": machine,
        "source": source,
        "settings": {
            "gigabytes": args.gigabytes,
            "files": args.files,
            "seed": SEED,
            "row_group_rows": ROW_GROUP_ROWS,
            "batch_rows": BATCH_ROWS,
            "single_thread": args.single_thread,
            "child_env": args.child_env,
            "target_peak_bytes": TARGET_PEAK_BYTES,
        },
        "data": {**asdict(data), "path": str(data.path)},
        "whylogs_interpreter": probe,
        "results": [asdict(row) for row in rows],
        "target_passed": False,
    }

    print("## Correctness of the profile\n")
    if shiftwatch.status == "ok" and shiftwatch.check is not None:
        print("  checking against pyarrow.compute", file=sys.stderr, flush=True)
        truth = _truth(data.path, shiftwatch.check["quantiles"])
        lines, checks = _check_lines(shiftwatch, data, truth)
        print("\n".join(lines))
        print(f"- saved profile: {shiftwatch.profile_bytes:,} bytes")
        document["truth"] = asdict(truth)
        document["checks"] = checks
    else:
        print(f"- not checked: shiftwatch did not finish ({shiftwatch.status})")
    for row in peer:
        if row.status == "ok" and row.check:
            check = row.check
            print(
                f"- whylogs's own {CHECK_COLUMN}: n {check['n']:,}, null or NaN "
                f"{check['missing']:,}, mean {check['mean']:.10g}, median "
                f"{check['quantiles']['0.5']:.6g}"
            )
        elif row.check_error:
            print(f"- whylogs's numbers unreadable: {row.check_error}")

    print("\n## Resident memory (MB) after so many rows\n")
    for row in rows:
        if row.status == "ok":
            trace = ", ".join(f"{done:,}: {_mb(rss)}" for done, rss in row.rss_trace)
            label = _LABELS.get(row.tool, row.tool + " {version}").format(version=row.version)
            print(f"- {label}: {trace}")

    if args.cprofile:
        print("  profiling shiftwatch under cProfile", file=sys.stderr, flush=True)
        try:
            report = _measure.run_script(
                args.python,
                __file__,
                ["--child", "cprofile", str(data.path)],
                args.timeout,
                args.child_env,
            )
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            print(f"\ncProfile run failed: {error}")
        else:
            print(
                f"\n## cProfile of Profile.from_data ({report['seconds']:.1f} s under cProfile, "
                "untimed run)"
            )
            print("\n```\n" + report["report"].strip() + "\n```")
            document["cprofile"] = report

    print("\n## Results\n")
    print(_table_md(rows, data))
    print()
    for row in peer:
        if row.status == "ok" and shiftwatch.status == "ok":
            time_ratio = (row.seconds or 0) / (shiftwatch.seconds or 1)
            peak_ratio = (row.peak_bytes or 0) / (shiftwatch.peak_bytes or 1)
            print(
                f"whylogs / shiftwatch, this run: {time_ratio:.1f}× the time, "
                f"{peak_ratio:.2f}× the peak RSS"
            )
        else:
            print(f"whylogs: {row.status}")
    if not peer:
        print("whylogs: not run (see above)")
    if shiftwatch.status == "ok" and shiftwatch.peak_bytes is not None:
        passed = shiftwatch.peak_bytes < TARGET_PEAK_BYTES
        size_note = (
            ""
            if data.bytes >= DEFAULT_GIGABYTES * 1e9 * 0.95
            else f" (the target is set for {DEFAULT_GIGABYTES:g} GB; this run has less)"
        )
        print(
            f"{'PASS' if passed else 'FAIL'}: shiftwatch peak RSS {_mb(shiftwatch.peak_bytes)} MB "
            f"{'<' if passed else '>='} {_mb(TARGET_PEAK_BYTES)} MB target while profiling "
            f"{data.bytes / 1e9:.2f} GB of Parquet{size_note}"
        )
        document["target_passed"] = passed
    else:
        print(f"FAIL: shiftwatch did not finish ({shiftwatch.status})")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nWrote {args.output}", file=sys.stderr)
    if not data.reused:
        free = shutil.disk_usage(data.path).free
        print(f"Data kept for reruns in {data.path} ({free / 1e9:,.0f} GB free)", file=sys.stderr)


if __name__ == "__main__":
    main()
