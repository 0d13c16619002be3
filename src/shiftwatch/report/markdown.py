"""A compact Markdown summary, readable in a pull request and in a terminal."""

from pathlib import Path

from shiftwatch.drift_report import DriftReport
from shiftwatch.report._format import number, ordered_columns, summary, verdict


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_to_markdown(report: DriftReport, path: str | Path | None = None) -> str:
    """Markdown: the verdict, a table of columns (drifted first), and the notes.

    >>> import shiftwatch as sw
    >>> text = sw.compare({"x": [1.0, 2.0, 3.0]}, {"x": [1.0, 2.0, 3.0]}).to_markdown()
    >>> print(text.splitlines()[0])
    ## shiftwatch: no drift detected (family-wise false-alarm rate <= 0.05, holm correction)
    """
    columns = ordered_columns(report)
    lines = [
        f"## shiftwatch: {verdict(report)}",
        "",
        summary(report),
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
    if report.notes:
        lines += ["", "Notes:", *[f"- {_escape(note)}" for note in report.notes]]
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
