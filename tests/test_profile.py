"""Profile: one streaming pass over chunks, mergeable, saved as a small reproducible file."""

import gzip
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from shiftwatch.columns import ColumnKind, infer_kind
from shiftwatch.errors import (
    FormatError,
    IncompatibleError,
    InvalidParameterError,
    NoDataError,
    SchemaError,
)
from shiftwatch.profile import ColumnProfile, Profile

SEED = 20240611
MAX_LEVELS = 100  # the smallest allowed: text and integer columns cross it with few rows


def mixed_table(n: int = 420, seed: int = SEED) -> pa.Table:
    """One column of every kind the inference rules tell apart."""
    rng = np.random.default_rng(seed)
    stamps = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 10**7, n).astype(
        "timedelta64[s]"
    )
    return pa.table(
        {
            "float": rng.normal(40.0, 10.0, n),
            "int_few": rng.integers(0, 20, n),  # at most 20 levels: categorical
            "int_many": rng.integers(0, 500, n),  # more than 20 (and than MAX_LEVELS)
            "int_some": rng.integers(0, 60, n),  # 21..MAX_LEVELS levels: numeric, counted
            "string": rng.choice(["red", "green", "blue"], n),
            "ids": [f"user-{i:05d}" for i in rng.permutation(n)],  # text
            "bool": rng.random(n) < 0.3,
            "timestamp": pa.array(stamps),
            "all_null": pa.nulls(n, pa.float64()),
            "dictionary": pa.array(rng.choice(["x", "y", "z"], n)).dictionary_encode(),
        }
    )


EXPECTED_KINDS = {
    "float": ColumnKind.NUMERIC,
    "int_few": ColumnKind.CATEGORICAL,
    "int_many": ColumnKind.NUMERIC,
    "int_some": ColumnKind.NUMERIC,
    "string": ColumnKind.CATEGORICAL,
    "ids": ColumnKind.TEXT,
    "bool": ColumnKind.BOOLEAN,
    "timestamp": ColumnKind.DATETIME,
    "all_null": ColumnKind.EMPTY,
    "dictionary": ColumnKind.CATEGORICAL,
}


def assert_same_moments(first, second) -> None:
    assert (first is None) == (second is None)
    if first is None:
        return
    assert (first.n, first.missing) == (second.n, second.missing)
    if not first.is_empty():
        assert (first.min, first.max) == (second.min, second.max)
        assert np.isclose(first.mean, second.mean, rtol=1e-12)
        assert np.isclose(first.variance, second.variance, rtol=1e-9)


def assert_quantiles_within_error(sketch, values: np.ndarray) -> None:
    """Ranks against the true ECDF of ``values``: exact while exact, else within error."""
    ordered = np.sort(values)
    assert sketch.n == ordered.size
    grid = np.quantile(ordered, np.linspace(0, 1, 51), method="inverted_cdf")
    truth = np.searchsorted(ordered, grid, side="right") / ordered.size
    ranks = np.array([sketch.get_rank(v) for v in grid])
    assert np.abs(ranks - truth).max() <= sketch.rank_error
    assert (sketch.min, sketch.max) == (ordered[0], ordered[-1])


def assert_same_counts(first: ColumnProfile, second: ColumnProfile) -> None:
    fields = ("name", "family", "n", "nulls", "missing", "infinite", "dictionary", "integer")
    assert [getattr(first, f) for f in fields] == [getattr(second, f) for f in fields]
    assert first.kind == second.kind
    assert_same_moments(first.moments, second.moments)
    assert_same_moments(first.lengths, second.lengths)
    assert (first.frequencies is None) == (second.frequencies is None)
    if first.frequencies is not None:
        assert first.frequencies.exact == second.frequencies.exact
        assert first.frequencies.n == second.frequencies.n
        np.testing.assert_array_equal(
            first.frequencies.group_counts(), second.frequencies.group_counts()
        )
        if first.frequencies.exact:
            assert first.frequencies.counts == second.frequencies.counts


# --- kinds --------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_rows", [7, 65_536], ids=["batch-7", "one-batch"])
def test_kinds_are_those_of_the_raw_columns(batch_rows: int) -> None:
    table = mixed_table()
    profile = Profile.from_data(table, max_levels=MAX_LEVELS, batch_rows=batch_rows)
    assert profile.column_names == tuple(table.column_names)
    for name in table.column_names:
        assert profile[name].kind == infer_kind(table.column(name)), name
    assert {name: profile[name].kind for name in profile} == EXPECTED_KINDS


def test_kinds_near_the_thresholds() -> None:
    n = 420
    table = pa.table(
        {
            "int_20": [i % 20 for i in range(n)],
            "int_21": [i % 21 for i in range(n)],
            "text_101": [f"v{i % 101}" for i in range(n)],  # 101 levels, under half the rows
            "text_300": [f"v{i % 300}" for i in range(n)],  # over 100 and over half: ids
            "text_150": [f"v{i % 150}" for i in range(n)],  # over 100, under half
            "ints_with_nulls": pa.array([1, None, 2, 2]).take(np.arange(n) % 4),
        }
    )
    for max_levels in (MAX_LEVELS, 1000):  # text counted in hashed groups, then exactly
        profile = Profile.from_data(table, max_levels=max_levels, batch_rows=13)
        for name in table.column_names:
            assert profile[name].kind == infer_kind(table.column(name)), name
        assert [profile[name].kind.value for name in profile] == [
            "categorical",
            "numeric",
            "categorical",
            "text",
            "categorical",
            "categorical",
        ]
        assert profile["text_300"].frequencies.exact == (max_levels == 1000)


# --- chunking -----------------------------------------------------------------------------------


def test_small_batches_give_the_same_profile_as_one_batch() -> None:
    table = mixed_table()
    small = Profile.from_data(table, max_levels=MAX_LEVELS, batch_rows=7)
    whole = Profile.from_data(table, max_levels=MAX_LEVELS)
    assert small.n == whole.n == table.num_rows
    for name in table.column_names:
        assert_same_counts(small[name], whole[name])
        if small[name].quantiles is not None:  # 420 values < k: exact both ways
            assert small[name].quantiles.exact
            for part in (0, 1):
                np.testing.assert_array_equal(
                    small[name].quantiles.weighted_values()[part],
                    whole[name].quantiles.weighted_values()[part],
                )
    assert small["string"].frequencies.counts == dict(Counter(table.column("string").to_pylist()))
    assert small["int_some"].frequencies.exact
    assert small["int_many"].frequencies is None  # more levels than max_levels
    assert not small["ids"].frequencies.exact


def test_a_column_all_null_in_the_first_chunk_and_numbers_later() -> None:
    values = [None] * 7 + [1.5, 2.5, None, 4.0]
    profile = Profile.from_data({"x": values, "y": list(range(11))}, batch_rows=7)
    column = profile["x"]
    assert (column.family, column.kind) == ("numeric", ColumnKind.NUMERIC)
    assert (column.n, column.nulls, column.missing) == (11, 8, 8)
    assert (column.moments.n, column.moments.mean) == (3, pytest.approx(8.0 / 3))
    assert column.quantiles.n == 3
    assert column.frequencies.counts == {1.5: 1, 2.5: 1, 4.0: 1}


def test_a_column_of_numbers_then_strings_is_a_schema_error_naming_it() -> None:
    column = ColumnProfile("age", k=200, max_levels=MAX_LEVELS)
    column.update(pa.array([1.0, 2.0, 3.0]))
    column.update(pa.array([None, None], type=pa.string()))  # nulls fit any family
    with pytest.raises(SchemaError, match=r"Column 'age' holds numeric values before row 5"):
        column.update(pa.array(["a", "b"]))


@pytest.mark.parametrize(
    "first_second",
    [
        pytest.param(([1, 2, 3], ["a", "b"]), id="numbers-then-strings"),
        pytest.param((["a", "b"], [1, 2, 3]), id="strings-then-numbers"),
    ],
)
def test_parquet_files_of_different_types_are_a_schema_error(
    tmp_path: Path, first_second: tuple[list, list]
) -> None:
    first, second = first_second
    pq.write_table(pa.table({"id": [0] * len(first), "x": first}), tmp_path / "part-0.parquet")
    pq.write_table(pa.table({"id": [0] * len(second), "x": second}), tmp_path / "part-1.parquet")
    with pytest.raises(SchemaError, match="'x'"):
        Profile.from_data(tmp_path)


def test_parquet_file_all_null_then_numbers(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": pa.nulls(3)}), tmp_path / "part-0.parquet")
    pq.write_table(pa.table({"x": [1.5, 2.5]}), tmp_path / "part-1.parquet")
    column = Profile.from_data(tmp_path)["x"]
    assert (column.n, column.nulls, column.moments.mean) == (5, 3, 2.0)


def test_date_columns_are_profiled_as_datetime() -> None:
    dates = pa.array(np.array(["2024-01-01", "2024-03-01"], dtype="datetime64[D]"))
    assert dates.type == pa.date32()
    assert Profile.from_data({"day": dates})["day"].kind == ColumnKind.DATETIME


# --- sources ------------------------------------------------------------------------------------

SOURCE = {
    "age": [31.5, 45.0, None, 27.25, 60.0, 45.0],
    "plan": ["basic", "pro", "basic", None, "basic", "team"],
    "visits": [3, 1, 4, 1, 5, 9],
}


def _write(kind: str, folder: Path) -> object:
    table = pa.table(SOURCE)
    if kind == "dict":
        return SOURCE
    if kind == "pandas":
        return pd.DataFrame(SOURCE)
    if kind == "polars":
        return pl.DataFrame(SOURCE)
    if kind == "pyarrow":
        return table
    if kind in ("csv", "tsv"):
        path = folder / f"data.{kind}"
        pa_csv.write_csv(table, path, pa_csv.WriteOptions(delimiter="\t" if kind == "tsv" else ","))
        return path
    if kind == "parquet":
        pq.write_table(table, folder / "data.parquet")
        return folder / "data.parquet"
    if kind == "jsonl":
        path = folder / "data.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in table.to_pylist()))
        return str(path)
    # a folder of three parquet files, one in a subfolder, and a glob over the same files
    (folder / "parts" / "more").mkdir(parents=True)
    pq.write_table(table.slice(0, 2), folder / "parts" / "a.parquet")
    pq.write_table(table.slice(2, 3), folder / "parts" / "b.parquet")
    pq.write_table(table.slice(5), folder / "parts" / "more" / "c.parquet")
    (folder / "parts" / "README.txt").write_text("not data")
    return folder / "parts" if kind == "folder" else str(folder / "parts" / "**" / "*.parquet")


@pytest.mark.parametrize(
    "kind",
    ["dict", "pandas", "polars", "pyarrow", "csv", "tsv", "parquet", "jsonl", "folder", "glob"],
)
def test_from_data_reads_every_source(tmp_path: Path, kind: str) -> None:
    profile = Profile.from_data(_write(kind, tmp_path), batch_rows=4)
    assert profile.n == 6
    assert profile.column_names == ("age", "plan", "visits")
    age, plan, visits = profile["age"], profile["plan"], profile["visits"]
    assert (age.n, age.nulls, age.missing) == (6, 1, 1)
    assert age.moments.mean == pytest.approx(np.mean([31.5, 45.0, 27.25, 60.0, 45.0]))
    assert (age.moments.min, age.moments.max) == (27.25, 60.0)
    assert age.quantiles.get_quantile(0.5) == 45.0
    assert plan.frequencies.counts == {"basic": 3, "pro": 1, "team": 1}
    assert (plan.nulls, plan.missing) == (1, 1)
    assert plan.lengths.mean == pytest.approx((5 * 3 + 3 + 4) / 5)
    assert visits.frequencies.counts == {3: 1, 1: 2, 4: 1, 5: 1, 9: 1}
    assert [profile[c].kind.value for c in profile] == ["numeric", "categorical", "categorical"]


def test_from_data_on_pandas_categoricals_and_polars_strings() -> None:
    frame = pd.DataFrame(
        {"c": pd.Categorical(["u", "v", "u"]), "f": [1.0, np.nan, 2.0], "s": ["a", "b", None]}
    )
    profile = Profile.from_data(frame)
    assert profile["c"].kind == ColumnKind.CATEGORICAL
    assert profile["c"].dictionary
    assert profile["c"].frequencies.counts == {"u": 2, "v": 1}
    assert profile["f"].missing == 1
    assert profile["s"].frequencies.counts == {"a": 1, "b": 1}
    polars = Profile.from_data(
        pl.DataFrame({"c": pl.Series(["u", "v", "u"], dtype=pl.Categorical), "s": ["é", "bb", "é"]})
    )
    assert polars["c"].kind == ColumnKind.CATEGORICAL
    assert polars["s"].frequencies.counts == {"é": 2, "bb": 1}
    assert polars["s"].lengths.mean == pytest.approx(4 / 3)  # characters, not bytes


# --- missing and infinite -----------------------------------------------------------------------


def test_nan_none_and_infinity_are_counted() -> None:
    profile = Profile.from_data(
        {
            "x": pa.array([1.0, math.nan, None, math.inf, -math.inf, 2.0]),
            "s": ["a", None, "bb", "a", None, "héllo"],
            "b": [True, None, False, True, True, None],
            "t": pa.array(np.array([0, 1, 2, 3, 4, 5], dtype="datetime64[s]")).take(
                pa.array([0, 1, None, 3, 4, 5])
            ),
            "none": [None] * 6,
        },
        batch_rows=4,
    )
    x = profile["x"]
    assert (x.n, x.nulls, x.missing, x.infinite) == (6, 1, 2, 2)
    assert (x.moments.n, x.moments.mean, x.quantiles.n) == (2, 1.5, 2)
    s = profile["s"]
    assert (s.n, s.nulls, s.missing, s.infinite) == (6, 2, 2, 0)
    assert s.frequencies.counts == {"a": 2, "bb": 1, "héllo": 1}
    assert (s.lengths.n, s.lengths.max) == (4, 5.0)
    b = profile["b"]
    assert (b.kind, b.nulls, b.missing, b.frequencies.counts) == (
        ColumnKind.BOOLEAN,
        2,
        2,
        {True: 3, False: 1},
    )
    t = profile["t"]
    assert (t.kind, t.missing, t.moments.n, t.moments.min, t.moments.max) == (
        ColumnKind.DATETIME,
        1,
        5,
        0.0,
        5.0,
    )
    none = profile["none"]
    assert (none.kind, none.n, none.nulls, none.missing) == (ColumnKind.EMPTY, 6, 6, 6)
    assert (none.moments, none.quantiles, none.frequencies, none.lengths) == (None,) * 4


# --- merge --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cut", [1, 150, 419], ids=["cut-1", "cut-150", "cut-419"])
def test_merge_equals_the_profile_of_the_concatenation(cut: int) -> None:
    table = mixed_table()
    options = {"k": 16, "max_levels": MAX_LEVELS, "batch_rows": 50}  # k=16: quantiles estimate
    first = Profile.from_data(table.slice(0, cut), **options)
    second = Profile.from_data(table.slice(cut), **options)
    whole = Profile.from_data(table, **options)
    merged = first.merge(second)
    assert merged.n == whole.n == table.num_rows
    assert merged.column_names == whole.column_names
    assert (first.n, second.n) == (cut, table.num_rows - cut)  # inputs unchanged
    for name in table.column_names:
        assert_same_counts(merged[name], whole[name])
    for name in ("float", "int_many", "int_some", "timestamp"):
        values = table.column(name).cast(pa.int64() if name == "timestamp" else pa.float64())
        assert_quantiles_within_error(merged[name].quantiles, values.to_numpy().astype(float))
    assert merged["int_some"].frequencies.counts == whole["int_some"].frequencies.counts
    assert {name: merged[name].kind for name in merged} == EXPECTED_KINDS


def test_merged_numeric_column_drops_counts_beyond_max_levels_like_from_data() -> None:
    first = Profile.from_data({"x": np.arange(80)}, max_levels=MAX_LEVELS)
    second = Profile.from_data({"x": np.arange(80, 160)}, max_levels=MAX_LEVELS)
    whole = Profile.from_data({"x": np.arange(160)}, max_levels=MAX_LEVELS)
    assert whole["x"].frequencies is None
    assert first.merge(second)["x"].frequencies is None


@pytest.mark.parametrize("order", ["empty-first", "empty-second"])
def test_merge_of_an_all_null_column_with_numbers(order: str) -> None:
    empty = Profile.from_data({"x": [None, None, None]})
    numbers = Profile.from_data({"x": [1.0, 2.0]})
    merged = empty.merge(numbers) if order == "empty-first" else numbers.merge(empty)
    column = merged["x"]
    assert (column.family, column.kind) == ("numeric", ColumnKind.NUMERIC)
    assert (column.n, column.nulls, column.missing) == (5, 3, 3)
    assert (column.moments.n, column.moments.mean) == (2, 1.5)
    assert column.frequencies.counts == {1.0: 1, 2.0: 1}


def test_merge_with_different_columns_is_incompatible() -> None:
    first = Profile.from_data({"a": [1.0], "b": [2.0]})
    second = Profile.from_data({"a": [1.0], "c": [2.0]})
    with pytest.raises(
        IncompatibleError, match=r"only in the first \['b'\], only in the second \['c'\]"
    ):
        first.merge(second)
    with pytest.raises(IncompatibleError, match="takes a Profile"):
        first.merge({"a": [1.0]})  # type: ignore[arg-type]


def test_merge_of_a_column_of_another_family_is_incompatible() -> None:
    numbers = Profile.from_data({"x": [1.0, 2.0]})
    strings = Profile.from_data({"x": ["a", "b"]})
    with pytest.raises(IncompatibleError, match="Column 'x' holds numeric values in one"):
        numbers.merge(strings)


# --- persisting ---------------------------------------------------------------------------------


def test_save_load_round_trip_is_byte_identical(tmp_path: Path) -> None:
    table = mixed_table().drop_columns(["ids"])  # ids go grouped: see the test below
    profile = Profile.from_data(table, max_levels=MAX_LEVELS, k=16)
    path = tmp_path / "reference.swp"
    profile.save(path)  # saved with its schema frozen inside
    loaded = Profile.load(path)
    assert path.read_bytes() == profile.with_schema(profile.schema).to_bytes()
    assert loaded.to_bytes() == path.read_bytes()
    assert loaded == profile
    assert Profile.from_bytes(profile.to_bytes()) == profile
    assert loaded.column_names == profile.column_names
    assert loaded.n == profile.n
    for name in profile:
        assert_same_counts(loaded[name], profile[name])
        assert loaded[name].quantiles == profile[name].quantiles
    ranks = np.linspace(0, 1, 11)
    assert [loaded["float"].quantiles.get_quantile(r) for r in ranks] == [
        profile["float"].quantiles.get_quantile(r) for r in ranks
    ]
    # reproducible: the same data gives the same bytes (gzip mtime is pinned) while the
    # quantile sketches are exact; past k, KLL compaction is randomised by DataSketches
    exact = Profile.from_data(table, max_levels=MAX_LEVELS)
    assert Profile.from_data(table, max_levels=MAX_LEVELS).to_bytes() == exact.to_bytes()
    document = json.loads(gzip.decompress(profile.to_bytes()))
    assert (document["format"], document["version"]) == ("shiftwatch.profile", 1)


def test_save_load_round_trip_is_equal_with_grouped_text(tmp_path: Path) -> None:
    """The frequent-items sketch's bytes follow its hash map, so equality is by answers."""
    profile = Profile.from_data({"ids": [f"user-{i}" for i in range(300)]}, max_levels=MAX_LEVELS)
    assert not profile["ids"].frequencies.exact
    profile.save(tmp_path / "ids.swp")
    loaded = Profile.load(tmp_path / "ids.swp")
    assert loaded == profile
    assert loaded["ids"].frequencies.most_frequent(5) == profile["ids"].frequencies.most_frequent(5)


def _rewrite(profile: Profile, path: Path, **changes: object) -> Path:
    document = json.loads(gzip.decompress(profile.to_bytes()))
    document.update(changes)
    path.write_bytes(gzip.compress(json.dumps(document).encode()))
    return path


def test_load_of_a_newer_version_asks_for_an_upgrade(tmp_path: Path) -> None:
    profile = Profile.from_data({"x": [1.0, 2.0]})
    path = _rewrite(profile, tmp_path / "future.swp", version=99)
    with pytest.raises(FormatError, match=r"version 99.*Upgrade shiftwatch") as caught:
        Profile.load(path)
    assert "future.swp" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"garbage bytes", "is not a shiftwatch profile", id="garbage"),
        pytest.param(b"", "is not a shiftwatch profile", id="empty-file"),
        pytest.param(gzip.compress(b"{not json"), "is not a shiftwatch profile", id="not-json"),
        pytest.param(gzip.compress(b'{"a": 1}'), "no 'shiftwatch.profile' header", id="json"),
        pytest.param(gzip.compress(b"[1, 2]"), "no 'shiftwatch.profile' header", id="list"),
        pytest.param(
            gzip.compress(b'{"format": "shiftwatch.profile", "version": 1, "n": 1}'),
            "damaged",
            id="no-columns",
        ),
        pytest.param(
            gzip.compress(
                b'{"format": "shiftwatch.profile", "version": 1, "n": 1, "columns": [{"a": 1}]}'
            ),
            "damaged",
            id="bad-column",
        ),
    ],
)
def test_load_of_other_bytes_is_a_format_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.swp"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message):
        Profile.load(path)


def test_load_of_a_damaged_sketch_is_a_format_error(tmp_path: Path) -> None:
    profile = Profile.from_data({"x": [1.0, 2.0]})
    document = json.loads(gzip.decompress(profile.to_bytes()))
    document["columns"][0]["moments"] = "AAAA"
    path = tmp_path / "damaged.swp"
    path.write_bytes(gzip.compress(json.dumps(document).encode()))
    with pytest.raises(FormatError):
        Profile.load(path)


def test_load_of_a_missing_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="Cannot read the profile"):
        Profile.load(tmp_path / "absent.swp")
    with pytest.raises(FormatError, match="Cannot read the profile"):
        Profile.load(tmp_path)  # a folder


# --- progress, parameters, container -------------------------------------------------------------


def test_on_progress_is_called_with_increasing_row_counts() -> None:
    calls: list[tuple[int, int | None]] = []
    Profile.from_data({"x": np.arange(50.0)}, batch_rows=7, on_progress=lambda *a: calls.append(a))
    assert calls == [(rows, 50) for rows in (7, 14, 21, 28, 35, 42, 49, 50)]


def test_on_progress_without_a_known_total(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("x\n" + "".join(f"{i}\n" for i in range(20)))
    calls: list[tuple[int, int | None]] = []
    Profile.from_data(path, on_progress=lambda *a: calls.append(a))
    assert calls
    assert all(total is None for _, total in calls)
    rows = [done for done, _ in calls]
    assert rows == sorted(rows)
    assert rows[-1] == 20


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"k": 7}, "'k' parameter of Profile.from_data", id="k"),
        pytest.param(
            {"max_levels": 99}, "'max_levels' parameter of Profile.from_data", id="max_levels"
        ),
        pytest.param(
            {"max_levels": True}, "'max_levels' parameter of Profile.from_data", id="max-bool"
        ),
        pytest.param({"batch_rows": 0}, "'batch_rows' parameter of Profile.from_data", id="batch"),
    ],
)
def test_bad_parameters_are_refused_by_name(options: dict, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        Profile.from_data({"x": [1.0]}, **options)


def test_no_rows_and_duplicated_names(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text("a,b\n")
    with pytest.raises(NoDataError, match="has no rows"):
        Profile.from_data(tmp_path / "header.csv")
    with pytest.raises(NoDataError):
        Profile.from_data({"a": []})
    (tmp_path / "twice.csv").write_text("a,a\n1,2\n")
    with pytest.raises(SchemaError, match="duplicated column names"):
        Profile.from_data(tmp_path / "twice.csv")


def test_profile_is_a_read_only_mapping_of_columns() -> None:
    profile = Profile.from_data({"age": [1.0, 2.0], "plan": ["a", "b"]})
    assert len(profile) == 2
    assert list(profile) == ["age", "plan"]
    assert "age" in profile
    assert "zip" not in profile
    with pytest.raises(
        KeyError, match=r"No column 'zip' in this profile; it has \['age', 'plan'\]"
    ):
        profile["zip"]
    assert repr(profile) == "Profile(n=2, columns=2)"
    assert repr(profile["age"]) == "ColumnProfile('age', numeric, n=2, missing=0)"
    with pytest.raises(TypeError):
        hash(profile)


def test_the_schema_is_saved_inside_the_profile_and_an_edited_one_survives(
    tmp_path: Path,
) -> None:
    from dataclasses import replace

    from shiftwatch.schema import Schema

    profile = Profile.from_data({"age": [20.0, 30.0, 40.0], "plan": ["a", "b", "a"]})
    assert profile.schema == Schema.from_profile(profile)
    strict = Schema.from_profile(profile, tolerance=0.0)
    rules = dict(strict.columns)
    rules["age"] = replace(rules["age"], maximum=35.0)
    edited = profile.with_schema(Schema(rules, tolerance=0.0))
    edited.save(tmp_path / "edited.swp")
    loaded = Profile.load(tmp_path / "edited.swp")
    assert loaded.schema.columns["age"].maximum == 35.0
    assert [v.rule for v in loaded.schema.validate({"age": [36.0], "plan": ["a"]})] == ["above_max"]
    # A merged profile's schema is the one its merged summaries imply.
    assert loaded.merge(profile).schema.columns["age"].maximum == pytest.approx(42.0)
    with pytest.raises(IncompatibleError, match="schema's columns"):
        profile.with_schema(Schema({}, tolerance=0.0))


def test_parquet_files_listing_the_same_columns_in_another_order(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1.0, 2.0], "b": ["x", "y"]}), tmp_path / "1.parquet")
    pq.write_table(pa.table({"b": ["z"], "a": [3.0]}), tmp_path / "2.parquet")
    profile = Profile.from_data(tmp_path)
    assert profile.column_names == ("a", "b")
    assert profile["a"].moments.max == 3.0
    assert profile["b"].frequencies.counts == {"x": 1, "y": 1, "z": 1}
    pq.write_table(pa.table({"a": [4.0], "c": ["w"]}), tmp_path / "3.parquet")
    with pytest.raises(SchemaError, match=r"3\.parquet' has columns \['a', 'c'\]"):
        Profile.from_data(tmp_path)


def test_profiles_of_different_settings_do_not_merge() -> None:
    data = {"x": np.arange(10.0)}
    with pytest.raises(IncompatibleError, match="k=16, max_levels=4096 in one profile and k=32"):
        Profile.from_data(data, k=16).merge(Profile.from_data(data, k=32))
