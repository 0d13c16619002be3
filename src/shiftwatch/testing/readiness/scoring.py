"""Scoring a project: run its evidence, give each rubric test its points, take the minimum.

| answer                    | status        | points |
|---------------------------|---------------|--------|
| command / marker, passes  | automated     | 1      |
| command / marker, fails   | failed        | 0      |
| manual, record found      | manual        | 0.5    |
| manual, record missing    | no record     | 0      |
| none                      | unanswered    | 0      |

A manual record that looks like a path in the project (no spaces, no ``://``, a ``/`` or a
file suffix; a ``#fragment`` is ignored) must exist; any other text (a URL, "quarterly
review, wiki page X") is taken as given. Section totals are sums; the final score is the
lowest section total (see :mod:`shiftwatch.testing.readiness.rubric`).
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiftwatch._validation import check_parameter, is_real
from shiftwatch.testing.readiness.config import Answer, ReadinessConfig, load_config
from shiftwatch.testing.readiness.evidence import Evidence, find_evidence
from shiftwatch.testing.readiness.rubric import (
    AUTOMATED_POINTS,
    MANUAL_POINTS,
    RUBRIC,
    SECTIONS,
    RubricTest,
    band_range,
    interpret,
)
from shiftwatch.testing.readiness.runner import Outcome, run_command, run_markers

ProgressCallback = Callable[[int, int, str, Outcome | None], None]
"""``on_progress(done, total, label, outcome)``: outcome None when ``label`` starts."""


@dataclass(frozen=True)
class TestScore:
    """The points one rubric test earned, and why."""

    __test__ = False  # a result class, not a pytest test class

    test: RubricTest
    points: float
    status: str
    detail: str
    answer: Answer | None = None
    outcome: Outcome | None = None


@dataclass(frozen=True)
class ReadinessReport:
    """Every rubric test's score, the section totals, the final score and its band."""

    project: Path
    scores: tuple[TestScore, ...]
    evidence: tuple[Evidence, ...] = field(default=())

    @property
    def section_totals(self) -> dict[str, float]:
        """Points per section key, in the rubric's order."""
        return {
            section.key: sum(s.points for s in self.scores if s.test.section == section)
            for section in SECTIONS
        }

    @property
    def score(self) -> float:
        """The final ML Test Score: the lowest section total."""
        return min(self.section_totals.values())

    @property
    def weakest(self) -> tuple[str, ...]:
        """The sections whose total is the final score."""
        return tuple(k for k, v in self.section_totals.items() if v == self.score)

    @property
    def band(self) -> str:
        """The band of the final score, e.g. "(1, 2]"."""
        return band_range(self.score)

    @property
    def interpretation(self) -> str:
        """The paper's words for the final score."""
        return interpret(self.score)

    def suggestions(self) -> dict[str, list[Evidence]]:
        """Evidence found for tests not yet automated, by test id."""
        open_tests = {s.test.id for s in self.scores if s.status != "automated"}
        found: dict[str, list[Evidence]] = {}
        for item in self.evidence:
            for test in item.proves:
                if test in open_tests:
                    found.setdefault(test, []).append(item)
        return {t.id: found[t.id] for t in RUBRIC if t.id in found}

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        from shiftwatch.testing.readiness.render import readiness_to_dict

        return readiness_to_dict(self)


def _looks_like_path(record: str) -> bool:
    if any(c.isspace() for c in record) or "://" in record:
        return False
    name = record.split("#", 1)[0]
    return bool(name) and ("/" in name or bool(Path(name).suffix))


def manual_score(test: RubricTest, answer: Answer, project: Path) -> TestScore:
    """0.5 point when the record exists (or is not a path in the project), else 0.

    >>> from shiftwatch.testing.readiness.rubric import RUBRIC
    >>> answer = Answer(RUBRIC[0], "manual", "notes/missing.md")
    >>> manual_score(RUBRIC[0], answer, Path(".")).status
    'no record'
    >>> manual_score(RUBRIC[0], Answer(RUBRIC[0], "manual", "team wiki"), Path(".")).points
    0.5
    """
    record = answer.value
    if _looks_like_path(record) and not (project / record.split("#", 1)[0]).exists():
        return TestScore(
            test, 0.0, "no record", f"record {record!r} not found in the project", answer
        )
    return TestScore(test, MANUAL_POINTS, "manual", f"by hand; recorded in {record}", answer)


def _label(answer: Answer) -> str:
    if answer.kind == "command":
        return f"{answer.test.label}: {answer.value}"
    return f"{answer.test.label}: pytest -m {answer.value}"


def run_evidence(
    config: ReadinessConfig,
    *,
    timeout: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Outcome]:
    """Run every automated answer: the pytest session first, then each command, in order."""
    project = config.project
    automated = [a for a in config.answers.values() if a.kind != "manual"]
    markers = sorted({a.value for a in automated if a.kind == "pytest_marker"})
    commands = [a for a in automated if a.kind == "command"]
    total = len(commands) + (1 if markers else 0)
    outcomes: dict[str, Outcome] = {}
    done = 0
    if markers:
        label = f"pytest -m '{' or '.join(markers)}'"
        if on_progress is not None:
            on_progress(done, total, label, None)
        by_marker = run_markers(
            markers,
            cwd=project,
            timeout=timeout or config.timeout,
            pytest_args=config.pytest_args,
        )
        for answer in automated:
            if answer.kind == "pytest_marker":
                outcomes[answer.test.id] = by_marker[answer.value]
        done += 1
        if on_progress is not None:
            passed = sum(o.passed for o in by_marker.values())
            seconds = max(o.seconds for o in by_marker.values())
            summary = Outcome(
                passed == len(by_marker), f"{passed} of {len(by_marker)} markers passed", seconds
            )
            on_progress(done, total, label, summary)
    for answer in commands:
        label = _label(answer)
        if on_progress is not None:
            on_progress(done, total, label, None)
        limit = answer.timeout or timeout or config.timeout
        outcome = run_command(answer.value, cwd=project, timeout=limit)
        outcomes[answer.test.id] = outcome
        done += 1
        if on_progress is not None:
            on_progress(done, total, label, outcome)
    return outcomes


def score_answers(
    config: ReadinessConfig,
    outcomes: Mapping[str, Outcome],
    evidence: tuple[Evidence, ...] = (),
) -> ReadinessReport:
    """Points for every rubric test from the answers and the outcomes of their evidence."""
    scores = []
    for test in RUBRIC:
        answer = config.answers.get(test.id)
        if answer is None:
            scores.append(TestScore(test, 0.0, "unanswered", "not answered in readiness.toml"))
        elif answer.kind == "manual":
            scores.append(manual_score(test, answer, config.project))
        else:
            outcome = outcomes.get(test.id)
            if outcome is None:
                scores.append(TestScore(test, 0.0, "failed", "not run", answer))
            elif outcome.passed:
                scores.append(
                    TestScore(test, AUTOMATED_POINTS, "automated", outcome.detail, answer, outcome)
                )
            else:
                scores.append(TestScore(test, 0.0, "failed", outcome.detail, answer, outcome))
    return ReadinessReport(config.project, tuple(scores), evidence)


def assess(
    path: str | Path,
    *,
    timeout: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> ReadinessReport:
    """Read ``readiness.toml``, run its evidence, score the rubric, and look for evidence.

    ``path`` is the project folder or its ``readiness.toml``; ``timeout`` (seconds) replaces
    the file's default for the pytest session and for commands without their own.
    """
    if timeout is not None:
        check_parameter(
            "assess",
            "timeout",
            timeout,
            lambda t: is_real(t) and 0 < t < math.inf,
            "a number of seconds > 0",
        )
    config = load_config(path)
    outcomes = run_evidence(config, timeout=timeout, on_progress=on_progress)
    return score_answers(config, outcomes, find_evidence(config.project))
