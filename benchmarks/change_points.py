"""Change points of real series: river's bundled TCPD series, shiftwatch's detectors and river's.

river ships seven series of the Turing change-point benchmark (TCPD; van den Burg & Williams,
2020) with the change points its human annotators marked (``river.drift.datasets``). This
script reads them where river imports (``--river-python``), applying the subsampling each
series' documentation states where river ships the raw series (Brent: from 2000 on, every
10th day; Apple: every 3rd day), so that the annotations' indices match; multivariate series
give their first channel (RunLog: pace; Occupancy: V1; Apple: close).

Each detector reads each series, standardised by the series' own mean and std (the same input
for every detector; scales differ by six orders of magnitude between series), one value at a
time for river, through ``update_many`` for shiftwatch:

* ``PageHinkley`` and ``ADWIN``, river's defaults, on both sides: shiftwatch's are written to
  give river's alarms, and this checks it on real data;
* shiftwatch's ``CUSUM(warmup=20, ert=500)``, re-estimating its level after each alarm
  (``reset``), for series of a few hundred points.

Scored as TCPD scores (margin 5; index 0 counts as a change point in every set): precision
against the union of the annotators' sets, recall averaged over annotators, and their F1.
A detector that never alarms scores well by this measure on series with few marked changes,
so that baseline is a column of its own.

Run::

    .venv/bin/python benchmarks/change_points.py --river-python /tmp/venv-river/bin/python

The table goes to stdout and the results as JSON to ``benchmarks/results/change_points.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import _measure

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "results" / "change_points.json"
MARGIN = 5
CUSUM_ERT, CUSUM_WARMUP = 500, 20
SERIES = {  # river's class, the value read from each row, subsampling
    "Bitcoin": ("Bitcoin", None, None),
    "BrentSpotPrice": ("BrentSpotPrice", None, ("day", 2000, 10)),
    "UKCoalEmploy": ("UKCoalEmploy", None, None),
    "AirlinePassengers": ("AirlinePassengers", None, None),
    "RunLog": ("RunLog", "Pace", None),
    "Occupancy": ("Occupancy", "V1", None),
    "Apple": ("Apple", "Close", ("Date", None, 3)),
}
DETECTORS = {
    "shiftwatch.PageHinkley": "PageHinkley() (river's defaults)",
    "shiftwatch.ADWIN": "ADWIN() (river's defaults)",
    "shiftwatch.CUSUM": f"CUSUM(warmup={CUSUM_WARMUP}, ert={CUSUM_ERT}), reset after alarms",
    "river.PageHinkley": "river.drift.PageHinkley() (defaults)",
    "river.ADWIN": "river.drift.ADWIN() (defaults)",
    "none": "no alarm at all: TCPD's 'zero' baseline, which every method should beat",
}


# --- child side ------------------------------------------------------------------------------


def _series(job: dict[str, Any]) -> dict[str, Any]:
    import datetime as dt

    from river.drift import datasets

    out = {}
    for name, (cls, field, sampling) in SERIES.items():
        dataset = getattr(datasets, cls)()
        rows = list(dataset)
        if sampling is not None:
            key, since, every = sampling
            if since is not None:
                rows = [row for row in rows if row[0][key] >= dt.datetime(since, 1, 1)]
            rows = rows[::every]
        values = [float(y if field is None else y[field]) for _, y in rows]
        annotations = {who: sorted(points) for who, points in dataset.annotations.items()}
        out[name] = {"values": values, "annotations": annotations}
    return {"series": out}


def _standardised(values: list[float]) -> list[float]:
    mean = sum(values) / len(values)
    std = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5 or 1.0
    return [(v - mean) / std for v in values]


def _detect(job: dict[str, Any]) -> dict[str, Any]:
    name = job["name"]
    alarms = {}
    for series, values in job["series"].items():
        values = _standardised(values)
        if name.startswith("river."):
            from river import drift

            detector = getattr(drift, name.split(".")[1])()
            found = []
            for i, x in enumerate(values):
                detector.update(x)
                if detector.drift_detected:
                    found.append(i)
        else:
            found = _shiftwatch_alarms(name.split(".")[1], values)
        alarms[series] = found
    return {"alarms": alarms}


def _shiftwatch_alarms(name: str, values: list[float]) -> list[int]:
    import numpy as np

    from shiftwatch import detectors

    stream = np.asarray(values)
    if name != "CUSUM":
        return [int(i) for i in getattr(detectors, name)().update_many(stream)]
    detector = detectors.CUSUM(warmup=CUSUM_WARMUP, ert=CUSUM_ERT)
    found, offset = [], 0
    while offset < stream.size:  # after an alarm, learn the new level from the next values
        alarms = detector.update_many(stream[offset:])
        if not alarms.size:
            break
        found.append(offset + int(alarms[0]))
        offset += int(alarms[0]) + 1
        detector.reset()
    return found


CHILDREN = {"series": _series, "detect": _detect}


# --- scoring (TCPD's F1) -----------------------------------------------------------------------


def _true_positives(truth: set[int], predicted: set[int], margin: int) -> int:
    """Points of ``truth`` matched by a distinct prediction within ``margin``."""
    unused, hits = set(predicted), 0
    for point in sorted(truth):
        near = [p for p in unused if abs(p - point) <= margin]
        if near:
            unused.remove(min(near, key=lambda p: abs(p - point)))
            hits += 1
    return hits


def f1_score(annotations: dict[str, list[int]], predicted: list[int], margin: int = MARGIN) -> Any:
    """TCPD's precision, recall and F1 (van den Burg & Williams, 2020, section 4)."""
    found = {0, *predicted}
    sets = [{0, *points} for points in annotations.values()]
    union = set().union(*sets)
    precision = _true_positives(union, found, margin) / len(found)
    recall = sum(_true_positives(s, found, margin) / len(s) for s in sets) / len(sets)
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


# --- parent side -----------------------------------------------------------------------------


def _run(python: str, job: dict[str, Any], timeout: float) -> dict[str, Any]:
    env = {"PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}
    try:
        return _measure.run_script(python, __file__, ["--child", json.dumps(job)], timeout, env)
    except (OSError, RuntimeError) as error:
        return {"error": str(error)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter for shiftwatch")
    parser.add_argument("--river-python", default="/tmp/venv-river/bin/python")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--output", type=Path, default=RESULTS_FILE)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        job = json.loads(args.child)
        _measure.report(CHILDREN[job["child"]](job))
        return
    if not os.path.exists(args.river_python):
        sys.exit(f"river's interpreter {args.river_python} is missing: the series ship with river.")
    loaded = _run(args.river_python, {"child": "series"}, args.timeout)
    if "error" in loaded:
        sys.exit(f"cannot read river's series: {loaded['error']}")
    series = loaded["series"]
    values = {name: s["values"] for name, s in series.items()}
    results: dict[str, Any] = {}
    results["none"] = {"alarms": {name: [] for name in values}}
    for detector in DETECTORS:
        if detector == "none":
            continue
        python = args.river_python if detector.startswith("river.") else args.python
        job = {"child": "detect", "name": detector, "series": values}
        results[detector] = _run(python, job, args.timeout)
    print("# Change points of river's bundled TCPD series\n")
    print(f"- machine: {_measure.describe_machine()['cpu']}")
    print("- F1 as TCPD scores it (margin 5): precision against the union of annotators, recall")
    print("  averaged over annotators; index 0 counts as a change point in every set.\n")
    header = " | ".join(DETECTORS)
    print(f"| series | points | annotated (union) | {header} |")
    print("|---|---:|---:|" + "---:|" * len(DETECTORS))
    scores: dict[str, dict[str, Any]] = {d: {} for d in DETECTORS}
    for name, data in series.items():
        union = sorted(set().union(*map(set, data["annotations"].values())))
        cells = []
        for detector in DETECTORS:
            found = results[detector].get("alarms", {}).get(name)
            if found is None:
                cells.append(results[detector].get("error", "—")[:40])
                continue
            precision, recall, f1 = f1_score(data["annotations"], found)
            scores[detector][name] = {
                "alarms": found,
                "f1": f1,
                "precision": precision,
                "recall": recall,
            }
            cells.append(f"F1 {f1:.2f} ({len(found)} alarms)")
        print(f"| {name} | {len(data['values'])} | {len(union)} | " + " | ".join(cells) + " |")
    means = []
    for detector in DETECTORS:
        f1s = [s["f1"] for s in scores[detector].values()]
        means.append(f"{sum(f1s) / len(f1s):.3f}" if f1s else "—")
    print("| mean F1 | | | " + " | ".join(means) + " |")
    for ours, theirs in (("PageHinkley", "PageHinkley"), ("ADWIN", "ADWIN")):
        mine, peer = scores[f"shiftwatch.{ours}"], scores[f"river.{theirs}"]
        same = all(mine[s]["alarms"] == peer[s]["alarms"] for s in mine if s in peer)
        print(
            f"\nshiftwatch {ours} vs river {theirs}: alarms {'identical' if same else 'differ'}"
            " on every series."
        )
    print("\nConfigurations: " + "; ".join(f"{k}: {v}" for k, v in DETECTORS.items()))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"series": series, "scores": scores}, indent=1) + "\n")
    print(f"\nWrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
