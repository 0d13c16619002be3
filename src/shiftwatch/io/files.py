"""Read CSV, Parquet and JSON-lines files into Arrow tables, with errors that name the file."""

from pathlib import Path
from typing import Any

import pyarrow as pa

from shiftwatch.errors import FormatError

SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


def file_format(path: Path) -> str:
    """The format of a data file, from its suffix (``.csv.gz`` reads as CSV).

    >>> file_format(Path("traffic.parquet")), file_format(Path("ref.csv.gz"))
    ('parquet', 'csv')
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in {".gz", ".bz2", ".zst"}:
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in SUFFIXES:
        return SUFFIXES[suffixes[-1]]
    known = ", ".join(sorted(SUFFIXES))
    raise FormatError(f"Cannot tell the format of '{path}': expected a file ending in {known}.")


def read_file(path: str | Path) -> pa.Table:
    r"""Read a whole data file into an Arrow table.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "tiny.csv").write_text("age,city\n31,Oslo\n45,Lima\n")
    >>> read_file(folder / "tiny.csv").to_pydict()
    {'age': [31, 45], 'city': ['Oslo', 'Lima']}
    """
    path = Path(path)
    kind = file_format(path)
    if not path.is_file():
        raise FormatError(f"Cannot read '{path}': no such file.")
    try:
        table = _read(path, kind)
        _ = table.column_names  # decodes the header: a name that is not UTF-8 fails here
    except (pa.ArrowException, OSError, ValueError) as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise FormatError(f"Cannot read '{path}' as {kind.upper()}: {detail}") from error
    return table


def _read(path: Path, kind: str) -> pa.Table:
    if kind == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if kind == "jsonl":
        import pyarrow.json as pa_json

        return pa_json.read_json(path)
    import pyarrow.csv as pa_csv

    parse, convert = csv_options(kind)
    return pa_csv.read_csv(path, parse_options=parse, convert_options=convert)


def csv_options(kind: str) -> tuple[Any, Any]:
    r"""Parse and convert options for a CSV or TSV file, shared by whole and chunked reads.

    >>> parse, convert = csv_options("tsv")
    >>> parse.delimiter, convert.strings_can_be_null
    ('\t', True)
    """
    import pyarrow.csv as pa_csv

    delimiter = "\t" if kind == "tsv" else ","
    return (
        pa_csv.ParseOptions(delimiter=delimiter),
        # "", "NA", "null", ... are missing in text columns too, not a category.
        pa_csv.ConvertOptions(strings_can_be_null=True),
    )
