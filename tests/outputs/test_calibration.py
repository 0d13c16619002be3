"""Calibrations: isotonic against scikit-learn's, weights as repeated rows, rounded inputs."""

import pickle

import numpy as np
import pytest
from sklearn.isotonic import IsotonicRegression

from shiftwatch.errors import InvalidParameterError, NoDataError
from shiftwatch.outputs.calibration import (
    IsotonicCalibration,
    TemperatureCalibration,
    make_calibration,
)
from tests.outputs.simulated import Classifier


@pytest.mark.parametrize("decimals", [None, 2], ids=["continuous", "rounded"])
def test_binary_isotonic_matches_scikit_learn(decimals: int | None) -> None:
    model = Classifier(scale=3.0, sharpness=2.0, decimals=decimals)
    probabilities, labels = model.sample(np.random.default_rng(1), 3_000)
    current, _ = model.sample(np.random.default_rng(2), 1_000)
    ours = IsotonicCalibration().fit(probabilities, labels).calibrate(current)
    theirs = IsotonicRegression(out_of_bounds="clip").fit(probabilities[:, 1], labels)
    np.testing.assert_allclose(ours[:, 1], theirs.predict(current[:, 1]), atol=1e-12)
    np.testing.assert_allclose(ours.sum(axis=1), 1.0)


def test_multiclass_rows_are_probabilities_and_class_curves_match_scikit_learn() -> None:
    model = Classifier(classes=4, scale=3.0, sharpness=1.7)
    probabilities, labels = model.sample(np.random.default_rng(3), 4_000)
    calibration = IsotonicCalibration().fit(probabilities, labels)
    current, _ = model.sample(np.random.default_rng(4), 500)
    calibrated = calibration.calibrate(current)
    np.testing.assert_allclose(calibrated.sum(axis=1), 1.0)
    assert np.all((calibrated >= 0) & (calibrated <= 1))
    for k, (x, y) in enumerate(calibration.knots_ or []):
        sklearn_curve = IsotonicRegression(out_of_bounds="clip").fit(
            probabilities[:, k], labels == k
        )
        np.testing.assert_allclose(
            np.interp(current[:, k], x, y), sklearn_curve.predict(current[:, k]), atol=1e-12
        )


def test_top_label_curve_makes_the_argmax_probability_match_accuracy() -> None:
    model = Classifier(classes=4, scale=3.0, sharpness=1.7)
    probabilities, labels = model.sample(np.random.default_rng(5), 50_000)
    current, truth = model.sample(np.random.default_rng(6), 50_000)
    top = current.argmax(axis=1)
    calibrated = IsotonicCalibration().fit(probabilities, labels).calibrate(current)
    estimated = calibrated[np.arange(top.size), top].mean()
    assert estimated == pytest.approx(np.mean(top == truth), abs=0.005)
    assert current.max(axis=1).mean() - np.mean(top == truth) > 0.05  # raw: overconfident


def test_weights_are_repeated_rows() -> None:
    model = Classifier(classes=3, scale=2.0, decimals=2)
    probabilities, labels = model.sample(np.random.default_rng(7), 400)
    counts = np.random.default_rng(8).integers(0, 4, size=400)
    repeated = np.repeat(np.arange(400), counts)
    for kind in ("isotonic", "temperature"):
        weighted = make_calibration("test", kind).fit(probabilities, labels, counts.astype(float))
        expanded = make_calibration("test", kind).fit(probabilities[repeated], labels[repeated])
        np.testing.assert_allclose(
            weighted.calibrate(probabilities), expanded.calibrate(probabilities), atol=1e-7
        )


def test_rounded_probabilities_with_exact_zeros_on_the_true_class() -> None:
    model = Classifier(scale=6.0, sharpness=2.0, decimals=2)
    probabilities, labels = model.sample(np.random.default_rng(9), 25_000)
    assert np.sum(probabilities[np.arange(labels.size), labels] == 0) > 100
    current, truth = model.sample(np.random.default_rng(10), 25_000)
    top = current.argmax(axis=1)
    accuracy = np.mean(top == truth)
    assert accuracy == pytest.approx(0.91, abs=0.015)
    isotonic = IsotonicCalibration().fit(probabilities, labels).calibrate(current)
    assert isotonic[np.arange(top.size), top].mean() == pytest.approx(accuracy, abs=0.01)
    temperature = TemperatureCalibration().fit(probabilities, labels)
    assert 1 < temperature.temperature_ < 5  # floored at 1e-3: not the 148 of log(1e-308)


def test_temperature_recovers_the_overconfidence_of_unrounded_probabilities() -> None:
    probabilities, labels = Classifier(classes=3, sharpness=2.0).sample(
        np.random.default_rng(11), 20_000
    )
    calibration = TemperatureCalibration(floor=1e-12).fit(probabilities, labels)
    assert calibration.temperature_ == pytest.approx(2.0, rel=0.05)
    np.testing.assert_array_equal(
        calibration.calibrate(probabilities).argmax(axis=1), probabilities.argmax(axis=1)
    )


def test_unfitted_and_bad_parameters_raise() -> None:
    with pytest.raises(NoDataError, match="IsotonicCalibration has no calibration yet"):
        IsotonicCalibration().calibrate([[0.5, 0.5]])
    with pytest.raises(NoDataError, match="TemperatureCalibration has no calibration yet"):
        _ = TemperatureCalibration().temperature_
    with pytest.raises(InvalidParameterError, match="'floor' parameter of TemperatureCalibration"):
        TemperatureCalibration(floor=0.0)
    with pytest.raises(InvalidParameterError, match="'calibration' parameter of owner"):
        make_calibration("owner", "platt")


def test_pickles_and_repr() -> None:
    probabilities, labels = Classifier().sample(np.random.default_rng(12), 200)
    for calibration in (IsotonicCalibration(), TemperatureCalibration()):
        fitted = calibration.fit(probabilities, labels)
        copy = pickle.loads(pickle.dumps(fitted))
        np.testing.assert_array_equal(
            copy.calibrate(probabilities), fitted.calibrate(probabilities)
        )
    assert repr(TemperatureCalibration()) == "TemperatureCalibration(floor=0.001)"
    assert repr(IsotonicCalibration()) == "IsotonicCalibration()"
