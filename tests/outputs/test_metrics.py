"""Metrics against scikit-learn; expected metrics equal realized ones on one-hot probabilities."""

import numpy as np
import pytest
from sklearn import metrics as skm

from shiftwatch.errors import InvalidParameterError
from shiftwatch.outputs.metrics import (
    METRICS,
    check_metrics,
    confusion_matrix,
    default_metrics,
    expected_confusion_matrix,
    expected_roc_auc,
    from_confusion,
    roc_auc,
    simulated_roc_auc,
)

SKLEARN = {
    "accuracy": lambda y, d, k: skm.accuracy_score(y, d),
    "precision": lambda y, d, k: skm.precision_score(y, d, zero_division=0),
    "recall": lambda y, d, k: skm.recall_score(y, d, zero_division=0),
    "f1": lambda y, d, k: skm.f1_score(y, d, zero_division=0),
    **{
        f"{name}_{average}": (
            lambda y, d, k, f=function, a=average: f(
                y, d, labels=list(range(k)), average=a, zero_division=0
            )
        )
        for name, function in (
            ("precision", skm.precision_score),
            ("recall", skm.recall_score),
            ("f1", skm.f1_score),
        )
        for average in ("macro", "weighted")
    },
}


def random_outputs(
    seed: int, n: int, classes: int, decimals: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    probabilities = rng.dirichlet(np.ones(classes), size=n)
    if decimals is not None:
        probabilities = np.round(probabilities, decimals)
    labels = np.where(
        rng.random(n) < 0.6, probabilities.argmax(axis=1), rng.integers(0, classes, n)
    )
    decisions = np.where(
        rng.random(n) < 0.8, probabilities.argmax(axis=1), rng.integers(0, classes, n)
    )
    return probabilities, labels, decisions


@pytest.mark.parametrize("classes", [2, 3, 5], ids=["binary", "3-classes", "5-classes"])
@pytest.mark.parametrize("seed", [1, 2])
def test_metrics_match_scikit_learn(classes: int, seed: int) -> None:
    _, labels, decisions = random_outputs(seed, 300, classes)
    confusion = confusion_matrix(labels, decisions, classes)
    np.testing.assert_array_equal(
        confusion, skm.confusion_matrix(labels, decisions, labels=list(range(classes)))
    )
    for name, reference in SKLEARN.items():
        if classes > 2 and name in ("precision", "recall", "f1"):
            continue
        assert from_confusion(name, confusion) == pytest.approx(
            reference(labels, decisions, classes), abs=1e-12
        ), name


@pytest.mark.parametrize("classes", [2, 4], ids=["binary", "4-classes"])
def test_roc_auc_matches_scikit_learn_with_ties(classes: int) -> None:
    probabilities, labels, _ = random_outputs(3, 400, classes, decimals=1)  # many ties
    probabilities /= probabilities.sum(axis=1, keepdims=True)  # as scikit-learn demands
    expected = (
        skm.roc_auc_score(labels, probabilities[:, 1])
        if classes == 2
        else skm.roc_auc_score(labels, probabilities, multi_class="ovr")
    )
    assert roc_auc(labels, probabilities) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("classes", [2, 3], ids=["binary", "3-classes"])
def test_expected_metrics_of_one_hot_probabilities_are_the_realized_ones(classes: int) -> None:
    probabilities, labels, decisions = random_outputs(4, 250, classes, decimals=2)
    one_hot = np.eye(classes)[labels]
    np.testing.assert_allclose(
        expected_confusion_matrix(one_hot, decisions), confusion_matrix(labels, decisions, classes)
    )
    assert expected_roc_auc(one_hot, probabilities) == pytest.approx(
        roc_auc(labels, probabilities), abs=1e-12
    )


def test_expected_roc_auc_is_the_mean_over_simulated_labels() -> None:
    rng = np.random.default_rng(5)
    scores = np.round(rng.random(60), 1)
    positive = np.clip(scores + rng.normal(0, 0.2, 60), 0.05, 0.95)
    class_probabilities = np.column_stack([1 - positive, positive])
    simulated = (rng.random((40_000, 60)) < positive).astype(np.intp)
    auc = simulated_roc_auc(simulated, np.column_stack([1 - scores, scores]))
    expected = expected_roc_auc(class_probabilities, np.column_stack([1 - scores, scores]))
    # the expectation of a ratio is not the ratio of expectations: close, for 60 rows
    assert np.nanmean(auc) == pytest.approx(expected, abs=0.005)
    for draw in range(3):
        assert auc[draw] == pytest.approx(skm.roc_auc_score(simulated[draw], scores), abs=1e-12)


def test_undefined_ratios_are_zero_and_one_class_auc_is_nan() -> None:
    confusion = np.array([[5, 0], [0, 0]])
    assert from_confusion("precision", confusion) == 0.0
    assert from_confusion("recall", confusion) == 0.0
    assert from_confusion("accuracy", confusion) == 1.0
    assert np.isnan(roc_auc(np.zeros(4, dtype=np.intp), np.full((4, 2), 0.5)))


def test_stacks_of_confusion_matrices() -> None:
    stack = np.array([[[3, 1], [2, 4]], [[5, 0], [1, 4]]])
    np.testing.assert_allclose(from_confusion("accuracy", stack), [0.7, 0.9])
    np.testing.assert_allclose(from_confusion("recall", stack), [4 / 6, 4 / 5])


def test_names_are_checked() -> None:
    assert set(default_metrics(2)) <= set(METRICS)
    assert "f1_macro" in default_metrics(3)
    assert check_metrics("owner", ["accuracy", "f1"]) == ("accuracy", "f1")
    with pytest.raises(InvalidParameterError, match="must name metrics from"):
        check_metrics("owner", ["accuracy", "auc"])
    with pytest.raises(InvalidParameterError, match="must be a non-empty list"):
        check_metrics("owner", "accuracy")
    with pytest.raises(InvalidParameterError, match="ask for 'f1_macro' or 'f1_weighted'"):
        check_metrics("owner", ["f1"], n_classes=3)
    with pytest.raises(InvalidParameterError, match="No confusion-matrix metric"):
        from_confusion("roc_auc", np.eye(2))
