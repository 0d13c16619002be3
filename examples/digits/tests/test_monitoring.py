"""Monitor 2, 3 and 7: serving inputs as in training, and errors at the expected rate.

The monitor is the one production uses (``digits_example.monitoring``); the tests feed it
what serving would see. Skew is proved in production by the nightly ``shiftwatch compare``
of logged requests (``readiness.toml``); the skew tests here check the detection itself.
"""

import numpy as np
import pytest
from digits_example.data import load, model_inputs, pixel_table
from digits_example.monitoring import WINDOW, build_monitor

from shiftwatch.monitor import Monitor
from shiftwatch.testing import assert_no_drift, assert_schema


@pytest.mark.serving_inputs
def test_serving_inputs_follow_the_training_schema(data, reference) -> None:
    """Requests like the test split break no rule; the schema is the monitor's own."""
    monitor = build_monitor(reference)
    assert_schema(pixel_table(data.test_images), monitor.reference)


@pytest.mark.serving_inputs
def test_blank_and_saturated_requests_are_caught(data, reference) -> None:
    """A camera sending all-white images (intensity 17) fails with the rows named."""
    broken = data.test_images[:3].copy()
    broken[1] = 17.0
    with pytest.raises(AssertionError, match=r"1 of 3 rows break the schema") as failure:
        assert_schema(pixel_table(broken), reference)
    assert "Row 1, column 'pixel_0_0': 17.0 is above the maximum" in str(failure.value)


def test_test_split_is_not_skewed_from_training(data) -> None:
    """The held-out images look like the training images, column by column."""
    assert_no_drift(pixel_table(data.train_images), pixel_table(data.test_images))


def _serve(monitor, data, predict) -> list:
    """Feed the test images in random order, 50 a request batch, with predictions and labels."""
    order = np.random.default_rng(1).permutation(len(data.test_labels))
    events = []
    for start in range(0, len(order), 50):
        rows = order[start : start + 50]
        events += monitor.log(
            pixel_table(data.test_images[rows]),
            outputs=predict(model_inputs(data.test_images[rows])),
            labels=data.test_labels[rows],
        )
    return events


@pytest.mark.serving_quality
def test_the_monitor_stays_quiet_on_serving_like_traffic(data, model, reference) -> None:
    """Test images in random order, with their predictions and labels: no alarm."""
    monitor = build_monitor(reference)
    assert _serve(monitor, data, model.predict_proba) == []
    assert not monitor.check().drifted


@pytest.mark.serving_quality
def test_a_degraded_model_raises_one_error_alarm(data, model, reference) -> None:
    """A model answering 8 for every 3 (a broken release) is caught by the error CUSUM."""

    def degraded(inputs: np.ndarray) -> np.ndarray:
        predicted = model.predict(inputs)
        return np.where(predicted == 3, 8, predicted)

    events = _serve(build_monitor(reference), data, degraded)
    assert [(event.kind, event.source) for event in events] == [("alarm", "errors")]


def test_new_writers_are_detected() -> None:
    """Images from other writers (the second half of the set) drift from the first half.

    The digits were collected writer by writer: a model trained on the first half and
    served the second sees a real shift, which both the assertion and the monitor report.
    """
    images, _ = load()
    first, second = pixel_table(images[:900]), pixel_table(images[900:])
    with pytest.raises(AssertionError, match=r"Drift in \d+ of 64 columns"):
        assert_no_drift(first, second)
    monitor = Monitor(first, window=WINDOW, ert=20_000)
    events = monitor.log(pixel_table(images[900 : 900 + WINDOW]))
    assert [event.kind for event in events] == ["alarm"]
