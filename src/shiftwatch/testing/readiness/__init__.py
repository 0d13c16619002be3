"""The ML Test Score readiness check: the rubric, answers in ``readiness.toml``, scoring.

``shiftwatch readiness [path]`` reads the project's ``readiness.toml``
(:mod:`~shiftwatch.testing.readiness.config`), runs the commands and the pytest markers that
answer rubric tests (:mod:`~shiftwatch.testing.readiness.runner`), gives each of the 28
tests its points and the project its final score, the lowest section total
(:mod:`~shiftwatch.testing.readiness.scoring`, :mod:`~shiftwatch.testing.readiness.rubric`),
and lists evidence found in the project that could answer more
(:mod:`~shiftwatch.testing.readiness.evidence`).

>>> from shiftwatch.testing.readiness import RUBRIC, interpret
>>> len(RUBRIC), interpret(1.5)
(28, "there's been first pass at basic productionization, but additional investment may be needed")
"""

from shiftwatch.testing.readiness.config import (
    FILENAME,
    Answer,
    ReadinessConfig,
    load_config,
    parse_config,
)
from shiftwatch.testing.readiness.evidence import Evidence, find_evidence
from shiftwatch.testing.readiness.rubric import (
    BANDS,
    RUBRIC,
    SECTIONS,
    RubricTest,
    Section,
    band_range,
    interpret,
)
from shiftwatch.testing.readiness.runner import Outcome, run_command, run_markers
from shiftwatch.testing.readiness.scoring import (
    ReadinessReport,
    TestScore,
    assess,
    run_evidence,
    score_answers,
)

__all__ = [
    "BANDS",
    "FILENAME",
    "RUBRIC",
    "SECTIONS",
    "Answer",
    "Evidence",
    "Outcome",
    "ReadinessConfig",
    "ReadinessReport",
    "RubricTest",
    "Section",
    "TestScore",
    "assess",
    "band_range",
    "find_evidence",
    "interpret",
    "load_config",
    "parse_config",
    "run_command",
    "run_evidence",
    "run_markers",
    "score_answers",
]
