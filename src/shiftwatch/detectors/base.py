"""What every streaming detector shares: river's shape, plus a vectorised path.

A detector watches one stream of numbers. ``update(x)`` feeds one value and returns None;
``drift_detected`` then says whether that value raised an alarm. After an alarm the detector
starts afresh on the values that follow (as river's detectors do), so a sustained shift raises
alarms again only when the fresh statistic crosses its threshold again; a monitor's alert
state (not the detector) turns those into one alarm.

``update_many(values)`` feeds an array and returns the positions in it where an alarm was
raised: exactly what calling ``update`` on each value would have raised, in a fraction of the
time. Every detector states its false-alarm behaviour as an expected run length (ERT, the
mean number of in-control values between false alarms) and how its threshold sets it.
"""

from abc import ABC, abstractmethod

import numpy as np
import numpy.typing as npt

from shiftwatch.errors import InvalidParameterError
from shiftwatch.stats._checks import FloatArray, IntArray


def as_stream(owner: str, values: npt.ArrayLike) -> FloatArray:
    """A 1-D float64 array of finite values, or an error naming the first bad position."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidParameterError(f"{owner} takes numbers: {error}.") from None
    if array.ndim != 1:
        raise InvalidParameterError(
            f"{owner}.update_many takes a 1-D array of numbers. Got shape {array.shape}."
        )
    if not np.isfinite(array).all():
        bad = int(np.flatnonzero(~np.isfinite(array))[0])
        raise InvalidParameterError(
            f"{owner} takes finite numbers; position {bad} is {float(array[bad])!r}."
        )
    return array


class Detector(ABC):
    """Base class: ``update`` / ``update_many``, ``drift_detected``, ``n``, ``reset``."""

    def __init__(self) -> None:
        self.n = 0
        self.drift_detected = False

    def update(self, x: float) -> None:
        """Feed one value; ``drift_detected`` then says whether it raised an alarm."""
        self.update_many([x])

    def update_many(self, values: npt.ArrayLike) -> IntArray:
        """Feed an array; return the positions in it where an alarm was raised.

        ``drift_detected`` afterwards is what it would be after the last value.
        """
        stream = as_stream(type(self).__name__, values)
        alarms = self._run(stream)
        self.n += stream.size
        if stream.size:
            self.drift_detected = bool(alarms.size) and int(alarms[-1]) == stream.size - 1
        return alarms

    @abstractmethod
    def _run(self, stream: FloatArray) -> IntArray:
        """Process ``stream``, updating the state; return alarm positions (after each, reset)."""

    def reset(self) -> None:
        """Forget everything seen (``n`` included); the configuration stays."""
        self.n = 0
        self.drift_detected = False
        self._reset_state()

    @abstractmethod
    def _reset_state(self) -> None:
        """Forget everything learned (called by ``reset``).

        ``_run`` restarts the statistic after each alarm itself.
        """


class TwoSidedDetector(Detector):
    """A detector of a shift up or down: its test value and the side of its last alarm."""

    def _reset_state(self) -> None:
        self._statistic = 0.0
        self._direction: str | None = None

    @property
    def statistic(self) -> float:
        """The test value after the last value (at an alarm: before the restart)."""
        return self._statistic

    @property
    def direction(self) -> str | None:
        """``"up"`` or ``"down"``: which side raised the last alarm; None before any."""
        return self._direction
