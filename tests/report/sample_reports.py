"""A drift report with something of everything an HTML report draws, for the report tests."""

import numpy as np

import shiftwatch as sw

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
