"""AccuracyEstimator: accuracy and coverage on digits and simulated models, bad calls.

Digits runs: calibrate on 450 random held-out rows, estimate on 100 of the other 449 (with
pixel noise of the given std: a covariate shift), compare with those 100 rows' true accuracy.
"""

import pickle
import warnings

import numpy as np
import pytest
from scipy import special

from shiftwatch.errors import InvalidParameterError, NoDataError, ShiftwatchWarning
from shiftwatch.outputs import AccuracyEstimate, AccuracyEstimator
from tests.outputs.digits import digits
from tests.outputs.simulated import Classifier

CALIBRATION_ROWS = 450
WINDOW = 100


def digits_runs(std: float, runs: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimates, true accuracies and raw mean confidences over ``runs`` windows.

    Estimates flagged unreliable (the noisier windows' confidence moves away) are kept.
    """
    data, rng = digits(), np.random.default_rng(seed)
    estimates, truths, raw = [], [], []
    for _ in range(runs):
        order = rng.permutation(data.n)
        calibration, pool = order[:CALIBRATION_ROWS], order[CALIBRATION_ROWS:]
        estimator = AccuracyEstimator().fit(
            data.probabilities[calibration], data.labels[calibration]
        )
        rows = rng.choice(pool, WINDOW, replace=False)
        probabilities = data.noisy_probabilities(rows, std, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ShiftwatchWarning)
            estimates.append(estimator.estimate(probabilities))
        truths.append(np.mean(probabilities.argmax(1) == data.labels[rows]))
        raw.append(probabilities.max(1).mean())
    return np.array(estimates), np.array(truths), np.array(raw)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("std", "largest_error", "least_reliable"),
    [
        pytest.param(0.0, 0.020, 0.97, id="unshifted"),  # measured 1.26 points, all reliable
        pytest.param(2.0, 0.024, 0.85, id="noise-std-2"),  # measured 1.61
        pytest.param(6.0, 1.0, 0.0, id="noise-std-6"),  # measured 8.8: flagged
    ],
)
def test_mean_absolute_error_on_digits_is_within_a_few_points(
    std: float, largest_error: float, least_reliable: float
) -> None:
    estimates, truths, raw = digits_runs(std, runs=100, seed=20261205)
    values = np.array([e.value for e in estimates])
    reliable = np.mean([e.reliable for e in estimates])
    assert np.mean(np.abs(values - truths)) <= largest_error
    assert reliable >= least_reliable
    if std == 6.0:
        assert np.mean(np.abs(values - truths)) >= 0.05
        assert reliable <= 0.1  # a wrong estimate is marked so
    else:
        assert np.mean(np.abs(raw - truths)) >= 0.07  # uncalibrated: about 8 points off


@pytest.mark.slow
def test_interval_covers_the_true_accuracy_of_unshifted_windows() -> None:
    estimates, truths, _ = digits_runs(0.0, runs=100, seed=20261206)
    covered = [e.low <= truth <= e.high for e, truth in zip(estimates, truths, strict=True)]
    assert np.mean(covered) >= 0.90  # measured 0.95 at the nominal 0.95


def overconfident_model(
    rng: np.random.Generator, n: int, temperature: float = 2.0, classes: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities ``softmax(temperature * z)`` for labels drawn from ``softmax(z)``."""
    logits = rng.normal(size=(n, classes)) * 1.5
    truth = special.softmax(logits, axis=1)
    labels = (rng.random((n, 1)) > truth.cumsum(axis=1)).sum(axis=1)
    return special.softmax(logits * temperature, axis=1), labels


@pytest.mark.parametrize("calibration", ["isotonic", "temperature"])
def test_estimates_an_overconfident_model_without_bias_and_with_coverage(
    calibration: str,
) -> None:
    rng = np.random.default_rng(6)
    estimator = AccuracyEstimator(calibration=calibration).fit(*overconfident_model(rng, 2_000))
    errors, covered = [], []
    for _ in range(100):
        probabilities, labels = overconfident_model(rng, 500)
        estimate = estimator.estimate(probabilities)
        truth = np.mean(probabilities.argmax(1) == labels)
        errors.append(estimate.value - truth)
        covered.append(estimate.low <= truth <= estimate.high)
        assert estimate.reliable
    assert abs(np.mean(errors)) <= 0.015  # one fit's bias, shared by every window
    assert np.mean(covered) >= 0.90


def test_rounded_probabilities_with_exact_zeros_no_longer_break_it() -> None:
    """The issue's case: 91% accurate, rounded to 2 decimals, some 0.00 on the true class."""
    model = Classifier(scale=6.0, sharpness=2.0, decimals=2)
    rng = np.random.default_rng(15)
    probabilities, labels = model.sample(rng, 25_000)
    assert np.sum(probabilities[np.arange(labels.size), labels] == 0) > 100
    estimator = AccuracyEstimator().fit(probabilities, labels)
    assert estimator.reference_accuracy_ == pytest.approx(0.91, abs=0.01)
    for _ in range(5):
        current, truth = model.sample(rng, 5_000)
        estimate = estimator.estimate(current)
        realized = np.mean(current.argmax(1) == truth)
        assert estimate.value == pytest.approx(realized, abs=0.01)
        assert estimate.reliable


def test_calibrate_gives_probabilities_closer_to_the_truth() -> None:
    probabilities, labels = overconfident_model(np.random.default_rng(7), 4_000)
    estimator = AccuracyEstimator().fit(probabilities, labels)
    calibrated = estimator.calibrate(probabilities)
    np.testing.assert_allclose(calibrated.sum(1), 1.0)
    top = probabilities.argmax(1)
    accuracy = np.mean(top == labels)
    assert calibrated[np.arange(top.size), top].mean() == pytest.approx(accuracy, abs=0.015)
    assert probabilities.max(1).mean() - accuracy > 0.05  # the raw ones were overconfident


def test_zero_probabilities_are_fine() -> None:
    probabilities = np.array([[1.0, 0.0, 0.0], [0.0, 0.7, 0.3], [0.2, 0.0, 0.8], [0.5, 0.5, 0.0]])
    estimator = AccuracyEstimator().fit(np.tile(probabilities, (5, 1)), [0, 2, 2, 1] * 5)
    estimate = estimator.estimate(probabilities)
    assert 0.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0


def test_a_smaller_level_gives_a_narrower_interval() -> None:
    probabilities, labels = overconfident_model(np.random.default_rng(8), 400)
    wide = AccuracyEstimator(alpha=0.01).fit(probabilities, labels).estimate(probabilities)
    narrow = AccuracyEstimator(alpha=0.5).fit(probabilities, labels).estimate(probabilities)
    assert wide.value == narrow.value
    assert wide.high - wide.low > narrow.high - narrow.low
    assert "99% interval" in wide.method


def test_a_reference_without_errors_warns_and_marks_estimates_unreliable() -> None:
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]] * 4)
    with pytest.warns(ShiftwatchWarning, match="no wrong decision"):
        estimator = AccuracyEstimator().fit(probabilities, [0, 1, 0] * 4)
    with pytest.warns(ShiftwatchWarning, match="no wrong decision"):
        estimate = estimator.estimate(probabilities)
    assert estimate.value > 0.99
    assert not estimate.reliable
    assert "no wrong decision" in estimate.reason


@pytest.mark.parametrize(
    ("probabilities", "labels", "error", "message"),
    [
        pytest.param([0.2, 0.8], [1], InvalidParameterError, "2-D", id="1-D"),
        pytest.param(np.zeros((0, 2)), [], NoDataError, "empty", id="empty"),
        pytest.param([[1.2, -0.2]], [0], InvalidParameterError, r"\[0, 1\]", id="not-in-0-1"),
        pytest.param([["a", "b"]], [0], InvalidParameterError, "numbers", id="strings"),
        pytest.param([[0.2, 0.8]], [2], InvalidParameterError, r"\[0, 2\)", id="label-range"),
        pytest.param([[0.2, 0.8]], [0.0], InvalidParameterError, "class index", id="float-label"),
        pytest.param(
            [[0.2, 0.8]], [0, 1], InvalidParameterError, "per probability row", id="label-count"
        ),
    ],
)
def test_bad_fits_say_what_was_expected(
    probabilities: object, labels: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        AccuracyEstimator().fit(probabilities, labels)  # type: ignore[arg-type]


def test_an_unfitted_estimator_says_to_fit_first() -> None:
    with pytest.raises(NoDataError, match=r"call fit\("):
        AccuracyEstimator().estimate([[0.5, 0.5]])


def test_bad_alpha_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="'alpha' parameter of AccuracyEstimator"):
        AccuracyEstimator(alpha=0.0)


def test_estimator_and_estimate_pickle() -> None:
    probabilities, labels = overconfident_model(np.random.default_rng(9), 200)
    estimator = pickle.loads(pickle.dumps(AccuracyEstimator().fit(probabilities, labels)))
    estimate = estimator.estimate(probabilities)
    assert isinstance(estimate, AccuracyEstimate)
    assert pickle.loads(pickle.dumps(estimate)) == estimate
    assert repr(estimator) == "AccuracyEstimator(alpha=0.05)"
