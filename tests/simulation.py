"""Generated data sets for calibration and power tests: 25 columns of mixed kinds."""

from collections.abc import Callable

import numpy as np

Column = Callable[[np.random.Generator, int], np.ndarray]

LEVELS = np.array([f"level_{i}" for i in range(12)])
SKEWED_LEVELS = np.array([0.35, 0.2, 0.12, 0.1, 0.07, 0.05, 0.04, 0.03, 0.02, 0.01, 0.007, 0.003])

COLUMNS: dict[str, Column] = {
    **{f"normal_{i}": lambda rng, n: rng.normal(size=n) for i in range(5)},
    "lognormal": lambda rng, n: rng.lognormal(sigma=1.0, size=n),
    "exponential": lambda rng, n: rng.exponential(size=n),
    "student_t3": lambda rng, n: rng.standard_t(3, size=n),
    "uniform": lambda rng, n: rng.uniform(size=n),
    "tied_halves": lambda rng, n: np.round(rng.normal(size=n) * 2) / 2,  # ~10 distinct values
    "tied_integers": lambda rng, n: np.round(rng.normal(size=n)),  # 7-ish distinct floats
    "with_nulls": lambda rng, n: np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
    "counts_many": lambda rng, n: rng.poisson(30, size=n),  # integers, many levels: numeric
    "counts_few": lambda rng, n: rng.poisson(1.5, size=n),  # integers, few levels: categorical
    "binary_int": lambda rng, n: rng.integers(0, 2, size=n),
    "zero_inflated": lambda rng, n: np.where(rng.random(n) < 0.6, 0.0, rng.gamma(2.0, size=n)),
    "flag": lambda rng, n: rng.random(n) < 0.2,
    "rare_flag": lambda rng, n: rng.random(n) < 0.02,
    **{f"category_{i}": lambda rng, n: rng.choice(LEVELS[:4], size=n) for i in range(3)},
    "skewed_category": lambda rng, n: rng.choice(LEVELS, size=n, p=SKEWED_LEVELS),
    "sparse_category": lambda rng, n: rng.choice(
        np.array([f"c{i}" for i in range(60)]), size=n, p=np.arange(60, 0, -1) / 1830
    ),
    "id_like": lambda rng, n: rng.integers(0, 10**9, size=n).astype(str),
    "numeric_shift_target": lambda rng, n: rng.normal(size=n),
}
assert len(COLUMNS) == 25, len(COLUMNS)


def mixed_data(rng: np.random.Generator, n: int, shift: float = 0.0) -> dict[str, np.ndarray]:
    """25 mixed columns; ``shift`` moves ``numeric_shift_target`` by that many std."""
    data = {name: make(rng, n) for name, make in COLUMNS.items()}
    data["numeric_shift_target"] = data["numeric_shift_target"] + shift
    return data
