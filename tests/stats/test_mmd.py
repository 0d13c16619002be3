"""Tests of shiftwatch.stats.mmd: the unbiased MMD² against loops, and its permutation test.

False alarms: on unshifted data the test must reject at most alpha = 0.05 of the time; the
observed count is accepted unless a one-sided binomial test says, at the 0.001 level, that
the true rate exceeds 0.05.
"""

import dataclasses
import math
import pickle

import numpy as np
import pytest
from scipy import stats

from shiftwatch.errors import InvalidParameterError, NoDataError
from shiftwatch.stats import MULTIVARIATE_TESTS, mmd
from shiftwatch.stats.mmd import (
    median_heuristic,
    permutation_indices,
    permutation_p_value,
    squared_distances,
)

ALPHA = 0.05


def loop_bandwidth(pooled: np.ndarray) -> float:
    """σ² by the median heuristic, one pair at a time."""
    pairs = [
        float(np.sum((pooled[i] - pooled[j]) ** 2))
        for i in range(len(pooled))
        for j in range(i + 1, len(pooled))
    ]
    return float(np.median(pairs))


def loop_mmd2(reference: np.ndarray, current: np.ndarray, bandwidth: float) -> float:
    """Unbiased MMD² (Gretton et al. 2012, eq. 3), written as the three double sums."""

    def k(x: np.ndarray, y: np.ndarray) -> float:
        return math.exp(-float(np.sum((x - y) ** 2)) / (2 * bandwidth))

    m, n = len(reference), len(current)
    xx = sum(k(reference[i], reference[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(current[i], current[j]) for i in range(n) for j in range(n) if i != j)
    xy = sum(k(reference[i], current[j]) for i in range(m) for j in range(n))
    return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n)


@pytest.mark.parametrize(
    ("n_reference", "n_current", "columns"),
    [
        pytest.param(7, 9, 3, id="7x9-3-columns"),
        pytest.param(12, 5, 1, id="12x5-1-column"),
        pytest.param(4, 4, 6, id="4x4-6-columns"),
    ],
)
def test_statistic_matches_loops(n_reference: int, n_current: int, columns: int) -> None:
    rng = np.random.default_rng(n_reference * 100 + n_current)
    reference = rng.normal(size=(n_reference, columns))
    current = rng.normal(0.3, 1.2, size=(n_current, columns))
    bandwidth = loop_bandwidth(np.concatenate((reference, current)))
    result = mmd(reference, current, n_permutations=10)
    assert result.statistic == pytest.approx(loop_mmd2(reference, current, bandwidth), abs=1e-12)
    assert result.effect == pytest.approx(math.sqrt(max(result.statistic, 0.0)))
    assert f"σ = {math.sqrt(bandwidth):.3g}" in result.method
    assert (result.n_reference, result.n_current) == (n_reference, n_current)


def test_median_heuristic_matches_loops_with_an_even_number_of_pairs() -> None:
    pooled = np.random.default_rng(1).normal(size=(5, 2))  # 10 pairs: the mean of two middles
    assert median_heuristic(squared_distances(pooled)) == pytest.approx(loop_bandwidth(pooled))


def test_median_heuristic_falls_back_when_most_pairs_coincide() -> None:
    pooled = np.array([[0.0], [0.0], [0.0], [0.0], [2.0]])  # 6 of 10 pairs at distance 0
    assert median_heuristic(squared_distances(pooled)) == 4.0  # the mean positive distance
    assert median_heuristic(squared_distances(np.zeros((3, 2)))) == 1.0


def test_p_value_is_the_permutation_formula_on_a_tiny_case() -> None:
    reference = np.array([[0.0, 1.0], [0.5, 0.2], [1.1, 0.4]])
    current = np.array([[0.9, 1.3], [1.6, 0.8], [2.0, 1.5]])
    n_permutations, seed = 19, 3
    result = mmd(reference, current, n_permutations=n_permutations, seed=seed)
    pooled = np.concatenate((reference, current))
    bandwidth = loop_bandwidth(pooled)
    observed = loop_mmd2(reference, current, bandwidth)
    permuted = []
    for members in permutation_indices(6, 3, n_permutations, seed):
        others = np.setdiff1d(np.arange(6), members)
        permuted.append(loop_mmd2(pooled[others], pooled[members], bandwidth))
    at_least = sum(value >= observed - 1e-12 for value in permuted)
    assert result.p_value == (1 + at_least) / (1 + n_permutations)
    assert 0 < at_least < n_permutations  # the case exercises both sides of the count


def test_p_value_is_never_zero() -> None:
    rng = np.random.default_rng(2)
    result = mmd(rng.normal(size=(50, 2)), rng.normal(10.0, 1.0, size=(50, 2)), n_permutations=99)
    assert result.p_value == 1 / 100
    assert result.drifted


@pytest.mark.parametrize(
    ("observed", "permuted", "expected"),
    [
        pytest.param(0.5, [0.1, 0.7, 0.2], 2 / 4, id="one-above"),
        pytest.param(0.5, [0.5, 0.5, 0.2], 3 / 4, id="ties-count"),
        pytest.param(0.5, [0.5 - 1e-15, 0.1, 0.2], 2 / 4, id="rounding-counts-as-a-tie"),
        pytest.param(9.0, [0.1, 0.7, 0.2], 1 / 4, id="none-above-never-zero"),
        pytest.param(-1.0, [0.1, 0.7, 0.2], 1.0, id="all-above"),
    ],
)
def test_permutation_p_value(observed: float, permuted: list[float], expected: float) -> None:
    assert permutation_p_value(observed, permuted) == expected


def test_permutations_are_index_vectors_of_distinct_rows() -> None:
    indices = permutation_indices(10, 4, 50, seed=0)
    assert indices.shape == (50, 4)
    assert all(len(set(row.tolist())) == 4 for row in indices)
    assert indices.min() >= 0 and indices.max() <= 9
    assert np.array_equal(indices, permutation_indices(10, 4, 50, seed=0))


def test_same_seed_same_result_and_seed_is_used() -> None:
    rng = np.random.default_rng(4)
    reference, current = rng.normal(size=(40, 3)), rng.normal(0.2, 1.0, size=(40, 3))
    first = mmd(reference, current, n_permutations=50, seed=1)
    assert mmd(reference, current, n_permutations=50, seed=1) == first
    others = {mmd(reference, current, n_permutations=50, seed=s).p_value for s in range(2, 8)}
    assert len(others | {first.p_value}) > 1


def test_each_side_is_subsampled_to_max_rows() -> None:
    rng = np.random.default_rng(5)
    result = mmd(rng.normal(size=(300, 2)), rng.normal(size=(80, 2)), max_rows=100)
    assert (result.n_reference, result.n_current) == (100, 80)
    assert "subsampled to at most 100 rows a side" in result.method
    assert "subsampled" not in mmd(rng.normal(size=(30, 2)), rng.normal(size=(30, 2))).method


def test_one_dimensional_samples_are_one_column() -> None:
    rng = np.random.default_rng(6)
    reference, current = rng.normal(size=30), rng.normal(size=30)
    assert mmd(reference, current) == mmd(reference[:, None], current[:, None])


def test_result_is_frozen_picklable_and_in_the_table() -> None:
    rng = np.random.default_rng(7)
    result = mmd(rng.normal(size=(20, 2)), rng.normal(size=(20, 2)), n_permutations=20)
    assert MULTIVARIATE_TESTS["mmd"] is mmd
    assert result.test == "mmd"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.p_value = 0.0  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(result)) == result
    assert result.to_dict()["drifted"] is result.drifted


@pytest.mark.parametrize(
    ("parameters", "name"),
    [
        pytest.param({"alpha": 1.5}, "alpha", id="alpha"),
        pytest.param({"threshold": -1.0}, "threshold", id="threshold"),
        pytest.param({"n_permutations": 0}, "n_permutations", id="n_permutations"),
        pytest.param({"max_rows": 1}, "max_rows", id="max_rows"),
        pytest.param({"seed": -1}, "seed", id="seed"),
        pytest.param({"seed": 1.5}, "seed", id="seed-float"),
    ],
)
def test_bad_parameters_are_refused_by_name(parameters: dict[str, float], name: str) -> None:
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of mmd\b"):
        mmd(np.zeros((5, 2)), np.ones((5, 2)), **parameters)


@pytest.mark.parametrize(
    ("reference", "current", "error", "match"),
    [
        pytest.param(np.zeros((5, 2)), np.zeros((5, 3)), InvalidParameterError, "same columns"),
        pytest.param(
            np.zeros((5, 2)), np.zeros((1, 2)), NoDataError, "'current' .* at least 2 rows"
        ),
        pytest.param(np.zeros((0, 2)), np.zeros((5, 2)), NoDataError, "'reference' .* empty"),
        pytest.param(np.zeros((2, 2, 2)), np.zeros((5, 2)), InvalidParameterError, "2-D"),
        pytest.param([["a", "b"]], np.zeros((5, 2)), InvalidParameterError, "hold numbers"),
        pytest.param(
            [[0.0, 1.0], [2.0, np.nan]],
            np.zeros((5, 2)),
            InvalidParameterError,
            r"position \(1, 1\)",
        ),
    ],
)
def test_bad_samples_are_refused(reference, current, error, match: str) -> None:
    with pytest.raises(error, match=match):
        mmd(reference, current)


def test_false_alarm_rate_is_at_most_alpha() -> None:
    rng = np.random.default_rng(20_260_301)
    runs = 1_000  # 30 rows a side, 99 permutations: half a second
    alarms = sum(
        mmd(rng.normal(size=(30, 3)), rng.normal(size=(30, 3)), n_permutations=99).p_value <= ALPHA
        for _ in range(runs)
    )
    p_exceeds = stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue
    assert p_exceeds > 0.001, f"{alarms}/{runs} false alarms"


def test_correlation_flip_with_unchanged_marginals_is_found() -> None:
    rng = np.random.default_rng(8)
    flip = np.array([[1.0, 0.8], [0.8, 1.0]]), np.array([[1.0, -0.8], [-0.8, 1.0]])
    reference = rng.multivariate_normal([0.0, 0.0], flip[0], size=300)
    current = rng.multivariate_normal([0.0, 0.0], flip[1], size=300)
    result = mmd(reference, current)
    assert result.drifted
    assert result.effect == pytest.approx(0.28, abs=0.05)
