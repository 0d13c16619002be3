"""Alert notifications: a webhook POST on each state change, in Alertmanager's payload shape.

Only changes of state are sent (ok -> drifting is "firing", drifting -> ok "resolved"), so a
sustained shift pages once. Each change is first recorded in the store (with the new state),
then delivered by a background thread with retries and exponential back-off; a delivery that
still fails is counted and stays recorded as undelivered, and undelivered alerts are sent
again when the service restarts.

The body is Alertmanager's webhook payload (version "4"), so a receiver written for
Alertmanager reads it unchanged:

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


def _rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


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
    labels = {
        "alertname": ALERT_NAMES.get(source, "ShiftwatchAlert"),
        "model": model,
        "source": source,
        "severity": "page",
    }
    what = "inputs or outputs drifted" if source == "window" else "more errors than expected"
    annotations = {"summary": f"{model}: {what}", "description": detail}
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
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.webhooks = webhooks
        self.external_url = external_url
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._queue: queue.Queue[StoredAlert | None] = queue.Queue()
        self._started: dict[tuple[str, str], float] = {}
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start delivering, beginning with what was left undelivered before a restart."""
        for alert in self.store.undelivered_alerts():
            self._queue.put(alert)
        self._thread = threading.Thread(target=self._run, name="shiftwatch-alerts", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Deliver what is queued (within ``timeout``), then stop."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def notify(self, model: str, source: str, kind: str, at: float, detail: str) -> None:
        """Record one state change ("alarm" or "resolved") and queue its delivery."""
        status = "firing" if kind == "alarm" else "resolved"
        self.metrics.drift_state.labels(model=model, source=source).set(status == "firing")
        alert_id = self.store.record_alert(model, source, status, at, detail)
        if status == "firing":
            self._started[(model, source)] = at
        self._queue.put(StoredAlert(alert_id, model, source, status, at, detail, False, 0))

    def _run(self) -> None:
        while True:
            alert = self._queue.get()
            if alert is None:
                return
            self._deliver(alert)

    def _deliver(self, alert: StoredAlert) -> None:
        import httpx

        url = self.webhooks.get(alert.model)
        if url is None:  # no webhook: recorded, nothing to send
            self.store.mark_alert(alert.id, delivered=True, attempts=0)
            return
        firing = alert.status == "firing"
        starts = alert.at if firing else self._started.get((alert.model, alert.source), alert.at)
        body = alert_payload(
            alert.model,
            alert.source,
            alert.status,
            starts,
            None if firing else alert.at,
            alert.detail,
            self.external_url,
        )
        attempts = alert.attempts
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
            log.warning("alert %s to %s failed (%s), try %d", alert.id, url, problem, attempt + 1)
            if attempt < self.retries:
                time.sleep(self.backoff * 2**attempt)
        self.store.mark_alert(alert.id, delivered=False, attempts=attempts)
        self.metrics.alert_failures.labels(model=alert.model).inc()
