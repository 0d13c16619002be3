"""DistinctCount: HyperLogLog against exact counts, and its merge laws."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.errors import FormatError, IncompatibleError
from shiftwatch.sketch import DistinctCount

RELATIVE_STANDARD_ERROR = 1.04 / np.sqrt(4096)


@pytest.mark.parametrize("distinct", [1, 10, 1_000, 10_000, 100_000, 1_000_000])
def test_estimate_is_within_four_standard_errors(distinct: int) -> None:
    seen = DistinctCount()
    rng = np.random.default_rng(distinct)
    seen.update(rng.permutation(distinct).astype(str))
    seen.update(np.arange(distinct // 2).astype(str))  # repeats change nothing
    assert seen.estimate == pytest.approx(distinct, rel=4 * RELATIVE_STANDARD_ERROR)
    assert seen.n == distinct + distinct // 2


def test_estimates_over_many_seeds_are_unbiased() -> None:
    errors = []
    for seed in range(40):
        seen = DistinctCount()
        seen.update(np.char.add(f"s{seed}-", np.arange(50_000).astype(str)))
        errors.append(seen.estimate / 50_000 - 1)
    assert abs(np.mean(errors)) < 3 * RELATIVE_STANDARD_ERROR / np.sqrt(40)
    assert np.std(errors) < 1.5 * RELATIVE_STANDARD_ERROR


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(0, 5_000), max_size=300),
    st.lists(st.integers(0, 5_000), max_size=300),
    st.lists(st.integers(0, 5_000), max_size=300),
)
def test_merge_is_the_count_of_the_union_and_commutative_and_associative(
    a: list[int], b: list[int], c: list[int]
) -> None:
    def of(values: list[int]) -> DistinctCount:
        seen = DistinctCount()
        seen.update(values)
        return seen

    left = of(a).merge(of(b)).merge(of(c))
    assert left == of(a).merge(of(b).merge(of(c)))
    assert of(a).merge(of(b)) == of(b).merge(of(a))
    assert left == of(a + b + c)
    assert left.estimate == pytest.approx(len(set(a + b + c)), abs=2, rel=0.02)


def test_serialize_round_trip_and_bad_input() -> None:
    seen = DistinctCount()
    seen.update(["a", "b"])
    assert DistinctCount.deserialize(seen.serialize()) == seen
    with pytest.raises(FormatError):
        DistinctCount.deserialize(b"nonsense")
    with pytest.raises(IncompatibleError):
        seen.merge("a")  # type: ignore[arg-type]
