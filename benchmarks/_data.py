"""What the benchmarks share: simulated data (deterministic given the seed), one-thread settings.

``mixed_frame`` has 25 columns of the kinds a model's feature table holds:

* ``num_0`` … ``num_14``: float64 of several shapes (normal, skewed, uniform, heavy-tailed,
  bimodal, heavily tied); ``COLUMN_SHAPES`` describes every column.
* ``int_0`` … ``int_4``: int64 counts and codes, some with few levels (shiftwatch infers
  them as categorical: <= 20 distinct values) and some with many (numeric).
* ``cat_0`` … ``cat_4``: strings with 3 to 12 levels of uneven probability (``CATEGORICAL``).

``numeric_frame`` is a wide table of standard normals for raw-throughput tests.

``SINGLE_THREAD_ENV`` holds the environment variables that keep numeric libraries (BLAS,
OpenMP, Arrow, polars, numba) to one thread; they must be set before those libraries load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "CATEGORICAL",
    "COLUMN_SHAPES",
    "FLOAT_COLUMNS",
    "INTEGER_COLUMNS",
    "SINGLE_THREAD_ENV",
    "Seed",
    "mixed_frame",
    "numeric_frame",
]

Seed = int | Sequence[int]
"""Anything ``numpy.random.default_rng`` takes: an int or a sequence of ints."""

Draw = Callable[[np.random.Generator, int], np.ndarray]

SINGLE_THREAD_ENV: dict[str, str] = dict.fromkeys(
    (
        "OMP_NUM_THREADS",  # OpenMP, and Arrow's CPU thread pool
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "NUMEXPR_MAX_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "NUMBA_NUM_THREADS",
        "POLARS_MAX_THREADS",
        "RAYON_NUM_THREADS",
        "ARROW_IO_THREADS",
    ),
    "1",
)


@dataclass(frozen=True)
class _Float:
    shape: str
    draw: Draw
    sd: float
    """Population standard deviation: the unit of a shift."""


def _lognormal_sd(mean: float, sigma: float) -> float:
    return float(np.sqrt((np.exp(sigma**2) - 1) * np.exp(2 * mean + sigma**2)))


def _bimodal(rng: np.random.Generator, n: int) -> np.ndarray:
    """0.7 N(0, 1) + 0.3 N(4, 1)."""
    return rng.normal(size=n) + 4.0 * (rng.random(n) < 0.3)


_FLOATS: dict[str, _Float] = {
    "num_0": _Float("normal(0, 1)", lambda rng, n: rng.normal(0.0, 1.0, n), 1.0),
    "num_1": _Float("normal(50, 10)", lambda rng, n: rng.normal(50.0, 10.0, n), 10.0),
    "num_2": _Float("normal(-3, 0.01)", lambda rng, n: rng.normal(-3.0, 0.01, n), 0.01),
    "num_3": _Float(
        "lognormal(0, 1)", lambda rng, n: rng.lognormal(0.0, 1.0, n), _lognormal_sd(0.0, 1.0)
    ),
    "num_4": _Float(
        "lognormal(8, 1.5)", lambda rng, n: rng.lognormal(8.0, 1.5, n), _lognormal_sd(8.0, 1.5)
    ),
    "num_5": _Float("exponential(2)", lambda rng, n: rng.exponential(2.0, n), 2.0),
    "num_6": _Float("gamma(0.5, 1)", lambda rng, n: rng.gamma(0.5, 1.0, n), float(np.sqrt(0.5))),
    "num_7": _Float("uniform(0, 1)", lambda rng, n: rng.uniform(0.0, 1.0, n), 1 / np.sqrt(12)),
    "num_8": _Float(
        "uniform(-1000, 1000)", lambda rng, n: rng.uniform(-1e3, 1e3, n), 2e3 / np.sqrt(12)
    ),
    "num_9": _Float("student t(3)", lambda rng, n: rng.standard_t(3, n), float(np.sqrt(3))),
    "num_10": _Float(
        "student t(5) * 2 + 7", lambda rng, n: 2.0 * rng.standard_t(5, n) + 7.0, 2 * np.sqrt(5 / 3)
    ),
    "num_11": _Float(
        "round(normal(0, 1)): 7 to 10 tied values",
        lambda rng, n: np.round(rng.normal(0.0, 1.0, n)),
        float(np.sqrt(1 + 1 / 12)),
    ),
    "num_12": _Float(
        "round(normal(100, 15)): ~100 tied values",
        lambda rng, n: np.round(rng.normal(100.0, 15.0, n)),
        float(np.sqrt(15**2 + 1 / 12)),
    ),
    "num_13": _Float("beta(0.5, 0.5): U-shaped", lambda rng, n: rng.beta(0.5, 0.5, n), 0.125**0.5),
    "num_14": _Float("0.7 N(0, 1) + 0.3 N(4, 1): bimodal", _bimodal, float(np.sqrt(1 + 0.21 * 16))),
}

_INTEGERS: dict[str, tuple[str, Draw]] = {
    "int_0": (
        "poisson(2): ~10 levels (categorical in shiftwatch)",
        lambda rng, n: rng.poisson(2.0, n),
    ),
    "int_1": ("poisson(100): dozens of levels (numeric)", lambda rng, n: rng.poisson(100.0, n)),
    "int_2": ("binomial(4, 0.3): 5 levels (categorical)", lambda rng, n: rng.binomial(4, 0.3, n)),
    "int_3": (
        "codes {1, 2, 3, 5, 8}, uneven (categorical)",
        lambda rng, n: rng.choice(np.array([1, 2, 3, 5, 8]), n, p=[0.4, 0.3, 0.15, 0.1, 0.05]),
    ),
    "int_4": (
        "negative binomial(2, 0.02): heavy right tail (numeric)",
        lambda rng, n: rng.negative_binomial(2, 0.02, n),
    ),
}


def _levels(name: str, weights: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(weights, dtype=np.float64)
    return np.array([f"{name}_{i}" for i in range(p.size)]), p / p.sum()


_STRINGS: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "cat_0": _levels("red", [6, 3, 1]),
    "cat_1": _levels("plan", [40, 25, 20, 10, 5]),
    "cat_2": _levels("region", [30, 20, 15, 10, 10, 8, 5, 2]),
    "cat_3": _levels("device", [35, 20, 12, 10, 7, 5, 4, 3, 2, 1, 0.6, 0.4]),
    "cat_4": _levels("channel", [1, 1, 1, 1]),
}

FLOAT_COLUMNS: tuple[str, ...] = tuple(_FLOATS)
INTEGER_COLUMNS: tuple[str, ...] = tuple(_INTEGERS)
CATEGORICAL: list[str] = list(_STRINGS)
"""The string columns: the peers are told these are categorical, every other is numerical."""
COLUMN_SHAPES: dict[str, str] = {
    **{name: spec.shape for name, spec in _FLOATS.items()},
    **{name: shape for name, (shape, _) in _INTEGERS.items()},
    **{
        name: f"{p.size} string levels, p = {np.round(p, 3).tolist()}"
        for name, (_, p) in _STRINGS.items()
    },
}
"""A one-line description of every column of ``mixed_frame``."""


def mixed_frame(n_rows: int, seed: Seed, *, shift: tuple[str, float] | None = None) -> pd.DataFrame:
    """25 columns of mixed kinds (see the module docstring), drawn from ``seed``.

    ``shift=(column, k)`` adds ``k`` population standard deviations of that float column to
    all its values, after drawing: the frame is otherwise identical to the unshifted one.
    """
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {name: spec.draw(rng, n_rows) for name, spec in _FLOATS.items()}
    data.update({name: draw(rng, n_rows).astype(np.int64) for name, (_, draw) in _INTEGERS.items()})
    data.update({name: rng.choice(lv, n_rows, p=p) for name, (lv, p) in _STRINGS.items()})
    if shift is not None:
        column, k = shift
        if column not in _FLOATS:
            raise ValueError(f"shift applies to a float column {FLOAT_COLUMNS}; got {column!r}")
        data[column] = data[column] + k * _FLOATS[column].sd
    return pd.DataFrame(data)


def numeric_frame(n_rows: int, n_cols: int, seed: Seed) -> pd.DataFrame:
    """``n_cols`` float64 columns ``x0`` … of standard normals, drawn from ``seed``.

    The frame wraps one freshly drawn array without copying it, so that building it never
    needs more memory than the frame itself.
    """
    values = np.random.default_rng(seed).standard_normal((n_cols, n_rows))
    return pd.DataFrame(values.T, columns=[f"x{i}" for i in range(n_cols)], copy=False)
