"""Drift of a model's outputs: the class mix, the confidence, the whole probability vector.

The reference outputs are the model's outputs on data it is known to handle (a held-out set);
the current outputs are its outputs in production. What runs depends on what the model gives:

- **Class probabilities** (``kind="probabilities"``: one row per prediction, one column per
  class) give three checks:

  ``class_mix``
      Pearson's chi-squared test of the predicted-class counts (:func:`shiftwatch.stats.chi2`,
      sparse classes pooled); effect: total variation distance (share of predictions that
      changed class).
  ``confidence``
      Kolmogorov–Smirnov test of the top probability (:func:`shiftwatch.stats.ks`); effect:
      Wasserstein-1 distance in reference standard deviations.
  ``probabilities``
      Black-box shift detection (BBSD: Rabanser, Günnemann & Lipton, "Failing Loudly",
      NeurIPS 2019, the best of their detectors): a KS test per class probability, the smallest
      p-value Bonferroni-adjusted over the classes (:func:`shiftwatch.stats.bonferroni`);
      effect: the largest per-class KS effect.

- **Predicted labels** only (``kind="labels"``: a 1-D array of classes) give ``class_mix``.
- **Regression outputs** (``kind="regression"``: a 1-D array of numbers) give ``prediction``,
  a KS test of the predicted values.

The p-values of the checks are Holm-adjusted together (:func:`shiftwatch.stats.holm`). A check
is drifted when its adjusted p-value is at most ``alpha`` and its effect reaches its threshold;
the report is drifted when any check is. Bonferroni and Holm hold under any dependence between
the tests, so on outputs whose distribution did not change (reference and current rows drawn
from one distribution) ``drifted`` is True at most ``alpha`` of the time: exactly so for the KS
tests (exact p-values up to 10,000 rows a side, conservative with ties), approximately for the
chi-squared test (asymptotic; classes expected fewer than 5 times are pooled).
``tests/outputs/test_drift.py`` measures it on digits.

``kind="auto"`` reads 2-D outputs as probabilities, 1-D numbers with a fractional part as
regression outputs, and anything else (strings, booleans, integers, whole-number floats) as
labels; name the kind when a regressor predicts whole numbers.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> reference = rng.dirichlet([4.0, 2.0, 1.0], size=500)
>>> report = output_drift(reference, rng.dirichlet([4.0, 2.0, 1.0], size=200))
>>> report.kind, report.drifted
('probabilities', False)
>>> report = output_drift(reference, rng.dirichlet([1.0, 2.0, 4.0], size=200))
>>> report.drifted, report.drifted_checks
(True, ('class_mix', 'probabilities'))
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import check_alpha, check_parameter, check_threshold
from shiftwatch.drift_report import Check, decision_reason
from shiftwatch.errors import InvalidParameterError, NoDataError, SchemaError
from shiftwatch.stats import bonferroni, chi2, holm, ks
from shiftwatch.stats.result import TestResult
from shiftwatch.stats.total_variation_distance import DEFAULT_THRESHOLD as CLASS_MIX_THRESHOLD
from shiftwatch.stats.wasserstein_distance import DEFAULT_THRESHOLD as KS_THRESHOLD

KINDS = ("auto", "probabilities", "labels", "regression")
CHECKS = {
    "probabilities": ("class_mix", "confidence", "probabilities"),
    "labels": ("class_mix",),
    "regression": ("prediction",),
}
DEFAULT_THRESHOLDS = {
    "class_mix": CLASS_MIX_THRESHOLD,
    "confidence": KS_THRESHOLD,
    "probabilities": KS_THRESHOLD,
    "prediction": KS_THRESHOLD,
}


@dataclass(frozen=True)
class OutputDriftReport:
    """What :func:`output_drift` found: one :class:`~shiftwatch.drift_report.Check` per test.

    ``kind`` is "probabilities", "labels" or "regression"; each check's ``adjusted_p_value`` is
    Holm-adjusted across the checks of this report, so ``drifted`` (any check significant after
    the adjustment and material) has a false-alarm rate of at most ``alpha``.
    """

    kind: str
    checks: tuple[Check, ...]
    alpha: float
    n_reference: int
    n_current: int

    @property
    def drifted(self) -> bool:
        """Whether any check is significant after the Holm adjustment and material."""
        return any(c.drifted for c in self.checks)

    @property
    def drifted_checks(self) -> tuple[str, ...]:
        """The names of the drifted checks, in report order."""
        return tuple(c.name for c in self.checks if c.drifted)

    def check(self, name: str) -> Check | None:
        """The check of that name ("class_mix", "confidence", ...), if it ran."""
        return next((c for c in self.checks if c.name == name), None)


def _as_outputs(role: str, outputs: npt.ArrayLike) -> npt.NDArray[Any]:
    array = np.asarray(outputs)
    if array.ndim not in (1, 2):
        raise SchemaError(
            f"The {role} outputs of output_drift must be one prediction per row (1-D) or one "
            f"row of class probabilities per row (2-D); got shape {array.shape}."
        )
    if array.shape[0] == 0:
        raise NoDataError(f"The {role} outputs of output_drift are empty.")
    return array


def _is_numeric(array: npt.NDArray[Any]) -> bool:
    return np.issubdtype(array.dtype, np.number) and not np.issubdtype(array.dtype, np.bool_)


def _infer_kind(reference: npt.NDArray[Any]) -> str:
    if reference.ndim == 2:
        return "probabilities"
    if np.issubdtype(reference.dtype, np.floating):
        finite = reference[np.isfinite(reference)]
        if np.any(finite != np.round(finite)):
            return "regression"
    return "labels"


def _check_kind(kind: str, reference: npt.NDArray[Any], current: npt.NDArray[Any]) -> None:
    if reference.ndim != current.ndim:
        raise SchemaError(
            "The reference and current outputs of output_drift must have the same form; got "
            f"{reference.ndim}-D reference and {current.ndim}-D current outputs."
        )
    if kind == "probabilities":
        if reference.ndim != 2 or reference.shape[1] < 2:
            raise SchemaError(
                "Probabilities given to output_drift must be 2-D with one column per class "
                f"(at least 2); got shape {reference.shape}."
            )
        if reference.shape[1] != current.shape[1]:
            raise SchemaError(
                f"The reference outputs have {reference.shape[1]} classes and the current "
                f"outputs {current.shape[1]}; they must come from the same model."
            )
        for role, array in (("reference", reference), ("current", current)):
            if not _is_numeric(array) or not np.all((array >= 0) & (array <= 1)):
                raise InvalidParameterError(
                    f"The {role} probabilities of output_drift must be numbers in [0, 1]."
                )
    elif reference.ndim != 1:
        raise SchemaError(
            f"{kind.capitalize()} outputs given to output_drift must be 1-D (one per row); "
            f"got shape {reference.shape}."
        )
    elif kind == "regression" and not (_is_numeric(reference) and _is_numeric(current)):
        raise InvalidParameterError(
            "Regression outputs given to output_drift must be numbers; got "
            f"{reference.dtype} and {current.dtype}."
        )


def _class_counts(
    kind: str, reference: npt.NDArray[Any], current: npt.NDArray[Any]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Predicted-class counts of both sides, aligned over the same classes."""
    if kind == "probabilities":
        n_classes = reference.shape[1]
        return (
            np.bincount(reference.argmax(axis=1), minlength=n_classes),
            np.bincount(current.argmax(axis=1), minlength=n_classes),
        )
    _, codes = np.unique(np.concatenate([reference, current]), return_inverse=True)
    n_classes = int(codes.max()) + 1
    return (
        np.bincount(codes[: reference.size], minlength=n_classes),
        np.bincount(codes[reference.size :], minlength=n_classes),
    )


def black_box_shift(
    reference_probabilities: npt.NDArray[np.float64],
    current_probabilities: npt.NDArray[np.float64],
    *,
    alpha: float = 0.05,
    threshold: float = KS_THRESHOLD,
) -> TestResult:
    """BBSD: a KS test per class probability, the smallest p-value Bonferroni-adjusted.

    ``statistic`` is the largest KS distance and ``effect`` the largest per-class effect
    (Wasserstein-1 in reference standard deviations); ``method`` names the class with the
    smallest p-value.

    >>> rng = np.random.default_rng(1)
    >>> result = black_box_shift(rng.dirichlet([1.0, 1.0], size=300),
    ...                          rng.dirichlet([1.0, 3.0], size=300))
    >>> result.test, result.p_value < 1e-6, result.method
    ('bbsd', True, 'KS per class probability, Bonferroni over 2 classes; smallest p: class 0')
    """
    results = [
        ks(reference_probabilities[:, k], current_probabilities[:, k], alpha=alpha)
        for k in range(reference_probabilities.shape[1])
    ]
    adjusted = bonferroni([r.p_value for r in results if r.p_value is not None])
    smallest = int(np.argmin(adjusted))
    return TestResult(
        test="bbsd",
        statistic=max(r.statistic for r in results),
        p_value=float(adjusted[smallest]),
        effect=max(r.effect for r in results),
        effect_unit=results[0].effect_unit,
        threshold=threshold,
        alpha=alpha,
        n_reference=reference_probabilities.shape[0],
        n_current=current_probabilities.shape[0],
        method=(
            f"KS per class probability, Bonferroni over {len(results)} classes; "
            f"smallest p: class {smallest}"
        ),
    )


def _run_checks(
    kind: str,
    reference: npt.NDArray[Any],
    current: npt.NDArray[Any],
    alpha: float,
    thresholds: Mapping[str, float],
) -> list[tuple[str, TestResult]]:
    if kind == "regression":
        return [
            ("prediction", ks(reference, current, alpha=alpha, threshold=thresholds["prediction"]))
        ]
    reference_counts, current_counts = _class_counts(kind, reference, current)
    results = [
        (
            "class_mix",
            chi2(reference_counts, current_counts, alpha=alpha, threshold=thresholds["class_mix"]),
        )
    ]
    if kind == "probabilities":
        ref, cur = reference.astype(np.float64), current.astype(np.float64)
        confidence = ks(
            ref.max(axis=1), cur.max(axis=1), alpha=alpha, threshold=thresholds["confidence"]
        )
        results.append(("confidence", confidence))
        vector = black_box_shift(ref, cur, alpha=alpha, threshold=thresholds["probabilities"])
        results.append(("probabilities", vector))
    return results


def _thresholds(kind: str, overrides: Mapping[str, float] | None) -> dict[str, float]:
    thresholds = dict(DEFAULT_THRESHOLDS)
    for name, value in (overrides or {}).items():
        check_parameter(
            "output_drift",
            "thresholds",
            name,
            lambda n: n in CHECKS[kind],
            f"keyed by the checks of {kind} outputs {CHECKS[kind]}",
        )
        thresholds[name] = check_threshold("output_drift", value)
    return thresholds


def output_drift(
    reference_outputs: npt.ArrayLike,
    current_outputs: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    kind: str = "auto",
    thresholds: Mapping[str, float] | None = None,
) -> OutputDriftReport:
    """Test whether a model's current outputs are distributed as its reference outputs.

    ``kind`` is "auto", "probabilities", "labels" or "regression" (see the module docstring
    for what each runs); ``thresholds`` overrides the materiality threshold of a check by its
    name ("class_mix": total variation 0.05; "confidence", "probabilities", "prediction":
    0.1 reference standard deviations).

    >>> report = output_drift([1.2, 0.7, 3.1, 2.2, 1.9], [5.3, 6.1, 4.8, 5.5, 6.0])
    >>> report.kind, report.check("prediction").result.test, report.drifted
    ('regression', 'ks', True)
    """
    check_alpha("output_drift", alpha)
    check_parameter("output_drift", "kind", kind, lambda k: k in KINDS, f"one of {KINDS}")
    reference = _as_outputs("reference", reference_outputs)
    current = _as_outputs("current", current_outputs)
    resolved = _infer_kind(reference) if kind == "auto" else kind
    _check_kind(resolved, reference, current)
    results = _run_checks(resolved, reference, current, alpha, _thresholds(resolved, thresholds))
    adjusted = holm([r.p_value for _, r in results if r.p_value is not None]).tolist()
    checks = tuple(
        Check(name, result, p, decision_reason(result, p))
        for (name, result), p in zip(results, adjusted, strict=True)
    )
    return OutputDriftReport(
        kind=resolved,
        checks=checks,
        alpha=alpha,
        n_reference=int(reference.shape[0]),
        n_current=int(current.shape[0]),
    )
