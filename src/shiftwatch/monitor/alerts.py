"""Alert state with hysteresis: a sustained shift gives one alarm, and one resolution after."""

from dataclasses import dataclass
from enum import StrEnum


class AlertState(StrEnum):
    """Whether the monitored stream is drifting now."""

    OK = "ok"
    DRIFTING = "drifting"


@dataclass(frozen=True)
class AlertEvent:
    """A change of state: ``kind`` is "alarm" (ok -> drifting) or "resolved" (-> ok)."""

    kind: str
    source: str
    at_row: int
    at_time: float
    detail: str


class Hysteresis:
    """ok -> drifting on the first drifted check; drifting -> ok after ``clear_after`` clean ones.

    >>> state = Hysteresis(clear_after=2)
    >>> [state.observe(d) for d in (False, True, True, False, True, False, False, False)]
    [None, 'alarm', None, None, None, None, 'resolved', None]
    """

    def __init__(self, clear_after: int) -> None:
        self.clear_after = clear_after
        self.state = AlertState.OK
        self._clean = 0

    def observe(self, drifted: bool) -> str | None:
        """Record one check's verdict; return "alarm" or "resolved" when the state changes."""
        if drifted:
            self._clean = 0
            if self.state == AlertState.OK:
                self.state = AlertState.DRIFTING
                return "alarm"
            return None
        if self.state == AlertState.DRIFTING:
            self._clean += 1
            if self._clean >= self.clear_after:
                self.state, self._clean = AlertState.OK, 0
                return "resolved"
        return None
