import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from shiftwatch.errors import FormatError, SchemaError
from shiftwatch.io import to_table


def test_numeric_pandas_columns_are_not_copied() -> None:
    frame = pd.DataFrame({"a": np.arange(1000.0), "b": np.arange(1000.0)})
    table = to_table(frame)
    column = table.column("a").to_numpy()
    assert np.shares_memory(column, frame["a"].to_numpy())


def test_record_batch_and_polars() -> None:
    batch = pa.record_batch({"a": [1, 2]})
    assert to_table(batch).num_rows == 2
    assert to_table(pl.DataFrame({"a": [1, 2]})).column_names == ["a"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"a": [1, 2], "b": [1]}, "Column 'b' of the input data has 1 values", id="len"
        ),
        pytest.param({"a": np.zeros((2, 2))}, "must be one-dimensional", id="2d"),
        pytest.param({"a": [1, "x"]}, "Column 'a' of the input data cannot be read", id="mixed"),
    ],
)
def test_bad_mappings_raise_schema_errors(data, message) -> None:
    with pytest.raises(SchemaError, match=message):
        to_table(data)


def test_mixed_object_column_in_pandas_names_the_column() -> None:
    with pytest.raises(SchemaError, match=r"reference data frame cannot be read.*age"):
        to_table(pd.DataFrame({"age": [31, "n/a", 40.5]}), role="reference")


def test_duplicated_names_and_unknown_objects() -> None:
    with pytest.raises(SchemaError, match="duplicated column names: \\['a'\\]"):
        to_table(pa.table([pa.array([1]), pa.array([2])], names=["a", "a"]))
    with pytest.raises(FormatError, match="from a int"):
        to_table(3, role="current")


def test_keys_that_collide_as_names_are_refused() -> None:
    with pytest.raises(SchemaError, match="two columns named '0'"):
        to_table({0: [1.0], "0": [2.0]})


def test_polars_types_arrow_cannot_hold_are_schema_errors() -> None:
    frame = pl.DataFrame({"a": pl.Series(range(3), dtype=pl.Int128)})
    try:
        frame.to_arrow()
    except Exception:  # this polars cannot export Int128: shiftwatch must say so clearly
        with pytest.raises(SchemaError, match="polars data frame cannot be read"):
            to_table(frame)
    else:
        assert to_table(frame).num_rows == 3
