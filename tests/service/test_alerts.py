"""The alert sender: each alert in isolation, a supervised thread, a resolution that knows when
its firing began (across restarts)."""

import time
from pathlib import Path

import pytest

from shiftwatch.service.alerts import AlertSender, UnsendableAlert, _rfc3339
from shiftwatch.service.metrics import ServiceMetrics
from shiftwatch.service.storage import Store
from tests.service.receivers import webhook_receiver


def _sender(store: Store, url: str | None, metrics: ServiceMetrics | None = None) -> AlertSender:
    return AlertSender(
        store, metrics or ServiceMetrics(), {"churn": url}, external_url="http://sw", backoff=0.01
    )


def _wait(condition: object, seconds: float = 10.0) -> None:
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:  # type: ignore[operator]
        time.sleep(0.02)


@pytest.mark.parametrize("moment", [1e20, float("nan"), float("inf"), -1e20])
def test_a_time_no_date_can_show_makes_the_alert_unsendable(moment: float) -> None:
    with pytest.raises(UnsendableAlert, match="is not a date"):
        _rfc3339(moment)


def test_a_poisoned_alert_is_recorded_as_failed_and_the_others_are_still_sent(
    tmp_path: Path,
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'sw.db'}")
    metrics = ServiceMetrics()
    poisoned = store.record_alert("churn", "window", "firing", 1e20, "x drifted")  # old database
    with webhook_receiver() as receiver:
        sender = _sender(store, receiver.url, metrics)
        sender.start()  # the undelivered poisoned alert is queued first
        sender.notify("churn", "errors", "alarm", 1_700_000_000.0, "errors up")
        _wait(lambda: len(receiver.bodies) == 1)
        sender.stop()
    assert [body["alerts"][0]["labels"]["source"] for body in receiver.bodies] == ["errors"]
    (bad,) = [alert for alert in store.alerts("churn") if alert.id == poisoned]
    assert not bad.delivered and bad.final
    assert bad.error is not None and "is not a date" in bad.error
    assert store.undelivered_alerts() == []  # never queued again at the next start
    exposition = metrics.exposition()
    assert b'shiftwatch_alert_delivery_failures_total{model="churn"} 1.0' in exposition
    assert sender.last_failure is not None and "1e+20" in sender.last_failure
    store.close()


def test_failure_metrics_move_from_the_first_failed_attempt(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'sw.db'}")
    metrics = ServiceMetrics()
    with webhook_receiver([503, 503, 200]) as receiver:
        sender = _sender(store, receiver.url, metrics)
        sender.start()
        sender.notify("churn", "window", "alarm", 1_700_000_000.0, "x drifted")
        _wait(lambda: len(receiver.bodies) == 1)
        sender.stop()
    exposition = metrics.exposition()
    assert b'shiftwatch_alert_delivery_errors_total{model="churn"} 2.0' in exposition
    assert b"shiftwatch_alert_delivery_failures_total{" not in exposition  # delivered at last
    (alert,) = store.alerts("churn")
    assert alert.delivered and alert.attempts == 3
    store.close()


def test_a_resolution_after_a_restart_carries_the_firings_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sw.db'}"
    store = Store(url)
    store.record_alert("churn", "window", "firing", 1_700_000_000.0, "x drifted")
    store.mark_alert(1, delivered=True, attempts=1)
    store.close()
    store = Store(url)  # a new process: nothing of the firing is in memory
    with webhook_receiver() as receiver:
        sender = _sender(store, receiver.url)
        sender.start()
        sender.notify("churn", "window", "resolved", 1_700_003_600.0, "back to normal")
        _wait(lambda: len(receiver.bodies) == 1)
        sender.stop()
    (alert,) = receiver.bodies[0]["alerts"]
    assert alert["status"] == "resolved"
    assert alert["startsAt"] == "2023-11-14T22:13:20Z"
    assert alert["endsAt"] == "2023-11-14T23:13:20Z"
    store.close()


def test_a_stopped_sender_is_started_again_by_the_next_state_change(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'sw.db'}")
    with webhook_receiver() as receiver:
        sender = _sender(store, receiver.url)
        sender.start()
        sender._queue.put(None)  # the thread ends as if it had died
        _wait(lambda: not sender.running)
        assert not sender.running
        sender.notify("churn", "window", "alarm", 1_700_000_000.0, "x drifted")
        _wait(lambda: len(receiver.bodies) == 1)
        assert sender.running and sender.restarts == 1
        sender.stop()
    assert len(receiver.bodies) == 1
    store.close()
