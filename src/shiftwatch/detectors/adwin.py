"""ADWIN: an adaptive window that drops its older part when the mean changes.

ADWIN2 (Bifet & Gavaldà, 2007, "Learning from time-changing data with adaptive windowing",
SIAM SDM) keeps the window as an exponential histogram: at most ``max_buckets`` buckets of each
size 1, 2, 4, ... (the two oldest of a size merge into one of the next when there are more),
each holding the sum and the squared deviations of its values. Every ``clock`` values, once
the window holds more than ``grace_period``, it cuts the window after each bucket into an
older part W0 and a newer part W1 (each of at least ``min_window_length`` values) and raises
an alarm if, for some cut,

    |mean(W0) - mean(W1)| > sqrt(2 m var(W) d) + 2/3 m d,
    m = 1 / (n0 - min_window_length + 1) + 1 / (n1 - min_window_length + 1),
    d = log(2 log(width) / delta).

On an alarm it drops the oldest bucket and tests again, until no cut is significant;
``width``, ``estimation`` and ``variance`` then describe the newest values it kept. The next
value starts a new, empty window: this is river's ``ADWIN`` (0.26.1), whose arithmetic this
module follows to the bit (river's ``update`` resets its helper after a drift; older river
versions kept the shortened window and could raise an alarm at every check of a shift).

``update_many`` builds the buckets of a whole batch at once (a bucket's sums are a fixed
binary tree over its values, whenever it is built) and runs all the checks of the batch as
array operations; ``update`` runs river's loop one value at a time. Both raise the same alarms
and keep the same window, bit for bit.
"""

import math

import numpy as np

from shiftwatch._validation import check_parameter, is_count
from shiftwatch.detectors.base import Detector
from shiftwatch.errors import InvalidParameterError
from shiftwatch.stats._checks import FloatArray, IntArray

DEFAULT_DELTA = 0.002  # river's default
SCALAR_PATH = 384  # streams this short run through a Python loop: same arithmetic
FIRST_BATCH, LAST_BATCH = 4096, 65_536  # values per vectorised batch: grows while no alarm
CHECK_BLOCK = 256  # checks tested together (arrays that stay in cache)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _pair_totals(totals: FloatArray) -> FloatArray:
    pairs = totals.size // 2
    return totals[0 : 2 * pairs : 2] + totals[1 : 2 * pairs : 2]


def _pair_variances(totals: FloatArray, variances: FloatArray, size: float) -> FloatArray:
    """Squared deviations of two merged buckets of ``size`` values each (river's formula)."""
    pairs = totals.size // 2
    means = totals[: 2 * pairs] / size
    gap = means[0::2] - means[1::2]
    between = size * size * gap * gap / (size + size)
    return variances[0 : 2 * pairs : 2] + variances[1 : 2 * pairs : 2] + between


class ADWIN(Detector):
    """Adaptive windowing: an alarm when the older part of the window has another mean.

    Parameters
    ----------
    delta
        Confidence of each check (river's ``delta``; 0.002 when neither ``delta`` nor
        ``ert`` is given): smaller is stricter. The attribute holds the value in use.
    ert
        Expected run length under control (instead of ``delta``): sets
        ``delta = clock / ert``. Read ``delta`` as a bound on the false-alarm probability of
        one check; there is one check every ``clock`` values, so the mean run length between
        false alarms is at least ``clock / delta = ert``. Measured, it is 37 to 340 times
        ``ert`` on normal, exponential and Bernoulli(0.1) values (ert 100 to 2,000).
    clock
        Check every ``clock`` values (default 32); alarms fall on multiples of ``clock``
        counted from the start of the window.
    max_buckets
        Buckets of each size kept before the two oldest merge (>= 2, default 5).
    min_window_length
        Fewest values on each side of a cut (>= 1, default 5).
    grace_period
        No check until the window holds more than this many values (default 10).

    False alarms. Mean run length between false alarms, measured on one long stream per
    row (the detector starts afresh after each alarm, so the runs are independent): 40 runs
    (35 for the last Bernoulli row), seeds 100 i + j, ± one standard error; default
    parameters otherwise.

    =======  ======================  ========================  =============
    delta    N(0, 1)                 Bernoulli(0.1)            clock / delta
    =======  ======================  ========================  =============
    0.3      5,300 ± 1,100           16,500 ± 2,600            107
    0.1      20,000 ± 3,500          75,000 ± 14,000           320
    0.05     57,000 ± 11,000         235,000 ± 33,000          640
    0.01     414,000 ± 63,000        1,840,000 ± 290,000       3,200
    0.002    1,810,000 ± 270,000     11,300,000 ± 2,200,000    16,000
    =======  ======================  ========================  =============

    To aim at a run length on such data, pick ``delta`` from this table: ``ert`` is far
    stricter than it needs to be there. The bound behind the test assumes bounded values:
    heavy tails shorten the runs and no ``delta`` fixes that (at ``ert=2000``, measured: t
    with 3 degrees of freedom 13,000, lognormal 6,400, Cauchy 1,400, below ``ert``). Clip
    or rank such values first.

    Detection. After 10,000 N(0, 1) values, a mean shift of 2, 1, 0.5 and 0.25 standard
    deviations is found after 20, 50, 122 and 375 values on average (200 runs, seed 11,
    default ``delta``; counted from the first shifted value, the alarm's included).

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> stream = np.concatenate([rng.normal(0.0, 1.0, 2000), rng.normal(1.0, 1.0, 1000)])
    >>> detector = ADWIN()
    >>> for i, x in enumerate(stream):
    ...     detector.update(x)
    ...     if detector.drift_detected:
    ...         print(f"Change detected at index {i}")
    Change detected at index 2047
    >>> detector.width, round(detector.estimation, 2)  # the values since the alarm
    (952, 0.99)
    >>> ADWIN(ert=10_000).update_many(stream)
    array([2047])

    """

    def __init__(
        self,
        *,
        delta: float | None = None,
        ert: float | None = None,
        clock: int = 32,
        max_buckets: int = 5,
        min_window_length: int = 5,
        grace_period: int = 10,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.clock = int(
            check_parameter(owner, "clock", clock, lambda c: is_count(c) and c >= 1, "an int >= 1")
        )
        self.max_buckets = int(
            check_parameter(
                owner, "max_buckets", max_buckets, lambda b: is_count(b) and b >= 2, "an int >= 2"
            )
        )
        self.min_window_length = int(
            check_parameter(
                owner,
                "min_window_length",
                min_window_length,
                lambda w: is_count(w) and w >= 1,
                "an int >= 1",
            )
        )
        self.grace_period = int(
            check_parameter(
                owner,
                "grace_period",
                grace_period,
                lambda g: is_count(g) and g >= 0,
                "an int >= 0",
            )
        )
        if delta is not None and ert is not None:
            raise InvalidParameterError(
                f"{owner} takes at most one of 'delta' and 'ert'. "
                f"Got delta={delta!r} and ert={ert!r} instead."
            )
        self.ert = ert
        if ert is not None:
            check_parameter(
                owner,
                "ert",
                ert,
                lambda e: _is_number(e) and self.clock < e < math.inf,
                f"a float > clock (= {self.clock})",
            )
            self.delta = self.clock / float(ert)
        else:
            check_parameter(
                owner,
                "delta",
                delta,
                lambda d: d is None or (_is_number(d) and 0 < d < 1),
                "a float in (0, 1)",
            )
            self.delta = DEFAULT_DELTA if delta is None else float(delta)
        self._reset_state()

    # -- state -------------------------------------------------------------------------------

    def _reset_state(self) -> None:
        self._totals: list[list[float]] = [[]]  # level i: sums of buckets of 2**i values,
        self._variances: list[list[float]] = [[]]  # oldest first; their squared deviations
        self._count = 0  # values since the window started (river's clock tick)
        self._width = 0  # values in the window (fewer than _count only after an alarm)
        self._total = 0.0
        self._m2 = 0.0  # sum of squared deviations from the window's mean
        self._restart = False  # an alarm was raised: the next value starts a new window

    @property
    def width(self) -> int:
        """Number of values in the window (after an alarm: those kept, until the next value)."""
        return self._width

    @property
    def estimation(self) -> float:
        """Mean of the window (0.0 when empty)."""
        return self._total / self._width if self._width else 0.0

    @property
    def variance(self) -> float:
        """Variance of the window (population, divided by ``width``; 0.0 when empty).

        river's ``ADWIN.variance`` is the sum of squared deviations: ``width`` times this.
        """
        return self._m2 / self._width if self._width else 0.0

    def __repr__(self) -> str:
        setting = f"ert={self.ert!r}" if self.ert is not None else f"delta={self.delta!r}"
        return (
            f"ADWIN({setting}, clock={self.clock}, max_buckets={self.max_buckets}, "
            f"min_window_length={self.min_window_length}, grace_period={self.grace_period}, "
            f"n={self.n}, width={self.width})"
        )

    # -- the cut test, shared by both paths ---------------------------------------------------

    def _significant_cut(self, sizes: list[int], totals: list[float]) -> bool:
        """Whether some cut between the buckets (oldest first) splits two different means."""
        width, shift = self._width, self.min_window_length - 1
        if width <= 2 * shift + 1:  # no cut leaves min_window_length values on both sides
            return False
        log_term = math.log(2 * math.log(width) / self.delta)
        variance, third, sqrt = self._m2 / width, 2 / 3 * log_term, math.sqrt
        n0, u0, u1 = 0, 0.0, self._total
        for i in range(len(sizes) - 1):  # the newest bucket ends the window: no cut after it
            n0, u0, u1 = n0 + sizes[i], u0 + totals[i], u1 - totals[i]
            n1 = width - n0
            if n0 > shift and n1 > shift:
                m = 1.0 / (n0 - shift) + 1.0 / (n1 - shift)
                squared = 2 * m * variance * log_term  # below 0 only by rounding, after an alarm
                if squared >= 0 and abs(u0 / n0 - u1 / n1) > sqrt(squared) + third * m:
                    return True
        return False

    def _shrink(self, sizes: list[int], totals: list[float], variances: list[float]) -> bool:
        """Drop the oldest bucket while a cut is significant; return whether one was dropped."""
        dropped = 0
        while self._significant_cut(sizes[dropped:], totals[dropped:]):
            n, u = sizes[dropped], totals[dropped]
            mean = u / n
            self._width -= n
            self._total -= u
            rest = self._total / self._width
            self._m2 -= variances[dropped] + n * self._width * (mean - rest) * (mean - rest) / (
                n + self._width
            )
            dropped += 1
        return dropped > 0

    def _buckets(self) -> tuple[list[int], list[float], list[float]]:
        """Sizes, sums and squared deviations of the window's buckets, oldest first."""
        levels = range(len(self._totals) - 1, -1, -1)
        sizes = [2**level for level in levels for _ in self._totals[level]]
        totals = [t for level in levels for t in self._totals[level]]
        variances = [v for level in levels for v in self._variances[level]]
        return sizes, totals, variances

    # -- one value at a time ------------------------------------------------------------------

    def update(self, x: float) -> None:
        """Feed one value; ``drift_detected`` then says whether it raised an alarm."""
        if (
            type(x) is not float and not isinstance(x, int | np.floating | np.integer)
        ) or not math.isfinite(x):
            super().update(x)  # the base class's checks and messages
            return
        self.drift_detected = self._step(float(x))
        self.n += 1

    def _step(self, x: float) -> bool:
        """Add one value (river's insertion, then its check every ``clock`` values)."""
        if self._restart:
            self._reset_state()
        newest = self._totals[0]
        newest.append(x)
        self._variances[0].append(0.0)
        width = self._width = self._width + 1
        if width > 1:
            gap = x - self._total / (width - 1)
            self._m2 += (width - 1) * gap * gap / width
        self._total += x
        if len(newest) > self.max_buckets:
            self._merge()
        self._count += 1
        if self._count % self.clock or width <= self.grace_period:
            return False
        self._restart = self._shrink(*self._buckets())
        return self._restart

    def _merge(self) -> None:
        """Merge the two oldest buckets of each level that holds too many, from the newest."""
        totals, variances = self._totals, self._variances
        level = 0
        while len(totals[level]) > self.max_buckets:
            if level + 1 == len(totals):
                totals.append([])
                variances.append([])
            size = float(2**level)
            (t0, t1), (v0, v1) = totals[level][:2], variances[level][:2]
            gap = t0 / size - t1 / size
            totals[level + 1].append(t0 + t1)
            variances[level + 1].append(v0 + v1 + size * size * gap * gap / (size + size))
            del totals[level][:2], variances[level][:2]
            level += 1

    def _run(self, stream: FloatArray) -> IntArray:
        if stream.size < SCALAR_PATH:
            return np.array(
                [i for i, x in enumerate(stream.tolist()) if self._step(x)], dtype=np.int64
            )
        alarms: list[int] = []
        start, batch = 0, FIRST_BATCH
        while start < stream.size:
            if self._restart:
                self._reset_state()
            values = stream[start : start + batch]
            alarm = self._run_batch(values)
            if alarm is None:
                start, batch = start + values.size, min(2 * batch, LAST_BATCH)
            else:
                alarms.append(start + alarm)
                start, batch = start + alarm + 1, min(max(FIRST_BATCH, 4 * alarm), LAST_BATCH)
        return np.array(alarms, dtype=np.int64)

    # -- a batch at once ----------------------------------------------------------------------

    def _partition(self, widths: IntArray) -> tuple[IntArray, IntArray]:
        """The buckets of windows of these widths (no alarm since they started).

        Returns ``firsts`` and ``ends``, one row per level: level i holds the blocks
        ``first <= j < end`` of 2**i values (block j covers values j 2**i .. (j + 1) 2**i - 1
        of the window). A level keeps its newest blocks: of n that entered it, all but
        max_buckets - 1 or max_buckets (same parity as n) merged in pairs into the next level.
        """
        firsts, ends = [], []
        entered = widths
        while entered.any():
            merged = np.maximum(entered - (self.max_buckets - 1), 0) >> 1
            firsts.append(2 * merged)
            ends.append(entered)
            entered = merged
        return np.array(firsts), np.array(ends)

    def _pyramid(self, values: FloatArray) -> list[tuple[int, FloatArray, FloatArray]]:
        """Per level: first block index, and the sums and squared deviations of every block.

        The blocks are the window's buckets from the oldest one still at that level to the
        newest that ``values`` complete: a bucket's sums are a fixed binary tree over its
        values, so the buckets of any later moment are among these, bit for bit.
        """
        levels = []
        rows = len(self._totals)
        totals = np.concatenate([self._totals[0], values])
        variances = np.concatenate([self._variances[0], np.zeros(values.size)])
        first = self._count - len(self._totals[0])
        level = 0
        while totals.size:
            levels.append((first, totals, variances))
            above = self._totals[level + 1] if level + 1 < rows else []
            above_variances = self._variances[level + 1] if level + 1 < rows else []
            size = float(2**level)
            totals, variances = (
                np.concatenate([above, _pair_totals(totals)]),
                np.concatenate([above_variances, _pair_variances(totals, variances, size)]),
            )
            first = first // 2 - len(above)
            level += 1
        return levels

    def _check_many(
        self,
        pyramid: list[tuple[int, FloatArray, FloatArray]],
        widths: IntArray,
        totals: FloatArray,
        m2s: FloatArray,
    ) -> int | None:
        """The first of these checks (window widths, sums, squared deviations) that fires."""
        firsts, ends = self._partition(widths)
        depth = firsts.shape[0]
        stored = [level_totals for _, level_totals, _ in pyramid[:depth]]
        flat = np.concatenate([*stored, [0.0]])  # the last entry is an empty slot's sum
        shift = np.cumsum([0] + [t.size for t in stored[:-1]]) - [b for b, _, _ in pyramid[:depth]]
        for start in range(0, widths.size, CHECK_BLOCK):
            columns = slice(start, start + CHECK_BLOCK)
            fired = self._check_block(
                flat, shift, firsts[:, columns], ends[:, columns], widths[columns],
                totals[columns], m2s[columns],
            )  # fmt: skip
            if fired is not None:
                return start + fired
        return None

    def _check_block(
        self,
        flat: FloatArray,
        shift: IntArray,
        firsts: IntArray,
        ends: IntArray,
        widths: IntArray,
        totals: FloatArray,
        m2s: FloatArray,
    ) -> int | None:
        """River's test at each check (a column) and cut (a row: the end of a bucket slot).

        Rows run over ``max_buckets`` slots per level, the oldest (largest) level first; an
        empty slot adds nothing to the running sums and is no cut.
        """
        depth, mwl = firsts.shape[0], self.min_window_length
        levels = np.arange(depth - 1, -1, -1)
        blocks = firsts[levels, None, :] + np.arange(self.max_buckets)[None, :, None]
        valid = blocks < ends[levels, None, :]
        index = np.where(valid, shift[levels, None, None] + blocks, flat.size - 1)
        sums = flat[index].reshape(-1, widths.size)
        sizes = np.ldexp(1.0, levels)[:, None, None]
        n0 = np.where(valid, (blocks + 1) * sizes, 0.0).reshape(sums.shape)
        width = widths.astype(np.float64)
        log_term = np.array([math.log(2 * math.log(w) / self.delta) for w in widths.tolist()])
        # running sums, one row after the other (numpy's cumsum along axis 0 is slow)
        u0, u1 = np.empty_like(sums), np.empty_like(sums)
        u0[0] = sums[0]
        np.subtract(totals, sums[0], out=u1[0])
        for row in range(1, sums.shape[0]):
            np.add(u0[row - 1], sums[row], out=u0[row])
            np.subtract(u1[row - 1], sums[row], out=u1[row])
        # river's test, operation for operation, in place (the integers here are exact)
        a = n0 - (mwl - 1)  # n0 - mwl + 1
        b = (width - (mwl - 1)) - n0  # n1 - mwl + 1
        candidate = (a >= 1) & (b >= 1)  # min_window_length values on both sides
        with np.errstate(divide="ignore", invalid="ignore"):  # only outside the candidates
            m = np.divide(1.0, a, out=a)
            m += np.divide(1.0, b, out=sums)
            bound = np.multiply(m, 2.0, out=b)
            bound *= m2s / width
            bound *= log_term
            np.sqrt(bound, out=bound)  # real: m2s never shrinks inside a batch
            bound += np.multiply(2 / 3 * log_term, m, out=m)
            gap = np.divide(u0, n0, out=u0)
            gap -= np.divide(u1, np.subtract(width, n0, out=n0), out=u1)
            np.abs(gap, out=gap)
        candidate &= gap > bound
        fired = candidate.any(axis=0)
        return int(np.argmax(fired)) if fired.any() else None

    def _run_batch(self, values: FloatArray) -> int | None:
        """Add ``values`` to the window; stop at the first alarm and return its position."""
        count, size = self._count, values.size
        totals = np.cumsum(np.concatenate([[self._total], values]))
        widths = np.arange(count + 1, count + size + 1)
        before = np.maximum(widths - 1, 1).astype(np.float64)
        gaps = values - totals[:-1] / before
        increments = (widths - 1).astype(np.float64) * gaps * gaps / widths
        increments[widths == 1] = 0.0
        m2s = np.cumsum(np.concatenate([[self._m2], increments]))[1:]
        totals = totals[1:]
        pyramid = self._pyramid(values)
        # a check needs room for a cut: min_window_length values on both sides
        first = max(self.grace_period + 1, 2 * self.min_window_length)
        checks = np.flatnonzero((widths % self.clock == 0) & (widths >= first))
        fired = None
        if checks.size:
            fired = self._check_many(pyramid, widths[checks], totals[checks], m2s[checks])
        stop = size - 1 if fired is None else int(checks[fired])
        self._count = self._width = int(widths[stop])
        self._total, self._m2 = float(totals[stop]), float(m2s[stop])
        self._totals, self._variances = [], []
        firsts, ends = self._partition(widths[stop : stop + 1])
        for first, end, (base, level_totals, level_variances) in zip(
            firsts[:, 0].tolist(), ends[:, 0].tolist(), pyramid, strict=False
        ):
            lo, hi = first - base, end - base
            self._totals.append(level_totals[lo:hi].tolist())
            self._variances.append(level_variances[lo:hi].tolist())
        if fired is None:
            return None
        self._shrink(*self._buckets())
        self._restart = True
        return stop
