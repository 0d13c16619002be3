"""Range bounds with a stated false-violation rate on clean data.

The observed ``[min, max]`` of ``n`` reference values is broken by a clean value with
probability about ``2 / (n + 1)`` (4e-4 at n = 5,000): on clean traffic such a range raises
violations every few thousand rows. A bound ``b`` such that a clean value falls outside with
probability at most ``rate`` (default 1e-4, ``rate / 2`` on each side) needs the tail beyond
the data, so each tail is extrapolated from three upper (lower) order statistics, read from
the column's quantile sketch at tail probabilities ``p``, ``p/2`` and ``p/4``:

- ``p = min(0.1, max(40 / n, 0.01, 8 * rank_error))``: at least 10 values beyond the third
  quantile, and quantiles far enough from the extreme that the sketch's rank error matters
  little;
- the generalised Pareto shape from Pickands' estimator,
  ``xi = log2((x[p/4] - x[p/2]) / (x[p/2] - x[p]))``, clipped to ``[0, 1]`` and raised by a
  margin of ``SHAPE_MARGIN`` (0.1) for its sampling error;
- the bound ``x[p] + sigma * ((p / t)^xi - 1) / xi`` at ``t = rate / 2``, with
  ``sigma = xi (x[p/2] - x[p]) / (2^xi - 1)`` (the exponential tail, ``xi -> 0``, gives
  ``x[p] + sigma log(p / t)``), and never inside the observed extreme.

Measured by simulation through ``Schema.infer`` (60 reference samples each, seed 7; the
rate is the mean probability of a clean value outside either bound;
``tests/schema/test_ranges.py`` pins the light-tailed columns):

| n     | normal | exponential | uniform | lognormal | Student t3 | Pareto (index 2) |
|-------|--------|-------------|---------|-----------|------------|------------------|
| 100   | 1e-6   | 1.4e-5      | 0       | 4.2e-4    | 5.9e-4     | 7.1e-4           |
| 1,000 | 1e-7   | 3e-6        | 0       | 9.9e-5    | 2.1e-4     | 1.7e-4           |
| 5,000 | 8e-7   | 4e-6        | 0       | 3.5e-5    | 8.3e-5     | 5.8e-5           |

So the stated rate holds for tails no heavier than exponential, and for the lognormal and
power-law tails from a few thousand values; below, heavy tails break it up to about 7x.
Below ``MIN_TAIL_N`` (100) values no tail can be fitted: the range is the observed one widened
by the tolerance, and the rule says so.
"""

import math
from dataclasses import dataclass

from shiftwatch.sketch import QuantileSketch

DEFAULT_RATE = 1e-4
MIN_TAIL_N = 100
SHAPE_MARGIN = 0.1
_MAX_SHAPE = 1.0


@dataclass(frozen=True)
class TailBound:
    """One side's bound, and the fitted shape and tail probability it came from."""

    bound: float
    shape: float
    tail: float


def _extrapolate(
    x0: float, x1: float, x2: float, tail: float, target: float
) -> tuple[float, float]:
    """Bound and shape past ``x0`` (tail ``tail``) given the quantiles at tail/2 and tail/4."""
    first, second = x1 - x0, x2 - x1
    if first <= 0:
        return x0, 0.0
    raw = math.log2(second / first) if second > 0 else 0.0
    shape = min(max(raw, 0.0) + SHAPE_MARGIN, _MAX_SHAPE)
    scale = shape * first / (2**shape - 1)
    return x0 + scale * ((tail / target) ** shape - 1) / shape, shape


def tail_bound(sketch: QuantileSketch, rate: float, *, upper: bool) -> TailBound:
    """The bound a clean value passes with probability at most ``rate / 2`` (see above).

    >>> import numpy as np
    >>> sketch = QuantileSketch()
    >>> sketch.update(np.random.default_rng(0).normal(size=2000))
    >>> high = tail_bound(sketch, 1e-4, upper=True)
    >>> round(high.bound, 2), round(high.shape, 2), round(high.tail, 3)
    (5.18, 0.1, 0.02)
    """
    n = sketch.n
    tail = min(0.1, max(40 / n, 0.01, 8 * sketch.rank_error))
    ranks = (1 - tail, 1 - tail / 2, 1 - tail / 4) if upper else (tail, tail / 2, tail / 4)
    sign = 1.0 if upper else -1.0
    x0, x1, x2 = (sign * sketch.get_quantile(rank) for rank in ranks)
    bound, shape = _extrapolate(x0, x1, x2, tail, rate / 2)
    extreme = sign * (sketch.max if upper else sketch.min)
    return TailBound(sign * max(bound, extreme), shape, tail)


def range_rule(sketch: QuantileSketch, rate: float) -> tuple[float, float, str] | None:
    """Both bounds and the sentence a rule shows, or None below ``MIN_TAIL_N`` values.

    >>> import numpy as np
    >>> sketch = QuantileSketch()
    >>> sketch.update(np.random.default_rng(0).normal(size=2000))
    >>> print(range_rule(sketch, 1e-4)[2])
    P(clean value outside) <= 0.0001: tails fitted beyond the 2% and 98% quantiles of 2,000 values (shape 0.27 and 0.1)
    """  # noqa: E501
    if sketch.n < MIN_TAIL_N:
        return None
    low, high = tail_bound(sketch, rate, upper=False), tail_bound(sketch, rate, upper=True)
    text = (
        f"P(clean value outside) <= {rate:g}: tails fitted beyond the {100 * low.tail:.2g}% "
        f"and {100 - 100 * high.tail:.3g}% quantiles of {sketch.n:,} values "
        f"(shape {low.shape:.2g} and {high.shape:.2g})"
    )
    return low.bound, high.bound, text
