"""Page-Hinkley: cumulative deviations from the running mean, with river's semantics.

Since the last restart, with ``t`` values seen and ``mean_t`` their mean::

    up_t   = alpha * up_{t-1}   + (x_t - mean_t) - delta     rise_t = up_t - min(up_1..up_t)
    down_t = alpha * down_{t-1} + (x_t - mean_t) + delta     fall_t = max(down_1..down_t) - down_t

An alarm is raised when ``rise_t`` (``mode="up"``), ``fall_t`` (``"down"``) or either
(``"both"``) exceeds ``threshold``, once ``t >= min_n``; everything, the mean included, then
restarts. ``delta`` is the size of change tolerated, ``alpha`` forgets old deviations. This is
river's ``drift.PageHinkley`` (``min_n`` is its ``min_instances``), to floating-point rounding.

False alarms. Page-Hinkley has no closed form for its ERT (the mean run length between false
alarms), so here it is measured by simulation on N(0, 1) values, the other parameters at their
defaults (seed 1; each ERT over 8,000 or more alarms, within about 1%; delay: mean values
from a 1-std shift to the alarm, over 2,000 detectors that saw 200 in-control values since
their last restart, within 1%)::

    threshold      20      30      50     100     200
    ERT           248     554   1,593   7,335  35,583
    delay        14.1    23.1    46.0   118.3   335.0

Delays grow faster than ``threshold`` because the running mean absorbs the shift.
The values enter only through ``x - mean``, so for values of std ``s`` multiply
``threshold`` and ``delta`` by ``s`` to keep the same ERT. ``statistic`` is the test value
(``rise``, ``fall`` or the larger) after the last value; ``direction`` says which side raised
the last alarm.

``update_many`` works window by window: the running mean from ``np.cumsum``, the forgetting
recursions from ``scipy.signal.lfilter`` (the same sequential arithmetic, state carried in
``zi``), the extremes from ``np.minimum.accumulate``; it restarts at the first crossing. Any
split of a stream gives the same alarms, bit for bit.

>>> import random
>>> rng = random.Random(12345)
>>> stream = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
>>> detector = PageHinkley()
>>> detector
PageHinkley(delta=0.005, threshold=50.0, alpha=0.9999, min_n=30, mode='both', n=0)
>>> for i, x in enumerate(stream):
...     detector.update(x)
...     if detector.drift_detected:
...         print(f"Change detected at index {i}, input value: {x}")
Change detected at index 1006, input value: 5
>>> PageHinkley().update_many(stream)
array([1006])
"""

import math

import numpy as np
from scipy import signal

from shiftwatch._validation import check_parameter, is_count, is_real
from shiftwatch.detectors.base import TwoSidedDetector
from shiftwatch.stats._checks import FloatArray, IntArray

MODES = ("up", "down", "both")
_SIDES = {"up": ("up",), "down": ("down",), "both": ("up", "down")}
_SMALLEST_WINDOW, _LARGEST_WINDOW = 64, 1 << 16


def _window(run: int) -> int:
    """Values to scan after a restart: the last run's length, up to a power of 2.

    Windows then double while no alarm is raised. The split changes the speed, never the alarms.
    """
    return min(max(1 << (run - 1).bit_length(), _SMALLEST_WINDOW), _LARGEST_WINDOW)


class PageHinkley(TwoSidedDetector):
    """Page-Hinkley test for a change in the mean, up, down or both; river's semantics.

    Parameters: ``delta`` (change tolerated), ``threshold`` (alarm level of the test value),
    ``alpha`` (forgetting factor in (0, 1]), ``min_n`` (values after a restart before an
    alarm can be raised), ``mode`` (``"up"``, ``"down"`` or ``"both"``).
    """

    def __init__(
        self,
        *,
        delta: float = 0.005,
        threshold: float = 50.0,
        alpha: float = 1 - 0.0001,
        min_n: int = 30,
        mode: str = "both",
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        check_parameter(
            owner,
            "delta",
            delta,
            lambda d: is_real(d) and math.isfinite(d) and d >= 0,
            "a finite float >= 0",
        )
        check_parameter(
            owner,
            "threshold",
            threshold,
            lambda t: is_real(t) and math.isfinite(t) and t > 0,
            "a finite float > 0",
        )
        check_parameter(
            owner, "alpha", alpha, lambda a: is_real(a) and 0 < a <= 1, "a float in (0, 1]"
        )
        check_parameter(
            owner,
            "min_n",
            min_n,
            lambda m: is_count(m) and m >= 1,
            "an int >= 1",
        )
        check_parameter(owner, "mode", mode, lambda m: m in MODES, f"one of {MODES}")
        self.delta, self.threshold, self.alpha = float(delta), float(threshold), float(alpha)
        self.min_n, self.mode = int(min_n), mode
        self._sides = _SIDES[mode]
        # One row per side watched: the up sum, and the down sum negated (so that both rise).
        self._signs = np.array([[1.0] if side == "up" else [-1.0] for side in self._sides])
        self._filter = (np.array([1.0]), np.array([1.0, -self.alpha]))  # y = x + alpha y'
        self._reset_state()

    def __repr__(self) -> str:
        return (
            f"PageHinkley(delta={self.delta!r}, threshold={self.threshold!r}, "
            f"alpha={self.alpha!r}, min_n={self.min_n}, mode={self.mode!r}, n={self.n})"
        )

    def _reset_state(self) -> None:
        super()._reset_state()
        self._restart()

    def _restart(self) -> None:
        """Forget the mean and the sums, after an alarm."""
        self._t = 0
        self._total = 0.0
        self._sums = np.zeros(len(self._sides))
        self._lows = np.full(len(self._sides), math.inf)

    def _run(self, stream: FloatArray) -> IntArray:
        start, width = 0, _SMALLEST_WINDOW
        alarms: list[int] = []
        while start < stream.size:
            stop = min(stream.size, start + width)
            run = self._t
            hit = self._scan(stream[start:stop])
            if hit < 0:
                start, width = stop, min(2 * width, _LARGEST_WINDOW)
            else:
                alarms.append(start + hit)
                start, width = start + hit + 1, _window(run + hit + 1)
        return np.array(alarms, dtype=np.int64)

    def _scan(self, values: FloatArray) -> int:
        """Run the test over ``values``; return the first alarm's offset.

        Returns -1 if there is none, with the state at the end; else the state is restarted.
        """
        t = np.arange(self._t + 1, self._t + values.size + 1, dtype=np.float64)
        totals = values.copy()
        totals[0] += self._total
        np.cumsum(totals, out=totals)
        deviation = values - totals / t
        steps = self._signs * deviation - self.delta  # rows: x - mean - delta, -(x - mean + delta)
        sums, _ = signal.lfilter(*self._filter, steps, axis=1, zi=self.alpha * self._sums[:, None])
        lows = np.minimum.accumulate(sums, axis=1)
        np.minimum(lows, self._lows[:, None], out=lows)
        tests = sums - lows  # rows: rise, fall
        test = tests.max(axis=0) if len(self._sides) == 2 else tests[0]
        first = max(0, self.min_n - self._t - 1)  # no alarm before t reaches min_n
        if test[first:].size == 0 or test[first:].max() <= self.threshold:
            self._t += values.size
            self._total = float(totals[-1])
            self._sums, self._lows = sums[:, -1].copy(), lows[:, -1].copy()
            self._statistic = float(test[-1])
            return -1
        hit = first + int(np.argmax(test[first:] > self.threshold))
        self._statistic = float(test[hit])
        self._direction = self._sides[int(np.argmax(tests[:, hit] > self.threshold))]
        self._restart()
        return hit
