"""Tests of shiftwatch.stats.binning: counts on bins cut at reference quantiles."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.errors import InvalidParameterError
from shiftwatch.stats import binned_counts, quantile_edges

ORACLE = settings(max_examples=100, deadline=None, database=None)

CONTINUOUS = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False)
TIED = st.integers(-3, 3).map(float)
ELEMENTS = {"continuous": CONTINUOUS, "ties": TIED, "mixed": st.one_of(CONTINUOUS, TIED)}


@st.composite
def sorted_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    element = ELEMENTS[draw(st.sampled_from(sorted(ELEMENTS)))]
    reference = draw(st.lists(element, min_size=1, max_size=80))
    current = draw(st.lists(element, min_size=0, max_size=80))
    return np.sort(np.array(reference, dtype=np.float64)), np.sort(
        np.array(current, dtype=np.float64)
    )


def counts_by_hand(values: np.ndarray, edges: np.ndarray) -> list[int]:
    """Bins (-inf, e1], (e1, e2], ..., (e_last, inf): the bin of a value = #edges below it."""
    counts = [0] * (edges.size + 1)
    for value in values:
        counts[sum(1 for edge in edges if edge < value)] += 1
    return counts


@ORACLE
@given(pair=sorted_pairs(), bins=st.integers(2, 12))
def test_binned_counts_follow_half_open_bins(pair, bins: int) -> None:
    reference, current = pair
    edges = quantile_edges(reference, bins)
    reference_counts, current_counts = binned_counts(reference, current, bins)
    assert reference_counts.sum() == reference.size
    assert current_counts.sum() == current.size
    assert reference_counts.size == current_counts.size == edges.size + 1
    assert reference_counts.dtype == np.int64
    assert reference_counts.tolist() == counts_by_hand(reference, edges)
    assert current_counts.tolist() == counts_by_hand(current, edges)
    # the same as numpy's right-closed digitisation
    np.testing.assert_array_equal(
        current_counts,
        np.bincount(np.digitize(current, edges, right=True), minlength=edges.size + 1),
    )


@ORACLE
@given(pair=sorted_pairs(), bins=st.integers(2, 12))
def test_quantile_edges_are_the_distinct_reference_quantiles(pair, bins: int) -> None:
    reference, _ = pair
    edges = quantile_edges(reference, bins)
    expected = sorted({float(np.quantile(reference, i / bins)) for i in range(1, bins)})
    assert edges.tolist() == expected
    assert (np.diff(edges) > 0).all()


@ORACLE
@given(seed=st.integers(0, 2**32 - 1), bins=st.integers(2, 20))
def test_continuous_reference_fills_bins_evenly(seed: int, bins: int) -> None:
    reference = np.sort(np.random.default_rng(seed).normal(size=1_000))
    reference_counts, _ = binned_counts(reference, reference, bins)
    assert reference_counts.size == bins
    assert np.abs(reference_counts - 1_000 / bins).max() <= 1


# --- known values -------------------------------------------------------------------------------


def test_quantile_edges_known_value() -> None:
    # linear interpolation: the 25% quantile of 0..9 sits at position 2.25
    assert quantile_edges(np.arange(10.0), bins=4).tolist() == [2.25, 4.5, 6.75]


def test_values_on_an_edge_go_to_the_lower_bin() -> None:
    reference = np.array([0.0, 1.0, 2.0, 3.0, 4.0])  # median edge at 2.0
    current = np.array([1.9, 2.0, 2.0, 2.1])
    reference_counts, current_counts = binned_counts(reference, current, bins=2)
    assert reference_counts.tolist() == [3, 2]
    assert current_counts.tolist() == [3, 1]


def test_shifted_current_known_value() -> None:
    reference_counts, current_counts = binned_counts(np.arange(10.0), np.arange(5.0, 15.0), bins=2)
    assert (reference_counts.tolist(), current_counts.tolist()) == ([5, 5], [0, 10])


def test_constant_reference_collapses_edges() -> None:
    reference = np.full(20, 3.0)
    assert quantile_edges(reference, bins=10).tolist() == [3.0]
    reference_counts, current_counts = binned_counts(reference, np.array([2.0, 3.0, 4.0]), bins=10)
    assert (reference_counts.tolist(), current_counts.tolist()) == ([20, 0], [2, 1])


@pytest.mark.parametrize(
    "bins",
    [pytest.param(1, id="one"), pytest.param(0, id="zero"), pytest.param(2.5, id="fractional")],
)
def test_bins_must_be_an_integer_of_at_least_two(bins) -> None:
    with pytest.raises(InvalidParameterError, match="'bins'"):
        quantile_edges(np.arange(5.0), bins=bins)
