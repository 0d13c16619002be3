"""Monitoring over time: sliding windows of summaries, detectors, and alert state.

>>> from shiftwatch.monitor import Monitor
>>> Monitor({"x": [0.0, 1.0, 2.0]}, window=100).check_every
10
"""

from shiftwatch.monitor.alerts import AlertEvent, AlertState
from shiftwatch.monitor.monitor import Monitor

__all__ = ["AlertEvent", "AlertState", "Monitor"]
