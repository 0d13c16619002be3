"""shiftwatch: data-shift monitoring for ML models, with a known false-alarm rate.

>>> import shiftwatch as sw
>>> report = sw.compare({"x": [1.0, 2.0, 3.0, 4.0]}, {"x": [1.5, 2.5, 3.5, 4.5]})
>>> report.drifted
False
"""

from shiftwatch.columns import ColumnKind
from shiftwatch.compare import compare
from shiftwatch.drift_report import Check, ColumnResult, DriftReport
from shiftwatch.errors import (
    EmptySketchError,
    FormatError,
    IncompatibleError,
    InvalidParameterError,
    NoDataError,
    SchemaError,
    ShiftwatchError,
    ShiftwatchWarning,
)
from shiftwatch.outputs.performance import MetricEstimate, PerformanceEstimate, PerformanceEstimator
from shiftwatch.profile import Profile
from shiftwatch.schema import Schema, Violation
from shiftwatch.stats import TestResult

__version__ = "0.1.0"

__all__ = [
    "Check",
    "ColumnKind",
    "ColumnResult",
    "DriftReport",
    "EmptySketchError",
    "FormatError",
    "IncompatibleError",
    "InvalidParameterError",
    "MetricEstimate",
    "NoDataError",
    "PerformanceEstimate",
    "PerformanceEstimator",
    "Profile",
    "Schema",
    "SchemaError",
    "ShiftwatchError",
    "ShiftwatchWarning",
    "TestResult",
    "Violation",
    "__version__",
    "compare",
]
