"""The number of distinct values in bounded memory: HyperLogLog on stable 64-bit hashes.

4,096 one-byte registers (4 KB) give a relative standard error of 1.04 / sqrt(4096) = 1.6%;
small counts use linear counting, which is nearly exact. Registers merge by maximum, so
merging is exact, commutative and associative. Updates are vectorised: an array of values is
hashed and folded in at once (:mod:`shiftwatch.sketch.hashing`).
"""

import math
import struct
from typing import Self

import numpy as np
import pyarrow as pa

from shiftwatch.errors import FormatError, IncompatibleError
from shiftwatch.sketch.hashing import HashArray, stable_hash

_LG_REGISTERS = 12
_REGISTERS = 1 << _LG_REGISTERS
_HEADER = struct.Struct("<BBq")
_VERSION = 1


class DistinctCount:
    """HyperLogLog estimate of how many distinct values were seen.

    >>> seen = DistinctCount()
    >>> seen.update([f"user-{i}" for i in range(10_000)])
    >>> again = DistinctCount()
    >>> again.update([f"user-{i}" for i in range(5_000, 15_000)])
    >>> round(seen.merge(again).estimate, -3)
    15000.0
    """

    def __init__(self) -> None:
        self._registers = np.zeros(_REGISTERS, dtype=np.uint8)
        self._n = 0

    def update(self, values: pa.Array | list[object]) -> None:
        """Add values: strings, numbers or booleans (as an Arrow array or a list)."""
        self.update_hashes(stable_hash(values))

    def update_hashes(self, hashes: HashArray) -> None:
        """Add values by their :func:`~shiftwatch.sketch.hashing.stable_hash`."""
        if hashes.size == 0:
            return
        self._n += int(hashes.size)
        index = (hashes >> np.uint64(64 - _LG_REGISTERS)).astype(np.intp)
        rest = (hashes << np.uint64(_LG_REGISTERS)) >> np.uint64(11)  # top 53 bits, exact floats
        _, exponent = np.frexp(rest.astype(np.float64))
        rank = np.where(rest == 0, 64 - _LG_REGISTERS + 1, 54 - exponent).astype(np.uint8)
        np.maximum.at(self._registers, index, rank)

    @property
    def estimate(self) -> float:
        """Estimated number of distinct values seen."""
        m = float(_REGISTERS)
        zeros = int(np.count_nonzero(self._registers == 0))
        raw = (
            0.7213
            / (1 + 1.079 / m)
            * m
            * m
            / float(np.sum(np.ldexp(1.0, -self._registers.astype(np.int64))))
        )
        if raw <= 2.5 * m and zeros:
            return m * math.log(m / zeros)
        return raw

    @property
    def n(self) -> int:
        """Number of values seen (repeats included)."""
        return self._n

    def is_empty(self) -> bool:
        """Whether no value has been seen."""
        return self._n == 0

    def merge(self, other: "DistinctCount") -> "DistinctCount":
        """A new count of the union of both inputs."""
        if not isinstance(other, DistinctCount):
            raise IncompatibleError(
                f"DistinctCount.merge takes a DistinctCount. Got {type(other).__name__}."
            )
        merged = DistinctCount()
        merged._registers = np.maximum(self._registers, other._registers)
        merged._n = self._n + other._n
        return merged

    def serialize(self) -> bytes:
        """Bytes that :meth:`deserialize` turns back into an identical count."""
        return _HEADER.pack(_VERSION, _LG_REGISTERS, self._n) + self._registers.tobytes()

    @classmethod
    def deserialize(cls, data: bytes) -> Self:
        """Rebuild a count from :meth:`serialize`'s bytes."""
        if len(data) != _HEADER.size + _REGISTERS or tuple(data[:2]) != (_VERSION, _LG_REGISTERS):
            raise FormatError("Not a serialized DistinctCount.")
        count = cls()
        count._n = _HEADER.unpack_from(data)[2]
        count._registers = np.frombuffer(data[_HEADER.size :], dtype=np.uint8).copy()
        return count

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DistinctCount)
            and self._n == other._n
            and np.array_equal(self._registers, other._registers)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"DistinctCount(n={self._n}, estimate={self.estimate:.0f})"
