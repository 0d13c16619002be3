"""Wasserstein-1 (earth mover's) distance between two numeric samples.

The distance is the area between the two quantile functions, in the data's own units. Divided
by the reference standard deviation it becomes an effect size: "the current data moved by
0.3 reference standard deviations" reads the same for any column.
"""

import math

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import check_threshold
from shiftwatch.stats._checks import FloatArray, WeightedSample, sorted_samples, weighted_cdfs
from shiftwatch.stats.result import TestResult, distance_result

EFFECT_UNIT = "reference std (Wasserstein-1 / std)"
DEFAULT_THRESHOLD = 0.1


def wasserstein_sorted(reference_sorted: FloatArray, current_sorted: FloatArray) -> float:
    """Wasserstein-1 distance between two sorted, finite, non-empty samples.

    Integrates ``|Q_ref(u) - Q_cur(u)|`` over the merged grid of quantile levels
    ``i / n_ref`` and ``j / n_cur``, kept in integers so that no level is lost to rounding.

    >>> wasserstein_sorted(np.array([0.0, 1.0, 3.0]), np.array([5.0, 6.0, 7.0, 8.0]))
    5.166666666666667
    """
    n_ref, n_cur = reference_sorted.size, current_sorted.size
    if n_ref == n_cur:
        return float(np.mean(np.abs(reference_sorted - current_sorted)))
    gcd = math.gcd(n_ref, n_cur)
    ref_step, cur_step = n_cur // gcd, n_ref // gcd  # quantile levels in units of 1/total
    total = n_ref * ref_step
    levels = np.union1d(
        np.arange(n_ref, dtype=np.int64) * ref_step, np.arange(n_cur, dtype=np.int64) * cur_step
    )
    widths = np.diff(levels, append=total)
    gaps = np.abs(reference_sorted[levels // ref_step] - current_sorted[levels // cur_step])
    return float(np.dot(widths, gaps) / total)


def wasserstein_weighted(reference: WeightedSample, current: WeightedSample) -> float:
    """Wasserstein-1 distance between two weighted samples: the area between their CDFs.

    >>> ones = np.ones(3, dtype=np.int64)
    >>> values = np.array([0.0, 1.0, 3.0])
    >>> wasserstein_weighted((values, ones), (values + 2, ones))
    2.0
    """
    grid, reference_cdf, current_cdf = weighted_cdfs(*reference, *current)
    return float(np.dot(np.abs(reference_cdf - current_cdf)[:-1], np.diff(grid)))


def scale_sorted(reference_sorted: FloatArray, current_sorted: FloatArray) -> float:
    """The unit of the effect: the reference standard deviation, else the current one.

    A constant reference has no spread to measure by, so the current spread is used; when
    both are constant the scale is 0 and any move is infinitely large.
    """
    scale = float(np.std(reference_sorted))
    return scale if scale > 0 else float(np.std(current_sorted))


def normalized_wasserstein_sorted(
    reference_sorted: FloatArray, current_sorted: FloatArray
) -> float:
    """Wasserstein-1 distance in units of :func:`scale_sorted`: the numeric effect size.

    >>> normalized_wasserstein_sorted(np.array([-1.0, 1.0]), np.array([-0.5, 1.5]))
    0.5
    """
    distance = wasserstein_sorted(reference_sorted, current_sorted)
    scale = scale_sorted(reference_sorted, current_sorted)
    if scale > 0:
        return distance / scale
    return 0.0 if distance == 0 else math.inf


def wasserstein(
    reference: npt.ArrayLike, current: npt.ArrayLike, *, threshold: float = DEFAULT_THRESHOLD
) -> TestResult:
    """Wasserstein-1 distance as a test-free distance: drifted when the effect >= threshold.

    ``statistic`` is the distance in data units (scipy's ``wasserstein_distance``); ``effect``
    is the same distance divided by the reference standard deviation.

    >>> result = wasserstein([0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])
    >>> result.statistic, round(result.effect, 4), result.drifted
    (1.0, 0.8944, True)
    """
    check_threshold("wasserstein", threshold)
    ref, cur = sorted_samples("wasserstein", reference, current)
    return distance_result(
        "wasserstein",
        wasserstein_sorted(ref, cur),
        EFFECT_UNIT,
        threshold,
        ref.size,
        cur.size,
        effect=normalized_wasserstein_sorted(ref, cur),
    )


def numeric_test_result(
    test: str,
    statistic: float,
    p_value: float,
    reference_sorted: FloatArray,
    current_sorted: FloatArray,
    *,
    alpha: float,
    threshold: float,
    method: str,
) -> TestResult:
    """The result of a numeric two-sample test, its effect the normalised Wasserstein distance.

    >>> numeric_test_result("ks", 0.5, 0.01, np.array([0.0, 2.0]), np.array([1.0, 3.0]),
    ...                     alpha=0.05, threshold=0.1, method="exact").effect
    1.0
    """
    return TestResult(
        test=test,
        statistic=statistic,
        p_value=min(max(p_value, 0.0), 1.0),
        effect=normalized_wasserstein_sorted(reference_sorted, current_sorted),
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=reference_sorted.size,
        n_current=current_sorted.size,
        method=method,
    )
