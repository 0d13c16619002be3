"""The service's state: the store, the watched models, the metrics and the alert sender.

Ingest order, for every payload: rows are committed to the store (one transaction), then
complete rows feed their model's monitor, then violation counts are stored, then state changes
are recorded and queued for the webhook. The HTTP layer answers after all of that, so an
acknowledged event is durable. On start, each model's monitor is rebuilt by replaying its
newest stored rows (the window's worth), and the alert state recorded before the restart is
restored, so a standing alarm is neither raised again nor forgotten.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from shiftwatch.errors import InvalidParameterError, ShiftwatchError
from shiftwatch.monitor import AlertEvent
from shiftwatch.service.alerts import AlertSender
from shiftwatch.service.metrics import MAX_FEATURES, ServiceMetrics
from shiftwatch.service.predictions import UnfitValue, check_labels
from shiftwatch.service.records import PayloadError
from shiftwatch.service.settings import Settings
from shiftwatch.service.storage import Store, StoredCheck, StoredRow
from shiftwatch.service.watched import TIMESTAMP, Ingested, WatchedModel, row_key

log = logging.getLogger("shiftwatch.service")

REPLAY_CHUNK = 1_000
TRIM_SLACK = 1.1  # raw events are trimmed to their retention once 10% over it


Result = TypeVar("Result")


class UnknownModelError(InvalidParameterError, LookupError):
    """A request named a model the server does not watch."""


class Unavailable(ShiftwatchError):
    """The request cannot be served now: answered 503, with ``Retry-After`` seconds."""

    retry_after = 1
    field = "model"


class Overloaded(Unavailable):
    """A model's queue of requests is full."""


class ClientGone(ShiftwatchError):
    """The client hung up while its request waited: the request was dropped before it ran."""


class StorageError(Unavailable):
    """The database refused a write: nothing of the request was acknowledged."""

    retry_after = 5
    field = "database"


@dataclass
class WriteHealth:
    """When writes last succeeded and last failed, and why; failing while the failure is newer.

    >>> health = WriteHealth()
    >>> health.failed("disk full", at=2.0); health.failing
    True
    >>> health.succeeded(at=3.0); health.failing
    False
    """

    last_ok: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None

    def succeeded(self, at: float | None = None) -> None:
        """Record a committed write."""
        self.last_ok = time.time() if at is None else at

    def failed(self, error: str, at: float | None = None) -> None:
        """Record a write the database refused."""
        self.last_error, self.last_error_at = error, time.time() if at is None else at

    @property
    def failing(self) -> bool:
        """Whether the newest write outcome is a failure."""
        return self.last_error_at is not None and (
            self.last_ok is None or self.last_error_at >= self.last_ok
        )


class Service:
    """Everything a running server holds; the HTTP routes call its methods."""

    def __init__(self, settings: Settings, *, external_url: str | None = None) -> None:
        self.settings = settings
        server = settings.server
        self.store = Store(server.db_url)
        self.metrics = ServiceMetrics()
        for name in (model.name for model in settings.models):
            self.metrics.start_at_zero(name)
        self.models = {model.name: WatchedModel(model) for model in settings.models}
        url = external_url or f"http://{server.host}:{server.port}"
        self.alerts = AlertSender(
            self.store,
            self.metrics,
            {model.name: model.webhook_url for model in settings.models},
            external_url=url,
            retries=server.webhook_retries,
            backoff=server.webhook_backoff_seconds,
            alertmanager_url=server.alertmanager_url,
            resend_seconds=server.alertmanager_resend_seconds,
        )
        self.started_at = time.time()
        # rows stored per model: counted once at start, then kept up to date (a COUNT(*) over
        # millions of rows would cost a status read a quarter of a second on PostgreSQL)
        self.stored_rows = {name: self.store.count_rows(name) for name in self.models}
        self._trimmed = {name: self.store.has_trimmed(name) for name in self.models}
        self._threads: dict[str, ThreadPoolExecutor] = {}
        self.writes = WriteHealth()
        self._queued = dict.fromkeys(self.models, (0, 0))  # requests, body bytes

    # lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Replay each model's window from the store, restore alert states, start alerts."""
        for watched in self.models.values():
            self._replay(watched)
            watched.restore(self.store.alert_state(watched.name, "window"))
            self.metrics.drift_state.labels(model=watched.name, source="window").set(
                watched.monitor.state == "drifting"
            )
        self.alerts.start()

    def stop(self) -> None:
        """Finish the queued writes, deliver queued alerts, then release the database."""
        threads, self._threads = self._threads, {}
        for thread in threads.values():
            thread.shutdown(wait=True)
        self.alerts.stop()
        self.store.close()

    def _replay(self, watched: WatchedModel) -> None:
        settings = watched.settings
        if settings.window is not None:
            rows = self.store.latest_rows(watched.name, settings.window)
        else:
            assert settings.duration is not None
            rows = self.store.rows_since(watched.name, time.time() - settings.duration)
        chunk: list[StoredRow] = []
        replayed = 0
        for row in rows:
            chunk.append(row)
            if len(chunk) == REPLAY_CHUNK:
                replayed += self._replay_chunk(watched, chunk)
                chunk = []
        replayed += self._replay_chunk(watched, chunk)
        if replayed:
            log.info("model %s: replayed %d stored rows into its window", watched.name, replayed)
        self.export_window(watched)

    @staticmethod
    def _replay_chunk(watched: WatchedModel, rows: list[StoredRow]) -> int:
        """Feed stored rows at their receipt time; rows the monitor cannot take are skipped."""
        if not rows:
            return 0
        kept = []
        for row in rows:  # rows stored by an older version may hold what is refused now
            try:
                watched.check([row], lambda _: "outputs", lambda _: "label")
            except PayloadError as error:
                log.warning(
                    "model %s: stored row %s skipped (%s)", watched.name, row.event_id, error
                )
            else:
                kept.append(row)
        now = max((row.received_at or 0.0) for row in rows) or time.time()
        return watched.ingest(kept, now).fed

    # ingest ---------------------------------------------------------------------------

    def model(self, name: str) -> WatchedModel:
        """The watched model of that name, or :class:`UnknownModelError`."""
        watched = self.models.get(name)
        if watched is None:
            raise UnknownModelError(
                f"No model named {name!r}; this server watches {sorted(self.models)}."
            )
        return watched

    @contextlib.contextmanager
    def reserve(self, name: str, size: int = 0) -> Iterator[None]:
        """Hold a place in model ``name``'s queue for a request of ``size`` body bytes.

        Raises :class:`Overloaded` when ``max_queued_requests`` are held already, or when the
        bodies queued would pass ``max_queued_bytes`` (one body alone is always let in): a
        flooded model sheds load at once instead of queueing without bound, so memory stays
        bounded and a small request never waits behind more than that much work. The other
        models are not affected.
        """
        self.model(name)
        server = self.settings.server
        count, queued = self._queued[name]
        if count >= server.max_queued_requests or (
            count and queued + size > server.max_queued_bytes
        ):
            raise Overloaded(
                f"Model {name!r} has {count} requests ({queued:,} bytes) queued, its limit; "
                "retry after a second."
            )
        self._queued[name] = (count + 1, queued + size)
        try:
            yield
        finally:
            count, queued = self._queued[name]
            self._queued[name] = (count - 1, queued - size)

    async def on_model_thread(
        self,
        name: str,
        call: Callable[..., Result],
        *args: Any,
        hung_up: Callable[[], Awaitable[object]] | None = None,
    ) -> Result:
        """Run ``call(*args)`` on model ``name``'s own thread, after the calls queued before it.

        The HTTP routes send every call that writes to a model (events, labels, checks) here;
        the alert sender writes its deliveries from its own thread. The calls could not run
        side by side anyway (the monitor's lock, SQLite's single writer), and a pool of threads
        queueing on those locks while contending for the GIL cost a quarter of the ingest rate.

        ``hung_up``, when given, returns once the client has gone: a call still waiting in the
        queue then never runs (:class:`ClientGone`); one already running finishes (ingest is
        idempotent, so the client's retry is counted as duplicates).
        """
        self.model(name)
        thread = self._threads.get(name)
        if thread is None:
            thread = ThreadPoolExecutor(1, thread_name_prefix=f"shiftwatch-{name}")
            self._threads[name] = thread
        work = asyncio.get_running_loop().run_in_executor(thread, self._guarded, call, *args)
        if hung_up is None:
            return await work
        watcher: asyncio.Future[Any] = asyncio.ensure_future(hung_up())
        waiting: set[asyncio.Future[Any]] = {work, watcher}
        try:
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watcher.cancel()
        if work.done():
            return await work
        work.cancel()  # never runs if still queued; if running, it finishes unawaited
        raise ClientGone(f"The client hung up while its request to {name!r} waited.")

    def _guarded(self, call: Callable[..., Result], *args: Any) -> Result:
        """Run a write; a database failure becomes :class:`StorageError`, and is remembered."""
        try:
            result = call(*args)
        except (sa.exc.SQLAlchemyError, OSError) as error:
            reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            self.writes.failed(reason)
            log.error("a write failed: %s", reason)
            raise StorageError(f"The database refused the write ({reason}); retry later.") from None
        self.writes.succeeded()
        return result

    def health(self) -> dict[str, Any]:
        """What ``/healthz`` answers: ok, or failing with what fails (database, writes, alerts)."""
        problems = []
        try:
            self.store.count_rows("")
        except sa.exc.SQLAlchemyError as error:
            problems.append(f"the database does not answer ({type(error).__name__})")
        if self.writes.failing:
            problems.append(f"writes fail: {self.writes.last_error}")
        if not self.alerts.running:
            problems.append("the alert sender is not running")
        return {
            "status": "failing" if problems else "ok",
            "problems": problems,
            "models": sorted(self.models),
            "writes": {
                "last_ok": self.writes.last_ok,
                "last_error": self.writes.last_error,
                "last_error_at": self.writes.last_error_at,
            },
            "alerts": {
                "running": self.alerts.running,
                "restarts": self.alerts.restarts,
                "last_failure": self.alerts.last_failure,
            },
        }

    def ingest_rows(
        self, name: str, rows: Sequence[StoredRow], where: str = "rows"
    ) -> dict[str, int]:
        """Check, store, then feed whole rows; the answer counts accepted rows and duplicates.

        Everything that could keep a row from the monitor is checked before the commit
        (:class:`PayloadError` naming ``where.i.outputs`` or ``where.i.label``); should feeding
        still fail, the new rows are removed again, so a stored row is a monitored one.
        """
        watched = self.model(name)
        now = time.time()
        given = len(rows)
        rows, skewed = self._checked_times(rows, now)
        watched.check(rows, lambda i: f"{where}.{i}.outputs", lambda i: f"{where}.{i}.label")
        rows = self._unseen(name, rows)
        new = self.store.add_rows(name, rows, received_at=now)
        fresh = []
        for row in rows:  # an id twice in one batch was stored (and is fed) once
            key = (row.event_id, row.row_index)
            if key in new:
                new.discard(key)
                fresh.append(row)
        try:
            done = self._feed(watched, fresh, now, skewed, whole=True)
        except Exception:
            self.store.remove_rows(name, [(row.event_id, row.row_index) for row in fresh])
            raise
        self._record(watched, done)
        self.stored_rows[name] += len(fresh)
        return self._after_feed(watched, done, given, len(fresh), len(fresh))

    def ingest_part(
        self, name: str, rows: Sequence[StoredRow], part: str, where: str = "rows"
    ) -> dict[str, int]:
        """Store one half of rows (``"inputs"`` or ``"outputs"``); feed the completed rows."""
        watched = self.model(name)
        now = time.time()
        given = len(rows)
        rows, skewed = self._checked_times(rows, now)
        watched.check(rows, lambda i: f"{where}.{i}.outputs", lambda i: f"{where}.{i}.label")
        stored = self.store.add_part(name, self._unseen(name, rows), part, now)
        try:
            done = self._feed(watched, stored, now, skewed)
        except Exception:
            self.store.remove_part(name, [(row.event_id, row.row_index) for row in stored], part)
            raise
        self._record(watched, done)
        other = "outputs" if part == "inputs" else "inputs"
        inserted = sum(getattr(row, other) is None for row in stored)  # the rest were joined
        self.stored_rows[name] += inserted
        return self._after_feed(watched, done, given, len(stored), inserted)

    def label(
        self,
        name: str,
        labels: Sequence[tuple[str, int, Any]],
        *,
        whole_event: str | None = None,
    ) -> dict[str, int]:
        """Labels of earlier rows by ``(event id, row, label)``: stored, then scored.

        ``whole_event`` (the field that holds them): the labels are those of every row of one
        event, in order (a model server's feedback); their count must match the stored rows.
        """
        watched = self.model(name)
        if watched.settings.expected_error_rate is not None:
            check_labels([label for *_, label in labels], lambda i: f"body.labels.{i}.label")
        if whole_event is not None and labels:
            stored = self.store.count_event_rows(name, labels[0][0])
            if stored and stored != len(labels):
                raise UnfitValue(
                    whole_event,
                    f"holds {len(labels)} labels; the event {labels[0][0]!r} has {stored} rows",
                )
        found = self.store.set_labels(name, labels)
        self.metrics.requests.labels(model=name).inc()
        given = {(event_id, row): label for event_id, row, label in labels}
        keyed = [(row_key(event_id, row), given[(event_id, row)]) for event_id, row in found]
        self._notify(watched, watched.label(keyed))
        return {"joined": len(found), "unknown": len(given) - len(found)}

    def _unseen(self, name: str, rows: Sequence[StoredRow]) -> Sequence[StoredRow]:
        """``rows`` less those whose id was stored, then trimmed past the raw retention."""
        if not self._trimmed[name] or not rows:
            return rows
        seen = self.store.seen(name, [(row.event_id, row.row_index) for row in rows])
        if not seen:
            return rows
        return [row for row in rows if (row.event_id, row.row_index) not in seen]

    def _checked_times(
        self, rows: Sequence[StoredRow], now: float
    ) -> tuple[Sequence[StoredRow], int]:
        """Drop event times before 1970 or beyond the allowed clock skew; count them."""
        latest = now + self.settings.server.max_clock_skew_seconds
        checked: list[StoredRow] | None = None
        for i, row in enumerate(rows):
            moment = row.event_time
            if moment is not None and not 0.0 <= moment <= latest:  # NaN fails both
                checked = list(rows) if checked is None else checked
                checked[i] = row._replace(event_time=None)
        if checked is None:
            return rows, 0
        return checked, sum(a is not b for a, b in zip(rows, checked, strict=True))

    def _feed(
        self,
        watched: WatchedModel,
        rows: Sequence[StoredRow],
        now: float,
        skewed: int,
        *,
        whole: bool = False,
    ) -> Ingested:
        done = watched.ingest(rows, now, whole=whole)
        if skewed:
            done.violations[(TIMESTAMP, "clock_skew")] += skewed
        return done

    def _after_feed(
        self, watched: WatchedModel, done: Ingested, given: int, new: int, rows: int
    ) -> dict[str, int]:
        """Count and answer: ``new`` parts stored of ``given``; ``rows`` of them new rows."""
        name = watched.name
        self.metrics.requests.labels(model=name).inc()
        self.metrics.received.labels(model=name).inc(rows)
        if given > new:
            self.metrics.duplicates.labels(model=name).inc(given - new)
        server = self.settings.server
        retention = server.raw_retention_rows
        if self.stored_rows[name] > retention * TRIM_SLACK:  # trim rarely: it scans the index
            self.stored_rows[name] -= self.store.trim(name, retention, server.id_retention_rows)
            self._trimmed[name] = True
        return {
            "accepted": new,
            "duplicates": given - new,
            "violations": sum(done.violations.values()),
        }

    def _record(self, watched: WatchedModel, done: Ingested) -> None:
        name = watched.name
        if done.violations:
            self.store.add_violations(name, dict(done.violations))
            for (_, rule), count in done.violations.items():
                self.metrics.violations.labels(model=name, rule=rule).inc(count)
        scores = watched.monitor.drift_scores
        for feature in list(scores)[:MAX_FEATURES]:
            self.metrics.feature_score.labels(model=name, feature=feature).set(scores[feature])
        if done.checked:
            self.record_check(watched)
        self._notify(watched, done.events)

    def record_check(self, watched: WatchedModel) -> None:
        """Store and export the model's last window check (after ``check`` or ``log``)."""
        name, monitor = watched.name, watched.monitor
        report = monitor.last_report
        if report is None:
            return
        scores = monitor.drift_scores
        columns = {
            feature: {
                "p_value": column.adjusted_p_value,
                "drift_score": scores.get(feature),
                "drifted": column.drifted,
            }
            for feature, column in report.columns.items()
        }
        check = StoredCheck(
            time.time(),
            report.n_current,
            monitor.last_drifted,
            monitor.state.value,
            columns,
            watched.outputs_at_check(),
        )
        self.store.add_check(name, check)
        if monitor.last_check_seconds is not None:
            self.metrics.check_seconds.labels(model=name).observe(monitor.last_check_seconds)
        self.export_window(watched)

    def export_window(self, watched: WatchedModel) -> None:
        """Set every gauge of a model from its monitor: after each check, and once at start.

        At start the replayed window is checked once (no alert is raised by it), so that no
        gauge is missing until the next check.
        """
        name, monitor = watched.name, watched.monitor
        if monitor.last_report is None and monitor.n:
            monitor.check()
        scores = monitor.drift_scores
        for feature in list(scores)[:MAX_FEATURES]:
            self.metrics.feature_score.labels(model=name, feature=feature).set(scores[feature])
        report = monitor.last_report
        self.metrics.window_rows.labels(model=name, source="window").set(
            0 if report is None else report.n_current
        )
        if report is None:
            return
        outputs = watched.outputs_at_check()
        if outputs is not None and "estimated_accuracy" in outputs:
            reliable = outputs["accuracy_reliable"]
            self.metrics.accuracy_reliable.labels(model=name).set(reliable)
            # an estimate that cannot be trusted is not exported as a number (NaN: no value)
            value = outputs["estimated_accuracy"] if reliable else float("nan")
            self.metrics.accuracy.labels(model=name).set(value)
        for feature in list(report.columns)[:MAX_FEATURES]:
            column = report.columns[feature]
            if column.p_value is not None:
                self.metrics.feature_p_value.labels(model=name, feature=feature).set(
                    column.adjusted_p_value
                    if column.adjusted_p_value is not None
                    else column.p_value
                )
            self.metrics.feature_drifted.labels(model=name, feature=feature).set(column.drifted)

    def _notify(self, watched: WatchedModel, events: Sequence[AlertEvent]) -> None:
        for event in events:
            self.alerts.notify(watched.name, event.source, event.kind, event.at_time, event.detail)
