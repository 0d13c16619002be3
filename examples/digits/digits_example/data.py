"""The data: digit images as a table of 64 pixel columns, split once with a fixed seed.

The feature code is :func:`pixel_table`: 8x8 images (intensities 0 to 16) become one
column per pixel, ``pixel_<row>_<column>``. The model sees :func:`model_inputs`, the same
pixels scaled to [0, 1].
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.datasets import load_digits

SPLIT_SEED = 0
TEST_SHARE = 0.25
SIDE = 8
LEVELS = 16

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Split:
    """Training and test images with their labels."""

    train_images: FloatArray
    train_labels: IntArray
    test_images: FloatArray
    test_labels: IntArray


def column_names() -> list[str]:
    """The 64 feature names, row by row.

    >>> column_names()[:3], column_names()[-1]
    (['pixel_0_0', 'pixel_0_1', 'pixel_0_2'], 'pixel_7_7')
    """
    return [f"pixel_{row}_{column}" for row in range(SIDE) for column in range(SIDE)]


def pixel_table(images: npt.ArrayLike) -> dict[str, FloatArray]:
    """One float column per pixel from images of shape (n, 8, 8) or (n, 64).

    >>> table = pixel_table(np.arange(128).reshape(2, 8, 8))
    >>> len(table), table["pixel_0_1"].tolist(), table["pixel_7_7"].tolist()
    (64, [1.0, 65.0], [63.0, 127.0])
    """
    flat = np.asarray(images, dtype=np.float64).reshape(-1, SIDE * SIDE)
    return {name: flat[:, i] for i, name in enumerate(column_names())}


def model_inputs(images: npt.ArrayLike) -> FloatArray:
    """The model's inputs: flattened pixels scaled from 0-16 to 0-1.

    >>> model_inputs(np.full((1, 8, 8), 16.0)).shape
    (1, 64)
    >>> float(model_inputs(np.full((1, 64), 8.0)).max())
    0.5
    """
    return np.asarray(images, dtype=np.float64).reshape(-1, SIDE * SIDE) / LEVELS


def load() -> tuple[FloatArray, IntArray]:
    """All 1,797 images (n, 8, 8) and their labels, in the order the data set holds them.

    The order matters: the images were collected writer by writer, so the first and the
    second half come from different people.
    """
    digits = load_digits()
    return np.asarray(digits.images, dtype=np.float64), np.asarray(digits.target, dtype=np.int64)


def split(seed: int = SPLIT_SEED) -> Split:
    """A stratified, shuffled split: 75% to train, 25% to test.

    >>> parts = split()
    >>> len(parts.train_labels), len(parts.test_labels)
    (1347, 450)
    """
    images, labels = load()
    rng = np.random.default_rng(seed)
    test = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        test[members[: round(TEST_SHARE * len(members))]] = True
    return Split(images[~test], labels[~test], images[test], labels[test])
