"""New levels: the bound against exact permutation probabilities, calibration and power."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

import shiftwatch as sw
from shiftwatch.stats import new_levels
from shiftwatch.stats.new_levels import new_levels_p_value
from tests.simulation import mixed_data


def permutation_tail(pooled: np.ndarray, n_current: int, k: int, runs: int, seed: int) -> float:
    """Monte Carlo P(K >= k) when the current rows are a random subset of the pooled rows."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(pooled.size), pooled)
    hits = 0
    for _ in range(runs):
        is_current = np.zeros(labels.size, dtype=bool)
        is_current[rng.choice(labels.size, n_current, replace=False)] = True
        in_reference = np.bincount(labels[~is_current], minlength=pooled.size)
        hits += int(
            np.sum(np.bincount(labels[is_current], minlength=pooled.size)[in_reference == 0]) >= k
        )
    return hits / runs


@pytest.mark.parametrize(
    ("pooled", "n_current", "k"),
    [
        pytest.param([40, 30, 1, 1, 1, 1, 2, 2, 3], 30, 2, id="sparse-k2"),
        pytest.param([40, 30, 1, 1, 1, 1, 2, 2, 3], 30, 4, id="sparse-k4"),
        pytest.param([50, 20, 2, 2], 20, 2, id="pairs"),
        pytest.param([60, 1], 20, 1, id="one-singleton"),
    ],
)
def test_bound_is_at_least_the_exact_permutation_probability(pooled, n_current, k) -> None:
    pooled = np.array(pooled)
    n_reference = int(pooled.sum()) - n_current
    bound = new_levels_p_value(pooled, n_reference, n_current, k)
    exact = permutation_tail(pooled, n_current, k, runs=4000, seed=1)
    assert bound >= exact - 3 * math.sqrt(exact * (1 - exact) / 4000) - 1e-3
    assert bound <= 1.0


def test_one_singleton_bound_is_its_exact_probability() -> None:
    # K >= 1 exactly when the one singleton lands in the current set: n / (N + n)
    assert new_levels_p_value([5000, 1], 5000, 100, 1) == pytest.approx(100 / 5100, rel=1e-9)


def test_a_level_seen_five_times_only_in_the_current_set() -> None:
    expected = math.comb(100, 5) / math.comb(5100, 5)
    assert new_levels_p_value([5000, 5], 5000, 100, 5) == pytest.approx(expected, rel=1e-6)


SPARSE = np.arange(60, 0, -1) / 1830


@pytest.mark.parametrize("n", [pytest.param(50, id="n=50"), pytest.param(300, id="n=300")])
def test_false_alarms_at_most_alpha_on_a_sparse_column(n: int) -> None:
    rng = np.random.default_rng(20261207 + n)
    runs, alarms = 600, 0
    for _ in range(runs):
        reference = rng.multinomial(n, SPARSE)
        current = rng.multinomial(n, SPARSE)
        alarms += new_levels(reference, current).significant
    assert scipy_stats.binomtest(alarms, runs, 0.05, alternative="greater").pvalue > 0.001


@pytest.mark.slow
def test_new_level_in_5_percent_of_100_rows_is_flagged_by_compare() -> None:
    rng = np.random.default_rng(14)
    runs, found = 100, 0
    for _ in range(runs):
        reference, current = mixed_data(rng, 5_000), mixed_data(rng, 100)
        level = current["category_0"].astype(object)
        level[rng.random(100) < 0.05] = "brand_new"
        current["category_0"] = level
        column = sw.compare(reference, current).columns["category_0"]
        found += column.drifted
    assert found / runs >= 0.9, f"{found}/{runs}"
    assert column.new_categories == ("brand_new",)


def test_compare_names_new_levels_and_flags_them_as_their_own_check() -> None:
    reference = {"plan": ["a"] * 3000 + ["b"] * 2000}
    current = {"plan": ["a"] * 60 + ["b"] * 35 + ["c"] * 5}
    column = sw.compare(reference, current).columns["plan"]
    check = column.check("new_levels")
    assert check is not None and check.drifted
    assert check.result.effect == pytest.approx(0.05)
    assert column.new_categories == ("c",) and "'c'" in column.reason
