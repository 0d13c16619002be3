"""Tests of homogeneity for category counts: Pearson's chi-squared and the G-test.

Both compare a 2 x k table (reference and current counts over the same categories) with the
counts expected if both came from one distribution. The chi-squared approximation needs
expected counts of at least ``min_expected`` (5 by the usual rule), so sparse categories,
including categories seen in only one of the two sets, are pooled into one "other" level
before testing; the effect size is computed on the unpooled counts.
"""

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy import special
from scipy import stats as scipy_stats

from shiftwatch._validation import check_alpha, check_parameter, check_threshold
from shiftwatch.stats._checks import IntArray, aligned_counts
from shiftwatch.stats.result import TestResult
from shiftwatch.stats.total_variation_distance import (
    DEFAULT_THRESHOLD,
    EFFECT_UNIT,
    total_variation_counts,
)

DEFAULT_MIN_EXPECTED = 5.0


def pool_sparse(
    reference_counts: IntArray, current_counts: IntArray, min_expected: float
) -> tuple[IntArray, IntArray, int]:
    """Pool the sparsest categories until every level's smaller expected count >= min_expected.

    Categories are pooled smallest first into one extra level; returns the pooled counts and
    how many categories were pooled. Categories absent from both sets are dropped.

    >>> ref, cur, pooled = pool_sparse(np.array([50, 40, 6, 1]), np.array([45, 45, 5, 0]), 5.0)
    >>> ref.tolist(), cur.tolist(), pooled
    ([50, 40, 7], [45, 45, 5], 2)
    """
    totals = reference_counts + current_counts
    present = np.flatnonzero(totals > 0)
    order = present[np.argsort(totals[present], kind="stable")]
    smaller_share = min(reference_counts.sum(), current_counts.sum()) / totals.sum()
    expected = totals[order] * smaller_share
    n_sparse = int(np.count_nonzero(expected < min_expected))
    if n_sparse == 0:
        n_pooled = 0
    else:  # pool every sparse level, and more if the pool itself is still sparse
        enough = int(np.searchsorted(np.cumsum(expected), min_expected, side="left")) + 1
        n_pooled = min(max(n_sparse, enough), order.size)
    pooled, kept = order[:n_pooled], np.sort(order[n_pooled:])
    if n_pooled == 0:
        return reference_counts[kept], current_counts[kept], 0
    ref = np.append(reference_counts[kept], reference_counts[pooled].sum())
    cur = np.append(current_counts[kept], current_counts[pooled].sum())
    return ref, cur, n_pooled


def _expected(reference_counts: IntArray, current_counts: IntArray) -> npt.NDArray[np.float64]:
    table = np.vstack([reference_counts, current_counts]).astype(np.float64)
    totals = table.sum()
    expected: npt.NDArray[np.float64] = np.outer(table.sum(axis=1), table.sum(axis=0)) / totals
    return expected


def pearson_statistic(reference_counts: IntArray, current_counts: IntArray) -> float:
    """Pearson's chi-squared statistic of the 2 x k table (no continuity correction)."""
    observed = np.vstack([reference_counts, current_counts])
    expected = _expected(reference_counts, current_counts)
    return float(((observed - expected) ** 2 / expected).sum())


def g_statistic(reference_counts: IntArray, current_counts: IntArray) -> float:
    """The G (log-likelihood ratio) statistic of the 2 x k table."""
    observed = np.vstack([reference_counts, current_counts])
    expected = _expected(reference_counts, current_counts)
    return float(2 * special.xlogy(observed, observed / expected).sum())


def _homogeneity_test(
    name: str,
    statistic_of: Callable[[IntArray, IntArray], float],
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    alpha: float,
    threshold: float,
    min_expected: float,
) -> TestResult:
    check_alpha(name, alpha)
    check_threshold(name, threshold)
    check_parameter(name, "min_expected", min_expected, lambda m: m >= 0, "a float >= 0")
    ref, cur = aligned_counts(name, reference_counts, current_counts)
    pooled_ref, pooled_cur, n_pooled = pool_sparse(ref, cur, min_expected)
    levels = pooled_ref.size
    if levels < 2:
        statistic, p_value = 0.0, 1.0
    else:
        statistic = statistic_of(pooled_ref, pooled_cur)
        p_value = float(scipy_stats.chi2.sf(statistic, levels - 1))
    method = f"asymptotic, {levels} levels" + (f" ({n_pooled} sparse pooled)" if n_pooled else "")
    return TestResult(
        test=name,
        statistic=statistic,
        p_value=p_value,
        effect=total_variation_counts(ref, cur),
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=int(ref.sum()),
        n_current=int(cur.sum()),
        method=method,
    )


def chi2(
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
    min_expected: float = DEFAULT_MIN_EXPECTED,
) -> TestResult:
    """Pearson's chi-squared test that two count vectors share one distribution.

    >>> result = chi2([300, 300, 400], [200, 350, 450])
    >>> round(result.statistic, 3), f"{result.p_value:.2e}", round(result.effect, 3)
    (26.787, '1.52e-06', 0.1)
    """
    return _homogeneity_test(
        "chi2", pearson_statistic, reference_counts, current_counts, alpha, threshold, min_expected
    )


def g_test(
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
    min_expected: float = DEFAULT_MIN_EXPECTED,
) -> TestResult:
    """G-test (log-likelihood ratio) that two count vectors share one distribution.

    >>> result = g_test([300, 300, 400], [200, 350, 450])
    >>> round(result.statistic, 3), f"{result.p_value:.2e}"
    (26.928, '1.42e-06')
    """
    return _homogeneity_test(
        "g_test", g_statistic, reference_counts, current_counts, alpha, threshold, min_expected
    )
