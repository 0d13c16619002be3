"""The model: a linear classifier trained by stochastic gradient descent on the log loss.

Training makes ``EPOCHS`` passes over shuffled mini-batches with ``partial_fit`` (averaged
SGD: the weights served are the mean of the iterates, steadier than the last); every
random choice (initial order, shuffles) comes from the one ``seed``.
"""

import warnings

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import SGDClassifier
from sklearn.neighbors import NearestCentroid

from digits_example.data import FloatArray, IntArray, Split, model_inputs

CLASSES = np.arange(10)
BATCH = 128
EPOCHS = 8
ALPHA = 1e-4


def make_model(seed: int) -> SGDClassifier:
    """The model specification, untrained."""
    return SGDClassifier(loss="log_loss", alpha=ALPHA, average=True, random_state=seed)


def batches(
    images: FloatArray, labels: IntArray, *, seed: int, size: int = BATCH
) -> list[tuple[FloatArray, IntArray]]:
    """One epoch of shuffled mini-batches of model inputs and labels.

    >>> [len(y) for _, y in batches(np.zeros((300, 8, 8)), np.zeros(300), seed=0)]
    [128, 128, 44]
    """
    order = np.random.default_rng(seed).permutation(len(labels))
    inputs = model_inputs(images)
    return [
        (inputs[order[i : i + size]], labels[order[i : i + size]])
        for i in range(0, len(order), size)
    ]


def train(data: Split, *, seed: int = 0, epochs: int = EPOCHS) -> SGDClassifier:
    """Train the model on the training images."""
    model = make_model(seed)
    for epoch in range(epochs):
        for inputs, labels in batches(data.train_images, data.train_labels, seed=seed + epoch):
            model.partial_fit(inputs, labels, classes=CLASSES)
    return model


def baseline(data: Split) -> NearestCentroid:
    """A simpler model to beat: each image goes to the class with the nearest mean image."""
    with warnings.catch_warnings():
        # Border pixels are constant within some classes: expected, and harmless here.
        warnings.filterwarnings("ignore", message=".*zero standard deviation", category=UserWarning)
        return NearestCentroid().fit(model_inputs(data.train_images), data.train_labels)


def accuracy(truth: npt.ArrayLike, predicted: npt.ArrayLike) -> float:
    """The share of correct predictions.

    >>> accuracy([1, 2, 3, 4], [1, 2, 3, 0])
    0.75
    """
    return float(np.mean(np.asarray(truth) == np.asarray(predicted)))


def recall_by_class(truth: npt.ArrayLike, predicted: npt.ArrayLike) -> dict[int, float]:
    """For each class, the share of its images predicted as it.

    >>> recall_by_class([0, 0, 1, 1], [0, 1, 1, 1])
    {0: 0.5, 1: 1.0}
    """
    truth_array, predicted_array = np.asarray(truth), np.asarray(predicted)
    return {
        int(label): float(np.mean(predicted_array[truth_array == label] == label))
        for label in np.unique(truth_array)
    }


def macro_recall(truth: npt.ArrayLike, predicted: npt.ArrayLike) -> float:
    """The mean of the per-class recalls (balanced accuracy).

    >>> macro_recall([0, 0, 1, 1], [0, 1, 1, 1])
    0.75
    """
    return float(np.mean(list(recall_by_class(truth, predicted).values())))
