"""Model 5 and 6, Infra 4: quality against a baseline, per class, and against golden values."""

import pytest
from digits_example.data import model_inputs
from digits_example.model import accuracy, baseline, macro_recall, recall_by_class

MIN_CLASS_RECALL = 0.8


@pytest.mark.baseline
def test_a_simpler_model_is_not_better(data, model) -> None:
    """The model beats the nearest-centroid baseline by at least 3 points of accuracy."""
    inputs = model_inputs(data.test_images)
    ours = accuracy(data.test_labels, model.predict(inputs))
    simple = accuracy(data.test_labels, baseline(data).predict(inputs))
    assert ours >= simple + 0.03, f"model {ours:.3f}, baseline {simple:.3f}"


@pytest.mark.slices
def test_every_digit_is_recognised(data, model) -> None:
    """Each digit (the slices that matter here) has a recall of at least 0.8."""
    recalls = recall_by_class(data.test_labels, model.predict(model_inputs(data.test_images)))
    weak = {digit: round(r, 3) for digit, r in recalls.items() if r < MIN_CLASS_RECALL}
    assert not weak, f"digits below recall {MIN_CLASS_RECALL}: {weak}"


@pytest.mark.golden
def test_quality_is_within_its_golden_intervals(data, model, shiftwatch_golden) -> None:
    """Accuracy and balanced accuracy on the test split, against golden_metrics.json."""
    predicted = model.predict(model_inputs(data.test_images))
    shiftwatch_golden.check("accuracy", accuracy, data.test_labels, predicted, resamples=500)
    shiftwatch_golden.check(
        "balanced_accuracy", macro_recall, data.test_labels, predicted, resamples=500
    )
