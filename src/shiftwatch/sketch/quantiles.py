"""Quantiles of a stream of floats in bounded memory: Apache DataSketches' KLL sketch.

A KLL sketch with parameter ``k`` keeps every value until it has seen ``k`` of them, so small
inputs are summarised exactly. Beyond, it keeps about ``3k`` weighted values and answers
ranks within its normalised rank error: with 99% confidence, every rank it reports is within
``rank_error`` of the true rank (DataSketches' "double-sided" a-priori bound, which covers
the cumulative distribution as a whole). At the default ``k = 2,000`` that is 0.19% of ``n``;
the sketch takes about 45 KB serialised, and the largest error measured over 1,000 points of a
million normal values was 0.08%.
"""

import struct
from typing import Any, Self

import datasketches
import numpy as np
import numpy.typing as npt

from shiftwatch._validation import check_parameter
from shiftwatch.errors import EmptySketchError, FormatError, InvalidParameterError
from shiftwatch.stats._checks import FloatArray, IntArray

DEFAULT_K = 2000
MIN_K, MAX_K = 8, 65_535


_SINGLE_ITEM_PREAMBLE_INTS = 2
_FULL_HEADER = struct.Struct("<BBBBHBBQHBB")  # preamble, version, family, flags, k, m, -, n, ...


def _retained(serialized: bytes) -> tuple[FloatArray, IntArray]:
    """The retained items and their weights, read from a KLL sketch's serialized bytes.

    Twenty times faster than iterating the sketch in Python. The layout is DataSketches'
    cross-language KLL format (``kll_sketch_impl.hpp``): a header of ``preamble_ints`` 32-bit
    words (``n`` at byte 8, ``num_levels`` at byte 18); ``num_levels`` 32-bit level offsets;
    the minimum and maximum; then the items, level 0 first, an item of level ``h`` weighing
    ``2**h``. A single item is stored alone after an 8-byte header. A test checks this reading
    against iteration, and the weights must add up to ``n``.
    """
    if serialized[0] == _SINGLE_ITEM_PREAMBLE_INTS:
        item = np.frombuffer(serialized, dtype="<f8", count=1, offset=8)
        return item.astype(np.float64), np.ones(1, dtype=np.int64)
    preamble_ints, *_, n, _, num_levels, _ = _FULL_HEADER.unpack_from(serialized)
    offset = 4 * preamble_ints
    levels = np.frombuffer(serialized, dtype="<u4", count=num_levels, offset=offset)
    offset += 4 * num_levels + 16  # the level offsets, then the minimum and maximum
    items = np.frombuffer(serialized, dtype="<f8", offset=offset).astype(np.float64)
    sizes = np.diff(np.append(levels.astype(np.int64) - int(levels[0]), items.size))
    weights = np.repeat(np.left_shift(1, np.arange(num_levels, dtype=np.int64)), sizes)
    if int(weights.sum()) != n:
        raise FormatError(
            f"Unexpected KLL serialization: retained weights add up to {int(weights.sum())}, "
            f"not n = {n}. Report this with your datasketches version."
        )
    return items, weights


class QuantileSketch:
    """KLL quantile sketch of finite floats.

    >>> sketch = QuantileSketch(k=200)
    >>> sketch.update(np.arange(100.0))
    >>> sketch.n, sketch.exact, sketch.rank_error, sketch.get_quantile(0.5)
    (100, True, 0.0, 50.0)
    >>> other = QuantileSketch(k=200)
    >>> other.update(np.arange(100.0, 1000.0))
    >>> merged = sketch.merge(other)
    >>> merged.n, merged.exact, round(merged.rank_error, 4)
    (1000, False, 0.0165)
    >>> abs(merged.get_rank(500.0) - 0.5) <= merged.rank_error
    True
    """

    def __init__(self, k: int = DEFAULT_K) -> None:
        check_parameter(
            "QuantileSketch",
            "k",
            k,
            lambda v: (
                isinstance(v, int | np.integer) and not isinstance(v, bool) and MIN_K <= v <= MAX_K
            ),
            f"an int in [{MIN_K}, {MAX_K}]",
        )
        self.k = int(k)
        self._sketch = datasketches.kll_doubles_sketch(self.k)
        self._weighted: tuple[FloatArray, IntArray] | None = None

    def update(self, values: npt.ArrayLike) -> None:
        """Add finite values (a scalar or an array); NaN and infinity are refused."""
        # DataSketches refuses read-only arrays (what pandas often hands out): copy.
        array = np.array(values, dtype=np.float64, copy=True).ravel()
        if not np.isfinite(array).all():
            raise InvalidParameterError(
                "QuantileSketch.update takes finite numbers; drop NaN and infinite values first."
            )
        if array.size:
            self._sketch.update(array)
            self._weighted = None

    def merge(self, other: "QuantileSketch") -> "QuantileSketch":
        """A new sketch of both inputs (KLL merges are randomised: ranks agree within error)."""
        if not isinstance(other, QuantileSketch):
            raise InvalidParameterError(
                f"QuantileSketch.merge takes a QuantileSketch. Got {type(other).__name__}."
            )
        merged = self.deserialize(self.serialize())
        merged._sketch.merge(other._sketch)
        merged._weighted = None
        merged.k = int(merged._sketch.k)
        return merged

    @property
    def n(self) -> int:
        """Number of values seen."""
        return int(self._sketch.n)

    def is_empty(self) -> bool:
        """Whether no value has been seen."""
        return bool(self._sketch.is_empty())

    @property
    def exact(self) -> bool:
        """Whether the sketch still holds every value it has seen (at most ``k`` of them)."""
        return not self._sketch.is_estimation_mode()

    @property
    def rank_error(self) -> float:
        """Normalised rank error at 99% confidence: 0 while exact."""
        if self.exact:
            return 0.0
        return float(self._sketch.normalized_rank_error(True))

    def _require_values(self) -> None:
        if self.is_empty():
            raise EmptySketchError("QuantileSketch has seen no value: nothing to answer from.")

    def get_quantile(self, rank: float) -> float:
        """The value at normalised rank ``rank`` in [0, 1]."""
        self._require_values()
        check_parameter("get_quantile", "rank", rank, lambda r: 0 <= r <= 1, "a float in [0, 1]")
        return float(self._sketch.get_quantile(float(rank)))

    def get_rank(self, value: float) -> float:
        """Share of values at or below ``value``."""
        self._require_values()
        return float(self._sketch.get_rank(float(value), True))

    def get_cdf(self, split_points: npt.ArrayLike) -> FloatArray:
        """Shares of values at or below each of the increasing ``split_points``, then 1."""
        self._require_values()
        points = np.asarray(split_points, dtype=np.float64).ravel()
        return np.asarray(self._sketch.get_cdf(points.tolist(), True), dtype=np.float64)

    def weighted_values(self) -> tuple[FloatArray, IntArray]:
        """The retained values, sorted and distinct, with their weights (which sum to ``n``).

        While the sketch is exact these are the distinct values seen and their counts.
        """
        if self.is_empty():
            return np.empty(0), np.empty(0, dtype=np.int64)
        if self._weighted is None:  # computed once per state: a reference is read many times
            items, item_weights = _retained(self.serialize())
            values, inverse = np.unique(items, return_inverse=True)
            weights = np.bincount(inverse, weights=item_weights).astype(np.int64)
            values.flags.writeable = weights.flags.writeable = False
            self._weighted = (values, weights)
        return self._weighted

    @property
    def min(self) -> float:
        """Smallest value seen (kept exactly)."""
        self._require_values()
        return float(self._sketch.get_min_value())

    @property
    def max(self) -> float:
        """Largest value seen (kept exactly)."""
        self._require_values()
        return float(self._sketch.get_max_value())

    def serialize(self) -> bytes:
        """Bytes that :meth:`deserialize` turns back into an identical sketch."""
        return bytes(self._sketch.serialize())

    @classmethod
    def deserialize(cls, data: bytes) -> Self:
        """Rebuild a sketch from :meth:`serialize`'s bytes."""
        try:
            inner = datasketches.kll_doubles_sketch.deserialize(bytes(data))
        except (RuntimeError, ValueError) as error:
            raise FormatError(f"Not a serialized QuantileSketch: {error}") from None
        sketch = cls(int(inner.k))
        sketch._sketch = inner
        sketch._weighted = None
        return sketch

    def __getstate__(self) -> dict[str, Any]:
        return {"data": self.serialize()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        restored = self.deserialize(state["data"])
        self.k, self._sketch, self._weighted = restored.k, restored._sketch, None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QuantileSketch) and self.serialize() == other.serialize()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        state = "exact" if self.exact else f"rank error {self.rank_error:.2%}"
        return f"QuantileSketch(k={self.k}, n={self.n}, {state})"
