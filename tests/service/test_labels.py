"""Late labels land on their own row: ``/labels`` by ``(id, row)``, Seldon feedback by position,
and a feedback whose label count differs from the request's rows is refused, on SQLite and
PostgreSQL."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shiftwatch.service.app import create_app
from tests.service.test_app import WRITE, get, post, settings_for

REQUEST = "io.seldon.serving.inference.request"
RESPONSE = "io.seldon.serving.inference.response"
FEEDBACK = "io.seldon.serving.feedback"


@pytest.fixture
def seldon(db_url: str, reference_files: tuple[Path, Path]) -> Iterator[TestClient]:
    inputs, outputs = reference_files
    settings = settings_for(
        db_url,
        inputs,
        reference_outputs=str(outputs),
        expected_error_rate=0.2,
        feature_names=["age", "income", "plan"],
    )
    with TestClient(create_app(settings)) as client:
        _send(client, REQUEST, {"data": {"ndarray": [[30.0, 2e4, "basic"], [50.0, 3e4, "pro"]]}})
        probabilities = [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]]  # predicts class 0, then class 1
        _send(client, RESPONSE, {"data": {"ndarray": probabilities}})
        yield client


def _send(client: TestClient, kind: str, body: dict[str, Any]) -> Any:
    headers = {
        "ce-specversion": "1.0",
        "ce-requestid": "req-1",
        "ce-type": kind,
        "Authorization": f"Bearer {WRITE}",
    }
    return client.post("/v1/models/churn/seldon", content=json.dumps(body), headers=headers)


def _errors_statistic(client: TestClient) -> float:
    monitor = client.app.state.service.models["churn"].monitor  # type: ignore[attr-defined]
    return float(monitor._errors.statistic)


def test_seldon_feedback_labels_each_row_of_the_request(seldon: TestClient) -> None:
    answer = _send(seldon, FEEDBACK, {"truth": {"data": {"ndarray": [[0], [1]]}}})
    assert answer.json() == {"accepted": 2, "duplicates": 0, "violations": 0}
    stored = list(seldon.app.state.service.store.latest_rows("churn", 10))  # type: ignore[attr-defined]
    assert [row.label for row in stored] == [0, 1]
    assert _errors_statistic(seldon) == 0.0  # both predictions were right


def test_a_feedback_with_another_count_of_labels_is_refused(seldon: TestClient) -> None:
    answer = _send(seldon, FEEDBACK, {"truth": {"data": {"ndarray": [[0], [1], [1]]}}})
    assert answer.status_code == 422
    assert answer.json()["error"] == {
        "field": "body.truth",
        "message": "holds 3 labels; the event 'req-1' has 2 rows",
    }


def test_labels_by_id_and_row(seldon: TestClient) -> None:
    labels = {
        "labels": [
            {"id": "req-1", "row": 1, "label": 0},  # wrong: the model said class 1
            {"id": "req-1", "row": 5, "label": 0},
        ]
    }
    assert post(seldon, "/v1/models/churn/labels", labels).json() == {"joined": 1, "unknown": 1}
    stored = list(seldon.app.state.service.store.latest_rows("churn", 10))  # type: ignore[attr-defined]
    assert [row.label for row in stored] == [None, 0]
    assert _errors_statistic(seldon) > 0.0
    status = get(seldon, "/v1/models/churn").json()
    assert status["stored_rows"] == 2
