"""deploy/prometheus: promtool on the rules, their unit tests, the config and the metric names."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.metric_names import METRICS, SERIES_NAMES, selected_metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PROMETHEUS = DEPLOY / "prometheus"
RULES = PROMETHEUS / "shiftwatch-rules.yml"
RULE_TESTS = PROMETHEUS / "shiftwatch-rules.test.yml"
CONFIG = PROMETHEUS / "prometheus.yml"

needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool missing: apt-get install prometheus (.ci/run does)",
)


def promtool(*args: str, stdin: bytes | None = None, cwd: Path = PROMETHEUS) -> str:
    result = subprocess.run(
        ["promtool", *args], input=stdin, capture_output=True, cwd=cwd, timeout=60
    )
    output = (result.stdout + result.stderr).decode()
    assert result.returncode == 0, output
    return output


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def alerting_rules() -> list[dict[str, Any]]:
    return [rule for group in load(RULES)["groups"] for rule in group["rules"] if "alert" in rule]


def sample_exposition() -> bytes:
    """Every metric of the contract with sample label values, written by prometheus-client."""
    from prometheus_client import (
        CollectorRegistry,
        Counter,
        Gauge,
        Histogram,
        disable_created_metrics,
        generate_latest,
    )

    disable_created_metrics()  # the service does the same: no *_created series
    registry = CollectorRegistry()
    values = {
        "model": "churn",
        "reason": "schema",
        "rule": "out_of_range",
        "source": "inputs",
        "feature": "age",
        "status": "firing",
        "version": "0.1.0",
    }
    for name, (kind, labels) in METRICS.items():
        documentation = f"Sample of {name}."
        metric: Counter | Gauge | Histogram
        if kind == "counter":
            metric = Counter(name.removesuffix("_total"), documentation, labels, registry=registry)
            metric.labels(**{label: values[label] for label in labels}).inc(3)
        elif kind == "gauge":
            metric = Gauge(name, documentation, labels, registry=registry)
            metric.labels(**{label: values[label] for label in labels}).set(1)
        else:
            metric = Histogram(name, documentation, labels, registry=registry)
            metric.labels(**{label: values[label] for label in labels}).observe(0.02)
    return bytes(generate_latest(registry))


@needs_promtool
def test_promtool_checks_the_rules() -> None:
    assert "SUCCESS: 5 rules found" in promtool("check", "rules", RULES.name)


@needs_promtool
def test_promtool_runs_the_rule_unit_tests() -> None:
    assert "SUCCESS" in promtool("test", "rules", RULE_TESTS.name)


@needs_promtool
def test_promtool_checks_the_config_and_finds_the_rules() -> None:
    output = promtool("check", "config", CONFIG.name)
    assert "SUCCESS: 1 rule files found" in output


@needs_promtool
def test_promtool_checks_the_metric_names() -> None:
    exposition = sample_exposition()
    lines = exposition.decode().splitlines()
    series = {line.split("{")[0].split(" ")[0] for line in lines if not line.startswith("#")}
    assert series == SERIES_NAMES  # no *_created series either
    assert promtool("check", "metrics", stdin=exposition).strip() == ""


def test_the_config_scrapes_shiftwatch_metrics() -> None:
    config = load(CONFIG)
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "shiftwatch"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"] == [{"targets": ["shiftwatch:8000"]}]
    assert config["rule_files"] == [RULES.name]


@pytest.mark.parametrize(
    "alert",
    [
        "ShiftwatchDrift",
        "ShiftwatchErrorRate",
        "ShiftwatchIngestRejecting",
        "ShiftwatchAlertDeliveryFailing",
        "ShiftwatchDown",
    ],
)
def test_each_alert_exists_with_severity_and_summary(alert: str) -> None:
    (rule,) = [rule for rule in alerting_rules() if rule["alert"] == alert]
    assert rule["labels"]["severity"] in {"page", "warning", "critical"}
    assert rule["annotations"]["summary"]
    assert rule["annotations"]["description"]


def test_rules_select_only_the_services_metrics() -> None:
    for rule in alerting_rules():
        selected = selected_metrics(rule["expr"])
        assert selected, rule["alert"]
        assert selected <= SERIES_NAMES | {"up"}, (rule["alert"], selected - SERIES_NAMES)


def test_every_alert_is_tested_firing_and_not_firing() -> None:
    cases: dict[str, set[bool]] = {}
    tests = load(RULE_TESTS)
    assert tests["rule_files"] == [RULES.name]
    for test in tests["tests"]:
        for case in test["alert_rule_test"]:
            cases.setdefault(case["alertname"], set()).add(bool(case.get("exp_alerts")))
    assert cases == {rule["alert"]: {True, False} for rule in alerting_rules()}


@pytest.mark.parametrize("source", ["window", "errors"])
def test_the_drift_alerts_have_the_webhooks_identity(source: str) -> None:
    from shiftwatch.service.alerts import alert_payload

    sent = alert_payload("churn", source, "firing", 0.0, None, "detail", "http://sw")["alerts"][0]
    (rule,) = [rule for rule in alerting_rules() if rule["alert"] == sent["labels"]["alertname"]]
    assert "by (model, source)" in rule["expr"]
    assert f'shiftwatch_drift_state{{source="{source}"}}' in rule["expr"]
    labels = {"alertname": rule["alert"], "model": "churn", "source": source, **rule["labels"]}
    assert labels == sent["labels"]
    summary = rule["annotations"]["summary"].replace("{{ $labels.model }}", "churn")
    assert summary == sent["annotations"]["summary"]


def test_every_rule_test_starts_from_absent_series() -> None:
    for test in load(RULE_TESTS)["tests"]:
        for series in test["input_series"]:
            if series["series"].startswith("shiftwatch_"):
                assert series["values"].startswith("_ "), series["series"]


def test_the_ingest_alert_waits_ten_minutes_over_five_percent() -> None:
    (rule,) = [rule for rule in alerting_rules() if rule["alert"] == "ShiftwatchIngestRejecting"]
    assert rule["for"] == "10m"
    assert rule["expr"].strip().endswith("> 0.05")
