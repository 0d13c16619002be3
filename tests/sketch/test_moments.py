"""Moments: exact moments merged with Chan et al.'s update, against numpy (ddof=0)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.errors import EmptySketchError, FormatError, InvalidParameterError
from shiftwatch.sketch import Moments

LAWS = settings(max_examples=60, deadline=None, database=None)

values = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64), max_size=40
)
with_nan = st.lists(
    st.one_of(st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False), st.just(math.nan)),
    max_size=30,
)


def moments_of(data: list[float] | np.ndarray) -> Moments:
    moments = Moments()
    moments.update(np.asarray(data, dtype=np.float64))
    return moments


def assert_close(first: Moments, second: Moments) -> None:
    """Same counts and extremes exactly; mean and variance within float rounding."""
    assert (first.n, first.missing) == (second.n, second.missing)
    if first.n == 0:
        assert second.is_empty()
        return
    assert (first.min, first.max) == (second.min, second.max)
    scale = max(abs(first.min), abs(first.max), 1.0)
    assert np.isclose(first.mean, second.mean, rtol=1e-9, atol=1e-12 * scale)
    assert np.isclose(first.variance, second.variance, rtol=1e-7, atol=1e-9 * scale**2)


def assert_matches_numpy(moments: Moments, data: list[float]) -> None:
    array = np.asarray(data, dtype=np.float64)
    finite = array[~np.isnan(array)]
    assert moments.n == finite.size
    assert moments.missing == array.size - finite.size
    if finite.size == 0:
        assert moments.is_empty()
        return
    scale = max(float(np.abs(finite).max()), 1.0)
    assert moments.min == finite.min()
    assert moments.max == finite.max()
    assert np.isclose(moments.mean, finite.mean(), rtol=1e-9, atol=1e-12 * scale)
    assert np.isclose(moments.variance, finite.var(ddof=0), rtol=1e-7, atol=1e-9 * scale**2)
    assert np.isclose(moments.std, finite.std(ddof=0), rtol=1e-7, atol=1e-6 * scale)


# --- laws ---------------------------------------------------------------------------------------


@LAWS
@given(values, values)
def test_merge_is_commutative(a: list[float], b: list[float]) -> None:
    assert_close(moments_of(a).merge(moments_of(b)), moments_of(b).merge(moments_of(a)))


@LAWS
@given(values, values, values)
def test_merge_is_associative(a: list[float], b: list[float], c: list[float]) -> None:
    first, second, third = moments_of(a), moments_of(b), moments_of(c)
    assert_close(first.merge(second).merge(third), first.merge(second.merge(third)))


@LAWS
@given(with_nan, with_nan)
def test_merge_equals_the_moments_of_the_concatenation(a: list[float], b: list[float]) -> None:
    merged = moments_of(a).merge(moments_of(b))
    assert_matches_numpy(merged, a + b)
    assert merged.n == moments_of(a).n + moments_of(b).n
    assert merged.missing == moments_of(a).missing + moments_of(b).missing


@LAWS
@given(with_nan, st.integers(1, 7))
def test_updating_in_batches_equals_one_update(data: list[float], batch: int) -> None:
    moments = Moments()
    for start in range(0, len(data), batch):
        moments.update(data[start : start + batch])
    assert_matches_numpy(moments, data)


@LAWS
@given(with_nan, with_nan)
def test_merge_does_not_mutate_its_inputs(a: list[float], b: list[float]) -> None:
    first, second = moments_of(a), moments_of(b)
    before = first.serialize(), second.serialize()
    merged = first.merge(second)
    assert (first.serialize(), second.serialize()) == before
    assert merged is not first
    assert merged is not second


@LAWS
@given(with_nan)
def test_serialize_round_trip_answers_the_same(data: list[float]) -> None:
    moments = moments_of(data)
    restored = Moments.deserialize(moments.serialize())
    assert restored == moments
    assert restored.serialize() == moments.serialize()
    assert (restored.n, restored.missing, restored.is_empty()) == (
        moments.n,
        moments.missing,
        moments.is_empty(),
    )
    if not moments.is_empty():
        answers = ("mean", "variance", "std", "min", "max")
        assert [getattr(restored, a) for a in answers] == [getattr(moments, a) for a in answers]


# --- oracle -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "scale", "rel"),
    [
        pytest.param(0.0, 1.0, 1e-12, id="standard"),
        pytest.param(1e9, 1.0, 1e-6, id="offset-1e9"),
        # values are quantised to 1.2e-7 (a float64 step at 1e9) against a spread of 1e-3
        pytest.param(-1e9, 1e-3, 1e-3, id="offset-minus-1e9-tiny-noise"),
        pytest.param(1e6, 1e4, 1e-12, id="offset-1e6-wide"),
    ],
)
def test_chunked_moments_against_numpy_with_huge_offsets(
    offset: float, scale: float, rel: float
) -> None:
    rng = np.random.default_rng(20240601)
    data = offset + scale * rng.standard_normal(10_000)
    # 100 chunks of uneven size, merged pairwise as a tree and also left to right
    cuts = np.sort(rng.choice(np.arange(1, data.size), size=99, replace=False))
    parts = [moments_of(chunk) for chunk in np.split(data, cuts)]
    left_to_right = parts[0]
    for part in parts[1:]:
        left_to_right = left_to_right.merge(part)
    tree = parts
    while len(tree) > 1:
        tree = [
            tree[i].merge(tree[i + 1]) if i + 1 < len(tree) else tree[i]
            for i in range(0, len(tree), 2)
        ]
    expected_variance = float(np.var(data - offset))  # exact shift: no cancellation
    for merged in (left_to_right, tree[0]):
        assert merged.n == 10_000
        assert merged.min == data.min()
        assert merged.max == data.max()
        assert merged.mean == pytest.approx(float(np.mean(data)), rel=1e-12, abs=1e-12)
        assert merged.variance == pytest.approx(expected_variance, rel=rel)
    # the naive E[x^2] - E[x]^2 loses everything at this offset: the test has teeth
    if offset == 1e9:
        naive = float(np.mean(data**2) - np.mean(data) ** 2)
        assert abs(naive - expected_variance) > 0.01


def test_docstring_values() -> None:
    moments = moments_of([1.0, 2.0, math.nan, 4.0]).merge(moments_of([5.0]))
    assert (moments.n, moments.missing, moments.min, moments.max) == (4, 1, 1.0, 5.0)
    assert moments.mean == 3.0
    assert moments.variance == 2.5  # ddof=0: (4 + 1 + 1 + 4) / 4
    assert moments.std == math.sqrt(2.5)


def test_scalar_updates() -> None:
    moments = Moments()
    for value in (3.0, 1, np.float32(2.0)):
        moments.update(value)
    assert (moments.n, moments.mean, moments.variance) == (3, 2.0, pytest.approx(2 / 3))


def test_a_single_value_has_zero_variance() -> None:
    moments = moments_of([1e9 + 0.1])
    assert moments.variance == 0.0
    assert moments.std == 0.0
    assert moments.min == moments.max == 1e9 + 0.1


# --- missing, infinite and empty -----------------------------------------------------------------


def test_nan_is_missing_and_only_nan_is_empty() -> None:
    moments = moments_of([math.nan, math.nan])
    assert (moments.n, moments.missing, moments.is_empty()) == (0, 2, True)
    assert repr(moments) == "Moments(n=0, missing=2)"
    merged = moments.merge(moments_of([1.0, math.nan]))
    assert (merged.n, merged.missing, merged.mean) == (1, 3, 1.0)


@pytest.mark.parametrize("value", [math.inf, -math.inf], ids=["inf", "minus-inf"])
def test_infinity_is_refused(value: float) -> None:
    moments = moments_of([1.0])
    with pytest.raises(InvalidParameterError, match="infinite"):
        moments.update([2.0, value])
    assert moments == moments_of([1.0])  # a refused update leaves the summary as it was


@pytest.mark.parametrize("getter", ["mean", "variance", "std", "min", "max"])
def test_empty_getters_raise(getter: str) -> None:
    with pytest.raises(EmptySketchError, match="no finite value"):
        getattr(Moments(), getter)


def test_merging_with_an_empty_summary_changes_nothing() -> None:
    moments = moments_of([1.0, 2.0, 7.5])
    assert moments.merge(Moments()) == moments
    assert Moments().merge(moments) == moments


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x01" * 10, id="short"),
        pytest.param(b"\x02" + Moments().serialize()[1:], id="future-version"),
    ],
)
def test_deserialize_refuses_other_bytes(data: bytes) -> None:
    with pytest.raises(FormatError, match="Not a serialized Moments"):
        Moments.deserialize(data)
