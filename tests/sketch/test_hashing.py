"""Stable hashes: the same value hashes the same everywhere, and well enough to group by."""

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from shiftwatch.errors import InvalidParameterError
from shiftwatch.sketch.hashing import stable_hash


def test_hashes_are_pinned_because_saved_profiles_depend_on_them() -> None:
    # Changing these values would regroup the categories of every saved profile.
    assert stable_hash(["tokyo", "", "x" * 100]).tolist() == [
        11239397161014715579,
        16848853895932712992,
        1967969780647656778,
    ]
    assert stable_hash([0, 1, -2.5]).tolist() == [
        9370218965779684112,
        7231280529979503089,
        8269561268235407959,
    ]


def test_a_value_hashes_alike_whatever_its_arrow_type_or_neighbours() -> None:
    words = ["a", "tokyo", "x" * 70]
    expected = stable_hash(words)
    for array in (
        pa.array(words, pa.string()),
        pa.array(words, pa.large_string()),
        pa.array(words).dictionary_encode(),
        pa.array(["pad", *words]).slice(1),
    ):
        np.testing.assert_array_equal(stable_hash(array), expected)
    numbers = stable_hash(pa.array([1, 2], pa.int8()))
    np.testing.assert_array_equal(numbers, stable_hash(pa.array([1.0, 2.0], pa.float32())))
    np.testing.assert_array_equal(stable_hash([True, 0]), stable_hash([1, 0]))
    assert stable_hash([-0.0]).tolist() == stable_hash([0.0]).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=2, max_size=20, unique=True))
def test_distinct_strings_get_distinct_hashes(words: list[str]) -> None:
    # Strings up to 64 bytes are hashed whole; longer ones by both ends and the length.
    short = [w for w in words if len(w.encode()) <= 64]
    assert len(set(stable_hash(short).tolist())) == len(short) if short else True


def test_groups_are_uniform_for_sequential_ids() -> None:
    hashes = stable_hash([f"user-{i}" for i in range(102_400)])
    counts = np.bincount((hashes % np.uint64(1024)).astype(np.intp), minlength=1024)
    assert stats.chisquare(counts).pvalue > 1e-3
    top_bits = np.bincount((hashes >> np.uint64(54)).astype(np.intp), minlength=1024)
    assert stats.chisquare(top_bits).pvalue > 1e-3


def test_other_types_are_refused_by_name() -> None:
    with pytest.raises(InvalidParameterError, match="Arrow type list<item: int64>"):
        stable_hash(pa.array([[1], [2]]))
