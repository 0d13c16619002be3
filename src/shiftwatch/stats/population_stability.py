"""Population stability index (PSI) between two binned or categorical distributions.

``PSI = sum (q - p) * ln(q / p)`` over bins, with p the reference and q the current share
(the symmetrised Kullback–Leibler divergence). Empty bins are floored at ``epsilon`` so the
index stays finite. The usual reading: below 0.1 no shift, 0.1-0.25 a moderate shift, above
0.25 a major one.
"""

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import check_parameter
from shiftwatch.stats._checks import IntArray
from shiftwatch.stats.result import TestResult, distance_on_counts

EFFECT_UNIT = "PSI"
DEFAULT_THRESHOLD = 0.1
DEFAULT_EPSILON = 1e-4


def psi_counts(
    reference_counts: IntArray, current_counts: IntArray, epsilon: float = DEFAULT_EPSILON
) -> float:
    """PSI of two aligned count vectors, shares floored at ``epsilon``.

    >>> round(psi_counts(np.array([50, 50]), np.array([60, 40])), 4)
    0.0405
    """
    ref = np.maximum(reference_counts / reference_counts.sum(), epsilon)
    cur = np.maximum(current_counts / current_counts.sum(), epsilon)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def psi(
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    epsilon: float = DEFAULT_EPSILON,
) -> TestResult:
    """Population stability index as a test-free distance over aligned counts.

    >>> result = psi([25, 25, 25, 25], [10, 20, 30, 40])
    >>> round(result.statistic, 4), result.drifted
    (0.2282, True)
    """
    check_parameter("psi", "epsilon", epsilon, lambda e: 0 < e < 1, "a float in (0, 1)")
    return distance_on_counts(
        "psi",
        lambda ref, cur: psi_counts(ref, cur, epsilon),
        EFFECT_UNIT,
        reference_counts,
        current_counts,
        threshold,
    )
