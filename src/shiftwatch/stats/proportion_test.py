"""Two-sample test of a proportion, such as the share of missing values in a column.

Pearson's chi-squared test of the 2 x 2 table (the pooled z-test squared) when every expected
cell count is at least 5; Fisher's exact test otherwise, which is conservative. The effect is
the absolute difference of the two proportions, in proportion units (0.01 = one percentage
point).
"""

from scipy import stats as scipy_stats

from shiftwatch._validation import check_alpha, check_parameter, check_threshold
from shiftwatch.errors import NoDataError
from shiftwatch.stats.result import TestResult

EFFECT_UNIT = "absolute difference in share"
DEFAULT_THRESHOLD = 0.01
MIN_EXPECTED = 5.0


def _check_count(name: str, count: int, n: int) -> None:
    check_parameter(
        "proportion", f"{name}_n", n, lambda v: int(v) == v and v >= 0, "an integer >= 0"
    )
    if n == 0:
        raise NoDataError(f"The {name} set of proportion has no rows ({name}_n=0).")
    check_parameter(
        "proportion",
        f"{name}_count",
        count,
        lambda v: int(v) == v and 0 <= v <= n,
        f"an integer in [0, {name}_n={n}]",
    )


def proportion(
    reference_count: int,
    reference_n: int,
    current_count: int,
    current_n: int,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Test whether ``current_count / current_n`` differs from ``reference_count / reference_n``.

    >>> result = proportion(10, 1000, 40, 1000)
    >>> result.method, round(result.statistic, 2), f"{result.p_value:.1e}", round(result.effect, 3)
    ('chi2', 18.46, '1.7e-05', 0.03)
    >>> proportion(0, 50, 3, 50).method
    'fisher'
    """
    check_alpha("proportion", alpha)
    check_threshold("proportion", threshold)
    _check_count("reference", reference_count, reference_n)
    _check_count("current", current_count, current_n)
    pooled = (reference_count + current_count) / (reference_n + current_n)
    reference_share, current_share = reference_count / reference_n, current_count / current_n
    if pooled in (0.0, 1.0):
        statistic, p_value, method = 0.0, 1.0, "chi2"
    else:
        variance = pooled * (1 - pooled) * (1 / reference_n + 1 / current_n)
        statistic = (reference_share - current_share) ** 2 / variance
        smallest_expected = min(pooled, 1 - pooled) * min(reference_n, current_n)
        if smallest_expected >= MIN_EXPECTED:
            p_value, method = float(scipy_stats.chi2.sf(statistic, 1)), "chi2"
        else:
            table = [
                [reference_count, reference_n - reference_count],
                [current_count, current_n - current_count],
            ]
            p_value, method = float(scipy_stats.fisher_exact(table).pvalue), "fisher"
    return TestResult(
        test="proportion",
        statistic=float(statistic),
        p_value=min(p_value, 1.0),
        effect=abs(current_share - reference_share),
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=int(reference_n),
        n_current=int(current_n),
        method=method,
    )
