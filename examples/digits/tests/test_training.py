"""Infra 1 and 2: the model specification still trains, and trains the same way twice."""

import numpy as np
import pytest
from digits_example.data import model_inputs
from digits_example.model import CLASSES, batches, make_model, train

from shiftwatch.testing import (
    assert_overfits,
    assert_reproducible,
    assert_trains,
    sklearn_train_step,
)


@pytest.mark.training
def test_the_loss_halves_within_an_epoch(data) -> None:
    """Mini-batch log loss falls to half its start within one pass over the data."""
    step = sklearn_train_step(make_model(seed=0), classes=CLASSES)
    epoch = batches(data.train_images, data.train_labels, seed=0, size=64)
    run = assert_trains(step, epoch, max_steps=len(epoch), factor=0.5, window=3)
    assert run.passed_at is not None
    assert run.passed_at <= len(epoch)


@pytest.mark.training
def test_the_model_memorises_one_small_batch(data) -> None:
    """Twenty images, trained on again and again, reach a log loss of 0.05."""
    step = sklearn_train_step(make_model(seed=0), classes=CLASSES)
    batch = (model_inputs(data.train_images[:20]), data.train_labels[:20])
    assert_overfits(step, batch, max_steps=100, target=0.05)


@pytest.mark.training
def test_shuffled_labels_do_not_train(data) -> None:
    """The check has teeth: with labels shuffled against the images the loss stays high."""
    step = sklearn_train_step(make_model(seed=0), classes=CLASSES)
    rng = np.random.default_rng(0)
    shuffled = rng.permutation(data.train_labels)
    epoch = batches(data.train_images, shuffled, seed=0, size=64)
    with pytest.raises(AssertionError, match=r"did not fall to 0.5 x its start"):
        assert_trains(step, epoch, max_steps=len(epoch), factor=0.5, window=3)


@pytest.mark.reproducible
def test_two_trainings_with_one_seed_predict_the_same(data) -> None:
    """Same seed, same probabilities on the test images (to 1e-9)."""
    inputs = model_inputs(data.test_images)

    def probabilities(seed: int) -> np.ndarray:
        return train(data, seed=seed, epochs=2).predict_proba(inputs)

    runs = assert_reproducible(probabilities, seed=0, rtol=1e-9)
    assert runs[0]["result"].shape == (450, 10)
