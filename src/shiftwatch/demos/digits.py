"""The main demo: a digits classifier in production meets images from new sources.

scikit-learn's bundled digits (1,797 8x8 images) are split once (seed 0): 600 train a logistic
regression, 597 are the reference (its profile: per-image properties plus the model's
prediction and confidence; and the labelled rows that calibrate the label-free accuracy
estimate), and the last 600 are the pool that "production" draws from. Production then
streams batches of 100 images through a :class:`~shiftwatch.monitor.Monitor` in phases:
the same source as training, then a noisy camera, then inverted images, then a class mix of
digits 0-4 only, with the original source in between. For each phase the demo reports when
the monitor raised or resolved an alarm, the label-free accuracy estimate next to the true
accuracy, and the test of observed errors against the expected rate once labels arrive.

>>> [phase.name for phase in PHASES][:3]
['as in training', 'noisy camera', 'as in training']
"""

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from shiftwatch.compare import compare
from shiftwatch.drift_report import DriftReport
from shiftwatch.errors import ShiftwatchError, ShiftwatchWarning
from shiftwatch.monitor import AlertEvent, Monitor
from shiftwatch.outputs import AccuracyEstimate, AccuracyEstimator, errors_vs_expected, with_outputs
from shiftwatch.stats.result import TestResult

BATCH = 100
Images = npt.NDArray[np.float64]


def _noisy(images: Images, rng: np.random.Generator) -> Images:
    return np.clip(images + rng.normal(0.0, 3.0, images.shape), 0.0, 16.0)


def _inverted(images: Images, rng: np.random.Generator) -> Images:
    del rng
    return 16.0 - images


def _unchanged(images: Images, rng: np.random.Generator) -> Images:
    del rng
    return images


@dataclass(frozen=True)
class Phase:
    """A stretch of production traffic: what source, how many images, which classes."""

    name: str
    rows: int
    transform: Callable[[Images, np.random.Generator], Images] = _unchanged
    classes: tuple[int, ...] | None = None


PHASES = (
    Phase("as in training", 1_500),
    Phase("noisy camera", 1_000, _noisy),
    Phase("as in training", 1_500),
    Phase("inverted images", 1_000, _inverted),
    Phase("as in training", 1_500),
    Phase("class mix: digits 0-4 only", 1_000, classes=(0, 1, 2, 3, 4)),
    Phase("as in training", 1_500),
)


@dataclass
class PhaseResult:
    """What happened during one phase."""

    phase: Phase
    start_row: int
    true_accuracy: float
    estimate: AccuracyEstimate
    errors: TestResult
    events: list[AlertEvent] = field(default_factory=list)


def _sklearn() -> Any:
    try:
        from sklearn.datasets import load_digits  # type: ignore[import-untyped]
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    except ImportError:
        raise ShiftwatchError(
            "The digits demo needs scikit-learn: pip install 'shiftwatch[sklearn]'"
        ) from None
    return load_digits, LogisticRegression


def as_uint8(images: Images) -> npt.NDArray[np.uint8]:
    """Digits' 0-16 pixels on the 0-255 scale of image files."""
    return np.rint(images * (255 / 16)).astype(np.uint8)


class DigitsScenario:
    """The data, the model, the reference and the monitor of the demo."""

    def __init__(self, seed: int = 0) -> None:
        load_digits, logistic_regression = _sklearn()
        digits = load_digits()
        order = np.random.default_rng(seed).permutation(len(digits.target))
        self.images: Images = digits.images.astype(np.float64)
        self.labels: npt.NDArray[np.int64] = digits.target.astype(np.int64)
        self.train, self.reference, self.pool = order[:600], order[600:1197], order[1197:]
        self.model = logistic_regression(max_iter=2_000).fit(
            self._pixels(self.images[self.train]), self.labels[self.train]
        )
        reference_images = self.images[self.reference]
        reference_probabilities = self.predict(reference_images)
        self.reference_table = with_outputs(
            self.features(reference_images), reference_probabilities
        )
        self.accuracy = AccuracyEstimator().fit(
            reference_probabilities, self.labels[self.reference]
        )
        self.expected_error_rate = 1.0 - self.accuracy.estimate(reference_probabilities).value
        self.seed = seed

    def estimate_accuracy(self, probabilities: Images) -> AccuracyEstimate:
        """The label-free accuracy; an unreliable one says so in ``reliable`` and ``reason``.

        (The demo's inverted images are the case: the model is confidently wrong there.)
        """
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ShiftwatchWarning)
            return self.accuracy.estimate(probabilities)

    @staticmethod
    def _pixels(images: Images) -> Images:
        flat: Images = images.reshape(len(images), -1) / 16.0
        return flat

    def predict(self, images: Images) -> Images:
        """The model's class probabilities."""
        probabilities: Images = self.model.predict_proba(self._pixels(images))
        return probabilities

    @staticmethod
    def features(images: Images) -> pa.Table:
        """Per-image properties (grayscale: brightness, contrast, sharpness, entropy, ...)."""
        from shiftwatch.images import image_features

        columns = image_features(as_uint8(images))
        kept = ("brightness", "contrast", "sharpness", "entropy", "clipped_share")
        return pa.table({name: columns[name] for name in kept})

    def monitor(self) -> Monitor:
        """A monitor of the last 500 images, checked every 100, a false alarm per 50,000."""
        table = self.reference_table
        inputs = table.drop_columns(["prediction", "confidence"])
        outputs = self.predict(self.images[self.reference])
        return Monitor(inputs, reference_outputs=outputs, window=500, check_every=100, ert=50_000)

    def phase_batches(
        self, phase: Phase, rng: np.random.Generator
    ) -> list[tuple[Images, npt.NDArray[np.int64]]]:
        """The phase's batches of images and their labels."""
        pool = self.pool
        if phase.classes is not None:
            pool = pool[np.isin(self.labels[pool], phase.classes)]
        batches = []
        for _ in range(phase.rows // BATCH):
            chosen = rng.choice(pool, size=BATCH)
            batches.append((phase.transform(self.images[chosen], rng), self.labels[chosen]))
        return batches


def run(
    scenario: DigitsScenario, on_batch: Callable[[int], None] | None = None
) -> list[PhaseResult]:
    """Stream every phase through a monitor; return what each phase showed."""
    rng = np.random.default_rng([scenario.seed, 1])
    monitor = scenario.monitor()
    results = []
    for phase in PHASES:
        start = monitor.n
        probabilities, labels, events = [], [], []
        for images, truth in scenario.phase_batches(phase, rng):
            predicted = scenario.predict(images)
            events += monitor.log(scenario.features(images), outputs=predicted)
            probabilities.append(predicted)
            labels.append(truth)
            if on_batch is not None:
                on_batch(len(images))
        everything = np.concatenate(probabilities)
        truth = np.concatenate(labels)
        right = everything.argmax(axis=1) == truth
        estimate = scenario.estimate_accuracy(everything)
        errors = errors_vs_expected(int((~right).sum()), len(right), scenario.expected_error_rate)
        results.append(PhaseResult(phase, start, float(right.mean()), estimate, errors, events))
    return results


def phase_images(scenario: DigitsScenario, name: str, seed: int = 7) -> Images:
    """The images of a fresh stretch of the named phase: those :func:`phase_report` compares."""
    phase = next(phase for phase in PHASES if phase.name == name)
    batches = scenario.phase_batches(phase, np.random.default_rng(seed))
    return np.concatenate([images for images, _ in batches])


def phase_report(scenario: DigitsScenario, name: str, seed: int = 7) -> DriftReport:
    """A fresh stretch of the named phase compared with the reference (for the HTML report)."""
    images = phase_images(scenario, name, seed)
    current = with_outputs(scenario.features(images), scenario.predict(images))
    return compare(scenario.reference_table, current)
