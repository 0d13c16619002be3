"""Model outputs: as columns, their drift, label-free accuracy, and errors versus expected.

- :mod:`~shiftwatch.outputs.columns`: the predicted class and the confidence as the columns
  ``prediction`` and ``confidence``, so they are profiled, compared and monitored like inputs.
- :mod:`~shiftwatch.outputs.drift`: :func:`output_drift`, drift of the class mix, the
  confidence and the whole probability vector (or of a regressor's predictions), with one
  family-wise false-alarm rate.
- :mod:`~shiftwatch.outputs.performance`: :class:`PerformanceEstimator`, accuracy,
  precision, recall, F1 and ROC AUC of current predictions before labels arrive, from
  probabilities calibrated on labelled reference rows
  (:mod:`~shiftwatch.outputs.calibration`; metrics in :mod:`~shiftwatch.outputs.metrics`),
  with intervals, reliability checks and a ``degraded`` flag; realized values beside them
  once labels come. :class:`AccuracyEstimator` is its accuracy-only form.
- :mod:`~shiftwatch.outputs.errors`: :func:`errors_vs_expected`, an exact test of observed
  errors against the expected error rate once they do.

Nothing here imports scikit-learn: models are seen only through their outputs.

>>> import numpy as np
>>> probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
>>> {name: values.tolist() for name, values in output_columns(probabilities).items()}
{'prediction': [0, 2], 'confidence': [0.7, 0.6]}
"""

from shiftwatch.outputs.accuracy import AccuracyEstimate, AccuracyEstimator
from shiftwatch.outputs.columns import (
    CONFIDENCE,
    OUTPUT_COLUMNS,
    PREDICTION,
    output_columns,
    predicted_labels,
    with_outputs,
)
from shiftwatch.outputs.drift import OutputDriftReport, black_box_shift, output_drift
from shiftwatch.outputs.errors import errors_vs_expected
from shiftwatch.outputs.metrics import METRICS
from shiftwatch.outputs.performance import MetricEstimate, PerformanceEstimate, PerformanceEstimator

__all__ = [
    "CONFIDENCE",
    "METRICS",
    "OUTPUT_COLUMNS",
    "PREDICTION",
    "AccuracyEstimate",
    "AccuracyEstimator",
    "MetricEstimate",
    "OutputDriftReport",
    "PerformanceEstimate",
    "PerformanceEstimator",
    "black_box_shift",
    "errors_vs_expected",
    "output_columns",
    "output_drift",
    "predicted_labels",
    "with_outputs",
]
