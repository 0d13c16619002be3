"""Welch's t-test of a mean from summaries (count, mean, variance): e.g. text lengths.

Used where only moments are known on one side or both, such as the string lengths a profile
keeps, so that a profile and its raw data give the same result. The p-value is Welch's
(``scipy.stats.ttest_ind_from_stats(equal_var=False)``), valid for large samples by the
central limit theorem; the effect is the difference of means in reference standard
deviations ("reference std"), with a default materiality threshold of 0.1.
"""

import math

from scipy import stats as scipy_stats

from shiftwatch._validation import check_alpha, check_threshold
from shiftwatch.errors import NoDataError
from shiftwatch.stats.result import TestResult

DEFAULT_THRESHOLD = 0.1
EFFECT_UNIT = "reference std"


def welch_from_moments(
    reference: tuple[int, float, float],
    current: tuple[int, float, float],
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Welch's test that two means are equal, from (count, mean, population variance).

    >>> result = welch_from_moments((1000, 20.0, 25.0), (500, 21.0, 25.0))
    >>> round(result.statistic, 3), f"{result.p_value:.2e}", round(result.effect, 3)
    (3.648, '2.77e-04', 0.2)
    """
    check_alpha("welch", alpha)
    check_threshold("welch", threshold)
    (n_ref, mean_ref, var_ref), (n_cur, mean_cur, var_cur) = reference, current
    if min(n_ref, n_cur) < 2:
        raise NoDataError(f"welch needs at least 2 values on each side; got {n_ref} and {n_cur}.")
    # sample (n - 1) variances from population ones
    sd_ref = math.sqrt(var_ref * n_ref / (n_ref - 1))
    sd_cur = math.sqrt(var_cur * n_cur / (n_cur - 1))
    if sd_ref == 0 and sd_cur == 0:
        statistic, p_value = 0.0, 1.0 if mean_ref == mean_cur else 0.0
    else:
        result = scipy_stats.ttest_ind_from_stats(
            mean_cur, sd_cur, n_cur, mean_ref, sd_ref, n_ref, equal_var=False
        )
        statistic, p_value = float(result.statistic), float(result.pvalue)
    scale = math.sqrt(var_ref) if var_ref > 0 else math.sqrt(var_cur)
    gap = abs(mean_cur - mean_ref)
    effect = gap / scale if scale > 0 else (0.0 if gap == 0 else math.inf)
    return TestResult(
        test="welch",
        statistic=statistic,
        p_value=p_value,
        effect=effect,
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=int(n_ref),
        n_current=int(n_cur),
        method="Welch t-test from moments",
    )
