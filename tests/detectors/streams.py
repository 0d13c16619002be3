"""Feeding a detector a stream value by value, or in chunks: the alarms each way gives."""

import itertools

import numpy as np
from hypothesis import strategies as st

from shiftwatch.detectors import Detector


def alarms_one_by_one(detector: Detector, stream: np.ndarray) -> list[int]:
    alarms = []
    for i, x in enumerate(stream):
        detector.update(float(x))
        if detector.drift_detected:
            alarms.append(i)
    return alarms


def alarms_in_chunks(detector: Detector, stream: np.ndarray, cuts: list[int]) -> list[int]:
    edges = sorted({0, *(c % (stream.size + 1) for c in cuts), stream.size})
    alarms = []
    for start, stop in itertools.pairwise(edges):
        alarms += [start + int(i) for i in detector.update_many(stream[start:stop])]
    return alarms


@st.composite
def shifted_streams(draw: st.DrawFn) -> np.ndarray:
    """Up to 600 values: segments at random levels and scales, sometimes rounded to halves."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    segments = draw(st.lists(st.tuples(st.integers(1, 200), st.floats(-3, 3)), max_size=5))
    values = [rng.normal(loc=level, size=size) for size, level in segments]
    stream = np.concatenate([np.zeros(0), *values]) * draw(st.sampled_from([1.0, 0.01, 100.0]))
    return np.round(stream * 2) / 2 if draw(st.booleans()) else stream
