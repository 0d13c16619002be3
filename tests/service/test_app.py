"""The service through its HTTP API (FastAPI's TestClient), on SQLite and on PostgreSQL."""

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from shiftwatch.service.app import create_app
from shiftwatch.service.settings import load_settings
from tests.service.conftest import calibration_file, probabilities, reference_data
from tests.service.receivers import webhook_receiver

WRITE, READ, ADMIN = "write-token", "read-token", "admin-token"


def settings_for(db_url: str, reference: Path, **model: Any) -> Any:
    server = {
        "db_url": db_url,
        "write_tokens": [WRITE],
        "read_tokens": [READ],
        "admin_tokens": [ADMIN],
        "max_body_bytes": 2_000_000,
        "webhook_backoff_seconds": 0.01,
    }
    models = [{"name": "churn", "reference": str(reference), "window": 1_000, **model}]
    return load_settings(server=server, models=models)


def events(rng: np.random.Generator, n: int, start: int = 0, shift: float = 0.0) -> list[dict]:
    data = reference_data(rng, n)
    data["age"] = data["age"] + shift * 10.0
    return [
        {
            "id": f"e{start + i}",
            "inputs": {name: values[i].item() for name, values in data.items()},
        }
        for i in range(n)
    ]


def post(client: TestClient, path: str, body: Any, token: str = WRITE) -> Any:
    return client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


def get(client: TestClient, path: str, token: str = READ) -> Any:
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_events_are_stored_once_and_counted(client: TestClient) -> None:
    batch = events(np.random.default_rng(1), 100)
    first = post(client, "/v1/models/churn/events", {"events": batch})
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 100, "duplicates": 0, "violations": 0}
    again = post(client, "/v1/models/churn/events", {"events": [*batch[:10], *batch[:10]]})
    assert again.json() == {"accepted": 0, "duplicates": 20, "violations": 0}
    status = get(client, "/v1/models/churn").json()
    assert status["stored_rows"] == 100
    metrics = get(client, "/metrics").text
    assert 'shiftwatch_events_received_total{model="churn"} 100.0' in metrics
    assert 'shiftwatch_events_duplicate_total{model="churn"} 20.0' in metrics
    assert "_created" not in metrics


def test_schema_violations_are_counted_queryable_and_never_drop_the_event(
    client: TestClient,
) -> None:
    bad = [
        {"id": "a", "inputs": {"age": "forty", "income": 1.0, "plan": "basic"}},
        {"id": "b", "inputs": {"age": 30.0, "income": 2.0, "plan": "platinum", "extra": 1}},
        {"id": "c", "inputs": {"income": 3.0, "plan": "pro"}},
    ]
    answer = post(client, "/v1/models/churn/events", {"events": bad})
    assert answer.status_code == 200
    assert answer.json()["accepted"] == 3
    counts = {
        (v["column"], v["rule"]): v["count"]
        for v in get(client, "/v1/models/churn/violations").json()
    }
    assert counts[("age", "type")] == 1
    assert counts[("plan", "unknown_category")] == 1
    assert counts[("extra", "unexpected_column")] == 1
    assert counts[("age", "null")] >= 1  # the text became missing, and c had no age
    metrics = get(client, "/metrics").text
    assert 'shiftwatch_schema_violations_total{model="churn",rule="type"} 1.0' in metrics


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": []}, "body.events"),
        ({"events": [{"inputs": "age=3"}]}, "body.events.0.inputs"),
        ({"events": [{"inputs": {}, "colour": 1}]}, "body.events.0.colour"),
        ({"event": []}, "body.events"),
        ({"events": [{"id": "", "inputs": {}}]}, "body.events.0.id"),
    ],
)
def test_a_malformed_body_gets_a_422_naming_the_field(
    client: TestClient, body: Any, field: str
) -> None:
    answer = post(client, "/v1/models/churn/events", body)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == field
    assert error["message"]
    assert "Traceback" not in answer.text


def test_not_json_and_unknown_models_get_4xx_with_a_message(client: TestClient) -> None:
    answer = client.post(
        "/v1/models/churn/events",
        content=b"{not json",
        headers={"Authorization": f"Bearer {WRITE}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "body"
    assert "JSON" in answer.json()["error"]["message"]
    missing = post(
        client, "/v1/models/nope/events", {"events": events(np.random.default_rng(0), 1)}
    )
    assert missing.status_code == 404
    assert "churn" in missing.json()["error"]["message"]


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/x-www-form-urlencoded"])
def test_events_not_sent_as_json_get_a_415_naming_the_header(
    client: TestClient, content_type: str | None
) -> None:
    headers = {"Authorization": f"Bearer {WRITE}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    body = b'{"events": [{"inputs": {"age": 40}}]}'
    answer = client.post("/v1/models/churn/events", content=body, headers=headers)
    assert answer.status_code == 415
    assert "Content-Type: application/json" in answer.json()["error"]["message"]
    json_with_charset = {**headers, "Content-Type": "application/json; charset=utf-8"}
    assert (
        client.post("/v1/models/churn/events", content=body, headers=json_with_charset).json()[
            "accepted"
        ]
        == 1
    )


def test_the_events_body_read_from_the_bytes_is_in_the_openapi_document(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    body = document["paths"]["/v1/models/{model}/events"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EventBatch"
    }
    schemas = document["components"]["schemas"]
    assert schemas["EventBatch"]["properties"]["events"]["items"] == {
        "$ref": "#/components/schemas/EventIn"
    }
    assert schemas["EventIn"]["required"] == ["inputs"]


def test_tokens_guard_writes_reads_and_admin_calls(client: TestClient) -> None:
    body = {"events": events(np.random.default_rng(2), 1)}
    assert client.post("/v1/models/churn/events", json=body).status_code == 401
    assert post(client, "/v1/models/churn/events", body, token=READ).status_code == 403
    assert post(client, "/v1/models/churn/events", body, token=ADMIN).status_code == 200
    # ?token= only on the model-server ingest routes, for senders that cannot set headers
    by_query = client.post(f"/v1/models/churn/events?token={WRITE}", json=body)
    assert by_query.status_code == 401
    bento = client.post(f"/v1/models/churn/bentoml?token={WRITE}", content=b"")
    assert bento.json() == {"accepted": 0, "duplicates": 0, "violations": 0}
    assert client.post(f"/v1/models/churn/check?token={ADMIN}").status_code == 401
    assert client.get(f"/metrics?token={READ}").status_code == 401
    assert client.get("/v1/models/churn").status_code == 401
    assert get(client, "/v1/models/churn", token=WRITE).status_code == 200
    assert post(client, "/v1/models/churn/check", {}, token=WRITE).status_code == 403
    assert post(client, "/v1/models/churn/check", {}, token=ADMIN).status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"
    metrics = get(client, "/metrics").text
    assert 'shiftwatch_events_rejected_total{model="churn",reason="auth"} 6.0' in metrics


def test_a_body_over_the_limit_gets_413(client: TestClient) -> None:
    huge = {"events": [{"inputs": {"age": 1.0, "note": "x" * 1_000}}] * 3_000}
    answer = post(client, "/v1/models/churn/events", huge)
    assert answer.status_code == 413
    assert answer.json()["error"]["field"] == "body"


def test_late_labels_join_by_id(client: TestClient) -> None:
    post(client, "/v1/models/churn/events", {"events": events(np.random.default_rng(3), 5)})
    labels = {
        "labels": [{"id": "e1", "label": 1}, {"id": "e4", "label": 0}, {"id": "zz", "label": 1}]
    }
    answer = post(client, "/v1/models/churn/labels", labels)
    assert answer.json() == {"joined": 2, "unknown": 1}


def test_a_sustained_shift_pages_once_and_resolves_once(
    db_url: str, reference_files: tuple[Path, Path]
) -> None:
    rng = np.random.default_rng(4)
    with webhook_receiver([503, 200]) as receiver:  # the first delivery fails, then retried
        settings = settings_for(
            db_url, reference_files[0], check_every=500, ert=1e6, webhook_url=receiver.url
        )
        with TestClient(create_app(settings)) as client:
            start = 0
            for shift, batches in ((0.0, 10), (1.0, 40), (0.0, 20)):
                for _ in range(batches):
                    body = {"events": events(rng, 100, start, shift)}
                    assert post(client, "/v1/models/churn/events", body).status_code == 200
                    start += 100
            deadline = time.time() + 10
            while len(receiver.bodies) < 2 and time.time() < deadline:
                time.sleep(0.05)
            alerts = get(client, "/v1/models/churn/alerts").json()
            metrics = get(client, "/metrics").text
            history = get(client, "/v1/models/churn/history").json()
    assert [body["status"] for body in receiver.bodies] == ["firing", "resolved"]
    firing, resolved = receiver.bodies
    assert firing["version"] == "4"
    assert firing["alerts"][0]["labels"] == {
        "alertname": "ShiftwatchDrift",
        "model": "churn",
        "source": "window",
        "severity": "page",
    }
    assert "age" in firing["alerts"][0]["annotations"]["description"]
    assert resolved["alerts"][0]["startsAt"] == firing["alerts"][0]["startsAt"]
    assert resolved["alerts"][0]["endsAt"] != "0001-01-01T00:00:00Z"
    assert [(a["status"], a["delivered"]) for a in alerts] == [("resolved", True), ("firing", True)]
    assert alerts[1]["attempts"] == 2
    assert 'shiftwatch_alerts_sent_total{model="churn",status="firing"} 1.0' in metrics
    assert 'shiftwatch_drift_state{model="churn",source="window"} 0.0' in metrics
    assert 'shiftwatch_feature_p_value{feature="age",model="churn"}' in metrics
    assert len(history) == 70 * 100 // 500  # one check per 500 rows
    flagged = [check["columns"]["age"]["drifted"] for check in history]
    assert any(flagged)
    assert not flagged[0]
    assert set(history[-1]["columns"]) == {"age", "income", "plan"}


def test_kserve_request_and_response_are_joined_into_complete_rows(
    db_url: str, reference_files: tuple[Path, Path]
) -> None:
    inputs, outputs = reference_files
    settings = settings_for(db_url, inputs, reference_outputs=str(outputs), check_every=500)
    rng = np.random.default_rng(5)
    with TestClient(create_app(settings)) as client:
        for i in range(3):
            data = reference_data(rng, 2)
            instances = [
                {name: values[j].item() for name, values in data.items()} for j in range(2)
            ]
            headers = {
                "ce-specversion": "1.0",
                "ce-id": f"req-{i}",
                "ce-source": "http://localhost:9081/",
                "ce-type": "org.kubeflow.serving.inference.response",
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": f"Bearer {WRITE}",
            }
            predictions = probabilities(rng, 2).tolist()
            # the response may come first: it waits for its request
            answer = client.post(
                "/v1/models/churn/kserve", json={"predictions": predictions}, headers=headers
            )
            assert answer.status_code == 200, answer.text
            headers["ce-type"] = "org.kubeflow.serving.inference.request"
            answer = client.post(
                "/v1/models/churn/kserve", json={"instances": instances}, headers=headers
            )
            assert answer.json()["accepted"] == 2
        assert get(client, "/v1/models/churn").json()["stored_rows"] == 6
        service = client.app.state.service  # type: ignore[attr-defined]
        assert service.models["churn"].monitor.n == 6  # complete rows reached the monitor
        metrics = get(client, "/metrics").text
        assert 'shiftwatch_events_received_total{model="churn"} 6.0' in metrics  # rows, once
        assert 'shiftwatch_ingest_requests_total{model="churn"} 6.0' in metrics  # requests
        bad = client.post(
            "/v1/models/churn/kserve",
            content=b"{}",
            headers={"ce-id": "x", "ce-type": "nonsense", "Authorization": f"Bearer {WRITE}"},
        )
        assert bad.status_code == 400
        assert bad.json()["error"]["field"]


def test_raw_events_are_trimmed_to_their_retention(
    db_url: str, reference_files: tuple[Path, Path]
) -> None:
    settings = settings_for(db_url, reference_files[0])
    settings.server.raw_retention_rows = 200
    rng = np.random.default_rng(6)
    with TestClient(create_app(settings)) as client:
        for start in range(0, 500, 50):
            body = {"events": events(rng, 50, start)}
            assert post(client, "/v1/models/churn/events", body).status_code == 200
        status = get(client, "/v1/models/churn").json()
        service = client.app.state.service  # type: ignore[attr-defined]
        counted = service.store.count_rows("churn")
    assert 200 <= status["stored_rows"] <= 220  # trimmed back to 200 once 10% over
    assert status["stored_rows"] == counted


def calibrated(
    db_url: str, reference_files: tuple[Path, Path], folder: Path, seed: int, **model: Any
) -> tuple[Any, Any, np.random.Generator]:
    """Settings of a model that watches its outputs and has a calibration file of 2,000
    labelled predictions; the estimator fitted on that file; the generator, for more data."""
    from shiftwatch.outputs import AccuracyEstimator

    rng = np.random.default_rng(seed)
    calibration = folder / "calibration.parquet"
    held_out, labels = calibration_file(calibration, rng, 2_000)
    inputs, outputs = reference_files
    settings = settings_for(
        db_url, inputs, reference_outputs=str(outputs), calibration=str(calibration), **model
    )
    return settings, AccuracyEstimator().fit(held_out, labels), rng


def with_outputs(batch: list[dict], outputs: np.ndarray) -> list[dict]:
    for event, row in zip(batch, outputs, strict=True):
        event["outputs"] = row.tolist()
    return batch


@pytest.mark.filterwarnings("ignore::shiftwatch.errors.ShiftwatchWarning")
def test_a_calibration_file_gives_the_label_free_accuracy_estimate(
    db_url: str, reference_files: tuple[Path, Path], tmp_path: Path
) -> None:
    settings, estimator, rng = calibrated(
        db_url, reference_files, tmp_path, 8, check_every=500, ert=1e6
    )
    sent = []
    with TestClient(create_app(settings)) as client:
        for start in range(0, 1_000, 100):
            probs = probabilities(rng, 100, confidence=0.8)  # as calibrated: reliable
            sent.append(probs)
            batch = with_outputs(events(rng, 100, start), probs)
            assert post(client, "/v1/models/churn/events", {"events": batch}).status_code == 200
        status = get(client, "/v1/models/churn").json()
        metrics = get(client, "/metrics").text
        history = get(client, "/v1/models/churn/history").json()
    expected = estimator.estimate(np.concatenate(sent))
    # a check every 500 rows: each records the window's mean confidence and the estimate of
    # the rows up to it (the window holds them all)
    assert [check["window_rows"] for check in history] == [500, 1_000]
    for check, rows in zip(history, (500, 1_000), strict=True):
        probs = np.concatenate(sent)[:rows]
        at_check = estimator.estimate(probs)
        assert check["outputs"] == {
            "mean_confidence": pytest.approx(probs.max(axis=1).mean(), rel=1e-12),
            "estimated_accuracy": pytest.approx(at_check.value, rel=1e-12),
            "accuracy_low": pytest.approx(at_check.low, rel=1e-12),
            "accuracy_high": pytest.approx(at_check.high, rel=1e-12),
            "accuracy_reliable": 1.0,
        }
    assert status["estimated_accuracy"]["reliable"] and expected.reliable
    assert status["estimated_accuracy"]["value"] == pytest.approx(expected.value, rel=1e-12)
    assert status["estimated_accuracy"]["n"] == 1_000
    assert (
        status["estimated_accuracy"]["low"] < expected.value < status["estimated_accuracy"]["high"]
    )
    assert f'shiftwatch_estimated_accuracy_ratio{{model="churn"}} {expected.value!r}' in metrics
    assert 'shiftwatch_estimated_accuracy_reliable{model="churn"} 1.0' in metrics


@pytest.mark.filterwarnings("ignore::shiftwatch.errors.ShiftwatchWarning")
def test_an_estimate_that_cannot_be_trusted_says_so_and_exports_no_number(
    db_url: str, reference_files: tuple[Path, Path], tmp_path: Path
) -> None:
    settings, estimator, rng = calibrated(db_url, reference_files, tmp_path, 10, check_every=500)
    probs = probabilities(rng, 500, confidence=0.45)  # far less confident than calibrated
    with TestClient(create_app(settings)) as client:
        batch = with_outputs(events(rng, 500), probs)
        assert post(client, "/v1/models/churn/events", {"events": batch}).status_code == 200
        status = get(client, "/v1/models/churn").json()["estimated_accuracy"]
        metrics = get(client, "/metrics").text
        (check,) = get(client, "/v1/models/churn/history").json()
    expected = estimator.estimate(probs)
    assert not expected.reliable
    assert (status["reliable"], status["reason"]) == (False, expected.reason)
    assert "confidence" in status["reason"]
    assert check["outputs"]["accuracy_reliable"] == 0.0
    assert 'shiftwatch_estimated_accuracy_ratio{model="churn"} NaN' in metrics
    assert 'shiftwatch_estimated_accuracy_reliable{model="churn"} 0.0' in metrics


def test_rows_that_are_not_probabilities_are_left_out_of_the_accuracy_estimate(
    db_url: str, reference_files: tuple[Path, Path], tmp_path: Path
) -> None:
    settings, estimator, rng = calibrated(db_url, reference_files, tmp_path, 9, check_every=100)
    probs = probabilities(rng, 100)
    batch = with_outputs(events(rng, 100), probs)
    batch[0]["outputs"] = [1.5, -0.5, 0.0]
    with TestClient(create_app(settings)) as client:
        answer = post(client, "/v1/models/churn/events", {"events": batch})
        status = get(client, "/v1/models/churn")
        history = get(client, "/v1/models/churn/history").json()
    assert answer.status_code == 200, answer.text
    assert status.status_code == 200
    expected = estimator.estimate(probs[1:])
    assert status.json()["estimated_accuracy"]["n"] == 99
    assert [check["outputs"]["estimated_accuracy"] for check in history] == [
        pytest.approx(expected.value, rel=1e-12)
    ]


def test_a_calibration_file_without_labels_is_refused_naming_the_column(
    tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from shiftwatch.errors import SchemaError

    calibration = tmp_path / "calibration.parquet"
    pq.write_table(pa.table({"p0": [0.9, 0.2], "p1": [0.1, 0.8]}), calibration)
    settings = settings_for("sqlite://", reference_files[0], calibration=str(calibration))
    with pytest.raises(SchemaError, match="'label'"):
        create_app(settings)
