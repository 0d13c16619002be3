"""Shared image data: scikit-learn's bundled digits (no download) and seeded colour images."""

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.datasets import load_digits

SEED = 20240917


@pytest.fixture(scope="session")
def digits() -> npt.NDArray[np.uint8]:
    """The 1,797 8x8 digits, values 0-16 scaled to uint8 0-255: how such arrays are passed."""
    return np.rint(load_digits().images * (255 / 16)).astype(np.uint8)


@pytest.fixture(scope="session")
def colour_images() -> npt.NDArray[np.uint8]:
    """Twelve 20x30 RGB images: smooth gradients plus noise, some pixels clipped."""
    rng = np.random.default_rng(SEED)
    rows, columns = np.mgrid[0:20, 0:30]
    base = np.stack([rows * 12.0, columns * 8.0, (rows + columns) * 5.0], axis=-1)
    noisy = base + rng.normal(0.0, 25.0, size=(12, 20, 30, 3))
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
