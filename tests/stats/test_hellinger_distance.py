"""Tests of shiftwatch.stats.hellinger_distance: the Hellinger distance of two count vectors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.spatial import distance

from shiftwatch.stats import hellinger
from tests.stats.strategies import count_pairs

ORACLE = settings(max_examples=100, deadline=None, database=None)


@ORACLE
@given(pair=count_pairs())
def test_matches_scaled_euclidean_distance_of_root_shares(pair) -> None:
    reference, current = pair
    p, q = reference / reference.sum(), current / current.sum()
    expected = distance.euclidean(np.sqrt(p), np.sqrt(q)) / math.sqrt(2)
    result = hellinger(reference, current)
    assert result.statistic == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert 0.0 <= result.statistic <= 1.0 + 1e-12
    assert result.effect == result.statistic
    assert result.p_value is None
    assert result.drifted == (result.effect >= result.threshold)


# --- known values -------------------------------------------------------------------------------


def test_known_value() -> None:
    expected = math.sqrt(
        0.5 * ((math.sqrt(0.5) - math.sqrt(0.6)) ** 2 + (math.sqrt(0.5) - math.sqrt(0.4)) ** 2)
    )
    result = hellinger([50, 50], [60, 40])
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.statistic == pytest.approx(0.0712, abs=1e-4)
    assert not result.drifted


def test_disjoint_supports_are_at_distance_one() -> None:
    assert hellinger([4, 0], [0, 9]).statistic == pytest.approx(1.0, abs=1e-15)


def test_identical_distributions_are_at_distance_zero() -> None:
    assert hellinger([3, 1], [30, 10]).statistic == 0.0
