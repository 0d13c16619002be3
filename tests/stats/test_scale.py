"""Brown–Forsythe scale test: against scipy's levene(center="median"), calibration, power."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

import shiftwatch as sw
from shiftwatch.stats import brown_forsythe
from tests.simulation import mixed_data


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda rng, n: rng.normal(size=n), id="normal"),
        pytest.param(lambda rng, n: rng.lognormal(size=n), id="lognormal"),
        pytest.param(lambda rng, n: np.round(rng.normal(40, 10, n)), id="integers"),
    ],
)
def test_statistic_and_p_value_are_scipys_levene_on_medians(make) -> None:
    rng = np.random.default_rng(2)
    reference, current = make(rng, 300), make(rng, 120) * 1.3
    expected = scipy_stats.levene(reference, current, center="median")
    result = brown_forsythe(reference, current)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    spread = [np.mean(np.abs(x - np.median(x))) for x in (reference, current)]
    assert result.effect == pytest.approx(abs(math.log(spread[1] / spread[0])), rel=1e-12)


def test_constant_samples() -> None:
    assert brown_forsythe([1.0, 1.0], [1.0, 1.0]).p_value == 1.0
    moved = brown_forsythe([1.0, 1.0, 1.0], [0.0, 1.0, 2.0])
    assert moved.effect == math.inf


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda rng, n: rng.lognormal(size=n), id="lognormal"),
        pytest.param(lambda rng, n: np.round(rng.normal(size=n)), id="tied-integers"),
        pytest.param(
            lambda rng, n: np.where(rng.random(n) < 0.6, 0.0, rng.gamma(2.0, size=n)),
            id="zero-inflated",
        ),
    ],
)
def test_false_alarms_at_most_alpha_on_skewed_and_tied_data(make) -> None:
    rng = np.random.default_rng(20261207)
    runs = 400
    alarms = sum(brown_forsythe(make(rng, 1_000), make(rng, 100)).significant for _ in range(runs))
    assert scipy_stats.binomtest(alarms, runs, 0.05, alternative="greater").pvalue > 1e-3


@pytest.mark.slow
@pytest.mark.parametrize(
    ("n", "power"), [pytest.param(100, 0.3, id="n=100"), pytest.param(1_000, 0.9, id="n=1000")]
)
def test_variance_x1_5_in_one_of_25_columns_is_found(n: int, power: float) -> None:
    rng = np.random.default_rng(15)
    runs, found = 100, 0
    for _ in range(runs):
        current = mixed_data(rng, n)
        current["numeric_shift_target"] = current["numeric_shift_target"] * math.sqrt(1.5)
        found += (
            "numeric_shift_target" in sw.compare(mixed_data(rng, 5_000), current).drifted_columns
        )
    assert found / runs >= power, f"{found}/{runs}"
