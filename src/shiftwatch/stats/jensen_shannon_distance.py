"""Jensen–Shannon distance between two binned or categorical distributions.

The square root of the Jensen–Shannon divergence in bits: symmetric, finite even when a
category is missing from one side, and in [0, 1]. scipy's ``jensenshannon(p, q, base=2)``.
"""

import numpy as np
import numpy.typing as npt
from scipy import special

from shiftwatch.stats._checks import IntArray
from shiftwatch.stats.result import TestResult, distance_on_counts

EFFECT_UNIT = "Jensen-Shannon distance (base 2)"
DEFAULT_THRESHOLD = 0.1


def jensen_shannon_counts(reference_counts: IntArray, current_counts: IntArray) -> float:
    """Jensen–Shannon distance (base 2) of two aligned count vectors.

    >>> jensen_shannon_counts(np.array([1, 0]), np.array([0, 1]))
    1.0
    """
    ref = reference_counts / reference_counts.sum()
    cur = current_counts / current_counts.sum()
    middle = (ref + cur) / 2
    divergence = (special.rel_entr(ref, middle).sum() + special.rel_entr(cur, middle).sum()) / 2
    return float(np.sqrt(max(divergence, 0.0) / np.log(2)))


def jensen_shannon(
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Jensen–Shannon distance as a test-free distance over aligned counts.

    >>> result = jensen_shannon([50, 50], [60, 40])
    >>> round(result.statistic, 4), result.drifted
    (0.0854, False)
    """
    return distance_on_counts(
        "jensen_shannon",
        jensen_shannon_counts,
        EFFECT_UNIT,
        reference_counts,
        current_counts,
        threshold,
    )
