import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from shiftwatch.cli import app
from shiftwatch.distributed import profile_parquet
from shiftwatch.distributed.dask import INSTALL
from shiftwatch.errors import (
    FormatError,
    IncompatibleError,
    InvalidParameterError,
    NoDataError,
    SchemaError,
)
from shiftwatch.profile import ColumnProfile, Profile

distributed = pytest.importorskip("distributed")

ROWS_PER_FILE = 12_000
runner = CliRunner()


def _table(rng: np.random.Generator, rows: int, *, sparse_nulls: bool = False) -> pa.Table:
    income = rng.lognormal(10, 0.5, rows)
    income[rng.random(rows) < 0.02] = np.nan
    income[:3] = [np.inf, -np.inf, np.inf]
    plan = rng.choice(["basic", "plus", "pro"], rows, p=[0.6, 0.3, 0.1]).astype(object)
    plan[rng.random(rows) < 0.05] = None
    active = pa.array(rng.random(rows) < 0.3, mask=rng.random(rows) < 0.01)
    region = pa.array(rng.choice(["north", "south", "east"], rows)).dictionary_encode()
    start = np.datetime64("2024-01-01T00:00:00", "s")
    seconds = rng.integers(0, 86_400 * 365, rows)
    return pa.table(
        {
            "income": pa.array(income, mask=rng.random(rows) < 0.01),
            "age": pa.array(rng.integers(18, 30, rows), mask=rng.random(rows) < 0.03),
            "plan": pa.array(plan, type=pa.string()),
            "region": region,
            "comment": pa.array([f"note {value:x}" for value in rng.integers(0, 2**40, rows)]),
            "active": active,
            "signup": pa.array(start + seconds),
            "score": pa.nulls(rows, pa.float64())
            if sparse_nulls
            else pa.array(rng.normal(size=rows)),
        }
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three files; the second in four row groups, the third with an all-null column."""
    folder = tmp_path_factory.mktemp("dataset")
    rng = np.random.default_rng(7)
    pq.write_table(_table(rng, ROWS_PER_FILE), folder / "a.parquet")
    pq.write_table(_table(rng, ROWS_PER_FILE), folder / "b.parquet", row_group_size=3_000)
    pq.write_table(_table(rng, ROWS_PER_FILE, sparse_nulls=True), folder / "c.parquet")
    return folder


@pytest.fixture(scope="module")
def single(dataset: Path) -> Profile:
    return Profile.from_data(dataset)


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    # Worker processes, as in production: on this machine two start in well under a second.
    # The scheduler's HTTP routes take a free port, not 8787, where a second cluster warns.
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster: object) -> Iterator[object]:
    with distributed.Client(cluster) as connected:
        yield connected


def _assert_same_column(ours: ColumnProfile, theirs: ColumnProfile) -> None:
    assert (ours.n, ours.nulls, ours.missing, ours.infinite) == (
        theirs.n,
        theirs.nulls,
        theirs.missing,
        theirs.infinite,
    )
    assert (ours.family, ours.kind, ours.data_type) == (
        theirs.family,
        theirs.kind,
        theirs.data_type,
    )
    for name in ("moments", "lengths"):
        mine, other = getattr(ours, name), getattr(theirs, name)
        assert (mine is None) == (other is None)
        if mine is not None:
            assert (mine.n, mine.min, mine.max) == (other.n, other.min, other.max)
            assert mine.mean == pytest.approx(other.mean, rel=1e-12)
            assert mine.variance == pytest.approx(other.variance, rel=1e-9)
    assert (ours.frequencies is None) == (theirs.frequencies is None)
    if theirs.frequencies is not None:
        assert ours.frequencies is not None
        assert (ours.frequencies.n, ours.frequencies.exact) == (
            theirs.frequencies.n,
            theirs.frequencies.exact,
        )
        if theirs.frequencies.exact:
            assert ours.frequencies.counts == theirs.frequencies.counts
        else:  # hashed groups: still exact counts
            np.testing.assert_array_equal(
                ours.frequencies.group_counts(), theirs.frequencies.group_counts()
            )
    if theirs.quantiles is not None:
        _assert_close_ranks(ours, theirs)


def _assert_close_ranks(ours: ColumnProfile, theirs: ColumnProfile) -> None:
    mine, other = ours.quantiles, theirs.quantiles
    assert mine is not None and other is not None
    assert (mine.n, mine.min, mine.max) == (other.n, other.min, other.max)
    tolerance = 2 * max(mine.rank_error, other.rank_error)
    for value in np.linspace(other.min, other.max, 41):
        assert abs(mine.get_rank(value) - other.get_rank(value)) <= tolerance


def test_equals_the_single_process_profile(dataset: Path, single: Profile, client) -> None:
    ours = profile_parquet(dataset, client=client)
    assert ours.n == single.n == 3 * ROWS_PER_FILE
    assert ours.column_names == single.column_names
    for name in single:
        _assert_same_column(ours[name], single[name])


@pytest.mark.parametrize("row_groups_per_task", [1, 3], ids=["one-row-group", "three"])
def test_a_glob_through_a_scheduler_address_with_progress(
    dataset: Path, single: Profile, cluster, row_groups_per_task: int
) -> None:
    calls: list[tuple[int, int | None]] = []
    ours = profile_parquet(
        f"{dataset}/*.parquet",
        scheduler=cluster.scheduler_address,
        row_groups_per_task=row_groups_per_task,
        on_progress=lambda done, total: calls.append((done, total)),
    )
    assert ours.n == single.n
    assert ours["plan"].frequencies.counts == single["plan"].frequencies.counts
    parts = 6 if row_groups_per_task == 1 else 4  # b.parquet has four row groups
    assert len(calls) == parts
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (single.n, single.n)


def test_one_file_splits_by_row_groups(dataset: Path, client) -> None:
    path = dataset / "b.parquet"
    calls: list[tuple[int, int | None]] = []
    ours = profile_parquet(path, client=client, on_progress=lambda *call: calls.append(call))
    assert len(calls) == pq.ParquetFile(path).num_row_groups == 4
    whole = Profile.from_data(path)
    for name in whole:
        _assert_same_column(ours[name], whole[name])


def test_columns_must_agree_across_files(tmp_path: Path, client) -> None:
    pq.write_table(pa.table({"x": [1.0], "y": ["a"]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"x": [2.0], "z": ["b"]}), tmp_path / "b.parquet")
    with pytest.raises(IncompatibleError, match=r"b\.parquet' lacks \['y'\] and adds \['z'\]"):
        profile_parquet(tmp_path, client=client)


def test_a_column_family_must_agree_across_files(tmp_path: Path, client) -> None:
    pq.write_table(pa.table({"x": pa.nulls(1)}), tmp_path / "a.parquet")  # no family yet
    pq.write_table(pa.table({"x": [1.0]}), tmp_path / "b.parquet")
    pq.write_table(pa.table({"x": ["one"]}), tmp_path / "c.parquet")
    message = r"'x' holds text values in '.*c\.parquet' and numeric values in '.*b\.parquet'"
    with pytest.raises(IncompatibleError, match=message):
        profile_parquet(tmp_path, client=client)


def test_a_file_that_fails_on_a_worker_names_the_file(tmp_path: Path, client) -> None:
    path = tmp_path / "broken.parquet"
    pq.write_table(pa.table({"x": np.arange(10_000.0)}), path, compression="snappy")
    data = bytearray(path.read_bytes())
    data[8:4_000] = b"\xff" * (4_000 - 8)  # the data pages; the footer still reads
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match=r"Cannot read row groups \[0\] of '.*broken\.parquet'"):
        profile_parquet(path, client=client)


EMPTY = pa.table({"x": pa.array([], pa.float64())})
TWICE = pa.Table.from_arrays([pa.array([1.0]), pa.array([2.0])], names=["x", "x"])


@pytest.mark.parametrize(
    ("files", "error", "message"),
    [
        pytest.param({}, FormatError, "no such file, folder or matching file", id="no-files"),
        pytest.param({"a.csv": "x\n1\n"}, FormatError, "only Parquet files are", id="csv"),
        pytest.param({"a.parquet": "x\n1\n"}, FormatError, "Cannot read the Parquet", id="text"),
        pytest.param({"a.parquet": EMPTY}, NoDataError, "has no rows", id="no-rows"),
        pytest.param({"a.parquet": TWICE}, SchemaError, r"duplicated .* \['x'\]", id="twice"),
    ],
)
def test_data_that_is_not_a_parquet_dataset(tmp_path: Path, client, files, error, message) -> None:
    for name, content in files.items():
        if isinstance(content, str):
            (tmp_path / name).write_text(content)
        else:
            pq.write_table(content, tmp_path / name)
    with pytest.raises(error, match=message):
        profile_parquet(f"{tmp_path}/*", client=client)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            {"workers": 2, "scheduler": "tcp://x:1"}, "Got scheduler and workers", id="two"
        ),
        pytest.param({"workers": 0}, "'workers' parameter of profile_parquet", id="workers"),
        pytest.param({"scheduler": "  "}, "'scheduler' parameter", id="scheduler"),
        pytest.param({"workers": 1, "max_levels": 5}, "'max_levels' parameter", id="max-levels"),
        pytest.param({"workers": 1, "k": 3}, "'k' parameter of profile_parquet", id="k"),
        pytest.param(
            {"workers": 1, "row_groups_per_task": 0}, "'row_groups_per_task'", id="row-groups"
        ),
    ],
)
def test_bad_parameters_raise_before_any_work(dataset: Path, options, message) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        profile_parquet(dataset, **options)


def test_an_unreachable_scheduler_is_a_parameter_error(dataset: Path) -> None:
    with pytest.raises(InvalidParameterError, match="address of a running Dask scheduler"):
        profile_parquet(dataset, scheduler="not-an-address://x")


def test_without_dask_the_error_says_what_to_install(dataset: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(ImportError, match=r"pip install 'shiftwatch\[dask\]'"):
        profile_parquet(dataset, workers=1)
    assert INSTALL == "pip install 'shiftwatch[dask]'"


def test_importing_shiftwatch_distributed_does_not_import_dask() -> None:
    code = "import sys, shiftwatch.distributed; print('dask' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "False"


def test_cli_profiles_a_glob_on_a_local_cluster(dataset: Path, single: Profile, tmp_path) -> None:
    out = tmp_path / "out.swp"
    result = runner.invoke(
        app, ["profile", f"{dataset}/*.parquet", "-o", str(out), "--workers", "2", "-q"]
    )
    assert result.exit_code == 0, result.output
    loaded = Profile.load(out)
    assert loaded.n == single.n
    assert loaded["region"].kind == single["region"].kind


def test_cli_on_a_scheduler_and_its_bad_options(dataset: Path, cluster, tmp_path) -> None:
    out = tmp_path / "out.swp"
    args = ["profile", str(dataset), "-o", str(out)]
    result = runner.invoke(app, [*args, "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    both = runner.invoke(app, [*args, "--scheduler", cluster.scheduler_address, "--workers", "2"])
    assert both.exit_code == 2 and "Got scheduler and workers" in both.output
    assert "Traceback" not in both.output


def test_cli_without_dask_prints_the_pip_command(dataset: Path, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = runner.invoke(
        app, ["profile", str(dataset), "-o", str(tmp_path / "o.swp"), "--workers", "1"]
    )
    assert result.exit_code == 2
    assert "pip install 'shiftwatch[dask]'" in result.output


def test_numeric_levels_past_max_levels_only_across_partitions(tmp_path: Path, client) -> None:
    for part in range(3):
        values = np.arange(part * 3_000, (part + 1) * 3_000, dtype=np.float64)
        pq.write_table(pa.table({"x": values}), tmp_path / f"{part}.parquet")
    ours = profile_parquet(tmp_path, client=client)
    assert Profile.from_data(tmp_path)["x"].frequencies is None
    assert ours["x"].frequencies is None


def test_the_tasks_in_this_process(dataset: Path, single: Profile) -> None:
    # The same functions the workers run, here, where coverage and debuggers see them.
    from shiftwatch.distributed.dask import _merge_parts, _profile_part

    parts = [
        _profile_part(str(dataset / name), groups, 2_000, 4_096, 1_000)
        for name, groups in [("a.parquet", (0,)), ("b.parquet", (0, 1, 2, 3)), ("c.parquet", (0,))]
    ]
    ours = Profile.from_bytes(_merge_parts(*parts))
    for name in single:
        _assert_same_column(ours[name], single[name])
    with pytest.raises(FormatError, match=r"Cannot read row groups \[0\] of '.*missing\.parquet'"):
        _profile_part(str(dataset / "missing.parquet"), (0,), 2_000, 4_096, 1_000)
