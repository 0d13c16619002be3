import gzip
from pathlib import Path

import pytest

from shiftwatch.errors import FormatError
from shiftwatch.io import read_file
from shiftwatch.io.files import file_format


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        pytest.param("a.csv", "csv", id="csv"),
        pytest.param("a.TSV", "tsv", id="tsv-upper"),
        pytest.param("a.pq", "parquet", id="pq"),
        pytest.param("a.ndjson", "jsonl", id="ndjson"),
        pytest.param("a.jsonl.gz", "jsonl", id="jsonl-gz"),
    ],
)
def test_file_format_from_suffix(name: str, kind: str) -> None:
    assert file_format(Path(name)) == kind


def test_compressed_csv_and_tsv_are_read(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "a.csv.gz", "wt") as handle:
        handle.write("x,y\n1,a\n2,b\n")
    assert read_file(tmp_path / "a.csv.gz").to_pydict() == {"x": [1, 2], "y": ["a", "b"]}
    (tmp_path / "b.tsv").write_text("x\ty\n1\ta\n")
    assert read_file(tmp_path / "b.tsv").to_pydict() == {"x": [1], "y": ["a"]}


def test_jsonl_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"x": 1.5, "y": "a"}\n{"x": null, "y": "b"}\n')
    assert read_file(tmp_path / "a.jsonl").to_pydict() == {"x": [1.5, None], "y": ["a", "b"]}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("bad.csv", "x,y\n1,2,3\n", "Cannot read '.*bad.csv' as CSV", id="csv"),
        pytest.param("bad.parquet", "nope", "Cannot read '.*bad.parquet' as PARQUET", id="pq"),
        pytest.param("bad.jsonl", "{not json", "Cannot read '.*bad.jsonl' as JSONL", id="jsonl"),
    ],
)
def test_unreadable_files_raise_format_errors_naming_the_file(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(FormatError, match=message):
        read_file(tmp_path / name)


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        read_file(tmp_path / "absent.csv")
    with pytest.raises(FormatError, match="Cannot tell the format"):
        read_file(tmp_path / "data.xlsx")
