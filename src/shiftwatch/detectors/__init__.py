"""Streaming detectors over one stream of numbers, in river's shape (see ``base``).

| detector           | watches                             | false alarms set by                  |
|--------------------|-------------------------------------|--------------------------------------|
| ``CUSUM``          | the mean, both ways, in std units   | ``ert``, by Page's integral equation |
| ``PageHinkley``    | the mean against its running mean   | ``threshold`` (a measured ERT table) |
| ``ADWIN``          | the mean, with an adaptive window   | ``delta`` per check, or an ``ert``   |
| ``BernoulliCUSUM`` | 0/1 errors against an expected rate | ``ert``, exact by its Markov chain   |

``DETECTORS`` lists them, for the shared contract tests.
"""

from shiftwatch.detectors.adwin import ADWIN
from shiftwatch.detectors.base import Detector
from shiftwatch.detectors.cusum import CUSUM
from shiftwatch.detectors.error_rate import BernoulliCUSUM
from shiftwatch.detectors.page_hinkley import PageHinkley

DETECTORS = (ADWIN, BernoulliCUSUM, CUSUM, PageHinkley)

__all__ = ["ADWIN", "CUSUM", "DETECTORS", "BernoulliCUSUM", "Detector", "PageHinkley"]
