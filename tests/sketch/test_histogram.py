"""Histogram: exact counts on fixed right-closed bins, merged by addition."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.errors import FormatError, IncompatibleError, InvalidParameterError
from shiftwatch.sketch import Histogram

LAWS = settings(max_examples=60, deadline=None, database=None)

edges_strategy = st.lists(
    st.floats(-100, 100, allow_nan=False, allow_infinity=False), min_size=1, max_size=8
).map(lambda e: sorted(set(e)))
# values hit the edges often: draw some from a small integer grid
values_strategy = st.lists(
    st.one_of(
        st.integers(-101, 101).map(float),
        st.floats(-200, 200, allow_nan=False, allow_infinity=False),
        st.sampled_from([math.inf, -math.inf]),
    ),
    max_size=40,
)


def histogram_of(edges: list[float], values: list[float]) -> Histogram:
    histogram = Histogram(edges)
    histogram.update(values)
    return histogram


def oracle(edges: list[float], values: list[float]) -> list[int]:
    """Counts in (-inf, e1], (e1, e2], ..., (e_last, inf) by plain comparisons."""
    bounds = [-math.inf, *edges, math.inf]
    counts = [0] * (len(edges) + 1)
    for value in values:
        for i in range(len(counts)):
            # -inf itself belongs to the first bin
            if (bounds[i] < value or i == 0) and value <= bounds[i + 1]:
                counts[i] += 1
                break
    return counts


@LAWS
@given(edges_strategy, values_strategy)
def test_counts_equal_the_oracle_and_numpy(edges: list[float], values: list[float]) -> None:
    histogram = histogram_of(edges, values)
    assert histogram.counts.tolist() == oracle(edges, values)
    assert histogram.n == len(values)
    assert histogram.is_empty() == (not values)
    # numpy bins are [a, b): mirror the values to get (a, b] bins
    finite = [v for v in values if math.isfinite(v)]
    mirrored, _ = np.histogram(-np.array(finite), bins=[-1e300, *(-np.array(edges[::-1])), 1e300])
    assert oracle(edges, finite) == mirrored[::-1].tolist()


@LAWS
@given(edges_strategy, values_strategy, values_strategy)
def test_merge_is_commutative_and_equals_the_concatenation(
    edges: list[float], a: list[float], b: list[float]
) -> None:
    first, second = histogram_of(edges, a), histogram_of(edges, b)
    assert first.merge(second) == second.merge(first) == histogram_of(edges, a + b)
    assert first.merge(second).n == first.n + second.n


@LAWS
@given(edges_strategy, values_strategy, values_strategy, values_strategy)
def test_merge_is_associative(
    edges: list[float], a: list[float], b: list[float], c: list[float]
) -> None:
    first, second, third = (histogram_of(edges, v) for v in (a, b, c))
    assert first.merge(second).merge(third) == first.merge(second.merge(third))


@LAWS
@given(edges_strategy, values_strategy, values_strategy)
def test_merge_does_not_mutate_its_inputs(
    edges: list[float], a: list[float], b: list[float]
) -> None:
    first, second = histogram_of(edges, a), histogram_of(edges, b)
    before = first.serialize(), second.serialize()
    merged = first.merge(second)
    assert (first.serialize(), second.serialize()) == before
    merged.update([0.0])
    assert (first.serialize(), second.serialize()) == before


@LAWS
@given(edges_strategy, values_strategy)
def test_serialize_round_trip(edges: list[float], values: list[float]) -> None:
    histogram = histogram_of(edges, values)
    restored = Histogram.deserialize(histogram.serialize())
    assert restored == histogram
    np.testing.assert_array_equal(restored.edges, histogram.edges)
    np.testing.assert_array_equal(restored.counts, histogram.counts)
    restored.update([1.0])  # a restored histogram can still be fed
    assert restored.n == histogram.n + 1


@LAWS
@given(
    edges_strategy,
    st.lists(st.tuples(st.integers(-101, 101).map(float), st.integers(0, 5)), max_size=20),
)
def test_weights_count_a_value_that_many_times(
    edges: list[float], pairs: list[tuple[float, int]]
) -> None:
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    weighted = Histogram(edges)
    weighted.update(values, weights=weights)
    assert weighted == histogram_of(edges, list(np.repeat(values, weights)))


def test_docstring_example() -> None:
    histogram = histogram_of([0.0, 10.0], [-1.0, 0.0, 5.0, 12.0, 99.0])
    assert histogram.counts.tolist() == [2, 1, 2]
    assert histogram.merge(histogram).counts.tolist() == [4, 2, 4]
    assert repr(histogram) == "Histogram(bins=3, n=5)"


def test_counts_is_a_copy() -> None:
    histogram = histogram_of([0.0], [1.0])
    histogram.counts[:] = 99
    assert histogram.counts.tolist() == [0, 1]


def test_nan_is_refused() -> None:
    histogram = histogram_of([0.0], [1.0])
    with pytest.raises(InvalidParameterError, match="drop NaN"):
        histogram.update([2.0, math.nan])
    assert histogram.n == 1


def test_merge_needs_the_same_edges() -> None:
    with pytest.raises(IncompatibleError, match="same"):
        histogram_of([0.0, 1.0], [0.5]).merge(histogram_of([0.0, 2.0], [0.5]))
    with pytest.raises(IncompatibleError):
        histogram_of([0.0], [0.5]).merge(histogram_of([0.0, 1.0], [0.5]))
    with pytest.raises(IncompatibleError):
        histogram_of([0.0], [0.5]).merge([0.5])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x02" + Histogram([1.0]).serialize()[1:], id="future-version"),
        pytest.param(Histogram([1.0]).serialize()[:-1], id="truncated"),
    ],
)
def test_deserialize_refuses_other_bytes(data: bytes) -> None:
    with pytest.raises(FormatError, match="Not a serialized Histogram"):
        Histogram.deserialize(data)


def test_negative_weights_are_refused() -> None:
    histogram = Histogram([0.0])
    try:
        histogram.update([1.0], weights=[-5])
    except InvalidParameterError:
        return
    assert histogram.counts.min() >= 0
    assert histogram.n >= 0
