"""A client that a model server calls to send every prediction to ``shiftwatch serve``.

``Client.log`` puts one event on a bounded in-memory queue and returns at once; a daemon
thread batches the queue and POSTs it to ``/v1/models/{model}/events``. The caller is a model
server, so the client never blocks it and never raises because of the network:

* a full queue drops the new event (``log`` returns False and ``stats.dropped`` counts it);
* 5xx, 429, time-outs and connection errors are retried with exponential back-off and jitter
  (``retries`` times, then the batch counts as ``failed``);
* other 4xx answers are never retried: the batch counts as ``failed`` and the first one is
  logged (``logging``, logger ``shiftwatch.client``); a 413 batch is split in halves first.

Labels that arrive later go to ``/v1/models/{model}/labels`` through ``log_labels``.
httpx is imported when a ``Client`` is built, not when this module is: install it with
``pip install 'shiftwatch[client]'``.

>>> with Client("http://127.0.0.1:8000", "churn") as monitor:  # doctest: +SKIP
...     monitor.log({"age": 31, "plan": "pro"}, outputs=[0.1, 0.9], id="r1")
True

A full queue drops events rather than wait; ``stats`` counts what happened to each:

>>> monitor = Client("http://127.0.0.1:9", "churn", max_queue=2, flush_interval=60.0)
>>> [monitor.log({"age": age}) for age in (31, 45, 27)]
[True, True, False]
>>> monitor.close(timeout=0.0)  # stop now: what is still queued counts as dropped
>>> monitor.stats
ClientStats(sent=0, dropped=3, failed=0, retried=0)
"""

from __future__ import annotations

import atexit
import collections
import datetime
import json
import logging
import math
import os
import random
import socket
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from shiftwatch._validation import check_count, check_parameter, is_real
from shiftwatch.errors import InvalidParameterError

if TYPE_CHECKING:
    import httpx

__all__ = ["Client", "ClientStats"]

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'shiftwatch[client]'"
MAX_BACKOFF_SECONDS = 30.0
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})

_clients: weakref.WeakSet[Client] = weakref.WeakSet()


@dataclass(frozen=True)
class ClientStats:
    """Counts of what a ``Client`` did with the events (and labels) it was given.

    ``sent``: accepted by the server; ``dropped``: refused because the queue was full, or
    still queued when ``close`` gave up; ``failed``: answered with a 4xx, or still failing
    after every retry; ``retried``: requests sent again (not events).

    >>> ClientStats(sent=100, dropped=0, failed=0, retried=1).sent
    100
    """

    sent: int
    dropped: int
    failed: int
    retried: int


class Client:
    """Send events to a shiftwatch server from a background thread, in batches.

    Parameters
    ----------
    url
        The server's base URL, e.g. ``"http://shiftwatch.monitoring.svc:8000"``.
    model
        The model name, as configured on the server.
    token
        A write token, sent as ``Authorization: Bearer <token>``.
    batch_size
        Events per request; a full batch is sent at once.
    flush_interval
        Seconds an event may wait for its batch to fill before it is sent anyway.
    max_queue
        Events (and labels) held in memory at most; more are dropped and counted.
    timeout
        Seconds for each HTTP request.
    retries
        How many times a request is sent again after a 5xx, 429 or connection error.
    backoff
        Seconds before the first retry; doubled at each retry, with jitter.

    >>> client = Client("http://127.0.0.1:9", "churn", max_queue=1, flush_interval=60.0)
    >>> client.log({"age": 31}), client.log({"age": 32})
    (True, False)
    >>> client.stats.dropped
    1
    >>> client.close(timeout=0.0)

    """

    _closed: bool
    _thread: threading.Thread

    def __init__(
        self,
        url: str,
        model: str,
        *,
        token: str | None = None,
        batch_size: int = 100,
        flush_interval: float = 0.5,
        max_queue: int = 10_000,
        timeout: float = 5.0,
        retries: int = 5,
        backoff: float = 0.2,
    ) -> None:
        owner = type(self).__name__
        self.url = check_parameter(owner, "url", url, _is_http_url, "an http(s) URL")
        self.model = check_parameter(
            owner, "model", model, lambda m: isinstance(m, str) and m != "", "a non-empty str"
        )
        self.token = check_parameter(
            owner, "token", token, lambda t: t is None or isinstance(t, str), "a str or None"
        )
        self.batch_size = check_count(owner, "batch_size", batch_size)
        self.flush_interval = _check_seconds(owner, "flush_interval", flush_interval)
        self.max_queue = check_count(owner, "max_queue", max_queue)
        self.timeout = _check_seconds(owner, "timeout", timeout)
        self.retries = check_count(owner, "retries", retries, minimum=0)
        self.backoff = _check_seconds(owner, "backoff", backoff, zero_ok=True)
        self._httpx = _import_httpx()
        try:
            self._httpx.Client(base_url=url).close()
        except (self._httpx.InvalidURL, ValueError) as error:
            raise InvalidParameterError(
                f"The 'url' parameter of {owner} must be an http(s) URL. Got {url!r} instead "
                f"({error})."
            ) from None
        quoted = quote(model, safe="")
        self._paths = {
            "events": f"/v1/models/{quoted}/events",
            "labels": f"/v1/models/{quoted}/labels",
        }
        self._start()
        _clients.add(self)
        atexit.register(self.close)

    # --- the caller's side: cheap, never blocks ---------------------------------------------

    def log(
        self,
        inputs: Mapping[str, Any],
        *,
        outputs: Any = None,
        label: Any = None,
        id: str | None = None,
        timestamp: float | str | datetime.datetime | None = None,
    ) -> bool:
        """Queue one event; False (and a counted drop) when the queue is full or closed.

        ``outputs`` is a label, a number or a list of class probabilities; ``timestamp`` is
        seconds since the epoch or an RFC 3339 string, and defaults to now. Values may be
        NumPy scalars or arrays; they are converted to JSON in the background thread.

        >>> client = Client("http://127.0.0.1:9", "churn", flush_interval=60.0)
        >>> client.log({"age": 31, "plan": "pro"}, outputs=[0.1, 0.9], id="r1")
        True
        >>> client.close(timeout=0.0)
        """
        event: dict[str, Any] = {
            "inputs": dict(inputs),
            "timestamp": time.time() if timestamp is None else timestamp,
        }
        if outputs is not None:
            event["outputs"] = outputs
        if label is not None:
            event["label"] = label
        if id is not None:
            event["id"] = id
        return self._put(self._events, event)

    def log_many(
        self,
        inputs: Iterable[Mapping[str, Any]],
        *,
        outputs: Sequence[Any] | None = None,
        labels: Sequence[Any] | None = None,
        ids: Sequence[str] | None = None,
        timestamps: Sequence[float | str | datetime.datetime] | None = None,
    ) -> int:
        """Queue several events (one per mapping in ``inputs``); return how many were queued.

        ``outputs``, ``labels``, ``ids`` and ``timestamps``, when given, hold one entry per
        event, in the same order.

        >>> client = Client("http://127.0.0.1:9", "churn", flush_interval=60.0)
        >>> client.log_many([{"age": 31}, {"age": 45}], outputs=[1, 0], ids=["r1", "r2"])
        2
        >>> client.close(timeout=0.0)
        """
        rows = list(inputs)
        columns = {"outputs": outputs, "labels": labels, "ids": ids, "timestamps": timestamps}
        for name, column in columns.items():
            if column is not None:
                _check_length("Client.log_many", name, column, len(rows))
        queued = 0
        for i, row in enumerate(rows):
            queued += self.log(
                row,
                outputs=None if outputs is None else outputs[i],
                label=None if labels is None else labels[i],
                id=None if ids is None else ids[i],
                timestamp=None if timestamps is None else timestamps[i],
            )
        return queued

    def log_labels(self, ids: Sequence[str], labels: Sequence[Any]) -> int:
        """Queue the true labels of earlier events, by event id; return how many were queued.

        >>> client = Client("http://127.0.0.1:9", "churn", flush_interval=60.0)
        >>> client.log_labels(["r1", "r2"], [1, 0])
        2
        >>> client.close(timeout=0.0)
        """
        _check_length("Client.log_labels", "labels", labels, len(ids))
        return sum(
            self._put(self._labels, {"id": id_, "label": label})
            for id_, label in zip(ids, labels, strict=True)
        )

    def _put(self, queue: collections.deque[dict[str, Any]], item: dict[str, Any]) -> bool:
        with self._lock:
            if self._closed or len(self._events) + len(self._labels) >= self.max_queue:
                self._dropped += 1
                return False
            queue.append(item)
            self._queued += 1
            if len(queue) == self.batch_size:
                self._wake.set()
            return True

    # --- waiting for the background thread ----------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Send what is queued now; True once all of it was accepted by the server.

        False when ``timeout`` seconds passed first, or when some of it failed for good.

        >>> with Client("http://127.0.0.1:9", "churn") as client:
        ...     client.flush(timeout=1.0)  # nothing queued: nothing to wait for
        True
        """
        with self._lock:
            target, failed_before = self._queued, self._failed
        self._wake.set()
        with self._done_changed:
            drained = self._done_changed.wait_for(lambda: self._done >= target, timeout)
        with self._lock:
            return drained and self._failed == failed_before

    def close(self, timeout: float | None = 10.0) -> None:
        """Stop taking events, send what is queued (for ``timeout`` seconds at most), stop.

        What is still queued or in flight after ``timeout`` is counted as dropped
        (``timeout=0``: all of it, at once). Safe to call twice; also called at interpreter
        exit.

        >>> client = Client("http://127.0.0.1:9", "churn")
        >>> client.close()
        >>> client.log({"age": 31})
        False
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self.close)
        if timeout is None or timeout > 0:
            self.flush(timeout)
        self._stop.set()
        self._wake.set()
        self._thread.join(max(self.timeout, 1.0) + 1.0)
        with self._lock:
            self._drop_queued()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def stats(self) -> ClientStats:
        """What happened to the events so far (a snapshot)."""
        with self._lock:
            return ClientStats(self._sent, self._dropped, self._failed, self._retried)

    def __repr__(self) -> str:
        return f"Client(url={self.url!r}, model={self.model!r}, batch_size={self.batch_size})"

    # --- the background thread ----------------------------------------------------------------

    def _start(self) -> None:
        """Fresh queues, counters and worker thread (at construction and after a fork)."""
        self._lock = threading.Lock()
        self._done_changed = threading.Condition(threading.Lock())
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._events: collections.deque[dict[str, Any]] = collections.deque()
        self._labels: collections.deque[dict[str, Any]] = collections.deque()
        self._closed = False
        self._queued = self._done = 0
        self._sent = self._dropped = self._failed = self._retried = 0
        self._warned: set[str] = set()
        self._thread = threading.Thread(
            target=self._run, name=f"shiftwatch-client-{self.model}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        from shiftwatch import __version__

        headers = {
            "content-type": "application/json",
            "user-agent": f"shiftwatch-client/{__version__}",
        }
        if self.token is not None:
            headers["authorization"] = f"Bearer {self.token}"
        # httpcore writes the headers and the body separately; with Nagle's algorithm on, the
        # body may wait for the server's delayed ACK. TCP_NODELAY sends it at once.
        transport = self._httpx.HTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        )
        http = self._httpx.Client(
            base_url=self.url, headers=headers, timeout=self.timeout, transport=transport
        )
        with http:
            while not self._stop.is_set():
                self._wake.wait(self.flush_interval)
                self._wake.clear()
                self._drain(http, "events", self._events)
                self._drain(http, "labels", self._labels)

    def _drain(
        self, http: httpx.Client, kind: str, queue: collections.deque[dict[str, Any]]
    ) -> None:
        while queue and not self._stop.is_set():
            with self._lock:
                batch = [queue.popleft() for _ in range(min(self.batch_size, len(queue)))]
            try:
                self._send(http, kind, batch)
            except Exception:  # a bug must not kill the thread: the caller would fill its queue
                if "bug" not in self._warned:
                    self._warned.add("bug")
                    logger.exception("shiftwatch client: sending %d %s failed", len(batch), kind)
                self._finish(len(batch), "failed")

    def _send(self, http: httpx.Client, kind: str, batch: list[dict[str, Any]]) -> None:
        """POST one batch with retries; count its events as sent, failed or dropped."""
        try:
            body = json.dumps({kind: batch}, default=_jsonable).encode()
        except (TypeError, ValueError) as error:
            self._warn_once("json", "shiftwatch client: a batch could not be encoded: %s", error)
            self._finish(len(batch), "failed")
            return
        for attempt in range(self.retries + 1):
            if self._stop.is_set():
                self._finish(len(batch), "dropped")
                return
            try:
                response = http.post(self._paths[kind], content=body)
            except self._httpx.HTTPError as error:
                status, retry_after = f"{type(error).__name__}: {error}", None
            else:
                if response.is_success:
                    self._finish(len(batch), "sent")
                    return
                if response.status_code == 413 and len(batch) > 1:
                    half = len(batch) // 2
                    self._send(http, kind, batch[:half])
                    self._send(http, kind, batch[half:])
                    return
                if response.status_code not in RETRYABLE_STATUS:
                    self._warn_once(
                        f"http-{response.status_code}",
                        "shiftwatch client: %s %s answered %s %s; %d %s not sent",
                        "POST",
                        response.request.url,
                        response.status_code,
                        response.text[:500],
                        len(batch),
                        kind,
                    )
                    self._finish(len(batch), "failed")
                    return
                status = f"HTTP {response.status_code}"
                retry_after = _seconds(response.headers.get("retry-after"))
            if attempt == self.retries:
                break
            with self._lock:
                self._retried += 1
            delay = self.backoff * 2**attempt * random.uniform(0.5, 1.5)
            self._stop.wait(min(max(delay, retry_after or 0.0), MAX_BACKOFF_SECONDS))
        self._warn_once(
            "gave-up", "shiftwatch client: %d %s not sent after %d tries (%s)",
            len(batch), kind, self.retries + 1, status,
        )  # fmt: skip
        self._finish(len(batch), "failed")

    def _finish(self, n: int, outcome: str) -> None:
        with self._lock:
            if outcome == "sent":
                self._sent += n
            elif outcome == "failed":
                self._failed += n
            else:
                self._dropped += n
        with self._done_changed:
            self._done += n
            self._done_changed.notify_all()

    def _drop_queued(self) -> None:
        n = len(self._events) + len(self._labels)
        self._events.clear()
        self._labels.clear()
        self._dropped += n
        with self._done_changed:
            self._done += n
            self._done_changed.notify_all()

    def _warn_once(self, key: str, message: str, *args: object) -> None:
        level = logging.DEBUG if key in self._warned else logging.WARNING
        self._warned.add(key)
        logger.log(level, message, *args)

    def _after_fork(self) -> None:
        """In a forked child the worker thread is gone: start again with empty queues."""
        self._start()


def _after_fork_in_child() -> None:
    for client in list(_clients):
        if not client._closed:
            client._after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _import_httpx() -> Any:
    try:
        import httpx
    except ImportError as error:
        raise ImportError(f"shiftwatch.client needs httpx: {INSTALL_HINT}") from error
    return httpx


def _is_http_url(url: object) -> bool:
    return isinstance(url, str) and url.startswith(("http://", "https://"))


def _check_seconds(owner: str, name: str, value: float, *, zero_ok: bool = False) -> float:
    def ok(v: float) -> bool:
        return is_real(v) and math.isfinite(v) and (v > 0 or (zero_ok and v == 0))

    expected = "a finite float >= 0" if zero_ok else "a finite float > 0"
    return float(check_parameter(owner, name, value, ok, expected))


def _check_length(owner: str, name: str, column: Sequence[Any], n: int) -> None:
    if len(column) != n:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must have {n} entries, one per event. "
            f"Got {len(column)} instead."
        )


def _seconds(header: str | None) -> float | None:
    """A Retry-After header in seconds (its date form is ignored)."""
    try:
        return None if header is None else max(float(header), 0.0)
    except ValueError:
        return None


def _jsonable(value: Any) -> Any:
    """JSON for what ``json`` cannot encode: NumPy values, datetimes, sets.

    >>> import numpy as np
    >>> json.dumps({"x": np.float32(0.5), "v": np.arange(2), "t": datetime.date(2025, 1, 2)},
    ...            default=_jsonable)
    '{"x": 0.5, "v": [0, 1], "t": "2025-01-02"}'
    """
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
