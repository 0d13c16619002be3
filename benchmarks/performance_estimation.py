"""Label-free performance estimation: shiftwatch's PerformanceEstimator beside NannyML's CBPE.

Simulated classifiers whose true probabilities are known: each row has a latent logit vector
``z``; the label is drawn from ``softmax(z)`` (``softmax(z + concept)`` under concept shift)
and the model reports ``softmax(sharpness * z)`` (over-confident above 1, under-confident
below), rounded as serving stacks round (2 decimals: exact 0s and 1s). Covariate shift moves
and shrinks the inputs (the calibration still holds); concept shift changes the labels only.

Per scenario, 3 times over (``--repeats``): a labelled reference of 25,000 rows, then 10
current chunks of 5,000 rows.
Reported per metric: the mean absolute error of the estimate against the chunk's realized
value (percentage points), the share of chunks whose 95% interval covers the realized value
(shiftwatch) or whose confidence band does (CBPE: +-3 sampling errors), the share of chunks
shiftwatch marks unreliable without labels and with them, and the seconds to estimate the 10
chunks (after fitting; the median over references).

    .venv/bin/python benchmarks/performance_estimation.py            # about 10 minutes
    .venv/bin/python benchmarks/performance_estimation.py --quick    # smoke test

NannyML runs in its own environment, through a subprocess, when ``.venv-nannyml`` exists:

    python3 -m venv .venv-nannyml && .venv-nannyml/bin/pip install nannyml 'pandas<3' statsmodels
"""

import argparse
import json
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import special

from shiftwatch.errors import ShiftwatchWarning
from shiftwatch.outputs import PerformanceEstimator
from shiftwatch.outputs.metrics import confusion_matrix, from_confusion, roc_auc

ROOT = Path(__file__).resolve().parent.parent
NANNYML = ROOT / ".venv-nannyml" / "bin" / "python"
RESULTS = ROOT / "benchmarks" / "results"
BINARY = ("accuracy", "precision", "recall", "f1", "roc_auc")
MULTICLASS = ("accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc")


@dataclass(frozen=True)
class Model:
    """A simulated classifier."""

    classes: int = 2
    scale: float = 3.0
    sharpness: float = 1.0
    decimals: int | None = 2

    def sample(
        self,
        rng: np.random.Generator,
        n: int,
        shift: float = 0.0,
        spread: float = 1.0,
        concept: float = 0.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        latent = rng.normal(size=(n, self.classes)) * spread + shift * np.eye(self.classes)[0]
        logits = latent * self.scale / np.sqrt(2)
        truth = special.softmax(logits + concept * np.eye(self.classes)[-1], axis=1)
        labels = np.minimum(
            (rng.random((n, 1)) > truth.cumsum(axis=1)).sum(axis=1), self.classes - 1
        )
        probabilities = special.softmax(logits * self.sharpness, axis=1)
        if self.decimals is not None:
            probabilities = np.round(probabilities, self.decimals)
        return probabilities, labels


@dataclass(frozen=True)
class Scenario:
    """A model, a shift of the current chunks, and the deployed decision rule."""

    name: str
    model: Model
    shift: float = 0.0
    spread: float = 1.0
    concept: float = 0.0
    threshold: float | None = None

    @property
    def unshifted(self) -> bool:
        return self.shift == 0 and self.spread == 1 and self.concept == 0


ROUNDED_91 = Model(scale=6.0, sharpness=2.0)
FOUR_CLASSES = Model(classes=4, scale=3.0, sharpness=1.7)
SCENARIOS = (
    Scenario("binary, 91% accurate, overconfident, rounded", ROUNDED_91),
    Scenario("binary, underconfident", Model(scale=3.0, sharpness=0.5, decimals=None)),
    Scenario("binary, threshold 0.65", Model(scale=3.0, sharpness=1.5), threshold=0.65),
    Scenario("binary, covariate shift", ROUNDED_91, shift=0.5, spread=0.8),
    Scenario("binary, concept shift", ROUNDED_91, concept=-1.5),
    Scenario("4 classes, overconfident, rounded", FOUR_CLASSES),
    Scenario("4 classes, covariate shift", FOUR_CLASSES, shift=0.5, spread=0.8),
    Scenario("4 classes, concept shift", FOUR_CLASSES, concept=-1.5),
)


@dataclass
class Outcome:
    """What one tool did on one scenario."""

    errors: dict[str, list[float]] = field(default_factory=dict)
    covered: dict[str, list[bool]] = field(default_factory=dict)
    unreliable: list[bool] = field(default_factory=list)
    unreliable_with_labels: list[bool] = field(default_factory=list)
    seconds: float = float("nan")

    def add(self, metric: str, value: float, low: float, high: float, realized: float) -> None:
        self.errors.setdefault(metric, []).append(abs(value - realized))
        self.covered.setdefault(metric, []).append(bool(low <= realized <= high))


def decisions(probabilities: np.ndarray, threshold: float | None) -> np.ndarray:
    if threshold is None:
        return probabilities.argmax(axis=1)
    return (probabilities[:, 1] >= threshold).astype(np.intp)


def realized(
    metric: str, labels: np.ndarray, decided: np.ndarray, probabilities: np.ndarray
) -> float:
    if metric == "roc_auc":
        return roc_auc(labels, probabilities)
    classes = probabilities.shape[1]
    return float(from_confusion(metric, confusion_matrix(labels, decided, classes)))


def run_shiftwatch(
    scenario: Scenario,
    reference: tuple[np.ndarray, np.ndarray],
    chunks: list[tuple[np.ndarray, np.ndarray]],
) -> Outcome:
    outcome = Outcome()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShiftwatchWarning)
        estimator = PerformanceEstimator(threshold=scenario.threshold).fit(*reference)
        start = time.perf_counter()
        estimates = [estimator.estimate(probabilities) for probabilities, _ in chunks]
        outcome.seconds = time.perf_counter() - start
        for estimate, (probabilities, labels) in zip(estimates, chunks, strict=True):
            decided = decisions(probabilities, scenario.threshold)
            for metric in estimate.metrics:
                outcome.add(
                    metric.metric,
                    metric.value,
                    metric.low,
                    metric.high,
                    realized(metric.metric, labels, decided, probabilities),
                )
            outcome.unreliable.append(not estimate.reliable)
            outcome.unreliable_with_labels.append(
                not estimator.estimate(probabilities, labels=labels).reliable
            )
    return outcome


def run_nannyml(
    scenario: Scenario,
    reference: tuple[np.ndarray, np.ndarray],
    chunks: list[tuple[np.ndarray, np.ndarray]],
    names: tuple[str, ...],
) -> Outcome | None:
    if not NANNYML.exists():
        return None
    probabilities = np.concatenate([p for p, _ in chunks])
    reference_probabilities = reference[0]
    if probabilities.shape[1] > 2:  # CBPE refuses rounded rows that do not sum to 1
        probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
        reference_probabilities = reference_probabilities / reference_probabilities.sum(
            axis=1, keepdims=True
        )
    with tempfile.TemporaryDirectory() as folder:
        data, out = Path(folder) / "data.npz", Path(folder) / "out.json"
        np.savez(
            data,
            reference_probabilities=reference_probabilities,
            reference_labels=reference[1],
            reference_predictions=decisions(reference[0], scenario.threshold),
            current_probabilities=probabilities,
            current_predictions=decisions(probabilities, scenario.threshold),
        )
        command = [str(NANNYML), str(ROOT / "benchmarks" / "_nannyml_cbpe.py"), str(data)]
        ran = subprocess.run(
            [*command, str(len(chunks[0][0])), str(out)], capture_output=True, text=True
        )
        if ran.returncode != 0:
            print(f"NannyML failed on {scenario.name}: {ran.stderr.strip().splitlines()[-1]}")
            return None
        result = json.loads(out.read_text())
    outcome = Outcome(seconds=result["estimate_seconds"])
    for name in names:
        peer = result["metrics"][name.removesuffix("_macro")]
        for index, (chunk, labels) in enumerate(chunks):
            decided = decisions(chunk, scenario.threshold)
            low, high = peer["low"][index], peer["high"][index]
            outcome.add(
                name,
                peer["value"][index],
                -np.inf if low is None or np.isnan(low) else low,
                np.inf if high is None or np.isnan(high) else high,
                realized(name, labels, decided, chunk),
            )
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, 3 scenarios")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--repeats", type=int, default=3, help="references per scenario")
    arguments = parser.parse_args()
    reference_rows, chunk_rows, n_chunks = (
        (5_000, 1_000, 3) if arguments.quick else (25_000, 5_000, 10)
    )
    scenarios = SCENARIOS[:3] if arguments.quick else SCENARIOS
    rows = []
    for scenario in scenarios:
        rng = np.random.default_rng(arguments.seed)
        names = BINARY if scenario.model.classes == 2 else MULTICLASS
        outcomes: list[tuple[Outcome, Outcome | None]] = []
        for _ in range(arguments.repeats):  # a new reference each time, and new chunks
            reference = scenario.model.sample(rng, reference_rows)
            chunks = [
                scenario.model.sample(
                    rng,
                    chunk_rows,
                    shift=scenario.shift,
                    spread=scenario.spread,
                    concept=scenario.concept,
                )
                for _ in range(n_chunks)
            ]
            outcomes.append(
                (
                    run_shiftwatch(scenario, reference, chunks),
                    run_nannyml(scenario, reference, chunks, names),
                )
            )
        ours = merged([mine for mine, _ in outcomes])
        theirs = [peer for _, peer in outcomes]
        peer = None if None in theirs else merged(theirs)  # type: ignore[arg-type]
        rows.append((scenario, names, ours, peer))
        print(f"done: {scenario.name}", flush=True)
    print_table(rows, n_chunks, chunk_rows, arguments.repeats)
    RESULTS.mkdir(exist_ok=True)
    document = [
        {
            "scenario": scenario.name,
            "shiftwatch": summary(ours),
            "nannyml": None if peer is None else summary(peer),
        }
        for scenario, _, ours, peer in rows
    ]
    (RESULTS / "performance_estimation.json").write_text(json.dumps(document, indent=2))


def merged(outcomes: list[Outcome]) -> Outcome:
    """All repeats' chunks together; the seconds are the median repeat's."""
    total = Outcome(seconds=float(np.median([o.seconds for o in outcomes])))
    for outcome in outcomes:
        for name, errors in outcome.errors.items():
            total.errors.setdefault(name, []).extend(errors)
            total.covered.setdefault(name, []).extend(outcome.covered[name])
        total.unreliable += outcome.unreliable
        total.unreliable_with_labels += outcome.unreliable_with_labels
    return total


def summary(outcome: Outcome) -> dict[str, object]:
    return {
        "mae_points": {k: 100 * float(np.mean(v)) for k, v in outcome.errors.items()},
        "coverage": {k: float(np.mean(v)) for k, v in outcome.covered.items()},
        "unreliable": float(np.mean(outcome.unreliable)) if outcome.unreliable else None,
        "unreliable_with_labels": float(np.mean(outcome.unreliable_with_labels))
        if outcome.unreliable_with_labels
        else None,
        "seconds": outcome.seconds,
    }


def print_table(rows: list, n_chunks: int, chunk_rows: int, repeats: int) -> None:
    print(
        f"\nMean absolute error in points (shiftwatch / NannyML CBPE), over {repeats} references "
        f"x {n_chunks} chunks of {chunk_rows:,} rows; coverage of the 95% interval (CBPE: its "
        "band) on unshifted chunks; share of chunks marked unreliable without / with labels; "
        f"seconds to estimate {n_chunks} chunks (median over references).\n"
    )
    header = ("scenario", "accuracy", "precision", "recall", "F1", "ROC AUC", "coverage (min)")
    print("| " + " | ".join((*header, "unreliable", "seconds")) + " |")
    print("|---|---|---|---|---|---|---|---|---|")
    for scenario, names, ours, peer in rows:
        cells = []
        for name in names:
            mine = 100 * np.mean(ours.errors[name])
            theirs = "" if peer is None else f" / {100 * np.mean(peer.errors[name]):.2f}"
            cells.append(f"{mine:.2f}{theirs}")
        coverage = "-"
        if scenario.unshifted:
            mine = min(np.mean(v) for v in ours.covered.values())
            theirs = (
                "" if peer is None else f" / {min(np.mean(v) for v in peer.covered.values()):.0%}"
            )
            coverage = f"{mine:.0%}{theirs}"
        unreliable = f"{np.mean(ours.unreliable):.0%} / {np.mean(ours.unreliable_with_labels):.0%}"
        seconds = f"{ours.seconds:.2f}" + ("" if peer is None else f" / {peer.seconds:.2f}")
        print(f"| {scenario.name} | {' | '.join(cells)} | {coverage} | {unreliable} | {seconds} |")
    if rows and rows[0][3] is None:
        print("\nNannyML was not run: no .venv-nannyml (see the module docstring).")


if __name__ == "__main__":
    main()
