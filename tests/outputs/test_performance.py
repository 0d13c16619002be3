"""PerformanceEstimator: accuracy of the estimates, interval coverage, reliability, degraded.

Simulated classifiers (tests/outputs/simulated.py) whose calibration is known; realized
metrics are checked against scikit-learn on the same rows.
"""

import json
import pickle
import warnings

import numpy as np
import pytest
from scipy import special
from sklearn import metrics as skm

import shiftwatch as sw
from shiftwatch.errors import InvalidParameterError, NoDataError, ShiftwatchWarning
from shiftwatch.outputs import PerformanceEstimate, PerformanceEstimator
from tests.outputs.simulated import Classifier

OVERCONFIDENT = Classifier(scale=3.0, sharpness=2.0, decimals=2)
UNDERCONFIDENT = Classifier(scale=3.0, sharpness=0.5)
MULTICLASS = Classifier(classes=4, scale=3.0, sharpness=1.7, decimals=2)


def quiet_estimate(
    estimator: PerformanceEstimator, *args: object, **kwargs: object
) -> PerformanceEstimate:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShiftwatchWarning)
        return estimator.estimate(*args, **kwargs)  # type: ignore[arg-type]


def test_default_metrics_follow_the_number_of_classes() -> None:
    rng = np.random.default_rng(1)
    binary = PerformanceEstimator().fit(*OVERCONFIDENT.sample(rng, 1_000))
    multiclass = PerformanceEstimator().fit(*MULTICLASS.sample(rng, 1_000))
    current = OVERCONFIDENT.sample(rng, 500)[0]
    assert binary.estimate(current).names == ("accuracy", "precision", "recall", "f1", "roc_auc")
    assert multiclass.estimate(MULTICLASS.sample(rng, 500)[0]).names == (
        "accuracy",
        "precision_macro",
        "recall_macro",
        "f1_macro",
        "roc_auc",
    )
    assert sw.PerformanceEstimator is PerformanceEstimator


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(OVERCONFIDENT, id="overconfident-rounded"),
        pytest.param(UNDERCONFIDENT, id="underconfident"),
        pytest.param(MULTICLASS, id="multiclass-overconfident"),
    ],
)
def test_estimates_are_close_where_raw_confidence_is_not(model: Classifier) -> None:
    rng = np.random.default_rng(2)
    metrics = ["accuracy", "f1_weighted", "precision_macro", "recall_macro", "roc_auc"]
    estimator = PerformanceEstimator(metrics).fit(*model.sample(rng, 10_000))
    errors, raw_errors = [], []
    for _ in range(4):
        probabilities, labels = model.sample(rng, 3_000)
        estimate = estimator.estimate(probabilities, labels=labels)
        assert estimate.reliable, estimate.reasons
        errors.append([abs(m.value - m.realized) for m in estimate.metrics])  # type: ignore[operator]
        accuracy = estimate["accuracy"].realized
        raw_errors.append(abs(probabilities.max(1).mean() - accuracy))
    assert np.max(np.mean(errors, axis=0)) <= 0.015  # measured 0.4-1.0 points
    assert np.mean(raw_errors) >= 0.03  # the raw confidence misses by 3 points or more


def test_realized_metrics_and_confusion_are_scikit_learns() -> None:
    rng = np.random.default_rng(3)
    names = ["accuracy", "precision_weighted", "recall_macro", "f1_macro", "roc_auc"]
    estimator = PerformanceEstimator(names).fit(*MULTICLASS.sample(rng, 3_000))
    probabilities, labels = MULTICLASS.sample(rng, 1_000)
    decisions = probabilities.argmax(1)
    estimate = estimator.estimate(probabilities, labels=labels)
    every = list(range(4))
    expected = {
        "accuracy": skm.accuracy_score(labels, decisions),
        "precision_weighted": skm.precision_score(
            labels, decisions, labels=every, average="weighted"
        ),
        "recall_macro": skm.recall_score(labels, decisions, labels=every, average="macro"),
        "f1_macro": skm.f1_score(labels, decisions, labels=every, average="macro"),
    }
    for name, value in expected.items():
        assert estimate[name].realized == pytest.approx(value, abs=1e-12)
    assert estimate.realized_confusion == tuple(
        map(tuple, skm.confusion_matrix(labels, decisions, labels=every).tolist())
    )
    assert np.sum(estimate.confusion) == pytest.approx(1_000)
    np.testing.assert_allclose(
        np.sum(estimate.confusion, axis=0), np.bincount(decisions, minlength=4)
    )


def test_a_065_threshold_is_scored_as_deployed() -> None:
    rng = np.random.default_rng(4)
    model = Classifier(scale=3.0, sharpness=1.5, decimals=2)
    estimator = PerformanceEstimator(threshold=0.65).fit(*model.sample(rng, 10_000))
    argmax = PerformanceEstimator().fit(*model.sample(rng, 10_000))
    probabilities, labels = model.sample(rng, 5_000)
    decisions = (probabilities[:, 1] >= 0.65).astype(int)
    estimate = estimator.estimate(probabilities, labels=labels)
    assert estimate["precision"].realized == pytest.approx(skm.precision_score(labels, decisions))
    assert estimate["recall"].realized == pytest.approx(skm.recall_score(labels, decisions))
    assert estimate["roc_auc"].realized == pytest.approx(
        skm.roc_auc_score(labels, probabilities[:, 1])
    )
    for metric in estimate.metrics:
        assert metric.value == pytest.approx(metric.realized, abs=0.015), metric
    at_half = argmax.estimate(probabilities, labels=labels)
    assert at_half["recall"].realized - estimate["recall"].realized > 0.03  # it matters
    assert at_half["recall"].value - estimate["recall"].value > 0.03
    given = estimator.estimate(probabilities, predictions=decisions, labels=labels)
    assert given.metrics == estimate.metrics  # given predictions are the same decisions


def test_concept_shift_is_invisible_without_labels_and_flagged_with_them() -> None:
    rng = np.random.default_rng(5)
    estimator = PerformanceEstimator().fit(*OVERCONFIDENT.sample(rng, 10_000))
    probabilities, labels = OVERCONFIDENT.sample(rng, 5_000, concept=-1.5)
    blind = estimator.estimate(probabilities)
    assert blind.reliable  # the outputs look like the reference's: nothing to see
    with pytest.warns(ShiftwatchWarning, match="link between confidence and correctness"):
        seen = estimator.estimate(probabilities, labels=labels)
    assert not seen.reliable
    accuracy = seen["accuracy"]
    assert accuracy.value - accuracy.realized > 0.03  # type: ignore[operator]
    assert "link between confidence and correctness changed" in accuracy.reason


def test_outputs_that_left_the_reference_are_flagged() -> None:
    rng = np.random.default_rng(6)
    estimator = PerformanceEstimator().fit(*OVERCONFIDENT.sample(rng, 10_000))
    probabilities, _ = OVERCONFIDENT.sample(rng, 2_000, spread=0.2)  # all near the boundary
    with pytest.warns(ShiftwatchWarning, match="Kolmogorov-Smirnov distance"):
        estimate = estimator.estimate(probabilities)
    assert not estimate.reliable
    assert estimate.confidence_shift >= 0.3
    assert all("Kolmogorov-Smirnov" in m.reason for m in estimate.metrics)
    mild = estimator.estimate(OVERCONFIDENT.sample(rng, 2_000, shift=0.3)[0])
    assert mild.reliable  # a mild covariate shift is what calibration carries over
    assert mild.confidence_shift < 0.1


def test_self_check_catches_a_calibration_that_cannot_fit() -> None:
    """A binary model off by a constant logit: one temperature cannot fix it, isotonic can."""
    rng = np.random.default_rng(7)
    logits = rng.normal(size=5_000) * 2.0
    labels = (rng.random(5_000) < special.expit(logits)).astype(int)
    positive = special.expit(logits + 2.5)
    probabilities = np.column_stack([1 - positive, positive])
    with pytest.warns(ShiftwatchWarning, match="self-check failed"):
        temperature = PerformanceEstimator(["accuracy"], calibration="temperature").fit(
            probabilities, labels
        )
    assert not temperature.reliable_
    assert "held-out reference folds" in temperature.self_check_["accuracy"].reason  # type: ignore[index]
    isotonic = PerformanceEstimator(["accuracy"], calibration="isotonic").fit(probabilities, labels)
    assert isotonic.reliable_
    with pytest.warns(ShiftwatchWarning, match="self-check failed"):
        assert not temperature.estimate(probabilities[:1_000]).reliable


def test_degraded_when_the_interval_is_below_the_reference() -> None:
    rng = np.random.default_rng(8)
    estimator = PerformanceEstimator(["accuracy", "roc_auc"]).fit(
        *UNDERCONFIDENT.sample(rng, 8_000)
    )
    same = estimator.estimate(UNDERCONFIDENT.sample(rng, 5_000)[0])
    assert not same.degraded
    harder = estimator.estimate(UNDERCONFIDENT.sample(rng, 5_000, spread=0.8)[0])
    assert harder.reliable  # a shift the calibration carries over ...
    assert harder.degraded  # ... to a harder mix of rows
    accuracy = harder["accuracy"]
    assert accuracy.high < accuracy.reference


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "threshold"),
    [
        pytest.param(Classifier(scale=6.0, sharpness=2.0, decimals=2), None, id="rounded-91pct"),
        pytest.param(UNDERCONFIDENT, None, id="underconfident"),
        pytest.param(Classifier(scale=3.0, sharpness=1.5, decimals=2), 0.65, id="threshold-065"),
        pytest.param(MULTICLASS, None, id="multiclass"),
    ],
)
def test_intervals_cover_the_realized_metric_of_unshifted_chunks(
    model: Classifier, threshold: float | None
) -> None:
    """20 references of 5,000 rows, 5 chunks of 2,000 each: 100 chunks per model.

    Measured 0.91-0.97 per metric at the nominal 0.95 (seed 7).
    """
    rng = np.random.default_rng(7)
    covered: dict[str, list[bool]] = {}
    for seed in range(20):
        estimator = PerformanceEstimator(threshold=threshold, seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ShiftwatchWarning)
            estimator.fit(*model.sample(rng, 5_000))
        for _ in range(5):
            probabilities, labels = model.sample(rng, 2_000)
            for metric in quiet_estimate(estimator, probabilities, labels=labels).metrics:
                covered.setdefault(metric.metric, []).append(
                    metric.low <= metric.realized <= metric.high
                )  # type: ignore[operator]
    coverage = {name: float(np.mean(values)) for name, values in covered.items()}
    assert min(coverage.values()) >= 0.88, coverage


def test_results_are_frozen_json_ready_and_deterministic() -> None:
    rng = np.random.default_rng(9)
    estimator = PerformanceEstimator(["accuracy", "roc_auc"]).fit(*OVERCONFIDENT.sample(rng, 2_000))
    probabilities, labels = OVERCONFIDENT.sample(rng, 500)
    estimate = estimator.estimate(probabilities, labels=labels)
    assert estimator.estimate(probabilities, labels=labels) == estimate
    copy = pickle.loads(pickle.dumps(estimator))
    assert copy.estimate(probabilities, labels=labels) == estimate
    document = json.loads(json.dumps(estimate.to_dict()))
    assert document["metrics"]["accuracy"]["value"] == estimate["accuracy"].value
    assert document["metrics"]["roc_auc"]["realized"] == estimate["roc_auc"].realized
    assert document["realized_confusion"] == [list(row) for row in estimate.realized_confusion]  # type: ignore[union-attr]
    with pytest.raises(KeyError):
        estimate["f1"]
    with pytest.raises(AttributeError):
        estimate.n = 3  # type: ignore[misc]
    assert repr(estimator) == (
        "PerformanceEstimator(metrics=['accuracy', 'roc_auc'], threshold=None, calibration='auto')"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"metrics": ["auc"]}, "must name metrics from", id="unknown-metric"),
        pytest.param({"threshold": 1.5}, "'threshold' parameter", id="threshold"),
        pytest.param({"calibration": "platt"}, "'calibration' parameter", id="calibration"),
        pytest.param({"alpha": 1.0}, "'alpha' parameter", id="alpha"),
        pytest.param({"folds": 1}, "'folds' parameter", id="folds"),
        pytest.param({"max_shift": 0.0}, "'max_shift' parameter", id="max-shift"),
    ],
)
def test_bad_parameters_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        PerformanceEstimator(**options)  # type: ignore[arg-type]


def test_bad_calls_say_what_was_expected() -> None:
    rng = np.random.default_rng(10)
    three, labels = MULTICLASS.sample(rng, 200)
    with pytest.raises(InvalidParameterError, match="ask for 'f1_macro'"):
        PerformanceEstimator(["f1"]).fit(three, labels)
    with pytest.raises(InvalidParameterError, match=r"'threshold' parameter .* is for two classes"):
        PerformanceEstimator(threshold=0.7).fit(three, labels)
    with pytest.raises(NoDataError, match="at least 10 reference rows"):
        PerformanceEstimator().fit(three[:5], labels[:5])
    with pytest.raises(NoDataError, match=r"call fit\("):
        PerformanceEstimator().estimate(three)
    estimator = PerformanceEstimator().fit(three, labels)
    with pytest.raises(InvalidParameterError, match="must have 4 columns"):
        estimator.estimate(three[:, :2])
    with pytest.raises(
        InvalidParameterError, match=r"'predictions' of PerformanceEstimator\.estimate"
    ):
        estimator.estimate(three, predictions=np.full(200, 4))
    with pytest.raises(InvalidParameterError, match=r"'labels' of PerformanceEstimator\.estimate"):
        estimator.estimate(three, labels=labels[:10])
