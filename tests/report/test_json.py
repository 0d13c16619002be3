import json

import numpy as np
import pytest

import shiftwatch as sw


@pytest.fixture
def report() -> sw.DriftReport:
    rng = np.random.default_rng(1)
    values = rng.normal(size=400)
    values[:40] = np.nan
    return sw.compare(
        {"x": rng.normal(size=400), "c": rng.choice(["a", "b"], 400), "k": np.ones(400)},
        {"x": values, "c": rng.choice(["a", "b", "z"], 400), "k": np.full(400, 2.0)},
    )


def test_json_matches_the_report_objects(report, tmp_path) -> None:
    path = tmp_path / "report.json"
    text = report.to_json(path)
    data = json.loads(path.read_text())
    assert data == json.loads(text)
    assert data["drifted"] is report.drifted
    assert data["drifted_columns"] == list(report.drifted_columns)
    by_name = {c["name"]: c for c in data["columns"]}
    for name, column in report.columns.items():
        assert by_name[name]["p_value"] == column.p_value
        assert by_name[name]["adjusted_p_value"] == column.adjusted_p_value
        assert by_name[name]["reason"] == column.reason
        assert [c["check"] for c in by_name[name]["checks"]] == [c.name for c in column.checks]
    assert by_name["c"]["new_categories"] == ["z"]
    assert by_name["x"]["missing_current"] == 40


def test_infinite_effects_become_null_in_strict_json(report) -> None:
    column = json.loads(report.to_json())["columns"][2]
    assert column["name"] == "k" and column["effect"] is None
    assert report.columns["k"].effect == float("inf")
