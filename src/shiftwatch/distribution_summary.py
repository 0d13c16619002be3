"""Both sides of a column on shared bins or categories, small enough to draw and to store.

``compare`` attaches one :class:`~shiftwatch.drift_report.DistributionSummary` to each tested
column, so that a report can overlay the reference and current distributions without the
data. Its size is bounded whatever the number of rows or categories:

* numbers: equal-width bins between the 1st and 99th percentiles of the two sides (the
  lowest and highest of each side's), so that an outlier does not squash the picture into
  one bar, and a tail bin on each side down to the smallest and up to the largest value
  when values lie beyond. The number of bins follows the Rice rule on the smaller side
  (``2 n ** (1/3)``), between 5 and ``MAX_BINS``. Integers spanning at most ``MAX_BINS``
  values get one bin each. Counts are exact from raw values and estimated from the CDF of a
  quantile sketch when a side comes from a profile that kept no longer every value.
* categories: the ``MAX_CATEGORIES`` categories of the largest combined share (reference
  share plus current share, so a category new in the current data shows), in that order;
  the others are pooled. From a profile past its level bound, only its most frequent
  categories are known (estimated counts).

Building one costs a few binary searches on the sorted values ``compare`` already has.
"""

import math
from typing import Any

import numpy as np

from shiftwatch.column_pairs import Categories, Numbers
from shiftwatch.drift_report import DistributionSummary
from shiftwatch.stats._checks import FloatArray, IntArray

MAX_BINS = 40
MIN_BINS = 5
MAX_CATEGORIES = 30
TAIL_SHARE = 0.01
_INTEGER_PROBE = 1000  # values looked at before checking all of them for integers


class _NumericSide:
    """The questions a histogram asks of one side: size, ends, quantiles, counts on edges."""

    def __init__(self, numbers: Numbers) -> None:
        self.sorted = numbers.sorted
        self.sketch = numbers.sketch if numbers.sorted is None else None
        if self.sorted is not None:
            self.n = int(self.sorted.size)
        else:
            self.n = 0 if self.sketch is None or self.sketch.is_empty() else self.sketch.n

    def ends(self) -> tuple[float, float]:
        if self.sorted is not None:
            return float(self.sorted[0]), float(self.sorted[-1])
        assert self.sketch is not None
        return self.sketch.min, self.sketch.max

    def quantile(self, rank: float) -> float:
        if self.sorted is not None:
            return float(self.sorted[round(rank * (self.n - 1))])
        assert self.sketch is not None
        return self.sketch.get_quantile(rank)

    def integers(self) -> bool:
        if self.sorted is not None:
            values = self.sorted
            probe = values[:: max(values.size // _INTEGER_PROBE, 1)]
            return bool(np.all(probe == np.floor(probe)) and np.all(values == np.floor(values)))
        assert self.sketch is not None
        retained = self.sketch.weighted_values()[0]
        return bool(np.all(retained == np.floor(retained)))

    def counts(self, edges: FloatArray) -> IntArray:
        """Values in ``[e_i, e_i+1)`` (the last bin closed); every value lies in the edges."""
        if self.n == 0 or edges.size == 2:
            return np.array([self.n] if edges.size == 2 else [0] * (edges.size - 1), np.int64)
        if self.sorted is not None:
            below = np.searchsorted(self.sorted, edges[1:-1], side="left")
        else:
            assert self.sketch is not None
            below = np.rint(self.sketch.get_cdf(edges[1:-1])[:-1] * self.n)
        cumulative = np.concatenate([[0], below, [self.n]]).astype(np.int64)
        return np.diff(cumulative)


def _bin_count(n: int) -> int:
    rice: float = 2 * float(n) ** (1 / 3)
    return min(MAX_BINS, max(MIN_BINS, math.ceil(rice)))


def numeric_summary(reference: Numbers, current: Numbers) -> DistributionSummary | None:
    """Histograms of both sides on shared edges; ``None`` when neither side has a value.

    >>> from shiftwatch.column_pairs import Numbers
    >>> reference = Numbers(0, 0, sorted=np.linspace(0.0, 1.0, 1001))
    >>> current = Numbers(0, 0, sorted=np.linspace(0.5, 1.5, 1001))
    >>> summary = numeric_summary(reference, current)
    >>> len(summary.edges), summary.edges[:2], summary.low_tail, summary.high_tail
    (24, (0.0, 0.01), True, True)
    >>> summary.reference[:3], summary.current[-3:], sum(summary.current)
    ((10, 71, 70), (70, 70, 11), 1001)
    >>> integers = numeric_summary(
    ...     Numbers(0, 0, sorted=np.array([1.0, 2.0, 2.0, 3.0])),
    ...     Numbers(0, 0, sorted=np.array([2.0, 3.0, 3.0, 4.0])),
    ... )
    >>> integers.discrete, integers.edges, integers.reference, integers.current
    (True, (0.5, 1.5, 2.5, 3.5, 4.5), (1, 2, 1, 0), (0, 1, 2, 1))
    """
    sides = [_NumericSide(reference), _NumericSide(current)]
    present = [side for side in sides if side.n]
    if not present:
        return None
    lowest = min(side.ends()[0] for side in present)
    highest = max(side.ends()[1] for side in present)
    discrete = highest - lowest < MAX_BINS and all(side.integers() for side in present)
    if discrete:
        edges = np.arange(lowest - 0.5, highest + 1.0)
        low_tail = high_tail = False
    else:
        low = min(side.quantile(TAIL_SHARE) for side in present)
        high = max(side.quantile(1 - TAIL_SHARE) for side in present)
        if not low < high:
            low, high = lowest, highest
        edges = np.linspace(low, high, _bin_count(min(side.n for side in present)) + 1)
        low_tail, high_tail = bool(lowest < low), bool(highest > high)
        edges = np.concatenate(
            [[lowest] if low_tail else [], edges, [highest] if high_tail else []]
        )
    if not np.isfinite(edges).all():  # a range wider than float64 holds
        return None
    return DistributionSummary(
        "histogram",
        tuple(sides[0].counts(edges).tolist()),
        tuple(sides[1].counts(edges).tolist()),
        edges=tuple(edges.tolist()),
        low_tail=low_tail,
        high_tail=high_tail,
        discrete=bool(discrete),
        approximate=any(side.sketch is not None for side in present),
    )


def _tally(side: Categories) -> tuple[dict[Any, int], int, int]:
    """Known counts per category, the side's total, and how many categories it has."""
    if side.counts is not None:
        return side.counts, sum(side.counts.values()), len(side.counts)
    assert side.grouped is not None
    known = dict(side.grouped.most_frequent(MAX_CATEGORIES))
    return known, side.grouped.n, side.grouped.distinct


def categorical_summary(reference: Categories, current: Categories) -> DistributionSummary:
    """The largest categories of both sides (by combined share) and the rest pooled.

    >>> from shiftwatch.column_pairs import Categories
    >>> summary = categorical_summary(
    ...     Categories(0, counts={"a": 6, "b": 4}), Categories(0, counts={"b": 5, "c": 5})
    ... )
    >>> summary.categories, summary.reference, summary.current
    (('b', 'a', 'c'), (4, 6, 0), (5, 0, 5))
    """
    (ref_counts, ref_n, ref_distinct), (cur_counts, cur_n, cur_distinct) = (
        _tally(reference),
        _tally(current),
    )
    union = list(ref_counts) + [c for c in cur_counts if c not in ref_counts]

    def share(category: Any) -> float:
        return ref_counts.get(category, 0) / max(ref_n, 1) + cur_counts.get(category, 0) / max(
            cur_n, 1
        )

    shown = sorted(union, key=share, reverse=True)[:MAX_CATEGORIES]
    ref_shown = tuple(ref_counts.get(c, 0) for c in shown)
    cur_shown = tuple(cur_counts.get(c, 0) for c in shown)
    exact = reference.counts is not None and current.counts is not None
    n_categories = len(union) if exact else max(len(union), ref_distinct, cur_distinct)
    return DistributionSummary(
        "categories",
        ref_shown,
        cur_shown,
        categories=tuple(str(c) for c in shown),
        other_reference=max(ref_n - sum(ref_shown), 0),
        other_current=max(cur_n - sum(cur_shown), 0),
        n_other=n_categories - len(shown),
        approximate=not exact,
    )
