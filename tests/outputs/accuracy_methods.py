"""Which label-free accuracy estimate is most accurate on digits? (a script, not a test)

Compares, over the same windows, the mean absolute error against each window's true accuracy
of: the raw mean confidence; the mean confidence after temperature scaling (what
AccuracyEstimator does); ATC (Garg et al., ICLR 2022) with the calibrated top probability and
with negative entropy as the score, its threshold set so that the share of reference rows
above it equals the reference accuracy. Each run calibrates on 450 random held-out rows and
estimates on 100 of the other 449, with pixel noise of the given std.

    .venv/bin/python -m tests.outputs.accuracy_methods   # about 30 s
"""

import numpy as np
from scipy import special

from shiftwatch.outputs import AccuracyEstimator
from tests.outputs.digits import digits

METHODS = ("raw confidence", "average confidence", "ATC (max)", "ATC (entropy)")


def atc(reference_scores: np.ndarray, reference_accuracy: float, scores: np.ndarray) -> float:
    threshold = np.quantile(reference_scores, 1 - reference_accuracy)
    return float(np.mean(scores > threshold))


def errors(split_seed: int, std: float, runs: int = 200, window: int = 100) -> dict[str, float]:
    data = digits(split_seed)
    rng = np.random.default_rng(split_seed + 1)
    found: dict[str, list[float]] = {method: [] for method in METHODS}
    for _ in range(runs):
        order = rng.permutation(data.n)
        calibration, pool = order[:450], order[450:]
        estimator = AccuracyEstimator().fit(
            data.probabilities[calibration], data.labels[calibration]
        )
        reference = estimator.calibrate(data.probabilities[calibration])
        current_rows = rng.choice(pool, window, replace=False)
        raw = data.noisy_probabilities(current_rows, std, rng)
        current = estimator.calibrate(raw)
        truth = float(np.mean(raw.argmax(1) == data.labels[current_rows]))
        neg_entropy = [np.sum(special.xlogy(p, p), axis=1) for p in (reference, current)]
        estimates = {
            "raw confidence": float(raw.max(1).mean()),
            "average confidence": estimator.estimate(raw).value,
            "ATC (max)": atc(reference.max(1), estimator.reference_accuracy_, current.max(1)),
            "ATC (entropy)": atc(neg_entropy[0], estimator.reference_accuracy_, neg_entropy[1]),
        }
        for method, value in estimates.items():
            found[method].append(abs(value - truth))
    return {method: 100 * float(np.mean(values)) for method, values in found.items()}


def main() -> None:
    print("noise std, split seed: mean absolute error (percentage points)")
    for std in (0.0, 1.0, 2.0, 4.0):
        for split_seed in (0, 1, 2):
            found = errors(split_seed, std)
            row = "  ".join(f"{method} {value:5.2f}" for method, value in found.items())
            print(f"std {std:g}, seed {split_seed}: {row}")


if __name__ == "__main__":
    main()
