"""A drift report with something of everything an HTML report draws, for the report tests."""

import numpy as np

import shiftwatch as sw
from shiftwatch.images import image_features
from shiftwatch.outputs import AccuracyEstimate, AccuracyEstimator, with_outputs

HOSTILE_NAME = "<script>window.__pwned = 1</script>"
ATTRIBUTE_NAME = '"><img src=x onerror="window.__pwned = 2">'


def mixed_report(n: int = 2_000, seed: int = 11) -> sw.DriftReport:
    """Numbers (shifted, unshifted, integer, constant that moved), categories with a new level,
    booleans, text, missing values, and column names that try to inject markup."""
    rng = np.random.default_rng(seed)
    cities = np.array([f"city & {i}" for i in range(45)])
    reference = {
        "age": rng.normal(40, 10, n),
        "income": rng.lognormal(10, 1, n),
        "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2]),
        "children": rng.integers(0, 25, n).astype(float),
        HOSTILE_NAME: rng.normal(size=n),
        ATTRIBUTE_NAME: rng.choice(["<b>bold</b>", "x"], n),
        "opted_in": rng.random(n) < 0.3,
        "city": rng.choice(cities, n),
        "comment": np.array([f"free text {i}" for i in range(n)]),
        "version": np.ones(n),
    }
    current = {
        "age": rng.normal(43, 10, n),
        "income": rng.lognormal(10.2, 1, n),
        "plan": rng.choice(["basic", "plus", "enterprise"], n, p=[0.4, 0.3, 0.3]),
        "children": rng.integers(0, 25, n).astype(float),
        HOSTILE_NAME: rng.normal(size=n),
        ATTRIBUTE_NAME: rng.choice(["<b>bold</b>", "x"], n),
        "opted_in": rng.random(n) < 0.3,
        "city": rng.choice(cities, n),
        "comment": np.array([f"free text {i}" for i in range(n)]),
        "version": np.full(n, 2.0),
    }
    current["age"][: n // 10] = np.nan
    return sw.compare(reference, current)


def _squares(rng: np.random.Generator, n: int) -> np.ndarray:
    """16x16 RGB images: one coloured square on a dark ground."""
    images = np.full((n, 16, 16, 3), 24, dtype=np.uint8)
    for image in images:
        y, x = rng.integers(0, 10, 2)
        image[y : y + 6, x : x + 6] = rng.integers(60, 256, 3)
    return images


def _probabilities(rng: np.random.Generator, n: int, spread: float) -> np.ndarray:
    logits = rng.normal(size=(n, 4)) * spread
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def images_and_outputs(
    n: int = 300, seed: int = 5
) -> tuple[sw.DriftReport, tuple[np.ndarray, np.ndarray], dict[str, AccuracyEstimate]]:
    """Images from a noisier, brighter camera and a less confident model: the report on their
    properties and outputs, the two sets of images, and label-free accuracy estimates."""
    rng = np.random.default_rng(seed)
    reference_images = _squares(rng, n)
    noise = rng.normal(40.0, 25.0, reference_images.shape)
    current_images = np.clip(_squares(rng, n) + noise, 0, 255).astype(np.uint8)
    reference_probabilities = _probabilities(rng, n, 2.5)
    current_probabilities = _probabilities(rng, n, 1.5)
    labels = (rng.random((n, 1)) > reference_probabilities.cumsum(axis=1)).sum(axis=1)
    kept = ("brightness", "contrast", "saturation", "sharpness", "entropy")

    def table(images: np.ndarray, probabilities: np.ndarray) -> object:
        features = image_features(images)
        return with_outputs({k: features[k] for k in kept}, probabilities)

    report = sw.compare(
        table(reference_images, reference_probabilities),
        table(current_images, current_probabilities),
        multivariate=False,  # the page's sections as they were: no dataset-level note
    )
    estimator = AccuracyEstimator().fit(reference_probabilities, labels)
    estimates = {
        "reference": estimator.estimate(reference_probabilities),
        "current": estimator.estimate(current_probabilities),
    }
    return report, (reference_images, current_images), estimates
