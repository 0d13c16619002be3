"""The ML Test Score rubric (Breck et al., IEEE Big Data 2017): 28 tests, scoring, bands.

Four sections of seven tests: data, model, ML infrastructure, monitoring. A test scores
0.5 point when it is run by hand with its results recorded, 1 point when it is automated
(and, here, when its automation passes), 0 otherwise. A section's total is the sum of its
tests; the final score is the lowest section total, since a system is as ready as its
weakest part. The bands below are the paper's (the 2016 workshop version used other
points and bands; they are not mixed in).

| final score | interpretation                                                                    |
|-------------|-----------------------------------------------------------------------------------|
| 0           | more of a research project than a productionized system                           |
| (0, 1]      | not totally untested, but it is worth considering the possibility of serious      |
|             | holes in reliability                                                              |
| (1, 2]      | there's been first pass at basic productionization, but additional investment     |
|             | may be needed                                                                     |
| (2, 3]      | reasonably tested, but it's possible that more of those tests and procedures may  |
|             | be automated                                                                      |
| (3, 5]      | strong levels of automated testing and monitoring, appropriate for                |
|             | mission-critical systems                                                          |
| > 5         | exceptional levels of automated testing and monitoring                            |
"""

import math
from dataclasses import dataclass

MANUAL_POINTS = 0.5
AUTOMATED_POINTS = 1.0


@dataclass(frozen=True)
class Section:
    """One of the four sections: its key in ``readiness.toml``, and its title."""

    key: str
    title: str
    short: str


@dataclass(frozen=True)
class RubricTest:
    """One of the 28 tests: section, number (1-7), the paper's short title, and a hint.

    ``hint`` says what evidence usually proves the test; ``id`` is "data-1" and so on.
    """

    section: Section
    number: int
    title: str
    hint: str

    @property
    def id(self) -> str:
        """The test's id, e.g. "infrastructure-1"."""
        return f"{self.section.key}-{self.number}"

    @property
    def label(self) -> str:
        """The paper's way of naming it, e.g. "Infra 1"."""
        return f"{self.section.short} {self.number}"


DATA = Section("data", "Data", "Data")
MODEL = Section("model", "Model", "Model")
INFRASTRUCTURE = Section("infrastructure", "ML infrastructure", "Infra")
MONITORING = Section("monitoring", "Monitoring", "Monitor")
SECTIONS = (DATA, MODEL, INFRASTRUCTURE, MONITORING)

_TESTS: dict[Section, tuple[tuple[str, str], ...]] = {
    DATA: (
        (
            "Feature expectations are captured in a schema",
            "a checked-in schema or profile, and a test that validates data against it "
            "(assert_schema, assert_profile_close)",
        ),
        (
            "All features are beneficial",
            "an ablation or importance test: dropping each feature group costs quality",
        ),
        (
            "No feature's cost is too much",
            "latency, memory and maintenance cost of each feature measured and reviewed",
        ),
        (
            "Features adhere to meta-level requirements",
            "a test that the feature list only uses approved sources (no PII, no "
            "deprecated inputs)",
        ),
        (
            "The data pipeline has appropriate privacy controls",
            "access controls and PII handling of the training data reviewed or tested",
        ),
        (
            "New features can be added quickly",
            "a recorded time from feature idea to production, or a test adding one",
        ),
        (
            "All input feature code is tested",
            "unit tests of the feature code, e.g. its output profile compared with a "
            "checked-in one (assert_profile_close)",
        ),
    ),
    MODEL: (
        (
            "Model specs are reviewed and submitted",
            "model configuration in version control, changed through code review",
        ),
        (
            "Offline and online metrics correlate",
            "a recorded study relating offline metrics to online outcomes",
        ),
        (
            "All hyperparameters have been tuned",
            "a recorded or automated hyperparameter search",
        ),
        (
            "The impact of model staleness is known",
            "quality of older models measured on newer data",
        ),
        (
            "A simpler model is not better",
            "a test comparing the model with a simple baseline on the same data",
        ),
        (
            "Model quality is sufficient on important data slices",
            "a test of quality per slice (class, region, source), not only overall",
        ),
        (
            "The model is tested for considerations of inclusion",
            "quality compared across groups of users; fairness review recorded",
        ),
    ),
    INFRASTRUCTURE: (
        (
            "Training is reproducible",
            "two seeded training runs agree within a tolerance (assert_reproducible)",
        ),
        (
            "Model specs are unit tested",
            "the model trains: the loss falls and one batch can be overfit "
            "(assert_trains, assert_overfits)",
        ),
        (
            "The ML pipeline is integration tested",
            "a test running data loading, training, evaluation and export end to end",
        ),
        (
            "Model quality is validated before serving",
            "golden metrics with confidence intervals checked before release (shiftwatch_golden)",
        ),
        (
            "The model is debuggable",
            "a way to run single examples through the model and inspect its steps",
        ),
        (
            "Models are canaried before serving",
            "a new model served to a small share of traffic before all of it",
        ),
        (
            "Serving models can be rolled back",
            "a rehearsed roll-back to the previous model",
        ),
    ),
    MONITORING: (
        (
            "Dependency changes result in notification",
            "alerts when an upstream data source or library changes",
        ),
        (
            "Data invariants hold for inputs",
            "serving inputs validated against the training schema (shiftwatch validate, a Monitor)",
        ),
        (
            "Training and serving are not skewed",
            "serving inputs compared with the training data (shiftwatch compare, a Monitor, "
            "assert_no_drift)",
        ),
        (
            "Models are not too stale",
            "an alert on the age of the serving model",
        ),
        (
            "Models are numerically stable",
            "alerts on NaN or infinite values in training and serving",
        ),
        (
            "Computing performance has not regressed",
            "latency, throughput and memory of training and serving watched",
        ),
        (
            "Prediction quality has not regressed",
            "errors against the expected error rate once labels arrive (a Monitor with "
            "expected_error_rate)",
        ),
    ),
}

RUBRIC: tuple[RubricTest, ...] = tuple(
    RubricTest(section, number, title, hint)
    for section in SECTIONS
    for number, (title, hint) in enumerate(_TESTS[section], start=1)
)
"""The 28 tests, in the paper's order.

>>> len(RUBRIC), RUBRIC[0].id, RUBRIC[14].label, RUBRIC[14].title
(28, 'data-1', 'Infra 1', 'Training is reproducible')
"""

BY_ID = {test.id: test for test in RUBRIC}

BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "more of a research project than a productionized system"),
    (
        1.0,
        "not totally untested, but it is worth considering the possibility of serious holes "
        "in reliability",
    ),
    (
        2.0,
        "there's been first pass at basic productionization, but additional investment may "
        "be needed",
    ),
    (
        3.0,
        "reasonably tested, but it's possible that more of those tests and procedures may be "
        "automated",
    ),
    (
        5.0,
        "strong levels of automated testing and monitoring, appropriate for mission-critical "
        "systems",
    ),
    (math.inf, "exceptional levels of automated testing and monitoring"),
)
"""Upper bound (included) of each band of the final score, and the paper's words for it."""


def interpret(score: float) -> str:
    """The paper's interpretation of a final score.

    >>> interpret(0.0)
    'more of a research project than a productionized system'
    >>> interpret(2.0)[:30], interpret(2.5)[:30]
    ("there's been first pass at bas", "reasonably tested, but it's po")
    """
    return next(text for upper, text in BANDS if score <= upper)


def band_range(score: float) -> str:
    """The band a final score falls in, as an interval.

    >>> band_range(0.0), band_range(1.0), band_range(3.5), band_range(6.0)
    ('0', '(0, 1]', '(3, 5]', '> 5')
    """
    lower = 0.0
    for upper, _ in BANDS:
        if score <= upper:
            if upper == 0.0:
                return "0"
            if math.isinf(upper):
                return f"> {lower:g}"
            return f"({lower:g}, {upper:g}]"
        lower = upper
    raise AssertionError("unreachable: the last band has no upper bound")
