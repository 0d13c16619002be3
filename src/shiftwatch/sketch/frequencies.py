"""Category counts: exact up to a bound on the number of levels, hashed groups beyond it.

Up to ``max_levels`` distinct categories every count is kept exactly. Past that bound the
counts move into ``groups`` buckets chosen by a stable hash of each category. A group's count
is still exact, so a chi-squared test on the groups is a valid test of the same hypothesis
(two equal distributions give equal group distributions); it only loses the power to see
shifts *within* a group. Beside the groups, a DataSketches frequent-items sketch keeps the
heaviest categories (``most_frequent``; its estimates may fall short by the sketch's own
error plus 0.1% of ``n``, since only categories holding 0.1% of an update enter it), and a
:class:`~shiftwatch.sketch.distinct.DistinctCount` the number of distinct categories
(within about 1.6%). Hashing, grouping and counting are vectorised: a few hundred
nanoseconds per distinct value.
"""

import base64
import decimal
import json
import math
from collections.abc import Iterable
from typing import Any, Self

import datasketches
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shiftwatch._validation import check_count
from shiftwatch.errors import FormatError, IncompatibleError, InvalidParameterError
from shiftwatch.sketch.distinct import DistinctCount
from shiftwatch.sketch.hashing import stable_hash
from shiftwatch.stats._checks import IntArray

DEFAULT_MAX_LEVELS = 4096
DEFAULT_GROUPS = 1024
_HEAVY_SHARE = 1000
_TOP_LG_MAP_SIZE = 10
_VERSION = 1


def _plain(value: Any) -> Any:
    """A category as a plain JSON-able Python value (numpy scalars and decimals unwrapped)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float) and math.isnan(value):
        raise InvalidParameterError("Frequencies does not count NaN: count it as missing.")
    if isinstance(value, bool | int | float | str):
        return value
    raise InvalidParameterError(
        f"Frequencies counts numbers, strings and booleans. Got {type(value).__name__} {value!r}."
    )


def _checked_array(values: pa.Array) -> pa.Array:
    """Arrow values as counted: decoded, decimals as floats, NaN and nulls refused."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if pa.types.is_decimal(values.type):
        values = values.cast(pa.float64())
    if values.null_count or (
        pa.types.is_floating(values.type) and pc.any(pc.is_nan(values)).as_py()
    ):
        raise InvalidParameterError(
            "Frequencies does not count null or NaN: count them as missing."
        )
    return values


def _key(value: Any) -> str:
    """A typed text form of a category, as the frequent-items sketch stores it."""
    if isinstance(value, bool):
        return f"b:{int(value)}"
    if isinstance(value, int):
        return f"i:{value}"
    if isinstance(value, float):
        return f"i:{int(value)}" if value.is_integer() else f"f:{value!r}"
    return f"s:{value}"


def _value(key: str) -> Any:
    tag, text = key[0], key[2:]
    if tag == "b":
        return text == "1"
    if tag == "i":
        return int(text)
    if tag == "f":
        return float(text)
    return text


class Frequencies:
    """How often each category occurs: exact up to ``max_levels`` levels, grouped beyond.

    >>> frequencies = Frequencies(max_levels=3, groups=4)
    >>> frequencies.update(["a", "b", "a"])
    >>> frequencies.exact, frequencies.counts, frequencies.n
    (True, {'a': 2, 'b': 1}, 3)
    >>> more = Frequencies(max_levels=3, groups=4)
    >>> more.update_counts(["c", "d"], [5, 1])
    >>> merged = frequencies.merge(more)
    >>> merged.exact, merged.distinct, merged.n, int(merged.group_counts().sum())
    (False, 4, 9, 9)
    >>> merged.most_frequent(1)
    [('c', 5)]
    """

    def __init__(self, max_levels: int = DEFAULT_MAX_LEVELS, groups: int = DEFAULT_GROUPS) -> None:
        self.max_levels = check_count("Frequencies", "max_levels", max_levels)
        self.groups = check_count("Frequencies", "groups", groups)
        self._counts: dict[Any, int] | None = {}
        self._group_counts: IntArray | None = None
        self._distinct: DistinctCount | None = None  # once grouped
        self._top: Any = None  # frequent_strings_sketch once grouped

    def update(self, values: npt.ArrayLike) -> None:
        """Count each value of an array (or a scalar) once."""
        array = np.asarray(values).ravel()
        if array.size:
            uniques, counts = np.unique(array, return_counts=True)
            self.update_counts(uniques.tolist(), counts.tolist())

    def update_counts(
        self, values: Iterable[Any] | pa.Array, counts: Iterable[int] | pa.Array
    ) -> None:
        """Add pre-tallied counts: ``counts[i]`` occurrences of ``values[i]``.

        ``values`` and ``counts`` may be Arrow arrays (as ``pyarrow.compute.value_counts``
        gives them): past ``max_levels`` they are then hashed and counted without a Python
        loop over the values.
        """
        weights = np.asarray(
            counts.to_numpy() if isinstance(counts, pa.Array) else list(counts), dtype=np.int64
        )
        items: pa.Array | list[Any] = (
            _checked_array(values) if isinstance(values, pa.Array) else [_plain(v) for v in values]
        )
        if len(items) != weights.size:
            raise InvalidParameterError(
                f"Frequencies.update_counts takes as many counts as values: got {len(items)} "
                f"values and {weights.size} counts."
            )
        if (weights < 0).any():
            raise InvalidParameterError("Frequencies.update_counts takes counts >= 0.")
        if self._counts is not None and len(items) <= self.max_levels:
            plain = items.to_pylist() if isinstance(items, pa.Array) else items
            for value, count in zip(plain, weights.tolist(), strict=True):
                self._counts[value] = self._counts.get(value, 0) + count
            if len(self._counts) > self.max_levels:
                self._to_groups()
            return
        if self._counts is not None:
            self._to_groups()
        self._add_grouped(items, weights)

    def _to_groups(self) -> None:
        assert self._counts is not None
        values = list(self._counts)
        counts = np.fromiter(self._counts.values(), dtype=np.int64, count=len(values))
        self._counts = None
        self._group_counts = np.zeros(self.groups, dtype=np.int64)
        self._distinct = DistinctCount()
        self._top = datasketches.frequent_strings_sketch(_TOP_LG_MAP_SIZE)
        self._add_grouped(values, counts)

    def _add_grouped(self, values: pa.Array | list[Any], weights: IntArray) -> None:
        """Fold counts into the groups, the distinct count and the frequent items, vectorised.

        Only categories holding at least 1/``_HEAVY_SHARE`` of an update enter the
        frequent-items sketch, so its estimates may fall short by up to that share of ``n``.
        """
        assert self._group_counts is not None
        assert self._distinct is not None
        if len(values) == 0:
            return
        hashes = stable_hash(values)
        groups = (hashes % np.uint64(self.groups)).astype(np.intp)
        self._group_counts += np.bincount(groups, weights=weights, minlength=self.groups).astype(
            np.int64
        )
        self._distinct.update_hashes(hashes)
        heavy = np.flatnonzero(weights * _HEAVY_SHARE >= max(int(weights.sum()), 1))
        for index in heavy.tolist():
            if weights[index]:
                value = values[index]
                plain = value.as_py() if isinstance(value, pa.Scalar) else value
                self._top.update(_key(_plain(plain)), int(weights[index]))

    def merge(self, other: "Frequencies") -> "Frequencies":
        """A new summary of both inputs; both must use the same number of groups."""
        if not isinstance(other, Frequencies) or other.groups != self.groups:
            raise IncompatibleError(
                "Frequencies merge only with Frequencies of the same number of groups."
            )
        merged = self.deserialize(self.serialize())
        if other._counts is not None:
            merged.update_counts(other._counts.keys(), other._counts.values())
            return merged
        if merged._counts is not None:
            merged._to_groups()
        assert merged._group_counts is not None
        assert other._group_counts is not None
        merged._group_counts += other._group_counts
        assert merged._distinct is not None
        assert other._distinct is not None
        merged._distinct = merged._distinct.merge(other._distinct)
        merged._top.merge(other._top)
        return merged

    @property
    def exact(self) -> bool:
        """Whether every category's count is known (at most ``max_levels`` levels seen)."""
        return self._counts is not None

    @property
    def counts(self) -> dict[Any, int]:
        """The count of every category, in first-seen order (only while exact)."""
        if self._counts is None:
            raise IncompatibleError(
                f"More than {self.max_levels} categories were seen: only counts of hashed "
                "groups and of the most frequent categories are kept."
            )
        return dict(self._counts)

    @property
    def n(self) -> int:
        """Number of values counted."""
        if self._counts is not None:
            return sum(self._counts.values())
        assert self._group_counts is not None
        return int(self._group_counts.sum())

    def is_empty(self) -> bool:
        """Whether nothing has been counted."""
        return self.n == 0

    @property
    def distinct(self) -> int:
        """Number of distinct categories: exact while exact, an HLL estimate beyond."""
        if self._counts is not None:
            return len(self._counts)
        assert self._distinct is not None
        return max(round(self._distinct.estimate), self.max_levels + 1)

    def group_counts(self) -> IntArray:
        """Counts per hashed group (the same grouping in every Frequencies of this size)."""
        if self._group_counts is not None:
            return self._group_counts.copy()
        counts = self._counts or {}
        if not counts:
            return np.zeros(self.groups, dtype=np.int64)
        groups = (stable_hash(list(counts)) % np.uint64(self.groups)).astype(np.intp)
        weights = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        return np.bincount(groups, weights=weights, minlength=self.groups).astype(np.int64)

    def most_frequent(self, limit: int = 10) -> list[tuple[Any, int]]:
        """Up to ``limit`` most frequent categories with their counts (estimates once grouped).

        Once grouped, only categories certainly above the sketch's error are listed.
        """
        if self._counts is not None:
            ranked = sorted(self._counts.items(), key=lambda item: -item[1])
            return ranked[:limit]
        rows = self._top.get_frequent_items(
            datasketches.frequent_items_error_type.NO_FALSE_POSITIVES
        )
        ranked = sorted(rows, key=lambda row: (-row[1], row[0]))
        return [(_value(key), int(estimate)) for key, estimate, *_ in ranked[:limit]]

    def serialize(self) -> bytes:
        """Bytes that :meth:`deserialize` turns back into an identical summary."""
        state: dict[str, Any] = {
            "version": _VERSION,
            "max_levels": self.max_levels,
            "groups": self.groups,
        }
        if self._counts is not None:
            state["counts"] = [[value, count] for value, count in self._counts.items()]
        else:
            assert self._group_counts is not None
            state["group_counts"] = self._group_counts.tolist()
            assert self._distinct is not None
            state["distinct"] = base64.b64encode(self._distinct.serialize()).decode()
            state["top"] = base64.b64encode(self._top.serialize()).decode()
        return json.dumps(state, separators=(",", ":")).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> Self:
        """Rebuild a summary from :meth:`serialize`'s bytes."""
        try:
            state = json.loads(data)
            if state["version"] != _VERSION:
                raise FormatError(f"Frequencies format version {state['version']} is not known.")
            frequencies = cls(state["max_levels"], state["groups"])
            if "counts" in state:
                frequencies._counts = dict(state["counts"])
                return frequencies
            frequencies._counts = None
            frequencies._group_counts = np.array(state["group_counts"], dtype=np.int64)
            frequencies._distinct = DistinctCount.deserialize(base64.b64decode(state["distinct"]))
            frequencies._top = datasketches.frequent_strings_sketch.deserialize(
                base64.b64decode(state["top"])
            )
        except (ValueError, KeyError, TypeError, RuntimeError) as error:
            if isinstance(error, FormatError):
                raise
            raise FormatError(f"Not a serialized Frequencies: {error}") from None
        return frequencies

    def __getstate__(self) -> dict[str, Any]:
        return {"data": self.serialize()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(self.deserialize(state["data"]).__dict__)

    def __eq__(self, other: object) -> bool:
        """Same settings and same answers (the order categories were seen in aside)."""
        if not isinstance(other, Frequencies) or (self.max_levels, self.groups) != (
            other.max_levels,
            other.groups,
        ):
            return False
        if self._counts is not None or other._counts is not None:
            return self._counts == other._counts
        return (
            np.array_equal(self.group_counts(), other.group_counts())
            and self.distinct == other.distinct
            and sorted(self.most_frequent(self.max_levels))
            == sorted(other.most_frequent(other.max_levels))
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        state = "exact" if self.exact else f"{self.groups} hashed groups"
        return f"Frequencies(n={self.n}, distinct={self.distinct}, {state})"
