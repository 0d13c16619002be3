"""Tests of shiftwatch.monitor.alerts: the ok / drifting state with hysteresis."""

import dataclasses

import pytest

from shiftwatch.monitor.alerts import AlertEvent, AlertState, Hysteresis


def changes(state: Hysteresis, verdicts: str) -> list[str | None]:
    """Feed verdicts written as a string ("D" drifted, "." clean); the changes returned."""
    return [state.observe(verdict == "D") for verdict in verdicts]


def test_starts_ok_and_stays_ok_on_clean_checks() -> None:
    state = Hysteresis(clear_after=3)
    assert state.state == AlertState.OK
    assert changes(state, "......") == [None] * 6
    assert state.state == AlertState.OK


def test_first_drifted_check_alarms_once_however_long_the_drift() -> None:
    state = Hysteresis(clear_after=3)
    assert changes(state, "." + "D" * 500).count("alarm") == 1
    assert state.state == AlertState.DRIFTING


@pytest.mark.parametrize("clear_after", [1, 2, 5])
def test_resolves_after_exactly_clear_after_clean_checks(clear_after: int) -> None:
    state = Hysteresis(clear_after=clear_after)
    seen = changes(state, "DD" + "." * clear_after + "...")
    assert seen[0] == "alarm"
    assert seen.index("resolved") == 1 + clear_after
    assert seen.count("resolved") == 1
    assert state.state == AlertState.OK


def test_a_drifted_check_in_the_clean_run_restarts_the_count() -> None:
    state = Hysteresis(clear_after=3)
    assert changes(state, "D..D..D...") == [
        "alarm",
        None,
        None,
        None,  # still drifting: the clean run restarts here
        None,
        None,
        None,
        None,
        None,
        "resolved",
    ]


def test_alarm_after_resolution_is_a_new_alarm() -> None:
    state = Hysteresis(clear_after=1)
    assert changes(state, "D.D.") == ["alarm", "resolved", "alarm", "resolved"]


def test_alert_state_values_and_event_is_frozen() -> None:
    assert [s.value for s in AlertState] == ["ok", "drifting"]
    event = AlertEvent("alarm", "window", 1200, 0.0, "drifted columns: x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.kind = "resolved"  # type: ignore[misc]
