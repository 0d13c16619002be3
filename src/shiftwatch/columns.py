"""Column kinds, their inference from reference data, and the values each kind is tested on.

| kind        | inferred from                                                | tested            |
|-------------|--------------------------------------------------------------|-------------------|
| numeric     | floats, decimals; integers with more than 20 distinct values | yes               |
| categorical | integers with at most 20 distinct values; strings otherwise  | yes               |
| boolean     | booleans                                                     | yes               |
| text        | strings with > 100 distinct values, over half the rows (ids) | mean length       |
| datetime    | timestamps, dates, times, durations                          | yes: as numbers   |
| empty       | no value at all in the reference (the current decides)       | missing rate only |
| unsupported | lists, structs and other nested types                        | missing rate only |

Any kind can be overridden per column (``kinds={"zip": "categorical"}``).
"""

from collections.abc import Callable
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


TESTED_KINDS = frozenset(
    {
        ColumnKind.NUMERIC,
        ColumnKind.CATEGORICAL,
        ColumnKind.BOOLEAN,
        ColumnKind.DATETIME,
    }
)


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


def decoded(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Plain values for compute kernels: dictionaries decoded, string views as strings.

    >>> decoded(pa.chunked_array([pa.array(["a", "b"]).dictionary_encode()])).type
    DataType(string)
    """
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_string_view(column.type):
        column = column.cast(pa.large_string())
    return column


def _distinct(column: pa.ChunkedArray) -> int:
    return int(pc.count_distinct(decoded(column), mode="only_valid").as_py())


def infer_kind(column: pa.ChunkedArray) -> ColumnKind:
    """Infer the kind of a column from its values (see the module table).

    >>> infer_kind(pa.chunked_array([[1.5, 2.0, None]]))
    <ColumnKind.NUMERIC: 'numeric'>
    >>> infer_kind(pa.chunked_array([[1, 2, 2, 3]]))
    <ColumnKind.CATEGORICAL: 'categorical'>
    """
    return kind_from_summary(
        column_family(column),
        dictionary=pa.types.is_dictionary(column.type),
        integer=is_integer_type(column.type),
        n_valid=len(column) - column.null_count,
        distinct=lambda: _distinct(column),
    )


def is_integer_type(data_type: pa.DataType) -> bool:
    """Whether values are integers (dictionary-encoded or not).

    >>> is_integer_type(pa.dictionary(pa.int8(), pa.int64())), is_integer_type(pa.float32())
    (True, False)
    """
    if pa.types.is_dictionary(data_type):
        return is_integer_type(data_type.value_type)
    return bool(pa.types.is_integer(data_type))


def kind_from_summary(
    family: str, *, dictionary: bool, integer: bool, n_valid: int, distinct: Callable[[], int]
) -> ColumnKind:
    """The kind of a column from what a summary knows: its value family and level count.

    ``distinct`` is called only when the count decides, since counting can cost a pass.

    >>> kind_from_summary("text", dictionary=False, integer=False, n_valid=1000,
    ...                   distinct=lambda: 900)
    <ColumnKind.TEXT: 'text'>
    """
    if family == "empty" or n_valid == 0:
        return ColumnKind.EMPTY
    if family == "boolean":
        return ColumnKind.BOOLEAN
    if family == "datetime":
        return ColumnKind.DATETIME
    if dictionary and family in ("numeric", "text"):
        return ColumnKind.CATEGORICAL  # an explicit categorical dtype (pandas, polars)
    if family == "numeric":
        if integer and distinct() <= MAX_INTEGER_LEVELS:
            return ColumnKind.CATEGORICAL
        return ColumnKind.NUMERIC
    if family == "text":
        levels = distinct()
        if levels > TEXT_MIN_LEVELS and levels > TEXT_MIN_DISTINCT_SHARE * n_valid:
            return ColumnKind.TEXT
        return ColumnKind.CATEGORICAL
    return ColumnKind.UNSUPPORTED


def column_family(column: pa.ChunkedArray | pa.Array) -> str:
    """:func:`value_family` of a column's type, or "empty" when every value is null.

    >>> column_family(pa.chunked_array([[None, None]], type=pa.float64()))
    'empty'
    """
    if column.null_count == len(column):
        return "empty"
    return value_family(column.type)


_KIND_FAMILIES = {
    ColumnKind.NUMERIC: {"numeric"},
    ColumnKind.CATEGORICAL: {"numeric", "text", "boolean"},
    ColumnKind.BOOLEAN: {"boolean"},
    ColumnKind.TEXT: {"text"},
    ColumnKind.DATETIME: {"datetime"},
}


def check_kind(name: str, kind: ColumnKind, family: str) -> None:
    """Raise :class:`SchemaError` if values of ``family`` cannot be treated as ``kind``.

    >>> check_kind("age", ColumnKind.NUMERIC, "text")
    Traceback (most recent call last):
    ...
    shiftwatch.errors.SchemaError: Column 'age' cannot be treated as numeric: it holds text values.
    """
    allowed = _KIND_FAMILIES.get(kind)
    if family == "empty" or allowed is None or family in allowed:
        return
    raise SchemaError(
        f"Column {name!r} cannot be treated as {kind.value}: it holds {family} values."
    )


def check_same_family(name: str, reference_family: str, current_family: str) -> None:
    """Raise :class:`SchemaError` if a column holds another family of values in the current data.

    A column that is all null on one side ("empty") fits any family.

    >>> check_same_family("age", "numeric", "text")
    Traceback (most recent call last):
    ...
    shiftwatch.errors.SchemaError: Column 'age' holds numeric values in the reference but text in the current data.
    """  # noqa: E501
    families = (reference_family, current_family)
    if "empty" in families or reference_family == current_family:
        return
    raise SchemaError(
        f"Column {name!r} holds {reference_family} values in the reference but {current_family} "
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
    """Sorted finite float64 values of a numeric (or temporal) column; null and NaN: missing.

    >>> values = numeric_values(pa.chunked_array([[3.0, None, 1.0, float("inf")]]))
    >>> values.sorted.tolist(), values.n_missing, values.n_infinite
    ([1.0, 3.0], 1, 1)
    """
    if pa.types.is_temporal(column.type):  # the integers Arrow stores (us for compare's)
        column = column.cast(pa.int64())
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


@dataclass(frozen=True)
class CategoryTally:
    """The distinct values of a column and their counts, as Arrow arrays (no missing value)."""

    values: pa.Array
    counts: pa.Array
    n_missing: int


def category_tally(column: pa.ChunkedArray) -> CategoryTally:
    """Tally the categories of a column without leaving Arrow.

    >>> tally = category_tally(pa.chunked_array([["a", "b", "a", None]]))
    >>> tally.values.to_pylist(), tally.counts.to_pylist(), tally.n_missing
    (['a', 'b'], [2, 1], 1)
    """
    column = decoded(column)
    n_missing = missing_count(column)
    if pa.types.is_floating(column.type):
        column = column.filter(pc.invert(pc.is_nan(column)))
    tallies = pc.value_counts(column.drop_null())
    return CategoryTally(tallies.field("values"), tallies.field("counts"), n_missing)


def category_counts(column: pa.ChunkedArray) -> CategoryCounts:
    """Count the categories of a column.

    >>> category_counts(pa.chunked_array([["a", "b", "a", None]]))
    CategoryCounts(counts={'a': 2, 'b': 1}, n_missing=1)
    """
    tally = category_tally(column)
    pairs = zip(tally.values.to_pylist(), tally.counts.to_pylist(), strict=True)
    return CategoryCounts(dict(pairs), tally.n_missing)


def missing_count(column: pa.ChunkedArray) -> int:
    """Nulls, plus NaN in floating columns.

    >>> missing_count(pa.chunked_array([[1.0, None, float("nan")]]))
    2
    """
    if pa.types.is_floating(column.type):
        return int(column.null_count) + int(pc.sum(pc.is_nan(column)).as_py() or 0)
    return int(column.null_count)
