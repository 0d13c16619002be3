"""Column kinds, their inference from reference data, and the values each kind is tested on.

| kind        | inferred from                                                | tested            |
|-------------|--------------------------------------------------------------|-------------------|
| numeric     | floats, decimals; integers with more than 20 distinct values | yes               |
| categorical | integers with at most 20 distinct values; strings otherwise  | yes               |
| boolean     | booleans                                                     | yes               |
| text        | strings with > 100 distinct values, over half the rows (ids) | missing rate only |
| datetime    | timestamps, dates, times, durations                          | missing rate only |
| empty       | no value at all in the reference (the current decides)       | missing rate only |
| unsupported | lists, structs and other nested types                        | missing rate only |

Any kind can be overridden per column (``kinds={"zip": "categorical"}``).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shiftwatch.errors import SchemaError
from shiftwatch.stats._checks import FloatArray

MAX_INTEGER_LEVELS = 20
TEXT_MIN_LEVELS = 100
TEXT_MIN_DISTINCT_SHARE = 0.5


class ColumnKind(StrEnum):
    """What a column holds, which decides how it is tested."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    TEXT = "text"
    DATETIME = "datetime"
    EMPTY = "empty"
    UNSUPPORTED = "unsupported"


TESTED_KINDS = frozenset({ColumnKind.NUMERIC, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})


def value_family(data_type: pa.DataType) -> str:
    """The broad family of an Arrow type: numeric, boolean, text, datetime, empty or other.

    >>> value_family(pa.int32()), value_family(pa.large_string()), value_family(pa.date32())
    ('numeric', 'text', 'datetime')
    """
    if pa.types.is_dictionary(data_type):
        return value_family(data_type.value_type)
    if pa.types.is_integer(data_type) or pa.types.is_floating(data_type):
        return "numeric"
    if pa.types.is_decimal(data_type):
        return "numeric"
    if pa.types.is_boolean(data_type):
        return "boolean"
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return "text"
    if pa.types.is_string_view(data_type):
        return "text"
    if pa.types.is_temporal(data_type):
        return "datetime"
    if pa.types.is_null(data_type):
        return "empty"
    return "other"


def _decoded(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Plain values for compute kernels: dictionaries decoded, string views as strings."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_string_view(column.type):
        column = column.cast(pa.large_string())
    return column


def _distinct(column: pa.ChunkedArray) -> int:
    return int(pc.count_distinct(_decoded(column), mode="only_valid").as_py())


def infer_kind(column: pa.ChunkedArray) -> ColumnKind:
    """Infer the kind of a column from its values (see the module table).

    >>> infer_kind(pa.chunked_array([[1.5, 2.0, None]]))
    <ColumnKind.NUMERIC: 'numeric'>
    >>> infer_kind(pa.chunked_array([[1, 2, 2, 3]]))
    <ColumnKind.CATEGORICAL: 'categorical'>
    """
    family = value_family(column.type)
    if family == "empty" or column.null_count == len(column):
        return ColumnKind.EMPTY
    if family == "boolean":
        return ColumnKind.BOOLEAN
    if family == "datetime":
        return ColumnKind.DATETIME
    if pa.types.is_dictionary(column.type) and family in ("numeric", "text"):
        return ColumnKind.CATEGORICAL  # an explicit categorical dtype (pandas, polars)
    if family == "numeric":
        if pa.types.is_integer(column.type) and _distinct(column) <= MAX_INTEGER_LEVELS:
            return ColumnKind.CATEGORICAL
        return ColumnKind.NUMERIC
    if family == "text":
        distinct = _distinct(column)
        valid = len(column) - column.null_count
        if distinct > TEXT_MIN_LEVELS and distinct > TEXT_MIN_DISTINCT_SHARE * valid:
            return ColumnKind.TEXT
        return ColumnKind.CATEGORICAL
    return ColumnKind.UNSUPPORTED


_KIND_FAMILIES = {
    ColumnKind.NUMERIC: {"numeric"},
    ColumnKind.CATEGORICAL: {"numeric", "text", "boolean"},
    ColumnKind.BOOLEAN: {"boolean"},
    ColumnKind.TEXT: {"text"},
    ColumnKind.DATETIME: {"datetime"},
}


def check_kind(name: str, kind: ColumnKind, column: pa.ChunkedArray) -> None:
    """Raise :class:`SchemaError` if ``column`` cannot be treated as ``kind`` (an override).

    >>> check_kind("age", ColumnKind.NUMERIC, pa.chunked_array([["n/a"]]))
    Traceback (most recent call last):
    ...
    shiftwatch.errors.SchemaError: Column 'age' cannot be treated as numeric: it holds text values.
    """
    family = value_family(column.type)
    allowed = _KIND_FAMILIES.get(kind)
    if family == "empty" or allowed is None or family in allowed:
        return
    raise SchemaError(
        f"Column {name!r} cannot be treated as {kind.value}: it holds {family} values."
    )


def check_same_family(name: str, reference: pa.ChunkedArray, current: pa.ChunkedArray) -> None:
    """Raise :class:`SchemaError` if a column holds another family of values in the current data.

    A column that is all null on one side fits any family.

    >>> check_same_family("age", pa.chunked_array([[31, 40]]), pa.chunked_array([["31", "n/a"]]))
    Traceback (most recent call last):
    ...
    shiftwatch.errors.SchemaError: Column 'age' holds numeric values in the reference but text in the current data.
    """  # noqa: E501
    families = [
        "empty" if column.null_count == len(column) else value_family(column.type)
        for column in (reference, current)
    ]
    if "empty" in families or families[0] == families[1]:
        return
    raise SchemaError(
        f"Column {name!r} holds {families[0]} values in the reference but {families[1]} "
        "in the current data."
    )


@dataclass(frozen=True)
class NumericValues:
    """The finite values of a numeric column, sorted, with counts of what was left out."""

    sorted: FloatArray
    n_missing: int
    n_infinite: int

    @property
    def n_excluded(self) -> int:
        """Values that cannot enter a distribution test: null, NaN or infinite."""
        return self.n_missing + self.n_infinite


def numeric_values(column: pa.ChunkedArray) -> NumericValues:
    """Sorted finite float64 values of a numeric column; nulls and NaN count as missing.

    >>> values = numeric_values(pa.chunked_array([[3.0, None, 1.0, float("inf")]]))
    >>> values.sorted.tolist(), values.n_missing, values.n_infinite
    ([1.0, 3.0], 1, 1)
    """
    as_float = column if column.type == pa.float64() else column.cast(pa.float64(), safe=False)
    values = np.sort(np.asarray(as_float.to_numpy(), dtype=np.float64))  # nulls arrive as NaN
    # Sorted, the non-finite values sit at the ends: -inf first, then +inf, then NaN.
    if np.isfinite(values[0]) and np.isfinite(values[-1]):
        return NumericValues(values, 0, 0)
    first = int(np.searchsorted(values, -np.inf, side="right"))
    last = int(np.searchsorted(values, np.inf, side="left"))
    n_nan = int(np.isnan(values[last:]).sum())
    return NumericValues(values[first:last], n_nan, values.size - (last - first) - n_nan)


@dataclass(frozen=True)
class CategoryCounts:
    """How often each category occurs in a column; null (and float NaN) count as missing."""

    counts: dict[Any, int]
    n_missing: int


def category_counts(column: pa.ChunkedArray) -> CategoryCounts:
    """Count the categories of a column.

    >>> category_counts(pa.chunked_array([["a", "b", "a", None]]))
    CategoryCounts(counts={'a': 2, 'b': 1}, n_missing=1)
    """
    column = _decoded(column)
    n_missing = missing_count(column)
    if pa.types.is_floating(column.type):
        column = column.filter(pc.invert(pc.is_nan(column)))
    tallies = pc.value_counts(column)
    counts = {
        value: count
        for value, count in zip(
            tallies.field("values").to_pylist(), tallies.field("counts").to_pylist(), strict=True
        )
        if value is not None
    }
    return CategoryCounts(counts, n_missing)


def missing_count(column: pa.ChunkedArray) -> int:
    """Nulls, plus NaN in floating columns.

    >>> missing_count(pa.chunked_array([[1.0, None, float("nan")]]))
    2
    """
    if pa.types.is_floating(column.type):
        return int(column.null_count) + int(pc.sum(pc.is_nan(column)).as_py() or 0)
    return int(column.null_count)
