"""Test of new categories: how many current rows fall in levels the reference never saw.

Statistic: ``K``, the current rows whose level has no reference row. Effect: ``K / n``, the
share of current rows in new levels ("share of current rows"), judged against its own
materiality threshold (default 0.01: a level never seen before matters at a much smaller
share than a change of frequencies).

**Why the p-value is valid.** Under the null hypothesis the ``N`` reference and ``n``
current rows are exchangeable, so given the pooled counts ``c_j`` of each level the current
rows are a uniformly random ``n``-subset of the pooled rows. Level ``j`` is new exactly when
all its ``c_j`` rows land in the current set, with probability
``q_j = C(n, c_j) / C(N + n, c_j)`` (0 when ``c_j > n``), and ``K = sum_j c_j B_j`` with
``B_j`` that event's indicator. Membership indicators of a random subset of fixed size are
negatively associated (Joag-Dev and Proschan 1983), and so are increasing functions of
disjoint groups of them, such as the ``B_j``. Hence ``E exp(tK) <= prod_j E exp(t c_j B_j)``
for ``t >= 0``, and the Chernoff bound

    P(K >= k) <= min over t >= 0 of exp(-t k) * prod_j (1 + q_j (exp(t c_j) - 1))

holds whatever the distribution of levels, as does the union bound ``P(K >= 1) <= sum q_j``.
The p-value is the smaller of the two (capped at 1): conservative, never anti-conservative.
A level seen in many pooled rows can almost never be new by chance (``q_j`` is about
``(n / (N + n)) ** c_j``), while singletons of a sparse column (``q_j = n / (N + n)``) are
expected to be new: the test asks exactly what the reference allows. For example a level in
5 of 100 current rows and in none of 5,000 reference rows has ``p <= 2.7e-9``; one seen in 1
current row of 100 has ``p`` about 0.02.
"""

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from shiftwatch._validation import check_alpha, check_threshold
from shiftwatch.stats._checks import aligned_counts
from shiftwatch.stats.result import TestResult

DEFAULT_THRESHOLD = 0.01
EFFECT_UNIT = "share of current rows in new levels"
_MAX_T = 50.0  # exp(-50) is below any p-value a report states


def _log_q(
    pooled: npt.NDArray[np.int64], n_reference: int, n_current: int
) -> npt.NDArray[np.float64]:
    """The log of P(all c rows of a level fall in the current set), -inf where c > n_current."""
    c = pooled.astype(np.float64)
    total = n_reference + n_current
    with np.errstate(invalid="ignore"):
        log_q = (
            special.gammaln(n_current + 1)
            - special.gammaln(np.maximum(n_current - c, 0) + 1)
            - special.gammaln(total + 1)
            + special.gammaln(total - c + 1)
        )
    result: npt.NDArray[np.float64] = np.where(c > n_current, -np.inf, log_q)
    return result


def new_levels_p_value(
    pooled_counts: npt.ArrayLike, n_reference: int, n_current: int, k: int
) -> float:
    """P(K >= k) bounded under the null, from the pooled count of every level (see above).

    >>> round(new_levels_p_value([5000, 5], 5000, 100, 5) * 1e9, 2)
    2.62
    >>> round(new_levels_p_value([5000, 1], 5000, 100, 1), 4)
    0.0196
    """
    if k <= 0:
        return 1.0
    pooled = np.asarray(pooled_counts, dtype=np.int64)
    pooled = pooled[pooled > 0]
    values, multiplicity = np.unique(pooled, return_counts=True)
    log_q = _log_q(values, n_reference, n_current)
    possible = np.isfinite(log_q)
    values, multiplicity, log_q = values[possible], multiplicity[possible], log_q[possible]
    if values.size == 0:
        return 0.0
    union = float(np.exp(special.logsumexp(log_q, b=multiplicity)))
    log_1mq = np.log1p(-np.minimum(np.exp(log_q), 1.0))

    def log_bound(t: float) -> float:
        terms = np.logaddexp(log_1mq, log_q + t * values)
        return float(-t * k + (multiplicity * terms).sum())

    best = optimize.minimize_scalar(log_bound, bounds=(0.0, _MAX_T), method="bounded")
    chernoff = float(np.exp(min(best.fun, log_bound(_MAX_T), 0.0)))
    return min(union, chernoff, 1.0)


def new_levels(
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Test whether more current rows fall in levels unseen in the reference than chance allows.

    Counts are aligned over the same levels (as for :func:`~shiftwatch.stats.chi2`); a level
    is new where its reference count is 0.

    >>> result = new_levels([3000, 2000, 0], [60, 35, 5])
    >>> result.statistic, f"{result.p_value:.1e}", result.effect, result.drifted
    (5.0, '2.6e-09', 0.05, True)
    >>> new_levels([3000, 2000, 0], [60, 40, 0]).p_value
    1.0
    """
    check_alpha("new_levels", alpha)
    check_threshold("new_levels", threshold)
    ref, cur = aligned_counts("new_levels", reference_counts, current_counts)
    n_reference, n_current = int(ref.sum()), int(cur.sum())
    k = int(cur[ref == 0].sum())
    p_value = new_levels_p_value(ref + cur, n_reference, n_current, k)
    return TestResult(
        test="new_levels",
        statistic=float(k),
        p_value=p_value,
        effect=k / n_current,
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=n_reference,
        n_current=n_current,
        method="exact permutation bound (Chernoff, negatively associated levels)",
    )
