"""Calibration: each row's probability of each class, learned from labelled reference rows.

Two calibrations share one small interface, ``fit(probabilities, labels, weights=None)``
then ``calibrate(probabilities)`` -> the calibrated class probabilities (rows sum to 1):

- :class:`IsotonicCalibration` (the default, as NannyML's CBPE does): per class ``k``, the
  share of reference rows of class ``k`` among rows with probability ``p_k`` is fitted as a
  non-decreasing function of ``p_k`` (isotonic regression, ``scipy.optimize.isotonic_regression``),
  read at new values by linear interpolation (clipped at the ends), then rows are
  renormalised. It corrects a miscalibration that differs from one level to another, and it
  never takes a logarithm: exact 0 and 1 are ordinary levels, and rounded probabilities are
  ties that are pooled into one level with their count as weight. A binary model has one
  calibration, of the positive class (``q_0 = 1 - q_1``).
- :class:`TemperatureCalibration` (an option): one temperature for every logit (Guo et al.,
  ICML 2017), fitted by likelihood on probabilities floored at ``floor``, so an exact 0 on the
  true class costs ``log(floor)`` rather than ``log(1e-308)``. It keeps the predicted class but
  cannot fix a miscalibration that varies across levels.

``weights`` (a count per row) is how the bootstrap refits a calibration on a resample.

>>> import numpy as np
>>> probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.3, 0.7], [0.0, 1.0]])
>>> labels = np.array([0, 0, 1, 1, 1])
>>> calibration = IsotonicCalibration().fit(probabilities, labels)
>>> calibration.calibrate([[0.7, 0.3], [0.2, 0.8], [0.05, 0.95]]).round(3).tolist()
[[0.5, 0.5], [0.0, 1.0], [0.0, 1.0]]

Class 1's share is 0 up to ``p_1 = 0.2`` and 1 from 0.4, so 0.3 lies halfway.
"""

import math
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from shiftwatch._validation import check_parameter, is_real
from shiftwatch.errors import InvalidParameterError, NoDataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

TOP_ROWS = 30  # rows a class needs as the argmax to get its own top-label curve
LOG_BOUND = math.log(1_000.0)  # the inverse temperature is searched in [1/1000, 1000]


class Calibration(Protocol):
    """What :class:`~shiftwatch.outputs.PerformanceEstimator` needs of a calibration."""

    def fit(
        self,
        probabilities: FloatArray,
        labels: IntArray,
        weights: FloatArray | None = None,
    ) -> "Calibration":
        """Learn the calibration from labelled rows (weights: a count per row)."""
        ...

    def calibrate(self, probabilities: npt.ArrayLike) -> FloatArray:
        """The calibrated class probabilities, rows summing to 1."""
        ...


def _isotonic_knots(
    scores: FloatArray, hits: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The fitted non-decreasing share of hits as knots ``(x, y)`` for ``np.interp``.

    Ties (rounded scores) are pooled first, weighted by their count; only each constant
    block's first and last level are kept, which draws the same interpolated function.
    """
    levels, inverse = np.unique(scores, return_inverse=True)
    total = np.bincount(inverse, weights=weights, minlength=levels.size)
    kept = total > 0
    levels = levels[kept]
    share = np.bincount(inverse, weights=weights * hits, minlength=kept.size)[kept] / total[kept]
    fitted = optimize.isotonic_regression(share, weights=total[kept], increasing=True).x
    if fitted.size <= 2:
        return levels.astype(np.float64), np.asarray(fitted, dtype=np.float64)
    keep = np.zeros(fitted.size, dtype=bool)
    keep[[0, -1]] = True
    change = np.diff(fitted) != 0
    keep[:-1] |= change
    keep[1:] |= change
    return levels[keep].astype(np.float64), np.asarray(fitted[keep], dtype=np.float64)


def _normalised(calibrated: FloatArray, fallback: FloatArray) -> FloatArray:
    """Rows divided by their sums; a row whose calibrated values are all 0 keeps ``fallback``."""
    sums = calibrated.sum(axis=1, keepdims=True)
    empty = sums[:, 0] <= 0
    if np.any(empty):
        calibrated[empty] = fallback[empty]
        sums = calibrated.sum(axis=1, keepdims=True)
    result: FloatArray = calibrated / sums
    return result


def _not_fitted(owner: str) -> NoDataError:
    return NoDataError(
        f"This {owner} has no calibration yet: call fit(probabilities, labels) first."
    )


class IsotonicCalibration:
    """Per-class isotonic calibration, interpolated between levels, renormalised per row.

    >>> import numpy as np
    >>> calibration = IsotonicCalibration().fit(
    ...     np.array([[0.5, 0.5], [0.5, 0.5], [0.0, 1.0]]), np.array([0, 1, 1]))
    >>> calibration.calibrate([[1.0, 0.0]]).tolist()  # clipped at the lowest level seen
    [[0.5, 0.5]]
    """

    def __init__(self) -> None:
        self.knots_: list[tuple[FloatArray, FloatArray]] | None = None
        self.top_knots_: list[tuple[FloatArray, FloatArray]] = []

    def __repr__(self) -> str:
        return "IsotonicCalibration()"

    def fit(
        self,
        probabilities: FloatArray,
        labels: IntArray,
        weights: FloatArray | None = None,
    ) -> "IsotonicCalibration":
        """Fit one isotonic curve per class (only the positive class when binary)."""
        if weights is None:
            weights = np.ones(labels.size)
        n_classes = probabilities.shape[1]
        classes = [1] if n_classes == 2 else range(n_classes)
        self.knots_ = [
            _isotonic_knots(probabilities[:, k], (labels == k).astype(np.float64), weights)
            for k in classes
        ]
        self.top_knots_ = []
        if n_classes > 2:
            top = probabilities.argmax(axis=1)
            for k in classes:
                rows = top == k
                self.top_knots_.append(
                    _isotonic_knots(
                        probabilities[rows, k],
                        (labels[rows] == k).astype(np.float64),
                        weights[rows],
                    )
                    if weights[rows].sum() >= TOP_ROWS
                    else self.knots_[k]
                )
        return self

    def calibrate(self, probabilities: npt.ArrayLike) -> FloatArray:
        """Each class's fitted curve at the row's probability; rows sum to 1."""
        knots = self.knots_
        if knots is None:
            raise _not_fitted("IsotonicCalibration")
        array = np.asarray(probabilities, dtype=np.float64)
        if len(knots) == 1:
            x, y = knots[0]
            positive = np.interp(array[:, 1], x, y)
            return np.column_stack([1.0 - positive, positive])
        calibrated = np.column_stack(
            [np.interp(array[:, k], x, y) for k, (x, y) in enumerate(knots)]
        )
        calibrated = _normalised(calibrated, np.clip(array, 1e-12, None))
        top = array.argmax(axis=1)
        rows = np.arange(top.size)
        top_probability = np.empty(top.size)
        for k, (x, y) in enumerate(self.top_knots_):
            chosen = top == k
            top_probability[chosen] = np.interp(array[chosen, k], x, y)
        others = 1.0 - calibrated[rows, top]
        scale = np.where(others > 0, (1.0 - top_probability) / np.where(others > 0, others, 1), 0)
        calibrated *= scale[:, None]
        calibrated[rows, top] = top_probability
        spread = (others <= 0) & (top_probability < 1)  # nothing to scale: share it evenly
        calibrated[spread] += ((1 - top_probability[spread]) / (array.shape[1] - 1))[:, None]
        calibrated[spread, top[spread]] = top_probability[spread]
        return calibrated


class TemperatureCalibration:
    """One temperature for every logit ``log(max(p, floor))``, fitted by likelihood.

    >>> import numpy as np
    >>> calibration = TemperatureCalibration().fit(
    ...     np.array([[0.9, 0.1], [0.4, 0.6], [0.7, 0.3]]), np.array([0, 1, 1]))
    >>> round(calibration.temperature_, 3), calibration.calibrate([[0.9, 0.1]]).round(3).tolist()
    (1.391, [[0.829, 0.171]])
    """

    def __init__(self, *, floor: float = 1e-3) -> None:
        self.floor = check_parameter(
            "TemperatureCalibration",
            "floor",
            floor,
            lambda f: is_real(f) and 0 < f < 0.5,
            "a float in (0, 0.5)",
        )
        self.inverse_temperature_: float | None = None

    def __repr__(self) -> str:
        return f"TemperatureCalibration(floor={self.floor!r})"

    @property
    def temperature_(self) -> float:
        """The fitted temperature: above 1 the raw probabilities were overconfident."""
        return 1.0 / self._inverse_temperature()

    def _inverse_temperature(self) -> float:
        if self.inverse_temperature_ is None:
            raise _not_fitted("TemperatureCalibration")
        return self.inverse_temperature_

    def _logits(self, probabilities: FloatArray) -> FloatArray:
        logits: FloatArray = np.log(np.maximum(probabilities, self.floor))
        return logits

    def fit(
        self,
        probabilities: FloatArray,
        labels: IntArray,
        weights: FloatArray | None = None,
    ) -> "TemperatureCalibration":
        """Minimise the weighted negative log-likelihood over the inverse temperature."""
        if weights is None:
            weights = np.ones(labels.size)
        logits = self._logits(probabilities)
        rows = np.arange(labels.size)
        total = float(weights.sum())
        true_logit = logits[rows, labels]

        def loss(log_b: float) -> float:
            scaled = logits * math.exp(log_b)
            each = special.logsumexp(scaled, axis=1) - scaled[rows, labels]
            return float(np.dot(weights, each)) / total

        # Newton's method on the convex loss in b (a few steps), else a bounded search
        b = 1.0
        for _ in range(50):
            calibrated = special.softmax(logits * b, axis=1)
            expected = (calibrated * logits).sum(axis=1)
            gradient = float(np.dot(weights, expected - true_logit))
            curvature = float(np.dot(weights, (calibrated * logits**2).sum(axis=1) - expected**2))
            if curvature <= 0:
                break
            step = gradient / curvature
            b = min(max(b - step, b / 4), b * 4)
            if abs(step) <= 1e-10 * b:
                if abs(math.log(b)) < LOG_BOUND:
                    self.inverse_temperature_ = b
                    return self
                break
        fit = optimize.minimize_scalar(
            loss, bounds=(-LOG_BOUND, LOG_BOUND), method="bounded", options={"xatol": 1e-9}
        )
        self.inverse_temperature_ = math.exp(float(fit.x))
        return self

    def calibrate(self, probabilities: npt.ArrayLike) -> FloatArray:
        """Softmax of the floored logits times the fitted inverse temperature."""
        inverse_temperature = self._inverse_temperature()
        array = np.asarray(probabilities, dtype=np.float64)
        scaled = self._logits(array) * inverse_temperature
        calibrated: FloatArray = special.softmax(scaled, axis=1)
        return calibrated


CALIBRATIONS: dict[str, type[IsotonicCalibration] | type[TemperatureCalibration]] = {
    "isotonic": IsotonicCalibration,
    "temperature": TemperatureCalibration,
}


def make_calibration(owner: str, name: str) -> Calibration:
    """A new, unfitted calibration chosen by short name from :data:`CALIBRATIONS`."""
    if name not in CALIBRATIONS:
        raise InvalidParameterError(
            f"The 'calibration' parameter of {owner} must be one of {sorted(CALIBRATIONS)}. "
            f"Got {name!r} instead."
        )
    return CALIBRATIONS[name]()
