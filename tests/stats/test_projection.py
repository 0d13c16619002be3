"""Tests of shiftwatch.stats.projection: reduction, then KS per component with Bonferroni.

False alarms are accepted unless a one-sided binomial test says, at the 0.001 level, that the
true rate exceeds alpha = 0.05.
"""

import numpy as np
import pytest
from scipy import stats

from shiftwatch.errors import InvalidParameterError, NoDataError
from shiftwatch.stats import MULTIVARIATE_TESTS, ks, projection_ks
from shiftwatch.stats.projection import principal_directions

ALPHA = 0.05


def shifted_pair(seed: int, n: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """20 standard normal columns; the current data moved by 0.5 std in 5 of them."""
    rng = np.random.default_rng(seed)
    shift = np.r_[np.full(5, 0.5), np.zeros(15)]
    return rng.normal(size=(n, 20)), rng.normal(size=(n, 20)) + shift


def test_p_value_is_bonferroni_over_the_components_ks_tests() -> None:
    reference, current = shifted_pair(seed=1, n=60)
    result = projection_ks(reference, current, dims=6)
    directions = principal_directions(np.concatenate((reference, current)), 6)
    tests = [ks(reference @ d, current @ d) for d in directions.T]
    best = min(range(6), key=lambda j: tests[j].p_value)
    assert result.p_value == pytest.approx(min(1.0, 6 * tests[best].p_value), rel=1e-12)
    assert result.statistic == tests[best].statistic
    assert result.effect == pytest.approx(tests[best].effect, rel=1e-12)
    assert f"smallest p on component {best + 1}" in result.method
    assert "Bonferroni across 6" in result.method


def test_principal_directions_match_the_svd_of_the_centred_pooled_rows() -> None:
    rng = np.random.default_rng(2)
    pooled = rng.normal(size=(80, 5)) @ rng.normal(size=(5, 5))
    directions = principal_directions(pooled, 3)
    _, _, rows = np.linalg.svd(pooled - pooled.mean(axis=0), full_matrices=False)
    # the same directions up to sign, in order of variance
    assert np.allclose(np.abs(directions.T @ rows[:3].T), np.eye(3), atol=1e-8)


def test_components_without_variance_are_left_out() -> None:
    rng = np.random.default_rng(3)
    reference = np.c_[rng.normal(size=(50, 2)), np.zeros((50, 3))]
    current = np.c_[rng.normal(size=(50, 2)), np.zeros((50, 3))]
    result = projection_ks(reference, current)
    assert "2 components" in result.method
    constant = projection_ks(np.ones((10, 3)), np.ones((10, 3)))
    assert constant.p_value == 1.0
    assert "1 component;" in constant.method


def test_random_projection_is_seeded_gaussian() -> None:
    reference, current = shifted_pair(seed=4, n=50)
    result = projection_ks(reference, current, projection="random", dims=4, seed=9)
    matrix = np.random.default_rng(9).normal(scale=1 / 2, size=(20, 4))
    expected = min(ks(reference @ m, current @ m).p_value for m in matrix.T)
    assert result.p_value == pytest.approx(min(1.0, 4 * expected), rel=1e-12)
    assert result == projection_ks(reference, current, projection="random", dims=4, seed=9)
    assert "random projection (seed 9)" in result.method


def test_dims_default_is_min_of_32_and_the_columns() -> None:
    rng = np.random.default_rng(5)
    wide = projection_ks(rng.normal(size=(60, 40)), rng.normal(size=(60, 40)))
    assert "32 components" in wide.method
    narrow = projection_ks(rng.normal(size=(60, 3)), rng.normal(size=(60, 3)))
    assert "3 components" in narrow.method


@pytest.mark.parametrize("projection", ["pca", "random"])
def test_mean_shift_in_5_of_20_columns_is_found_at_n_500(projection: str) -> None:
    for seed in range(3):
        result = projection_ks(*shifted_pair(seed=100 + seed), projection=projection, seed=seed)
        assert result.drifted, result
        assert result.p_value < 1e-6


def test_result_is_in_the_table() -> None:
    assert MULTIVARIATE_TESTS["projection"] is projection_ks
    result = projection_ks(*shifted_pair(seed=6, n=30))
    assert result.test == "projection_ks"
    assert "along the most significant component" in result.effect_unit


@pytest.mark.parametrize(
    ("parameters", "name"),
    [
        pytest.param({"projection": "ica"}, "projection", id="projection"),
        pytest.param({"dims": 0}, "dims", id="dims"),
        pytest.param({"dims": 2.5}, "dims", id="dims-float"),
        pytest.param({"seed": -1}, "seed", id="seed"),
        pytest.param({"alpha": 0.0}, "alpha", id="alpha"),
        pytest.param({"threshold": float("nan")}, "threshold", id="threshold"),
    ],
)
def test_bad_parameters_are_refused_by_name(parameters: dict[str, object], name: str) -> None:
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of projection_ks\b"):
        projection_ks(np.zeros((5, 2)), np.ones((5, 2)), **parameters)


def test_bad_samples_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="same columns"):
        projection_ks(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(NoDataError, match="'current' sample of projection_ks is empty"):
        projection_ks(np.zeros((5, 2)), np.zeros((0, 2)))


@pytest.mark.slow
@pytest.mark.parametrize("projection", ["pca", "random"])
def test_false_alarm_rate_is_at_most_alpha(projection: str) -> None:
    rng = np.random.default_rng(20_260_302)
    runs = 1_000  # 50 rows a side, 10 components: about 3 s
    alarms = sum(
        projection_ks(
            rng.normal(size=(50, 10)),
            rng.normal(size=(50, 10)),
            projection=projection,
            seed=run,
        ).p_value
        <= ALPHA
        for run in range(runs)
    )
    p_exceeds = stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue
    assert p_exceeds > 0.001, f"{alarms}/{runs} false alarms"
