"""Rows of JSON values as an Arrow table typed like the reference, never failing on bad values.

A value that cannot take its column's type (text in a numeric column, a list where a number
belongs) becomes null and is counted as a ``type`` violation of that column, so one bad event
neither breaks the batch nor disappears silently; a column absent from a row is null.

>>> from shiftwatch.profile import Profile
>>> reference = Profile.from_data({"age": [31.0, 45.0], "plan": ["a", "b"]})
>>> table, counts = rows_to_table([{"age": 40, "plan": "a"}, {"age": "old"}], reference)
>>> table.column("age").to_pylist(), table.column("plan").to_pylist(), dict(counts)
([40.0, None], ['a', None], {('age', 'type'): 1})
"""

import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from shiftwatch.profile import ColumnProfile, Profile

_FAMILY_TYPES = {"text": pa.string(), "boolean": pa.bool_()}

# pyarrow imports pandas (when installed) on its first conversion of Python values: a fifth of
# a second, spent here as the service loads rather than on its first request
pa.array([0.0])


def _target_type(column: ColumnProfile) -> pa.DataType | None:
    """The Arrow type logged values of this column take (None: inferred from the values)."""
    if column.family == "numeric":
        return pa.int64() if column.integer else pa.float64()
    return _FAMILY_TYPES.get(column.family)


def _fraction(value: Any) -> bool:
    """A float with a fractional part: Arrow would truncate it to fit an integer column."""
    return isinstance(value, float) and value == value and not value.is_integer()


def _array(
    values: list[Any], target: pa.DataType | None, name: str, counts: Counter[tuple[str, str]]
) -> pa.Array:
    if target is not None and pa.types.is_integer(target) and any(map(_fraction, values)):
        counts[(name, "type")] += sum(map(_fraction, values))
        values = [None if _fraction(value) else value for value in values]
    try:
        return pa.array(values, type=target, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        pass
    if target is None:  # no type to coerce to: the column is left out of this batch
        counts[(name, "type")] += sum(value is not None for value in values)
        return pa.nulls(len(values))
    kept: list[Any] = []
    for value in values:
        try:
            pa.scalar(value, type=target)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            counts[(name, "type")] += 1
            kept.append(None)
        else:
            kept.append(value)
    return pa.array(kept, type=target, from_pandas=True)


def rows_to_table(
    rows: Sequence[Mapping[str, Any]], reference: Profile
) -> tuple[pa.Table, Counter[tuple[str, str]]]:
    """The reference's columns, in its order, from ``rows``; and the ``type`` violations."""
    counts: Counter[tuple[str, str]] = Counter()
    names = reference.column_names
    arrays = {}
    for name, values in zip(names, _columns(rows, names), strict=True):
        arrays[name] = _array(values, _target_type(reference[name]), name, counts)
    return pa.table(arrays), counts


def _columns(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[list[Any]]:
    """Each column's values in row order; None where a row lacks the column."""
    if len(names) > 1 and rows:
        try:  # every row has every column (the usual batch): one pass in C
            table = map(operator.itemgetter(*names), rows)  # a tuple per row
            return [list(values) for values in zip(*table, strict=True)]
        except KeyError:
            pass
    return [[row.get(name) for row in rows] for name in names]
