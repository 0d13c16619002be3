"""iter_chunks: files read a block or batch at a time, folders and globs of Parquet, objects."""

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

import shiftwatch.io.chunks as chunks_module
from shiftwatch.errors import FormatError, NoDataError
from shiftwatch.io import read_file
from shiftwatch.io.chunks import Chunks, iter_chunks

SEED = 5


def sample_table(n: int = 2000, seed: int = SEED) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "id": np.arange(n),
            "amount": np.round(rng.normal(100.0, 25.0, n), 3),
            "city": rng.choice(["Oslo", "Lima", "Pune", "Kyiv"], n),
        }
    )


def collect(chunks: Chunks) -> pa.Table:
    return pa.Table.from_batches(list(chunks.batches), schema=chunks.schema)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> int:
    """Read text files 4 KiB at a time, so a small file spans many blocks."""
    monkeypatch.setattr(chunks_module, "_TEXT_BLOCK_BYTES", 4096)
    return 4096


# --- text files ---------------------------------------------------------------------------------


def _write_csv(table: pa.Table, path: Path, delimiter: str = ",") -> Path:
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as handle:
            pa_csv.write_csv(table, handle, pa_csv.WriteOptions(delimiter=delimiter))
    else:
        pa_csv.write_csv(table, path, pa_csv.WriteOptions(delimiter=delimiter))
    return path


@pytest.mark.parametrize(
    ("name", "delimiter"),
    [
        pytest.param("data.csv", ",", id="csv"),
        pytest.param("data.tsv", "\t", id="tsv"),
        pytest.param("data.csv.gz", ",", id="csv-gz"),
        pytest.param("data.tsv.gz", "\t", id="tsv-gz"),
    ],
)
def test_text_read_in_blocks_gives_the_rows_of_read_file(
    tmp_path: Path, small_blocks: int, name: str, delimiter: str
) -> None:
    table = sample_table()
    path = _write_csv(table, tmp_path / name, delimiter)
    chunks = iter_chunks(path)
    assert chunks.total_rows is None  # unknown until read
    batches = list(chunks.batches)
    assert len(batches) > 5  # ~50 KB of text in 4 KiB blocks
    assert sum(batch.num_rows for batch in batches) == table.num_rows
    whole = pa.Table.from_batches(batches, schema=chunks.schema)
    assert whole.equals(read_file(path))
    assert whole.to_pydict() == table.to_pydict()


def test_jsonl_read_in_blocks_gives_the_rows_of_read_file(
    tmp_path: Path, small_blocks: int
) -> None:
    table = sample_table(800)
    path = tmp_path / "data.jsonl"
    rows = table.to_pylist()
    path.write_text("".join(f'{{"id": {r["id"]}, "city": "{r["city"]}"}}\n' for r in rows))
    chunks = iter_chunks(path)
    batches = list(chunks.batches)
    assert len(batches) > 1
    assert pa.Table.from_batches(batches).equals(read_file(path))


def test_csv_changing_type_after_the_first_block_names_the_row(
    tmp_path: Path, small_blocks: int
) -> None:
    path = tmp_path / "late.csv"
    path.write_text("x\n" + "1\n" * 5000 + "1.5\n")
    chunks = iter_chunks(path)
    assert chunks.schema.field("x").type == pa.int64()
    with pytest.raises(FormatError, match=r"Cannot read '.*late.csv' as CSV after row \d+"):
        list(chunks.batches)


def test_whole_file_in_one_block_by_default(tmp_path: Path) -> None:
    path = _write_csv(sample_table(), tmp_path / "data.csv")
    assert chunks_module._TEXT_BLOCK_BYTES == 16 << 20
    batches = list(iter_chunks(path).batches)
    assert [batch.num_rows for batch in batches] == [2000]


# --- parquet ------------------------------------------------------------------------------------


def test_parquet_file_in_batches_of_batch_rows(tmp_path: Path) -> None:
    table = sample_table(100)
    pq.write_table(table, tmp_path / "data.parquet", row_group_size=40)
    chunks = iter_chunks(tmp_path / "data.parquet", batch_rows=16)
    assert chunks.total_rows == 100
    batches = list(chunks.batches)
    assert all(batch.num_rows <= 16 for batch in batches)
    assert sum(batch.num_rows for batch in batches) == 100
    assert pa.Table.from_batches(batches).equals(table)


def test_parquet_folder_and_glob_read_every_file_in_order(tmp_path: Path) -> None:
    table = sample_table(90)
    (tmp_path / "parts" / "nested").mkdir(parents=True)
    pq.write_table(table.slice(0, 30), tmp_path / "parts" / "a.parquet")
    pq.write_table(table.slice(30, 30), tmp_path / "parts" / "b.parquet")
    pq.write_table(table.slice(60), tmp_path / "parts" / "nested" / "c.parquet")
    (tmp_path / "parts" / "notes.txt").write_text("ignored in a folder")
    for source in (
        tmp_path / "parts",
        str(tmp_path / "parts"),
        str(tmp_path / "parts" / "**" / "*.parquet"),
    ):
        chunks = iter_chunks(source, batch_rows=7)
        assert chunks.total_rows == 90
        read = collect(chunks)
        assert read.sort_by("id").equals(table)
    only_top = collect(iter_chunks(str(tmp_path / "parts" / "*.parquet")))
    assert only_top.num_rows == 60


def test_a_glob_with_no_match_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file, folder or matching file"):
        iter_chunks(str(tmp_path / "*.parquet"))
    with pytest.raises(FormatError, match="no such file"):
        iter_chunks(tmp_path / "absent.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FormatError, match="no such file, folder or matching file"):
        iter_chunks(tmp_path / "empty")


def test_a_glob_matching_csv_and_parquet_is_a_format_error(tmp_path: Path) -> None:
    table = sample_table(10)
    pq.write_table(table, tmp_path / "data.parquet")
    _write_csv(table, tmp_path / "data.csv")
    with pytest.raises(FormatError, match=r"only Parquet files are: '.*data\.csv' is not one"):
        iter_chunks(str(tmp_path / "data.*"))


def test_a_glob_of_csv_files_is_a_format_error(tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv"):
        _write_csv(sample_table(10), tmp_path / name)
    with pytest.raises(FormatError, match="is read as a dataset, and only Parquet files are"):
        iter_chunks(str(tmp_path / "*.csv"))


def test_a_damaged_parquet_file_is_a_format_error(tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(FormatError, match=r"Cannot read .*bad\.parquet.* as PARQUET"):
        iter_chunks(tmp_path / "bad.parquet")


def test_a_file_with_no_columns_is_no_data(tmp_path: Path) -> None:
    pq.write_table(pa.table({}), tmp_path / "nothing.parquet")
    with pytest.raises(NoDataError, match="The profiled data has no columns"):
        iter_chunks(tmp_path / "nothing.parquet", role="profiled")


# --- in memory ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "batch_rows", "sizes"),
    [
        pytest.param(10, 4, [4, 4, 2], id="10-by-4"),
        pytest.param(12, 4, [4, 4, 4], id="12-by-4"),
        pytest.param(5, 100, [5], id="5-by-100"),
        pytest.param(3, 1, [1, 1, 1], id="3-by-1"),
    ],
)
def test_in_memory_chunk_sizes(rows: int, batch_rows: int, sizes: list[int]) -> None:
    chunks = iter_chunks({"x": list(range(rows))}, batch_rows=batch_rows)
    assert chunks.total_rows == rows
    batches = list(chunks.batches)
    assert [batch.num_rows for batch in batches] == sizes
    assert pa.Table.from_batches(batches).column("x").to_pylist() == list(range(rows))


def test_in_memory_objects_are_sliced_without_copying() -> None:
    table = sample_table(100)
    batches = list(iter_chunks(table, batch_rows=30).batches)
    assert [batch.num_rows for batch in batches] == [30, 30, 30, 10]
    source = table.column("amount").chunk(0).buffers()[1].address
    first = batches[0].column(1).buffers()[1].address
    assert first == source
    frame = pd.DataFrame({"a": np.arange(7.0)})
    assert [b.num_rows for b in iter_chunks(frame, batch_rows=3).batches] == [3, 3, 1]
    batch = pa.record_batch({"a": [1, 2, 3]})
    assert [b.num_rows for b in iter_chunks(batch, batch_rows=2).batches] == [2, 1]


def test_in_memory_errors_name_the_role() -> None:
    with pytest.raises(NoDataError, match="The profiled data has no rows"):
        iter_chunks({"x": []}, role="profiled")
    with pytest.raises(FormatError, match="Cannot read the current data from a int"):
        iter_chunks(42, role="current")
