"""A compact Markdown summary, readable in a pull request and in a terminal.

The table lists every column that drifted or was significant, then the others by adjusted
p-value up to ``MAX_ROWS`` rows; the rest are named in one line (every column is in the JSON
and HTML reports). Names and reasons are escaped so that a pull request shows them as text.
"""

from pathlib import Path

from shiftwatch.drift_report import Check, ColumnResult, DriftReport
from shiftwatch.report._format import number, ordered_columns, summary, verdict

MAX_ROWS = 20
MAX_NAMED = 10
_SPECIAL = str.maketrans({c: "\\" + c for c in "\\|<>*`["} | {"\n": " ", "\r": " "})


def _escape(text: str) -> str:
    r"""Text for a table cell: pipes, markup and emphasis escaped, one line.

    >>> print(_escape("a|b <script> *x*"))
    a\|b \<script\> \*x\*
    """
    return text.translate(_SPECIAL)


def _noteworthy(column: ColumnResult) -> bool:
    return column.drifted or any(check.significant for check in column.checks)


def _rest(columns: list[ColumnResult]) -> str:
    named = ", ".join(_escape(c.name) for c in columns[:MAX_NAMED])
    more = f" and {len(columns) - MAX_NAMED:,} more" if len(columns) > MAX_NAMED else ""
    return (
        f"{len(columns):,} more columns, none flagged: {named}{more}. Every column is in the "
        "JSON and HTML reports."
    )


def _multivariate(check: Check) -> str:
    """One line on the multivariate check of all numeric columns together."""
    outcome = "**drifted**" if check.drifted else "no drift"
    return (
        f"Multivariate check ({check.result.test}, numeric columns together): {outcome}; "
        f"{_escape(check.reason)}; {_escape(check.result.method)}."
    )


def report_to_markdown(report: DriftReport, path: str | Path | None = None) -> str:
    """Markdown: the verdict, a table of columns (drifted first), and the notes.

    >>> import shiftwatch as sw
    >>> text = sw.compare({"x": [1.0, 2.0, 3.0]}, {"x": [1.0, 2.0, 3.0]}).to_markdown()
    >>> print(text.splitlines()[0])
    ## shiftwatch: no drift detected (family-wise false-alarm rate <= 0.05, holm correction)
    """
    columns = ordered_columns(report)
    shown = max(MAX_ROWS, sum(_noteworthy(c) for c in columns))
    columns, rest = columns[:shown], columns[shown:]
    lines = [
        f"## shiftwatch: {verdict(report)}",
        "",
        summary(report),
        *(["", _multivariate(report.multivariate)] if report.multivariate else []),
        "",
        "| column | kind | test | p-value (adjusted) | effect | threshold | drifted | why |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for column in columns:
        lines.append(
            f"| {_escape(column.name)} | {column.kind.value} | {column.test or '—'} "
            f"| {number(column.p_value)} ({number(column.adjusted_p_value)}) "
            f"| {number(column.effect)} | {number(column.threshold)} "
            f"| {'**yes**' if column.drifted else 'no'} | {_escape(column.reason)} |"
        )
    if rest:
        lines += ["", _rest(rest)]
    if report.notes:
        lines += ["", "Notes:", *[f"- {_escape(note)}" for note in report.notes]]
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
