"""The result of ``compare``: frozen records of every check, column and the dataset verdict.

Rendering (JSON, Markdown, terminal, HTML) lives in :mod:`shiftwatch.report`; the methods
here only delegate to it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shiftwatch.columns import ColumnKind
from shiftwatch.stats.result import TestResult

if TYPE_CHECKING:
    from shiftwatch.outputs.accuracy import AccuracyEstimate


def decision_reason(result: TestResult, adjusted: float | None) -> str:
    """Why a check did or did not flag its column, with its numbers.

    >>> from shiftwatch.stats import ks
    >>> decision_reason(ks([1.0, 2.0, 3.0], [1.5, 2.5, 3.5]), 0.9)
    'not significant: adjusted p=0.9 > 0.05'
    """
    effect = f"effect {result.effect:.3g} {'>=' if result.material else '<'} {result.threshold:g}"
    if adjusted is None:
        return f"{'drifted' if result.material else 'no drift'}: {effect} (distance, no p-value)"
    p_text = f"adjusted p={adjusted:.3g}"
    if adjusted > result.alpha:
        return f"not significant: {p_text} > {result.alpha:g}"
    if not result.material:
        return f"significant ({p_text}) but immaterial: {effect}"
    return f"drifted: {p_text} <= {result.alpha:g}, {effect}"


@dataclass(frozen=True)
class Check:
    """One decision: a column's distribution or missing-value rate, or the multivariate check.

    ``adjusted_p_value`` is the p-value after the correction across every check of the report
    (``None`` for a distance, which has no p-value and is decided by its threshold alone).
    """

    name: str
    result: TestResult
    adjusted_p_value: float | None
    reason: str

    @property
    def significant(self) -> bool | None:
        """Whether the corrected p-value is at most alpha; ``None`` for a distance (no test)."""
        if self.adjusted_p_value is None:
            return None
        return bool(self.adjusted_p_value <= self.result.alpha)

    @property
    def drifted(self) -> bool:
        """Significant after correction (or a distance) and material."""
        return self.significant is not False and self.result.material


@dataclass(frozen=True)
class DistributionSummary:
    """Both sides of one column on shared bins or categories: what a report draws.

    ``kind`` is "histogram" (numbers: ``edges`` has one more entry than the counts; bins are
    ``[a, b)``, the last ``[a, b]``) or "categories" (``categories`` labels the counts, the
    rest are pooled in ``other_reference`` / ``other_current``, ``n_other`` of them).
    ``reference`` and ``current`` count the non-missing values of each side. A histogram's
    ``low_tail`` / ``high_tail`` say that its first / last bin reaches out to the smallest /
    largest value beyond equal-width bins; ``discrete`` that each bin holds one integer.
    ``approximate`` counts are estimated from summaries (quantile sketches, hashed groups).
    See :mod:`shiftwatch.distribution_summary` for how they are computed.
    """

    kind: str
    reference: tuple[int, ...]
    current: tuple[int, ...]
    edges: tuple[float, ...] = ()
    categories: tuple[str, ...] = ()
    other_reference: int = 0
    other_current: int = 0
    n_other: int = 0
    low_tail: bool = False
    high_tail: bool = False
    discrete: bool = False
    approximate: bool = False


@dataclass(frozen=True)
class ColumnResult:
    """Everything ``compare`` found about one column.

    ``test``, ``statistic``, ``p_value``, ``effect`` and ``threshold`` describe the
    distribution check (``None`` when the column's kind is not tested); ``drifted`` is True
    when any check (distribution or missing rate) is significant after correction and
    material. ``distribution`` summarises both sides for the plots (``None`` when the
    column's kind is not tested). ``invalid_reference`` / ``invalid_current`` count values
    that could not be read as the column's kind (``'abc'`` in a numeric column), and
    ``invalid_examples`` names the first ones as (side, 0-based row, value); they have their
    own "invalid" check and are left out of the others.
    """

    name: str
    kind: ColumnKind
    n_reference: int
    n_current: int
    checks: tuple[Check, ...]
    missing_reference: int = 0
    missing_current: int = 0
    infinite_reference: int = 0
    infinite_current: int = 0
    new_categories: tuple[Any, ...] = ()
    new_category_share: float = 0.0
    invalid_reference: int = 0
    invalid_current: int = 0
    invalid_examples: tuple[tuple[str, int, str], ...] = ()
    note: str = ""
    distribution: DistributionSummary | None = None

    def check(self, name: str) -> Check | None:
        """The check of that name ("distribution", "missing", "invalid", ...), if it ran."""
        return next((c for c in self.checks if c.name == name), None)

    @property
    def drifted(self) -> bool:
        """Significant after correction and material, on any check."""
        return any(c.drifted for c in self.checks)

    @property
    def _distribution(self) -> TestResult | None:
        check = self.check("distribution")
        return None if check is None else check.result

    @property
    def test(self) -> str | None:
        """Short name of the distribution test, e.g. "ks" or "chi2"."""
        result = self._distribution
        return None if result is None else result.test

    @property
    def statistic(self) -> float | None:
        """The distribution test's statistic."""
        result = self._distribution
        return None if result is None else result.statistic

    @property
    def p_value(self) -> float | None:
        """The distribution test's p-value, before correction."""
        result = self._distribution
        return None if result is None else result.p_value

    @property
    def adjusted_p_value(self) -> float | None:
        """The distribution test's p-value after the correction across all checks."""
        check = self.check("distribution")
        return None if check is None else check.adjusted_p_value

    @property
    def effect(self) -> float | None:
        """The distribution test's effect size, in ``effect_unit``."""
        result = self._distribution
        return None if result is None else result.effect

    @property
    def effect_unit(self) -> str | None:
        """The unit of ``effect``."""
        result = self._distribution
        return None if result is None else result.effect_unit

    @property
    def threshold(self) -> float | None:
        """The materiality threshold ``effect`` is compared with."""
        result = self._distribution
        return None if result is None else result.threshold

    @property
    def reason(self) -> str:
        """Why the column was or was not flagged, one clause per check."""
        clauses = [f"{c.name}: {c.reason}" for c in self.checks]
        if self.note:
            clauses.append(self.note)
        return "; ".join(clauses)


@dataclass(frozen=True)
class DriftReport:
    """Reference versus current: per-column results and the dataset-level verdict.

    ``drifted`` is True when any column drifted, or the multivariate check (``multivariate``,
    present when ``compare(..., multivariate=...)`` asked for it) did. With a p-value
    correction that controls the family-wise error rate (the default, Holm), on data that
    did not shift this happens at most ``alpha`` of the time, whatever the number of columns
    and rows.
    """

    drifted: bool
    alpha: float
    correction: str
    n_reference: int
    n_current: int
    columns: Mapping[str, ColumnResult]
    notes: tuple[str, ...] = ()
    multivariate: Check | None = None

    @property
    def guaranteed(self) -> bool:
        """Whether every check has a p-value, so the false-alarm guarantee covers the verdict.

        A column decided by a distance (``tests={"x": "psi"}``) has no p-value; its flag rests
        on the threshold alone, and with ``correction="none"`` nothing is corrected either.
        """
        return self.correction != "none" and all(
            check.significant is not None
            for column in self.columns.values()
            for check in column.checks
        )

    @property
    def drifted_columns(self) -> tuple[str, ...]:
        """Names of the columns that drifted, in column order."""
        return tuple(name for name, column in self.columns.items() if column.drifted)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (the schema of :meth:`to_json`)."""
        from shiftwatch.report.json import report_to_dict

        return report_to_dict(self)

    def to_json(self, path: str | Path | None = None) -> str:
        """The report as JSON text; also written to ``path`` when given."""
        from shiftwatch.report.json import report_to_json

        return report_to_json(self, path)

    def to_markdown(self, path: str | Path | None = None) -> str:
        """A compact Markdown summary for pull requests and CI logs."""
        from shiftwatch.report.markdown import report_to_markdown

        return report_to_markdown(self, path)

    def to_html(
        self,
        path: str | Path | None = None,
        *,
        images: tuple[Any, Any] | None = None,
        accuracy: "AccuracyEstimate | Mapping[str, AccuracyEstimate] | None" = None,
    ) -> str:
        """A self-contained HTML page with plots that opens offline; also written to ``path``.

        ``images`` (reference and current image arrays) adds sample thumbnails, ``accuracy``
        (label-free estimates) a "Model outputs" section: see
        :func:`shiftwatch.report.html.report_to_html`.
        """
        from shiftwatch.report.html import report_to_html

        return report_to_html(self, path, images=images, accuracy=accuracy)
