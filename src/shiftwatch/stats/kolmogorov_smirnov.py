"""Two-sample Kolmogorov–Smirnov test: the largest gap between two empirical CDFs.

p-values are exact (scipy's lattice-path computation) when both samples have at most
``EXACT_MAX_N`` values, and Smirnov's asymptotic distribution (``kstwo`` at the effective
size ``n_ref * n_cur / (n_ref + n_cur)``) beyond, as ``scipy.stats.ks_2samp(method="auto")``
does; past an effective size of 3,000 the Kolmogorov limit with a finite-sample correction
stands in for ``kstwo`` (see :func:`ks_asymptotic_p_value`). With ties (discrete data) the
test is conservative: it raises fewer false alarms than ``alpha``, never more.

No cost cliff: the exact computation's cost grows with the statistic (5,000 against 10,000
values: 0.02 s unshifted, 0.16 s at half a std, 0.44 s at one std), precisely where its
precision is useless. So the exact path runs only where it is cheap
(``n_ref * n_cur <= EXACT_ALWAYS_CELLS``, a few milliseconds) or where the asymptotic p-value
is at least ``EXACT_BELOW_P`` (1e-8); below, the asymptotic p-value is reported
(``method="asymptotic (far below any alpha)"``): there the exact and asymptotic p-values
agree within a factor of 10 and both lie far below ``alpha / m`` for any family of up to
a million checks.
"""

import threading
import warnings

import numpy as np
import numpy.typing as npt
from scipy import special
from scipy import stats as scipy_stats

from shiftwatch._validation import check_alpha, check_threshold
from shiftwatch.stats._checks import FloatArray, WeightedSample, sorted_samples, weighted_cdfs
from shiftwatch.stats.result import TestResult
from shiftwatch.stats.wasserstein_distance import (
    DEFAULT_THRESHOLD,
    EFFECT_UNIT,
    numeric_test_result,
)

EXACT_MAX_N = 10_000
EXACT_ALWAYS_CELLS = 1_000_000  # n_ref * n_cur up to which the exact path is always cheap
EXACT_BELOW_P = 1e-8  # asymptotic p-values below this skip the (costly) exact path
_RECORDING_WARNINGS = threading.Lock()
_FALLBACK = "Exact calculation unsuccessful"  # scipy's warning when it switches to asymp
SCIPY_MAX_EFFECTIVE_N = 3_000


def _last_of_runs(sorted_values: FloatArray) -> npt.NDArray[np.bool_]:
    """Mark the last element of each run of equal values in a sorted array."""
    last = np.empty(sorted_values.size, dtype=bool)
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=last[:-1])
    last[-1] = True
    return last


def ks_statistic_sorted(reference_sorted: FloatArray, current_sorted: FloatArray) -> float:
    """The KS statistic ``max |F_ref - F_cur|`` of two sorted, finite, non-empty samples.

    One binary search of the current values into the reference gives every count needed.
    Between two consecutive distinct current values ``c_j < c_k``, ``F_cur`` is constant and
    ``F_ref`` only grows, so the gap ``F_ref - F_cur`` is smallest at ``c_j`` and largest just
    before ``c_k``: both extremes are counts of reference values below or at current values.
    Ties are handled exactly, and gaps are kept as integers scaled by ``n_ref * n_cur`` until
    the final division.

    >>> ks_statistic_sorted(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0, 5.0]))
    0.5
    """
    n_ref, n_cur = reference_sorted.size, current_sorted.size
    below = np.searchsorted(reference_sorted, current_sorted, side="left")  # #ref < cur_j
    if np.any(np.take(reference_sorted, below, mode="clip") == current_sorted):
        at_or_below = np.searchsorted(reference_sorted, current_sorted, side="right")
    else:  # no value is in both samples
        at_or_below = below
    cur_steps = np.arange(1, n_cur + 1, dtype=np.int64) * n_ref  # F_cur after each value
    if np.any(current_sorted[1:] == current_sorted[:-1]):
        ends = np.flatnonzero(_last_of_runs(current_sorted))  # last copy of each value
        lowest = at_or_below[ends] * n_cur - cur_steps[ends]
        highest = below[ends[:-1] + 1] * n_cur - cur_steps[ends[:-1]]
    else:
        lowest = at_or_below * n_cur - cur_steps
        highest = below[1:] * n_cur - cur_steps[:-1]
    largest = max(int(below[0]) * n_cur, -int(lowest.min()), int(highest.max(initial=0)))
    return float(largest / (n_ref * n_cur))


def ks_asymptotic_p_value(statistic: float, n_reference: int, n_current: int) -> float:
    """Two-sided p-value from Smirnov's distribution at the effective sample size ``m``.

    Up to ``m = SCIPY_MAX_EFFECTIVE_N`` (3,000) this is scipy's ``kstwo.sf(d, m)``, as
    ``ks_2samp(method="asymp")``. Beyond, scipy's computation costs from 2 ms per call at
    m = 6,000 (a monitor's window of 10,000 rows against 20,000) to half a second at
    m = 500,000, so the Kolmogorov limit is used with Vrbik's (2018) finite-sample correction,
    ``Q(z + 1/(6 sqrt m) + (z - 1)/(4 m))`` with ``z = sqrt(m) d``: within 7.1e-6 of
    ``kstwo.sf`` at m = 3,001, 2.2e-6 at m = 10,001 and 2.2e-7 at m = 100,000 (absolute, over
    the whole range; relative errors reach a few percent only below p = 1e-10).

    >>> round(ks_asymptotic_p_value(0.002403, 1_000_000, 1_000_000), 5)
    0.0062
    """
    effective_n = float(np.round(n_reference * n_current / (n_reference + n_current)))
    if effective_n <= SCIPY_MAX_EFFECTIVE_N:
        p_value = float(scipy_stats.kstwo.sf(statistic, effective_n))
    else:
        z = np.sqrt(effective_n) * statistic
        corrected = z + 1 / (6 * np.sqrt(effective_n)) + (z - 1) / (4 * effective_n)
        p_value = float(special.kolmogorov(corrected))
    return min(max(p_value, 0.0), 1.0)


def _exact_p_value(reference_sorted: FloatArray, current_sorted: FloatArray) -> tuple[float, str]:
    """The exact p-value (scipy), and "exact", or "asymptotic" where scipy fell back to it."""
    # scipy says it fell back to the asymptotic p-value only by a warning. Recording them
    # swaps the process-wide warning handler: one thread at a time does it (compare tests
    # columns on several threads), and only scipy's own message counts. A warning another
    # thread raises meanwhile is recorded here, not shown; the window is one exact KS
    # computation on at most 10,000 values a side.
    with _RECORDING_WARNINGS, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exact = scipy_stats.ks_2samp(reference_sorted, current_sorted, method="exact")
    fell_back = any(_FALLBACK in str(warning.message) for warning in caught)
    return float(exact.pvalue), "asymptotic" if fell_back else "exact"


def ks_sorted(
    reference_sorted: FloatArray,
    current_sorted: FloatArray,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """KS test on two sorted, finite, non-empty samples (no checks: callers have sorted).

    >>> result = ks_sorted(np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]))
    >>> result.statistic, round(result.p_value, 12), result.method
    (1.0, 0.1, 'exact')
    >>> far = ks_sorted(np.arange(5000.0), np.arange(10000.0) + 3000)
    >>> far.method, far.p_value < 1e-100
    ('asymptotic (far below any alpha)', True)
    """
    n_ref, n_cur = reference_sorted.size, current_sorted.size
    statistic = ks_statistic_sorted(reference_sorted, current_sorted)
    if max(n_ref, n_cur) <= EXACT_MAX_N and n_ref * n_cur <= EXACT_ALWAYS_CELLS:
        p_value, method = _exact_p_value(reference_sorted, current_sorted)
    else:
        p_value, method = ks_asymptotic_p_value(statistic, n_ref, n_cur), "asymptotic"
        if max(n_ref, n_cur) <= EXACT_MAX_N and p_value >= EXACT_BELOW_P:
            p_value, method = _exact_p_value(reference_sorted, current_sorted)
        elif max(n_ref, n_cur) <= EXACT_MAX_N:
            method = "asymptotic (far below any alpha)"
    return numeric_test_result(
        "ks",
        statistic,
        p_value,
        reference_sorted,
        current_sorted,
        alpha=alpha,
        threshold=threshold,
        method=method,
    )


def ks(
    reference: npt.ArrayLike,
    current: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Two-sample Kolmogorov–Smirnov test, with the normalised Wasserstein distance as effect.

    >>> rng = np.random.default_rng(0)
    >>> result = ks(rng.normal(size=500), rng.normal(loc=0.5, size=500))
    >>> result.method, result.p_value < 1e-6, round(result.effect, 2), result.drifted
    ('exact', True, 0.45, True)
    """
    check_alpha("ks", alpha)
    check_threshold("ks", threshold)
    ref, cur = sorted_samples("ks", reference, current)
    return ks_sorted(ref, cur, alpha=alpha, threshold=threshold)


def ks_weighted(
    reference: WeightedSample,
    current: WeightedSample,
    *,
    rank_error: float,
    effect: float,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """KS test from summaries: weighted samples whose ranks are known within ``rank_error``.

    ``reference`` and ``current`` are (sorted distinct values, integer weights) pairs, such as
    the retained items of two quantile sketches; their weights sum to the sample sizes. When
    the ranks are uncertain by up to ``rank_error`` (the sum of both sketches' normalised rank
    errors), the true statistic is at least ``D - rank_error``, so the p-value is computed from
    that smaller value: the test never claims more certainty than the summaries hold. The
    reported ``statistic`` is ``D`` itself; the p-value is asymptotic.

    >>> values = np.arange(100.0)
    >>> ones = np.ones(100, dtype=np.int64)
    >>> shifted = ks_weighted((values, ones), (values + 30, ones), rank_error=0.0, effect=0.5)
    >>> round(shifted.statistic, 6), round(shifted.p_value, 5)
    (0.3, 0.00017)
    >>> blurred = ks_weighted((values, ones), (values + 30, ones), rank_error=0.25, effect=0.5)
    >>> round(blurred.p_value, 3)
    0.999
    """
    _, reference_cdf, current_cdf = weighted_cdfs(*reference, *current)
    statistic = float(np.max(np.abs(reference_cdf - current_cdf)))
    n_ref, n_cur = int(reference[1].sum()), int(current[1].sum())
    p_value = ks_asymptotic_p_value(max(statistic - rank_error, 0.0), n_ref, n_cur)
    method = "asymptotic"
    if rank_error > 0:
        method = f"asymptotic, from sketches: D reduced by their rank error {rank_error:.2g}"
    return TestResult(
        test="ks",
        statistic=statistic,
        p_value=p_value,
        effect=effect,
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=n_ref,
        n_current=n_cur,
        method=method,
    )
