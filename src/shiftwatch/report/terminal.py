"""The report as a Rich table for the terminal."""

from rich.console import Group
from rich.table import Table
from rich.text import Text

from shiftwatch.drift_report import DriftReport
from shiftwatch.report._format import number, ordered_columns, verdict


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
        verdict(report.drifted, report.alpha, report.correction),
        style="bold red" if report.drifted else "bold green",
    )
    table = Table(show_lines=False, header_style="bold")
    for header, justify in (
        ("column", "left"),
        ("kind", "left"),
        ("test", "left"),
        ("p-value", "right"),
        ("adjusted", "right"),
        ("effect", "right"),
        ("threshold", "right"),
        ("drifted", "center"),
        ("why", "left"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    columns = ordered_columns(report)
    for column in columns:
        table.add_row(
            column.name,
            column.kind.value,
            column.test or "—",
            number(column.p_value),
            number(column.adjusted_p_value),
            number(column.effect),
            number(column.threshold),
            Text("yes", style="bold red") if column.drifted else Text("no", style="green"),
            column.reason,
        )
    notes = [Text(f"• {note}", style="dim") for note in report.notes]
    return Group(headline, table, *notes)
