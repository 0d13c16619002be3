"""Alert notifications: a webhook POST on each state change, in Alertmanager's payload shape.

Only changes of state are sent (ok -> drifting is "firing", drifting -> ok "resolved"), so a
sustained shift pages once. Each change is first recorded in the store (with the new state),
then delivered by a background thread with retries and exponential back-off; a delivery that
still fails is counted and stays recorded as undelivered, and undelivered alerts are sent
again when the service restarts.

Each alert is built and sent in isolation: an alert whose body cannot be built (a time out of
range in a database written by an older version) is recorded as failed with its reason and
never retried, and nothing one alert does stops the others. The sending thread is supervised:
if it ever stops, the next state change starts it again, and ``/healthz`` reports it.

The body is Alertmanager's webhook payload (version "4"), so a receiver written for
Alertmanager reads it unchanged; a ``resolved`` body carries the ``startsAt`` of the firing it
ends (read from the store, so it holds across restarts):

>>> payload = alert_payload("churn", "window", "firing", 0.0, None, "x drifted", "http://sw")
>>> payload["status"], payload["alerts"][0]["labels"]["alertname"], payload["version"]
('firing', 'ShiftwatchDrift', '4')
"""

import hashlib
import logging
import queue
import threading
import time
from datetime import UTC, datetime
from typing import Any

from shiftwatch.service.metrics import ServiceMetrics
from shiftwatch.service.storage import Store, StoredAlert

log = logging.getLogger("shiftwatch.service")

ALERT_NAMES = {"window": "ShiftwatchDrift", "errors": "ShiftwatchErrorRate"}
ZERO_TIME = "0001-01-01T00:00:00Z"  # Alertmanager's "not ended"


class UnsendableAlert(ValueError):
    """An alert whose body cannot be built; it is recorded as failed, never retried."""


def _rfc3339(seconds: float) -> str:
    """RFC 3339 in UTC; :class:`UnsendableAlert` for a time no date can show.

    >>> _rfc3339(86400.5)
    '1970-01-02T00:00:00.500000Z'
    """
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, ValueError, OSError) as error:
        raise UnsendableAlert(f"its time {seconds!r} is not a date ({error})") from None


def alert_identity(model: str, source: str, detail: str) -> tuple[dict[str, str], dict[str, str]]:
    """The labels and annotations of one alert, whichever way it is sent.

    The webhook, Alertmanager's API and the shipped Prometheus rules all use these labels
    (``alertname``, ``model``, ``source``, ``severity``), so Alertmanager sees one alert.

    >>> alert_identity("churn", "errors", "up")[0]["alertname"]
    'ShiftwatchErrorRate'
    """
    labels = {
        "alertname": ALERT_NAMES.get(source, "ShiftwatchAlert"),
        "model": model,
        "source": source,
        "severity": "page",
    }
    what = "inputs or outputs drifted" if source == "window" else "more errors than expected"
    return labels, {"summary": f"{model}: {what}", "description": detail}


def postable_alert(
    model: str, source: str, starts_at: float, ends_at: float, detail: str, external_url: str
) -> dict[str, Any]:
    """One alert as Alertmanager's API v2 takes it (``POST /api/v2/alerts``).

    A firing alert is posted again before ``ends_at`` passes; a resolved one is posted with
    ``ends_at`` at its resolution.

    >>> postable_alert("churn", "window", 0.0, 300.0, "x drifted", "http://sw")["endsAt"]
    '1970-01-01T00:05:00Z'
    """
    labels, annotations = alert_identity(model, source, detail)
    return {
        "labels": labels,
        "annotations": annotations,
        "startsAt": _rfc3339(starts_at),
        "endsAt": _rfc3339(ends_at),
        "generatorURL": f"{external_url}/v1/models/{model}",
    }


def alert_payload(
    model: str,
    source: str,
    status: str,
    starts_at: float,
    ends_at: float | None,
    detail: str,
    external_url: str,
) -> dict[str, Any]:
    """Alertmanager's webhook body (version 4) for one alert of one model."""
    labels, annotations = alert_identity(model, source, detail)
    fingerprint = hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()[:16]
    alert = {
        "status": status,
        "labels": labels,
        "annotations": annotations,
        "startsAt": _rfc3339(starts_at),
        "endsAt": ZERO_TIME if ends_at is None else _rfc3339(ends_at),
        "generatorURL": f"{external_url}/v1/models/{model}",
        "fingerprint": fingerprint,
    }
    group = {"alertname": labels["alertname"], "model": model}
    return {
        "version": "4",
        "groupKey": "{}:{" + ",".join(f'{k}="{v}"' for k, v in group.items()) + "}",
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "shiftwatch",
        "groupLabels": group,
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": external_url,
        "alerts": [alert],
    }


class AlertSender:
    """Record state changes and deliver them to each model's webhook in the background."""

    def __init__(
        self,
        store: Store,
        metrics: ServiceMetrics,
        webhooks: dict[str, str | None],
        *,
        external_url: str,
        retries: int = 5,
        backoff: float = 0.5,
        timeout: float = 5.0,
        alertmanager_url: str | None = None,
        resend_seconds: float = 60.0,
    ) -> None:
        self.store = store
        self.alertmanager_url = alertmanager_url
        self.resend_seconds = resend_seconds
        self._firing: dict[tuple[str, str], tuple[float, str]] = {}  # for Alertmanager
        self.metrics = metrics
        self.webhooks = webhooks
        self.external_url = external_url
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._queue: queue.Queue[StoredAlert | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.restarts = 0
        self.last_failure: str | None = None

    def start(self) -> None:
        """Start delivering, beginning with what was left undelivered before a restart."""
        for alert in self.store.undelivered_alerts():
            self._queue.put(alert)
        self._firing = {
            (model, source): (since, detail)
            for model, source, since, detail in self.store.firing_states()
        }
        self._stopping = False
        self._start_thread()

    def _start_thread(self) -> None:
        self._thread = threading.Thread(target=self._run, name="shiftwatch-alerts", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the sending thread is alive (it is restarted at the next state change)."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Deliver what is queued (within ``timeout``), then stop."""
        self._stopping = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def notify(self, model: str, source: str, kind: str, at: float, detail: str) -> None:
        """Record one state change ("alarm" or "resolved") and queue its delivery."""
        status = "firing" if kind == "alarm" else "resolved"
        self.metrics.drift_state.labels(model=model, source=source).set(status == "firing")
        alert_id = self.store.record_alert(model, source, status, at, detail)
        self._queue.put(StoredAlert(alert_id, model, source, status, at, detail, False, 0))
        if self._thread is not None and not self._thread.is_alive() and not self._stopping:
            log.error("the alert sender had stopped; starting it again")
            self.restarts += 1
            self._start_thread()

    def _run(self) -> None:
        resend_at = time.monotonic()
        while True:
            if self.alertmanager_url is not None and time.monotonic() >= resend_at:
                self._post_firing()  # as Prometheus does: a firing alert is posted again
                resend_at = time.monotonic() + self.resend_seconds
            try:
                alert = self._queue.get(timeout=max(resend_at - time.monotonic(), 0.01))
            except queue.Empty:
                continue
            if alert is None:
                return
            try:
                self._to_alertmanager(alert)
            except Exception:  # Alertmanager's path never stops the webhook's
                log.exception("alert %s could not be posted to Alertmanager", alert.id)
            try:
                self._deliver(alert)
            except Exception as error:  # one alert never stops the others
                log.exception("alert %s could not be delivered", alert.id)
                self._failed(alert, alert.attempts, f"{type(error).__name__}: {error}")

    def _to_alertmanager(self, alert: StoredAlert) -> None:
        """Post one state change to Alertmanager (firing: until a resend is due, and more)."""
        key = (alert.model, alert.source)
        if alert.status == "firing":
            self._firing[key] = (alert.at, alert.detail)
        else:
            started = self._firing.pop(key, None)
            if self.alertmanager_url is not None:
                starts = alert.at if started is None else started[0]
                self._post(
                    [postable_alert(*key, starts, alert.at, alert.detail, self.external_url)]
                )
            return
        self._post_firing()

    def _post_firing(self) -> None:
        """Post every firing alert, each ending after four resend intervals unless posted again."""
        if self.alertmanager_url is None or not self._firing:
            return
        ends = time.time() + 4 * self.resend_seconds
        self._post(
            [
                postable_alert(model, source, starts, ends, detail, self.external_url)
                for (model, source), (starts, detail) in self._firing.items()
            ]
        )

    def _post(self, alerts: list[dict[str, Any]]) -> None:
        import httpx

        assert self.alertmanager_url is not None
        url = f"{self.alertmanager_url.rstrip('/')}/api/v2/alerts"
        try:
            response = httpx.post(url, json=alerts, timeout=self.timeout)
            if response.status_code < 300:
                return
            problem = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as error:
            problem = f"{type(error).__name__}: {error}"
        for model in {alert["labels"]["model"] for alert in alerts}:
            self.metrics.alert_errors.labels(model=model).inc()
        self.last_failure = f"Alertmanager at {url}: {problem}"
        log.warning("posting to Alertmanager failed (%s); the next resend tries again", problem)

    def _failed(
        self, alert: StoredAlert, attempts: int, reason: str, *, final: bool = False
    ) -> None:
        """Count and record a delivery that gave up (``final``: never to be tried again)."""
        self.last_failure = f"alert {alert.id} of {alert.model}: {reason}"
        self.metrics.alert_failures.labels(model=alert.model).inc()
        try:
            self.store.mark_alert(
                alert.id, delivered=False, attempts=attempts, error=reason, final=final
            )
        except Exception:  # the database is failing too: the log is all that is left
            log.exception("alert %s: its failure could not be recorded", alert.id)

    def _body(self, alert: StoredAlert) -> dict[str, Any]:
        firing = alert.status == "firing"
        starts = alert.at
        if not firing:  # the firing this resolves, as recorded (it may predate a restart)
            started = self.store.firing_time(alert.model, alert.source, before=alert.id)
            starts = alert.at if started is None else started
        return alert_payload(
            alert.model,
            alert.source,
            alert.status,
            starts,
            None if firing else alert.at,
            alert.detail,
            self.external_url,
        )

    def _deliver(self, alert: StoredAlert) -> None:
        import httpx

        url = self.webhooks.get(alert.model)
        if url is None:  # no webhook: recorded, nothing to send
            self.store.mark_alert(alert.id, delivered=True, attempts=0)
            return
        try:
            body = self._body(alert)
        except UnsendableAlert as error:
            log.error("alert %s cannot be sent: %s", alert.id, error)
            self._failed(alert, alert.attempts, f"cannot be sent: {error}", final=True)
            return
        attempts = alert.attempts
        problem = ""
        for attempt in range(self.retries + 1):
            attempts += 1
            try:
                response = httpx.post(url, json=body, timeout=self.timeout)
                if response.status_code < 300:
                    self.store.mark_alert(alert.id, delivered=True, attempts=attempts)
                    self.metrics.alerts_sent.labels(model=alert.model, status=alert.status).inc()
                    return
                problem = f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                problem = f"{type(error).__name__}: {error}"
            self.metrics.alert_errors.labels(model=alert.model).inc()
            log.warning("alert %s to %s failed (%s), try %d", alert.id, url, problem, attempt + 1)
            if attempt < self.retries:
                time.sleep(self.backoff * 2**attempt)
        self._failed(alert, attempts, f"gave up after {attempts} tries; last: {problem}")
