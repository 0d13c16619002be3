"""Mergeable summaries that speak one vocabulary (Apache DataSketches' own).

Every sketch is fed by ``update`` (which mutates and returns None), read by its getters and
``n`` / ``is_empty()``, combined by ``merge`` (which returns a new sketch and never mutates),
and persisted by ``serialize()`` / ``deserialize(data)``, which round-trip exactly.

| sketch             | holds                                        | error                                  |
|--------------------|----------------------------------------------|----------------------------------------|
| ``Moments``        | count, missing, min, max, mean, variance     | exact (Chan et al.'s pairwise merge)   |
| ``QuantileSketch`` | KLL quantiles of finite floats               | exact up to ``k`` values, then ``rank_error`` |
| ``Frequencies``    | category counts                              | exact up to ``max_levels``, then hashed groups |
| ``Histogram``      | counts on fixed bin edges                    | exact                                  |
| ``DistinctCount``  | number of distinct values (HyperLogLog)      | 1.6% relative standard error           |
"""  # noqa: E501

from shiftwatch.sketch.distinct import DistinctCount
from shiftwatch.sketch.frequencies import Frequencies
from shiftwatch.sketch.histogram import Histogram
from shiftwatch.sketch.moments import Moments
from shiftwatch.sketch.quantiles import QuantileSketch

SKETCHES = (DistinctCount, Frequencies, Histogram, Moments, QuantileSketch)

__all__ = ["SKETCHES", "DistinctCount", "Frequencies", "Histogram", "Moments", "QuantileSketch"]
