"""Hellinger distance between two binned or categorical distributions.

``sqrt(1/2 * sum (sqrt p - sqrt q)^2)``, in [0, 1]; 1 when the supports do not overlap.
"""

import numpy as np
import numpy.typing as npt

from shiftwatch.stats._checks import IntArray
from shiftwatch.stats.result import TestResult, distance_on_counts

EFFECT_UNIT = "Hellinger distance"
DEFAULT_THRESHOLD = 0.1


def hellinger_counts(reference_counts: IntArray, current_counts: IntArray) -> float:
    """Hellinger distance of two aligned count vectors.

    >>> hellinger_counts(np.array([1, 0]), np.array([0, 1]))
    1.0
    """
    ref = np.sqrt(reference_counts / reference_counts.sum())
    cur = np.sqrt(current_counts / current_counts.sum())
    return float(np.sqrt(0.5 * np.sum((ref - cur) ** 2)))


def hellinger(
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Hellinger distance as a test-free distance over aligned counts.

    >>> round(hellinger([50, 50], [60, 40]).statistic, 4)
    0.0712
    """
    return distance_on_counts(
        "hellinger", hellinger_counts, EFFECT_UNIT, reference_counts, current_counts, threshold
    )
