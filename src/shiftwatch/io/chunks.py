"""Read data in chunks of rows, so that a summary of any size needs bounded memory.

Parquet files are read a batch of rows at a time within their row groups, CSV and
JSON-lines files a block of bytes at a time, and a folder or glob pattern of Parquet files as
one dataset. Objects already in memory (data frames, Arrow tables, dicts of arrays) are
sliced without copying.
"""

import glob
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from shiftwatch.errors import FormatError, NoDataError, SchemaError
from shiftwatch.io.files import csv_options, file_format
from shiftwatch.io.tables import to_table

DEFAULT_BATCH_ROWS = 65_536
_TEXT_BLOCK_BYTES = 16 << 20


@dataclass(frozen=True)
class Chunks:
    """Batches of rows of one data set, with its schema and row count when known up front."""

    schema: pa.Schema
    total_rows: int | None
    batches: Iterator[pa.RecordBatch]


def dataset_paths(data: str | Path) -> list[Path]:
    """The files ``data`` names: a file, a folder (its ``*.parquet``), or a glob pattern.

    Several files are read as one dataset, so they must all be Parquet files.
    """
    path = Path(data)
    if path.is_file():
        return [path]
    if path.is_dir():
        paths = sorted(p for p in path.rglob("*.parquet") if p.is_file())
    else:
        paths = sorted(Path(p) for p in glob.glob(str(data), recursive=True) if Path(p).is_file())
    if not paths:
        raise FormatError(f"Cannot read '{data}': no such file, folder or matching file.")
    others = [p for p in paths if file_format(p) != "parquet"]
    if others:
        raise FormatError(
            f"'{data}' is read as a dataset, and only Parquet files are: '{others[0]}' is not one."
        )
    return paths


def _parquet_dataset(paths: list[Path], batch_rows: int) -> Chunks:
    """Parquet files read one after another, each with its own schema.

    Files of one dataset may disagree on a column's type (integers in one, floats or nulls in
    another); each batch keeps its file's types and the summaries decide what is compatible.
    Only footers are read up front; each row group is read by a reader of its own, dropped
    after it, so memory stays near one row group's size whatever the files' sizes and number.
    """
    import pyarrow.parquet as pq

    def failed(path: Path, error: Exception) -> FormatError:
        return FormatError(f"Cannot read '{path}' as PARQUET: {error}")

    footers = []
    for path in paths:
        try:
            footers.append(pq.read_metadata(path))
        except (pa.ArrowException, OSError) as error:
            raise failed(path, error) from error
    schema = footers[0].schema.to_arrow_schema()

    def batches() -> Iterator[pa.RecordBatch]:
        # One row group at a time: a file's reader keeps what it has decoded until it is
        # dropped, so reading a whole large file in one call would hold most of it.
        for path, footer in zip(paths, footers, strict=True):
            try:
                for group in range(footer.num_row_groups):
                    with pq.ParquetFile(path) as file:
                        for batch in file.iter_batches(batch_size=batch_rows, row_groups=[group]):
                            yield _in_order(batch, schema.names, path)
            except (pa.ArrowException, OSError) as error:
                raise failed(path, error) from error

    return Chunks(schema, sum(footer.num_rows for footer in footers), batches())


def _in_order(batch: pa.RecordBatch, names: list[str], path: Path) -> pa.RecordBatch:
    """A batch with the dataset's column order (files may list the same columns otherwise)."""
    if batch.schema.names == names:
        return batch
    if sorted(batch.schema.names) != sorted(names):
        raise SchemaError(
            f"'{path}' has columns {batch.schema.names}; the dataset's first file has {names}."
        )
    return batch.select(names)


def _file_chunks(path: Path, batch_rows: int) -> Chunks:
    kind = file_format(path)
    if kind == "parquet":
        return _parquet_dataset([path], batch_rows)
    if kind == "jsonl":
        import pyarrow.json as pa_json

        reader: Any = pa_json.open_json(
            path, read_options=pa_json.ReadOptions(block_size=_TEXT_BLOCK_BYTES)
        )
    else:
        import pyarrow.csv as pa_csv

        parse, convert = csv_options(kind)
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(block_size=_TEXT_BLOCK_BYTES),
            parse_options=parse,
            convert_options=convert,
        )
    return Chunks(reader.schema, None, _guarded(reader, path, kind))


def _guarded(reader: Any, path: Path, kind: str) -> Iterator[pa.RecordBatch]:
    rows = 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowException, OSError, ValueError) as error:
            detail = str(error).strip().splitlines()[0]
            raise FormatError(
                f"Cannot read '{path}' as {kind.upper()} after row {rows}: {detail}. Column "
                "types are fixed by the first 16 MB; a column that changes type later (an "
                "integer column with a decimal further down, say) needs its type fixed first."
            ) from error
        rows += batch.num_rows
        yield batch


def _in_memory(table: pa.Table, batch_rows: int) -> Chunks:
    return Chunks(table.schema, table.num_rows, iter(table.to_batches(max_chunksize=batch_rows)))


def iter_chunks(data: Any, *, role: str = "input", batch_rows: int = DEFAULT_BATCH_ROWS) -> Chunks:
    """The rows of ``data`` as batches: a file, a folder or glob of Parquet files, or an object.

    A folder with image files and no Parquet file is read as images, a batch of per-image
    properties (see :mod:`shiftwatch.images`) for every 256 images at most.

    >>> chunks = iter_chunks({"age": list(range(10))}, batch_rows=4)
    >>> chunks.total_rows, [batch.num_rows for batch in chunks.batches]
    (10, [4, 4, 2])
    """
    if isinstance(data, str | Path) and Path(data).is_dir():
        from shiftwatch.images import image_chunks  # a folder of images, by file extensions

        images = image_chunks(data, batch_rows=min(batch_rows, 256))
        if images is not None:
            return images
    if isinstance(data, str | Path):
        paths = dataset_paths(data)
        if Path(data).is_file():
            opened = _file_chunks(paths[0], batch_rows)
        else:
            opened = _parquet_dataset(paths, batch_rows)
        if opened.schema is not None and len(opened.schema) == 0:
            raise NoDataError(f"The {role} data has no columns.")
        return opened
    return _in_memory(to_table(data, role=role), batch_rows)
