"""Image shift on scikit-learn's digits: detection rate per shift and window size, and false
alarms, for shiftwatch's image methods and alibi-detect's KSDrift and MMDDrift.

Data: ``load_digits`` (1,797 8x8 images, 0-16), split once (seed 0) into 600 images to train
a logistic regression, 500 reference images, and a pool of 697 from which each run draws its
current window (without replacement; seed ``[run, size, shift]``). Shifts, applied to the
window: gaussian noise of std 1, 2, 4 (on the 0-16 scale, clipped), blur (gaussian, sigma 1),
inversion (16 - x), translation (one pixel right), and a class-prior shift (digits 0-4 only).
"none" is the unshifted window: its detection rate is the false-alarm rate (alpha 0.05).

Methods (the same windows for all):

* shiftwatch ``images``: per-image properties (brightness, contrast, sharpness, entropy, ...)
  compared column by column with Holm (``compare``);
* shiftwatch ``bbsd``: black-box shift detection on the model's softmax outputs
  (``output_drift``: class mix, confidence, per-class KS, Holm);
* shiftwatch ``mmd``: MMD permutation test on the 64 pixels;
* shiftwatch ``projection``: PCA to 32 components, KS with Bonferroni;
* alibi-detect ``KSDrift`` (64 pixels, Bonferroni) and ``MMDDrift`` (PyTorch backend) where
  they import (``--alibi-python``), run in their own environment on the same windows.

Run::

    .venv/bin/python benchmarks/image_shift.py --alibi-python /tmp/venv-alibi/bin/python
    .venv/bin/python benchmarks/image_shift.py --runs 10 --quick

Writes ``benchmarks/results/image_shift.json`` and a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import _measure

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "results" / "image_shift.json"
SIZES = (50, 100, 500)
SHIFTS = ("none", "noise-1", "noise-2", "noise-4", "blur", "inversion", "translation", "prior")
ALPHA = 0.05
OURS = ("images", "bbsd", "mmd", "projection")
PEERS = ("alibi.KSDrift", "alibi.MMDDrift")


# --- data, shared by every child (numpy and scikit-learn only) -------------------------------


def _split() -> dict[str, Any]:
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.target))
    train, reference, pool = order[:600], order[600:1100], order[1100:]
    images = digits.images.astype(np.float64)
    return {
        "images": images,
        "labels": digits.target,
        "train": train,
        "reference": reference,
        "pool": pool,
    }


def _shifted(images: Any, labels: Any, shift: str, rng: Any) -> Any:
    import numpy as np
    from scipy import ndimage

    if shift.startswith("noise"):
        std = float(shift.split("-")[1])
        return np.clip(images + rng.normal(0, std, images.shape), 0, 16)
    if shift == "blur":
        return np.stack([ndimage.gaussian_filter(image, 1.0) for image in images])
    if shift == "inversion":
        return 16.0 - images
    if shift == "translation":
        moved = np.roll(images, 1, axis=2)
        moved[:, :, 0] = 0
        return moved
    return images


def _window(data: dict[str, Any], size: int, shift: str, run: int) -> Any:
    import numpy as np

    rng = np.random.default_rng([run, size, SHIFTS.index(shift)])
    pool = data["pool"]
    if shift == "prior":
        pool = pool[data["labels"][pool] <= 4]
    chosen = rng.choice(pool, size=min(size, len(pool)), replace=size > len(pool))
    return _shifted(data["images"][chosen], data["labels"][chosen], shift, rng)


# --- children ------------------------------------------------------------------------------


def _ours(job: dict[str, Any]) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    import shiftwatch as sw
    from shiftwatch.images import image_features
    from shiftwatch.outputs import output_drift
    from shiftwatch.stats import mmd, projection_ks

    data = _split()
    images = data["images"]
    model = LogisticRegression(max_iter=2_000).fit(
        images[data["train"]].reshape(-1, 64) / 16, data["labels"][data["train"]]
    )
    reference = images[data["reference"]]
    ref_pixels = reference.reshape(-1, 64) / 16
    ref_features = image_features(np.round(reference * 255 / 16).astype(np.uint8))
    ref_outputs = model.predict_proba(ref_pixels)

    def detect(method: str, window: Any) -> bool:
        pixels = window.reshape(-1, 64) / 16
        if method == "images":
            features = image_features(np.round(window * 255 / 16).astype(np.uint8))
            return bool(sw.compare(ref_features, features, alpha=ALPHA).drifted)
        if method == "bbsd":
            return bool(output_drift(ref_outputs, model.predict_proba(pixels), alpha=ALPHA).drifted)
        if method == "mmd":
            return bool(mmd(ref_pixels, pixels, alpha=ALPHA, seed=0).significant)
        return bool(projection_ks(ref_pixels, pixels, alpha=ALPHA, seed=0).significant)

    return _grid(job, data, detect, OURS)


def _peers(job: dict[str, Any]) -> dict[str, Any]:
    import numpy as np
    from alibi_detect.cd import KSDrift, MMDDrift

    data = _split()
    reference = (data["images"][data["reference"]].reshape(-1, 64) / 16).astype(np.float32)
    detectors = {
        "alibi.KSDrift": KSDrift(reference, p_val=ALPHA),
        "alibi.MMDDrift": MMDDrift(reference, backend="pytorch", p_val=ALPHA, n_permutations=100),
    }

    def detect(method: str, window: Any) -> bool:
        pixels = (window.reshape(-1, 64) / 16).astype(np.float32)
        return bool(detectors[method].predict(pixels)["data"]["is_drift"])

    return _grid(job, data, detect, PEERS)


def _grid(job: dict[str, Any], data: dict[str, Any], detect: Any, methods: tuple) -> dict:
    rates: dict[str, dict[str, dict[str, float]]] = {}
    seconds: dict[str, float] = {}
    for method in methods:
        start = time.perf_counter()
        rates[method] = {}
        for shift in job["shifts"]:
            rates[method][shift] = {}
            for size in job["sizes"]:
                hits = sum(
                    detect(method, _window(data, size, shift, run)) for run in range(job["runs"])
                )
                rates[method][shift][str(size)] = hits / job["runs"]
        seconds[method] = time.perf_counter() - start
    return {"rates": rates, "seconds": seconds}


CHILDREN = {"ours": _ours, "peers": _peers}


# --- parent ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Image shift detection on digits")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="sizes 50 and 100 only")
    parser.add_argument("--alibi-python", default="/tmp/venv-alibi/bin/python")
    parser.add_argument("--timeout", type=float, default=7_200.0)
    parser.add_argument("--output", type=Path, default=RESULTS_FILE)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        job = json.loads(args.child)
        _measure.report(CHILDREN[job["child"]](job))
        return
    sizes = SIZES[:2] if args.quick else SIZES
    job = {"runs": args.runs, "sizes": list(sizes), "shifts": list(SHIFTS)}
    env = {"PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    print(f"  shiftwatch: {args.runs} runs per cell", file=sys.stderr, flush=True)
    results = {
        "ours": _measure.run_script(
            sys.executable,
            __file__,
            ["--child", json.dumps({**job, "child": "ours"})],
            args.timeout,
            env,
        )
    }
    if args.alibi_python and os.path.exists(args.alibi_python):
        print("  alibi-detect", file=sys.stderr, flush=True)
        try:
            results["peers"] = _measure.run_script(
                args.alibi_python,
                __file__,
                ["--child", json.dumps({**job, "child": "peers"})],
                args.timeout,
                env,
            )
        except (OSError, RuntimeError) as error:
            results["peers"] = {"error": str(error)}
    rates = {**results["ours"]["rates"], **results.get("peers", {}).get("rates", {})}
    print("# Image shift on digits: detection rate (share of windows flagged, alpha 0.05)\n")
    print(f"- machine: {_measure.describe_machine()['cpu']}; {args.runs} windows per cell")
    print("- reference 500 images; model: logistic regression on 600 images\n")
    methods = list(rates)
    print("| shift | n | " + " | ".join(methods) + " |")
    print("|---|---:|" + "---:|" * len(methods))
    for shift in SHIFTS:
        for size in sizes:
            cells = [f"{rates[m][shift][str(size)]:.2f}" for m in methods]
            print(f"| {shift} | {size} | " + " | ".join(cells) + " |")
    seconds = {**results["ours"]["seconds"], **results.get("peers", {}).get("seconds", {})}
    print(
        "\nSeconds per method (all cells): " + ", ".join(f"{m} {s:.0f}" for m, s in seconds.items())
    )
    if "error" in results.get("peers", {}):
        print(f"\nalibi-detect did not run: {results['peers']['error']}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
