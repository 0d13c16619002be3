import numpy as np
import pyarrow as pa
import pytest

from shiftwatch.columns import (
    CategoryCounts,
    ColumnKind,
    category_counts,
    check_kind,
    check_same_family,
    column_family,
    infer_kind,
    missing_count,
    numeric_values,
)
from shiftwatch.errors import SchemaError


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        pytest.param([1.5, 2.5, None], ColumnKind.NUMERIC, id="float"),
        pytest.param(list(range(21)), ColumnKind.NUMERIC, id="int-21-levels"),
        pytest.param(list(range(20)) * 2, ColumnKind.CATEGORICAL, id="int-20-levels"),
        pytest.param([True, False, None], ColumnKind.BOOLEAN, id="bool"),
        pytest.param(["a", "b", "a"], ColumnKind.CATEGORICAL, id="strings"),
        pytest.param([f"id-{i}" for i in range(101)], ColumnKind.TEXT, id="ids"),
        pytest.param([f"v{i % 101}" for i in range(1000)], ColumnKind.CATEGORICAL, id="101-levels"),
        pytest.param([None, None], ColumnKind.EMPTY, id="nulls"),
        pytest.param([[1, 2], [3]], ColumnKind.UNSUPPORTED, id="lists"),
    ],
)
def test_infer_kind(values, kind) -> None:
    assert infer_kind(pa.chunked_array([pa.array(values)])) == kind


def test_infer_kind_of_timestamps_and_dictionaries() -> None:
    stamps = pa.chunked_array([pa.array(np.arange(3).astype("datetime64[s]"))])
    assert infer_kind(stamps) == ColumnKind.DATETIME
    encoded = pa.chunked_array([pa.array(["a", "b", "a"]).dictionary_encode()])
    assert infer_kind(encoded) == ColumnKind.CATEGORICAL
    assert category_counts(encoded).counts == {"a": 2, "b": 1}


def test_numeric_values_separates_missing_and_infinite_across_chunks() -> None:
    column = pa.chunked_array([[3.0, None], [float("nan"), -float("inf"), 1.0]])
    values = numeric_values(column)
    assert values.sorted.tolist() == [1.0, 3.0]
    assert (values.n_missing, values.n_infinite, values.n_excluded) == (2, 1, 3)
    assert missing_count(column) == 2


def test_numeric_values_of_integers_are_floats() -> None:
    values = numeric_values(pa.chunked_array([[3, 1, None]]))
    assert values.sorted.dtype == np.float64 and values.sorted.tolist() == [1.0, 3.0]


def test_category_counts_treats_nan_as_missing_in_float_columns() -> None:
    counts = category_counts(pa.chunked_array([[1.0, 1.0, float("nan"), None, 2.0]]))
    assert counts.counts == {1.0: 2, 2.0: 1} and counts.n_missing == 2


def test_check_kind_accepts_compatible_families_and_refuses_others() -> None:
    check_kind("n", ColumnKind.CATEGORICAL, column_family(pa.chunked_array([[1.0]])))
    check_kind("n", ColumnKind.NUMERIC, column_family(pa.chunked_array([pa.nulls(2)])))
    with pytest.raises(SchemaError, match="Column 'flag' cannot be treated as boolean"):
        check_kind("flag", ColumnKind.BOOLEAN, column_family(pa.chunked_array([["yes"]])))


def test_check_same_family_allows_int_and_float_and_all_null_sides() -> None:
    def family(values: list) -> str:
        return column_family(pa.chunked_array([pa.array(values)]))

    check_same_family("n", family([1, 2]), family([1.5]))
    check_same_family("n", family([1, 2]), family([None, None]))
    with pytest.raises(SchemaError, match="holds numeric values in the reference but text"):
        check_same_family("n", family([1, 2]), family(["1"]))


def test_dictionary_columns_are_categorical_and_nan_in_them_is_missing() -> None:
    ints = pa.chunked_array([pa.array([1, 2, 3] * 50).dictionary_encode()])
    assert infer_kind(ints) == ColumnKind.CATEGORICAL
    floats = pa.chunked_array([pa.array([1.5, float("nan"), None]).dictionary_encode()])
    assert category_counts(floats) == CategoryCounts({1.5: 1}, 2)
    views = pa.chunked_array([pa.array(["x", "y", "x"], pa.string_view())])
    assert infer_kind(views) == ColumnKind.CATEGORICAL
    assert category_counts(views).counts == {"x": 2, "y": 1}


def test_integers_beyond_float_precision_are_numeric_values() -> None:
    big = pa.chunked_array([pa.array(np.arange(30, dtype=np.int64) + 2**60)])
    values = numeric_values(big)
    assert values.sorted.size == 30 and values.sorted[0] == float(2**60)
