"""Tests of shiftwatch.stats.population_stability: the population stability index."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from shiftwatch.errors import InvalidParameterError
from shiftwatch.stats import psi
from shiftwatch.stats.population_stability import DEFAULT_EPSILON

ORACLE = settings(max_examples=100, deadline=None, database=None)


@st.composite
def positive_count_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Counts of 1 to 1000 over at most 10 bins: every share is >= 1 / 10000 = epsilon."""
    k = draw(st.integers(1, 10))
    counts = st.lists(st.integers(1, 1000), min_size=k, max_size=k)
    return np.array(draw(counts)), np.array(draw(counts))


@ORACLE
@given(pair=positive_count_pairs())
def test_psi_is_the_symmetrised_kl_divergence(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    p, q = reference / reference.sum(), current / current.sum()
    assert min(p.min(), q.min()) >= DEFAULT_EPSILON
    expected = float(scipy_stats.entropy(q, p) + scipy_stats.entropy(p, q))
    result = psi(reference, current)
    assert result.statistic == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert result.effect == result.statistic
    assert result.p_value is None
    assert result.drifted == (result.effect >= result.threshold)


@ORACLE
@given(pair=positive_count_pairs())
def test_psi_is_symmetric_and_non_negative(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    forward, backward = psi(reference, current).statistic, psi(current, reference).statistic
    assert forward >= 0.0
    assert forward == pytest.approx(backward, rel=1e-12, abs=1e-15)


# --- known values -------------------------------------------------------------------------------


def test_psi_known_value() -> None:
    shares = [0.1, 0.2, 0.3, 0.4]
    expected = sum((q - 0.25) * math.log(q / 0.25) for q in shares)
    result = psi([25, 25, 25, 25], [10, 20, 30, 40])
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.statistic == pytest.approx(0.2282, abs=1e-4)
    assert result.drifted  # above the default threshold of 0.1


def test_empty_bins_are_floored_at_epsilon() -> None:
    # reference shares 0.5, 0.5, 0 -> 0 is floored at 1e-4; current shares 0.5, 0.4, 0.1
    expected = (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.1 - 1e-4) * math.log(0.1 / 1e-4)
    assert psi([50, 50, 0], [50, 40, 10]).statistic == pytest.approx(expected, rel=1e-12)
    looser = (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.1 - 1e-2) * math.log(0.1 / 1e-2)
    result = psi([50, 50, 0], [50, 40, 10], epsilon=1e-2)
    assert result.statistic == pytest.approx(looser, rel=1e-12)


def test_identical_distributions_have_zero_psi() -> None:
    result = psi([10, 20, 30], [20, 40, 60])
    assert result.statistic == pytest.approx(0.0, abs=1e-15)
    assert not result.drifted


@pytest.mark.parametrize(
    "epsilon",
    [pytest.param(0.0, id="zero"), pytest.param(1.0, id="one"), pytest.param(-1e-4, id="negative")],
)
def test_epsilon_must_be_in_the_open_unit_interval(epsilon: float) -> None:
    with pytest.raises(InvalidParameterError, match="'epsilon'"):
        psi([1, 2], [2, 1], epsilon=epsilon)
