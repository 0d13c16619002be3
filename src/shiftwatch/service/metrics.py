"""Prometheus metrics of the service: one registry per app, names by Prometheus conventions.

``shiftwatch_`` prefix, base units in names, counters ending in ``_total``, no colons, no
``_created`` series, and bounded label values: ``model`` (configured names), ``feature`` (the
reference's columns, at most :data:`MAX_FEATURES` per model), ``source`` (``window`` or
``errors``), ``rule`` (the schema's rule codes), ``reason`` and ``status`` (fixed sets).

>>> metrics = ServiceMetrics()
>>> metrics.received.labels(model="churn").inc(3)
>>> b'shiftwatch_events_received_total{model="churn"} 3.0' in metrics.exposition()
True
"""

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from shiftwatch import __version__

MAX_FEATURES = 200
REJECT_REASONS = (
    "malformed",
    "schema",
    "auth",
    "too_large",
    "unknown_model",
    "overloaded",
    "timeout",
)


class ServiceMetrics:
    """Every metric the service exports, registered in its own registry."""

    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        registry = self.registry
        self.received = Counter(
            "shiftwatch_events_received",
            "Event rows accepted and stored (each row once, however many parts it came in).",
            ["model"],
            registry=registry,
        )
        self.rejected = Counter(
            "shiftwatch_events_rejected",
            "Requests refused, by reason (requests, not event rows).",
            ["model", "reason"],
            registry=registry,
        )
        self.requests = Counter(
            "shiftwatch_ingest_requests",
            "Ingest requests accepted (events, labels and model-server payloads; requests, "
            "not rows): the denominator of the share refused, with events_rejected.",
            ["model"],
            registry=registry,
        )
        self.duplicates = Counter(
            "shiftwatch_events_duplicate",
            "Event rows whose id was already stored (counted once).",
            ["model"],
            registry=registry,
        )
        self.violations = Counter(
            "shiftwatch_schema_violations",
            "Values that broke a schema rule, by rule.",
            ["model", "rule"],
            registry=registry,
        )
        self.drift_state = Gauge(
            "shiftwatch_drift_state",
            "1 while an alarm stands (window: inputs and outputs; errors: labels), else 0.",
            ["model", "source"],
            registry=registry,
        )
        self.feature_score = Gauge(
            "shiftwatch_feature_drift_score",
            "A feature's CUSUM of normal scores over its threshold: 1 raises an alarm.",
            ["model", "feature"],
            registry=registry,
        )
        self.feature_p_value = Gauge(
            "shiftwatch_feature_p_value",
            "A feature's p-value at the last window check (after correction).",
            ["model", "feature"],
            registry=registry,
        )
        self.feature_drifted = Gauge(
            "shiftwatch_feature_drifted",
            "1 when the last window check flagged the feature, else 0.",
            ["model", "feature"],
            registry=registry,
        )
        self.window_rows = Gauge(
            "shiftwatch_window_rows",
            "Rows in the window at the last check.",
            ["model", "source"],
            registry=registry,
        )
        self.accuracy = Gauge(
            "shiftwatch_estimated_accuracy_ratio",
            "Label-free accuracy estimate from calibrated confidence.",
            ["model"],
            registry=registry,
        )
        self.accuracy_reliable = Gauge(
            "shiftwatch_estimated_accuracy_reliable",
            "1 while the label-free accuracy estimate can be trusted; 0 when its assumptions "
            "broke (the ratio is then NaN).",
            ["model"],
            registry=registry,
        )
        self.check_seconds = Histogram(
            "shiftwatch_check_duration_seconds",
            "Time to check a window against its reference.",
            ["model"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=registry,
        )
        self.alerts_sent = Counter(
            "shiftwatch_alerts_sent",
            "Alert notifications delivered to the webhook, by status.",
            ["model", "status"],
            registry=registry,
        )
        self.alert_failures = Counter(
            "shiftwatch_alert_delivery_failures",
            "Alerts given up: failed after every retry, or whose body could not be built.",
            ["model"],
            registry=registry,
        )
        self.alert_errors = Counter(
            "shiftwatch_alert_delivery_errors",
            "Webhook delivery attempts that failed (each try, from the first).",
            ["model"],
            registry=registry,
        )
        build = Gauge(
            "shiftwatch_build_info", "The running shiftwatch.", ["version"], registry=registry
        )
        build.labels(version=__version__).set(1)

    def start_at_zero(self, model: str) -> None:
        """Export every counter and state of ``model`` at 0 before anything happens.

        A counter born at 1 is invisible to ``increase()``: the first failure would never
        fire a rule. (Violations are counted by rule codes, and appear with their first.)
        """
        for counter in (self.received, self.duplicates, self.requests):
            counter.labels(model=model)
        for reason in REJECT_REASONS:
            self.rejected.labels(model=model, reason=reason)
        for status in ("firing", "resolved"):
            self.alerts_sent.labels(model=model, status=status)
        self.alert_failures.labels(model=model)
        self.alert_errors.labels(model=model)
        for source in ("window", "errors"):
            self.drift_state.labels(model=model, source=source)
        self.window_rows.labels(model=model, source="window")

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return bytes(generate_latest(self.registry))
