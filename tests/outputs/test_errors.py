"""errors_vs_expected: exact false-alarm rate and power, and the same by simulation.

Simulations draw the error count from its exact Binomial distribution, 1,000 seeded runs each.
A simulated false-alarm rate is accepted unless a one-sided binomial test says, at the 0.001
level, that it exceeds alpha.
"""

import numpy as np
import pytest
from scipy import stats

from shiftwatch.errors import InvalidParameterError
from shiftwatch.outputs import AccuracyEstimate, AccuracyEstimator, errors_vs_expected
from tests.outputs.digits import digits

ALPHA = 0.05


def critical_count(n: int, expected: float, alpha: float = ALPHA) -> int:
    """The fewest errors the exact test rejects at: the smallest k with P(X >= k) <= alpha."""
    return int(stats.binom.isf(alpha, n, expected)) + 1


def alarm(n_errors: int, n: int, expected: float) -> bool:
    return errors_vs_expected(n_errors, n, expected, alpha=ALPHA).drifted


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        pytest.param(50, 0.02, id="n=50,p=0.02"),
        pytest.param(200, 0.10, id="n=200,p=0.10"),
        pytest.param(1_000, 0.10, id="n=1000,p=0.10"),
        pytest.param(5_000, 0.30, id="n=5000,p=0.30"),
    ],
)
def test_exact_false_alarm_rate_is_at_most_alpha(n: int, expected: float) -> None:
    k = critical_count(n, expected)
    assert stats.binom.sf(k - 1, n, expected) <= ALPHA < stats.binom.sf(k - 2, n, expected)
    assert alarm(k, n, expected)
    assert not alarm(k - 1, n, expected)


def test_simulated_false_alarm_rate_is_at_most_alpha() -> None:
    rng, runs = np.random.default_rng(20261207), 1_000
    alarms = sum(alarm(int(k), 1_000, 0.10) for k in rng.binomial(1_000, 0.10, size=runs))
    assert stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue > 0.001
    exact = stats.binom.sf(critical_count(1_000, 0.10) - 1, 1_000, 0.10)  # 0.0433
    assert abs(alarms / runs - exact) <= 4 * np.sqrt(exact * (1 - exact) / runs)


def test_a_five_point_accuracy_drop_is_found_at_1000_labels() -> None:
    """Expected error rate 0.10, true 0.15: exact power 0.9989, simulated the same."""
    rng, runs = np.random.default_rng(20261208), 1_000
    found = sum(alarm(int(k), 1_000, 0.10) for k in rng.binomial(1_000, 0.15, size=runs))
    power = stats.binom.sf(critical_count(1_000, 0.10) - 1, 1_000, 0.15)
    assert power == pytest.approx(0.9989, abs=1e-4)
    assert found >= 0.80 * runs
    assert abs(found / runs - power) <= 4 * np.sqrt(power * (1 - power) / runs) + 1 / runs


def test_per_row_error_rates_keep_the_false_alarm_rate_under_alpha() -> None:
    """Errors with unequal per-row rates (Poisson-binomial), tested against their mean."""
    rng, runs = np.random.default_rng(20261209), 1_000
    rates = rng.beta(0.5, 4.5, size=1_000)  # mean 0.10, most rows near 0, a few near 1
    counts = (rng.random((runs, rates.size)) < rates).sum(axis=1)
    alarms = sum(alarm(int(k), rates.size, float(rates.mean())) for k in counts)
    assert stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue > 0.001
    assert alarms / runs <= ALPHA  # lighter tails than the binomial: measured well below


def test_the_expected_rate_can_come_from_a_label_free_estimate() -> None:
    estimate = AccuracyEstimate(value=0.9, low=0.88, high=0.92, n=1_000)
    from_estimate = errors_vs_expected(130, 1_000, estimate)
    given = errors_vs_expected(130, 1_000, 0.1)
    assert from_estimate.p_value == pytest.approx(given.p_value)
    assert from_estimate.effect == pytest.approx(0.03)
    assert "label-free accuracy estimate 0.9 over 1000 rows" in from_estimate.method


@pytest.mark.slow
def test_digits_errors_against_their_label_free_expectation_rarely_alarm_unshifted() -> None:
    """Calibrate on 450 held-out digits, label the other 449: expected = 1 - the estimate."""
    data, rng, runs = digits(), np.random.default_rng(20261210), 300
    alarms = 0
    for _ in range(runs):
        order = rng.permutation(data.n)
        calibration, current = order[:450], order[450:]
        estimator = AccuracyEstimator().fit(
            data.probabilities[calibration], data.labels[calibration]
        )
        probabilities = data.probabilities[current]
        n_errors = int(np.sum(probabilities.argmax(1) != data.labels[current]))
        expected = estimator.estimate(probabilities)
        alarms += errors_vs_expected(n_errors, current.size, expected).drifted
    assert stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue > 0.001
    assert alarms / runs <= ALPHA  # measured 10 / 300: Poisson-binomial errors, lighter tails


def test_result_fields() -> None:
    result = errors_vs_expected(30, 200, 0.10)
    assert result.test == "binomial"
    assert result.statistic == pytest.approx(0.15)
    assert result.effect == pytest.approx(0.05)
    assert result.p_value == pytest.approx(
        stats.binomtest(30, 200, 0.10, alternative="greater").pvalue
    )
    assert (result.n_reference, result.n_current, result.alpha) == (0, 200, 0.05)
    assert errors_vs_expected(0, 200, 0.10).p_value == 1.0


def test_fewer_errors_than_expected_is_no_alarm() -> None:
    result = errors_vs_expected(50, 1_000, 0.10)
    assert result.effect < 0 and not result.drifted


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        pytest.param((5, 0, 0.1), {}, "'n' parameter", id="no-rows"),
        pytest.param((11, 10, 0.1), {}, r"'n_errors' parameter .* \[0, n=10\]", id="too-many"),
        pytest.param((1.5, 10, 0.1), {}, "'n_errors' parameter", id="fractional-errors"),
        pytest.param((1, 10, 1.0), {}, "'expected_error_rate'", id="rate-one"),
        pytest.param((1, 10, "0.1"), {}, "'expected_error_rate'", id="rate-string"),
        pytest.param((1, 10, 0.1), {"alpha": 0.0}, "'alpha'", id="alpha"),
        pytest.param((1, 10, 0.1), {"threshold": -0.1}, "'threshold'", id="threshold"),
    ],
)
def test_bad_calls_say_what_was_expected(
    args: tuple[object, ...], kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        errors_vs_expected(*args, **kwargs)  # type: ignore[arg-type]
