"""How long a drift report takes to write, end to end, and how large the HTML file is.

What is measured, on ``--rows`` x ``--columns`` float64 normals per set (default 1M x 100,
the size of issue 7's target: written in under 10 s, and under 10 MB):

* the data: ``_data.numeric_frame`` (pandas), reference seed 1, current seed 2; every
  ``--shift-every``-th current column is moved by 0.2 standard deviations so that the report
  has drifted columns to draw.
* a fresh child process (``_data.SINGLE_THREAD_ENV``: the numeric libraries keep to one
  thread) generates both frames, warms shiftwatch up on their first 1,000 rows, then times
  with ``time.perf_counter``: ``compare`` (from pandas frames: Arrow conversion included) as
  a user calls it, which tests columns on one thread per core (``workers``' default), then
  ``to_html(path)``, ``to_json(path)`` and ``to_markdown(path)``. "report written" is compare
  plus HTML. ``compare(..., workers=1)`` is timed too, after the rest, for the one-thread cost.
* the cost of the distribution summaries inside compare (timed on ``SUMMARY_SAMPLE`` columns
  whose values are sorted beforehand, scaled to all), and the file sizes.
* with ``--browser`` (default on when /usr/bin/chromium and Playwright are there): the page
  is opened in headless Chromium from the file; the load time is the navigation's
  ``loadEventEnd`` (parsing, layout and first drawing of every chart), best of three.

Run::

    .venv/bin/python benchmarks/report_speed.py             # 1M x 100, about a minute in all
    .venv/bin/python benchmarks/report_speed.py --quick     # 100k x 20, a few seconds

The exit status is 1 when a limit (10 s, 10 MB) is broken. The results also go, as JSON, to
``benchmarks/results/report_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _data
import _measure

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "results" / "report_speed.json"
CHROMIUM = Path("/usr/bin/chromium")
LIMIT_SECONDS = 10.0
LIMIT_BYTES = 10_000_000
SHIFT = 0.2
WARM_UP_ROWS = 1_000
SUMMARY_SAMPLE = 10


# --- child side, timed ----------------------------------------------------------------------


def _child(rows: int, columns: int, shift_every: int, folder: Path) -> dict[str, Any]:
    import shiftwatch as sw

    reference = _data.numeric_frame(rows, columns, 1)
    current = _data.numeric_frame(rows, columns, 2)
    for index in range(0, columns, shift_every):
        current[f"x{index}"] += SHIFT
    sw.compare(reference.iloc[:WARM_UP_ROWS], current.iloc[:WARM_UP_ROWS]).to_html()

    paths = {kind: folder / f"report.{kind}" for kind in ("html", "json", "md")}
    start = time.perf_counter()
    report = sw.compare(reference, current)
    compared = time.perf_counter()
    report.to_html(paths["html"])
    html_done = time.perf_counter()
    report.to_json(paths["json"])
    json_done = time.perf_counter()
    report.to_markdown(paths["md"])
    markdown_done = time.perf_counter()
    one_thread = time.perf_counter()
    sw.compare(reference, current, workers=1)
    one_thread = time.perf_counter() - one_thread
    return {
        "compare_one_thread_s": one_thread,
        "summaries_s": _summaries_seconds(reference, current),
        "compare_s": compared - start,
        "html_s": html_done - compared,
        "json_s": json_done - html_done,
        "markdown_s": markdown_done - json_done,
        "report_written_s": html_done - start,
        "html_bytes": paths["html"].stat().st_size,
        "json_bytes": paths["json"].stat().st_size,
        "markdown_bytes": paths["md"].stat().st_size,
        "drifted_columns": len(report.drifted_columns),
        "columns": len(report.columns),
    }


def _summaries_seconds(reference: Any, current: Any, sample: int = SUMMARY_SAMPLE) -> float:
    """What the distribution summaries of all columns cost inside compare, from a sample.

    compare builds them from the sorted values it already has; here the first ``sample``
    columns are sorted untimed, their summaries timed, and the time scaled to all columns.
    """
    import numpy as np

    from shiftwatch.column_pairs import Numbers
    from shiftwatch.distribution_summary import numeric_summary

    names = list(reference.columns)[:sample]
    pairs = [
        (
            Numbers(0, 0, sorted=np.sort(reference[name].to_numpy())),
            Numbers(0, 0, sorted=np.sort(current[name].to_numpy())),
        )
        for name in names
    ]
    start = time.perf_counter()
    for pair in pairs:
        numeric_summary(*pair)
    return (time.perf_counter() - start) * len(reference.columns) / len(names)


# --- parent side --------------------------------------------------------------------------------


def _browser_load_ms(path: Path, tries: int = 3) -> dict[str, Any]:
    """Best-of-``tries`` load time of the page in headless Chromium, and any page errors."""
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    times, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        for _ in range(tries):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(path.as_uri(), wait_until="load")
            times.append(
                page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
            )
            page.close()
        browser.close()
    return {"load_ms": min(times), "page_errors": errors}


def _browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return CHROMIUM.exists()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time compare + to_html on wide numeric data and measure the HTML file.",
        epilog=f"Writes {RESULTS_FILE.relative_to(BENCH_DIR.parent)}.",
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per set (1M)")
    parser.add_argument("--columns", type=int, default=100, help="columns (100)")
    parser.add_argument(
        "--shift-every", type=int, default=10, help="shift every N-th current column (10)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke test: 100k rows x 20 columns")
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="measure the page's load time in headless Chromium (default: when installed)",
    )
    parser.add_argument("--keep", type=Path, help="folder to keep the reports in")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for the child")
    parser.add_argument("--output", type=Path, default=RESULTS_FILE, help="JSON results file")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.columns = 100_000, 20
    if args.browser is None:
        args.browser = _browser_available()
    return args


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    if args.child:
        _measure.report(_child(args.rows, args.columns, args.shift_every, args.child))
        return

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        child_args = ["--child", str(folder.resolve()), "--rows", str(args.rows)]
        child_args += ["--columns", str(args.columns), "--shift-every", str(args.shift_every)]
        print(f"running {args.rows:,} x {args.columns} in a child process...", file=sys.stderr)
        result = _measure.run_script(
            sys.executable, __file__, child_args, args.timeout, _data.SINGLE_THREAD_ENV
        )
        if args.browser:
            result |= _browser_load_ms(folder.resolve() / "report.html")

    machine = _measure.describe_machine(child_env=_data.SINGLE_THREAD_ENV)
    within = {
        "time": result["report_written_s"] < LIMIT_SECONDS,
        "size": result["html_bytes"] < LIMIT_BYTES,
    }
    print(f"# drift report: {args.rows:,} rows x {args.columns} columns per set\n")
    print(
        f"- machine: {machine['cpu']}, {machine['logical_cores']} logical cores; "
        f"{machine['os']}; Python {sys.version.split()[0]}"
    )
    print(
        f"- data: float64 normals, reference seed 1, current seed 2, every "
        f"{args.shift_every}th current column shifted by {SHIFT} sd; "
        f"{result['drifted_columns']} of {result['columns']} columns drifted\n"
    )
    print("| step | seconds | file size |")
    print("|---|---:|---:|")
    print(
        f"| compare (pandas frames in; one thread per core, {machine['logical_cores']}) "
        f"| {result['compare_s']:.2f} | |"
    )
    print(f"| of which distribution summaries | {result['summaries_s']:.4f} | |")
    print(f"| to_html | {result['html_s']:.3f} | {result['html_bytes'] / 1e6:.2f} MB |")
    print(f"| to_json | {result['json_s']:.3f} | {result['json_bytes'] / 1e6:.2f} MB |")
    print(f"| to_markdown | {result['markdown_s']:.3f} | {result['markdown_bytes'] / 1e3:.1f} kB |")
    print(f"| **report written (compare + to_html)** | **{result['report_written_s']:.2f}** | |")
    print(f"| compare with `workers=1` | {result['compare_one_thread_s']:.2f} | |")
    if "load_ms" in result:
        print(
            f"\nHeadless Chromium loads the HTML report in {result['load_ms']:.0f} ms "
            f"(best of 3; page errors: {len(result['page_errors'])})."
        )
    report_only = result["summaries_s"] + result["html_s"]
    print(
        f"\nThe report's own work (summaries + HTML) took {report_only:.2f} s of the "
        f"{result['report_written_s']:.2f} s; the rest is compare's tests."
    )
    print(
        f"\nLimits: written in under {LIMIT_SECONDS:g} s: "
        f"{'yes' if within['time'] else 'NO'}; under {LIMIT_BYTES / 1e6:g} MB: "
        f"{'yes' if within['size'] else 'NO'}."
    )

    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": machine,
        "settings": {
            "rows": args.rows,
            "columns": args.columns,
            "shift_every": args.shift_every,
            "shift_sd": SHIFT,
        },
        "results": result,
        "limits": {"seconds": LIMIT_SECONDS, "bytes": LIMIT_BYTES, "within": within},
    }
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nWrote {args.output}", file=sys.stderr)
    if not all(within.values()) or result.get("page_errors"):
        sys.exit(1)


if __name__ == "__main__":
    main()
