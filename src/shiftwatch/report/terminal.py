"""The report as a Rich table for the terminal: one line a column, the full reasons in notes.

The table stays readable at 80 columns (CI logs, narrow terminals): each row shows the
outcome in a word ("limit" is the materiality threshold of the effect); the reasons of the
significant checks follow the table, and every reason is in the JSON and Markdown reports.
"""

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from shiftwatch.drift_report import Check, ColumnResult, DriftReport
from shiftwatch.report._format import number, ordered_columns, summary, verdict


def outcome(column: ColumnResult) -> Text:
    """A few words on a column's outcome, styled.

    >>> import shiftwatch as sw
    >>> report = sw.compare({"x": [0.0, 1.0] * 50}, {"x": [5.0, 6.0] * 50})
    >>> outcome(report.columns["x"]).plain
    'DRIFT'
    """
    drifted = [c.name for c in column.checks if c.drifted]
    if drifted == ["distribution"]:
        return Text("DRIFT", style="bold red")
    if drifted:
        return Text(f"DRIFT: {', '.join(drifted)}", style="bold red")
    if any(c.significant and not c.result.material for c in column.checks):
        return Text("immaterial", style="yellow")
    if not column.checks or column.check("distribution") is None:
        return Text("not tested", style="dim")
    return Text("ok", style="green")


def _multivariate(check: Check) -> Text:
    """The multivariate check of the numeric columns together, in one line."""
    return Text.assemble(
        f"multivariate ({check.result.test}): ",
        ("DRIFT", "bold red") if check.drifted else ("ok", "green"),
        (f" ({check.reason})", "dim"),
    )


def report_table(report: DriftReport) -> Group:
    """A Rich renderable: the verdict line, a table of columns, and the notes.

    >>> import shiftwatch as sw
    >>> from rich.console import Console
    >>> console = Console(width=120)
    >>> console.print(report_table(sw.compare({"x": [1.0, 2.0]}, {"x": [1.0, 2.0]})))
    ... # doctest: +ELLIPSIS
    no drift detected ...
    """
    headline = Text(
        verdict(report),
        style="bold red" if report.drifted else "bold green",
    )
    counts = Text(summary(report), style="dim")
    multivariate = [] if report.multivariate is None else [_multivariate(report.multivariate)]
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, collapse_padding=True)
    table.add_column("column", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("test", no_wrap=True)
    table.add_column("adj. p", justify="right", no_wrap=True)
    table.add_column("effect", justify="right", no_wrap=True)
    table.add_column("limit", justify="right", no_wrap=True)
    table.add_column("outcome")
    for column in ordered_columns(report):
        table.add_row(
            Text(column.name),
            column.kind.value,
            column.test or "—",
            number(column.adjusted_p_value),
            number(column.effect),
            number(column.threshold),
            outcome(column),
        )
    reasons = [
        Text(f"• {column.name}: {check.name}: {check.reason}", style="dim")
        for column in ordered_columns(report)
        for check in column.checks
        if check.drifted or check.significant
    ]
    notes = [Text(f"• {note}", style="dim") for note in report.notes]
    return Group(headline, counts, *multivariate, table, *reasons, *notes)
