"""Calibration and power of compare, by simulation with stated seeds.

False alarms: on unshifted data with 25 mixed columns (skewed, integer-valued, heavily tied,
with nulls, categorical, sparse, id-like), the dataset verdict "drifted" must occur at most
alpha = 0.05 of the time. The observed count is accepted unless a one-sided binomial test
says, at the 0.001 level, that the true rate exceeds 0.05 (so a correct implementation fails
this test about once in a thousand seeds, and a rate of 0.10 fails it almost surely at
these run counts).
"""

import numpy as np
import pytest
from scipy import stats

import shiftwatch as sw
from tests.simulation import mixed_data

ALPHA = 0.05


def false_alarms(n_rows: int, runs: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    return sum(
        sw.compare(mixed_data(rng, n_rows), mixed_data(rng, n_rows), alpha=ALPHA).drifted
        for _ in range(runs)
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("n_rows", "runs"),
    [
        pytest.param(100, 400, id="n=100"),
        pytest.param(1_000, 400, id="n=1000"),
        pytest.param(10_000, 200, id="n=10000"),
        pytest.param(100_000, 60, id="n=100000"),
    ],
)
def test_false_alarm_rate_is_at_most_alpha(n_rows: int, runs: int) -> None:
    alarms = false_alarms(n_rows, runs, seed=20261126 + n_rows)
    p_exceeds = stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue
    assert p_exceeds > 0.001, f"{alarms}/{runs} false alarms at n={n_rows}"


@pytest.mark.slow
def test_quarter_std_shift_in_one_of_25_columns_is_found_at_n_1000() -> None:
    rng = np.random.default_rng(42)
    runs, found, wrong = 200, 0, 0
    for _ in range(runs):
        report = sw.compare(mixed_data(rng, 1_000), mixed_data(rng, 1_000, shift=0.25))
        found += "numeric_shift_target" in report.drifted_columns
        wrong += any(c != "numeric_shift_target" for c in report.drifted_columns)
    assert found / runs >= 0.80, f"power {found}/{runs}"
    p_exceeds = stats.binomtest(wrong, runs, ALPHA, alternative="greater").pvalue
    assert p_exceeds > 0.001, f"unshifted columns flagged in {wrong}/{runs} runs"


@pytest.mark.slow
def test_negligible_shift_at_a_million_rows_is_significant_but_immaterial() -> None:
    rng = np.random.default_rng(7)
    reference = {"x": rng.normal(size=1_000_000)}
    current = {"x": rng.normal(loc=0.02, size=1_000_000)}
    column = sw.compare(reference, current).columns["x"]
    assert column.adjusted_p_value is not None and column.adjusted_p_value < 1e-10
    assert column.effect == pytest.approx(0.02, abs=0.005)
    assert not column.drifted
    assert "immaterial" in column.reason
