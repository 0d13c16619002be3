"""Label-free accuracy: what share of the current predictions is right, before labels arrive.

:class:`AccuracyEstimator` is :class:`~shiftwatch.outputs.PerformanceEstimator` asked for
accuracy of argmax decisions only, with the small result the service, the monitor's error
test and the reports read (:class:`AccuracyEstimate`: ``value``, ``low``, ``high``, ``n``,
plus ``reliable`` and ``reason``). The calibration, the interval and the reliability checks
are :class:`~shiftwatch.outputs.PerformanceEstimator`'s; read its docstring for them.

It used to scale the temperature of the logits. That failed silently on ordinary outputs:
with probabilities rounded to two decimals and an exact 0.00 on the true class of a few
rows, ``log(0)`` dominated the fit (a temperature of 148) and a 91%-accurate model was
estimated at 72% with a tight interval; even with clipped inputs one temperature left the
estimate 1-2 points low (see ``benchmarks/performance_estimation.py``). Now the calibration
is per-class isotonic or temperature scaling on floored logits, whichever predicts held-out
reference folds better (``calibration="auto"``), and a self-check flags one that fails.

Digits (logistic regression trained on 600 images, calibrated on 450 held-out ones, windows of
100 others, ``tests/outputs/test_accuracy.py``): mean absolute error about 1.5 points where the
raw confidence is 8 points off.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> def model(n):  # 3 classes; its probabilities are overconfident (temperature 2), rounded
...     logits = rng.normal(size=(n, 3)) * 1.5
...     truth = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
...     labels = (rng.random((n, 1)) > truth.cumsum(axis=1)).sum(axis=1)
...     sharp = np.exp(logits * 2)
...     return np.round(sharp / sharp.sum(axis=1, keepdims=True), 2), labels
>>> probabilities, labels = model(2_000)
>>> estimator = AccuracyEstimator().fit(probabilities, labels)
>>> current, truth = model(1_000)
>>> estimate = estimator.estimate(current)
>>> round(estimate.value, 3), round(estimate.low, 3), round(estimate.high, 3), estimate.n
(0.671, 0.638, 0.705, 1000)
>>> float(np.mean(current.argmax(axis=1) == truth)), round(float(current.max(axis=1).mean()), 3)
(0.694, 0.817)

The raw confidence (0.817) would have promised 12 points more than the 0.694 delivered.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import check_alpha
from shiftwatch.errors import NoDataError
from shiftwatch.outputs.performance import PerformanceEstimator

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AccuracyEstimate:
    """A label-free accuracy estimate over ``n`` rows, with its interval ``[low, high]``.

    ``method`` says how it was computed and the interval's level; ``reliable`` is False when
    the estimate's assumptions broke, and ``reason`` says which.
    """

    value: float
    low: float
    high: float
    n: int
    method: str = ""
    reliable: bool = True
    reason: str = ""


class AccuracyEstimator:
    """Estimate a classifier's accuracy (argmax decisions) from calibrated probabilities.

    ``alpha`` sets the interval's level, ``1 - alpha``; ``calibration`` is ``"auto"``
    (default), ``"isotonic"`` or ``"temperature"``. After :meth:`fit`: ``n_reference_``,
    ``reference_accuracy_`` (the share of right predictions on the reference) and
    ``performance_`` (the fitted :class:`~shiftwatch.outputs.PerformanceEstimator`).

    >>> estimator = AccuracyEstimator(calibration="isotonic")
    >>> estimator.fit([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]] * 5, [0, 0, 1, 1] * 5)
    AccuracyEstimator(alpha=0.05, calibration='isotonic')
    >>> round(estimator.estimate([[0.7, 0.3], [0.3, 0.7]]).value, 3)
    0.75
    """

    def __init__(self, *, alpha: float = 0.05, calibration: str = "auto") -> None:
        check_alpha("AccuracyEstimator", alpha)
        self.performance_ = PerformanceEstimator(["accuracy"], alpha=alpha, calibration=calibration)
        self.alpha = self.performance_.alpha
        self.calibration = calibration
        self.n_reference_ = 0
        self.reference_accuracy_ = float("nan")

    def __repr__(self) -> str:
        extra = "" if self.calibration == "auto" else f", calibration={self.calibration!r}"
        return f"AccuracyEstimator(alpha={self.alpha!r}{extra})"

    def fit(
        self, reference_probabilities: npt.ArrayLike, reference_labels: npt.ArrayLike
    ) -> "AccuracyEstimator":
        """Calibrate on labelled reference rows (labels are column indices); returns self.

        Warns (:class:`~shiftwatch.errors.ShiftwatchWarning`) when the calibration misses
        the reference's own accuracy on held-out folds.
        """
        self.performance_.fit(reference_probabilities, reference_labels)
        self.n_reference_ = self.performance_.n_reference_
        self.reference_accuracy_ = self.performance_.reference_values_["accuracy"]
        return self

    def calibrate(self, probabilities: npt.ArrayLike) -> FloatArray:
        """The calibrated class probabilities (rows sum to 1).

        >>> AccuracyEstimator(calibration="isotonic").fit(
        ...     [[0.9, 0.1], [0.4, 0.6], [0.7, 0.3]] * 4, [0, 1, 1] * 4
        ... ).calibrate([[0.9, 0.1]]).round(3).tolist()
        [[1.0, 0.0]]
        """
        self._check_fitted()
        return self.performance_.calibrate(probabilities)

    def _check_fitted(self) -> None:
        if self.n_reference_ == 0:
            raise NoDataError(
                "This AccuracyEstimator has no calibration yet: call "
                "fit(reference_probabilities, reference_labels) first."
            )

    def estimate(self, current_probabilities: npt.ArrayLike) -> AccuracyEstimate:
        """The expected share of right predictions, with a ``1 - alpha`` interval.

        Warns when the estimate is unreliable (``reliable`` False, ``reason`` set).
        """
        self._check_fitted()
        result = self.performance_.estimate(current_probabilities)
        accuracy = result["accuracy"]
        return AccuracyEstimate(
            value=accuracy.value,
            low=accuracy.low,
            high=accuracy.high,
            n=result.n,
            method=result.method,
            reliable=accuracy.reliable,
            reason=accuracy.reason,
        )
