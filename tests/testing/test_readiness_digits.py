"""``shiftwatch readiness`` on the digits example: the score, computed by hand, and its fall.

Each run executes the example's evidence for real: one pytest session over its marked
tests, the pipeline, and the nightly ``shiftwatch compare`` of its serving sample.
"""

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from typer.testing import CliRunner

from shiftwatch.cli import app

DIGITS = Path(__file__).resolve().parents[2] / "examples" / "digits"
runner = CliRunner()

# By hand, from examples/digits/readiness.toml: automated answers score 1 when they pass,
# manual ones 0.5 (their records exist in notes/), the rest 0.
HAND_COMPUTED = {
    "data": 1 + 0.5 + 1,  # data-1 marker, data-2 manual, data-7 marker
    "model": 0.5 + 0.5 + 1 + 1,  # model-1 and -3 manual, -5 and -6 markers
    "infrastructure": 1 + 1 + 1 + 1,  # infra-1, -2, -4 markers, infra-3 the pipeline command
    "monitoring": 1 + 1 + 1,  # monitoring-2 and -7 markers, -3 the nightly compare command
}


@pytest.fixture(autouse=True)
def only_shiftwatch_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example needs no other pytest plugin: its session starts faster without them."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def readiness(project: Path, tmp_path: Path) -> tuple[str, dict]:
    report = tmp_path / "readiness.json"
    result = runner.invoke(app, ["readiness", str(project), "--json", str(report)])
    assert result.exit_code == 0, result.output
    return result.stdout, json.loads(report.read_text())


@pytest.mark.slow
def test_the_digits_example_scores_what_a_hand_count_says(tmp_path):
    printed, data = readiness(DIGITS, tmp_path)
    assert {k: v["total"] for k, v in data["sections"].items()} == HAND_COMPUTED
    assert data["score"] == min(HAND_COMPUTED.values()) == 2.5
    assert (data["weakest_sections"], data["band"]) == (["data"], "(2, 3]")
    assert (
        " ".join(printed.split()).count(
            "ML Test Score: 2.5 (lowest section: data; band (2, 3]): reasonably tested, but it's "
            "possible that more of those tests and procedures may be automated."
        )
        == 1
    )
    statuses = {t["id"]: t["status"] for t in data["tests"] if t["answer"] is not None}
    assert set(statuses.values()) == {"automated", "manual"}
    assert sum(s == "automated" for s in statuses.values()) == 11


@pytest.mark.slow
def test_broken_evidence_in_the_digits_example_lowers_its_score(tmp_path):
    project = tmp_path / "digits"
    shutil.copytree(DIGITS, project, ignore=shutil.ignore_patterns("__pycache__", ".*cache"))
    # The serving sample now comes from a scanner exporting intensities 0-255, not 0-16:
    # the nightly skew check (monitoring-3) fails, and monitoring becomes the weakest section.
    images = np.round(load_digits().data[:100] * 255 / 16).astype(int)
    with (project / "data" / "serving-sample.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        header = (DIGITS / "data" / "serving-sample.csv").read_text().splitlines()[0]
        writer.writerow(header.split(","))
        writer.writerows(images.tolist())
    _, data = readiness(project, tmp_path)
    skew = next(t for t in data["tests"] if t["id"] == "monitoring-3")
    assert (skew["status"], skew["points"], skew["detail"]) == ("failed", 0.0, "exit status 1")
    assert data["sections"]["monitoring"]["total"] == HAND_COMPUTED["monitoring"] - 1 == 2
    assert (data["score"], data["band"], data["weakest_sections"]) == (
        2.0,
        "(1, 2]",
        ["monitoring"],
    )
