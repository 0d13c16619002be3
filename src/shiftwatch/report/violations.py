"""Validation results as a terminal table and as a versioned JSON document.

The table has one line per column and rule: how many violations, the first rows and the
first message. The JSON document holds every count and every recorded violation, with
values as plain JSON (times in ISO 8601, non-finite numbers as the strings "NaN", "inf" and
"-inf", other objects as text).
"""

import base64
import datetime
import decimal
import json
import math
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from shiftwatch.schema import ValidationResult, Violation

FORMAT = "shiftwatch.violations/1"
FIRST_ROWS = 3


def json_value(value: Any) -> Any:
    """A violation's value as plain JSON data.

    >>> import datetime
    >>> json_value(float("nan")), json_value(datetime.date(2024, 5, 1)), json_value([1, b"a"])
    ('NaN', '2024-05-01', [1, 'YQ=='])
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, decimal.Decimal | datetime.timedelta):
        return str(value)
    return str(value)


def violation_to_dict(violation: Violation) -> dict[str, Any]:
    """One violation as plain data."""
    return {
        "row": violation.row,
        "column": violation.column,
        "rule": violation.rule,
        "value": json_value(violation.value),
        "message": violation.message,
    }


def violations_to_dict(result: ValidationResult) -> dict[str, Any]:
    """The whole result as plain data: verdict, counts per column and rule, violations.

    >>> from shiftwatch.schema import Schema
    >>> schema = Schema.infer({"x": [1.0, 2.0, 3.0]})
    >>> data = violations_to_dict(schema.check({"x": [2.0, 9.0]}))
    >>> data["format"], data["ok"], data["counts"]
    ('shiftwatch.violations/1', False, [{'column': 'x', 'rule': 'above_max', 'count': 1, 'recorded': 1}])
    """  # noqa: E501
    recorded: dict[tuple[str, str], int] = {}
    for violation in result.violations:
        key = (violation.column, violation.rule)
        recorded[key] = recorded.get(key, 0) + 1
    return {
        "format": FORMAT,
        "ok": result.ok,
        "n_rows": result.n_rows,
        "n_invalid_rows": result.n_invalid_rows,
        "n_violations": result.n_violations,
        "max_per_rule": result.max_per_rule,
        "counts": [
            {"column": column, "rule": rule, "count": count, "recorded": recorded.get(key, 0)}
            for key, count in result.counts.items()
            for column, rule in [key]
        ],
        "violations": [violation_to_dict(v) for v in result.violations],
    }


def violations_to_json(result: ValidationResult, path: str | Path | None = None) -> str:
    """The result as indented strict JSON text, also written to ``path`` when given."""
    text = json.dumps(violations_to_dict(result), indent=2, allow_nan=False)
    if path is not None:
        Path(path).write_text(text + "\n", encoding="utf-8")
    return text


def headline(result: ValidationResult) -> str:
    """One sentence: no violations, or how many in how many rows.

    >>> from shiftwatch.schema import Schema
    >>> schema = Schema.infer({"x": [1.0, 2.0, 3.0]})
    >>> headline(schema.check({"x": [2.0, 9.0, 9.5]}))
    'VIOLATIONS: 2 in 2 of 3 rows (1 column and rule)'
    >>> headline(schema.check({"x": [2.0]}))
    'no violations in 1 row'
    """
    rows = f"{result.n_rows:,} row{'s' if result.n_rows != 1 else ''}"
    if result.ok:
        return f"no violations in {rows}"
    groups = len(result.counts)
    return (
        f"VIOLATIONS: {result.n_violations:,} in {result.n_invalid_rows:,} of {rows} "
        f"({groups} column{'s' if groups != 1 else ''} and rule{'s' if groups != 1 else ''})"
    )


def _detail(violation: Violation) -> str:
    """The message without the "Row N, column 'c': " the table already shows."""
    prefix = f"Row {violation.row}, column {violation.column!r}: "
    return violation.message.removeprefix(prefix)


def violations_table(result: ValidationResult) -> Group:
    """A Rich renderable: the headline and a line per column and rule.

    >>> from rich.console import Console
    >>> from shiftwatch.schema import Schema
    >>> schema = Schema.infer({"x": [1.0, 2.0, 3.0]})
    >>> console = Console(width=100)
    >>> console.print(violations_table(schema.check({"x": [2.0, 9.0]})))  # doctest: +ELLIPSIS
    VIOLATIONS: 1 in 1 of 2 rows (1 column and rule)
    ...
     x        above_max       1   1            9.0 is above the maximum, 3.2...
    """
    title = Text(headline(result), style="bold green" if result.ok else "bold red")
    if result.ok:
        return Group(title)
    first: dict[tuple[str, str], list[Violation]] = {}
    for violation in result.violations:
        first.setdefault((violation.column, violation.rule), []).append(violation)
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    table.add_column("column", overflow="fold")
    table.add_column("rule", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("first rows", no_wrap=True)
    table.add_column("first", overflow="fold")
    for (column, rule), count in result.counts.items():
        recorded = first.get((column, rule), [])
        rows = [str(v.row) for v in recorded[:FIRST_ROWS] if v.row is not None]
        more = ", …" if rows and count > len(rows) else ""
        example = _detail(recorded[0]) if recorded else ""
        shown_rows = ", ".join(rows) + more or "—"
        table.add_row(Text(column), rule, f"{count:,}", shown_rows, Text(example))
    parts: list[Text | Table] = [title, table]
    if any(count > result.max_per_rule for count in result.counts.values()):
        note = (
            f"Up to {result.max_per_rule:,} violations are recorded per column and rule; "
            "the counts are complete."
        )
        parts.append(Text(note, style="dim"))
    return Group(*parts)
