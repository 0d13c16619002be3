"""The two sides of one column's comparison, read from raw data or from a profile.

``compare`` asks each side the same questions: its value family and inferred kind, its row
and missing counts, its numbers or its category counts. From two sides it builds the pair a
test runs on. Raw columns and exact summaries give the very pairs of raw data, so a profile
of a small set (at most ``k`` values per column, at most ``max_levels`` categories) gives the
same report as the data itself. Beyond, numbers come as quantile sketches (a
:class:`~shiftwatch.policy.SketchPair`, whose tests account for the rank error) and categories
as counts of hashed groups (a valid test of the same hypothesis, blind to shifts within a
group).
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shiftwatch.columns import (
    ColumnKind,
    category_counts,
    column_family,
    decoded,
    infer_kind,
    missing_count,
    numeric_values,
)
from shiftwatch.errors import IncompatibleError
from shiftwatch.policy import CategoricalPair, NumericPair, Pair, SketchPair, align_counts
from shiftwatch.profile import ColumnProfile
from shiftwatch.sketch import Frequencies, Moments, QuantileSketch
from shiftwatch.stats._checks import FloatArray, WeightedSample


@dataclass(frozen=True)
class Numbers:
    """The finite values of one side: all of them (sorted), or a sketch of them."""

    n_missing: int
    n_infinite: int
    sorted: FloatArray | None = None
    sketch: QuantileSketch | None = None
    moments: Moments | None = None

    def weighted(self) -> WeightedSample:
        """Distinct values with their counts (sketch weights once estimated)."""
        if self.sketch is not None:
            return self.sketch.weighted_values()
        assert self.sorted is not None
        values, counts = np.unique(self.sorted, return_counts=True)
        return values, counts.astype(np.int64)

    @property
    def rank_error(self) -> float:
        """The uncertainty of this side's ranks: 0 for raw values."""
        return 0.0 if self.sketch is None else self.sketch.rank_error

    @property
    def std(self) -> float:
        """Population standard deviation of the finite values (0 when there are none)."""
        if self.moments is not None:
            return 0.0 if self.moments.is_empty() else self.moments.std
        assert self.sorted is not None
        return float(np.std(self.sorted)) if self.sorted.size else 0.0


@dataclass(frozen=True)
class Categories:
    """Category counts of one side: exact, or hashed groups past a profile's level bound."""

    n_missing: int
    counts: dict[Any, int] | None = None
    grouped: Frequencies | None = None


class RawSide:
    """One side read from an Arrow column."""

    def __init__(self, column: pa.ChunkedArray) -> None:
        self._column = column
        self.n = len(column)

    @cached_property
    def family(self) -> str:
        """The value family ("empty" when all null)."""
        return column_family(self._column)

    def inferred_kind(self) -> ColumnKind:
        """The kind the inference rules give this side."""
        return infer_kind(self._column)

    def missing(self) -> int:
        """Nulls, plus NaN in floating columns."""
        return missing_count(self._column)

    def numbers(self) -> Numbers:
        """The finite values, sorted."""
        values = numeric_values(self._column)
        return Numbers(values.n_missing, values.n_infinite, sorted=values.sorted)

    def lengths(self) -> Moments | None:
        """Moments of the lengths (in characters) of a text column's strings."""
        moments = Moments()
        lengths = pc.utf8_length(decoded(self._column)).drop_null()
        moments.update(np.asarray(lengths.to_numpy(), dtype=np.float64))
        return moments

    def categories(self) -> Categories:
        """Exact counts of each category."""
        tally = category_counts(self._column)
        return Categories(tally.n_missing, counts=tally.counts)


class ProfiledSide:
    """One side read from a column profile."""

    def __init__(self, column: ColumnProfile) -> None:
        self._column = column
        self.n = column.n
        self.family = column.family

    def inferred_kind(self) -> ColumnKind:
        """The kind the inference rules give this side."""
        return self._column.kind

    def missing(self) -> int:
        """Nulls, plus NaN in floating columns."""
        return self._column.missing

    def numbers(self) -> Numbers:
        """The finite values: sorted while the sketch is exact, else the sketch."""
        column = self._column
        sketch = column.quantiles
        n_missing = column.missing
        if sketch is None:  # an all-null column
            return Numbers(n_missing, column.infinite, sorted=np.empty(0))
        if sketch.exact:
            values, weights = sketch.weighted_values()
            return Numbers(n_missing, column.infinite, sorted=np.repeat(values, weights))
        return Numbers(n_missing, column.infinite, sketch=sketch, moments=column.moments)

    def lengths(self) -> Moments | None:
        """Moments of the lengths of a text column's strings, as the profile kept them."""
        return self._column.lengths

    def categories(self) -> Categories:
        """Exact counts while the profile kept them, else its hashed groups."""
        frequencies = self._column.frequencies
        if frequencies is None:
            if self.family != "empty":
                raise IncompatibleError(
                    f"Column {self._column.name!r} has more than {self._column.max_levels} "
                    "distinct values in its profile, which kept no category counts for it: "
                    "it cannot be compared as categorical."
                )
            return Categories(self._column.missing, counts={})
        if frequencies.exact:
            return Categories(self._column.missing, counts=frequencies.counts)
        return Categories(self._column.missing, grouped=frequencies)


Side = RawSide | ProfiledSide


def numeric_pair(reference: Numbers, current: Numbers) -> Pair:
    """The pair a numeric test runs on: raw values when both sides have them, else sketches."""
    if reference.sorted is not None and current.sorted is not None:
        return NumericPair(reference.sorted, current.sorted)
    return SketchPair(
        reference.weighted(),
        current.weighted(),
        rank_error=reference.rank_error + current.rank_error,
        reference_std=reference.std,
        current_std=current.std,
    )


def categorical_pair(reference: Categories, current: Categories) -> CategoricalPair:
    """Aligned counts: per category when both sides are exact, else per hashed group."""
    if reference.counts is not None and current.counts is not None:
        return align_counts(reference.counts, current.counts)
    template = reference.grouped or current.grouped
    assert template is not None

    def groups(side: Categories) -> Any:
        if side.grouped is not None:
            return side.grouped.group_counts()
        counted = Frequencies(template.max_levels, template.groups)
        counts = side.counts or {}
        counted.update_counts(counts.keys(), counts.values())
        return counted.group_counts()

    labels = tuple(f"group {i}" for i in range(template.groups))
    return CategoricalPair(labels, groups(reference), groups(current), grouped=True)
