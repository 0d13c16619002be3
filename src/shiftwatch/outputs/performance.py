"""Label-free performance: a classifier's metrics on current rows, before labels arrive.

:class:`PerformanceEstimator` is fitted on labelled reference rows (probabilities, labels,
and the decisions the deployed system took, if not argmax) and then estimates, for current
rows without labels, accuracy, precision, recall, F1 (binary, macro, weighted) and ROC AUC,
each with a ``1 - alpha`` interval, the expected confusion matrix, and, when labels are
given, the realized value of each beside it.

**How** (the confidence-based estimate of NannyML's CBPE): the probabilities are calibrated
on the reference (:mod:`~shiftwatch.outputs.calibration`: per-class isotonic, or temperature
scaling on a small reference or one with few errors, where isotonic steps put ``q = 1`` on
whole stretches of confidence; isotonic needs about a thousand rows to beat a parametric
fit, Niculescu-Mizil and Caruana, ICML 2005), so each current row ``i`` is of class ``k``
with probability ``q_ik``; the metrics are read from the expected confusion matrix
(:mod:`~shiftwatch.outputs.metrics`). Decisions are the given ``predictions``, else
``probability of class 1 >= threshold`` (binary), else the argmax.

**The interval** is ``value +- z sqrt(v_rows + v_calibration)``, clipped to [0, 1], a
prediction interval for the value the current rows will show once labelled (``z
sqrt(v_rows)`` is in fact the simulated metric's own ``alpha / 2`` tail on each side, so the
interval is skewed where the metric is near 0 or 1):

- ``v_rows``, the sampling variance of the realized metric if the calibration holds: labels
  are drawn ``draws`` times from the ``q_ik`` and the metric computed on each draw (for
  accuracy this is the Poisson-binomial ``sum q_i (1 - q_i) / n^2``). An isotonic curve
  fitted on a reference with few errors puts ``q = 1`` on whole stretches where errors still
  happen, and this variance would then be too small (on digits, with 15 reference errors,
  isotonic intervals covered 78% instead of 95%); so the draws mix into each row's ``q`` a share
  ``smoothing_`` of the reference's true-class mix among rows given the same decision,
  the share that makes the held-out reference's squared errors ``sum (right_j - q_j)^2``
  match their Bernoulli variance (0 when the calibration already explains them);
- ``v_calibration``, the calibration's own uncertainty from the reference's size: the
  calibration is refitted on ``bootstraps`` resamples of the reference and the estimate
  recomputed with each.

**Reliability.** ``reliable`` is False, with the reason, and a :class:`ShiftwatchWarning`
is raised, when

1. *the self-check fails*: at :meth:`~PerformanceEstimator.fit`, each reference fold is
   estimated by a calibration fitted on the other folds, and the estimate of the whole
   reference is compared with its realized metric; a gap beyond ``CHECK_Z`` standard errors
   means the calibration does not carry to new rows even without any shift;
2. *the outputs left the reference*: the current confidence (class 1's probability when
   binary, else the top probability) is far from the reference's, a two-sample
   Kolmogorov-Smirnov distance of ``max_shift`` or more (and p-value below 0.001), or more
   than 5% of current rows outside the range the reference covered: the calibration is then
   extrapolated, and nothing says it still holds;
3. *labels contradict it*: with ``labels`` given, the realized value is more than
   ``CHECK_Z`` standard errors from the estimate.

**What no label-free estimate can see**: concept shift. If the chance that a row of a given
confidence is right changes (the labels' relation to the inputs moved, or inputs on which
the model is confidently wrong), confidence alone cannot tell; the outputs may look exactly
like the reference's. Check 2 catches the cases where the outputs moved too; check 3 catches
the rest once labels arrive.

**Degraded** (the alert rule). ``degraded`` is True when a metric's interval lies wholly
below the reference's realized value (``high < reference``): the estimate is below the
reference's by more than its sampling noise and the calibration's uncertainty, at the
one-sided level ``alpha / 2`` per metric; ``PerformanceEstimate.degraded`` is True when any
metric is. It says nothing of reliability: an alert should read both.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> def model(n):  # binary; the probabilities are overconfident
...     truth = rng.beta(2, 2, n)
...     labels = (rng.random(n) < truth).astype(int)
...     positive = np.round(1 / (1 + ((1 - truth) / truth) ** 2), 2)
...     return np.column_stack([1 - positive, positive]), labels
>>> estimator = PerformanceEstimator(["accuracy", "f1"]).fit(*model(5_000))
>>> current, labels = model(2_000)
>>> estimate = estimator.estimate(current, labels=labels)
>>> accuracy = estimate["accuracy"]
>>> round(accuracy.value, 3), round(accuracy.low, 3), round(accuracy.high, 3), accuracy.realized
(0.689, 0.666, 0.711, 0.688)
>>> float(current.max(axis=1).mean().round(3))  # the raw confidence promised more
0.789
>>> estimate.reliable, estimate.degraded
(True, False)
"""

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from shiftwatch._validation import check_alpha, check_count, check_parameter, is_real
from shiftwatch.errors import InvalidParameterError, NoDataError, ShiftwatchWarning
from shiftwatch.outputs.calibration import Calibration, make_calibration
from shiftwatch.outputs.metrics import (
    check_metrics,
    confusion_matrix,
    default_metrics,
    expected_confusion_matrix,
    expected_roc_auc,
    from_confusion,
    roc_auc,
    score_levels,
    simulated_roc_auc,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

CHECK_Z = float(special.ndtri(1 - 0.001 / 2))  # 3.29: the self-check and labels check
SUPPORT_SHARE = 0.05  # more current rows than this outside the reference's range: unreliable
SHIFT_P_VALUE = 0.001
BOOTSTRAP_ROWS = 2_000  # rows on which the calibration's bootstrap variance is computed
AUTO_ROWS = 1_000  # "auto" calibrates isotonic from this many reference rows ...
AUTO_ERRORS = 50  # ... with this many wrong decisions among them; else temperature scaling


@dataclass(frozen=True)
class MetricEstimate:
    """One metric: the estimate ``value`` and its interval, beside realized values.

    ``reference`` is the metric realized on the labelled reference; ``realized`` the current
    rows' own, when labels were given (else None).
    """

    metric: str
    value: float
    low: float
    high: float
    reference: float
    realized: float | None = None
    reliable: bool = True
    reason: str = ""
    degraded: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN becomes None)."""
        return {
            key: None if isinstance(value, float) and math.isnan(value) else value
            for key, value in asdict(self).items()
        }


@dataclass(frozen=True)
class PerformanceEstimate:
    """The estimate of every metric over ``n`` current rows; ``estimate["f1"]`` reads one.

    ``confusion`` is the expected confusion matrix (true class by row, decision by column),
    ``realized_confusion`` the labelled one when labels were given. ``reliable`` is False
    when any metric is unreliable, ``reasons`` says why; ``degraded`` is True when any
    metric is degraded. ``confidence_shift`` is the Kolmogorov-Smirnov distance between the
    current and the reference confidence.
    """

    n: int
    metrics: tuple[MetricEstimate, ...]
    confusion: tuple[tuple[float, ...], ...]
    realized_confusion: tuple[tuple[int, ...], ...] | None
    reliable: bool
    reasons: tuple[str, ...]
    degraded: bool
    confidence_shift: float
    method: str

    def __getitem__(self, metric: str) -> MetricEstimate:
        for estimate in self.metrics:
            if estimate.metric == metric:
                return estimate
        raise KeyError(metric)

    @property
    def names(self) -> tuple[str, ...]:
        """The metrics' names, in the order they were asked for."""
        return tuple(estimate.metric for estimate in self.metrics)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``metrics`` keyed by name, matrices as lists."""
        return {
            "n": self.n,
            "reliable": self.reliable,
            "reasons": list(self.reasons),
            "degraded": self.degraded,
            "confidence_shift": self.confidence_shift,
            "metrics": {estimate.metric: estimate.to_dict() for estimate in self.metrics},
            "confusion": [list(row) for row in self.confusion],
            "realized_confusion": None
            if self.realized_confusion is None
            else [list(row) for row in self.realized_confusion],
            "method": self.method,
        }


@dataclass(frozen=True)
class _Assessment:
    """Per metric: the estimate, its two variances, the realized value (NaN without labels)."""

    values: dict[str, float]
    rows_variance: dict[str, float]
    rows_tails: dict[str, tuple[float, float]]
    calibration_variance: dict[str, float]
    realized: dict[str, float]
    confusion: FloatArray


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


def _classes(owner: str, name: str, values: npt.ArrayLike, n_rows: int, n_classes: int) -> IntArray:
    array: npt.NDArray[Any] = np.asarray(values)
    if (
        array.shape != (n_rows,)
        or not np.issubdtype(array.dtype, np.integer)
        or array.min() < 0
        or array.max() >= n_classes
    ):
        raise InvalidParameterError(
            f"The {name!r} of {owner} must be one class index (an int in [0, {n_classes})) "
            f"per probability row ({n_rows}). Got {array.dtype} of shape {array.shape}."
        )
    return array.astype(np.intp)


def _simulated_labels(
    class_probabilities: FloatArray, draws: int, rng: np.random.Generator
) -> IntArray:
    """``draws`` label vectors, row ``i`` of class ``k`` with probability ``q_ik``."""
    cumulative = np.cumsum(class_probabilities, axis=1)
    uniform = rng.random((draws, class_probabilities.shape[0])) * cumulative[:, -1]
    labels = np.zeros(uniform.shape, dtype=np.intp)
    for k in range(class_probabilities.shape[1] - 1):
        labels += uniform >= cumulative[:, k]
    return labels


def _smoothing(
    held_out: FloatArray, labels: IntArray, decisions: IntArray
) -> tuple[FloatArray, float]:
    """The reference's true-class mix per decision, and how much of it the simulation adds.

    With held-out probabilities ``q_j`` of the decided class, a calibration that holds has
    ``sum (right_j - q_j)^2`` close to ``sum q_j (1 - q_j)``. When the first is larger (an
    isotonic curve puts ``q = 1`` where errors still happen), the share ``e`` is the one for
    which ``q' = (1 - e) q + e c`` (``c``: the reference's share of right rows among those
    given the same decision) has ``sum q' (1 - q') = sum (right - q)^2``.
    """
    n_classes = held_out.shape[1]
    counts = confusion_matrix(labels, decisions, n_classes).T.astype(np.float64)  # by decision
    totals = counts.sum(axis=1, keepdims=True)
    errors = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 1 / n_classes)
    rows = np.arange(labels.size)
    chance = held_out[rows, decisions]
    target = float(np.sum(((decisions == labels) - chance) ** 2))
    right_share = errors[decisions, decisions]

    def spread(share: float) -> float:
        mixed = (1 - share) * chance + share * right_share
        return float(np.sum(mixed * (1 - mixed)))

    if spread(0.0) >= target:
        return errors, 0.0
    low, high = 0.0, 1.0
    if spread(high) < target:
        return errors, 1.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if spread(middle) < target else (low, middle)
    return errors, high


def _tails(values: FloatArray, alpha: float) -> tuple[float, float]:
    """How far the ``alpha / 2`` and ``1 - alpha / 2`` quantiles lie below and above the mean."""
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        return float("nan"), float("nan")
    low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
    mean = float(finite.mean())
    return mean - float(low), float(high) - mean


def _nan_variance(values: FloatArray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.var(finite, ddof=1)) if finite.size > 1 else float("nan")


class PerformanceEstimator:
    """Estimate a classifier's metrics from its probabilities, calibrated on labelled data.

    ``metrics``: names from :data:`~shiftwatch.outputs.metrics.METRICS` (default: accuracy,
    precision, recall, F1 and ROC AUC; macro averages with more than two classes).
    ``threshold``: the deployed binary decision ``p_1 >= threshold`` (default: argmax).
    ``calibration``: ``"isotonic"``, ``"temperature"`` or ``"auto"`` (default: isotonic from
    :data:`AUTO_ROWS` reference rows with :data:`AUTO_ERRORS` wrong decisions, else
    temperature; the choice is ``calibration_``). ``alpha``: the
    intervals' level is ``1 - alpha``. ``folds``: of the reference self-check. ``draws`` and
    ``bootstraps``: of the two variances. ``max_shift``: the Kolmogorov-Smirnov distance of
    the confidence past which estimates are unreliable. ``seed``: the simulations' (estimates
    are deterministic for given data).

    After :meth:`fit`: ``n_classes_``, ``n_reference_``, ``reference_values_`` (each metric
    realized on the reference), ``smoothing_`` (see the interval), ``self_check_`` (a
    :class:`PerformanceEstimate` of the held-out reference folds, with ``realized`` filled
    in) and ``reliable_``.

    >>> import numpy as np
    >>> probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]] * 5)
    >>> estimator = PerformanceEstimator(["accuracy"], calibration="isotonic")
    >>> estimator.fit(probabilities, [0, 0, 1, 1] * 5)
    PerformanceEstimator(metrics=['accuracy'], threshold=None, calibration='isotonic')
    >>> accuracy = estimator.estimate([[0.7, 0.3], [0.3, 0.7]])["accuracy"]
    >>> accuracy.value, round(accuracy.low, 3), accuracy.high, accuracy.reference, accuracy.reliable
    (0.75, 0.532, 1.0, 0.75, True)
    """

    def __init__(
        self,
        metrics: list[str] | tuple[str, ...] | None = None,
        *,
        threshold: float | None = None,
        calibration: str = "auto",
        alpha: float = 0.05,
        folds: int = 5,
        draws: int = 200,
        bootstraps: int = 20,
        max_shift: float = 0.3,
        seed: int = 0,
    ) -> None:
        owner = "PerformanceEstimator"
        self.metrics = None if metrics is None else check_metrics(owner, metrics)
        self.threshold = None
        if threshold is not None:
            self.threshold = float(
                check_parameter(
                    owner,
                    "threshold",
                    threshold,
                    lambda t: is_real(t) and 0 < t < 1,
                    "None or a float in (0, 1)",
                )
            )
        if calibration != "auto":
            make_calibration(owner, calibration)
        self.calibration = calibration
        self.calibration_ = calibration
        self.alpha = check_alpha(owner, alpha)
        self.folds = check_count(owner, "folds", folds, minimum=2)
        self.draws = check_count(owner, "draws", draws, minimum=20)
        self.bootstraps = check_count(owner, "bootstraps", bootstraps, minimum=10)
        self.max_shift = float(
            check_parameter(
                owner,
                "max_shift",
                max_shift,
                lambda s: is_real(s) and 0 < s <= 1,
                "a float in (0, 1]",
            )
        )
        self.seed = check_count(owner, "seed", seed, minimum=0)
        self._calibration: Calibration | None = None
        self._bootstrapped: list[Calibration] = []
        self._reference_confidence: FloatArray = np.empty(0)
        self.n_classes_ = 0
        self.n_reference_ = 0
        self.reference_values_: dict[str, float] = {}
        self.smoothing_ = 0.0
        self._errors: FloatArray = np.empty((0, 0))
        self.self_check_: PerformanceEstimate | None = None
        self.reliable_ = False

    def __repr__(self) -> str:
        metrics = None if self.metrics is None else list(self.metrics)
        return (
            f"PerformanceEstimator(metrics={metrics!r}, threshold={self.threshold!r}, "
            f"calibration={self.calibration!r})"
        )

    # --- decisions and checks -------------------------------------------------------------

    def _metric_names(self) -> tuple[str, ...]:
        if self.metrics is None:
            return default_metrics(self.n_classes_)
        return check_metrics("PerformanceEstimator", list(self.metrics), self.n_classes_)

    def _decisions(
        self, owner: str, name: str, probabilities: FloatArray, predictions: npt.ArrayLike | None
    ) -> IntArray:
        n_rows, n_classes = probabilities.shape
        if predictions is not None:
            return _classes(owner, name, predictions, n_rows, n_classes)
        if self.threshold is not None:
            return (probabilities[:, 1] >= self.threshold).astype(np.intp)
        decisions: IntArray = probabilities.argmax(axis=1).astype(np.intp)
        return decisions

    def _confidence(self, probabilities: FloatArray) -> FloatArray:
        confidence: FloatArray = (
            probabilities[:, 1] if probabilities.shape[1] == 2 else probabilities.max(axis=1)
        )
        return confidence

    def _fitted(self) -> tuple[Calibration, PerformanceEstimate]:
        if self._calibration is None or self.self_check_ is None:
            raise NoDataError(
                "This PerformanceEstimator has no calibration yet: call "
                "fit(reference_probabilities, reference_labels) first."
            )
        return self._calibration, self.self_check_

    # --- the estimate and its variances ---------------------------------------------------

    def _values(
        self,
        names: tuple[str, ...],
        class_probabilities: FloatArray,
        decisions: IntArray,
        scores: FloatArray,
        levels: list[tuple[IntArray, int]],
    ) -> tuple[dict[str, float], FloatArray]:
        confusion = expected_confusion_matrix(class_probabilities, decisions)
        values = {
            name: expected_roc_auc(class_probabilities, scores, levels)
            if name == "roc_auc"
            else float(from_confusion(name, confusion))
            for name in names
        }
        return values, confusion

    def _assess(
        self,
        probabilities: FloatArray,
        class_probabilities: FloatArray,
        decisions: IntArray,
        labels: IntArray | None,
        calibration_scale: float = 1.0,
    ) -> _Assessment:
        names = self._metric_names()
        n_classes = self.n_classes_
        rng = np.random.default_rng(self.seed)
        levels = score_levels(probabilities) if "roc_auc" in names else []
        values, confusion = self._values(
            names, class_probabilities, decisions, probabilities, levels
        )
        mixed = (1 - self.smoothing_) * class_probabilities + self.smoothing_ * self._errors[
            decisions
        ]
        simulated = _simulated_labels(mixed, self.draws, rng)
        offsets = np.arange(self.draws)[:, None] * n_classes * n_classes
        counts = np.bincount(
            (offsets + simulated * n_classes + decisions[None, :]).ravel(),
            minlength=self.draws * n_classes * n_classes,
        ).reshape(self.draws, n_classes, n_classes)
        simulated_values = {
            name: simulated_roc_auc(simulated, probabilities)
            if name == "roc_auc"
            else from_confusion(name, counts)
            for name in names
        }
        rows_variance = {name: _nan_variance(draws) for name, draws in simulated_values.items()}
        rows_tails = {name: _tails(draws, self.alpha) for name, draws in simulated_values.items()}
        # the calibration's variance, on at most BOOTSTRAP_ROWS of the rows: enough for the
        # spread between refits, which the rows' own sampling noise does not enter
        some = np.arange(decisions.size)
        if some.size > BOOTSTRAP_ROWS:
            some = np.sort(rng.choice(some.size, BOOTSTRAP_ROWS, replace=False))
        some_levels = score_levels(probabilities[some]) if "roc_auc" in names else []
        resampled = [
            self._values(
                names,
                calibration.calibrate(probabilities[some]),
                decisions[some],
                probabilities[some],
                some_levels,
            )[0]
            for calibration in self._bootstrapped
        ]
        calibration_variance = {
            name: calibration_scale * _nan_variance(np.array([r[name] for r in resampled]))
            for name in names
        }
        realized = dict.fromkeys(names, float("nan"))
        if labels is not None:
            labelled = confusion_matrix(labels, decisions, n_classes)
            for name in names:
                realized[name] = (
                    roc_auc(labels, probabilities)
                    if name == "roc_auc"
                    else float(from_confusion(name, labelled))
                )
        return _Assessment(
            values, rows_variance, rows_tails, calibration_variance, realized, confusion
        )

    # --- fit --------------------------------------------------------------------------------

    def fit(
        self,
        reference_probabilities: npt.ArrayLike,
        reference_labels: npt.ArrayLike,
        reference_predictions: npt.ArrayLike | None = None,
    ) -> "PerformanceEstimator":
        """Calibrate on labelled reference rows, then check the calibration on held-out folds.

        Labels and predictions are class indices (columns of the probabilities). Warns (and
        sets ``reliable_`` to False) when the self-check fails. Returns the estimator.
        """
        owner = "PerformanceEstimator.fit"
        probabilities = _probabilities(owner, "reference", reference_probabilities)
        n_rows, n_classes = probabilities.shape
        labels = _classes(owner, "reference_labels", reference_labels, n_rows, n_classes)
        if n_rows < 2 * self.folds:
            raise NoDataError(
                f"{owner} needs at least {2 * self.folds} reference rows (2 per fold). Got "
                f"{n_rows}."
            )
        if self.threshold is not None and n_classes != 2:
            raise InvalidParameterError(
                f"The 'threshold' parameter of PerformanceEstimator is for two classes. Got "
                f"probabilities of {n_classes} classes."
            )
        self.n_classes_ = n_classes
        names = self._metric_names()
        decisions = self._decisions(
            owner, "reference_predictions", probabilities, reference_predictions
        )
        rng = np.random.default_rng(self.seed)
        fold = rng.permutation(n_rows) % self.folds
        self.calibration_ = self.calibration
        if self.calibration == "auto":
            wrong = int(np.sum(decisions != labels))
            enough = n_rows >= AUTO_ROWS and wrong >= AUTO_ERRORS
            self.calibration_ = "isotonic" if enough else "temperature"
        held_out = self._cross_fitted(self.calibration_, probabilities, labels, fold)
        self._calibration = make_calibration(owner, self.calibration_).fit(probabilities, labels)
        self._bootstrapped = [
            make_calibration(owner, self.calibration_).fit(
                probabilities,
                labels,
                rng.multinomial(n_rows, np.full(n_rows, 1 / n_rows)).astype(np.float64),
            )
            for _ in range(self.bootstraps)
        ]
        self.n_reference_ = n_rows
        self._reference_confidence = np.sort(self._confidence(probabilities))
        self._errors, self.smoothing_ = _smoothing(held_out, labels, decisions)
        # the fold calibrations saw (folds - 1) / folds of the rows: scale their variance
        check = self._assess(
            probabilities, held_out, decisions, labels, self.folds / (self.folds - 1)
        )
        self.reference_values_ = {name: check.realized[name] for name in names}
        flawless = bool(np.all(decisions == labels))
        metrics = []
        for name in names:
            reasons = self._label_check(check, name, "on held-out reference folds")
            if reasons:
                reasons.append("the calibration does not hold even on the reference")
            if flawless:
                reasons.append(
                    "the reference has no wrong decision, so the calibration cannot learn "
                    "where the model errs; calibrate on more labelled rows"
                )
            metrics.append(
                self._metric(name, check, reliable=not reasons, reason="; ".join(reasons))
            )
        self.self_check_ = self._result(n_rows, metrics, check, labels, decisions, 0.0, ())
        self.reliable_ = self.self_check_.reliable
        if not self.reliable_:
            warnings.warn(
                f"PerformanceEstimator's self-check failed: {'; '.join(self.self_check_.reasons)}. "
                "Estimates from this calibration are marked unreliable.",
                ShiftwatchWarning,
                stacklevel=2,
            )
        return self

    # --- estimate ---------------------------------------------------------------------------

    def estimate(
        self,
        current_probabilities: npt.ArrayLike,
        predictions: npt.ArrayLike | None = None,
        labels: npt.ArrayLike | None = None,
    ) -> PerformanceEstimate:
        """Every metric of the current rows, with its interval and, given labels, realized.

        ``predictions`` are the deployed decisions (class indices; default: the threshold or
        the argmax). Warns when the estimate is unreliable.
        """
        calibration, self_check = self._fitted()
        owner = "PerformanceEstimator.estimate"
        probabilities = _probabilities(owner, "current", current_probabilities)
        n_rows, n_classes = probabilities.shape
        if n_classes != self.n_classes_:
            raise InvalidParameterError(
                f"The current probabilities of {owner} must have {self.n_classes_} columns, "
                f"as the reference's. Got {n_classes}."
            )
        decisions = self._decisions(owner, "predictions", probabilities, predictions)
        truth = None if labels is None else _classes(owner, "labels", labels, n_rows, n_classes)
        assessment = self._assess(
            probabilities, calibration.calibrate(probabilities), decisions, truth
        )
        shift, shift_reasons = self._shift(self._confidence(probabilities))
        metrics = []
        for name in self._metric_names():
            check = self_check[name]
            reasons = (
                [] if check.reliable else [f"the reference self-check failed ({check.reason})"]
            )
            reasons += shift_reasons
            reasons += self._label_check(assessment, name, "on these rows")
            metrics.append(
                self._metric(name, assessment, reliable=not reasons, reason="; ".join(reasons))
            )
        result = self._result(n_rows, metrics, assessment, truth, decisions, shift, ())
        if not result.reliable:
            warnings.warn(
                f"This performance estimate is unreliable: {'; '.join(result.reasons)}.",
                ShiftwatchWarning,
                stacklevel=2,
            )
        return result

    def _cross_fitted(
        self, calibration: str, probabilities: FloatArray, labels: IntArray, fold: IntArray
    ) -> FloatArray:
        """Each row's calibrated probabilities from a calibration fitted on the other folds."""
        held_out = np.empty_like(probabilities)
        for k in range(self.folds):
            fitted = make_calibration("PerformanceEstimator", calibration).fit(
                probabilities[fold != k], labels[fold != k]
            )
            held_out[fold == k] = fitted.calibrate(probabilities[fold == k])
        return held_out

    def calibrate(self, probabilities: npt.ArrayLike) -> FloatArray:
        """Each row's calibrated probability of each class (rows sum to 1)."""
        calibration, _ = self._fitted()
        owner = "PerformanceEstimator.calibrate"
        return calibration.calibrate(_probabilities(owner, "current", probabilities))

    def _shift(self, confidence: FloatArray) -> tuple[float, list[str]]:
        reference = self._reference_confidence
        ks = stats.ks_2samp(reference, confidence, method="asymp")
        distance = float(ks.statistic)
        reasons = []
        if distance >= self.max_shift and float(ks.pvalue) < SHIFT_P_VALUE:
            reasons.append(
                f"the current confidence moved away from the reference's (Kolmogorov-Smirnov "
                f"distance {distance:.2f} >= {self.max_shift:g}), so the calibration is "
                "applied where it was not checked"
            )
        outside = float(np.mean((confidence < reference[0]) | (confidence > reference[-1])))
        if outside > SUPPORT_SHARE:
            reasons.append(
                f"{outside:.0%} of current rows have a confidence outside the reference's "
                f"range [{reference[0]:.3g}, {reference[-1]:.3g}]"
            )
        return distance, reasons

    def _half_width(self, assessment: _Assessment, name: str, z: float) -> float:
        variance = assessment.rows_variance[name] + assessment.calibration_variance[name]
        return z * math.sqrt(variance) if math.isfinite(variance) else float("nan")

    def _label_check(self, assessment: _Assessment, name: str, where: str) -> list[str]:
        value, realized = assessment.values[name], assessment.realized[name]
        if math.isnan(value):
            return [f"{name} is undefined on these rows"]
        if math.isnan(realized):
            return []
        allowed = self._half_width(assessment, name, CHECK_Z)
        if abs(value - realized) > allowed:
            return [
                f"{where}, the estimated {name} {value:.3f} misses the realized {realized:.3f} "
                f"by more than {CHECK_Z:.2f} standard errors ({allowed:.3f}): the link between "
                "confidence and correctness changed"
            ]
        return []

    def _metric(
        self, name: str, assessment: _Assessment, *, reliable: bool, reason: str
    ) -> MetricEstimate:
        value = assessment.values[name]
        # the rows' own tails (skewed near 0 and 1), widened by the calibration's variance
        z = float(special.ndtri(1 - self.alpha / 2))
        below, above = (
            math.sqrt(tail**2 + z**2 * assessment.calibration_variance[name])
            for tail in assessment.rows_tails[name]
        )
        low = max(value - below, 0.0) if math.isfinite(below) else float("nan")
        high = min(value + above, 1.0) if math.isfinite(above) else float("nan")
        reference = self.reference_values_.get(name, float("nan"))
        realized = assessment.realized[name]
        return MetricEstimate(
            metric=name,
            value=value,
            low=low,
            high=high,
            reference=reference,
            realized=None if math.isnan(realized) else realized,
            reliable=reliable,
            reason=reason,
            degraded=bool(high < reference),
        )

    def _result(
        self,
        n_rows: int,
        metrics: list[MetricEstimate],
        assessment: _Assessment,
        labels: IntArray | None,
        decisions: IntArray,
        shift: float,
        extra: tuple[str, ...],
    ) -> PerformanceEstimate:
        reasons = tuple(
            dict.fromkeys(
                [f"{m.metric}: {m.reason}" for m in metrics if not m.reliable] + list(extra)
            )
        )
        realized = None
        if labels is not None:
            labelled = confusion_matrix(labels, decisions, self.n_classes_)
            realized = tuple(tuple(int(c) for c in row) for row in labelled)
        return PerformanceEstimate(
            n=n_rows,
            metrics=tuple(metrics),
            confusion=tuple(tuple(float(c) for c in row) for row in assessment.confusion),
            realized_confusion=realized,
            reliable=all(m.reliable for m in metrics),
            reasons=reasons,
            degraded=any(m.degraded for m in metrics),
            confidence_shift=shift,
            method=(
                f"{self.calibration_} calibration on {self.n_reference_} reference rows; normal "
                f"{1 - self.alpha:.0%} interval on the simulated variance of the realized "
                f"metric ({self.draws} draws) plus the calibration's ({self.bootstraps} "
                "bootstrap refits)"
            ),
        )
