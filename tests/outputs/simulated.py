"""Simulated classifiers whose true probabilities are known, for the performance tests.

Each row has a latent logit vector ``z``; its label is drawn from ``softmax(z)`` (the truth,
or ``softmax(z + concept)`` under concept shift) and the model reports ``softmax(sharpness *
z)``: over-confident above 1, under-confident below, optionally rounded as serving stacks do
(``decimals``), which gives exact 0s and 1s.
"""

from dataclasses import dataclass

import numpy as np
from scipy import special


@dataclass(frozen=True)
class Classifier:
    """A simulated classifier: ``classes`` classes, its logit scale and calibration."""

    classes: int = 2
    scale: float = 3.0
    sharpness: float = 1.0
    decimals: int | None = None

    def sample(
        self,
        rng: np.random.Generator,
        n: int,
        *,
        shift: float = 0.0,
        spread: float = 1.0,
        concept: float = 0.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` rows of (probabilities, labels).

        ``shift`` and ``spread`` move and scale the inputs (covariate shift; a spread below 1
        brings rows nearer the decision boundary, a harder mix); ``concept`` adds to the last
        class's true logit only (concept shift: the model does not know).
        """
        latent = rng.normal(size=(n, self.classes)) * spread + shift * np.eye(self.classes)[0]
        logits = latent * self.scale / np.sqrt(2)
        truth = special.softmax(logits + concept * np.eye(self.classes)[-1], axis=1)
        labels = (rng.random((n, 1)) > truth.cumsum(axis=1)).sum(axis=1)
        labels = np.minimum(labels, self.classes - 1)
        probabilities = special.softmax(logits * self.sharpness, axis=1)
        if self.decimals is not None:
            probabilities = np.round(probabilities, self.decimals)
        return probabilities, labels
