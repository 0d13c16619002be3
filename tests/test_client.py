"""shiftwatch.client against a real HTTP server on 127.0.0.1 (http.server in a thread)."""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from shiftwatch.client import Client, ClientStats
from shiftwatch.errors import InvalidParameterError


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass
class Peer:
    """A recording server: ``answer(request) -> (status, json body, headers)``."""

    url: str
    requests: list[Request] = field(default_factory=list)
    answer: Callable[[Request], Answer] = lambda request: (200, {"accepted": 1}, {})

    def events(self) -> list[dict[str, Any]]:
        return [event for r in self.requests for event in r.body.get("events", [])]


@contextlib.contextmanager
def recording_server() -> Iterator[Peer]:
    """A ThreadingHTTPServer on 127.0.0.1 that records every POST (shared with other tests)."""
    state = Peer(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers["content-length"])
            body = json.loads(self.rfile.read(length))
            request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            with lock:
                state.requests.append(request)
            status, payload, headers = state.answer(request)
            data = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def peer() -> Iterator[Peer]:
    with recording_server() as state:
        yield state


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scripted(*statuses: int) -> Callable[[Request], Answer]:
    """Answer with these statuses in turn, then 200."""
    queue = list(statuses)

    def answer(request: Request) -> Answer:
        status = queue.pop(0) if queue else 200
        return status, {"error": {"field": "events", "message": "no"}}, {"retry-after": "0"}

    return answer


def test_events_are_batched_and_posted_with_the_token(peer: Peer) -> None:
    with Client(peer.url, "churn", token="s3cret", batch_size=100) as client:
        for i in range(250):
            assert client.log({"age": i, "plan": "pro"}, outputs=[0.1, 0.9], id=f"r{i}")
        assert client.flush(timeout=10)
        assert client.stats == ClientStats(sent=250, dropped=0, failed=0, retried=0)
    assert {r.path for r in peer.requests} == {"/v1/models/churn/events"}
    assert all(len(r.body["events"]) <= 100 for r in peer.requests)
    assert len(peer.requests) >= 3
    assert [e["id"] for e in peer.events()] == [f"r{i}" for i in range(250)]
    headers = peer.requests[0].headers
    assert headers["authorization"] == "Bearer s3cret"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("shiftwatch-client/")


def test_an_event_carries_every_field_it_was_given(peer: Peer) -> None:
    with Client(peer.url, "churn", flush_interval=0.01) as client:
        client.log({"age": 31}, outputs=1, label=0, id="a", timestamp="2025-11-26T09:40:00Z")
        before = time.time()
        client.log({"age": 32})
        assert client.flush(timeout=10)
    first, second = peer.events()
    assert first == {
        "inputs": {"age": 31},
        "outputs": 1,
        "label": 0,
        "id": "a",
        "timestamp": "2025-11-26T09:40:00Z",
    }
    assert set(second) == {"inputs", "timestamp"}
    assert before <= second["timestamp"] <= time.time()
    assert "authorization" not in peer.requests[0].headers


def test_numpy_values_and_datetimes_are_sent_as_json(peer: Peer) -> None:
    moment = datetime.datetime(2025, 11, 26, 9, 40, tzinfo=datetime.UTC)
    with Client(peer.url, "churn") as client:
        client.log(
            {"age": np.int64(31), "pixels": np.arange(3, dtype=np.uint8)},
            outputs=np.array([0.25, 0.75], dtype=np.float32),
            timestamp=moment,
        )
        assert client.flush(timeout=10)
    (event,) = peer.events()
    assert event["inputs"] == {"age": 31, "pixels": [0, 1, 2]}
    assert event["outputs"] == [0.25, 0.75]
    assert event["timestamp"] == "2025-11-26T09:40:00+00:00"


def test_the_caller_may_change_its_dict_after_log(peer: Peer) -> None:
    features = {"age": 31}
    with Client(peer.url, "churn") as client:
        client.log(features)
        features["age"] = 99
        assert client.flush(timeout=10)
    assert peer.events()[0]["inputs"] == {"age": 31}


def test_log_many_and_labels(peer: Peer) -> None:
    with Client(peer.url, "churn model", flush_interval=0.01) as client:
        queued = client.log_many(
            [{"age": 31}, {"age": 45}], outputs=[1, 0], labels=[None, 1], ids=["r1", "r2"]
        )
        assert queued == 2
        assert client.log_labels(["r1"], [1]) == 1
        assert client.flush(timeout=10)
        assert client.stats.sent == 3
    paths = {r.path: r.body for r in peer.requests}
    assert paths["/v1/models/churn%20model/labels"] == {"labels": [{"id": "r1", "label": 1}]}
    events = paths["/v1/models/churn%20model/events"]["events"]
    assert [(e["id"], e["outputs"], e.get("label")) for e in events] == [
        ("r1", 1, None),
        ("r2", 0, 1),
    ]


def test_a_base_url_with_a_path_prefix_is_kept(peer: Peer) -> None:
    with Client(peer.url + "/shiftwatch", "churn") as client:
        client.log({"age": 31})
        client.flush(timeout=10)
    assert peer.requests[0].path == "/shiftwatch/v1/models/churn/events"


@pytest.mark.parametrize("status", [500, 503, 429], ids=lambda s: f"HTTP {s}")
def test_server_errors_are_retried_until_accepted(peer: Peer, status: int) -> None:
    peer.answer = scripted(status, status)
    with Client(peer.url, "churn", backoff=0.01) as client:
        client.log({"age": 31}, id="r1")
        assert client.flush(timeout=10)
        assert client.stats == ClientStats(sent=1, dropped=0, failed=0, retried=2)
    assert len(peer.requests) == 3
    assert peer.requests[0].body == peer.requests[2].body


def test_retries_give_up_and_count_the_batch_as_failed(
    peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    peer.answer = scripted(*[500] * 10)
    with Client(peer.url, "churn", retries=2, backoff=0.0) as client:
        client.log({"age": 31})
        assert not client.flush(timeout=10)
        assert client.stats == ClientStats(sent=0, dropped=0, failed=1, retried=2)
    assert len(peer.requests) == 3
    assert "not sent after 3 tries (HTTP 500)" in caplog.text


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422], ids=lambda s: f"HTTP {s}")
def test_client_errors_are_never_retried_and_logged_once(
    peer: Peer, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    peer.answer = scripted(*[status] * 10)
    with Client(peer.url, "churn", batch_size=2, backoff=0.0) as client:
        for i in range(4):
            client.log({"age": i})
        assert not client.flush(timeout=10)
        assert client.stats == ClientStats(sent=0, dropped=0, failed=4, retried=0)
    assert len(peer.events()) == 4  # each event sent once
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert f"answered {status}" in warnings[0].getMessage()
    assert '"field": "events"' in warnings[0].getMessage()


def test_a_batch_over_the_size_limit_is_split(peer: Peer) -> None:
    def answer(request: Request) -> Answer:
        too_large = len(request.body["events"]) > 3
        return (413, {}, {}) if too_large else (200, {}, {})

    peer.answer = answer
    with Client(peer.url, "churn", batch_size=10, flush_interval=60.0) as client:
        for i in range(10):
            client.log({"age": i}, id=f"r{i}")
        assert client.flush(timeout=10)
        assert client.stats.sent == 10
    accepted = [
        e["id"] for r in peer.requests if len(r.body["events"]) <= 3 for e in r.body["events"]
    ]
    assert accepted == [f"r{i}" for i in range(10)]


def test_log_never_blocks_on_a_slow_server(peer: Peer) -> None:
    release = threading.Event()

    def answer(request: Request) -> Answer:
        release.wait(10)
        return 200, {}, {}

    peer.answer = answer
    client = Client(peer.url, "churn", batch_size=10, max_queue=50, flush_interval=0.01)
    try:
        started = time.perf_counter()
        results = [client.log({"age": i}) for i in range(1_000)]
        elapsed = time.perf_counter() - started
        assert elapsed < 0.5  # 1,000 calls while the server holds every request
        assert 50 <= sum(results) <= 60  # the queue, plus at most one batch in flight
        assert client.stats.dropped == 1_000 - sum(results)
    finally:
        release.set()
        client.close(timeout=10)
    assert client.stats.sent == sum(results)


def test_a_server_that_is_down_costs_drops_and_failures_never_exceptions(
    closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(f"http://127.0.0.1:{closed_port}", "churn", max_queue=5, retries=1, backoff=0.0)
    results = [client.log({"age": i}) for i in range(8)]
    assert results == [True] * 5 + [False] * 3
    assert not client.flush(timeout=10)
    client.close()
    assert client.stats == ClientStats(sent=0, dropped=3, failed=5, retried=1)
    assert "ConnectError" in caplog.text


def test_close_sends_what_is_queued_then_refuses_events(peer: Peer) -> None:
    client = Client(peer.url, "churn", flush_interval=60.0)
    client.log({"age": 31})
    client.close()
    assert len(peer.events()) == 1
    assert not client.log({"age": 32})
    assert client.stats == ClientStats(sent=1, dropped=1, failed=0, retried=0)
    client.close()  # twice is fine


def test_close_gives_up_after_its_timeout_and_counts_drops(closed_port: int) -> None:
    client = Client(
        f"http://127.0.0.1:{closed_port}", "churn", retries=1_000, backoff=0.05, batch_size=1
    )
    for i in range(3):
        client.log({"age": i})
    started = time.perf_counter()
    client.close(timeout=0.2)
    assert time.perf_counter() - started < 5
    stats = client.stats
    assert stats.sent == stats.failed == 0
    assert stats.dropped == 3


def test_a_value_json_cannot_encode_fails_its_batch_not_the_caller(
    peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    with Client(peer.url, "churn") as client:
        assert client.log({"blob": object()})
        assert not client.flush(timeout=10)
        client.log({"age": 1})
        assert client.flush(timeout=10)
        assert client.stats == ClientStats(sent=1, dropped=0, failed=1, retried=0)
    assert "could not be encoded" in caplog.text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("url", "localhost:8000"),
        ("url", "http://[::1"),
        ("model", ""),
        ("token", 123),
        ("batch_size", 0),
        ("flush_interval", 0.0),
        ("max_queue", -1),
        ("timeout", float("inf")),
        ("retries", -1),
        ("backoff", -0.1),
    ],
    ids=lambda v: str(v),
)
def test_bad_parameters_are_refused(name: str, value: Any) -> None:
    arguments: dict[str, Any] = {"url": "http://127.0.0.1:9", "model": "churn", name: value}
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of Client"):
        Client(**arguments)


def test_mismatched_lengths_are_refused(peer: Peer) -> None:
    with Client(peer.url, "churn") as client:
        with pytest.raises(InvalidParameterError, match=r"'ids' parameter of Client\.log_many"):
            client.log_many([{"age": 1}, {"age": 2}], ids=["r1"])
        with pytest.raises(InvalidParameterError, match="must have 2 entries"):
            client.log_labels(["r1", "r2"], [1])
    assert peer.requests == []


def test_importing_the_client_does_not_import_httpx() -> None:
    code = "import sys, shiftwatch.client; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_missing_httpx_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ImportError, match=r"pip install 'shiftwatch\[client\]'"):
        Client("http://127.0.0.1:9", "churn")


def test_repr_names_the_server_and_model() -> None:
    with Client("http://127.0.0.1:9", "churn") as client:
        assert repr(client) == "Client(url='http://127.0.0.1:9', model='churn', batch_size=100)"


def test_a_retry_after_date_falls_back_to_the_backoff(peer: Peer) -> None:
    statuses = [503]

    def answer(request: Request) -> Answer:
        status = statuses.pop() if statuses else 200
        return status, {}, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}

    peer.answer = answer
    with Client(peer.url, "churn", backoff=0.0) as client:
        client.log({"age": 31})
        assert client.flush(timeout=10)
        assert client.stats.retried == 1


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_a_forked_child_sends_its_own_events_once(peer: Peer) -> None:
    client = Client(peer.url, "churn", flush_interval=60.0)
    client.log({"age": 1}, id="parent")  # queued before the fork: the parent's to send
    pid = os.fork()
    if pid == 0:  # the child: a fresh worker thread and an empty queue
        try:
            sent = client.log({"age": 2}, id="child") and client.flush(timeout=10)
            os._exit(0 if sent and client.stats.sent == 1 else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    client.close()
    assert sorted(e["id"] for e in peer.events()) == ["child", "parent"]


def test_an_unexpected_error_in_the_worker_keeps_it_alive(
    peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def tolist(self) -> list[int]:
            raise RuntimeError("broken tolist")

    with Client(peer.url, "churn") as client:
        client.log({"x": Broken()})
        assert not client.flush(timeout=10)
        client.log({"x": 1})
        assert client.flush(timeout=10)
        assert client.stats == ClientStats(sent=1, dropped=0, failed=1, retried=0)
    assert "sending 1 events failed" in caplog.text
    assert "broken tolist" in caplog.text
