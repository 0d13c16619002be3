"""Brown–Forsythe test of scale: whether the spread of a numeric column changed.

KS looks at the largest gap between two CDFs and is a poor test of spread: a variance that
grows by half moves the CDFs apart only in the tails. The Brown–Forsythe test (Levene's test
on absolute deviations from each sample's median, ``scipy.stats.levene(center="median")``)
is an F-test of the mean absolute deviations, robust to skewed and heavy-tailed data.

Effect: ``|log(d_cur / d_ref)|``, the absolute log ratio of the two mean absolute deviations
from the median ("log scale ratio"): 0.1 is a 10.5% change of spread, a variance x1.5 is
``log(sqrt(1.5)) = 0.20``. The default materiality threshold is 0.1.
"""

import math

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

from shiftwatch._validation import check_alpha, check_threshold
from shiftwatch.errors import NoDataError
from shiftwatch.stats._checks import FloatArray, sorted_samples
from shiftwatch.stats.result import TestResult

DEFAULT_THRESHOLD = 0.1
EFFECT_UNIT = "log scale ratio"
MIN_N = 2


def _deviation(sorted_values: FloatArray) -> float:
    median = sorted_values[sorted_values.size // 2]
    if sorted_values.size % 2 == 0:
        median = (median + sorted_values[sorted_values.size // 2 - 1]) / 2
    return float(np.mean(np.abs(sorted_values - median)))


def brown_forsythe_sorted(
    reference_sorted: FloatArray,
    current_sorted: FloatArray,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Brown–Forsythe test on two sorted, finite samples of at least 2 values each.

    >>> result = brown_forsythe_sorted(np.arange(10.0), np.arange(10.0) * 2)
    >>> round(result.statistic, 3), round(result.p_value, 4), round(result.effect, 3)
    (5.625, 0.0291, 0.693)
    """
    n_ref, n_cur = reference_sorted.size, current_sorted.size
    if min(n_ref, n_cur) < MIN_N:
        raise NoDataError(
            f"brown_forsythe needs at least {MIN_N} values on each side; got {n_ref} and {n_cur}."
        )
    reference_spread, current_spread = _deviation(reference_sorted), _deviation(current_sorted)
    if reference_spread == 0 and current_spread == 0:
        statistic, p_value, effect = 0.0, 1.0, 0.0
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            result = scipy_stats.levene(reference_sorted, current_sorted, center="median")
        statistic, p_value = float(result.statistic), float(result.pvalue)
        if math.isnan(p_value):  # every deviation equal within each sample
            p_value = 0.0 if reference_spread != current_spread else 1.0
        effect = (
            math.inf
            if min(reference_spread, current_spread) == 0
            else abs(math.log(current_spread / reference_spread))
        )
    return TestResult(
        test="brown_forsythe",
        statistic=statistic,
        p_value=p_value,
        effect=effect,
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=n_ref,
        n_current=n_cur,
        method="F-test on absolute deviations from the median",
    )


def brown_forsythe(
    reference: npt.ArrayLike,
    current: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Brown–Forsythe test that two samples share one spread, with the log scale ratio.

    >>> rng = np.random.default_rng(0)
    >>> result = brown_forsythe(rng.normal(size=1000), rng.normal(scale=1.5, size=1000))
    >>> result.p_value < 1e-10, round(result.effect, 2), result.drifted
    (True, 0.47, True)
    """
    check_alpha("brown_forsythe", alpha)
    check_threshold("brown_forsythe", threshold)
    ref, cur = sorted_samples("brown_forsythe", reference, current)
    return brown_forsythe_sorted(ref, cur, alpha=alpha, threshold=threshold)
