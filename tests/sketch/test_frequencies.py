"""Frequencies: exact category counts up to max_levels, hashed group counts beyond."""

import decimal
import math
import pickle
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.errors import FormatError, IncompatibleError, InvalidParameterError
from shiftwatch.sketch import Frequencies

LAWS = settings(max_examples=60, deadline=None, database=None)

# One type per list: Frequencies.update goes through numpy, which would turn [1, "a"] into
# strings; mixed types are covered by update_counts below.
categories = st.one_of(
    st.lists(st.sampled_from([f"c{i}" for i in range(30)]), max_size=40),
    st.lists(st.integers(-15, 15), max_size=40),
)
many = st.lists(st.sampled_from([f"level-{i}" for i in range(40)]), max_size=60)
max_levels = st.integers(1, 6)
groups = st.integers(1, 16)


def frequencies_of(values: list, max_levels: int = 4096, groups: int = 1024) -> Frequencies:
    frequencies = Frequencies(max_levels=max_levels, groups=groups)
    frequencies.update(values)
    return frequencies


def grouping(values: list, groups: int) -> np.ndarray:
    """The group counts an exact Frequencies of ``values`` reports (the oracle for grouped)."""
    return frequencies_of(values, max_levels=10**6, groups=groups).group_counts()


# --- laws while exact ---------------------------------------------------------------------------


@LAWS
@given(categories)
def test_exact_counts_equal_counter(values: list) -> None:
    frequencies = frequencies_of(values)
    assert frequencies.exact
    assert frequencies.counts == Counter(values)
    assert frequencies.n == len(values)
    assert frequencies.distinct == len(set(values))
    assert frequencies.is_empty() == (not values)
    assert int(frequencies.group_counts().sum()) == len(values)


@LAWS
@given(categories, categories)
def test_exact_merge_is_commutative(a: list, b: list) -> None:
    ab = frequencies_of(a).merge(frequencies_of(b))
    ba = frequencies_of(b).merge(frequencies_of(a))
    assert ab.counts == ba.counts == Counter(a + b)
    np.testing.assert_array_equal(ab.group_counts(), ba.group_counts())


@LAWS
@given(categories, categories, categories)
def test_exact_merge_is_associative(a: list, b: list, c: list) -> None:
    first, second, third = frequencies_of(a), frequencies_of(b), frequencies_of(c)
    left = first.merge(second).merge(third)
    right = first.merge(second.merge(third))
    assert left == right  # first-seen order is the same both ways: bytes are equal
    assert left.counts == Counter(a + b + c)


@LAWS
@given(categories, categories)
def test_merge_does_not_mutate_its_inputs(a: list, b: list) -> None:
    first, second = frequencies_of(a, max_levels=5, groups=4), frequencies_of(b, 5, 4)
    before = first.serialize(), second.serialize()
    merged = first.merge(second)
    assert (first.serialize(), second.serialize()) == before
    assert merged.n == len(a) + len(b)
    assert merged is not first


@LAWS
@given(categories, max_levels, groups)
def test_serialize_round_trip_answers_identically(values: list, levels: int, size: int) -> None:
    frequencies = frequencies_of(values, levels, size)
    for restored in (
        Frequencies.deserialize(frequencies.serialize()),
        pickle.loads(pickle.dumps(frequencies)),
    ):
        assert (restored.exact, restored.n, restored.distinct) == (
            frequencies.exact,
            frequencies.n,
            frequencies.distinct,
        )
        assert (restored.max_levels, restored.groups) == (levels, size)
        np.testing.assert_array_equal(restored.group_counts(), frequencies.group_counts())
        # ties may come back in another order once grouped (see the xfail below)
        assert sorted(restored.most_frequent(100), key=repr) == sorted(
            frequencies.most_frequent(100), key=repr
        )
        if frequencies.exact:
            assert restored == frequencies
            assert list(restored.counts.items()) == list(frequencies.counts.items())


def test_grouped_serialize_round_trip_is_equal() -> None:
    frequencies = frequencies_of(["c0", "c1", "c6"], max_levels=1, groups=1)
    restored = Frequencies.deserialize(frequencies.serialize())
    assert restored.most_frequent() == frequencies.most_frequent()
    assert restored == frequencies


# --- laws once grouped --------------------------------------------------------------------------


@LAWS
@given(many, many, max_levels, groups)
def test_merge_equals_the_grouping_of_the_concatenation(
    a: list, b: list, levels: int, size: int
) -> None:
    merged = frequencies_of(a, levels, size).merge(frequencies_of(b, levels, size))
    both = a + b
    assert merged.n == len(both)
    assert merged.exact == (len(set(both)) <= levels)
    group_counts = merged.group_counts()
    assert int(group_counts.sum()) == merged.n
    np.testing.assert_array_equal(group_counts, grouping(both, size))
    np.testing.assert_array_equal(group_counts, frequencies_of(both, levels, size).group_counts())
    if merged.exact:
        assert merged.counts == Counter(both)


@LAWS
@given(many, many, max_levels, groups)
def test_grouped_merge_is_commutative(a: list, b: list, levels: int, size: int) -> None:
    ab = frequencies_of(a, levels, size).merge(frequencies_of(b, levels, size))
    ba = frequencies_of(b, levels, size).merge(frequencies_of(a, levels, size))
    assert (ab.n, ab.exact) == (ba.n, ba.exact)
    np.testing.assert_array_equal(ab.group_counts(), ba.group_counts())
    if not ab.exact:
        assert ab.distinct == ba.distinct


@LAWS
@given(many, many, many, max_levels, groups)
def test_grouped_merge_is_associative(a: list, b: list, c: list, levels: int, size: int) -> None:
    first, second, third = (frequencies_of(v, levels, size) for v in (a, b, c))
    left = first.merge(second).merge(third)
    right = first.merge(second.merge(third))
    assert left.n == right.n == len(a + b + c)
    np.testing.assert_array_equal(left.group_counts(), right.group_counts())
    np.testing.assert_array_equal(left.group_counts(), grouping(a + b + c, size))


# --- transition to groups -----------------------------------------------------------------------


def test_transition_to_hashed_groups_beyond_max_levels() -> None:
    frequencies = Frequencies(max_levels=3, groups=4)
    frequencies.update(["a", "b", "c", "a"])
    assert frequencies.exact
    assert frequencies.counts == {"a": 2, "b": 1, "c": 1}
    exact_groups = frequencies.group_counts()
    frequencies.update(["d"])
    assert not frequencies.exact
    assert frequencies.n == 5
    assert frequencies.distinct == 4  # at least max_levels + 1 once grouped
    assert frequencies.group_counts().sum() == 5
    np.testing.assert_array_equal(
        frequencies.group_counts(), exact_groups + grouping(["d"], groups=4)
    )
    with pytest.raises(IncompatibleError, match="More than 3 categories"):
        _ = frequencies.counts
    assert repr(frequencies) == "Frequencies(n=5, distinct=4, 4 hashed groups)"


def test_exact_and_grouped_merge_in_either_order() -> None:
    exact = frequencies_of(["a", "a", "b"], max_levels=3, groups=8)
    grouped = frequencies_of(["c", "d", "e", "f"], max_levels=3, groups=8)
    assert exact.exact
    assert not grouped.exact
    expected = grouping(["a", "a", "b", "c", "d", "e", "f"], groups=8)
    for merged in (exact.merge(grouped), grouped.merge(exact)):
        assert not merged.exact
        assert merged.n == 7
        np.testing.assert_array_equal(merged.group_counts(), expected)


def test_merge_of_different_groups_is_incompatible() -> None:
    with pytest.raises(IncompatibleError, match="same number of groups"):
        frequencies_of(["a"], groups=8).merge(frequencies_of(["a"], groups=16))
    with pytest.raises(IncompatibleError):
        frequencies_of(["a"]).merge(["a"])  # type: ignore[arg-type]


# --- keys ---------------------------------------------------------------------------------------


def test_one_and_one_point_zero_are_one_category_in_both_modes() -> None:
    exact = Frequencies(groups=64)
    exact.update_counts([1, 1.0, np.float64(1.0), np.int32(2), 2.5], [2, 3, 1, 4, 1])
    assert exact.counts == {1: 6, 2: 4, 2.5: 1}
    assert exact.distinct == 3

    grouped = Frequencies(max_levels=2, groups=64)
    grouped.update_counts([1, 2, 2.5], [2, 4, 1])
    assert not grouped.exact
    grouped.update_counts([1.0], [3])
    grouped.update_counts([np.float64(1.0)], [1])
    assert grouped.group_counts().tolist() == exact.group_counts().tolist()
    top = grouped.most_frequent(1)
    assert top == [(1, 6)]
    assert type(top[0][0]) is int


def test_decimals_count_as_floats() -> None:
    frequencies = Frequencies()
    frequencies.update_counts([decimal.Decimal("1.5"), 1.5, decimal.Decimal("2")], [1, 1, 1])
    assert frequencies.counts == {1.5: 2, 2.0: 1}


def test_bools_are_counted_and_come_back_as_bools() -> None:
    exact = frequencies_of([True, False, True, True])
    assert exact.counts == {True: 3, False: 1}
    grouped = frequencies_of(np.array([True, False, True, True]), max_levels=1, groups=8)
    assert not grouped.exact
    assert grouped.n == 4
    assert grouped.group_counts().tolist() == grouping([True, False, True, True], 8).tolist()
    assert grouped.most_frequent(2) == [(True, 3), (False, 1)]
    assert all(type(value) is bool for value, _ in grouped.most_frequent(2))
    assert Frequencies.deserialize(exact.serialize()).counts == {True: 3, False: 1}


def test_ints_come_back_as_python_ints() -> None:
    frequencies = frequencies_of(np.array([7, 7, -3, 2**40], dtype=np.int64))
    assert frequencies.counts == {-3: 1, 7: 2, 2**40: 1}
    assert all(type(value) is int for value in frequencies.counts)
    restored = Frequencies.deserialize(frequencies.serialize())
    assert all(type(value) is int for value in restored.counts)
    grouped = frequencies_of(np.array([7, 7, -3, 2**40]), max_levels=2, groups=8)
    assert grouped.most_frequent(1) == [(7, 2)]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(None, id="none"),
        pytest.param(b"bytes", id="bytes"),
        pytest.param((1, 2), id="tuple"),
    ],
)
def test_values_that_are_not_categories_are_refused(value: object) -> None:
    with pytest.raises(InvalidParameterError, match="numbers, strings and booleans"):
        Frequencies().update_counts([value], [1])


def test_negative_counts_are_refused() -> None:
    frequencies = Frequencies()
    with pytest.raises(InvalidParameterError, match="counts >= 0"):
        frequencies.update_counts(["a"], [-1])
    assert frequencies.is_empty()


# --- most_frequent and distinct -----------------------------------------------------------------


def test_most_frequent_while_exact_ranks_by_count_then_first_seen() -> None:
    frequencies = Frequencies()
    frequencies.update_counts(["b", "a", "c", "d"], [2, 5, 2, 1])
    assert frequencies.most_frequent(3) == [("a", 5), ("b", 2), ("c", 2)]
    assert frequencies.most_frequent() == [("a", 5), ("b", 2), ("c", 2), ("d", 1)]
    assert Frequencies().most_frequent() == []


def test_most_frequent_finds_the_heavy_item_once_grouped() -> None:
    frequencies = Frequencies()  # max_levels 4096
    frequencies.update([f"user-{i}" for i in range(20_000)])
    frequencies.update_counts(["heavy"], [5000])
    assert not frequencies.exact
    (item, estimate), *_ = frequencies.most_frequent(3)
    assert item == "heavy"
    assert abs(estimate - 5000) <= 0.01 * frequencies.n


def test_distinct_estimate_within_five_percent() -> None:
    frequencies = Frequencies()
    for start in range(0, 20_000, 5_000):
        frequencies.update([f"id-{i:05d}" for i in range(start, start + 5_000)])
    assert not frequencies.exact
    assert frequencies.n == 20_000
    assert abs(frequencies.distinct - 20_000) <= 0.05 * 20_000
    half = frequencies_of([f"id-{i:05d}" for i in range(10_000)])
    # merging a subset adds no distinct values (the union estimator differs a little)
    assert abs(frequencies.merge(half).distinct - 20_000) <= 0.05 * 20_000


# --- suspected defects --------------------------------------------------------------------------


def test_group_counts_do_not_depend_on_when_the_sketch_went_grouped() -> None:
    exact_first = Frequencies(max_levels=2, groups=64)
    exact_first.update_counts([True], [1])
    exact_first.update_counts([1, 2, 3], [1, 1, 1])
    grouped_first = Frequencies(max_levels=2, groups=64)
    grouped_first.update_counts([1, 2, 3], [1, 1, 1])
    grouped_first.update_counts([True], [1])
    assert exact_first.group_counts().tolist() == grouped_first.group_counts().tolist()


def test_nan_is_one_category_or_refused() -> None:
    frequencies = Frequencies()
    try:
        frequencies.update([math.nan, math.nan])
        frequencies.update([math.nan])
    except InvalidParameterError:
        return
    assert frequencies.distinct == 1


def test_merge_is_commutative_under_equality() -> None:
    a, b = frequencies_of(["x", "y"]), frequencies_of(["y", "z"])
    assert a.merge(b).counts == b.merge(a).counts
    assert a.merge(b) == b.merge(a)


# --- format -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"[1, 2]", id="a-list"),
        pytest.param(b'{"version": 1}', id="fields-missing"),
        pytest.param(b'{"version": 1, "max_levels": 0, "groups": 4, "counts": []}', id="bad"),
    ],
)
def test_deserialize_refuses_other_bytes(data: bytes) -> None:
    with pytest.raises(FormatError, match="Not a serialized Frequencies"):
        Frequencies.deserialize(data)


def test_deserialize_refuses_a_newer_version() -> None:
    data = b'{"version": 2, "max_levels": 4, "groups": 4, "counts": []}'
    with pytest.raises(FormatError, match="version 2 is not known"):
        Frequencies.deserialize(data)
