"""Test of the share of current values outside the reference's range.

Statistic: ``K``, the current values strictly below the reference minimum or above its
maximum. Effect: ``K / n`` ("share of current values outside the reference range"), default
materiality 0.01. It answers "are there dates after anything the model was trained on?",
which a distribution test sees only when the share is large.

**Why the p-value is valid.** Under the null hypothesis the ``N`` reference and ``n`` current
values are exchangeable, so (without ties) the current values occupy a uniformly random
``n``-subset of the pooled ranks. ``K >= k`` requires, for some ``u`` in ``0..k``, the ``u``
largest and the ``k - u`` smallest pooled values to be all current, each with probability
``q_k = n (n-1) ... (n-k+1) / ((N+n) (N+n-1) ... (N+n-k+1))``; so
``P(K >= k) <= (k + 1) q_k`` (union bound), capped at 1. Ties at the extremes only lower
``K``, so the test stays valid with them. One current value outside 5,000 reference values
(n = 100) gives ``p`` about 0.04; three give about 3e-5.
"""

import numpy as np
import numpy.typing as npt
from scipy import special

from shiftwatch._validation import check_alpha, check_threshold
from shiftwatch.stats._checks import FloatArray, sorted_samples
from shiftwatch.stats.result import TestResult

DEFAULT_THRESHOLD = 0.01
EFFECT_UNIT = "share of current values outside the reference range"


def outside_range_p_value(n_reference: int, n_current: int, k: int) -> float:
    """The bound ``(k + 1) q_k`` on ``P(K >= k)`` (see the module notes), capped at 1.

    >>> round(outside_range_p_value(5000, 100, 1), 4)
    0.0392
    """
    if k <= 0:
        return 1.0
    total = n_reference + n_current
    log_q = (
        special.gammaln(n_current + 1)
        - special.gammaln(n_current - k + 1)
        - special.gammaln(total + 1)
        + special.gammaln(total - k + 1)
    )
    return float(min(1.0, (k + 1) * np.exp(log_q)))


def outside_range_sorted(
    reference_sorted: FloatArray,
    current_sorted: FloatArray,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """The test on two sorted, finite, non-empty samples (no checks: callers have sorted).

    >>> result = outside_range_sorted(np.arange(5000.0), np.arange(100.0) + 4990)
    >>> result.statistic, f"{result.p_value:.1e}", result.effect, result.drifted
    (90.0, '1.1e-180', 0.9, True)
    """
    n_ref, n_cur = reference_sorted.size, current_sorted.size
    below = int(np.searchsorted(current_sorted, reference_sorted[0], side="left"))
    above = n_cur - int(np.searchsorted(current_sorted, reference_sorted[-1], side="right"))
    k = below + above
    return TestResult(
        test="outside_range",
        statistic=float(k),
        p_value=outside_range_p_value(n_ref, n_cur, k),
        effect=k / n_cur,
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=n_ref,
        n_current=n_cur,
        method="exact permutation bound (extreme ranks)",
    )


def outside_range(
    reference: npt.ArrayLike,
    current: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Test whether more current values fall outside the reference range than chance allows.

    >>> outside_range([1.0, 2.0, 3.0, 4.0], [2.0, 3.0]).p_value
    1.0
    """
    check_alpha("outside_range", alpha)
    check_threshold("outside_range", threshold)
    ref, cur = sorted_samples("outside_range", reference, current)
    return outside_range_sorted(ref, cur, alpha=alpha, threshold=threshold)
