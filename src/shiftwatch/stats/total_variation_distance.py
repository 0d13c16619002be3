"""Total variation distance between two category distributions: the share of mass that moved.

``0.5 * sum |p_ref - p_cur|``, in [0, 1]: 0.1 means a tenth of the rows would have to change
category for the two distributions to match. It is the effect size of the categorical tests.
"""

import numpy as np
import numpy.typing as npt

from shiftwatch.stats._checks import IntArray
from shiftwatch.stats.result import TestResult, distance_on_counts

EFFECT_UNIT = "share of rows (total variation)"
DEFAULT_THRESHOLD = 0.05


def total_variation_counts(reference_counts: IntArray, current_counts: IntArray) -> float:
    """Total variation distance between the distributions two count vectors describe.

    >>> round(total_variation_counts(np.array([50, 50]), np.array([60, 40])), 12)
    0.1
    """
    ref = reference_counts / reference_counts.sum()
    cur = current_counts / current_counts.sum()
    return float(0.5 * np.abs(ref - cur).sum())


def total_variation(
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> TestResult:
    """Total variation distance as a test-free distance over aligned category counts.

    >>> round(total_variation([30, 70], [45, 55]).effect, 12)
    0.15
    """
    return distance_on_counts(
        "total_variation",
        total_variation_counts,
        EFFECT_UNIT,
        reference_counts,
        current_counts,
        threshold,
    )
