"""Classification metrics, realized from labels or expected from class probabilities.

One table of metric names, :data:`METRICS`, and two ways to compute each:

- *realized*: from true labels, the deployed decisions and the model's scores;
- *expected*: from each row's (calibrated) probability of each class instead of its label,
  as NannyML's CBPE does: the expected confusion matrix is ``E[C[k, j]] = sum of q_ik over
  the rows decided j``, and precision, recall, F1 and accuracy are read from it; ROC AUC is
  the Mann-Whitney statistic with every row counted as ``q`` of a positive and ``1 - q`` of
  a negative (pairs of distinct rows; ties count one half).

Every metric is a function of a confusion matrix except ROC AUC, so the functions here take
a stack of confusion matrices (``(..., K, K)``, true class by row, decision by column, as
scikit-learn's) and answer a stack of values, which is how the simulation behind the
intervals computes hundreds at once. Undefined ratios (no predicted positive, no true
positive) are 0, as scikit-learn's ``zero_division`` default answers. Averages: ``binary``
is class 1 of two; ``macro`` the plain mean over all K classes; ``weighted`` the mean
weighted by each class's true count. ROC AUC of K > 2 classes is one-vs-rest, macro.

>>> import numpy as np
>>> labels, decisions = np.array([0, 1, 1, 1]), np.array([0, 1, 0, 1])
>>> confusion = confusion_matrix(labels, decisions, 2)
>>> confusion.tolist()
[[1, 0], [1, 2]]
>>> [round(float(from_confusion(name, confusion)), 3) for name in ("accuracy", "recall", "f1")]
[0.75, 0.667, 0.8]
"""

import numpy as np
import numpy.typing as npt
from scipy import stats

from shiftwatch.errors import InvalidParameterError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

METRICS: dict[str, str] = {
    "accuracy": "share of rows decided right",
    "precision": "precision of class 1 (binary)",
    "recall": "recall of class 1 (binary)",
    "f1": "F1 of class 1 (binary)",
    "precision_macro": "precision, mean over classes",
    "recall_macro": "recall, mean over classes",
    "f1_macro": "F1, mean over classes",
    "precision_weighted": "precision, mean weighted by class support",
    "recall_weighted": "recall, mean weighted by class support",
    "f1_weighted": "F1, mean weighted by class support",
    "roc_auc": "ROC AUC (binary; one-vs-rest macro for more classes)",
}
"""Every metric by name, with what it means."""

BINARY_ONLY = frozenset({"precision", "recall", "f1"})


def check_metrics(owner: str, metrics: object, n_classes: int | None = None) -> tuple[str, ...]:
    """The metric names, checked against :data:`METRICS` (and binary-only ones against K)."""
    if isinstance(metrics, str) or not isinstance(metrics, list | tuple) or not metrics:
        raise InvalidParameterError(
            f"The 'metrics' parameter of {owner} must be a non-empty list of names from "
            f"{sorted(METRICS)}. Got {metrics!r} instead."
        )
    for name in metrics:
        if name not in METRICS:
            raise InvalidParameterError(
                f"The 'metrics' parameter of {owner} must name metrics from "
                f"{sorted(METRICS)}. Got {name!r} instead."
            )
        if n_classes is not None and n_classes > 2 and name in BINARY_ONLY:
            raise InvalidParameterError(
                f"The metric {name!r} of {owner} is for two classes; with {n_classes} "
                f"classes ask for '{name}_macro' or '{name}_weighted'."
            )
    return tuple(metrics)


def default_metrics(n_classes: int) -> tuple[str, ...]:
    """Accuracy, precision, recall, F1 (binary, or macro for K > 2) and ROC AUC."""
    if n_classes == 2:
        return ("accuracy", "precision", "recall", "f1", "roc_auc")
    return ("accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc")


def confusion_matrix(labels: IntArray, decisions: IntArray, n_classes: int) -> IntArray:
    """Counts of (true class, decision) pairs, true class by row."""
    counts = np.bincount(labels * n_classes + decisions, minlength=n_classes * n_classes)
    result: IntArray = counts.reshape(n_classes, n_classes).astype(np.intp)
    return result


def expected_confusion_matrix(class_probabilities: FloatArray, decisions: IntArray) -> FloatArray:
    """The expected confusion matrix when row ``i`` is of class ``k`` with ``q_ik``."""
    n_classes = class_probabilities.shape[1]
    columns = [
        np.bincount(decisions, weights=class_probabilities[:, k], minlength=n_classes)
        for k in range(n_classes)
    ]
    result: FloatArray = np.vstack(columns)
    return result


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    safe = np.where(denominator > 0, denominator, 1.0)
    result: FloatArray = np.where(denominator > 0, numerator / safe, 0.0)
    return result


def from_confusion(name: str, confusion: npt.ArrayLike) -> FloatArray:
    """A metric other than ROC AUC from a stack of confusion matrices ``(..., K, K)``."""
    matrix = np.asarray(confusion, dtype=np.float64)
    total = matrix.sum(axis=(-2, -1))
    hits = np.diagonal(matrix, axis1=-2, axis2=-1)
    if name == "accuracy":
        return _ratio(hits.sum(axis=-1), total)
    true_count = matrix.sum(axis=-1)
    decided = matrix.sum(axis=-2)
    kind, _, average = name.partition("_")
    if kind == "precision":
        per_class = _ratio(hits, decided)
    elif kind == "recall":
        per_class = _ratio(hits, true_count)
    elif kind == "f1":
        per_class = _ratio(2 * hits, decided + true_count)
    else:
        raise InvalidParameterError(f"No confusion-matrix metric is called {name!r}.")
    if average == "":
        result: FloatArray = per_class[..., 1]
    elif average == "macro":
        result = per_class.mean(axis=-1)
    else:
        result = _ratio((per_class * true_count).sum(axis=-1), true_count.sum(axis=-1))
    return result


def _binary_auc(labels: npt.NDArray[np.bool_], scores: FloatArray) -> float:
    positives = int(labels.sum())
    negatives = labels.size - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = stats.rankdata(scores)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _score_columns(scores: FloatArray) -> list[int]:
    return [1] if scores.shape[1] == 2 else list(range(scores.shape[1]))


def roc_auc(labels: IntArray, scores: FloatArray) -> float:
    """Realized ROC AUC; ``scores`` has a column per class (class 1's column when binary).

    NaN when a class of the one-vs-rest pairs has no row (the AUC is then undefined).
    """
    return float(np.mean([_binary_auc(labels == k, scores[:, k]) for k in _score_columns(scores)]))


def score_levels(scores: FloatArray) -> list[tuple[IntArray, int]]:
    """Each scored column's level index per row and number of levels, for ROC AUC.

    Computed once per set of rows, it spares :func:`expected_roc_auc` a sort per call.
    """
    levels = []
    for k in _score_columns(scores):
        values, inverse = np.unique(scores[:, k], return_inverse=True)
        levels.append((inverse.astype(np.intp), int(values.size)))
    return levels


def _expected_binary_auc(positive: FloatArray, inverse: IntArray, n_levels: int) -> float:
    negative = 1.0 - positive
    negative_at = np.bincount(inverse, weights=negative, minlength=n_levels)
    below = np.concatenate(([0.0], np.cumsum(negative_at)[:-1]))
    beaten = below[inverse] + 0.5 * (negative_at[inverse] - negative)  # other rows only
    pairs = positive.sum() * negative.sum() - float(np.dot(positive, negative))
    return float(np.dot(positive, beaten) / pairs) if pairs > 0 else float("nan")


def expected_roc_auc(
    class_probabilities: FloatArray,
    scores: FloatArray,
    levels: list[tuple[IntArray, int]] | None = None,
) -> float:
    """ROC AUC expected when row ``i`` is of class ``k`` with ``q_ik``, ranked by ``scores``.

    ``levels`` is :func:`score_levels` of the scores, when already known.
    """
    if levels is None:
        levels = score_levels(scores)
    columns = _score_columns(scores)
    return float(
        np.mean(
            [
                _expected_binary_auc(class_probabilities[:, k], inverse, n_levels)
                for k, (inverse, n_levels) in zip(columns, levels, strict=True)
            ]
        )
    )


def simulated_roc_auc(simulated_labels: IntArray, scores: FloatArray) -> FloatArray:
    """ROC AUC of each row of ``simulated_labels`` (``(draws, n)``) against fixed scores."""
    values = []
    for k in _score_columns(scores):
        ranks = stats.rankdata(scores[:, k])
        positive = simulated_labels == k
        count = positive.sum(axis=1).astype(np.float64)
        rank_sum = positive.astype(np.float64) @ ranks
        pairs = count * (scores.shape[0] - count)
        auc = (rank_sum - count * (count + 1) / 2) / np.where(pairs > 0, pairs, 1.0)
        values.append(np.where(pairs > 0, auc, np.nan))
    result: FloatArray = np.mean(values, axis=0)
    return result
