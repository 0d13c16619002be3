"""More errors than expected? An exact test once labels arrive.

Given ``n_errors`` wrong predictions among ``n`` labelled ones and the error rate the model is
expected to make (its validation error rate, or ``1 -`` a label-free
:class:`~shiftwatch.outputs.AccuracyEstimate` of the same rows), :func:`errors_vs_expected`
runs the exact one-sided binomial test (``scipy.stats.binomtest``, ``alternative="greater"``)
of "the error rate is at most the expected one".

False alarms: at most ``alpha`` by the test's construction when the rows' errors are
independent with the expected rate; the count is discrete, so the actual rate is the largest
binomial tail probability not above ``alpha`` (0.0433 at n = 1,000, expected rate 0.10 and
alpha = 0.05: an alarm from 117 errors). When the expected rate is the mean of per-row
calibrated error probabilities, the error count is Poisson-binomial, whose upper tail beyond
the mean plus one is lighter than the binomial's of the same mean (Hoeffding, 1956), so the
test stays at or below ``alpha`` as far as the calibration holds; the estimate's own
uncertainty is not part of that guarantee.

Power (exact): an expected rate of 0.10 and a true one of 0.15 over 1,000 labelled predictions
are told apart 99.9% of the time at alpha = 0.05 (``tests/outputs/test_errors.py``).

On digits (calibrated on 450 held-out rows, the other 449 labelled, expected rate ``1 -`` their
label-free estimate) it alarmed in 10 of 300 unshifted runs; under pixel noise the model makes
more errors than its calibration promises, and it alarmed in 7% (noise std 2) and 33% (std 4)
of 500 runs: alarms, then, are the estimate failing, which is what they should report.

>>> result = errors_vs_expected(130, 1_000, 0.10)
>>> round(result.p_value, 4), round(result.effect, 3), result.drifted
(0.0013, 0.03, True)
"""

from scipy import stats as scipy_stats

from shiftwatch._validation import check_alpha, check_parameter, check_threshold, is_count, is_real
from shiftwatch.outputs.accuracy import AccuracyEstimate
from shiftwatch.stats.proportion_test import DEFAULT_THRESHOLD
from shiftwatch.stats.result import TestResult

EFFECT_UNIT = "error rate above the expected rate (share)"


def _expected_rate(expected_error_rate: float | AccuracyEstimate) -> tuple[float, str]:
    if isinstance(expected_error_rate, AccuracyEstimate):
        rate = 1.0 - expected_error_rate.value
        return rate, (
            f"1 - label-free accuracy estimate {expected_error_rate.value:.4g} "
            f"over {expected_error_rate.n} rows"
        )
    check_parameter(
        "errors_vs_expected",
        "expected_error_rate",
        expected_error_rate,
        lambda r: is_real(r) and 0 <= r < 1,
        "a float in [0, 1) or an AccuracyEstimate",
    )
    return float(expected_error_rate), "given"


def errors_vs_expected(
    n_errors: int,
    n: int,
    expected_error_rate: float | AccuracyEstimate,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Exact one-sided binomial test that ``n_errors / n`` exceeds the expected error rate.

    ``expected_error_rate`` is a rate, or an :class:`~shiftwatch.outputs.AccuracyEstimate`
    (then ``1 - estimate.value``). ``effect`` is the observed minus the expected error rate,
    material from ``threshold`` (default 0.01, one percentage point); ``statistic`` is the
    observed rate.

    >>> errors_vs_expected(12, 100, 0.10).p_value > 0.05
    True
    """
    check_alpha("errors_vs_expected", alpha)
    check_threshold("errors_vs_expected", threshold)
    check_parameter("errors_vs_expected", "n", n, lambda v: is_count(v) and v >= 1, "an int >= 1")
    check_parameter(
        "errors_vs_expected",
        "n_errors",
        n_errors,
        lambda v: is_count(v) and 0 <= v <= n,
        f"an int in [0, n={n}]",
    )
    rate, source = _expected_rate(expected_error_rate)
    test = scipy_stats.binomtest(int(n_errors), int(n), rate, alternative="greater")
    observed = int(n_errors) / int(n)
    return TestResult(
        test="binomial",
        statistic=observed,
        p_value=min(max(float(test.pvalue), 0.0), 1.0),
        effect=observed - rate,
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=0,
        n_current=int(n),
        method=f"exact one-sided binomial; expected error rate {rate:.4g} ({source})",
    )
