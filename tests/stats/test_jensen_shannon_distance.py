"""Tests of shiftwatch.stats.jensen_shannon_distance: the Jensen–Shannon distance in bits."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.spatial import distance

from shiftwatch.stats import jensen_shannon
from tests.stats.strategies import count_pairs

ORACLE = settings(max_examples=100, deadline=None, database=None)


def scipy_jensen_shannon(reference: np.ndarray, current: np.ndarray) -> float:
    with np.errstate(invalid="ignore"):  # scipy takes sqrt of a divergence rounded below 0
        value = float(distance.jensenshannon(reference, current, base=2))
    return 0.0 if math.isnan(value) else value


@ORACLE
@given(pair=count_pairs())
def test_matches_scipy_jensenshannon_base_2(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    result = jensen_shannon(reference, current)
    assert result.statistic == pytest.approx(
        scipy_jensen_shannon(reference, current), rel=1e-9, abs=1e-12
    )
    assert 0.0 <= result.statistic <= 1.0 + 1e-12
    assert result.effect == result.statistic
    assert result.p_value is None
    assert result.drifted == (result.effect >= result.threshold)


@ORACLE
@given(pair=count_pairs())
def test_is_symmetric(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    assert jensen_shannon(reference, current).statistic == pytest.approx(
        jensen_shannon(current, reference).statistic, rel=1e-12, abs=1e-15
    )


# --- known values -------------------------------------------------------------------------------


def test_known_value() -> None:
    # p = (1/2, 1/2), q = (3/5, 2/5), m = (11/20, 9/20); JSD in bits, then the square root.
    p, q, m = [0.5, 0.5], [0.6, 0.4], [0.55, 0.45]
    divergence = sum(a * math.log2(a / c) for a, c in zip(p, m, strict=True)) + sum(
        b * math.log2(b / c) for b, c in zip(q, m, strict=True)
    )
    result = jensen_shannon([50, 50], [60, 40])
    assert result.statistic == pytest.approx(math.sqrt(divergence / 2), rel=1e-12)
    assert result.statistic == pytest.approx(0.0854, abs=1e-4)
    assert not result.drifted


def test_disjoint_supports_are_one_bit_apart() -> None:
    assert jensen_shannon([5, 0, 0], [0, 3, 7]).statistic == pytest.approx(1.0, abs=1e-15)


def test_identical_distributions_are_zero_apart() -> None:
    assert jensen_shannon([1, 2, 3], [10, 20, 30]).statistic == 0.0
