"""The share outside the reference range: the bound against exact permutation probabilities."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from shiftwatch.stats import outside_range
from shiftwatch.stats.outside_range import outside_range_p_value


@pytest.mark.parametrize(("n_reference", "n_current", "k"), [(30, 20, 1), (30, 20, 3), (50, 50, 2)])
def test_bound_is_at_least_the_permutation_probability(n_reference, n_current, k) -> None:
    rng = np.random.default_rng(4)
    runs, hits = 4000, 0
    for _ in range(runs):
        is_current = np.zeros(n_reference + n_current, dtype=bool)
        is_current[rng.choice(is_current.size, n_current, replace=False)] = True
        ranks = np.flatnonzero(~is_current)  # reference ranks among the pooled values
        hits += int(ranks[0] + (is_current.size - 1 - ranks[-1]) >= k)
    exact = hits / runs
    bound = outside_range_p_value(n_reference, n_current, k)
    assert bound >= exact - 3 * math.sqrt(exact * (1 - exact) / runs) - 1e-3


def test_false_alarms_at_most_alpha_with_ties() -> None:
    rng = np.random.default_rng(5)
    runs = 500
    alarms = sum(
        outside_range(rng.integers(0, 20, 200), rng.integers(0, 20, 50)).significant
        for _ in range(runs)
    )
    assert scipy_stats.binomtest(alarms, runs, 0.05, alternative="greater").pvalue > 1e-3


def test_counts_values_strictly_outside() -> None:
    result = outside_range([1.0, 2.0, 3.0], [0.5, 1.0, 3.0, 3.5, 4.0])
    assert result.statistic == 3.0 and result.effect == pytest.approx(0.6)
