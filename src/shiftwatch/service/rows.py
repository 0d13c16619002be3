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

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from shiftwatch.profile import ColumnProfile, Profile

_FAMILY_TYPES = {"text": pa.string(), "boolean": pa.bool_()}


def _target_type(column: ColumnProfile) -> pa.DataType | None:
    """The Arrow type logged values of this column take (None: inferred from the values)."""
    if column.family == "numeric":
        return pa.int64() if column.integer else pa.float64()
    return _FAMILY_TYPES.get(column.family)


def _array(
    values: list[Any], target: pa.DataType | None, name: str, counts: Counter[tuple[str, str]]
) -> pa.Array:
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
    arrays = {}
    for name in reference.column_names:
        values = [row.get(name) for row in rows]
        arrays[name] = _array(values, _target_type(reference[name]), name, counts)
    return pa.table(arrays), counts
