"""Types reconciled per column, and bad values counted instead of stopping the comparison."""

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import shiftwatch as sw
from shiftwatch.reconcile import reconcile


def chunked(values, data_type=None) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array(values, data_type)])


@pytest.mark.parametrize(
    ("reference", "current", "family", "expected_current", "invalid"),
    [
        pytest.param(
            [1.5, 2.0],
            ["2.5", " 3 ", "abc", "NA"],
            "numeric",
            [2.5, 3.0, None, None],
            1,
            id="float-vs-text",
        ),
        pytest.param(
            [1, 2],
            ["7", "-8", "", "1e3"],
            "numeric",
            [7.0, -8.0, None, 1000.0],
            0,
            id="int-vs-text-with-exponent",
        ),
        pytest.param(
            [True, False],
            ["true", "No", "0", "maybe"],
            "boolean",
            [True, False, False, None],
            1,
            id="bool-vs-text",
        ),
        pytest.param(
            [datetime.date(2026, 1, 1)],
            ["2026-02-01", "2026-02-01T10:00:00+02:00", "soon", "2026-13-45"],
            "datetime",
            [datetime.datetime(2026, 2, 1), datetime.datetime(2026, 2, 1, 8), None, None],
            2,
            id="date-vs-iso-text",
        ),
    ],
)
def test_text_side_is_read_as_the_other_sides_family(
    reference, current, family, expected_current, invalid
) -> None:
    both = reconcile("x", chunked(reference), chunked(current))
    assert both.family == family
    assert both.current.to_pylist() == expected_current
    assert both.invalid_current.count == invalid and both.invalid_reference.count == 0


def test_mostly_numeric_text_on_both_sides_is_numeric() -> None:
    reference = [str(i) for i in range(99)] + ["n/a", "oops"]
    current = [str(i + 0.5) for i in range(100)]
    both = reconcile("x", chunked(reference), chunked(current))
    assert both.family == "numeric" and both.reference.type == pa.float64()
    assert both.invalid_reference.count == 1  # "n/a" is a missing value, "oops" invalid
    assert both.invalid_reference.examples[0].row == 100


def test_all_numeric_text_stays_text_ids_are_not_numbers() -> None:
    ids = [str(10**9 + i) for i in range(50)]
    assert reconcile("id", chunked(ids), chunked(ids)).family == "text"


def test_timezones_and_units_become_utc_microseconds() -> None:
    aware = chunked([datetime.datetime(2026, 1, 1, 5)], pa.timestamp("ns", "Europe/Oslo"))
    both = reconcile("at", aware, chunked(["2026-01-01T06:00:00+01:00"]))  # 05:00 UTC
    assert both.reference.to_pylist() == both.current.to_pylist()
    assert both.reference.type == pa.timestamp("us")


def test_compare_counts_one_bad_value_among_fifty_and_names_its_row() -> None:
    rng = np.random.default_rng(3)
    current = [f"{v:.3f}" for v in rng.normal(size=50)]
    current[17] = "abc"
    column = sw.compare({"x": rng.normal(size=50)}, {"x": current}).columns["x"]
    assert column.kind == sw.ColumnKind.NUMERIC and column.test == "ks"
    assert column.n_current == 50 and column.invalid_current == 1
    assert column.missing_current == 0 and column.check("missing") is None
    invalid = column.check("invalid")
    assert invalid is not None and not invalid.drifted
    assert "row 17: 'abc'" in column.reason


def test_many_bad_values_are_drift_of_their_own() -> None:
    rng = np.random.default_rng(4)
    current = np.where(rng.random(1000) < 0.1, "error", rng.normal(size=1000).astype(str))
    report = sw.compare({"x": rng.normal(size=1000)}, {"x": current})
    invalid = report.columns["x"].check("invalid")
    assert invalid is not None and invalid.drifted
    assert invalid.result.effect == pytest.approx(np.mean(current == "error"))


def test_a_date_column_from_parquet_and_csv_is_compared(tmp_path) -> None:
    dates = pd.date_range("2026-01-01", periods=300, freq="D")
    rng = np.random.default_rng(5)
    pd.DataFrame({"day": dates, "y": rng.normal(size=300)}).to_parquet(tmp_path / "ref.parquet")
    text = dates.strftime("%Y-%m-%dT%H:%M:%S").tolist()
    text[3] = "not a date"
    pd.DataFrame({"day": text, "y": rng.normal(size=300)}).to_csv(tmp_path / "cur.csv", index=False)
    report = sw.compare(tmp_path / "ref.parquet", tmp_path / "cur.csv")
    day = report.columns["day"]
    assert day.kind == sw.ColumnKind.DATETIME and day.invalid_current == 1
    assert "row 3: 'not a date'" in day.reason
    assert report.columns["y"].test == "ks"


def test_int_and_float_and_dictionary_sides_are_compared_with_a_note() -> None:
    codes = ["a", "b", "c"] * 30
    report = sw.compare(
        {"n": np.arange(90), "c": codes},
        {"n": np.arange(90.0), "c": pd.Categorical(codes)},
    )
    assert "types differ (reference int64, current double)" in report.columns["n"].note
    assert report.columns["c"].kind == sw.ColumnKind.CATEGORICAL and not report.drifted


def test_a_column_missing_from_one_side_still_stops_the_comparison() -> None:
    with pytest.raises(sw.SchemaError, match=r"Pass columns=\['b'\]"):
        sw.compare({"a": [1.0], "b": [2.0]}, {"b": [2.0]})
