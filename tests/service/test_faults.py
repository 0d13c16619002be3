"""The service under faults and abuse, on SQLite and PostgreSQL: a 2xx means stored and
monitored, odd values never crash or steer anything, a failing database says so, a flooded
model sheds load, and a slow or unauthenticated sender costs nothing."""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow as pa
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shiftwatch.errors import InvalidParameterError
from shiftwatch.service.app import BodyLimit, CatchAll, create_app
from shiftwatch.service.settings import load_settings
from shiftwatch.service.storage import Store
from tests.service.conftest import probabilities
from tests.service.test_app import WRITE, events, get, post, settings_for


@pytest.fixture
def outputs_client(db_url: str, reference_files: tuple[Path, Path]) -> Iterator[TestClient]:
    """A model that watches its outputs (class probabilities) and its error rate."""
    inputs, outputs = reference_files
    settings = settings_for(
        db_url, inputs, reference_outputs=str(outputs), expected_error_rate=0.2, check_every=500
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _with_outputs(batch: list[dict], values: list[Any], labels: list[Any] | None = None) -> dict:
    for i, (event, value) in enumerate(zip(batch, values, strict=True)):
        event["outputs"] = value
        if labels is not None:
            event["label"] = labels[i]
    return {"events": batch}


GOOD = [0.2, 0.7, 0.1]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([0.5, 0.5], "expected a list of 3 class probabilities, got a list of 2"),  # ragged
        ([], "expected a list of 3 class probabilities, got a list of 0"),
        (  # a label among probabilities
            1,
            "expected a list of 3 class probabilities, got 1 (the reference outputs hold a "
            "confidence; for a model server that returns labels only, profile the labels alone)",
        ),
        ({"p": 1}, "expected a list of 3 class probabilities, got an object"),
        (
            "cat",
            "expected a list of 3 class probabilities, got 'cat' (the reference outputs hold a "
            "confidence; for a model server that returns labels only, profile the labels alone)",
        ),
        ([0.2, "x", 0.1], "expected a list of 3 class probabilities, got a list of 3"),
    ],
)
def test_outputs_the_monitor_cannot_take_are_refused_before_anything_is_stored(
    outputs_client: TestClient, bad: Any, message: str
) -> None:
    rng = np.random.default_rng(11)
    body = _with_outputs(events(rng, 3), [GOOD, bad, GOOD])
    answer = post(outputs_client, "/v1/models/churn/events", body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == {"field": "body.events.1.outputs", "message": message}
    assert get(outputs_client, "/v1/models/churn").json()["stored_rows"] == 0
    body = _with_outputs(body["events"], [GOOD, GOOD, GOOD])  # the sender fixes and retries
    again = post(outputs_client, "/v1/models/churn/events", body)
    assert again.json() == {"accepted": 3, "duplicates": 0, "violations": 0}
    service = outputs_client.app.state.service  # type: ignore[attr-defined]
    assert service.models["churn"].monitor.n == 3  # stored and monitored, not "duplicates"


def test_labels_that_are_not_one_value_are_refused_before_anything_is_stored(
    outputs_client: TestClient,
) -> None:
    rng = np.random.default_rng(12)
    body = _with_outputs(events(rng, 2), [GOOD, GOOD], labels=[1, [0, 1]])
    answer = post(outputs_client, "/v1/models/churn/events", body)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "body.events.1.label"
    late = post(outputs_client, "/v1/models/churn/labels", {"labels": [{"id": "e0", "label": {}}]})
    assert late.status_code == 422
    assert late.json()["error"]["field"] == "body.labels.0.label"
    assert get(outputs_client, "/v1/models/churn").json()["stored_rows"] == 0


def test_a_prediction_of_another_kind_than_the_references_is_refused(
    db_url: str, tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    from shiftwatch.profile import Profile

    labels = tmp_path / "labels.swp"
    Profile.from_data({"prediction": np.array(["cat", "dog"] * 10_000)}).save(labels)
    settings = settings_for(db_url, reference_files[0], reference_outputs=str(labels))
    with TestClient(create_app(settings)) as client:
        body = _with_outputs(events(np.random.default_rng(13), 2), ["cat", [0.1, 0.9]])
        answer = post(client, "/v1/models/churn/events", body)
        assert answer.status_code == 422
        assert answer.json()["error"] == {
            "field": "body.events.1.outputs",
            "message": "expected text, got a list",
        }


@pytest.mark.parametrize("moment", [1e20, -5.0, "9999-12-31T23:59:59-23:59", "+10000"])
def test_an_event_time_beyond_the_allowed_skew_is_dropped_and_counted(
    client: Any, moment: Any
) -> None:
    batch = events(np.random.default_rng(14), 2)
    future = time.time() + 3_600 if moment == "+10000" else moment
    batch[0]["timestamp"] = future
    answer = post(client, "/v1/models/churn/events", {"events": batch})
    assert answer.json() == {"accepted": 2, "duplicates": 0, "violations": 1}
    violations = get(client, "/v1/models/churn/violations").json()
    assert {"column": "(timestamp)", "rule": "clock_skew", "count": 1} in violations
    service = client.app.state.service
    stored = list(service.store.latest_rows("churn", 10))
    assert [row.event_time for row in stored] == [None, None]


@pytest.mark.parametrize("moment", ["NaN", "Infinity", "-Infinity"])
def test_a_timestamp_that_is_not_a_number_is_refused_naming_it(client: Any, moment: str) -> None:
    body = '{"events": [{"id": "t1", "timestamp": MOMENT, "inputs": {"age": 1.0}}]}'
    body = body.replace("MOMENT", moment)
    answer = client.post(
        "/v1/models/churn/events",
        content=body,
        headers={"Authorization": f"Bearer {WRITE}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["field"].startswith("body.events.0.timestamp")


def test_a_clients_clock_does_not_steer_a_duration_window(
    tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    settings = settings_for(
        f"sqlite:///{tmp_path / 'sw.db'}", reference_files[0], window=None, duration=60.0
    )
    rng = np.random.default_rng(15)
    with TestClient(create_app(settings)) as client:
        ahead = events(rng, 1, start=0)
        ahead[0]["timestamp"] = time.time() + 3_000  # an hour-ahead clock, within no skew
        assert post(client, "/v1/models/churn/events", {"events": ahead}).status_code == 200
        for start in range(1, 301, 100):
            post(client, "/v1/models/churn/events", {"events": events(rng, 100, start)})
        monitor = client.app.state.service.models["churn"].monitor  # type: ignore[attr-defined]
    window = monitor._window
    assert window.n == 301
    empty = pa.record_batch({name: pa.array([], pa.float64()) for name in window.names})
    window.add(empty, time.time() + 120)  # two minutes of server time later
    assert window.n == 0  # every row has left, the hour-ahead one too


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({"ce-id": "x" * 257}, "header ce-id"),
        ({"ce-id": "a\x00b"}, "header ce-id"),
    ],
)
def test_ids_the_database_could_not_hold_are_refused_by_every_parser(
    client: Any, headers: dict[str, str], field: str
) -> None:
    full = {
        "ce-specversion": "1.0",
        "ce-type": "org.kubeflow.serving.inference.request",
        "Authorization": f"Bearer {WRITE}",
        **headers,
    }
    try:
        answer = client.post(
            "/v1/models/churn/kserve", json={"instances": [[1.0, 2.0, "basic"]]}, headers=full
        )
    except httpx.InvalidHeader:  # the client itself refuses NUL in a header
        return
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == field
    long_id = {"events": [{"id": "x" * 257, "inputs": {"age": 1.0}}]}
    assert post(client, "/v1/models/churn/events", long_id).status_code == 422
    bento = json.dumps({"request_id": "y" * 300, "age": 1.0}).encode()
    answer = client.post(
        "/v1/models/churn/bentoml", content=bento, headers={"Authorization": f"Bearer {WRITE}"}
    )
    assert answer.status_code == 400


def test_unknown_feature_names_the_database_could_not_hold_are_counted_as_other(
    client: Any,
) -> None:
    batch = events(np.random.default_rng(16), 2)
    batch[0]["inputs"]["bad\x00name"] = 1
    batch[1]["inputs"]["n" * 300] = 2
    answer = post(client, "/v1/models/churn/events", {"events": batch})
    assert answer.status_code == 200, answer.text
    violations = get(client, "/v1/models/churn/violations").json()
    assert {"column": "(other)", "rule": "unexpected_column", "count": 2} in violations


def test_a_failing_database_answers_503_and_healthz_says_so_until_writes_succeed(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = client.app.state.service.store
    real = store.add_rows

    def full_disk(*args: Any, **kwargs: Any) -> Any:
        raise sa.exc.OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(store, "add_rows", full_disk)
    batch = {"events": events(np.random.default_rng(17), 5)}
    answer = post(client, "/v1/models/churn/events", batch)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "disk is full" in answer.json()["error"]["message"]
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["status"] == "failing"
    assert "disk is full" in health.json()["problems"][0]
    monkeypatch.setattr(store, "add_rows", real)
    assert post(client, "/v1/models/churn/events", batch).json()["accepted"] == 5
    assert client.get("/healthz").json()["status"] == "ok"


def test_a_flooded_model_answers_503_at_once_and_the_others_are_served(
    tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'sw.db'}", reference_files[0])
    settings.models.append(settings.models[0].model_copy(update={"name": "other"}))
    settings.server.max_queued_requests = 2
    app = create_app(settings)
    service = app.state.service
    release = asyncio.Event()

    async def scenario() -> tuple[list[int], float, int]:
        def blocked() -> None:
            while not release.is_set():
                time.sleep(0.01)

        hold = [asyncio.ensure_future(service.on_model_thread("churn", blocked))]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sw") as http:
            headers = {"Authorization": f"Bearer {WRITE}"}
            body = {"events": events(np.random.default_rng(18), 10)}
            waiting = [
                asyncio.ensure_future(
                    http.post("/v1/models/churn/events", json=body, headers=headers)
                )
                for _ in range(2)
            ]
            await asyncio.sleep(0.2)  # both hold the model's two queue places
            began = time.perf_counter()
            shed = await http.post("/v1/models/churn/events", json=body, headers=headers)
            seconds = time.perf_counter() - began
            other = await http.post("/v1/models/other/events", json=body, headers=headers)
            release.set()
            answers = [response.status_code for response in await asyncio.gather(*waiting)]
            await asyncio.gather(*hold)
            assert shed.headers["Retry-After"] == "1"
            return [shed.status_code, *answers], seconds, other.status_code

    with TestClient(app):  # runs the lifespan (replay, alerts) around the scenario
        statuses, seconds, other = asyncio.run(scenario())
    assert statuses == [503, 200, 200]
    assert seconds < 0.5
    assert other == 200


def test_a_body_that_does_not_arrive_in_time_gets_408() -> None:
    async def never_done(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass

    async def scenario() -> list[dict]:
        sent: list[dict] = []
        chunks = iter([{"type": "http.request", "body": b"{", "more_body": True}])

        async def receive() -> dict:
            chunk = next(chunks, None)
            if chunk is None:
                await asyncio.sleep(10)
            return chunk or {}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "headers": [], "path": "/v1/models/churn/events"}
        await BodyLimit(never_done, limit=1_000, timeout=0.1)(scope, receive, send)
        return sent

    sent = asyncio.run(scenario())
    assert sent[0]["status"] == 408
    assert b"did not arrive within 0.1 seconds" in sent[1]["body"]


def test_an_unexpected_failure_is_a_500_that_does_not_escape() -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    asyncio.run(CatchAll(broken)({"type": "http", "path": "/x"}, receive, send))
    assert sent[0]["status"] == 500
    assert json.loads(sent[1]["body"])["error"]["message"].startswith("Internal error")


def test_labels_are_not_read_before_the_token_is_checked(client: Any) -> None:
    answer = client.post("/v1/models/churn/labels", content=b"not json at all")
    assert answer.status_code == 401  # not a 422 about the body


@pytest.mark.parametrize("tokens", [[""], ["  "], ["s3cret\n"]])
def test_blank_or_padded_tokens_are_refused_at_start(tokens: list[str]) -> None:
    with pytest.raises(InvalidParameterError, match="write_tokens"):
        load_settings(server={"write_tokens": tokens})


def test_every_gauge_is_there_right_after_a_restart(
    tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'sw.db'}", reference_files[0])
    rng = np.random.default_rng(19)
    with TestClient(create_app(settings)) as client:
        post(client, "/v1/models/churn/events", {"events": events(rng, 300)})
    with TestClient(create_app(settings)) as client:  # the restart: no check yet
        metrics = get(client, "/metrics").text
    assert 'shiftwatch_window_rows{model="churn",source="window"} 300.0' in metrics
    assert 'shiftwatch_feature_p_value{feature="age",model="churn"}' in metrics
    assert 'shiftwatch_feature_drifted{feature="age",model="churn"} 0.0' in metrics


def test_a_database_that_cannot_be_opened_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="does not exist") as error:
        Store(f"sqlite:///{tmp_path / 'missing' / 'sw.db'}")
    assert "\n" not in str(error.value)


def test_a_token_list_that_is_not_json_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIFTWATCH_WRITE_TOKENS", "s3cret")
    with pytest.raises(InvalidParameterError, match="SHIFTWATCH_WRITE_TOKENS is JSON"):
        load_settings()


def test_probabilities_are_checked_per_model_across_batches(outputs_client: TestClient) -> None:
    rng = np.random.default_rng(20)
    first = _with_outputs(events(rng, 2, start=0), probabilities(rng, 2).tolist())
    assert post(outputs_client, "/v1/models/churn/events", first).status_code == 200
    later = _with_outputs(events(rng, 1, start=10), [[0.5, 0.5]])
    answer = post(outputs_client, "/v1/models/churn/events", later)
    assert answer.status_code == 422
    assert "3 class probabilities" in answer.json()["error"]["message"]


def test_a_retry_is_a_duplicate_long_after_its_raw_row_was_trimmed(
    db_url: str, reference_files: tuple[Path, Path]
) -> None:
    settings = settings_for(db_url, reference_files[0])
    settings.server.raw_retention_rows = 100
    settings.server.id_retention_rows = 1_000
    rng = np.random.default_rng(21)
    first = events(rng, 50, start=0)
    with TestClient(create_app(settings)) as client:
        assert post(client, "/v1/models/churn/events", {"events": first}).json()["accepted"] == 50
        for start in range(50, 500, 50):
            post(client, "/v1/models/churn/events", {"events": events(rng, 50, start)})
        store = client.app.state.service.store  # type: ignore[attr-defined]
        assert store.count_rows("churn") <= 110  # e0..e49 are long gone from the raw rows
    with TestClient(create_app(settings)) as client:  # and after a restart
        again = post(client, "/v1/models/churn/events", {"events": first})
        assert again.json() == {"accepted": 0, "duplicates": 50, "violations": 0}


def test_every_counter_and_state_is_exported_at_zero_from_the_start(client: Any) -> None:
    metrics = get(client, "/metrics").text
    for series in (
        'shiftwatch_alert_delivery_failures_total{model="churn"} 0.0',
        'shiftwatch_alert_delivery_errors_total{model="churn"} 0.0',
        'shiftwatch_events_rejected_total{model="churn",reason="overloaded"} 0.0',
        'shiftwatch_events_received_total{model="churn"} 0.0',
        'shiftwatch_alerts_sent_total{model="churn",status="resolved"} 0.0',
        'shiftwatch_drift_state{model="churn",source="errors"} 0.0',
        'shiftwatch_window_rows{model="churn",source="window"} 0.0',
    ):
        assert series in metrics


def test_whole_rows_without_outputs_are_validated_and_monitored(
    outputs_client: TestClient,
) -> None:
    rng = np.random.default_rng(22)
    batch = events(rng, 3)
    batch[0]["inputs"]["age"] = "forty"
    batch[1]["outputs"] = GOOD
    answer = post(outputs_client, "/v1/models/churn/events", {"events": batch})
    # "forty" is a type violation; the two rows without outputs are counted as such
    assert answer.json()["accepted"] == 3
    monitor = outputs_client.app.state.service.models["churn"].monitor  # type: ignore[attr-defined]
    assert monitor.n == 3
    window = monitor._window.profile()
    assert window["prediction"].missing == 2
    assert window["age"].missing == 1
    violations = get(outputs_client, "/v1/models/churn/violations").json()
    assert {"column": "(outputs)", "rule": "missing", "count": 2} in violations
    assert {"column": "age", "rule": "type", "count": 1} in violations
    assert answer.json()["violations"] == sum(item["count"] for item in violations)


def test_reference_outputs_that_are_not_outputs_are_refused_at_start(
    tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    from shiftwatch.errors import SchemaError
    from shiftwatch.profile import Profile

    wrong = tmp_path / "wrong.swp"
    Profile.from_data({"score": np.arange(20_000, dtype=float)}).save(wrong)
    settings = settings_for(
        f"sqlite:///{tmp_path / 'sw.db'}", reference_files[0], reference_outputs=str(wrong)
    )
    with pytest.raises(SchemaError, match="hold the columns \\['score'\\]; expected 'prediction'"):
        create_app(settings)
