"""Number formatting shared by the text renderings."""

import math

from shiftwatch.drift_report import ColumnResult, DriftReport


def number(value: float | None, digits: int = 3) -> str:
    """A short human form of a number; an em dash for none.

    >>> number(0.000012345), number(0.5), number(None), number(float("inf"))
    ('1.23e-05', '0.5', '—', 'inf')
    """
    if value is None:
        return "—"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.{digits}g}"


def verdict(report: DriftReport) -> str:
    """The headline: the verdict and the false-alarm level it was reached at.

    >>> import shiftwatch as sw
    >>> verdict(sw.compare({"x": [1.0, 2.0]}, {"x": [1.0, 2.0]}))
    'no drift detected (family-wise false-alarm rate <= 0.05, holm correction)'
    >>> verdict(sw.compare({"x": [1.0, 2.0]}, {"x": [1.0, 2.0]}, tests={"x": "psi"}))
    'no drift detected (alpha 0.05; some columns decided by a distance threshold alone)'
    """
    word = "DRIFT DETECTED" if report.drifted else "no drift detected"
    if report.correction == "none":
        return f"{word} (alpha {report.alpha:g} per check, no correction)"
    if not report.guaranteed:
        return (
            f"{word} (alpha {report.alpha:g}; some columns decided by a distance threshold alone)"
        )
    return (
        f"{word} (family-wise false-alarm rate <= {report.alpha:g}, {report.correction} correction)"
    )


def summary(report: DriftReport) -> str:
    """How many columns drifted, out of how many rows.

    >>> import shiftwatch as sw
    >>> summary(sw.compare({"x": [1.0, 2.0]}, {"x": [1.0, 2.0]}))
    '0 of 1 columns drifted; 2 reference rows, 2 current rows.'
    """
    return (
        f"{len(report.drifted_columns)} of {len(report.columns)} columns drifted; "
        f"{report.n_reference:,} reference rows, {report.n_current:,} current rows."
    )


def ordered_columns(report: DriftReport) -> list[ColumnResult]:
    """Columns as a reader wants them: drifted first, then by adjusted p-value."""
    return sorted(
        report.columns.values(),
        key=lambda c: (not c.drifted, c.adjusted_p_value if c.adjusted_p_value is not None else 2),
    )
