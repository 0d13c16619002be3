"""Counts on fixed bin edges (in practice the reference quantiles), merged by addition."""

import struct
from typing import Self

import numpy as np
import numpy.typing as npt

from shiftwatch.errors import FormatError, IncompatibleError, InvalidParameterError
from shiftwatch.stats._checks import FloatArray, IntArray

_HEADER = struct.Struct("<Bq")
_VERSION = 1


class Histogram:
    """Exact counts in the bins ``(-inf, e1], (e1, e2], ..., (e_last, inf)``.

    >>> histogram = Histogram([0.0, 10.0])
    >>> histogram.update([-1.0, 0.0, 5.0, 12.0, 99.0])
    >>> histogram.counts.tolist(), histogram.n
    ([2, 1, 2], 5)
    >>> histogram.merge(histogram).counts.tolist()
    [4, 2, 4]
    """

    def __init__(self, edges: npt.ArrayLike) -> None:
        array = np.asarray(edges, dtype=np.float64).ravel()
        if array.size == 0 or not np.isfinite(array).all() or np.any(np.diff(array) <= 0):
            raise InvalidParameterError(
                "The 'edges' parameter of Histogram must be finite and strictly increasing. "
                f"Got {array.tolist()!r} instead."
            )
        self.edges: FloatArray = array
        self._counts: IntArray = np.zeros(array.size + 1, dtype=np.int64)

    def update(self, values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> None:
        """Count values (NaN refused), each once or with its integer weight."""
        array = np.asarray(values, dtype=np.float64).ravel()
        if np.isnan(array).any():
            raise InvalidParameterError("Histogram.update takes numbers; drop NaN values first.")
        bins = np.searchsorted(self.edges, array, side="left")
        counts_weights = None if weights is None else np.asarray(weights, dtype=np.int64).ravel()
        if counts_weights is not None and (counts_weights < 0).any():
            raise InvalidParameterError("Histogram.update takes weights >= 0.")
        self._counts += np.bincount(
            bins, weights=counts_weights, minlength=self._counts.size
        ).astype(np.int64)

    def merge(self, other: "Histogram") -> "Histogram":
        """A new histogram of both inputs; the edges must be the same."""
        if not isinstance(other, Histogram) or not np.array_equal(self.edges, other.edges):
            raise IncompatibleError("Histograms merge only when their bin edges are the same.")
        merged = self.deserialize(self.serialize())
        merged._counts += other._counts
        return merged

    @property
    def counts(self) -> IntArray:
        """Counts per bin (a copy), ``len(edges) + 1`` of them."""
        return self._counts.copy()

    @property
    def n(self) -> int:
        """Number of values counted."""
        return int(self._counts.sum())

    def is_empty(self) -> bool:
        """Whether nothing has been counted."""
        return self.n == 0

    def serialize(self) -> bytes:
        """Bytes that :meth:`deserialize` turns back into an identical histogram."""
        return (
            _HEADER.pack(_VERSION, self.edges.size)
            + self.edges.astype("<f8").tobytes()
            + self._counts.astype("<i8").tobytes()
        )

    @classmethod
    def deserialize(cls, data: bytes) -> Self:
        """Rebuild a histogram from :meth:`serialize`'s bytes."""
        if len(data) < _HEADER.size or data[0] != _VERSION:
            raise FormatError("Not a serialized Histogram.")
        _, size = _HEADER.unpack_from(data)
        if len(data) != _HEADER.size + 8 * (2 * size + 1):
            raise FormatError("Not a serialized Histogram: wrong length.")
        edges_end = _HEADER.size + 8 * size
        histogram = cls(np.frombuffer(data[_HEADER.size : edges_end], dtype="<f8"))
        histogram._counts = np.frombuffer(data[edges_end:], dtype="<i8").astype(np.int64)
        return histogram

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Histogram) and self.serialize() == other.serialize()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Histogram(bins={self._counts.size}, n={self.n})"
