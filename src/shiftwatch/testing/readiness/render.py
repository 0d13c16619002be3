"""A readiness report as JSON-ready data, as Markdown, and as a Rich table for the terminal."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from shiftwatch.testing.readiness.rubric import SECTIONS
from shiftwatch.testing.readiness.runner import Outcome
from shiftwatch.testing.readiness.scoring import ProgressCallback, ReadinessReport, TestScore

STATUS_STYLES = {
    "automated": "green",
    "manual": "yellow",
    "failed": "bold red",
    "no record": "red",
    "unanswered": "dim",
}


def points(value: float) -> str:
    """Points as the rubric counts them: halves shown, whole numbers bare.

    >>> points(2.0), points(2.5), points(0.0)
    ('2', '2.5', '0')
    """
    return f"{value:g}"


def headline(report: ReadinessReport) -> str:
    """The final score in one line, with its band and the paper's interpretation."""
    weakest = ", ".join(report.weakest)
    return (
        f"ML Test Score: {points(report.score)} (lowest section: {weakest}; band "
        f"{report.band}): {report.interpretation}."
    )


def _answer(score: TestScore) -> str:
    answer = score.answer
    if answer is None:
        return "—"
    if answer.kind == "pytest_marker":
        return f"pytest -m {answer.value}"
    if answer.kind == "manual":
        return f"manual: {answer.value}"
    return answer.value


def readiness_to_dict(report: ReadinessReport) -> dict[str, Any]:
    """Every number of the report as plain data (the schema of ``--json``)."""
    totals = report.section_totals
    return {
        "project": str(report.project),
        "score": report.score,
        "band": report.band,
        "interpretation": report.interpretation,
        "weakest_sections": list(report.weakest),
        "sections": {
            section.key: {"title": section.title, "total": totals[section.key]}
            for section in SECTIONS
        },
        "tests": [
            {
                "id": s.test.id,
                "label": s.test.label,
                "section": s.test.section.key,
                "number": s.test.number,
                "title": s.test.title,
                "answer": None
                if s.answer is None
                else {"kind": s.answer.kind, "value": s.answer.value, "note": s.answer.note},
                "points": s.points,
                "status": s.status,
                "detail": s.detail,
                "seconds": None if s.outcome is None else round(s.outcome.seconds, 3),
                "output": None if s.outcome is None or s.outcome.passed else s.outcome.output,
            }
            for s in report.scores
        ],
        "evidence": [
            {
                "path": e.path,
                "line": e.line,
                "kind": e.kind,
                "detail": e.detail,
                "proves": list(e.proves),
                "markers": list(e.markers),
                "suggestion": e.suggestion,
            }
            for e in report.evidence
        ],
        "suggestions": {
            test: [e.detail for e in found] for test, found in report.suggestions().items()
        },
    }


def readiness_to_json(report: ReadinessReport) -> str:
    """The report as JSON text."""
    return json.dumps(readiness_to_dict(report), indent=2) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def readiness_to_markdown(report: ReadinessReport) -> str:
    """Markdown for a pull request: the score, the section totals, every test, suggestions."""
    totals = report.section_totals
    lines = [
        f"## {headline(report)}",
        "",
        "| section | points (of 7) |",
        "|---|---|",
        *[f"| {s.title} | {points(totals[s.key])} |" for s in SECTIONS],
        "",
        "| test | title | answer | points | result |",
        "|---|---|---|---|---|",
    ]
    for s in report.scores:
        lines.append(
            f"| {s.test.label} | {_md(s.test.title)} | {_md(_answer(s))} | {points(s.points)} "
            f"| {_md(_status(s).plain)} |"
        )
    suggestions = report.suggestions()
    if suggestions:
        lines += ["", "Evidence found for tests not yet automated:"]
        for test, found in suggestions.items():
            for item in found:
                hint = f" ({_md(item.suggestion)})" if item.suggestion else ""
                lines.append(f"- {test}: {_md(item.detail)}{hint}")
    return "\n".join(lines) + "\n"


def _status(score: TestScore) -> Text:
    style = STATUS_STYLES.get(score.status, "")
    if score.status == "unanswered":
        return Text("unanswered", style=style)
    if score.status == "manual":
        return Text("by hand", style=style)
    return Text(
        score.detail if score.status == "automated" else f"{score.status}: {score.detail}",
        style=style,
    )


def readiness_table(report: ReadinessReport, *, output_lines: int = 5) -> Group:
    """A Rich renderable: a table of the 28 tests by section, the score, failures, evidence.

    >>> from rich.console import Console
    >>> from shiftwatch.testing.readiness import parse_config, score_answers
    >>> from pathlib import Path
    >>> config = parse_config({"data": {"1": {"manual": "team wiki"}}}, Path("readiness.toml"))
    >>> Console(width=100).print(readiness_table(score_answers(config, {})))
    ... # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    test ... pts ...
    ML Test Score: 0 (lowest section: model, infrastructure, monitoring; band 0): more of a research
    project than a productionized system.
    """
    totals = report.section_totals
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, collapse_padding=True)
    table.add_column("test", no_wrap=True)
    table.add_column("title", ratio=3)
    table.add_column("answer", ratio=2, overflow="fold")
    table.add_column("pts", justify="right", no_wrap=True)
    table.add_column("result", ratio=2)
    for section in SECTIONS:
        table.add_row(
            Text(section.short, style="bold"),
            Text(f"{section.title} (of 7)", style="bold"),
            "",
            Text(points(totals[section.key]), style="bold"),
            "",
        )
        for s in (s for s in report.scores if s.test.section == section):
            table.add_row(
                f"  {s.test.number}",
                s.test.title,
                Text(_answer(s).removeprefix("manual: "), style="dim" if s.answer is None else ""),
                points(s.points),
                _status(s),
            )
        table.add_section()
    style = "bold green" if report.score > 2 else "bold yellow" if report.score > 0 else "bold red"
    parts: list[Any] = [table, Text(headline(report), style=style)]
    failed = [s for s in report.scores if s.status in ("failed", "no record")]
    for s in failed:
        parts.append(Text(f"\n{s.test.label} failed ({_answer(s)}): {s.detail}", style="red"))
        if s.outcome is not None and s.outcome.output:
            shown = "\n".join(s.outcome.output.splitlines()[-output_lines:])
            parts.append(Text(shown, style="dim"))
    suggestions = report.suggestions()
    if suggestions:
        parts.append(Text("\nEvidence found for tests not yet automated:", style="bold"))
        for test, found in suggestions.items():
            for item in found:
                hint = f"; {item.suggestion}" if item.suggestion else ""
                parts.append(Text(f"• {test}: {item.detail}{hint}", style="dim"))
    return Group(*parts)


def _ignore(done: int, total: int, label: str, outcome: Outcome | None) -> None:
    """A progress callback that shows nothing."""


@contextmanager
def readiness_progress(console: Console, *, enabled: bool = True) -> Iterator[ProgressCallback]:
    """Progress of the evidence runs on ``console``: a spinner on a terminal, lines elsewhere.

    On a terminal the running step is shown live and every finished one stays as a line;
    in a log (CI) one line is printed as each step finishes.
    """
    if not enabled:
        yield _ignore
        return

    def finished(done: int, total: int, label: str, outcome: Outcome) -> str:
        verdict = "[green]passed[/]" if outcome.passed else "[red]failed[/]"
        return (
            f"[{done}/{total}] {escape(label)}: {verdict} "
            f"({escape(outcome.detail)}, {outcome.seconds:.1f} s)"
        )

    if not console.is_terminal:

        def log(done: int, total: int, label: str, outcome: Outcome | None) -> None:
            if outcome is not None:
                console.print(finished(done, total, label, outcome), highlight=False)

        yield log
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("reading readiness.toml", total=None)

        def live(done: int, total: int, label: str, outcome: Outcome | None) -> None:
            if outcome is None:
                progress.update(task, description=f"[{done + 1}/{total}] {escape(label)}")
                progress.reset(task)
            else:
                progress.console.print(finished(done, total, label, outcome), highlight=False)

        yield live
