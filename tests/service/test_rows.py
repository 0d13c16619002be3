"""Rows of JSON values as a table typed like the reference: complete rows, missing columns,
bad values, and the edge cases of one column and no rows."""

import pyarrow as pa
import pytest

from shiftwatch.profile import Profile
from shiftwatch.service.rows import rows_to_table


@pytest.fixture(scope="module")
def reference() -> Profile:
    return Profile.from_data({"age": [31.0, 45.0], "visits": [1, 3], "plan": ["a", "b"]})


def test_complete_rows_keep_their_values_and_the_references_types(reference: Profile) -> None:
    rows = [{"plan": "b", "age": 40, "visits": 2}, {"age": 1.5, "visits": 7, "plan": "a"}]
    table, counts = rows_to_table(rows, reference)
    assert table.schema == pa.schema(
        [("age", pa.float64()), ("visits", pa.int64()), ("plan", pa.string())]
    )
    assert table.to_pydict() == {"age": [40.0, 1.5], "visits": [2, 7], "plan": ["b", "a"]}
    assert not counts


def test_a_missing_column_is_null_and_a_bad_value_is_null_and_counted(reference: Profile) -> None:
    rows = [{"age": 40.0, "plan": "a"}, {"age": "old", "visits": 2.5, "plan": None}]
    table, counts = rows_to_table(rows, reference)
    assert table.to_pydict() == {"age": [40.0, None], "visits": [None, None], "plan": ["a", None]}
    assert counts == {("age", "type"): 1, ("visits", "type"): 1}


def test_a_fraction_in_an_integer_column_is_a_type_violation_not_truncated(
    reference: Profile,
) -> None:
    # Arrow would store 2.5 as 2; a whole float (4.0) is the integer it says
    rows = [{"visits": 2.5}, {"visits": 4.0}, {"visits": 5}, {"visits": float("nan")}]
    table, counts = rows_to_table(rows, reference)
    assert table.column("visits").to_pylist() == [None, 4, 5, None]
    assert counts == {("visits", "type"): 1}


def test_one_column_and_no_rows() -> None:
    single = Profile.from_data({"x": [1.0, 2.0]})
    table, _ = rows_to_table([{"x": 3.0}, {"y": 1}], single)
    assert table.to_pydict() == {"x": [3.0, None]}
    empty, counts = rows_to_table([], single)
    assert empty.num_rows == 0 and empty.column_names == ["x"] and not counts
