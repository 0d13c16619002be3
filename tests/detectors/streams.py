"""Feeding a detector a stream value by value, or in chunks: the alarms each way gives."""

import itertools

import numpy as np

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
