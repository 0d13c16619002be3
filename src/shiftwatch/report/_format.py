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


def verdict(drifted: bool, alpha: float, correction: str) -> str:
    """The headline: the verdict and the false-alarm level it was reached at.

    >>> verdict(True, 0.05, "holm")
    'DRIFT DETECTED (family-wise false-alarm rate <= 0.05, holm correction)'
    """
    word = "DRIFT DETECTED" if drifted else "no drift detected"
    if correction == "none":
        return f"{word} (alpha {alpha:g} per check, no correction)"
    return f"{word} (family-wise false-alarm rate <= {alpha:g}, {correction} correction)"


def ordered_columns(report: DriftReport) -> list[ColumnResult]:
    """Columns as a reader wants them: drifted first, then by adjusted p-value."""
    return sorted(
        report.columns.values(),
        key=lambda c: (not c.drifted, c.adjusted_p_value if c.adjusted_p_value is not None else 2),
    )
