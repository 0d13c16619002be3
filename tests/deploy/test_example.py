"""The deploy example starts as shipped: its reference profiles made by the one documented
command, its config read as it is (paths moved to a folder of the test's), its KServe example
accepted with its token and feature names."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from shiftwatch.service.app import create_app
from shiftwatch.service.settings import load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_example_starts_and_takes_the_kserve_logger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("HOST", "PORT", "DB_URL", "WRITE_TOKENS", "READ_TOKENS", "ADMIN_TOKENS"):
        monkeypatch.delenv(f"SHIFTWATCH_{variable}", raising=False)
    made = subprocess.run(
        [sys.executable, str(DEPLOY / "reference" / "make_references.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    config = (DEPLOY / "shiftwatch.toml").read_text("utf-8")
    config = config.replace("/var/lib/shiftwatch/reference", str(tmp_path))
    config = config.replace("/var/lib/shiftwatch/data", str(tmp_path))
    (tmp_path / "shiftwatch.toml").write_text(config)
    settings = load_settings(tmp_path / "shiftwatch.toml")
    service = yaml.safe_load((DEPLOY / "kserve" / "inferenceservice.yaml").read_text("utf-8"))
    url = service["spec"]["predictor"]["logger"]["url"]
    path = url.split("8000", 1)[1]  # /v1/models/sklearn-iris/kserve?token=...
    headers = {
        "ce-specversion": "1.0",
        "ce-id": "iris-1",
        "ce-type": "org.kubeflow.serving.inference.request",
        "Content-Type": "application/json",
    }
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        body = {"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}
        answer = client.post(path, content=json.dumps(body), headers=headers)
        assert answer.json() == {"accepted": 2, "duplicates": 0, "violations": 0}
        store = client.app.state.service.store  # type: ignore[attr-defined]
        (row, _) = store.latest_rows("sklearn-iris", 10)
        assert row.inputs == {
            "sepal_length": 6.8,
            "sepal_width": 2.8,
            "petal_length": 4.8,
            "petal_width": 1.4,
        }
