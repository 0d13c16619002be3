"""shiftwatch: data-shift monitoring for ML models, with a known false-alarm rate.

>>> import shiftwatch as sw
>>> report = sw.compare({"x": [1.0, 2.0, 3.0, 4.0]}, {"x": [1.5, 2.5, 3.5, 4.5]})
>>> report.drifted
False

The names below load on first use (PEP 562): ``import shiftwatch`` itself loads nothing but
this file, so the model server's client and the command line start fast.
"""

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Check": "shiftwatch.drift_report",
    "ColumnKind": "shiftwatch.columns",
    "ColumnResult": "shiftwatch.drift_report",
    "DriftReport": "shiftwatch.drift_report",
    "EmptySketchError": "shiftwatch.errors",
    "FormatError": "shiftwatch.errors",
    "IncompatibleError": "shiftwatch.errors",
    "InvalidParameterError": "shiftwatch.errors",
    "MetricEstimate": "shiftwatch.outputs.performance",
    "Monitor": "shiftwatch.monitor",
    "NoDataError": "shiftwatch.errors",
    "PerformanceEstimate": "shiftwatch.outputs.performance",
    "PerformanceEstimator": "shiftwatch.outputs.performance",
    "Profile": "shiftwatch.profile",
    "Schema": "shiftwatch.schema",
    "SchemaError": "shiftwatch.errors",
    "ShiftwatchError": "shiftwatch.errors",
    "ShiftwatchWarning": "shiftwatch.errors",
    "TestResult": "shiftwatch.stats",
    "Violation": "shiftwatch.schema",
    "compare": "shiftwatch.compare",
}

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
    "Monitor",
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

if TYPE_CHECKING:
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
    from shiftwatch.monitor import Monitor
    from shiftwatch.outputs.performance import (
        MetricEstimate,
        PerformanceEstimate,
        PerformanceEstimator,
    )
    from shiftwatch.profile import Profile
    from shiftwatch.schema import Schema, Violation
    from shiftwatch.stats import TestResult


class _Package(types.ModuleType):
    """The package object: it keeps ``shiftwatch.compare`` the function.

    Importing the submodule of the same name would otherwise set the package's attribute to
    the module (the import system does that after loading any submodule).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    """Load an exported name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'shiftwatch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
