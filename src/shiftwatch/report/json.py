"""The report as JSON: a stable, versioned schema that the Markdown and HTML views share.

Non-finite numbers (an infinite effect when a constant column moved) are written as
``null`` so the output is strict JSON; ``reason`` still says what happened.
"""

import json
import math
from pathlib import Path
from typing import Any

from shiftwatch.drift_report import Check, ColumnResult, DistributionSummary, DriftReport

FORMAT = "shiftwatch.drift-report/1"
MAX_LISTED_CATEGORIES = 100  # the count is always given; the names up to this many


def _number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def check_to_dict(check: Check) -> dict[str, Any]:
    """One check as plain data."""
    result = check.result
    return {
        "check": check.name,
        "test": result.test,
        "method": result.method,
        "statistic": _number(result.statistic),
        "p_value": _number(result.p_value),
        "adjusted_p_value": _number(check.adjusted_p_value),
        "effect": _number(result.effect),
        "effect_unit": result.effect_unit,
        "threshold": result.threshold,
        "significant": check.significant,
        "material": result.material,
        "drifted": check.drifted,
        "reason": check.reason,
    }


def distribution_to_dict(summary: DistributionSummary | None) -> dict[str, Any] | None:
    """A column's distribution summary as plain data (its edges are finite numbers)."""
    if summary is None:
        return None
    return {
        "kind": summary.kind,
        "edges": list(summary.edges),
        "categories": list(summary.categories),
        "reference": list(summary.reference),
        "current": list(summary.current),
        "other_reference": summary.other_reference,
        "other_current": summary.other_current,
        "n_other": summary.n_other,
        "low_tail": summary.low_tail,
        "high_tail": summary.high_tail,
        "discrete": summary.discrete,
        "approximate": summary.approximate,
    }


def column_to_dict(column: ColumnResult) -> dict[str, Any]:
    """One column as plain data: its headline numbers and every check."""
    return {
        "name": column.name,
        "kind": column.kind.value,
        "drifted": column.drifted,
        "test": column.test,
        "statistic": _number(column.statistic),
        "p_value": _number(column.p_value),
        "adjusted_p_value": _number(column.adjusted_p_value),
        "effect": _number(column.effect),
        "effect_unit": column.effect_unit,
        "threshold": column.threshold,
        "reason": column.reason,
        "n_reference": column.n_reference,
        "n_current": column.n_current,
        "missing_reference": column.missing_reference,
        "missing_current": column.missing_current,
        "infinite_reference": column.infinite_reference,
        "infinite_current": column.infinite_current,
        "new_categories": [str(c) for c in column.new_categories[:MAX_LISTED_CATEGORIES]],
        "n_new_categories": len(column.new_categories),
        "new_category_share": column.new_category_share,
        "invalid_reference": column.invalid_reference,
        "invalid_current": column.invalid_current,
        "invalid_examples": [
            {"side": side, "row": row, "value": value}
            for side, row, value in column.invalid_examples
        ],
        "checks": [check_to_dict(c) for c in column.checks],
        "distribution": distribution_to_dict(column.distribution),
    }


def report_to_dict(report: DriftReport) -> dict[str, Any]:
    """The whole report as plain data.

    >>> import shiftwatch as sw
    >>> data = sw.compare({"x": [1.0, 2.0, 3.0]}, {"x": [1.0, 2.0, 3.0]}).to_dict()
    >>> data["format"], data["drifted"], data["columns"][0]["test"], data["multivariate"]
    ('shiftwatch.drift-report/1', False, 'ks', None)
    """
    return {
        "format": FORMAT,
        "drifted": report.drifted,
        "drifted_columns": list(report.drifted_columns),
        "alpha": report.alpha,
        "correction": report.correction,
        "n_reference": report.n_reference,
        "n_current": report.n_current,
        "columns": [column_to_dict(c) for c in report.columns.values()],
        "multivariate": None if report.multivariate is None else check_to_dict(report.multivariate),
        "notes": list(report.notes),
    }


def report_to_json(report: DriftReport, path: str | Path | None = None) -> str:
    """The report as indented JSON text, also written to ``path`` when given."""
    text = json.dumps(report_to_dict(report), indent=2, allow_nan=False)
    if path is not None:
        Path(path).write_text(text + "\n", encoding="utf-8")
    return text
