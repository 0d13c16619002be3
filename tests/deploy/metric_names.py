"""The service's metrics (name, type, labels), as the deploy files may use them.

This is the contract between ``shiftwatch serve``'s ``/metrics`` and the Prometheus rules and
Grafana dashboard in ``deploy/``: the tests here check the deploy files against it and build a
sample exposition from it for ``promtool check metrics``.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["counter", "gauge", "histogram"]

METRICS: dict[str, tuple[Kind, tuple[str, ...]]] = {
    "shiftwatch_events_received_total": ("counter", ("model",)),
    "shiftwatch_events_rejected_total": ("counter", ("model", "reason")),
    "shiftwatch_ingest_requests_total": ("counter", ("model",)),
    "shiftwatch_events_duplicate_total": ("counter", ("model",)),
    "shiftwatch_schema_violations_total": ("counter", ("model", "rule")),
    "shiftwatch_drift_state": ("gauge", ("model", "source")),
    "shiftwatch_feature_drift_score": ("gauge", ("model", "feature")),
    "shiftwatch_feature_p_value": ("gauge", ("model", "feature")),
    "shiftwatch_feature_drifted": ("gauge", ("model", "feature")),
    "shiftwatch_window_rows": ("gauge", ("model", "source")),
    "shiftwatch_estimated_accuracy_ratio": ("gauge", ("model",)),
    "shiftwatch_estimated_accuracy_reliable": ("gauge", ("model",)),
    "shiftwatch_check_duration_seconds": ("histogram", ("model",)),
    "shiftwatch_alerts_sent_total": ("counter", ("model", "status")),
    "shiftwatch_alert_delivery_failures_total": ("counter", ("model",)),
    "shiftwatch_alert_delivery_errors_total": ("counter", ("model",)),
    "shiftwatch_build_info": ("gauge", ("version",)),
}

SERIES_NAMES = frozenset(
    [name for name, (kind, _) in METRICS.items() if kind != "histogram"]
    + [
        f"{name}{suffix}"
        for name, (kind, _) in METRICS.items()
        if kind == "histogram"
        for suffix in ("_bucket", "_sum", "_count")
    ]
)
"""Every series name a query may select."""

PROMQL_WORDS = frozenset(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right"}
    | {"bool", "offset", "inf", "nan"}
)


def selected_metrics(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (functions and keywords left out).

    >>> sorted(selected_metrics('sum by (le) (rate(a_bucket{m=~"$m"}[5m])) / b or up'))
    ['a_bucket', 'b', 'up']
    """
    text = re.sub(r'"(?:[^"\\]|\\.)*"' r"|'(?:[^'\\]|\\.)*'", "", expr)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = re.findall(r"(?<![\w.$])([A-Za-z_:][\w:]*)\b(?!\s*\()", text)
    return {name for name in names if name.lower() not in PROMQL_WORDS}
