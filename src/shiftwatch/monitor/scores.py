"""Per-column drift scores between window checks: normal scores of each block, into CUSUMs.

A window check looks at the last ``window`` rows only; a small shift that lasts is seen
sooner by accumulating evidence, block after block. Each logged value ``x`` of a numeric
column becomes its normal score against the reference, ``u = Φ⁻¹(F(x))`` with ``F`` the
reference's mid-rank CDF (van der Waerden's scores): whatever the column's distribution,
``u`` is N(0, 1) while nothing shifts (ties, as in integer columns, only shrink its
variance). Each block of ``block_rows`` rows gives one score per column,
``z = sum(u) / sqrt(count)``, N(0, 1) in control, fed to a two-sided :class:`CUSUM`.

The reference is a sample, so ``F`` is off by a little, and that error is the same in every
block: the mean of ``z`` in control is not 0 but ``b ~ N(0, block_rows / n_reference)`` (the
variance of a mean of normal scores). A CUSUM would accumulate that bias, so each runs with
its reference value ``k`` raised by ``3 sqrt(block_rows / n_reference)`` above 0.5 while its
threshold is the one that gives the requested ERT at ``k = 0.5``: for a bias within three
of its standard deviations (99.7% of references) the chart is at least as slow to alarm as
the unbiased one, so its ERT is at least the requested one.

>>> import numpy as np
>>> import pyarrow as pa
>>> from shiftwatch.profile import Profile
>>> rng = np.random.default_rng(0)
>>> reference = Profile.from_data({"x": rng.lognormal(size=20_000)})
>>> streams = ScoreStreams(reference, ["x"], block_rows=100, ert_blocks=10_000)
>>> streams.add(pa.table({"x": rng.lognormal(size=5_000)}))
>>> streams.flush()
[]
>>> streams.add(pa.table({"x": rng.lognormal(0.3, size=2_000)}))  # 0.3 std on the log scale
>>> streams.flush()
[('x', 'up')]
"""

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy import special

from shiftwatch.detectors.cusum import CUSUM, cusum_threshold
from shiftwatch.errors import InvalidParameterError
from shiftwatch.profile import ColumnProfile, Profile
from shiftwatch.stats._checks import FloatArray

STAGE_ROWS = 1_000  # rows staged before their scores are computed together
BIAS_MARGIN = 3.0  # in standard deviations of the reference's bias, added to k
CUSUM_K = 0.5


def _has_numbers(column: ColumnProfile) -> bool:
    return column.quantiles is not None and column.quantiles.n > 0


class NormalScores:
    """Values to normal scores ``Φ⁻¹(F(x))`` against a column's reference (mid-ranks).

    Values outside the reference's range get the score of rank ``1 / (2 n)`` or
    ``1 - 1 / (2 n)``; NaN stays NaN.

    >>> from shiftwatch.profile import Profile
    >>> scores = NormalScores(Profile.from_data({"x": [1.0, 2.0, 3.0, 4.0]})["x"])
    >>> np.round(scores(np.array([0.0, 2.0, 2.5, 9.0, np.nan])), 3).tolist()
    [-1.15, -0.319, 0.0, 1.15, nan]
    """

    def __init__(self, column: ColumnProfile) -> None:
        if column.quantiles is None:
            raise InvalidParameterError(f"Column {column.name!r} has no numbers to score against.")
        values, weights = column.quantiles.weighted_values()
        cumulative = np.concatenate(([0.0], np.cumsum(weights, dtype=np.float64)))
        n = cumulative[-1]

        def score(rank: FloatArray) -> FloatArray:
            return np.asarray(special.ndtri(np.clip(rank / n, 0.5 / n, 1 - 0.5 / n)))

        self.n = int(n)
        self._values = values
        self._between = score(cumulative)  # above values[i - 1], below values[i]
        self._at = score((cumulative[:-1] + cumulative[1:]) / 2)  # equal to values[i]

    def __call__(self, x: FloatArray) -> FloatArray:
        """The normal score of each value of ``x``."""
        left = np.searchsorted(self._values, x, side="left")
        last = len(self._values) - 1
        nearest = np.minimum(left, last)
        equal = self._values[nearest] == x
        scores: FloatArray = np.where(equal, self._at[nearest], self._between[left])
        scores[np.isnan(x)] = np.nan
        return scores


class ScoreStreams:
    """One CUSUM per numeric column, fed one normal-score sum per block of ``block_rows`` rows.

    ``ert_blocks`` is each CUSUM's in-control expected run length, in blocks. ``add`` stages
    the columns' values (at most :data:`STAGE_ROWS` rows, then they are scored); ``flush``
    scores what is staged and returns, for each column that alarmed since the last flush,
    its ``(column, direction)`` (the direction of its last alarm); ``alarm_counts`` counts
    every alarm of each column. ``detectors`` maps each column to its CUSUM, whose
    ``statistic`` is the column's current drift score (0 in control, the threshold at an
    alarm).
    """

    def __init__(
        self, reference: Profile, names: Sequence[str], *, block_rows: int, ert_blocks: float
    ) -> None:
        self.block_rows = block_rows
        self.names = [name for name in names if _has_numbers(reference[name])]
        self._scores = {name: NormalScores(reference[name]) for name in self.names}
        threshold = cusum_threshold(ert_blocks, k=CUSUM_K)
        self.detectors = {
            name: CUSUM(
                mean=0.0,
                std=1.0,
                k=CUSUM_K + BIAS_MARGIN * math.sqrt(block_rows / scores.n),
                threshold=threshold,
            )
            for name, scores in self._scores.items()
        }
        self._staged: list[pa.Table] = []
        self._staged_rows = 0
        self._sums = np.zeros(len(self.names))  # of the block not yet complete
        self._counts = np.zeros(len(self.names))
        self._filled = 0  # rows in that block
        self._alarms: list[tuple[str, str]] = []
        self.alarm_counts = dict.fromkeys(self.names, 0)

    def add(self, batch: pa.Table) -> None:
        """Stage one batch of rows holding (at least) the watched columns."""
        self._staged.append(batch)
        self._staged_rows += batch.num_rows
        if self._staged_rows >= STAGE_ROWS:
            self._score_staged()

    def flush(self) -> list[tuple[str, str]]:
        """Score the staged rows; return the alarms raised since the last flush."""
        self._score_staged()
        alarms, self._alarms = self._alarms, []
        return alarms

    def _score_staged(self) -> None:
        if not self._staged or not self.names:
            self._staged, self._staged_rows = [], 0
            return
        rows = self._staged_rows
        staged = pa.concat_tables(self._staged)
        scores = np.empty((len(self.names), rows))
        for row, name in enumerate(self.names):
            scores[row] = self._scores[name](_floats(staged.column(name)))
        self._staged, self._staged_rows = [], 0
        present = ~np.isnan(scores)
        scores[~present] = 0.0
        # blocks end after the rows that complete the open one, then every block_rows rows
        ends = np.arange(self.block_rows - self._filled, rows + 1, self.block_rows)
        cuts = np.concatenate(([0], ends[ends < rows]))
        sums = np.add.reduceat(scores, cuts, axis=1)
        counts = np.add.reduceat(present.astype(np.float64), cuts, axis=1)
        sums[:, 0] += self._sums
        counts[:, 0] += self._counts
        complete = len(ends)
        if complete:
            z = sums[:, :complete] / np.sqrt(np.maximum(counts[:, :complete], 1.0))
            for row, name in enumerate(self.names):
                detector = self.detectors[name]
                raised = len(detector.update_many(z[row]))
                if raised:
                    self.alarm_counts[name] += raised
                    self._alarms.append((name, detector.direction or "up"))
        if sums.shape[1] > complete:  # the last block is still open
            self._sums, self._counts = sums[:, -1], counts[:, -1]
            self._filled = rows - int(ends[-1]) if complete else self._filled + rows
        else:
            self._sums, self._counts = np.zeros(len(self.names)), np.zeros(len(self.names))
            self._filled = 0


def _floats(column: pa.ChunkedArray) -> npt.NDArray[np.float64]:
    """A numeric column's values as floats, NaN where missing."""
    values: npt.NDArray[np.float64] = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return values
