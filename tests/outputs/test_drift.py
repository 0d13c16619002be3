"""output_drift: oracles, input handling, and calibration and power on digits.

False alarms are accepted unless a one-sided binomial test says, at the 0.001 level, that the
rate exceeds alpha (tests/test_calibration.py's rule). Power runs are seeded.
"""

import pickle

import numpy as np
import pytest
from scipy import stats

from shiftwatch.errors import InvalidParameterError, NoDataError, SchemaError
from shiftwatch.outputs import OutputDriftReport, black_box_shift, output_drift
from shiftwatch.stats import chi2, holm, ks
from tests.outputs.digits import digits

ALPHA = 0.05
WINDOW = 100


def exceeds_alpha(alarms: int, runs: int) -> bool:
    return stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue <= 0.001


def split(rng: np.random.Generator, n_current: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint random reference and current rows of the held-out digits."""
    order = rng.permutation(digits().n)
    return order[n_current:], order[:n_current]


# --- oracles -----------------------------------------------------------------------------


def test_checks_are_the_stats_tests_holm_adjusted_together() -> None:
    rng = np.random.default_rng(0)
    reference = rng.dirichlet([3.0, 2.0, 1.0, 1.0], size=400)
    current = rng.dirichlet([2.0, 2.0, 1.5, 1.0], size=150)
    report = output_drift(reference, current)
    class_mix = chi2(
        np.bincount(reference.argmax(1), minlength=4), np.bincount(current.argmax(1), minlength=4)
    )
    confidence = ks(reference.max(1), current.max(1))
    per_class = [ks(reference[:, k], current[:, k]).p_value for k in range(4)]
    bbsd_p = min(4 * min(per_class), 1.0)
    assert [c.name for c in report.checks] == ["class_mix", "confidence", "probabilities"]
    assert [c.result.p_value for c in report.checks] == pytest.approx(
        [class_mix.p_value, confidence.p_value, bbsd_p]
    )
    assert [c.adjusted_p_value for c in report.checks] == pytest.approx(
        holm([class_mix.p_value, confidence.p_value, bbsd_p]).tolist()
    )


def test_bbsd_agrees_with_scipy_per_class() -> None:
    rng = np.random.default_rng(1)
    reference, current = rng.dirichlet(np.ones(5), size=300), rng.dirichlet(np.ones(5), size=80)
    scipy_p = [stats.ks_2samp(reference[:, k], current[:, k]).pvalue for k in range(5)]
    result = black_box_shift(reference, current)
    assert result.p_value == pytest.approx(min(5 * min(scipy_p), 1.0))
    assert result.statistic == pytest.approx(
        max(stats.ks_2samp(reference[:, k], current[:, k]).statistic for k in range(5))
    )


def test_regression_outputs_get_one_ks_test() -> None:
    rng = np.random.default_rng(2)
    reference, current = rng.normal(size=500), rng.normal(0.3, size=200)
    report = output_drift(reference, current)
    assert report.kind == "regression"
    assert [c.name for c in report.checks] == ["prediction"]
    assert report.checks[0].result.p_value == pytest.approx(
        stats.ks_2samp(reference, current).pvalue
    )
    assert report.checks[0].adjusted_p_value == report.checks[0].result.p_value


def test_labels_are_counted_over_the_classes_of_both_sides() -> None:
    report = output_drift(["cat"] * 60 + ["dog"] * 40, ["cat"] * 30 + ["bird"] * 30)
    assert report.kind == "labels"
    check = report.check("class_mix")
    assert check is not None
    expected = chi2([0, 60, 40], [30, 30, 0])
    assert check.result.p_value == pytest.approx(expected.p_value)
    assert check.result.effect == pytest.approx(expected.effect)
    assert report.drifted_checks == ("class_mix",)


# --- input handling ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "kind"),
    [
        pytest.param(np.full((4, 2), 0.5), "probabilities", id="2-D"),
        pytest.param(np.array([0.5, 1.5, 2.0, 3.0]), "regression", id="fractional-floats"),
        pytest.param(np.array([0.0, 1.0, 2.0, 1.0]), "labels", id="whole-floats"),
        pytest.param(np.array([0, 1, 2, 1]), "labels", id="integers"),
        pytest.param(np.array(["a", "b", "a", "b"]), "labels", id="strings"),
        pytest.param(np.array([True, False, True, True]), "labels", id="booleans"),
    ],
)
def test_auto_kind(reference: np.ndarray, kind: str) -> None:
    assert output_drift(reference, reference).kind == kind


def test_a_regressor_predicting_whole_numbers_is_named() -> None:
    counts = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    assert output_drift(counts, counts, kind="regression").kind == "regression"


@pytest.mark.parametrize(
    ("reference", "current", "kwargs", "error", "message"),
    [
        pytest.param(
            np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), {}, SchemaError, "got shape", id="3-D"
        ),
        pytest.param(np.zeros((0, 3)), np.zeros((4, 3)), {}, NoDataError, "empty", id="empty"),
        pytest.param(
            np.full((4, 3), 1 / 3),
            np.full((4, 2), 0.5),
            {},
            SchemaError,
            "3 classes",
            id="classes-differ",
        ),
        pytest.param(
            np.full((4, 3), 1 / 3), np.ones(4), {}, SchemaError, "same form", id="forms-differ"
        ),
        pytest.param(
            np.full((4, 2), 2.0),
            np.full((4, 2), 0.5),
            {},
            InvalidParameterError,
            r"\[0, 1\]",
            id="not-probabilities",
        ),
        pytest.param(
            np.full((4, 1), 1.0),
            np.full((4, 1), 1.0),
            {},
            SchemaError,
            "at least 2",
            id="one-class",
        ),
        pytest.param(
            np.array(["a", "b"]),
            np.array(["a", "b"]),
            {"kind": "regression"},
            InvalidParameterError,
            "must be numbers",
            id="regression-strings",
        ),
        pytest.param(
            np.ones(4),
            np.ones(4),
            {"kind": "softmax"},
            InvalidParameterError,
            "'kind'",
            id="bad-kind",
        ),
        pytest.param(
            np.ones(4),
            np.ones(4),
            {"alpha": 1.5},
            InvalidParameterError,
            "'alpha'",
            id="bad-alpha",
        ),
        pytest.param(
            np.ones(4),
            np.ones(4),
            {"thresholds": {"confidence": 0.2}},
            InvalidParameterError,
            "'thresholds'",
            id="threshold-of-a-check-that-does-not-run",
        ),
        pytest.param(
            np.ones(4),
            np.ones(4),
            {"thresholds": {"class_mix": -1.0}},
            InvalidParameterError,
            "'threshold'",
            id="negative-threshold",
        ),
    ],
)
def test_bad_calls_say_what_was_expected(
    reference: np.ndarray,
    current: np.ndarray,
    kwargs: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        output_drift(reference, current, **kwargs)  # type: ignore[arg-type]


def test_thresholds_can_be_overridden_per_check() -> None:
    rng = np.random.default_rng(3)
    reference, current = rng.normal(size=2_000), rng.normal(0.15, size=2_000)
    assert output_drift(reference, current).drifted
    assert not output_drift(reference, current, thresholds={"prediction": 0.5}).drifted


def test_report_is_frozen_and_pickles() -> None:
    report = output_drift(np.full((5, 2), 0.5), np.full((5, 2), 0.5))
    assert isinstance(report, OutputDriftReport)
    assert pickle.loads(pickle.dumps(report)) == report
    assert report.check("nothing") is None
    with pytest.raises(AttributeError):
        report.alpha = 0.1  # type: ignore[misc]


# --- calibration and power on digits ------------------------------------------------------


@pytest.mark.slow
def test_false_alarms_on_unshifted_digits_outputs_are_at_most_alpha() -> None:
    data, rng, runs = digits(), np.random.default_rng(20261201), 500
    alarms = 0
    for _ in range(runs):
        reference, current = split(rng)
        alarms += output_drift(data.probabilities[reference], data.probabilities[current]).drifted
    assert not exceeds_alpha(alarms, runs), f"{alarms}/{runs} false alarms"  # measured 24


def test_gaussian_noise_is_caught_by_confidence_and_bbsd_at_100_rows() -> None:
    data, rng, runs = digits(), np.random.default_rng(20261202), 100
    caught = {"confidence": 0, "probabilities": 0, "report": 0}
    for _ in range(runs):
        reference, current = split(rng)
        report = output_drift(
            data.probabilities[reference], data.noisy_probabilities(current, 4.0, rng)
        )
        caught["report"] += report.drifted
        for name in ("confidence", "probabilities"):
            caught[name] += name in report.drifted_checks
    assert min(caught.values()) >= 0.9 * runs, caught  # measured: 100 / 100 for each


def test_class_prior_shift_is_caught_by_the_class_mix_at_100_rows() -> None:
    """Zeros are 30 of the 100 current rows, against one in ten in the reference."""
    data, rng, runs = digits(), np.random.default_rng(20261203), 100
    caught = 0
    for _ in range(runs):
        reference, pool = split(rng, n_current=data.n // 2)
        zeros = data.labels[pool] == 0
        current = np.concatenate(
            [
                rng.choice(pool[zeros], 30, replace=False),
                rng.choice(pool[~zeros], 70, replace=False),
            ]
        )
        report = output_drift(data.probabilities[reference], data.probabilities[current])
        caught += "class_mix" in report.drifted_checks
    assert caught >= 0.9 * runs, f"{caught}/{runs}"  # measured: 99 / 100


def test_false_alarms_on_unshifted_regression_outputs_are_at_most_alpha() -> None:
    rng, runs = np.random.default_rng(20261204), 400
    alarms = sum(
        output_drift(rng.lognormal(size=300), rng.lognormal(size=100)).drifted for _ in range(runs)
    )
    # measured 28 / 400 here; 4.5% over 3,000 runs of another seed
    assert not exceeds_alpha(alarms, runs), f"{alarms}/{runs} false alarms"
