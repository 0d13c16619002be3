"""A profile as a Rich table: what each column holds, at a glance."""

import re

import numpy as np
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from shiftwatch.columns import ColumnKind
from shiftwatch.profile import ColumnProfile, Profile
from shiftwatch.report._format import number

TOP_CATEGORIES = 3


_TIME_UNIT = re.compile(r"^(?:date32\[(day)\]|date64\[(ms)\]|timestamp\[(\w+)(?:,.*)?\])$")


def _instant(value: float, data_type: str) -> str | None:
    """A date or timestamp column's underlying integer as a date or time, if it is one."""
    match = _TIME_UNIT.match(data_type)
    if match is None:
        return None
    unit = {"day": "D"}.get(
        match.group(1) or "", match.group(1) or match.group(2) or match.group(3)
    )
    return str(np.array(int(value), dtype=np.int64).astype(f"datetime64[{unit}]"))


def _values(column: ColumnProfile) -> str:
    """The range and median of numbers and times, or the most frequent categories."""
    quantiles = column.quantiles
    if column.kind == ColumnKind.DATETIME and quantiles is not None and not quantiles.is_empty():
        ends = [_instant(value, column.data_type) for value in (quantiles.min, quantiles.max)]
        return "" if None in ends else f"{ends[0]} .. {ends[1]}"
    if column.kind == ColumnKind.NUMERIC and quantiles is not None and not quantiles.is_empty():
        low, middle, high = quantiles.min, quantiles.get_quantile(0.5), quantiles.max
        return f"{number(low)} .. {number(middle)} .. {number(high)}"
    if column.frequencies is not None and not column.frequencies.is_empty():
        top = column.frequencies.most_frequent(TOP_CATEGORIES)
        if not top:  # no category stands out of a grouped count
            return f"about {column.frequencies.distinct:,} distinct values"
        shown = ", ".join(f"{value!r} {count / column.frequencies.n:.0%}" for value, count in top)
        more = column.frequencies.distinct - len(top)
        return shown + (f" (+{more:,} more)" if more > 0 else "")
    return ""


def profile_table(profile: Profile) -> Group:
    """A Rich renderable: one line per column with kind, missing share and values.

    >>> import io
    >>> from rich.console import Console
    >>> profile = Profile.from_data({"age": [31.0, 45.0, None], "plan": ["a", "b", "a"]})
    >>> console = Console(width=80, file=io.StringIO())
    >>> console.print(profile_table(profile))
    >>> lines = console.file.getvalue().splitlines()
    >>> print(next(line.strip() for line in lines if line.strip().startswith("plan")))
    plan     categorical      0.0%   'a' 67%, 'b' 33%
    """
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("column", overflow="fold")
    table.add_column("kind")
    table.add_column("missing", justify="right")
    table.add_column("values: min .. median .. max, or top", overflow="fold")
    for name in profile:
        column = profile[name]
        missing = column.missing / column.n if column.n else 0.0
        table.add_row(name, column.kind.value, f"{missing:.1%}", _values(column))
    title = Text(f"{profile.n:,} rows, {len(profile)} columns", style="bold")
    ranges = _ranges_table(profile)
    return Group(title, table) if ranges is None else Group(title, table, ranges)


def _ranges_table(profile: Profile) -> Text | None:
    """The validation range of each number or time column, and how it was set."""
    rules = [rule for rule in profile.schema.columns.values() if rule.range_rule]
    if not rules:
        return None
    lines = ["validation ranges (shiftwatch validate):"]
    for rule in rules:
        low = "-inf" if rule.minimum is None else number(rule.minimum)
        high = "inf" if rule.maximum is None else number(rule.maximum)
        lines.append(f"  range of {rule.name!r}: [{low}, {high}]: {rule.range_rule}")
    return Text("\n".join(lines))
