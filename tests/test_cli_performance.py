"""`shiftwatch performance`: the table, the JSON, chunks, a threshold, and bad input."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from typer.testing import CliRunner

from shiftwatch.cli import app
from tests.outputs.simulated import Classifier

runner = CliRunner()
MODEL = Classifier(scale=4.0, sharpness=2.0, decimals=2)


def outputs_frame(rng: np.random.Generator, n: int, labelled: bool) -> pd.DataFrame:
    probabilities, labels = MODEL.sample(rng, n)
    frame = pd.DataFrame({"p_no": probabilities[:, 0], "p_yes": probabilities[:, 1]})
    if labelled:
        frame["label"] = labels
    return frame


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(21)
    outputs_frame(rng, 4_000, labelled=True).to_parquet(tmp_path / "reference.parquet")
    outputs_frame(rng, 3_000, labelled=True).to_csv(tmp_path / "current.csv", index=False)
    return tmp_path / "reference.parquet", tmp_path / "current.csv"


def test_prints_a_table_and_writes_json_per_chunk(files: tuple[Path, Path], tmp_path: Path) -> None:
    reference, current = files
    out = tmp_path / "performance.json"
    result = runner.invoke(
        app,
        ["performance", str(reference), str(current), "--chunk-size", "1000", "--json", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "2,000-2,999" in result.output
    assert "accuracy" in result.output and "roc_auc" in result.output
    document = json.loads(out.read_text())
    assert document["reference"]["n"] == 4_000
    assert [(c["start"], c["stop"]) for c in document["chunks"]] == [
        (0, 1_000),
        (1_000, 2_000),
        (2_000, 3_000),
    ]
    frame = pd.read_csv(current)
    first = frame.iloc[:1_000]
    decisions = (first["p_yes"] > first["p_no"]).astype(int)
    accuracy = document["chunks"][0]["metrics"]["accuracy"]
    assert accuracy["realized"] == pytest.approx(skm.accuracy_score(first["label"], decisions))
    assert abs(accuracy["value"] - accuracy["realized"]) < 0.04
    assert accuracy["low"] <= accuracy["value"] <= accuracy["high"]


def test_a_threshold_and_unlabelled_current_rows(files: tuple[Path, Path], tmp_path: Path) -> None:
    reference, _ = files
    current = tmp_path / "unlabelled.parquet"
    outputs_frame(np.random.default_rng(22), 2_000, labelled=False).to_parquet(current)
    result = runner.invoke(
        app, ["performance", str(reference), str(current), "--threshold", "0.65", "--json", "-"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    recall = document["chunks"][0]["metrics"]["recall"]
    assert recall["realized"] is None
    at_half = runner.invoke(app, ["performance", str(reference), str(current), "--json", "-"])
    assert json.loads(at_half.output)["chunks"][0]["metrics"]["recall"]["value"] > recall["value"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["--metric", "auc"], "must name metrics from", id="unknown-metric"),
        pytest.param(["--threshold", "2"], "'threshold' parameter", id="bad-threshold"),
        pytest.param(["--chunk-size", "0"], "--chunk-size must be >= 1", id="bad-chunk-size"),
        pytest.param(["--label", "truth"], "needs a 'truth' column", id="no-label-column"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    files: tuple[Path, Path], arguments: list[str], message: str
) -> None:
    reference, current = files
    result = runner.invoke(app, ["performance", str(reference), str(current), *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["performance", str(tmp_path / "nope.csv"), str(tmp_path / "nope.csv")]
    )
    assert result.exit_code == 2
