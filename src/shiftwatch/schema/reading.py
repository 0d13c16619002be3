"""Batches opened for validation, and their values converted to the type a rule expects.

A CSV batch is read with every checked column as text, so that a bad value becomes one
``type`` violation instead of a failed read. Conversions never raise on a bad value: it
becomes null, and the checks report it.
"""

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shiftwatch.columns import value_family
from shiftwatch.errors import FormatError
from shiftwatch.io.chunks import iter_chunks
from shiftwatch.io.files import csv_options, file_format
from shiftwatch.schema.rules import ColumnRule

NUMBER = r"(?i)^[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|inf|infinity|nan)$"
_PARSED_FAMILIES = frozenset({"numeric", "boolean", "text", "datetime"})
_DAY = r"\d{4}-\d{2}-\d{2}"
_CLOCK = r"\d{2}(?::\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)"

Mask = npt.NDArray[np.bool_]


def open_batch(
    batch: Any, columns: Mapping[str, ColumnRule]
) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    """Column names and batches of rows; a CSV file's checked columns are read as text."""
    path = Path(batch) if isinstance(batch, str | Path) else None
    if path is None or not path.is_file() or file_format(path) not in ("csv", "tsv"):
        chunks = iter_chunks(batch, role="validated")
        return list(chunks.schema.names), chunks.batches
    import pyarrow.csv as pa_csv

    kind = file_format(path)
    parse, convert = csv_options(kind)
    convert.column_types = {
        name: pa.large_string() for name, rule in columns.items() if rule.family in _PARSED_FAMILIES
    }
    try:
        reader = pa_csv.open_csv(path, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise FormatError(f"Cannot read '{path}' as {kind.upper()}: {error}") from None
    return list(reader.schema.names), _read(reader, path, kind)


def _read(reader: Any, path: Path, kind: str) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowException, OSError, ValueError) as error:
            detail = str(error).strip().splitlines()[0]
            raise FormatError(f"Cannot read '{path}' as {kind.upper()}: {detail}") from None


def plain(array: pa.Array) -> pa.Array:
    """``array`` with dictionaries decoded and string views as large strings."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_string_view(array.type):
        array = array.cast(pa.large_string())
    return array


def to_mask(flags: pa.Array) -> Mask:
    """A numpy mask from an Arrow boolean array, null as False."""
    return np.asarray(pc.fill_null(flags, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def valid_mask(array: pa.Array) -> Mask:
    """The mask of the rows of ``array`` that are not null."""
    if array.null_count == 0:
        return np.ones(len(array), dtype=np.bool_)
    return to_mask(array.is_valid())


def _cast_rows(array: pa.Array, target: pa.DataType) -> pa.Array:
    """``array`` cast to ``target``, with null where a value does not convert."""
    try:
        return array.cast(target)
    except pa.ArrowNotImplementedError:  # no conversion between the types: no row converts
        return pa.nulls(len(array), target)
    except pa.ArrowInvalid:  # some rows do not convert: find them by halving
        if len(array) <= 1:
            return pa.nulls(len(array), target)
        half = len(array) // 2
        parts = [_cast_rows(array.slice(0, half), target), _cast_rows(array.slice(half), target)]
        return pa.concat_arrays(parts)


def parse(strings: pa.Array, target: pa.DataType, pattern: str | None) -> pa.Array:
    """Strings converted to ``target``: those that do not look right are null without trying."""
    strings = pc.utf8_trim_whitespace(strings.cast(pa.large_string()))
    if pattern is not None:
        looks_right = pc.fill_null(pc.match_substring_regex(strings, pattern), False)
        strings = pc.if_else(looks_right, strings, pa.scalar(None, pa.large_string()))
    return _cast_rows(strings, target)


def text_target(target: pa.DataType) -> tuple[pa.DataType, str | None]:
    """The type to parse text into for ``target`` (timestamps at a fine unit) and its pattern."""
    if pa.types.is_date(target):
        return target, f"^{_DAY}$"
    if not pa.types.is_timestamp(target):
        return target, None
    fine = pa.timestamp("ns" if target.unit == "ns" else "us", target.tz)
    if target.tz is None:
        return fine, f"^{_DAY}(?:[T ]{_CLOCK})?$"
    return fine, f"^{_DAY}[T ]{_CLOCK}{_ZONE}$"


def converted(array: pa.Array, target: pa.DataType, family: str, pattern: str | None) -> pa.Array:
    """Values of ``array`` as ``target``: those of ``family`` are cast, text is parsed."""
    if array.type == target:
        return array
    source = value_family(array.type)
    if source == family == "numeric":
        return array.cast(target, safe=False)  # large integers round, as in the profile
    if source == family:
        return _cast_rows(array, target)
    if source == "text":
        return parse(array, target, pattern)
    return pa.nulls(len(array), target)


def to_booleans(array: pa.Array) -> pa.Array:
    """Values of ``array`` as booleans: true/false or 1/0 (as text or numbers), else null."""
    source = value_family(array.type)
    if source == "text":
        words = pc.utf8_lower(pc.utf8_trim_whitespace(array.cast(pa.large_string())))
        truth = pc.is_in(words, value_set=pa.array(["true", "1"], pa.large_string()))
        known = pc.or_(
            truth, pc.is_in(words, value_set=pa.array(["false", "0"], pa.large_string()))
        )
        return pc.if_else(known, truth, pa.scalar(None, pa.bool_()))
    if source == "numeric":
        numbers = array.cast(pa.float64(), safe=False)
        known = pc.is_in(numbers, value_set=pa.array([0.0, 1.0]))
        return pc.if_else(known, pc.equal(numbers, 1.0), pa.scalar(None, pa.bool_()))
    return converted(array, pa.bool_(), "boolean", None)


def to_text(array: pa.Array) -> pa.Array:
    """Values of ``array`` as large strings; dates, times, lists and structs become null."""
    if value_family(array.type) in ("other", "datetime") and not pa.types.is_binary(array.type):
        return pa.nulls(len(array), pa.large_string())
    return _cast_rows(array, pa.large_string())
