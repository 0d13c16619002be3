"""ShiftwatchMonitor driven the way BentoML drives a monitor class, against a real server.

BentoML is not installed: ``bentoml_monitor`` below does what ``bentoml.monitor(name)`` does
(``bentoml/_internal/monitoring/api.py``): resolve ``monitoring.type`` by dotted path, build
``cls(name, **monitoring.options)`` once per name, then ``start_record()``, yield, and
``stop_record()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import subprocess
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from shiftwatch.integrations import bentoml as integration
from shiftwatch.integrations.bentoml import ShiftwatchMonitor
from tests.test_client import Peer, recording_server

MONITOR_TYPE = "shiftwatch.integrations.bentoml.ShiftwatchMonitor"
BENTOML_DEFAULT_OPTIONS = {"log_config_file": None, "log_path": "monitoring"}


class Bento:
    """The part of BentoML that builds monitors and opens records."""

    def __init__(self, options: dict[str, Any], monitor_type: str = MONITOR_TYPE) -> None:
        self.options = {**BENTOML_DEFAULT_OPTIONS, **options}
        self.monitor_type = monitor_type
        self.instances: dict[str, Any] = {}

    @contextlib.contextmanager
    def monitor(self, name: str) -> Iterator[Any]:
        if name not in self.instances:
            module, _, cls = self.monitor_type.rpartition(".")
            klass = getattr(importlib.import_module(module), cls)
            self.instances[name] = klass(name, **self.options)
        mon = self.instances[name]
        mon.start_record()
        yield mon
        mon.stop_record()

    def flush(self) -> None:
        for mon in self.instances.values():
            assert mon.client.flush(timeout=10)

    def close(self) -> None:
        for mon in self.instances.values():
            mon.close()


@pytest.fixture
def peer() -> Iterator[Peer]:
    with recording_server() as state:
        yield state


@pytest.fixture
def bento(peer: Peer) -> Iterator[Bento]:
    app = Bento({"url": peer.url, "flush_interval": 0.01})
    yield app
    app.close()


@pytest.fixture
def bentoml_running(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.SimpleNamespace]:
    """A stand-in for ``bentoml._internal.context.trace_context`` while a request is served."""
    trace_context = types.SimpleNamespace(request_id=None)
    context = types.ModuleType("bentoml._internal.context")
    context.trace_context = trace_context  # type: ignore[attr-defined]
    for name, module in {
        "bentoml": types.ModuleType("bentoml"),
        "bentoml._internal": types.ModuleType("bentoml._internal"),
        "bentoml._internal.context": context,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    integration._bentoml_trace_context.cache_clear()
    yield trace_context
    integration._bentoml_trace_context.cache_clear()


def test_bentomls_iris_example_sends_one_event(bento: Bento, peer: Peer) -> None:
    features = np.array([4.9, 3.0, 1.4, 0.2])
    with bento.monitor("iris_classifier_prediction") as mon:
        mon.log(features[0], name="sepal length", role="feature", data_type="numerical")
        mon.log(features[1], name="sepal width", role="feature", data_type="numerical")
        mon.log(features[2], name="petal length", role="feature", data_type="numerical")
        mon.log(features[3], name="petal width", role="feature", data_type="numerical")
        mon.log("setosa", name="pred", role="prediction", data_type="categorical")
    bento.flush()
    (request,) = peer.requests
    assert request.path == "/v1/models/iris_classifier_prediction/events"
    (event,) = request.body["events"]
    assert event["inputs"] == {
        "sepal length": 4.9,
        "sepal width": 3.0,
        "petal length": 1.4,
        "petal width": 0.2,
    }
    assert event["outputs"] == "setosa"
    assert "id" not in event
    assert "label" not in event


def test_a_batch_record_is_one_event_per_row_with_labels(bento: Bento, peer: Peer) -> None:
    with bento.monitor("iris") as mon:
        mon.log_batch([5.1, 6.2, 7.3], name="sepal length", role="feature", data_type="numerical")
        mon.log_batch(["a", "b", "c"], name="plan", role="feature", data_type="categorical")
        mon.log_batch(np.array([0, 1, 2]), name="class", role="prediction", data_type="categorical")
        mon.log_batch([0, 1, 1], name="truth", role="target", data_type="categorical")
    bento.flush()
    events = peer.events()
    assert [(e["inputs"], e["outputs"], e["label"]) for e in events] == [
        ({"sepal length": 5.1, "plan": "a"}, 0, 0),
        ({"sepal length": 6.2, "plan": "b"}, 1, 1),
        ({"sepal length": 7.3, "plan": "c"}, 2, 1),
    ]


def test_request_id_and_timestamp_columns_become_event_fields(bento: Bento, peer: Peer) -> None:
    with bento.monitor("iris") as mon:
        mon.log("req-7", name="request_id", role="request_id", data_type="string")
        mon.log("2025-11-26T09:40:00Z", name="timestamp", role="time", data_type="datetime")
        mon.log("abc", name="trace_id", role="trace_id", data_type="string")
        mon.log(5.1, name="sepal length", role="feature", data_type="numerical")
        mon.log(0.9, name="p_setosa", role="prediction", data_type="numerical")
        mon.log(0.1, name="p_other", role="prediction", data_type="numerical")
    bento.flush()
    (event,) = peer.events()
    assert event["id"] == "req-7"
    assert event["timestamp"] == "2025-11-26T09:40:00Z"
    assert event["inputs"] == {"sepal length": 5.1}
    assert event["outputs"] == [0.9, 0.1]  # several prediction columns: a list, in order


def test_bentomls_request_id_names_the_events(
    bento: Bento, peer: Peer, bentoml_running: types.SimpleNamespace
) -> None:
    bentoml_running.request_id = 1234567
    with bento.monitor("iris") as mon:
        mon.log(5.1, name="sepal length", role="feature", data_type="numerical")
    bentoml_running.request_id = 89
    with bento.monitor("iris") as mon:
        mon.log_batch([5.1, 6.2], name="sepal length", role="feature", data_type="numerical")
    bento.flush()
    assert [e["id"] for e in peer.events()] == ["1234567", "89-0", "89-1"]


def test_records_of_concurrent_tasks_do_not_mix(bento: Bento, peer: Peer) -> None:
    async def request(i: int) -> None:
        with bento.monitor("iris") as mon:
            mon.log(f"r{i}", name="request_id", role="request_id", data_type="string")
            await asyncio.sleep(0)  # the other requests log in between
            mon.log(float(i), name="x", role="feature", data_type="numerical")
            await asyncio.sleep(0)
            mon.log(i % 2, name="y", role="prediction", data_type="categorical")

    async def serve() -> None:
        await asyncio.gather(*(request(i) for i in range(20)))

    asyncio.run(serve())
    bento.flush()
    events = sorted(peer.events(), key=lambda e: int(e["id"][1:]))
    assert [(e["id"], e["inputs"]["x"], e["outputs"]) for e in events] == [
        (f"r{i}", float(i), i % 2) for i in range(20)
    ]


def test_records_of_concurrent_threads_do_not_mix(bento: Bento, peer: Peer) -> None:
    barrier = threading.Barrier(8)

    def request(i: int) -> None:
        with bento.monitor("iris") as mon:
            mon.log(f"r{i}", name="request_id", role="request_id", data_type="string")
            barrier.wait(5)
            mon.log(float(i), name="x", role="feature", data_type="numerical")

    with bento.monitor("iris"):  # built once, as BentoML's first request would (no records)
        pass
    threads = [threading.Thread(target=request, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    bento.flush()
    assert sorted((e["id"], e["inputs"]["x"]) for e in peer.events()) == [
        (f"r{i}", float(i)) for i in range(8)
    ]


def test_the_schema_is_exported_once_per_new_column_set(
    bento: Bento, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported: list[list[str]] = []
    original = ShiftwatchMonitor.export_schema

    def spy(self: ShiftwatchMonitor, columns_schema: dict[str, dict[str, str]]) -> None:
        exported.append(list(columns_schema))
        original(self, columns_schema)

    monkeypatch.setattr(ShiftwatchMonitor, "export_schema", spy)
    for _ in range(3):
        with bento.monitor("iris") as mon:
            mon.log(1.0, name="x", role="feature", data_type="numerical")
    with bento.monitor("iris") as mon:
        mon.log(1.0, name="x", role="feature", data_type="numerical")
        mon.log(2.0, name="z", role="feature", data_type="numerical")
    assert exported == [["x"], ["x", "z"]]
    assert mon.columns_schema == {
        "x": {"name": "x", "role": "feature", "type": "numerical"},
        "z": {"name": "z", "role": "feature", "type": "numerical"},
    }


def test_columns_of_other_roles_are_ignored_and_named_once(
    bento: Bento, peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(2):
        with bento.monitor("iris") as mon:
            mon.log(1.0, name="x", role="feature", data_type="numerical")
            mon.log("debug", name="note", role="comment", data_type="text")
    bento.flush()
    assert [e["inputs"] for e in peer.events()] == [{"x": 1.0}, {"x": 1.0}]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "['note']" in warnings[0]


def test_log_table_rows_become_events(bento: Bento, peer: Peer) -> None:
    with bento.monitor("iris") as mon:
        mon.log_table(
            [[5.1, 0, "r1"], [6.2, 2, "r2"]],
            {"x": "feature", "y": "prediction", "request_id": "id"},
        )
    bento.flush()
    assert [(e["id"], e["inputs"], e["outputs"]) for e in peer.events()] == [
        ("r1", {"x": 5.1}, 0),
        ("r2", {"x": 6.2}, 2),
    ]


def test_empty_and_unopened_records_send_nothing(
    bento: Bento, peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    with bento.monitor("iris"):
        pass
    mon = bento.instances["iris"]
    mon.stop_record()  # without start_record
    mon.log(1.0, name="x", role="feature", data_type="numerical")  # outside a record
    mon.log_batch(3, name="x", role="feature", data_type="numerical")  # not iterable
    bento.flush()
    assert peer.requests == []
    assert "outside a record" in caplog.text


def test_options_reach_the_client(peer: Peer, caplog: pytest.LogCaptureFixture) -> None:
    app = Bento({"url": peer.url, "model": "iris-v2", "token": "t0k", "batch_size": 7, "colour": 1})
    try:
        with app.monitor("iris") as mon:
            mon.log(1.0, name="x", role="feature", data_type="numerical")
        app.flush()
    finally:
        app.close()
    assert mon.client.batch_size == 7
    assert peer.requests[0].path == "/v1/models/iris-v2/events"
    assert peer.requests[0].headers["authorization"] == "Bearer t0k"
    assert "ignores unknown options ['colour']" in caplog.text
    assert repr(mon).startswith("ShiftwatchMonitor(name='iris', client=Client(")


def test_a_monitor_without_url_is_refused() -> None:
    with pytest.raises(TypeError, match="needs a 'url' option"):
        ShiftwatchMonitor("iris", **BENTOML_DEFAULT_OPTIONS)


def test_importing_the_integration_imports_neither_bentoml_nor_httpx() -> None:
    code = (
        "import sys, shiftwatch.integrations.bentoml; "
        "print(sorted({'bentoml', 'httpx'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
