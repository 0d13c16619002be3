"""Label-free accuracy: what share of the current predictions is right, before labels arrive.

:class:`AccuracyEstimator` calibrates the model's probabilities on labelled reference data by
**temperature scaling** (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017):
the logits ``z = log p`` are multiplied by one inverse temperature ``b``, fitted by minimising
the negative log-likelihood of the reference labels (``scipy.optimize.minimize_scalar``; the
loss is convex in ``b``). The estimate of the current accuracy is then the **average
calibrated confidence** (the mean top probability): a calibrated model whose top probability
is 0.9 is right 9 times in 10.

Why these choices:

- Temperature scaling, not isotonic regression of correctness on confidence: one parameter is
  pinned down by a few hundred labelled rows even when the model makes few errors (the digits
  reference has about 15), where an isotonic step function overfits; it never changes which
  class is predicted; and its sampling error has a closed form (below), so the interval
  carries the calibration's own uncertainty without a bootstrap.
- Average confidence, not ATC (average thresholded confidence, Garg et al., ICLR 2022), because
  it was more accurate on digits. Logistic regression trained on half of digits, calibrated on
  450 held-out rows, current windows of 100 other held-out rows, 200 windows for each of three
  splits; mean absolute error against the window's true accuracy, in percentage points (the
  range over the three splits):

  ============================  =========  ============  =========  =============
  shift                         raw conf.  average conf  ATC (max)  ATC (entropy)
  ============================  =========  ============  =========  =============
  none                          8.2-8.8    1.3-1.7       1.6-1.9    1.6-1.9
  pixel noise, std 1 (of 16)    8.7-9.4    1.5-1.7       1.7-2.0    1.8-2.3
  pixel noise, std 2            9.7-10.1   1.6-1.8       2.0-2.3    2.1-2.2
  pixel noise, std 4            11.1-11.4  2.3-2.7       2.7-3.5    2.9-3.0
  ============================  =========  ============  =========  =============

  Average confidence had the smaller error in 11 of the 12 split-and-shift cells (ATC on the
  top probability won one by 0.04 points): ATC's indicator ``score > threshold`` is noisier
  over 100 rows than the confidence itself, and its threshold rests on about 15 reference
  errors. ("raw conf." is the uncalibrated mean confidence: logistic regression on digits is
  underconfident, by 8 points.) The script is ``tests/outputs/accuracy_methods.py``;
  ``tests/outputs/test_accuracy.py`` pins the average-confidence figures.

The interval. If the calibration holds, row ``i`` is right with probability ``c_i`` (its
calibrated confidence), so the number of right answers among the ``n`` current rows is
Poisson-binomial with variance ``sum c_i (1 - c_i)``. The calibration adds two uncertainties
from the reference's ``m`` rows: the fitted inverse temperature ``b`` has a sandwich (robust)
variance ``sum g_j^2 / (sum h_j)^2`` (``g`` and ``h``: each row's first and second derivatives
of the loss), which moves the estimate by ``dA/db`` per unit (delta method); and one temperature
cannot fix every miscalibration, so the gap between accuracy and calibrated confidence on the
reference, ``mean(right_j - c_j)``, is only known to within its variance ``var(right - c) / m``.
The interval is the normal one on the three variances added, ``value +- z sqrt(var)``, clipped
to [0, 1]: a prediction interval for the accuracy these ``n`` rows will show once labelled (it
also covers the accuracy of the distribution they come from, less tightly). On digits (four
splits, 300 windows each, alpha = 0.05) it covered the window's accuracy in 96-99% of unshifted
windows of 100 and 300 rows, and in 96-99% under pixel noise of std 2; without the gap term,
89-98%.

**When it is valid.** Only while calibration carries over: P(right | calibrated confidence) must
be the same on current data as on the reference. That holds for covariate shifts under which
the model's confidence still tracks its difficulty (mild pixel noise on digits, measured
above); it fails when the labels' relation to the inputs changes (concept shift), under label
shift with class-dependent errors, and on inputs the model is confidently wrong about (often
far out of distribution), where the estimate is too high. No label-free method is valid for
every shift (Garg et al. 2022); pair this estimate with :func:`shiftwatch.outputs.output_drift`
and, once labels come, :func:`shiftwatch.outputs.errors_vs_expected`.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> def model(n):  # 3 classes; its probabilities are overconfident (temperature 2)
...     logits = rng.normal(size=(n, 3)) * 1.5
...     truth = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
...     labels = (rng.random((n, 1)) > truth.cumsum(axis=1)).sum(axis=1)
...     sharp = np.exp(logits * 2)
...     return sharp / sharp.sum(axis=1, keepdims=True), labels
>>> probabilities, labels = model(2_000)
>>> estimator = AccuracyEstimator().fit(probabilities, labels)
>>> round(estimator.temperature_, 2)
1.98
>>> current, truth = model(1_000)
>>> estimate = estimator.estimate(current)
>>> round(estimate.value, 3), round(estimate.low, 3), round(estimate.high, 3), estimate.n
(0.681, 0.645, 0.718, 1000)
>>> float(np.mean(current.argmax(axis=1) == truth)), round(float(current.max(axis=1).mean()), 3)
(0.693, 0.817)

The raw confidence (0.817) would have promised 12 points more than the 0.693 delivered.
"""

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from shiftwatch._validation import check_alpha
from shiftwatch.errors import InvalidParameterError, NoDataError, ShiftwatchWarning

FloatArray = npt.NDArray[np.float64]

LOG_BOUND = math.log(1_000.0)  # the inverse temperature is searched in [1/1000, 1000]
SMALLEST = float(np.finfo(np.float64).tiny)  # log(0) stands in as log of this


@dataclass(frozen=True)
class AccuracyEstimate:
    """A label-free accuracy estimate over ``n`` rows, with its interval ``[low, high]``.

    ``method`` says how it was computed and the interval's level.
    """

    value: float
    low: float
    high: float
    n: int
    method: str = ""


def _probabilities(owner: str, role: str, probabilities: npt.ArrayLike) -> FloatArray:
    try:
        array = np.asarray(probabilities, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidParameterError(
            f"The {role} probabilities of {owner} must be numbers: {error}."
        ) from None
    if array.ndim != 2 or array.shape[1] < 2:
        raise InvalidParameterError(
            f"The {role} probabilities of {owner} must be 2-D, one column per class (at least "
            f"2). Got shape {array.shape}."
        )
    if array.shape[0] == 0:
        raise NoDataError(f"The {role} probabilities of {owner} are empty.")
    if not np.all((array >= 0) & (array <= 1)):
        raise InvalidParameterError(
            f"The {role} probabilities of {owner} must be numbers in [0, 1]."
        )
    return array


def _logits(probabilities: FloatArray) -> FloatArray:
    logits: FloatArray = np.log(np.maximum(probabilities, SMALLEST))
    return logits


def _softmax(scaled: FloatArray) -> FloatArray:
    calibrated: FloatArray = special.softmax(scaled, axis=1)
    return calibrated


class AccuracyEstimator:
    """Estimate a classifier's accuracy from its probabilities, calibrated on labelled data.

    ``alpha`` sets the interval's level, ``1 - alpha``. After :meth:`fit`: ``temperature_``
    (the fitted temperature, ``1 / b``), ``inverse_temperature_variance_`` (the sandwich
    variance of ``b``), ``n_reference_``, ``reference_accuracy_`` (the share of right
    predictions on the reference), ``reference_confidence_`` (its mean calibrated confidence:
    the two differ by what one temperature cannot fix) and ``calibration_gap_variance_`` (the
    variance of that difference as an estimate, ``var(right - c) / m``).

    >>> estimator = AccuracyEstimator()
    >>> estimator.fit([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]], [0, 0, 1, 1])
    AccuracyEstimator(alpha=0.05)
    >>> round(estimator.estimate([[0.7, 0.3], [0.2, 0.8]]).value, 3)
    0.88
    """

    def __init__(self, *, alpha: float = 0.05) -> None:
        self.alpha = check_alpha("AccuracyEstimator", alpha)
        self._inverse_temperature: float | None = None
        self.inverse_temperature_variance_ = math.nan
        self.n_reference_ = 0
        self.reference_accuracy_ = math.nan
        self.reference_confidence_ = math.nan
        self.calibration_gap_variance_ = math.nan

    def __repr__(self) -> str:
        return f"AccuracyEstimator(alpha={self.alpha!r})"

    @property
    def temperature_(self) -> float:
        """The fitted temperature: above 1 the raw probabilities were overconfident."""
        return 1.0 / self._fitted()

    def _fitted(self) -> float:
        if self._inverse_temperature is None:
            raise NoDataError(
                "This AccuracyEstimator has no calibration yet: call "
                "fit(reference_probabilities, reference_labels) first."
            )
        return self._inverse_temperature

    def fit(
        self, reference_probabilities: npt.ArrayLike, reference_labels: npt.ArrayLike
    ) -> "AccuracyEstimator":
        """Fit the temperature on labelled reference rows; labels are column indices.

        Returns the estimator itself. Warns when the reference has no wrong prediction (the
        temperature then runs to zero and every estimate is close to 1) or the fit reaches
        its bound.
        """
        probabilities = _probabilities(
            "AccuracyEstimator.fit", "reference", reference_probabilities
        )
        labels = self._labels(reference_labels, probabilities.shape)
        logits = _logits(probabilities)
        rows = np.arange(labels.size)

        def loss(log_b: float) -> float:
            scaled = logits * math.exp(log_b)
            return float(np.mean(special.logsumexp(scaled, axis=1) - scaled[rows, labels]))

        fit = optimize.minimize_scalar(
            loss, bounds=(-LOG_BOUND, LOG_BOUND), method="bounded", options={"xatol": 1e-9}
        )
        if bool(np.all(logits.argmax(axis=1) == labels)) or abs(fit.x) > LOG_BOUND - 1e-3:
            warnings.warn(
                "AccuracyEstimator cannot calibrate on this reference: with no wrong "
                "prediction (or almost none) the fitted temperature runs to its bound "
                f"({math.exp(-fit.x):.3g}), and accuracy estimates will be near 1. Calibrate "
                "on more labelled rows.",
                ShiftwatchWarning,
                stacklevel=2,
            )
        b = math.exp(float(fit.x))
        calibrated = _softmax(logits * b)
        expected_logit = (calibrated * logits).sum(axis=1)
        gradients = expected_logit - logits[rows, labels]  # d loss_j / d b
        curvature = (calibrated * logits**2).sum(axis=1) - expected_logit**2  # Var_q(z)
        total_curvature = float(curvature.sum())
        self._inverse_temperature = b
        self.inverse_temperature_variance_ = (
            float((gradients**2).sum()) / total_curvature**2 if total_curvature > 0 else 0.0
        )
        self.n_reference_ = int(labels.size)
        right = calibrated.argmax(axis=1) == labels
        confidence = calibrated.max(axis=1)
        self.reference_accuracy_ = float(right.mean())
        self.reference_confidence_ = float(confidence.mean())
        self.calibration_gap_variance_ = float(np.var(right - confidence)) / labels.size
        return self

    @staticmethod
    def _labels(labels: npt.ArrayLike, shape: tuple[int, ...]) -> npt.NDArray[np.intp]:
        array: npt.NDArray[Any] = np.asarray(labels)
        n_rows, n_classes = shape
        if (
            array.shape != (n_rows,)
            or not np.issubdtype(array.dtype, np.integer)
            or array.min() < 0
            or array.max() >= n_classes
        ):
            raise InvalidParameterError(
                "The 'reference_labels' of AccuracyEstimator.fit must be one class index "
                f"(an int in [0, {n_classes})) per probability row ({n_rows}). Got "
                f"{array.dtype} of shape {array.shape}."
            )
        return array.astype(np.intp)

    def calibrate(self, probabilities: npt.ArrayLike) -> FloatArray:
        """The probabilities after temperature scaling (rows sum to 1; argmax unchanged).

        >>> AccuracyEstimator().fit([[0.9, 0.1], [0.4, 0.6], [0.7, 0.3]], [0, 1, 1]).calibrate(
        ...     [[0.9, 0.1]]).round(3).tolist()
        [[0.829, 0.171]]
        """
        array = _probabilities("AccuracyEstimator", "current", probabilities)
        return _softmax(_logits(array) * self._fitted())

    def estimate(self, current_probabilities: npt.ArrayLike) -> AccuracyEstimate:
        """The mean calibrated confidence of the current rows, with a ``1 - alpha`` interval."""
        b = self._fitted()
        logits = _logits(_probabilities("AccuracyEstimator", "current", current_probabilities))
        calibrated = _softmax(logits * b)
        top = calibrated.argmax(axis=1)
        confidence = calibrated[np.arange(top.size), top]
        n = confidence.size
        value = float(confidence.mean())
        binomial_variance = float((confidence * (1 - confidence)).sum()) / n**2
        # d c_i / d b = c_i (z_top - E_q[z]): how the estimate moves with the temperature
        expected_logit = (calibrated * logits).sum(axis=1)
        slope = float(np.mean(confidence * (logits[np.arange(n), top] - expected_logit)))
        calibration_variance = (
            slope**2 * self.inverse_temperature_variance_ + self.calibration_gap_variance_
        )
        half_width = float(special.ndtri(1 - self.alpha / 2)) * math.sqrt(
            binomial_variance + calibration_variance
        )
        return AccuracyEstimate(
            value=value,
            low=max(value - half_width, 0.0),
            high=min(value + half_width, 1.0),
            n=n,
            method=(
                "mean confidence after temperature scaling; normal "
                f"{1 - self.alpha:.0%} interval on the Poisson-binomial variance plus the "
                f"calibration's (temperature and gap, from {self.n_reference_} reference rows)"
            ),
        )
