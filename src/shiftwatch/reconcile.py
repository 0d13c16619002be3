"""Reference and current values of one column brought to one type, bad values counted apart.

Real files disagree on types: a date is a timestamp in Parquet and ISO text in a CSV, one
``'abc'`` turns a CSV's numeric column into text, integers meet floats, a category column is
dictionary-encoded on one side only. :func:`reconcile` decides the column's value family and
reads both sides as it:

| reference / current                   | family used                | what does not read |
|---------------------------------------|----------------------------|--------------------|
| same family (int/float, dictionary)   | that family, values as is  | -                  |
| numeric, datetime or boolean / text   | the non-text side's family | invalid (counted)  |
| text / text, >= 95% read as ISO dates | datetime                   | invalid (counted)  |
| text / text, >= 95% (not all) numbers | numeric                    | invalid (counted)  |
| any other mix                         | the reference's family     | invalid (counted)  |

Text that reads as numbers throughout stays text (identifiers such as "000123"), and so
does text that reads as numbers less than 95% of the time (a category with a few codes).

A kind override (``kinds={"x": "numeric"}``) sets the family instead. Text that reads as a
missing value ("", "NA", "N/A", "nan", "null", "none", "NaT") counts as missing, not
invalid. Datetimes of every unit and time zone become ``timestamp[us]`` in UTC (naive values
are taken as they are). Invalid values become nulls in the returned columns and are counted in
:class:`Invalid`, with the first rows and values, so a report names them: a bad value never
stops the comparison.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shiftwatch.columns import column_family, decoded

MIN_PARSED_SHARE = 0.95  # share of text values that must read as numbers/dates to switch
MAX_EXAMPLES = 5
MISSING_TOKENS = ("", "na", "n/a", "nan", "null", "none", "nat")
_NUMBER = r"^[-+]?((\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|inf|infinity)$"
_INTEGER = r"^[-+]?\d{1,18}$"
_DATE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"
_OFFSET = r"(Z|[+-]\d{2}:?\d{2})$"
_BOOLEAN = {"true": True, "false": False, "t": True, "f": False, "yes": True, "no": False}
_BOOLEAN.update({"1": True, "0": False, "1.0": True, "0.0": False})
TIMESTAMP = pa.timestamp("us")
_FAMILIES = {"numeric": "numbers", "datetime": "dates or times", "boolean": "true/false"}


@dataclass(frozen=True)
class InvalidValue:
    """One value that could not be read as its column's kind: its 0-based row and its text."""

    row: int
    value: str


@dataclass(frozen=True)
class Invalid:
    """How many values of one side could not be read, and the first few of them."""

    count: int = 0
    examples: tuple[InvalidValue, ...] = ()

    def describe(self, role: str, expected: str) -> str:
        """A clause naming the count, what was expected and the first rows.

        >>> Invalid(2, (InvalidValue(3, "abc"), InvalidValue(9, "?"))).describe(
        ...     "current", "numbers")
        "2 value(s) in the current data are not numbers (row 3: 'abc', row 9: '?')"
        """
        shown = ", ".join(f"row {e.row}: {e.value!r}" for e in self.examples)
        more = (
            f" and {self.count - len(self.examples)} more"
            if self.count > len(self.examples)
            else ""
        )
        return f"{self.count} value(s) in the {role} data are not {expected} ({shown}{more})"


@dataclass(frozen=True)
class Reconciled:
    """Both sides of one column in one family, with what could not be read on each."""

    reference: pa.ChunkedArray
    current: pa.ChunkedArray
    family: str
    invalid_reference: Invalid = Invalid()
    invalid_current: Invalid = Invalid()
    note: str = ""

    @property
    def expected(self) -> str:
        """What the values were expected to be, in words ("numbers", "dates or times")."""
        return _FAMILIES.get(self.family, self.family)


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Values as trimmed text, with missing-value tokens as nulls."""
    column = decoded(column)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.string())
    text = pc.utf8_trim_whitespace(column)
    missing = pc.is_in(pc.utf8_lower(text), value_set=pa.array(MISSING_TOKENS))
    return pc.if_else(missing, pa.scalar(None, text.type), text)


def _share_matching(columns: tuple[pa.ChunkedArray, ...], pattern: str) -> float:
    """Share of the present values of ``columns`` (together) that match ``pattern``."""
    valid = matched = 0
    for column in columns:
        text = _as_text(column)
        valid += len(text) - text.null_count
        found = pc.match_substring_regex(text, pattern, ignore_case=True)
        matched += int(pc.sum(found).as_py() or 0)
    return matched / valid if valid else 0.0


def _parse_numbers(text: pa.ChunkedArray, integer: bool) -> pa.ChunkedArray:
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER, ignore_case=True), False)
    candidates = pc.if_else(ok, text, pa.scalar(None, text.type))
    as_integer = pc.fill_null(pc.match_substring_regex(text, _INTEGER), False)
    if integer and pc.all(pc.or_kleene(as_integer, pc.invert(ok))).as_py():
        return candidates.cast(pa.int64())
    return candidates.cast(pa.float64())


def _parse_timestamps(text: pa.ChunkedArray) -> pa.ChunkedArray:
    dated = pc.fill_null(pc.match_substring_regex(text, _DATE + _OFFSET), False)
    naive = pc.fill_null(pc.match_substring_regex(text, _DATE + "$"), False)
    with_offset = pc.if_else(dated, text, pa.scalar(None, text.type))
    without = pc.if_else(naive, text, pa.scalar(None, text.type))
    try:
        aware = with_offset.cast(pa.timestamp("us", "UTC")).cast(TIMESTAMP)
        plain = without.cast(TIMESTAMP)
    except pa.ArrowInvalid:  # e.g. "2026-13-45": read value by value, keeping what reads
        return pa.chunked_array([pa.array(_timestamps_one_by_one(text), TIMESTAMP)], TIMESTAMP)
    return pc.coalesce(aware, plain)


def _timestamps_one_by_one(text: pa.ChunkedArray) -> list[object]:
    values: list[object] = []
    for value in text.to_pylist():
        parsed = None
        if value is not None:
            for target in (TIMESTAMP, pa.timestamp("us", "UTC")):
                try:
                    parsed = pa.array([value]).cast(target).cast(TIMESTAMP)[0].as_py()
                    break
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    continue
        values.append(parsed)
    return values


def _parse_booleans(text: pa.ChunkedArray) -> pa.ChunkedArray:
    lowered = pc.utf8_lower(text)
    keys = pa.array(list(_BOOLEAN))
    index = pc.index_in(lowered, value_set=keys)
    values = pa.array(list(_BOOLEAN.values()))
    return pc.take(values, index)


def as_timestamps(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A datetime column as ``timestamp[us]`` (UTC for zoned values), durations as int64 us.

    >>> import datetime
    >>> as_timestamps(pa.chunked_array([[datetime.date(2026, 1, 2)]])).to_pylist()
    [datetime.datetime(2026, 1, 2, 0, 0)]
    """
    data_type = column.type
    if pa.types.is_timestamp(data_type) or pa.types.is_date(data_type):
        return column.cast(TIMESTAMP)
    return column.cast(pa.int64(), safe=False) if not pa.types.is_time(data_type) else column


def _read_as(family: str, column: pa.ChunkedArray, integer: bool) -> pa.ChunkedArray:
    """Text (or any values, as text) read as ``family``; what does not read becomes null."""
    text = _as_text(column)
    if family == "numeric":
        return _parse_numbers(text, integer)
    if family == "datetime":
        return _parse_timestamps(text)
    if family == "boolean":
        return _parse_booleans(text)
    return text


def _invalid(original: pa.ChunkedArray, parsed: pa.ChunkedArray) -> Invalid:
    """Values present in ``original`` (not a missing token) that ``parsed`` lost."""
    text = _as_text(original)
    lost = pc.and_(pc.is_valid(text), pc.is_null(parsed))
    count = int(pc.sum(lost).as_py() or 0)
    if count == 0:
        return Invalid()
    rows = np.flatnonzero(np.asarray(lost.to_numpy(zero_copy_only=False), dtype=bool))
    shown = rows[:MAX_EXAMPLES]
    values = pc.take(decoded(original).cast(pa.string()), pa.array(shown)).to_pylist()
    return Invalid(
        count, tuple(InvalidValue(int(r), str(v)) for r, v in zip(shown, values, strict=True))
    )


def _target_family(reference: str, current: str, columns: tuple[pa.ChunkedArray, ...]) -> str:
    if reference == current:
        if reference != "text":
            return reference
        if _share_matching(columns, _DATE) >= MIN_PARSED_SHARE:
            return "datetime"
        share = _share_matching(columns, _NUMBER)
        return "numeric" if MIN_PARSED_SHARE <= share < 1.0 else "text"
    if "empty" in (reference, current):
        return current if reference == "empty" else reference
    if reference == "text" and current in _FAMILIES:
        return current
    return reference


def _type_note(reference: pa.DataType, current: pa.DataType, expected: str) -> str:
    if reference == current or pa.types.is_null(reference) or pa.types.is_null(current):
        return ""
    return f"types differ (reference {reference}, current {current}): compared as {expected}"


_KIND_FAMILY = {"numeric": "numeric", "datetime": "datetime", "boolean": "boolean"}


def reconcile(
    name: str, reference: pa.ChunkedArray, current: pa.ChunkedArray, kind: str | None = None
) -> Reconciled:
    """Read both sides of column ``name`` in one family (see the module table).

    ``kind`` is the user's kind override, if any: "numeric", "datetime" or "boolean" read
    both sides as that family.

    >>> both = reconcile("age", pa.chunked_array([[31, 45, 52]]),
    ...                  pa.chunked_array([["40", "abc", "NA"]]))
    >>> both.family, both.current.to_pylist(), both.invalid_current.count
    ('numeric', [40, None, None], 1)
    >>> both.note
    "read as numbers; 1 value(s) in the current data are not numbers (row 1: 'abc')"
    """
    families = (column_family(reference), column_family(current))
    if kind in _KIND_FAMILY:
        family = _KIND_FAMILY[kind]
    else:
        family = _target_family(*families, (reference, current))
    if family not in _FAMILIES or all(f in (family, "empty") for f in families):
        note = _type_note(reference.type, current.type, _FAMILIES.get(family, family))
        if family == "datetime":
            reference, current = as_timestamps(reference), as_timestamps(current)
        return Reconciled(reference, current, family, note=note)
    integer = not any(
        pa.types.is_floating(c.type) or pa.types.is_decimal(c.type) for c in (reference, current)
    )
    sides = []
    for column, side_family in zip((reference, current), families, strict=True):
        if side_family in (family, "empty"):
            kept = (
                as_timestamps(column) if family == "datetime" and side_family == family else column
            )
            sides.append((kept, Invalid()))
            continue
        parsed = _read_as(family, column, integer)
        sides.append((parsed, _invalid(column, parsed)))
    (ref, invalid_ref), (cur, invalid_cur) = sides
    expected = _FAMILIES[family]
    clauses = [f"read as {expected}"]
    clauses += [
        invalid.describe(role, expected)
        for role, invalid in (("reference", invalid_ref), ("current", invalid_cur))
        if invalid.count
    ]
    if family == "numeric" and ref.type != cur.type:
        both_integer = all(pa.types.is_integer(decoded(c).type) for c in (ref, cur))
        common = pa.int64() if both_integer else pa.float64()
        ref, cur = decoded(ref).cast(common), decoded(cur).cast(common)
    return Reconciled(ref, cur, family, invalid_ref, invalid_cur, "; ".join(clauses))
