"""QuantileSketch (KLL): exact up to k values, then ranks within rank_error of the truth.

KLL compaction and merges are randomised (DataSketches seeds its own generator), so beyond
``k`` values the laws are checked against the true ECDF within the sketch's stated
``rank_error`` (a 99% a-priori bound; the errors measured are far below it), never exactly.
"""

import math
import pickle

import datasketches
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.errors import EmptySketchError, FormatError, InvalidParameterError
from shiftwatch.sketch import QuantileSketch

LAWS = settings(max_examples=40, deadline=None, database=None)
EXACT = settings(max_examples=80, deadline=None, database=None)

exact_values = st.lists(
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False), min_size=1, max_size=60
)


@st.composite
def samples(draw: st.DrawFn, max_size: int = 3000) -> np.ndarray:
    """Up to ``max_size`` values from a seeded generator: continuous, tied or skewed."""
    size = draw(st.integers(0, max_size))
    seed = draw(st.integers(0, 2**32 - 1))
    shape = draw(st.sampled_from(["normal", "ties", "lognormal"]))
    rng = np.random.default_rng(seed)
    if shape == "normal":
        return rng.normal(50.0, 10.0, size)
    if shape == "ties":
        return rng.integers(0, 12, size).astype(np.float64)
    return rng.lognormal(0.0, 2.0, size)


ks = st.sampled_from([8, 16, 64, 200])


def sketch_of(data: np.ndarray | list[float], k: int = 200) -> QuantileSketch:
    sketch = QuantileSketch(k=k)
    sketch.update(np.asarray(data, dtype=np.float64))
    return sketch


def ecdf(data: np.ndarray, points: np.ndarray) -> np.ndarray:
    ordered = np.sort(data)
    return np.searchsorted(ordered, points, side="right") / ordered.size


def rank_grid(data: np.ndarray) -> np.ndarray:
    """Every distinct value (ties included) plus points between and beyond them."""
    distinct = np.unique(data)
    between = (distinct[:-1] + distinct[1:]) / 2
    grid = np.concatenate([distinct, between, [distinct[0] - 1, distinct[-1] + 1]])
    if grid.size > 400:
        grid = np.quantile(data, np.linspace(0, 1, 401), method="inverted_cdf")
    return grid


def assert_answers_within_error(sketch: QuantileSketch, data: np.ndarray) -> None:
    assert sketch.n == data.size
    if data.size == 0:
        assert sketch.is_empty()
        return
    grid = rank_grid(data)
    ranks = np.array([sketch.get_rank(v) for v in grid])
    truth = ecdf(data, grid)
    if sketch.exact:
        assert sketch.rank_error == 0.0
        np.testing.assert_array_equal(ranks, truth)
    else:
        assert np.abs(ranks - truth).max() <= sketch.rank_error
    # min and max are kept exactly in every mode
    assert (sketch.min, sketch.max) == (data.min(), data.max())


# --- oracle: exact mode -------------------------------------------------------------------------


def exclusive_quantile(data: np.ndarray, rank: float) -> float:
    """DataSketches' default (exclusive) quantile: the smallest value v with ECDF(v) > rank.

    numpy's ``inverted_cdf`` is the smallest v with ECDF(v) >= rank; the two agree except
    where ``rank * n`` is a whole number, where the exclusive one is the next order statistic.
    """
    ordered = np.sort(data)
    return float(ordered[min(math.floor(rank * ordered.size), ordered.size - 1)])


@EXACT
@given(exact_values)
def test_exact_quantiles_are_the_exclusive_inverse_of_the_ecdf(data: list[float]) -> None:
    array = np.array(data)
    sketch = sketch_of(array, k=64)
    assert sketch.exact
    for rank in np.linspace(0, 1, 41):
        assert sketch.get_quantile(rank) == exclusive_quantile(array, float(rank))


@EXACT
@given(exact_values)
def test_exact_quantiles_equal_numpy_inverted_cdf_off_the_steps(data: list[float]) -> None:
    array = np.array(data)
    sketch = sketch_of(array, k=64)
    n = array.size
    ranks = (np.arange(n) + 0.5) / n  # rank * n is never a whole number
    expected = np.quantile(array, ranks, method="inverted_cdf")
    np.testing.assert_array_equal([sketch.get_quantile(r) for r in ranks], expected)


def test_exact_quantile_on_a_step_is_the_next_order_statistic() -> None:
    sketch = sketch_of(np.arange(100.0))
    assert sketch.get_quantile(0.5) == 50.0  # numpy's inverted_cdf says 49.0, linear 49.5
    assert np.quantile(np.arange(100.0), 0.5, method="inverted_cdf") == 49.0
    assert sketch.get_quantile(0.0) == 0.0
    assert sketch.get_quantile(1.0) == 99.0
    assert sketch.get_quantile(0.999) == 99.0


@EXACT
@given(exact_values)
def test_exact_ranks_cdf_and_weighted_values(data: list[float]) -> None:
    array = np.array(data)
    sketch = sketch_of(array, k=64)
    grid = rank_grid(array)
    np.testing.assert_array_equal([sketch.get_rank(v) for v in grid], ecdf(array, grid))
    split_points = np.unique(array)
    np.testing.assert_array_equal(
        sketch.get_cdf(split_points), np.append(ecdf(array, split_points), 1.0)
    )
    values, weights = sketch.weighted_values()
    expected_values, expected_counts = np.unique(array, return_counts=True)
    np.testing.assert_array_equal(values, expected_values)
    np.testing.assert_array_equal(weights, expected_counts)
    assert weights.dtype == np.int64


def test_exact_up_to_k_then_estimating() -> None:
    sketch = sketch_of(np.arange(200.0), k=200)
    assert (sketch.exact, sketch.rank_error) == (True, 0.0)
    sketch.update(200.0)
    assert not sketch.exact
    expected = datasketches.kll_doubles_sketch.get_normalized_rank_error(200, True)
    assert sketch.rank_error == expected
    assert round(sketch.rank_error, 4) == 0.0165  # the docstring's pinned value
    assert round(QuantileSketch().rank_error, 4) == 0.0  # empty: exact
    big = sketch_of(np.arange(5000.0), k=2000)
    assert round(big.rank_error, 4) == 0.0019  # "0.19% at the default k" (module docstring)
    assert big.weighted_values()[1].sum() == big.n


def test_estimation_mode_ranks_within_error_on_a_large_sample() -> None:
    rng = np.random.default_rng(7)
    data = rng.normal(size=200_000)
    sketch = QuantileSketch(k=200)
    for chunk in np.array_split(data, 20):
        sketch.update(chunk)
    assert not sketch.exact
    assert_answers_within_error(sketch, data)
    for rank in (0.01, 0.25, 0.5, 0.75, 0.99):
        true_rank = ecdf(data, np.array([sketch.get_quantile(rank)]))[0]
        assert abs(true_rank - rank) <= sketch.rank_error + 1 / data.size


# --- laws ---------------------------------------------------------------------------------------


@LAWS
@given(samples(), samples(), ks)
def test_merge_answers_as_the_sketch_of_the_concatenation(
    a: np.ndarray, b: np.ndarray, k: int
) -> None:
    merged = sketch_of(a, k).merge(sketch_of(b, k))
    both = np.concatenate([a, b])
    assert merged.n == a.size + b.size
    assert merged.k == k
    assert merged.exact == (both.size <= k)
    assert_answers_within_error(merged, both)


@LAWS
@given(samples(max_size=300), samples(max_size=300), ks)
def test_merge_is_commutative_within_rank_error(a: np.ndarray, b: np.ndarray, k: int) -> None:
    ab = sketch_of(a, k).merge(sketch_of(b, k))
    ba = sketch_of(b, k).merge(sketch_of(a, k))
    both = np.concatenate([a, b])
    assert ab.n == ba.n == both.size
    assert_answers_within_error(ab, both)
    assert_answers_within_error(ba, both)
    if both.size:
        grid = rank_grid(both)
        ranks_ab = np.array([ab.get_rank(v) for v in grid])
        ranks_ba = np.array([ba.get_rank(v) for v in grid])
        if both.size <= k:
            np.testing.assert_array_equal(ranks_ab, ranks_ba)
            assert ab.weighted_values()[0].tolist() == ba.weighted_values()[0].tolist()
        else:
            assert np.abs(ranks_ab - ranks_ba).max() <= ab.rank_error


@LAWS
@given(samples(max_size=300), samples(max_size=300), samples(max_size=300), ks)
def test_merge_is_associative_within_rank_error(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, k: int
) -> None:
    first, second, third = sketch_of(a, k), sketch_of(b, k), sketch_of(c, k)
    left = first.merge(second).merge(third)
    right = first.merge(second.merge(third))
    everything = np.concatenate([a, b, c])
    assert left.n == right.n == everything.size
    assert_answers_within_error(left, everything)
    assert_answers_within_error(right, everything)
    if 0 < everything.size <= k:
        grid = rank_grid(everything)
        assert [left.get_rank(v) for v in grid] == [right.get_rank(v) for v in grid]


@LAWS
@given(samples(max_size=500), samples(max_size=500), ks)
def test_merge_does_not_mutate_its_inputs(a: np.ndarray, b: np.ndarray, k: int) -> None:
    first, second = sketch_of(a, k), sketch_of(b, k)
    before = first.serialize(), second.serialize()
    merged = first.merge(second)
    assert (first.serialize(), second.serialize()) == before
    assert (first.n, second.n) == (a.size, b.size)
    assert merged is not first
    assert merged is not second


@LAWS
@given(samples(max_size=1000), ks)
def test_serialize_round_trip_answers_identically(data: np.ndarray, k: int) -> None:
    sketch = sketch_of(data, k)
    restored = QuantileSketch.deserialize(sketch.serialize())
    assert restored == sketch
    assert (restored.k, restored.n, restored.exact, restored.rank_error) == (
        sketch.k,
        sketch.n,
        sketch.exact,
        sketch.rank_error,
    )
    assert pickle.loads(pickle.dumps(sketch)) == sketch
    if data.size:
        grid = rank_grid(data)
        assert [restored.get_rank(v) for v in grid] == [sketch.get_rank(v) for v in grid]
        ranks = np.linspace(0, 1, 21)
        assert [restored.get_quantile(r) for r in ranks] == [sketch.get_quantile(r) for r in ranks]
        np.testing.assert_array_equal(restored.weighted_values()[1], sketch.weighted_values()[1])


def test_merge_of_different_k_reports_the_error_of_the_smaller_k() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=20_000), rng.normal(size=20_000)
    coarse = sketch_of(b, k=8)
    merged = sketch_of(a, k=200).merge(coarse)
    assert merged.rank_error >= coarse.rank_error


# --- refusals and empty -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([1.0, math.nan], id="nan"),
        pytest.param([math.inf], id="inf"),
        pytest.param(-math.inf, id="minus-inf-scalar"),
    ],
)
def test_non_finite_values_are_refused(values: object) -> None:
    sketch = sketch_of([1.0, 2.0])
    with pytest.raises(InvalidParameterError, match="finite"):
        sketch.update(values)
    assert sketch.n == 2


def test_read_only_arrays_are_accepted() -> None:
    array = np.arange(10.0)
    array.flags.writeable = False
    sketch = QuantileSketch(k=16)
    sketch.update(array)
    sketch.update(np.float32(3.5))
    assert sketch.n == 11


@pytest.mark.parametrize("rank", [-0.1, 1.5, math.nan], ids=["negative", "above-1", "nan"])
def test_get_quantile_refuses_ranks_outside_0_1(rank: float) -> None:
    with pytest.raises(InvalidParameterError, match="'rank' parameter of get_quantile"):
        sketch_of([1.0, 2.0]).get_quantile(rank)


@pytest.mark.parametrize(
    "ask",
    [
        pytest.param(lambda s: s.get_quantile(0.5), id="get_quantile"),
        pytest.param(lambda s: s.get_rank(1.0), id="get_rank"),
        pytest.param(lambda s: s.get_cdf([1.0]), id="get_cdf"),
        pytest.param(lambda s: s.min, id="min"),
        pytest.param(lambda s: s.max, id="max"),
    ],
)
def test_empty_sketch_getters_raise(ask) -> None:
    with pytest.raises(EmptySketchError):
        ask(QuantileSketch(k=16))


def test_empty_weighted_values_and_merges() -> None:
    empty = QuantileSketch(k=16)
    values, weights = empty.weighted_values()
    assert (values.size, weights.size) == (0, 0)
    assert empty.merge(QuantileSketch(k=16)).is_empty()
    filled = sketch_of([3.0, 1.0], k=16)
    assert empty.merge(filled).get_cdf([1.0, 3.0]).tolist() == [0.5, 1.0, 1.0]


def test_merge_refuses_other_types() -> None:
    with pytest.raises(InvalidParameterError, match="takes a QuantileSketch"):
        sketch_of([1.0]).merge([1.0, 2.0])  # type: ignore[arg-type]


def test_deserialize_refuses_garbage() -> None:
    with pytest.raises(FormatError, match="Not a serialized QuantileSketch"):
        QuantileSketch.deserialize(b"not a sketch")


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 500, 12_345])
@pytest.mark.parametrize("k", [8, 200])
def test_weighted_values_from_the_bytes_match_the_sketchs_iteration(n: int, k: int) -> None:
    sketch = QuantileSketch(k=k)
    values = np.random.default_rng(n).normal(size=n).round(2)  # ties too
    sketch.update(values)
    pairs = np.array(list(sketch._sketch), dtype=np.float64)  # DataSketches' own reading
    expected = np.unique(pairs[:, 0])
    got_values, got_weights = sketch.weighted_values()
    np.testing.assert_array_equal(got_values, expected)
    totals = [pairs[pairs[:, 0] == v, 1].sum() for v in expected]
    np.testing.assert_array_equal(got_weights, totals)
    assert got_weights.sum() == n
