"""A small classifier on scikit-learn's bundled digits, and its outputs on held-out images.

Logistic regression is trained on a seeded half of the 1,797 images (pixels 0-16, scaled to
0-1); the other half is held out: the reference and current rows of every test come from it,
so no test sees the model's training rows. Noise is gaussian on the 0-16 pixel scale, clipped
back to [0, 16].
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

SPLIT_SEED = 0


@dataclass(frozen=True)
class Digits:
    model: LogisticRegression
    images: np.ndarray  # held-out images, (899, 64), 0-16
    labels: np.ndarray  # their classes
    probabilities: np.ndarray  # the model's outputs on them, unshifted

    @property
    def n(self) -> int:
        return int(self.labels.size)

    def noisy_probabilities(
        self, rows: np.ndarray, std: float, rng: np.random.Generator
    ) -> np.ndarray:
        """The model's outputs on ``rows`` of the held-out images with pixel noise ``std``."""
        if std == 0:
            return self.probabilities[rows]
        images = self.images[rows] + rng.normal(0.0, std, size=self.images[rows].shape)
        return self.model.predict_proba(np.clip(images, 0.0, 16.0) / 16.0)


@cache
def digits(seed: int = SPLIT_SEED) -> Digits:
    images, labels = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(labels.size)
    train, held_out = order[: labels.size // 2], order[labels.size // 2 :]
    model = LogisticRegression(max_iter=5_000).fit(images[train] / 16.0, labels[train])
    return Digits(
        model=model,
        images=images[held_out],
        labels=labels[held_out],
        probabilities=model.predict_proba(images[held_out] / 16.0),
    )
