"""Histogram counts of two numeric samples on bins cut at reference quantiles.

The distances (PSI, Jensen–Shannon, Hellinger) compare binned distributions; binning both
samples on the reference deciles gives every bin about the same reference mass, which is how
PSI is defined in practice.
"""

import numpy as np

from shiftwatch._validation import check_parameter
from shiftwatch.stats._checks import FloatArray, IntArray

DEFAULT_BINS = 10


def quantile_edges(reference_sorted: FloatArray, bins: int = DEFAULT_BINS) -> FloatArray:
    """Inner bin edges at the reference quantiles ``1/bins, ..., (bins-1)/bins``, deduplicated.

    >>> quantile_edges(np.arange(10.0), bins=4).tolist()
    [2.25, 4.5, 6.75]
    """
    check_parameter("quantile_edges", "bins", bins, lambda b: int(b) == b and b >= 2, "an int >= 2")
    levels = np.arange(1, bins) / bins
    return np.unique(np.quantile(reference_sorted, levels))


def weighted_quantile_edges(
    values: FloatArray, weights: IntArray, bins: int = DEFAULT_BINS
) -> FloatArray:
    """:func:`quantile_edges` of a weighted sample (sorted distinct values and their counts).

    Each edge is the smallest value whose cumulative share reaches the level.

    >>> weighted_quantile_edges(np.array([1.0, 2.0, 3.0]), np.array([5, 3, 2]), bins=4).tolist()
    [1.0, 2.0]
    """
    check_parameter(
        "weighted_quantile_edges", "bins", bins, lambda b: int(b) == b and b >= 2, "an int >= 2"
    )
    cumulative = np.cumsum(weights)
    levels = np.arange(1, bins) * cumulative[-1] / bins
    return np.unique(values[np.searchsorted(cumulative, levels, side="left")])


def binned_counts(
    reference_sorted: FloatArray, current_sorted: FloatArray, bins: int = DEFAULT_BINS
) -> tuple[IntArray, IntArray]:
    """Counts of both sorted samples in the bins cut at :func:`quantile_edges` of the reference.

    Bins are ``(-inf, e1], (e1, e2], ..., (e_last, inf)``.

    >>> ref, cur = binned_counts(np.arange(10.0), np.arange(5.0, 15.0), bins=2)
    >>> ref.tolist(), cur.tolist()
    ([5, 5], [0, 10])
    """
    edges = quantile_edges(reference_sorted, bins)

    def counts(sorted_values: FloatArray) -> IntArray:
        cuts = np.searchsorted(sorted_values, edges, side="right")
        return np.diff(cuts, prepend=0, append=sorted_values.size).astype(np.int64)

    return counts(reference_sorted), counts(current_sorted)
