"""Bernoulli CUSUM: an alarm when a model makes more errors than it is expected to make.

The stream is one 0/1 value per labelled prediction (1 = the prediction was wrong). Under
control the error rate is the known ``expected_rate`` p0 (the validation error rate, or the
label-free estimate); the detector looks for a rise to p1 = ``rate_ratio`` * p0. Each value adds
its log-likelihood ratio of p1 against p0 to a statistic that never goes below zero
(Reynolds & Stoumbos, 1999, "A CUSUM chart for monitoring a proportion when inspecting
continuously", Journal of Quality Technology 31(1)):

    S_t = max(0, S_{t-1} + x_t * log(p1 / p0) + (1 - x_t) * log((1 - p1) / (1 - p0)))

and an alarm is raised when S_t >= ``threshold``; the statistic then restarts at zero.

The two increments are (a + b)(1 - g) and -(a + b) g with a = log(p1 / p0),
b = log((1 - p0) / (1 - p1)) and g = b / (a + b). The detector rounds g to a fraction r / m
(the smallest m within 0.2 % of g; the rise it is tuned to moves by less than 0.5 %) and keeps
S as a whole number of units (a + b) / m: an error adds m - r units, a correct prediction
removes r. Integer arithmetic makes ``update`` and ``update_many`` agree exactly (the array
path uses Lindley's form S_t = C_t - min(-S_0, C_1, ..., C_t) on cumulative sums C), and makes
the statistic a Markov chain on the states 0 .. H - 1 (H = threshold in units). Its average
run length from zero solves (I - Q) L = 1 over those states (a sparse LU solve); ``ert`` picks
the smallest H whose in-control average run length is at least ``ert``. Since the statistic
restarts at zero after every alarm, that is exactly the mean number of values between false
alarms. The chain has about threshold / (a + b) * m states, m being near 1 / p0 for small
p0: well under a second to solve for expected_rate >= 0.001, growing like 1 / expected_rate.
"""

import math

import numpy as np
import scipy.sparse as sparse
import scipy.sparse.linalg as sparse_linalg

from shiftwatch._validation import check_parameter
from shiftwatch.detectors.base import Detector
from shiftwatch.errors import InvalidParameterError
from shiftwatch.stats._checks import FloatArray, IntArray

ROUNDING = 0.002  # largest relative error of r / m against the reference value g
MAX_STATES = 2_000_000  # a larger chain takes seconds per solve; ask for a threshold instead
SCALAR_PATH = 16  # streams this short run through a Python loop: same integers, less overhead


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _lattice(gamma: float) -> tuple[int, int]:
    """The fraction r / m (0 < r < m) with the smallest m within ROUNDING of ``gamma``."""
    r = 1
    while True:  # for numerator r, m lies in [r / (gamma (1 + e)), r / (gamma (1 - e))]
        low, high = r / (gamma * (1 + ROUNDING)), r / (gamma * (1 - ROUNDING))
        for m in range(max(r + 1, math.floor(low)), math.floor(high) + 2):
            if abs(r / m - gamma) <= ROUNDING * gamma:
                return r, m
        r += 1


def average_run_length(rate: float, up: int, down: int, states: int) -> float:
    """Mean number of values until an alarm, from zero, if the true error rate is ``rate``.

    The statistic moves from state i to i + ``up`` with probability ``rate`` (an alarm at
    ``states`` or beyond) and to max(i - ``down``, 0) otherwise; the run lengths L solve
    (I - Q) L = 1 over the transient states 0 .. ``states`` - 1.

    >>> round(average_run_length(0.1, up=3, down=1, states=3), 9)  # each error alarms: 1 / rate
    10.0
    """
    if rate == 0.0:
        return math.inf
    state = np.arange(states)
    rises = state + up < states
    rows = np.concatenate([state, state[rises], state])
    columns = np.concatenate([state, state[rises] + up, np.maximum(state - down, 0)])
    values = np.concatenate(
        [np.ones(states), np.full(int(rises.sum()), -rate), np.full(states, rate - 1.0)]
    )
    chain = sparse.csc_matrix((values, (rows, columns)), shape=(states, states))
    # for down == 1 the natural order keeps the factors sparsest; otherwise COLAMD does
    order = "NATURAL" if down == 1 else "COLAMD"
    lengths = sparse_linalg.splu(chain, permc_spec=order).solve(np.ones(states))
    return float(lengths[0])


class BernoulliCUSUM(Detector):
    """One-sided Bernoulli CUSUM on a stream of prediction errors (1 = wrong, 0 = right).

    ``expected_rate`` is the in-control error rate p0, in (0, 1). ``rate_ratio`` is the rise the
    detector is tuned to: p1 = ``rate_ratio`` * p0 (> 1, with p1 < 1); the default 1.5 is best
    at a 50 % rise in errors, and any rise is detected, a larger one sooner (``arl(rate)``).

    False alarms: ``ert`` is the expected run length under control, the mean number of values
    between false alarms while the error rate is p0; the threshold is the smallest whose
    Markov-chain average run length ``arl0`` is at least ``ert`` (exact up to rounding to one
    unit of the statistic, so ``arl0`` is a little above ``ert``). Set it from the traffic:
    10,000 labelled predictions a day and one false alarm a month on average is
    ``ert=300_000``; an ``ert`` at or below 1 / p0 makes every error an alarm. Alternatively
    give ``threshold`` (on the log-likelihood-ratio statistic) and read ``arl0``; exactly one
    of the two.

    >>> import numpy as np
    >>> detector = BernoulliCUSUM(expected_rate=0.05, ert=10_000)
    >>> round(detector.threshold, 3), round(detector.arl0)
    (3.868, 10014)
    >>> round(detector.arl(0.075)), round(detector.arl(0.10))  # mean delays, fresh start
    (530, 221)
    >>> rng = np.random.default_rng(7)
    >>> errors = np.concatenate([rng.random(3000) < 0.05, rng.random(2000) < 0.10])  # doubled
    >>> for i, x in enumerate(errors):
    ...     detector.update(x)
    ...     if detector.drift_detected:
    ...         print(f"Change detected at index {i}")
    ...         break
    Change detected at index 3140
    >>> detector.reset()
    >>> detector.update_many(errors)  # the same alarms, and those after it
    array([3140, 3419, 3737, 3911, 4153, 4249, 4424, 4515, 4729])
    """

    def __init__(
        self,
        expected_rate: float,
        *,
        rate_ratio: float = 1.5,
        ert: float | None = None,
        threshold: float | None = None,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.expected_rate = float(
            check_parameter(
                owner,
                "expected_rate",
                expected_rate,
                lambda p: _is_number(p) and 0 < p < 1,
                "a float in (0, 1)",
            )
        )
        self.rate_ratio = float(
            check_parameter(
                owner,
                "rate_ratio",
                rate_ratio,
                lambda k: _is_number(k) and k > 1 and k * self.expected_rate < 1,
                f"a float > 1 with rate_ratio * expected_rate < 1 (expected_rate={expected_rate})",
            )
        )
        p0, p1 = self.expected_rate, self.rate_ratio * self.expected_rate
        a, b = math.log(p1 / p0), math.log((1 - p0) / (1 - p1))
        down, m = _lattice(b / (a + b))
        self._up, self._down = m - down, down
        self._unit = (a + b) / m  # one unit of the integer statistic, in log-likelihood ratio
        self.ert = ert
        if ert is not None and threshold is None:
            check_parameter(
                owner, "ert", ert, lambda e: _is_number(e) and 1 < e < math.inf, "a float > 1"
            )
            self._states = self._states_for(float(ert))
            self.threshold = self._states * self._unit
        elif threshold is not None and ert is None:
            check_parameter(
                owner,
                "threshold",
                threshold,
                lambda t: _is_number(t) and 0 < t < math.inf,
                "a finite float > 0",
            )
            self.threshold = float(threshold)
            self._states = max(1, math.ceil(self.threshold / self._unit - 1e-9))
        else:
            raise InvalidParameterError(
                f"{owner} takes exactly one of 'ert' and 'threshold'. "
                f"Got ert={ert!r} and threshold={threshold!r} instead."
            )
        self._arl0: float | None = None
        self._state = 0

    def _states_for(self, ert: float) -> int:
        """The smallest H whose in-control average run length is at least ``ert``."""
        target = ert * (1 - 1e-9)  # the solve is accurate to far better than this
        if 1 / self.expected_rate >= target:
            return 1  # below one error's worth, every error is an alarm: ARL = 1 / p0
        lo, hi = self._up, 2 * self._up  # ARL(up) = 1 / p0 < ert
        while hi > MAX_STATES or self._arl_at(hi) < target:
            if hi > MAX_STATES:
                raise InvalidParameterError(
                    f"BernoulliCUSUM cannot compute a threshold for expected_rate="
                    f"{self.expected_rate} and ert={ert}: the Markov chain needs more than "
                    f"{MAX_STATES:,} states. Give 'threshold' instead."
                )
            lo, hi = hi, 2 * hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if self._arl_at(mid) >= target else (mid, hi)
        return hi

    def _arl_at(self, states: int, rate: float | None = None) -> float:
        rate = self.expected_rate if rate is None else rate
        return average_run_length(rate, self._up, self._down, states)

    @property
    def arl0(self) -> float:
        """The in-control average run length the threshold gives (Markov chain, exact)."""
        if self._arl0 is None:
            self._arl0 = self._arl_at(self._states)
        return self._arl0

    def arl(self, rate: float) -> float:
        """Mean number of values from a fresh start to an alarm if the error rate is ``rate``."""
        check_parameter(
            "BernoulliCUSUM.arl",
            "rate",
            rate,
            lambda p: _is_number(p) and 0 <= p <= 1,
            "a float in [0, 1]",
        )
        return self._arl_at(self._states, float(rate))

    @property
    def statistic(self) -> float:
        """The CUSUM statistic now, in log-likelihood-ratio units (0 after an alarm)."""
        return self._state * self._unit

    def _run(self, stream: FloatArray) -> IntArray:
        errors = stream == 1.0
        valid = errors | (stream == 0.0)
        if not valid.all():
            bad = int(np.argmin(valid))
            raise InvalidParameterError(
                f"BernoulliCUSUM takes 0 (right) or 1 (wrong) for each prediction; "
                f"position {bad} is {float(stream[bad])!r}."
            )
        if stream.size <= SCALAR_PATH:
            return self._run_scalar(errors.tolist())
        steps = errors.astype(np.int64) * (self._up + self._down) - self._down
        alarms: list[int] = []
        start, block, state = 0, 4096, self._state
        while start < steps.size:
            # Lindley: S_t = C_t - min(-S_0, C_1, ..., C_t), with C the cumulative steps
            cumulative = np.cumsum(steps[start : start + block])
            floor = np.minimum(np.minimum.accumulate(cumulative), -state)
            crossed = cumulative - floor >= self._states
            if crossed.any():
                offset = int(np.argmax(crossed))
                alarms.append(start + offset)
                start, state, block = start + offset + 1, 0, max(256, 4 * offset)
            else:
                start, state, block = (
                    start + cumulative.size,
                    int(cumulative[-1] - floor[-1]),
                    4 * block,
                )
        self._state = state
        return np.array(alarms, dtype=np.int64)

    def _run_scalar(self, errors: list[bool]) -> IntArray:
        alarms, state = [], self._state
        for position, error in enumerate(errors):
            state = state + self._up if error else max(0, state - self._down)
            if state >= self._states:
                alarms.append(position)
                state = 0
        self._state = state
        return np.array(alarms, dtype=np.int64)

    def _reset_state(self) -> None:
        self._state = 0

    def __repr__(self) -> str:
        setting = f"ert={self.ert!r}" if self.ert is not None else f"threshold={self.threshold!r}"
        return (
            f"BernoulliCUSUM(expected_rate={self.expected_rate!r}, "
            f"rate_ratio={self.rate_ratio!r}, {setting}, n={self.n})"
        )
