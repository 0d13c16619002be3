"""Welch's test from moments against scipy's ttest_ind on the raw values."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from shiftwatch.stats.welch import welch_from_moments


def test_matches_scipy_welch_on_the_raw_values() -> None:
    rng = np.random.default_rng(1)
    reference, current = rng.poisson(30, 500).astype(float), rng.poisson(31, 200).astype(float)
    result = welch_from_moments(
        (reference.size, reference.mean(), reference.var()),
        (current.size, current.mean(), current.var()),
    )
    expected = scipy_stats.ttest_ind(current, reference, equal_var=False)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-10)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert result.effect == pytest.approx(abs(current.mean() - reference.mean()) / reference.std())


def test_constant_lengths() -> None:
    assert welch_from_moments((10, 5.0, 0.0), (10, 5.0, 0.0)).p_value == 1.0
    assert welch_from_moments((10, 5.0, 0.0), (10, 6.0, 0.0)).p_value == 0.0
