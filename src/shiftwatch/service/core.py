"""The service's state: the store, the watched models, the metrics and the alert sender.

Ingest order, for every payload: rows are committed to the store (one transaction), then
complete rows feed their model's monitor, then violation counts are stored, then state changes
are recorded and queued for the webhook. The HTTP layer answers after all of that, so an
acknowledged event is durable. On start, each model's monitor is rebuilt by replaying its
newest stored rows (the window's worth), and the alert state recorded before the restart is
restored, so a standing alarm is neither raised again nor forgotten.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from shiftwatch.errors import InvalidParameterError
from shiftwatch.monitor import AlertEvent
from shiftwatch.service.alerts import AlertSender
from shiftwatch.service.metrics import MAX_FEATURES, ServiceMetrics
from shiftwatch.service.settings import Settings
from shiftwatch.service.storage import Store, StoredCheck, StoredRow
from shiftwatch.service.watched import Ingested, WatchedModel

log = logging.getLogger("shiftwatch.service")

REPLAY_CHUNK = 1_000
TRIM_SLACK = 1.1  # raw events are trimmed to their retention once 10% over it


Result = TypeVar("Result")


class UnknownModelError(InvalidParameterError, LookupError):
    """A request named a model the server does not watch."""


class Service:
    """Everything a running server holds; the HTTP routes call its methods."""

    def __init__(self, settings: Settings, *, external_url: str | None = None) -> None:
        self.settings = settings
        server = settings.server
        self.store = Store(server.db_url)
        self.metrics = ServiceMetrics()
        self.models = {model.name: WatchedModel(model) for model in settings.models}
        url = external_url or f"http://{server.host}:{server.port}"
        self.alerts = AlertSender(
            self.store,
            self.metrics,
            {model.name: model.webhook_url for model in settings.models},
            external_url=url,
            retries=server.webhook_retries,
            backoff=server.webhook_backoff_seconds,
        )
        self.started_at = time.time()
        # rows stored per model: counted once at start, then kept up to date (a COUNT(*) over
        # millions of rows would cost a status read a quarter of a second on PostgreSQL)
        self.stored_rows = {name: self.store.count_rows(name) for name in self.models}
        self._threads: dict[str, ThreadPoolExecutor] = {}

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
                replayed += watched.ingest(chunk).fed
                chunk = []
        replayed += watched.ingest(chunk).fed
        if replayed:
            log.info("model %s: replayed %d stored rows into its window", watched.name, replayed)

    # ingest ---------------------------------------------------------------------------

    def model(self, name: str) -> WatchedModel:
        """The watched model of that name, or :class:`UnknownModelError`."""
        watched = self.models.get(name)
        if watched is None:
            raise UnknownModelError(
                f"No model named {name!r}; this server watches {sorted(self.models)}."
            )
        return watched

    async def on_model_thread(self, name: str, call: Callable[..., Result], *args: Any) -> Result:
        """Run ``call(*args)`` on model ``name``'s own thread, after the calls queued before it.

        The HTTP routes send every call that writes to a model (events, labels, checks) here;
        the alert sender writes its deliveries from its own thread. The calls could not run
        side by side anyway (the monitor's lock, SQLite's single writer), and a pool of threads
        queueing on those locks while contending for the GIL cost a quarter of the ingest rate.
        """
        self.model(name)
        thread = self._threads.get(name)
        if thread is None:
            thread = ThreadPoolExecutor(1, thread_name_prefix=f"shiftwatch-{name}")
            self._threads[name] = thread
        return await asyncio.get_running_loop().run_in_executor(thread, call, *args)

    def ingest_rows(self, name: str, rows: Sequence[StoredRow]) -> dict[str, int]:
        """Store whole rows, then feed them; the answer counts accepted rows and duplicates."""
        watched = self.model(name)
        new = self.store.add_rows(name, rows, received_at=time.time())
        fresh = []
        for row in rows:  # an id twice in one batch was stored (and is fed) once
            key = (row.event_id, row.row_index)
            if key in new:
                new.discard(key)
                fresh.append(row)
        self.stored_rows[name] += len(fresh)
        return self._after_store(watched, fresh, len(rows), len(fresh))

    def ingest_part(self, name: str, rows: Sequence[StoredRow], part: str) -> dict[str, int]:
        """Store one half of rows (``"inputs"`` or ``"outputs"``); feed the completed rows."""
        watched = self.model(name)
        stored = self.store.add_part(name, rows, part, time.time())
        other = "outputs" if part == "inputs" else "inputs"
        self.stored_rows[name] += sum(getattr(row, other) is None for row in stored)  # inserted
        return self._after_store(watched, stored, len(rows), len(stored))

    def label(self, name: str, labels: Sequence[tuple[str, Any]]) -> dict[str, int]:
        """Labels of earlier events by id: stored, then scored against expected errors."""
        watched = self.model(name)
        found = self.store.set_labels(name, labels)
        known = {event_id for event_id, _ in found}
        given = dict(labels)
        events = watched.label([(event_id, given[event_id]) for event_id in sorted(known)])
        self._notify(watched, events)
        return {"joined": len(known), "unknown": len(given) - len(known)}

    def _after_store(
        self, watched: WatchedModel, rows: Sequence[StoredRow], given: int, new: int
    ) -> dict[str, int]:
        name = watched.name
        self.metrics.received.labels(model=name).inc(new)
        if given > new:
            self.metrics.duplicates.labels(model=name).inc(given - new)
        done = watched.ingest(rows)
        self._record(watched, done)
        retention = self.settings.server.raw_retention_rows
        if self.stored_rows[name] > retention * TRIM_SLACK:  # trim rarely: it scans the index
            self.stored_rows[name] -= self.store.trim(name, retention)
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
        """Export and store the model's last window check (after ``check`` or ``log``)."""
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
        outputs = watched.outputs_at_check()
        check = StoredCheck(
            time.time(),
            report.n_current,
            monitor.last_drifted,
            monitor.state.value,
            columns,
            outputs,
        )
        self.store.add_check(name, check)
        if outputs is not None and "estimated_accuracy" in outputs:
            self.metrics.accuracy.labels(model=name).set(outputs["estimated_accuracy"])
        if monitor.last_check_seconds is not None:
            self.metrics.check_seconds.labels(model=name).observe(monitor.last_check_seconds)
        self.metrics.window_rows.labels(model=name, source="window").set(report.n_current)
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
