"""Streaming detectors over one stream of numbers, in river's shape (see ``base``).

| detector           | watches                              | false alarms set by            |
|--------------------|--------------------------------------|--------------------------------|
| ``BernoulliCUSUM`` | 0/1 errors against an expected rate  | ``ert``, exact (Markov chain)  |
"""

from shiftwatch.detectors.base import Detector
from shiftwatch.detectors.error_rate import BernoulliCUSUM

__all__ = ["BernoulliCUSUM", "Detector"]
