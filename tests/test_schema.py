import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import shiftwatch as sw
from shiftwatch.cli import app
from shiftwatch.columns import ColumnKind
from shiftwatch.errors import FormatError, InvalidParameterError, NoDataError, SchemaError
from shiftwatch.profile import Profile
from shiftwatch.schema import ColumnRule, Schema, ValidationResult, Violation

N_ROWS = 5000
START = dt.datetime(2024, 1, 1)


def mixed_reference(n: int = N_ROWS, seed: int = 0) -> pa.Table:
    """A realistic table: every family, with nulls, NaN and infinities where they belong."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, n).astype(object)
    age[rng.random(n) < 0.05] = None
    score = rng.normal(size=n)
    score[rng.random(n) < 0.02] = np.nan
    score[:3] = [np.inf, -np.inf, np.inf]
    city = rng.choice(["Oslo", "Lima", "Pune", "Kyiv"], n).astype(object)
    city[rng.random(n) < 0.1] = None
    minutes = rng.integers(0, 500_000, n)
    return pa.table(
        {
            "age": pa.array(age.tolist(), pa.int64()),
            "income": rng.lognormal(10, 1, n),
            "score": pa.array(score, from_pandas=False),
            "plan": pa.array(rng.choice(["basic", "pro", "team"], n)).dictionary_encode(),
            "city": pa.array(city.tolist(), pa.string()),
            "user": [f"user-{i:0{1 + i % 7}d}" for i in range(n)],
            "member": rng.random(n) < 0.3,
            "kids": rng.integers(0, 4, n),
            "signup": pa.array([START + dt.timedelta(minutes=int(m)) for m in minutes]),
            "embedding": pa.array(list(rng.normal(size=(n, 4)).astype(np.float32))),
            "pixels": pa.array(
                rng.integers(0, 255, (n, 2, 3)).tolist(), pa.list_(pa.list_(pa.uint8(), 3), 2)
            ),
        }
    )


@pytest.fixture(scope="module")
def reference() -> pa.Table:
    return mixed_reference()


@pytest.fixture(scope="module")
def schema(reference: pa.Table) -> Schema:
    return Schema.infer(reference)


def found(violations: list[Violation]) -> list[tuple[int | None, str, str, Any]]:
    return [(v.row, v.column, v.rule, v.value) for v in violations]


def with_value(table: pa.Table, column: str, row: int, value: Any, type_: Any = None) -> pa.Table:
    """The first ten rows of ``table`` with one value replaced (and the column's type, if given)."""
    batch = table.slice(0, 10)
    values = batch.column(column).combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    items = values.to_pylist()
    items[row] = value
    index = batch.schema.get_field_index(column)
    return batch.set_column(index, column, pa.array(items, type_ or values.type))


# the reference passes its own rules ----------------------------------------------------


def test_the_rules_of_a_mixed_reference(schema: Schema) -> None:
    rules = schema.columns
    assert rules["age"].kind == ColumnKind.NUMERIC and rules["age"].integer
    assert rules["age"].nullable and rules["age"].minimum is not None
    assert not rules["income"].nullable and not rules["income"].allow_inf
    assert rules["score"].allow_nan and rules["score"].allow_inf
    assert rules["plan"].categories == {"basic", "pro", "team"} and rules["plan"].minimum is None
    assert rules["city"].nullable and rules["city"].categories == {"Oslo", "Lima", "Pune", "Kyiv"}
    assert rules["user"].kind == ColumnKind.TEXT and rules["user"].categories is None
    assert (rules["user"].min_length, rules["user"].max_length) == (5, 13)  # 6..12, widened
    assert rules["member"].categories == {True, False}
    assert rules["kids"].categories == {0, 1, 2, 3}
    assert rules["signup"].data_type == "timestamp[us]" and rules["signup"].maximum is not None
    assert (rules["embedding"].shape, rules["embedding"].item_type) == ((4,), "float")
    assert (rules["pixels"].shape, rules["pixels"].item_type) == ((2, 3), "uint8")


def test_a_reference_has_no_violations_against_its_own_schema(reference, schema) -> None:
    result = schema.check(reference)
    assert result.ok and result.violations == () and result.counts == {}
    assert (result.n_rows, result.n_invalid_rows, result.n_violations) == (N_ROWS, 0, 0)


def test_a_reference_read_from_pandas_and_csv_passes_its_own_schema(tmp_path) -> None:
    table = mixed_reference().drop_columns(["embedding", "pixels"])
    frame = table.to_pandas()
    assert Schema.infer(frame).check(frame).ok
    path = tmp_path / "reference.csv"
    pa_csv.write_csv(table, path)
    assert Schema.infer(path).check(path).ok
    assert Schema.infer(path).check(table.slice(0, 100)).ok  # Arrow values, CSV rules


def test_a_profile_gives_the_same_rules_as_the_data(tmp_path) -> None:
    table = mixed_reference(1000).drop_columns(["embedding"])
    profile = Profile.from_data(table)
    profile.save(tmp_path / "ref.swp")
    assert Schema.infer(table) == Schema.from_profile(profile) == Schema.infer(profile)
    assert Schema.infer(Profile.load(tmp_path / "ref.swp")) == Schema.infer(table)


# each rule fires on the right row with the right value ---------------------------------


@pytest.mark.parametrize(
    ("column", "value", "type_", "rule"),
    [
        pytest.param("income", None, None, "null", id="null"),
        pytest.param("income", float("nan"), None, "nan", id="nan"),
        pytest.param("income", float("inf"), None, "inf", id="inf"),
        pytest.param("income", -1e9, None, "below_min", id="below_min"),
        pytest.param("age", 400, None, "above_max", id="above_max"),
        pytest.param("age", 30.5, pa.float64(), "type", id="fraction-in-integers"),
        pytest.param("plan", "gold", None, "unknown_category", id="unknown_text_category"),
        pytest.param("kids", 7, None, "unknown_category", id="unknown_number_category"),
        pytest.param("city", "Rome", None, "unknown_category", id="unknown_category_with_nulls"),
        pytest.param("user", "u", None, "too_short", id="too_short"),
        pytest.param("user", "u" * 40, None, "too_long", id="too_long"),
        pytest.param("signup", dt.datetime(2031, 1, 1), None, "above_max", id="late_time"),
        pytest.param("signup", dt.datetime(2020, 1, 1), None, "below_min", id="early_time"),
        pytest.param("member", None, None, "null", id="null_boolean"),
        pytest.param("embedding", [1.0, 2.0], None, "shape", id="shape"),
    ],
)
def test_each_rule_fires_on_the_row_and_value_it_concerns(
    reference, schema, column, value, type_, rule
) -> None:
    batch = with_value(reference, column, 7, value, type_)
    violations = schema.validate(batch)
    assert [(v.row, v.column, v.rule) for v in violations] == [(7, column, rule)]
    got = violations[0].value
    if rule == "shape":
        assert got == len(value)
    elif isinstance(value, float) and math.isnan(value):
        assert math.isnan(got)
    else:
        assert got == value
    assert violations[0].message.startswith(f"Row 7, column '{column}': ")


def test_the_rows_the_rules_are_tried_on_pass_unchanged(reference, schema) -> None:
    assert schema.validate(reference.slice(0, 10)) == []


def test_the_messages_say_what_was_expected(reference, schema) -> None:
    [above] = schema.validate(with_value(reference, "age", 1, 400))
    assert (
        above.message
        == f"Row 1, column 'age': 400 is above the maximum, {schema.columns['age'].maximum!r}."
    )
    [unknown] = schema.validate(with_value(reference, "plan", 2, "gold"))
    assert unknown.message == (
        "Row 2, column 'plan': 'gold' is not a category of the reference ('basic', 'pro', 'team')."
    )
    [null] = schema.validate(with_value(reference, "income", 0, None))
    assert null.message == "Row 0, column 'income': null, but the reference has none."


def test_shapes_and_item_types_of_nested_lists(reference, schema) -> None:
    pixels = with_value(
        reference, "pixels", 4, [[1, 2, 3], [4, 5, 6, 7]], pa.list_(pa.list_(pa.uint8()))
    )
    [deep] = schema.validate(pixels)
    assert found([deep]) == [(4, "pixels", "shape", 4)]
    assert deep.message == (
        "Row 4, column 'pixels': expected shape (2, 3), got a list of 4 values at depth 2."
    )
    floats = reference.slice(0, 10).set_column(
        9, "embedding", pa.array([[0.5] * 4] * 10, pa.list_(pa.float64(), 4))
    )
    assert found(schema.validate(floats)) == [(None, "embedding", "dtype", "double")]
    words = reference.slice(0, 3).set_column(9, "embedding", pa.array(["a", None, "c"]))
    assert [(v.row, v.rule) for v in schema.validate(words)] == [
        (0, "type"),
        (1, "null"),
        (2, "type"),
    ]


def test_variable_lists_get_a_shape_only_where_lengths_never_vary() -> None:
    frame = pd.DataFrame(
        {
            "embedding": [np.zeros(8, np.float32) for _ in range(50)],
            "tokens": [np.arange(1 + i % 5) for i in range(50)],
        }
    )
    schema = Schema.infer(frame)
    assert schema.columns["embedding"].shape == (8,)
    assert schema.columns["tokens"].shape == (None,)
    assert Schema.infer(Profile.from_data(frame)).columns["embedding"].shape == (None,)
    batch = pd.DataFrame(
        {"embedding": [np.zeros(8, np.float32), np.zeros(7, np.float32)], "tokens": [[1] * 9] * 2}
    )
    assert found(schema.validate(batch)) == [(1, "embedding", "shape", 7)]


def test_a_reference_of_one_boolean_value_makes_the_other_unknown() -> None:
    schema = Schema.infer({"ok": [True] * 5})
    assert found(schema.validate({"ok": [True, False]})) == [(1, "ok", "unknown_category", False)]


# tolerance ------------------------------------------------------------------------------


def test_tolerance_widens_the_range_by_a_share_of_it_on_each_side() -> None:
    data = {"x": np.linspace(0.0, 100.0, 101)}
    wide = Schema.infer(data, rate=None)
    assert (wide.columns["x"].minimum, wide.columns["x"].maximum) == (-10.0, 110.0)
    assert wide.validate({"x": [-10.0, 110.0]}) == []
    assert found(wide.validate({"x": [-10.5, 110.5]})) == [
        (0, "x", "below_min", -10.5),
        (1, "x", "above_max", 110.5),
    ]
    exact = Schema.infer(data, tolerance=0, rate=None)
    assert found(exact.validate({"x": [0.0, 100.0, 100.5]})) == [(2, "x", "above_max", 100.5)]
    assert Schema.infer(data, tolerance=1.0, rate=None).columns["x"].maximum == 200.0


@pytest.mark.parametrize("tolerance", [-0.1, float("nan"), float("inf"), "0.1", True])
def test_a_bad_tolerance_raises(tolerance) -> None:
    with pytest.raises(InvalidParameterError, match=r"'tolerance' parameter of Schema\.infer"):
        Schema.infer({"x": [1.0, 2.0]}, tolerance=tolerance)


# counting beyond what is recorded ------------------------------------------------------


def test_violations_are_capped_per_rule_and_counted_in_full_across_chunks() -> None:
    schema = Schema.infer({"x": np.arange(100.0), "y": np.arange(100.0)})
    n = 200_000  # more than three chunks of rows
    x = np.full(n, 50.0)
    x[::1000] = 1e6  # 200 rows above the maximum
    y = np.full(n, 50.0)
    y[5] = np.nan
    result = schema.check({"x": x, "y": y}, max_per_rule=100)
    assert result.counts == {("x", "above_max"): 200, ("y", "null"): 1}
    assert (result.n_violations, result.n_invalid_rows, result.n_rows) == (201, 201, n)
    rows = [v.row for v in result.violations if v.column == "x"]
    assert rows == list(range(0, 100_000, 1000))  # the first 100, numbered across chunks
    assert [v.row for v in result.violations][:3] == [0, 5, 1000]  # sorted by row
    assert schema.validate({"x": x, "y": y}, max_per_rule=3) == list(
        schema.check({"x": x, "y": y}, max_per_rule=3).violations
    )
    counted = schema.check({"x": x, "y": y}, max_per_rule=0)
    assert counted.violations == () and counted.n_violations == 201 and not counted.ok


@pytest.mark.parametrize("max_per_rule", [-1, 1.5, None])
def test_a_bad_max_per_rule_raises(max_per_rule) -> None:
    schema = Schema.infer({"x": [1.0, 2.0]})
    with pytest.raises(InvalidParameterError, match=r"'max_per_rule' parameter of Schema\.check"):
        schema.check({"x": [1.0]}, max_per_rule=max_per_rule)


# columns --------------------------------------------------------------------------------


def test_missing_and_unexpected_columns_are_column_level_violations(reference, schema) -> None:
    batch = (
        with_value(reference, "age", 2, 400)
        .drop_columns(["plan"])
        .append_column("extra", pa.array(range(10)))
    )
    violations = schema.validate(batch)
    assert found(violations) == [
        (None, "plan", "missing_column", None),
        (None, "extra", "unexpected_column", None),
        (2, "age", "above_max", 400),
    ]
    assert violations[0].message == "Column 'plan' is missing."
    assert violations[1].message == "Column 'extra' is not in the reference."


# text read where numbers, times and booleans were expected ----------------------------


def test_a_csv_with_words_in_a_number_column_gives_type_violations(tmp_path) -> None:
    (tmp_path / "ref.csv").write_text(
        "age,score,when,ok,city\n"
        "31,1.5,2024-01-01 10:00:00,true,Oslo\n"
        "45, 2.5,2024-01-02 10:00:00,false,Lima\n"
        "52,4.0,2024-01-03 10:00:00,true,Oslo\n"
    )
    (tmp_path / "cur.csv").write_text(
        "age,score,when,ok,city\n"
        "n/a,1.5,2024-01-01 10:00:00,TRUE,Oslo\n"
        "twelve,x,yesterday,maybe,7\n"
        "45.5,2.5,2024-13-01 10:00:00,1,Lima\n"
        "52,2e0,2024-01-02T10:00:00,0,Oslo\n"
    )
    schema = Schema.infer(tmp_path / "ref.csv")
    assert schema.check(tmp_path / "ref.csv").ok
    violations = schema.validate(tmp_path / "cur.csv")
    assert found(violations) == [
        (0, "age", "null", None),  # the CSV reader reads "n/a" as missing
        (1, "age", "type", "twelve"),
        (1, "score", "type", "x"),
        (1, "when", "type", "yesterday"),
        (1, "ok", "type", "maybe"),
        (1, "city", "unknown_category", "7"),
        (2, "age", "type", 45.5),
        (2, "when", "type", "2024-13-01 10:00:00"),
    ]
    assert violations[1].message == "Row 1, column 'age': expected a number, got 'twelve'."


def test_text_batches_from_memory_are_parsed_too(reference, schema) -> None:
    batch = pa.table(
        {
            "income": ["30000", "1e4", "n/a", None],
            "signup": ["2024-02-01", "2024-03-01 12:00:00", "soon", "2024-02-30"],
            "member": ["True", "false", "0", "yes"],
        }
    )
    result = Schema({n: schema.columns[n] for n in batch.column_names}).check(batch)
    assert [(v.row, v.column, v.rule, v.value) for v in result.violations] == [
        (2, "income", "type", "n/a"),
        (2, "signup", "type", "soon"),
        (3, "income", "null", None),
        (3, "signup", "type", "2024-02-30"),
        (3, "member", "type", "yes"),
    ]


def test_time_text_is_parsed_at_a_fine_unit_and_with_the_reference_zone() -> None:
    naive = Schema.infer(
        pa.table({"t": pa.array([START, START.replace(day=9)], pa.timestamp("s"))})
    )
    text = pa.table({"t": ["2024-01-02 10:00:00.25", "2024-01-02T10:00:00Z", "2024-01-02T10"]})
    assert found(naive.validate(text)) == [(1, "t", "type", "2024-01-02T10:00:00Z")]
    aware = Schema.infer(
        pa.table({"t": pa.array([START, START.replace(day=9)], pa.timestamp("ms", "UTC"))})
    )
    text = pa.table(
        {"t": ["2024-01-02T10:00:00+01:00", "2024-01-02 10:00:00", "2024-03-01T00:00Z"]}
    )
    [naive_text, late] = aware.validate(text)
    assert (naive_text.row, naive_text.rule, late.row, late.rule) == (1, "type", 2, "above_max")
    assert late.value == dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    dates = Schema.infer(  # date32 columns cannot be profiled yet
        pa.table({"d": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 11)], pa.date64())})
    )
    assert found(dates.validate({"d": ["2024-01-05", "2024-01-05 10:00", "2024-02-01"]})) == [
        (1, "d", "type", "2024-01-05 10:00"),
        (2, "d", "above_max", dt.date(2024, 2, 1)),
    ]


def test_times_in_another_unit_are_compared_as_instants() -> None:
    seconds = pa.array([START, START + dt.timedelta(days=10)], pa.timestamp("s"))
    schema = Schema.infer(pa.table({"t": seconds}), tolerance=0)
    nanos = pa.array(
        [START + dt.timedelta(days=5), START + dt.timedelta(days=11)], pa.timestamp("ns")
    )
    assert found(schema.validate(pa.table({"t": nanos}))) == [
        (1, "t", "above_max", pd.Timestamp(START + dt.timedelta(days=11)))
    ]
    dates = pa.array([dt.date(2023, 12, 31), dt.date(2024, 1, 5)], pa.date32())
    [early] = schema.validate(pa.table({"t": dates}))
    assert (early.row, early.rule, early.value) == (0, "below_min", dt.date(2023, 12, 31))
    assert early.message.endswith("is below the minimum, 2024-01-01.")


def test_numbers_where_text_was_expected_are_read_as_text() -> None:
    schema = Schema.infer({"zip": ["0150", "7010", "1234"]})
    assert found(schema.validate({"zip": [1234, 99]})) == [(1, "zip", "unknown_category", "99")]


# persisting -----------------------------------------------------------------------------


def test_to_dict_and_from_dict_round_trip_exactly_through_strict_json(schema) -> None:
    odd = Schema.infer(
        {
            "level": pa.array([1.0, 2.5, float("inf")]).dictionary_encode(),
            "empty": pa.nulls(3, pa.float64()),
        }
    )
    for original in (schema, odd):
        text = json.dumps(original.to_dict(), allow_nan=False)
        assert Schema.from_dict(json.loads(text)) == original
    assert odd.columns["level"].categories == {1.0, 2.5, math.inf}
    assert odd.columns["empty"] == ColumnRule("empty", ColumnKind.EMPTY, "empty", "null")


@pytest.mark.parametrize(
    ("state", "message"),
    [
        pytest.param({"format": "other"}, "not a shiftwatch schema", id="format"),
        pytest.param(
            {"format": "shiftwatch.schema", "version": 9}, "format version 9", id="version"
        ),
        pytest.param(
            {"format": "shiftwatch.schema", "version": 1, "tolerance": 0.1, "columns": [{}]},
            "damaged",
            id="damaged",
        ),
    ],
)
def test_from_dict_refuses_what_it_cannot_read(state, message) -> None:
    with pytest.raises(FormatError, match=message):
        Schema.from_dict(state)


# bad calls raise; the objects behave --------------------------------------------------


def test_bad_calls_raise_shiftwatch_errors(tmp_path) -> None:
    schema = Schema.infer({"x": [1.0, 2.0]})
    with pytest.raises(FormatError):
        schema.check(42)
    with pytest.raises(FormatError, match="no such file"):
        schema.check(tmp_path / "missing.parquet")
    (tmp_path / "empty.csv").write_text("x\n")
    with pytest.raises(NoDataError):
        schema.check(tmp_path / "empty.csv")
    with pytest.raises(NoDataError):
        Schema.infer({"x": []})
    (tmp_path / "twice.csv").write_text("x,x\n1,2\n")
    with pytest.raises(SchemaError, match="duplicated column names: \\['x'\\]"):
        schema.check(tmp_path / "twice.csv")


def test_results_are_frozen_and_export_from_the_package() -> None:
    schema = sw.Schema.infer({"x": [1.0, 2.0]})
    result = schema.check(pa.table({"x": [1.5, 9.0]}))
    assert isinstance(result, ValidationResult) and isinstance(result.violations[0], sw.Violation)
    with pytest.raises(AttributeError):
        result.violations[0].row = 3  # type: ignore[misc]
    assert repr(schema) == "Schema(columns=1, tolerance=0.1, rate=0.0001)"


# command line ---------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    table = mixed_reference(2000, seed=4).drop_columns(["embedding", "pixels"])
    Profile.from_data(table).save(tmp_path / "ref.swp")
    pq.write_table(table, tmp_path / "same.parquet")
    bad = table.to_pandas()
    bad.loc[3, "income"] = -1e9
    bad["age"] = bad["age"].astype(object)
    bad.loc[5, "age"] = "n/a?"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    return {
        "profile": tmp_path / "ref.swp",
        "same": tmp_path / "same.parquet",
        "bad": tmp_path / "bad.csv",
    }


def test_cli_validate_exits_0_on_the_reference(files) -> None:
    result = runner.invoke(
        app, ["validate", str(files["same"]), "--profile", str(files["profile"])]
    )
    assert result.exit_code == 0, result.output
    assert "no violations in 2,000 rows" in result.output


def test_cli_validate_exits_1_on_violations_and_writes_json(files, tmp_path) -> None:
    out = tmp_path / "v.json"
    result = runner.invoke(
        app, ["validate", str(files["bad"]), "-p", str(files["profile"]), "--json", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "VIOLATIONS: 2 in 2 of 2,000 rows" in result.output
    assert "below_min" in result.output and "'n/a?'" in result.output
    document = json.loads(out.read_text())
    assert document["format"] == "shiftwatch.violations/1" and document["ok"] is False
    assert [(v["row"], v["column"], v["rule"]) for v in document["violations"]] == [
        (3, "income", "below_min"),
        (5, "age", "type"),
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(["--tolerance", "-1"], "'tolerance' parameter", id="tolerance"),
        pytest.param(["--max-per-rule", "-1"], "'max_per_rule' parameter", id="max_per_rule"),
        pytest.param(["--json", "/no/such/folder/v.json"], "cannot write", id="json"),
    ],
)
def test_cli_validate_exits_2_on_bad_input(files, extra, message) -> None:
    result = runner.invoke(
        app, ["validate", str(files["bad"]), "-p", str(files["profile"]), *extra]
    )
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_cli_validate_exits_2_on_a_missing_profile_or_data(files, tmp_path) -> None:
    no_profile = runner.invoke(app, ["validate", str(files["same"]), "-p", str(tmp_path / "x.swp")])
    assert no_profile.exit_code == 2 and "Cannot read the profile" in no_profile.output
    no_data = runner.invoke(app, ["validate", str(tmp_path / "x.csv"), "-p", str(files["profile"])])
    assert no_data.exit_code == 2 and "Cannot read" in no_data.output


@pytest.mark.parametrize("seed", range(20))
def test_the_matrix_check_of_plain_numbers_agrees_with_the_column_checks(seed: int) -> None:
    # Columns drawn with NaN, infinities, fractions and values near random bounds; a column is
    # clean for the matrix check exactly when the one-by-one check finds nothing in it.
    from shiftwatch.schema.checks import Collector, check_column, clean_numbers

    rng = np.random.default_rng(seed)
    n_rows, rules, arrays = 30, [], []
    for j in range(12):
        values = rng.integers(-5, 6, n_rows).astype(np.float64)
        for special in (np.nan, np.inf, -np.inf, 0.5):
            if rng.random() < 0.2:
                values[rng.integers(n_rows)] = special
        low = None if rng.random() < 0.3 else float(rng.integers(-7, 0))
        high = None if rng.random() < 0.3 else float(rng.integers(0, 7))
        flags = rng.random(3) < 0.5
        rules.append(
            ColumnRule(
                f"c{j}",
                ColumnKind.NUMERIC,
                "numeric",
                "double",
                allow_nan=bool(flags[0]),
                allow_inf=bool(flags[1]),
                integer=bool(flags[2]),
                minimum=low,
                maximum=high,
            )
        )
        as_int = rng.random() < 0.3 and np.isfinite(values).all() and (values % 1 == 0).all()
        arrays.append(pa.array(values.astype(np.int64)) if as_int else pa.array(values))
    clean = clean_numbers(rules, arrays)
    for rule, array, is_clean in zip(rules, arrays, clean, strict=True):
        sink = Collector(max_per_rule=0)
        sink.start(n_rows)
        check_column(rule, array, sink)
        assert is_clean == (not sink.counts), (rule, array.to_pylist(), sink.counts)


def test_the_matrix_check_leaves_columns_with_nulls_or_categories_to_the_column_checks() -> None:
    from shiftwatch.schema.checks import clean_numbers

    plain = ColumnRule("x", ColumnKind.NUMERIC, "numeric", "double")
    coded = ColumnRule("y", ColumnKind.CATEGORICAL, "numeric", "int64", categories=frozenset({1}))
    text = ColumnRule("z", ColumnKind.CATEGORICAL, "text", "string")
    arrays = [pa.array([1.0, None]), pa.array([1, 1]), pa.array(["a", "b"])]
    assert clean_numbers([plain, coded, text], arrays) == [False, False, False]
    assert clean_numbers([plain], [pa.array([1.0, 2.0])]) == [True]
