import importlib
import json
import math
import time

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from scipy import stats

import shiftwatch as sw
from shiftwatch.errors import InvalidParameterError, NoDataError, SchemaError


@pytest.fixture
def pair() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    reference = {
        "age": rng.normal(40, 10, 3000),
        "plan": rng.choice(["basic", "plus", "pro"], 3000, p=[0.6, 0.3, 0.1]),
        "member": rng.random(3000) < 0.3,
    }
    current = {
        "age": rng.normal(44, 10, 2500),
        "plan": rng.choice(["basic", "plus", "pro"], 2500, p=[0.4, 0.4, 0.2]),
        "member": rng.random(2500) < 0.3,
    }
    return reference, current


def test_columns_carry_scipy_values_and_the_holm_adjustment(pair) -> None:
    reference, current = pair
    report = sw.compare(reference, current, alpha=0.05)
    age = report.columns["age"]
    expected = stats.ks_2samp(reference["age"], current["age"])
    assert age.test == "ks"
    assert age.statistic == pytest.approx(expected.statistic, abs=1e-12)
    # far below any alpha, the asymptotic p-value stands in for the exact one
    assert age.p_value == pytest.approx(stats.kstwo.sf(expected.statistic, 1364), rel=1e-9)
    assert expected.pvalue < 1e-20
    distance = stats.wasserstein_distance(reference["age"], current["age"])
    assert age.effect == pytest.approx(distance / np.std(reference["age"]), rel=1e-9)
    plan = report.columns["plan"]
    table = [
        [int((reference["plan"] == c).sum()) for c in ("basic", "plus", "pro")],
        [int((current["plan"] == c).sum()) for c in ("basic", "plus", "pro")],
    ]
    assert plan.p_value == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue)
    scale = age.check("scale")
    assert scale is not None
    assert scale.result.p_value == pytest.approx(
        stats.levene(reference["age"], current["age"], center="median").pvalue
    )
    # Holm over the four p-values of the report (no missing values: three distribution
    # checks and the scale check of the numeric column).
    p_values = [report.columns[c].p_value for c in ("age", "plan", "member")]
    p_values.append(scale.result.p_value)
    order = np.argsort(p_values)
    holm = np.maximum.accumulate(np.array(p_values)[order] * np.arange(4, 0, -1)).clip(max=1)
    adjusted = [report.columns[c].adjusted_p_value for c in ("age", "plan", "member")]
    adjusted.append(scale.adjusted_p_value)
    for rank, index in enumerate(order):
        assert adjusted[index] == pytest.approx(holm[rank])
    assert report.drifted and set(report.drifted_columns) == {"age", "plan"}
    assert report.columns["member"].kind == sw.ColumnKind.BOOLEAN


@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda d: pd.DataFrame(d), id="pandas"),
        pytest.param(lambda d: pl.DataFrame(d), id="polars"),
        pytest.param(lambda d: pa.table(d), id="arrow"),
        pytest.param(lambda d: d, id="dict"),
    ],
)
def test_every_input_type_gives_the_same_report(pair, convert) -> None:
    reference, current = pair
    baseline = sw.compare(reference, current).to_dict()
    assert sw.compare(convert(reference), convert(current)).to_dict() == baseline


@pytest.mark.parametrize("suffix", ["csv", "parquet", "jsonl"])
def test_files_give_the_same_report_as_frames(pair, tmp_path, suffix) -> None:
    reference, current = (pd.DataFrame(d) for d in pair)
    paths = []
    for name, frame in (("reference", reference), ("current", current)):
        path = tmp_path / f"{name}.{suffix}"
        if suffix == "csv":
            frame.to_csv(path, index=False)
        elif suffix == "parquet":
            frame.to_parquet(path)
        else:
            frame.to_json(path, orient="records", lines=True)
        paths.append(path)
    from_files = sw.compare(*paths)
    from_frames = sw.compare(reference, current)
    for name in ("age", "plan", "member"):
        assert from_files.columns[name].p_value == pytest.approx(
            from_frames.columns[name].p_value, rel=1e-6
        )


def test_pipeline_emitting_nulls_is_flagged_by_the_missing_check() -> None:
    rng = np.random.default_rng(5)
    reference = {"score": rng.normal(size=2000)}
    values = rng.normal(size=2000)
    values[rng.random(2000) < 0.2] = np.nan
    column = sw.compare(reference, {"score": values}).columns["score"]
    missing = column.check("missing")
    assert missing is not None and missing.drifted
    assert column.missing_current == int(np.isnan(values).sum())
    assert missing.result.effect == pytest.approx(np.isnan(values).mean())
    assert column.drifted and not column.check("distribution").drifted


def test_all_null_current_column_is_drift_not_an_error() -> None:
    reference = {"score": np.arange(100.0)}
    current = {"score": np.full(100, np.nan)}
    column = sw.compare(reference, current).columns["score"]
    assert column.drifted and column.test is None
    assert "no usable value in the current data" in column.reason


def test_new_category_is_reported_and_drives_the_test() -> None:
    rng = np.random.default_rng(9)
    reference = {"region": rng.choice(["north", "south"], 5000)}
    current = {"region": np.concatenate([rng.choice(["north", "south"], 4500), ["mars"] * 500])}
    column = sw.compare(reference, current).columns["region"]
    assert column.new_categories == ("mars",)
    assert column.new_category_share == pytest.approx(0.1)
    assert column.drifted
    assert "never seen in the reference" in column.reason


def test_infinities_are_excluded_counted_and_said() -> None:
    rng = np.random.default_rng(2)
    current = rng.normal(size=500)
    current[:3] = np.inf
    report = sw.compare({"x": rng.normal(size=500)}, {"x": current})
    column = report.columns["x"]
    assert column.infinite_current == 3 and column.n_current == 500
    assert column.check("distribution").result.n_current == 497
    assert any("3 infinite value(s) in the current data" in note for note in report.notes)


def test_integer_columns_with_few_levels_are_categorical_and_overrides_apply() -> None:
    rng = np.random.default_rng(4)
    reference = {"calls": rng.poisson(1.5, 1000), "x": rng.normal(size=1000)}
    current = {"calls": rng.poisson(1.5, 1000), "x": rng.normal(size=1000)}
    report = sw.compare(reference, current)
    assert report.columns["calls"].kind == sw.ColumnKind.CATEGORICAL
    assert report.columns["calls"].test == "chi2"
    overridden = sw.compare(
        reference,
        current,
        kinds={"calls": "numeric"},
        tests={"x": "cvm"},
        thresholds={"x": 0.5},
    )
    assert overridden.columns["calls"].test == "ks"
    assert overridden.columns["x"].test == "cvm"
    assert overridden.columns["x"].threshold == 0.5
    expected = stats.cramervonmises_2samp(reference["x"], current["x"]).pvalue
    assert overridden.columns["x"].p_value == pytest.approx(expected)


def test_distance_tests_are_decided_by_threshold_and_noted() -> None:
    rng = np.random.default_rng(4)
    report = sw.compare(
        {"x": rng.normal(size=1000)}, {"x": rng.normal(size=1000)}, tests={"x": "psi"}
    )
    column = report.columns["x"]
    assert column.p_value is None and column.adjusted_p_value is None
    assert column.drifted == (column.effect >= column.threshold)
    assert any("outside the false-alarm guarantee" in note for note in report.notes)


def test_text_lengths_and_datetimes_are_tested() -> None:
    ids = np.array([f"user-{i}" for i in range(1000)])
    times = pd.date_range("2026-01-01", periods=1000, freq="h")
    reference = pd.DataFrame({"id": ids, "at": times})
    current = pd.DataFrame({"id": ids, "at": times})
    report = sw.compare(reference, current)
    assert report.columns["id"].kind == sw.ColumnKind.TEXT
    assert report.columns["at"].kind == sw.ColumnKind.DATETIME
    assert [c.name for c in report.columns["id"].checks] == ["length"]
    assert [c.name for c in report.columns["at"].checks] == ["distribution", "outside_range"]
    assert not report.drifted
    assert "mean length of its strings" in report.columns["id"].reason


def test_dates_moved_by_five_months_are_found_and_their_share_outside_named() -> None:
    rng = np.random.default_rng(9)
    start = np.datetime64("2025-01-01")
    days = rng.integers(0, 365, 2_000).astype("timedelta64[D]")
    moved = rng.integers(150, 515, 500).astype("timedelta64[D]")
    report = sw.compare({"applied": start + days}, {"applied": start + moved})
    column = report.columns["applied"]
    assert column.drifted and column.test == "ks"
    outside = column.check("outside_range")
    assert outside is not None and outside.drifted
    assert outside.result.effect == pytest.approx(np.mean(moved >= np.timedelta64(365, "D")))
    numbers = (start + days).astype("datetime64[us]").astype(np.int64).astype(float)
    current = (start + moved).astype("datetime64[us]").astype(np.int64).astype(float)
    assert column.statistic == pytest.approx(stats.ks_2samp(numbers, current).statistic)


def test_longer_text_is_found_from_raw_data_and_from_profiles_alike() -> None:
    rng = np.random.default_rng(10)
    words = lambda n, low, high: [  # noqa: E731
        "w" * int(k) + str(i) for i, k in enumerate(rng.integers(low, high, n))
    ]
    reference, current = {"note": words(3_000, 10, 60)}, {"note": words(1_000, 15, 65)}
    raw = sw.compare(reference, current).columns["note"]
    profiled = sw.compare(sw.Profile.from_data(reference), sw.Profile.from_data(current)).columns[
        "note"
    ]
    assert raw.kind == sw.ColumnKind.TEXT and raw.drifted
    assert raw.checks[0].result.p_value == pytest.approx(profiled.checks[0].result.p_value)


@pytest.mark.parametrize(
    ("reference", "current", "error", "message"),
    [
        pytest.param(
            {"a": [1.0, 2.0]},
            {"b": [1.0, 2.0]},
            SchemaError,
            "missing from the current data: ['a']",
            id="mismatched-columns",
        ),
        pytest.param(
            {"a": []}, {"a": [1.0]}, NoDataError, "reference data has no rows", id="empty-reference"
        ),
        pytest.param({"a": [1.0]}, {}, NoDataError, "current data has no columns", id="no-columns"),
    ],
)
def test_bad_input_raises_a_clear_error(reference, current, error, message) -> None:
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
        sw.compare(reference, current)


def test_a_one_row_current_set_is_compared_not_refused() -> None:
    column = sw.compare({"a": [1.0, 2.0, 3.0]}, {"a": [2.0]}).columns["a"]
    assert column.p_value == pytest.approx(stats.ks_2samp([1.0, 2.0, 3.0], [2.0]).pvalue)
    assert not column.drifted


def test_unreadable_file_names_the_file(tmp_path) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(sw.FormatError, match=r"broken\.parquet"):
        sw.compare(broken, broken)
    with pytest.raises(sw.FormatError, match="expected a file ending in"):
        sw.compare(tmp_path / "data.xlsx", tmp_path / "data.xlsx")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"alpha": 0.0}, "'alpha' parameter of compare", id="alpha"),
        pytest.param({"correction": "sidak"}, "'correction' parameter", id="correction"),
        pytest.param({"kinds": {"nope": "numeric"}}, "names column", id="unknown-column"),
        pytest.param({"kinds": {"x": "vector"}}, "Unknown kind 'vector'", id="unknown-kind"),
        pytest.param({"tests": {"x": "magic"}}, "Unknown test 'magic'", id="unknown-test"),
        pytest.param({"tests": {"x": "chi3"}}, "expected one of", id="test-list"),
        pytest.param({"thresholds": {"x": -1.0}}, "'threshold' parameter", id="threshold"),
        pytest.param({"columns": ["y"]}, "absent from the reference", id="columns"),
    ],
)
def test_bad_parameters_raise_invalid_parameter_errors(kwargs, message) -> None:
    with pytest.raises((InvalidParameterError, SchemaError), match=message):
        sw.compare({"x": [1.0, 2.0, 3.0]}, {"x": [1.0, 2.0, 3.0]}, **kwargs)


def test_columns_parameter_selects_the_shared_columns() -> None:
    report = sw.compare({"a": [1.0, 2.0], "b": [1, 2]}, {"a": [1.0, 2.0]}, columns=["a"])
    assert list(report.columns) == ["a"]


def test_progress_callback_sees_every_column(pair) -> None:
    seen = []
    sw.compare(*pair, on_progress=lambda done, total, name: seen.append((done, total, name)))
    assert seen == [(1, 3, "age"), (2, 3, "plan"), (3, 3, "member")]


def test_columns_tested_on_threads_give_the_same_report_in_the_same_order() -> None:
    # numbers past the exact KS size, a column with few usable values (the exact path, which
    # records scipy's warnings), categories, booleans and text: any mix, on four threads
    rng = np.random.default_rng(12)
    n = 60_000
    sparse = rng.normal(size=n)
    sparse[rng.random(n) < 0.9] = np.nan

    def data(shift: float) -> dict[str, np.ndarray]:
        return {
            "a": rng.normal(shift, 1, n),
            "b": rng.lognormal(0, 1, n),
            "sparse": sparse + shift,
            "plan": rng.choice(["x", "y", "z"], n, p=[0.5, 0.3, 0.2]),
            "member": rng.random(n) < 0.3 + shift,
            "note": rng.choice(["hello there", "general kenobi"], n),
        }

    reference, current = data(0.0), data(0.05)
    current["a"] += 0.3
    seen = []
    threaded = sw.compare(
        reference, current, workers=4, on_progress=lambda done, total, name: seen.append(name)
    )
    alone = sw.compare(reference, current, workers=1)
    assert threaded.to_json() == alone.to_json()
    assert seen == list(reference) == list(threaded.columns)
    assert threaded.columns["a"].drifted and threaded.columns["sparse"].test == "ks"


def test_an_error_or_an_interrupt_stops_the_threads_from_testing_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compare_module = importlib.import_module("shiftwatch.compare")
    tested = []
    real = compare_module._column_work

    def slow(name, *args, **kwargs):
        tested.append(name)
        if name == "c0":
            raise SchemaError("column c0 is broken")
        time.sleep(0.02)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(compare_module, "_column_work", slow)
    data = {f"c{i}": np.zeros(10) for i in range(60)}
    with pytest.raises(SchemaError, match="c0 is broken"):
        sw.compare(data, data, workers=2)
    assert len(tested) < 10
    tested.clear()

    def stop(done: int, total: int, name: str) -> None:
        raise KeyboardInterrupt

    data.pop("c0")
    with pytest.raises(KeyboardInterrupt):
        sw.compare(data, data, workers=2, on_progress=stop)
    assert len(tested) < 10


@pytest.mark.parametrize("workers", [0, -1, 1.5, "2"])
def test_workers_must_be_a_positive_count(workers) -> None:
    with pytest.raises(InvalidParameterError, match="workers"):
        sw.compare({"x": [1.0, 2.0]}, {"x": [1.0, 2.0]}, workers=workers)


def test_big_raw_data_is_tested_on_one_thread_per_core_and_small_data_on_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compare_module = importlib.import_module(
        "shiftwatch.compare"
    )  # the package's name is the function
    monkeypatch.setattr(compare_module.os, "sched_getaffinity", lambda _: {0, 1, 2}, raising=False)
    big = compare_module._Source({"x": np.zeros(60_000), "y": np.zeros(60_000)}, "reference")
    small = compare_module._Source({"x": np.zeros(100), "y": np.zeros(100)}, "reference")
    profile = compare_module._Source(sw.Profile.from_data({"x": np.zeros(60_000)}), "current")
    assert compare_module._threads(None, big, big, columns=2) == 2
    assert compare_module._threads(None, big, big, columns=5) == 3
    assert compare_module._threads(None, small, small, columns=5) == 1
    assert compare_module._threads(None, big, profile, columns=5) == 1
    assert compare_module._threads(7, small, small, columns=5) == 5


def test_constant_columns_have_a_defined_effect() -> None:
    same = sw.compare({"c": np.ones(50)}, {"c": np.ones(50)}).columns["c"]
    moved = sw.compare({"c": np.ones(50)}, {"c": np.full(50, 2.0)}).columns["c"]
    assert same.effect == 0.0 and not same.drifted
    assert math.isinf(moved.effect) and moved.drifted


def test_numpy_scalar_parameters_keep_the_report_plain_and_serialisable() -> None:
    rng = np.random.default_rng(8)
    report = sw.compare(
        {"a": rng.normal(size=200)},
        {"a": rng.normal(size=200)},
        alpha=np.float64(0.05),
        thresholds={"a": np.float32(0.2)},
    )
    check = report.columns["a"].checks[0]
    assert type(check.drifted) is bool and type(check.significant) is bool
    assert type(report.alpha) is float and report.columns["a"].threshold == pytest.approx(0.2)
    assert json.loads(report.to_json())["alpha"] == 0.05


def test_a_distance_verdict_does_not_claim_the_guarantee() -> None:
    same = {"x": np.linspace(0, 1, 200)}
    assert sw.compare(same, same).guaranteed
    report = sw.compare(same, same, tests={"x": "psi"})
    assert not report.guaranteed
    assert "distance threshold alone" in report.to_markdown().splitlines()[0]
    assert json.loads(report.to_json())["columns"][0]["checks"][0]["significant"] is None


def test_a_test_that_needs_more_values_is_skipped_with_a_note() -> None:
    report = sw.compare({"x": [1.0, 2.0, 3.0]}, {"x": [2.0]}, tests={"x": "cvm"})
    assert report.columns["x"].test is None
    assert "cvm needs at least 2 values on each side" in report.columns["x"].reason


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"columns": "x"}, "must be a list of column names", id="string"),
        pytest.param({"columns": []}, "at least one column", id="empty"),
        pytest.param({"columns": ["x", "x"]}, "each once", id="duplicates"),
        pytest.param({"kinds": {"x": "empty"}}, "Unknown kind 'empty'", id="kind-empty"),
        pytest.param(
            {"kinds": {"x": "text"}, "thresholds": {"x": 0.2}},
            "does not apply",
            id="threshold-on-text",
        ),
    ],
)
def test_selection_and_overrides_are_checked(kwargs, message) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        sw.compare({"x": ["a", "b"] * 5}, {"x": ["a", "b"] * 5}, **kwargs)


def test_text_in_a_column_that_held_integers_is_counted_as_invalid_not_an_error() -> None:
    column = sw.compare({"rating": [1, 2, 3] * 10}, {"rating": ["1", "2", "unknown"] * 10}).columns[
        "rating"
    ]
    assert column.kind == sw.ColumnKind.CATEGORICAL
    assert column.invalid_current == 10 and column.missing_current == 0
    assert column.check("invalid") is not None and column.check("invalid").drifted
    assert column.invalid_examples[0] == ("current", 2, "unknown")


def test_blank_and_na_cells_in_csv_text_columns_count_as_missing(tmp_path) -> None:
    (tmp_path / "ref.csv").write_text("id\n" + "".join(f"u{i}\n" for i in range(400)))
    rows = [f"u{i}" if i % 2 else ("" if i % 4 else "NA") for i in range(400)]
    (tmp_path / "cur.csv").write_text("id\n" + "\n".join(f'"{r}"' if r == "" else r for r in rows))
    column = sw.compare(tmp_path / "ref.csv", tmp_path / "cur.csv").columns["id"]
    assert column.kind == sw.ColumnKind.TEXT
    assert column.missing_current == 200 and column.drifted


def test_integer_ids_beyond_float_precision_are_compared() -> None:
    big = np.arange(50, dtype=np.int64) + 2**60
    assert not sw.compare({"id": big}, {"id": big}).drifted
