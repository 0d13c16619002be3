"""Count, missing count, minimum, maximum, mean and variance, merged exactly."""

import math
import struct
from typing import Self

import numpy as np
import numpy.typing as npt

from shiftwatch.errors import (
    EmptySketchError,
    FormatError,
    IncompatibleError,
    InvalidParameterError,
)

_LAYOUT = struct.Struct("<Bqqdddd")
_VERSION = 1


class Moments:
    """Streaming moments of finite floats; NaN counts as missing.

    Batches are summarised with numpy and combined with Chan, Golub and LeVeque's pairwise
    update, so ``merge`` is exact up to floating-point rounding and associative. ``variance``
    is the population variance (``ddof=0``), the scale :func:`shiftwatch.compare` divides by.

    >>> moments = Moments()
    >>> moments.update([1.0, 2.0, float("nan"), 4.0])
    >>> other = Moments()
    >>> other.update([5.0])
    >>> merged = moments.merge(other)
    >>> merged.n, merged.missing, merged.min, merged.max, merged.mean, merged.variance
    (4, 1, 1.0, 5.0, 3.0, 2.5)
    """

    def __init__(self) -> None:
        self._n = 0
        self._missing = 0
        self._mean = 0.0
        self._m2 = 0.0
        self._min = math.inf
        self._max = -math.inf

    def update(self, values: npt.ArrayLike) -> None:
        """Add values (a scalar or an array); NaN is counted as missing, infinity refused."""
        array = np.asarray(values, dtype=np.float64).ravel()
        nan = np.isnan(array)
        n_missing = int(nan.sum())
        if n_missing:
            array = array[~nan]
        if not np.isfinite(array).all():
            raise InvalidParameterError(
                "Moments.update takes finite numbers or NaN; got an infinite value. "
                "Count infinities separately."
            )
        batch = Moments()
        batch._missing = n_missing
        if array.size:
            batch._n = int(array.size)
            batch._mean = float(array.mean())
            batch._m2 = float(np.square(array - batch._mean).sum())
            batch._min = float(array.min())
            batch._max = float(array.max())
        self._absorb(batch)

    def _absorb(self, other: "Moments") -> None:
        self._missing += other._missing
        if other._n == 0:
            return
        if self._n == 0:
            self._n, self._mean, self._m2 = other._n, other._mean, other._m2
            self._min, self._max = other._min, other._max
            return
        total = self._n + other._n
        delta = other._mean - self._mean
        self._mean += delta * other._n / total
        self._m2 += other._m2 + delta * delta * self._n * other._n / total
        self._n = total
        self._min = min(self._min, other._min)
        self._max = max(self._max, other._max)

    def merge(self, other: "Moments") -> "Moments":
        """A new summary of both inputs."""
        if not isinstance(other, Moments):
            raise IncompatibleError(f"Moments.merge takes Moments. Got {type(other).__name__}.")
        merged = self.deserialize(self.serialize())
        merged._absorb(other)
        return merged

    @property
    def n(self) -> int:
        """Number of finite values seen."""
        return self._n

    @property
    def missing(self) -> int:
        """Number of NaN values seen."""
        return self._missing

    def is_empty(self) -> bool:
        """Whether no finite value has been seen."""
        return self._n == 0

    def _require_values(self, what: str) -> None:
        if self._n == 0:
            raise EmptySketchError(f"Moments has seen no finite value: no {what}.")

    @property
    def mean(self) -> float:
        """Mean of the finite values."""
        self._require_values("mean")
        return self._mean

    @property
    def variance(self) -> float:
        """Population variance (ddof=0) of the finite values."""
        self._require_values("variance")
        return max(self._m2 / self._n, 0.0)

    @property
    def std(self) -> float:
        """Population standard deviation of the finite values."""
        return math.sqrt(self.variance)

    @property
    def min(self) -> float:
        """Smallest finite value."""
        self._require_values("minimum")
        return self._min

    @property
    def max(self) -> float:
        """Largest finite value."""
        self._require_values("maximum")
        return self._max

    def serialize(self) -> bytes:
        """Bytes that :meth:`deserialize` turns back into an identical summary."""
        return _LAYOUT.pack(
            _VERSION, self._n, self._missing, self._mean, self._m2, self._min, self._max
        )

    @classmethod
    def deserialize(cls, data: bytes) -> Self:
        """Rebuild a summary from :meth:`serialize`'s bytes."""
        if len(data) != _LAYOUT.size or data[0] != _VERSION:
            raise FormatError(
                f"Not a serialized Moments (version {_VERSION}, {_LAYOUT.size} bytes): "
                f"got {len(data)} bytes."
            )
        moments = cls()
        _, moments._n, moments._missing, moments._mean, moments._m2, moments._min, moments._max = (
            _LAYOUT.unpack(data)
        )
        return moments

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Moments) and self.serialize() == other.serialize()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        if self._n == 0:
            return f"Moments(n=0, missing={self._missing})"
        return (
            f"Moments(n={self._n}, missing={self._missing}, mean={self._mean:.6g}, "
            f"std={self.std:.6g}, min={self._min:.6g}, max={self._max:.6g})"
        )
