"""deploy/grafana: provisioning files and the dashboard, checked structurally (no Grafana here)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.metric_names import SERIES_NAMES, selected_metrics

GRAFANA = Path(__file__).resolve().parents[2] / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "shiftwatch.json"
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "shiftwatch.yml"
PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "shiftwatch.yml"


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def datasource() -> dict[str, Any]:
    (source,) = yaml.safe_load(DATASOURCES.read_text(encoding="utf-8"))["datasources"]
    return dict(source)


def targets(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [target for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_datasource_is_the_composes_prometheus() -> None:
    source = datasource()
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    assert source["uid"]


def test_the_dashboard_provider_reads_the_mounted_folder() -> None:
    (provider,) = yaml.safe_load(PROVIDERS.read_text(encoding="utf-8"))["providers"]
    assert provider["type"] == "file"
    compose = yaml.safe_load((GRAFANA.parent / "docker-compose.yml").read_text(encoding="utf-8"))
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in mounts
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in mounts


def test_the_dashboard_is_identified(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] == "shiftwatch"
    assert dashboard["title"]
    assert isinstance(dashboard["schemaVersion"], int)
    assert "id" not in dashboard or dashboard["id"] is None  # provisioning assigns ids


def test_every_panel_and_query_uses_the_provisioned_datasource(dashboard: dict[str, Any]) -> None:
    expected = {"type": "prometheus", "uid": datasource()["uid"]}
    for panel in dashboard["panels"]:
        assert panel["datasource"] == expected, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == expected, panel["title"]
    for variable in dashboard["templating"]["list"]:
        assert variable["datasource"] == expected


def test_every_query_selects_only_the_services_metrics(dashboard: dict[str, Any]) -> None:
    for target in targets(dashboard):
        selected = selected_metrics(target["expr"])
        assert selected, target["expr"]
        assert selected <= SERIES_NAMES, selected - SERIES_NAMES
    for variable in dashboard["templating"]["list"]:
        match = re.fullmatch(r"label_values\((\w+), *(\w+)\)", variable["definition"])
        assert match is not None, variable["definition"]
        assert match[1] in SERIES_NAMES
        assert variable["query"]["query"] == variable["definition"]


def test_every_model_scoped_query_follows_the_model_variable(dashboard: dict[str, Any]) -> None:
    (variable,) = dashboard["templating"]["list"]
    assert variable["name"] == "model"
    for target in targets(dashboard):
        if "shiftwatch_build_info" not in target["expr"]:
            assert 'model=~"$model"' in target["expr"], target["expr"]


@pytest.mark.parametrize(
    ("topic", "metric"),
    [
        ("drift state", "shiftwatch_drift_state"),
        ("feature drift scores", "shiftwatch_feature_drift_score"),
        ("p-values", "shiftwatch_feature_p_value"),
        ("drifted features", "shiftwatch_feature_drifted"),
        ("events rate", "shiftwatch_events_received_total"),
        ("rejected rate", "shiftwatch_events_rejected_total"),
        ("window rows", "shiftwatch_window_rows"),
        ("accuracy estimate", "shiftwatch_estimated_accuracy_ratio"),
        ("check duration p99", "shiftwatch_check_duration_seconds_bucket"),
        ("alerts", "shiftwatch_alerts_sent_total"),
        ("alert failures", "shiftwatch_alert_delivery_failures_total"),
    ],
)
def test_the_dashboard_shows(dashboard: dict[str, Any], topic: str, metric: str) -> None:
    assert any(metric in selected_metrics(t["expr"]) for t in targets(dashboard)), topic


def test_check_duration_is_a_p99(dashboard: dict[str, Any]) -> None:
    (expr,) = [t["expr"] for t in targets(dashboard) if "check_duration" in t["expr"]]
    assert expr.startswith("histogram_quantile(0.99, sum by (model, le) (rate(")


def test_panels_have_unique_ids_and_refids_and_do_not_overlap(dashboard: dict[str, Any]) -> None:
    panels = dashboard["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        refs = [target["refId"] for target in panel["targets"]]
        assert len(set(refs)) == len(refs)
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        covered = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not covered & cells, panel["title"]
        cells |= covered
