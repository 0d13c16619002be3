"""A real Alertmanager (Debian's ``prometheus-alertmanager``, which ``.ci/run`` installs) on
loopback: the service posts its alerts to the API v2; a shift is exactly one active alert with
the webhook's labels, posted again while it fires, and resolved after recovery.

Without the binary these tests skip, except under CI, where they fail.
"""

import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from fastapi.testclient import TestClient

from shiftwatch.service.alerts import alert_identity
from shiftwatch.service.app import create_app
from tests.service.test_app import events, post, settings_for


def active_alerts(url: str) -> list[dict[str, Any]]:
    """The alerts an Alertmanager holds active now (it lists resolved ones for a while)."""
    alerts = httpx.get(f"{url}/api/v2/alerts", params={"active": "true"}, timeout=5).json()
    now = time.time()
    return [
        alert
        for alert in alerts
        if alert["status"]["state"] == "active"
        and _seconds(alert["endsAt"]) > now  # Alertmanager lists resolved alerts a while
    ]


def _seconds(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _wait(condition: Any, seconds: float = 15.0) -> None:
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.1)


def test_a_shift_is_one_alert_in_alertmanager_resolved_after_recovery(
    alertmanager: str, tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    settings = settings_for(
        f"sqlite:///{tmp_path / 'sw.db'}", reference_files[0], check_every=500, ert=1e6
    )
    settings.server.alertmanager_url = alertmanager
    settings.server.alertmanager_resend_seconds = 1.0
    rng = np.random.default_rng(4)
    with TestClient(create_app(settings)) as client:
        start = 0
        for shift, batches in ((0.0, 10), (1.0, 40)):
            for _ in range(batches):
                body = {"events": events(rng, 100, start, shift)}
                assert post(client, "/v1/models/churn/events", body).status_code == 200
                start += 100
        _wait(lambda: len(active_alerts(alertmanager)) == 1)
        (alert,) = active_alerts(alertmanager)
        labels, annotations = alert_identity("churn", "window", "")
        assert alert["labels"] == labels  # the webhook's and the rules' identity
        assert alert["annotations"]["summary"] == annotations["summary"]
        first_end = _seconds(alert["endsAt"])
        time.sleep(2.5)  # posted again while it fires: its end moves on
        (again,) = active_alerts(alertmanager)
        assert _seconds(again["endsAt"]) > first_end
        assert again["startsAt"] == alert["startsAt"]
        for _ in range(20):  # recovery
            body = {"events": events(rng, 100, start, 0.0)}
            assert post(client, "/v1/models/churn/events", body).status_code == 200
            start += 100
        _wait(lambda: not active_alerts(alertmanager))
        assert active_alerts(alertmanager) == []
