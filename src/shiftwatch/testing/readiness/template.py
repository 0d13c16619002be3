"""A ``readiness.toml`` to start from: every test listed, the evidence found filled in.

A test with a marked test as evidence is answered with that marker (one that no earlier
answer uses, where there is a choice); every other test is left commented out, with its
hint and any evidence found, for a person to answer.
"""

from pathlib import Path

from shiftwatch.testing.readiness.evidence import Evidence, find_evidence
from shiftwatch.testing.readiness.rubric import RUBRIC, SECTIONS

HEADER = """\
# ML Test Score (Breck et al., 2017) answers for this project; `shiftwatch readiness` scores them.
# Each test: manual = "where the results are recorded" (0.5 point), or
# command = "..." / pytest_marker = "..." (1 point when it passes, 0 when it fails).
# A test left out scores 0; the final score is the lowest of the four section totals.

[readiness]
timeout = 600  # seconds for each command and for the pytest session
"""


def readiness_template(project: str | Path, evidence: tuple[Evidence, ...] | None = None) -> str:
    """The text of a ``readiness.toml`` for ``project``.

    >>> text = readiness_template(Path("/nonexistent"), evidence=())
    >>> text.count("# [data."), "# [monitoring.7]  # Prediction quality has not regressed" in text
    (7, True)
    """
    found = find_evidence(project) if evidence is None else evidence
    lines = [HEADER]
    used: set[str] = set()
    for section in SECTIONS:
        lines.append(f"# {section.title}")
        for test in (t for t in RUBRIC if t.section == section):
            related = [e for e in found if test.id in e.proves]
            marked = [(m, e) for e in related for m in e.markers]
            # A marker no other answer uses yet is the more specific evidence.
            choice = next(((m, e) for m, e in marked if m not in used), None)
            choice = choice or (marked[0] if marked else None)
            heading = f"[{section.key}.{test.number}]  # {test.title}"
            if choice is not None:
                marker, item = choice
                used.add(marker)
                lines.append(heading)
                lines.append(f'pytest_marker = "{marker}"  # {item.detail}')
            else:
                lines.append(f"# {heading}")
                lines.append(f"#   proved by: {test.hint}")
                lines.extend(f"#   found: {e.detail}" for e in related)
                lines.append('# manual = "where the results are recorded"')
            lines.append("")
    return "\n".join(lines)
