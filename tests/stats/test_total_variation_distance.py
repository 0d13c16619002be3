"""Tests of shiftwatch.stats.total_variation_distance: the share of rows that changed category."""

import numpy as np
import pytest
from hypothesis import given, settings

from shiftwatch.stats import total_variation
from tests.stats.strategies import count_pairs

ORACLE = settings(max_examples=100, deadline=None, database=None)


@ORACLE
@given(pair=count_pairs())
def test_equals_half_the_l1_distance_and_the_largest_event_gap(pair) -> None:
    reference, current = pair
    p, q = reference / reference.sum(), current / current.sum()
    result = total_variation(reference, current)
    assert result.statistic == pytest.approx(0.5 * np.abs(p - q).sum(), abs=1e-12)
    # equivalently sup_A |P(A) - Q(A)|, reached at A = {p > q}
    assert result.statistic == pytest.approx(np.clip(p - q, 0, None).sum(), abs=1e-12)
    assert 0.0 <= result.statistic <= 1.0 + 1e-12
    assert result.effect == result.statistic
    assert result.p_value is None
    assert result.drifted == (result.effect >= result.threshold)
    assert (result.n_reference, result.n_current) == (reference.sum(), current.sum())


# --- known values -------------------------------------------------------------------------------


def test_known_value() -> None:
    # shares 0.30/0.70 against 0.45/0.55: 15% of the rows moved category
    result = total_variation([30, 70], [45, 55])
    assert result.statistic == pytest.approx(0.15, abs=1e-12)
    assert result.effect_unit == "share of rows (total variation)"
    assert result.drifted  # default threshold 0.05


def test_disjoint_supports_are_at_distance_one() -> None:
    assert total_variation([1, 2, 0], [0, 0, 5]).statistic == pytest.approx(1.0, abs=1e-15)


def test_identical_distributions_are_at_distance_zero() -> None:
    assert total_variation([2, 6], [1, 3]).statistic == 0.0
