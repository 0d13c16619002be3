"""Tests of shiftwatch.stats.chi_squared: chi-squared and G-tests, with sparse pooling."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from shiftwatch.stats import chi2, g_test, pool_sparse

ORACLE = settings(max_examples=80, deadline=None, database=None)

TESTS = [
    pytest.param(chi2, "pearson", id="chi2"),
    pytest.param(g_test, "log-likelihood", id="g_test"),
]


@st.composite
def count_pairs(draw: st.DrawFn, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """Two aligned count vectors over 2 to 8 categories."""
    k = draw(st.integers(2, 8))
    counts = st.lists(st.integers(low, high), min_size=k, max_size=k)
    reference, current = draw(counts), draw(counts)
    if sum(reference) == 0:
        reference[draw(st.integers(0, k - 1))] = 1
    if sum(current) == 0:
        current[draw(st.integers(0, k - 1))] = 1
    return np.array(reference, dtype=np.int64), np.array(current, dtype=np.int64)


# Counts in [100, 500] over at most 8 categories: every expected count is at least
# 200 * 200 / (200 + 4000) > 5, so nothing is pooled.
DENSE = count_pairs(100, 500)
# Small counts with zeros: sparse levels, categories seen on one side only, or in neither.
SPARSE = count_pairs(0, 30)


def total_variation_by_hand(reference: np.ndarray, current: np.ndarray) -> float:
    return 0.5 * sum(
        abs(r / reference.sum() - c / current.sum())
        for r, c in zip(reference, current, strict=True)
    )


def smaller_expected(reference: np.ndarray, current: np.ndarray) -> np.ndarray:
    """Expected count of each level in the smaller of the two groups."""
    totals = reference + current
    return totals * min(reference.sum(), current.sum()) / totals.sum()


# --- oracle tests -------------------------------------------------------------------------------


@pytest.mark.parametrize(("test", "lambda_"), TESTS)
@ORACLE
@given(pair=DENSE)
def test_dense_tables_match_scipy_chi2_contingency(test, lambda_: str, pair) -> None:
    reference, current = pair
    assert (smaller_expected(reference, current) >= 5).all()
    expected = scipy_stats.chi2_contingency([reference, current], correction=False, lambda_=lambda_)
    result = test(reference, current)
    assert result.statistic == pytest.approx(float(expected.statistic), rel=1e-9, abs=1e-9)
    assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)
    assert result.method == f"asymptotic, {reference.size} levels"
    assert result.effect == pytest.approx(total_variation_by_hand(reference, current), abs=1e-12)
    assert result.n_reference == reference.sum()
    assert result.n_current == current.sum()


@pytest.mark.parametrize(("test", "lambda_"), TESTS)
@ORACLE
@given(pair=SPARSE)
def test_sparse_tables_match_scipy_on_the_pooled_table(test, lambda_: str, pair) -> None:
    reference, current = pair
    pooled_reference, pooled_current, n_pooled = pool_sparse(reference, current, 5.0)
    result = test(reference, current)
    if pooled_reference.size < 2:  # everything pooled into one level: nothing to test
        assert (result.statistic, result.p_value) == (0.0, 1.0)
    else:
        expected = scipy_stats.chi2_contingency(
            [pooled_reference, pooled_current], correction=False, lambda_=lambda_
        )
        assert result.statistic == pytest.approx(float(expected.statistic), rel=1e-9, abs=1e-9)
        assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)
    assert f"{pooled_reference.size} levels" in result.method
    assert (f"({n_pooled} sparse pooled)" in result.method) == (n_pooled > 0)
    # the effect is computed on the unpooled counts
    assert result.effect == pytest.approx(total_variation_by_hand(reference, current), abs=1e-12)


@ORACLE
@given(pair=SPARSE, min_expected=st.sampled_from([1.0, 5.0, 10.0, 25.0]))
def test_pool_sparse_leaves_no_sparse_level(pair, min_expected: float) -> None:
    reference, current = pair
    pooled_reference, pooled_current, n_pooled = pool_sparse(reference, current, min_expected)
    # totals are conserved
    assert pooled_reference.sum() == reference.sum()
    assert pooled_current.sum() == current.sum()
    # categories absent from both sides are dropped; the pooled ones become one extra level
    present = np.flatnonzero(reference + current)
    assert pooled_reference.size == present.size - n_pooled + (1 if n_pooled else 0)
    assert (pooled_reference + pooled_current > 0).all()
    # the pooled categories are the smallest ones (by total); the kept ones keep their counts
    kept = slice(0, pooled_reference.size - (1 if n_pooled else 0))
    totals = np.sort((reference + current)[present])
    kept_totals = pooled_reference[kept] + pooled_current[kept]
    np.testing.assert_array_equal(np.sort(kept_totals), totals[n_pooled:])
    # every level reaches min_expected in the smaller group, unless everything had to be pooled
    if pooled_reference.size >= 2:
        expected = smaller_expected(pooled_reference, pooled_current)
        assert (expected >= min_expected * (1 - 1e-12)).all()
    else:  # one level: one category, or every one sparse, or all but the largest too few
        expected = np.sort(smaller_expected(reference, current)[present])
        assert (
            present.size == 1
            or (expected < min_expected).all()
            or expected[:-1].sum() < min_expected * (1 + 1e-12)
        )


@ORACLE
@given(pair=DENSE)
def test_pool_sparse_keeps_dense_tables_unchanged(pair) -> None:
    reference, current = pair
    pooled_reference, pooled_current, n_pooled = pool_sparse(reference, current, 5.0)
    assert n_pooled == 0
    np.testing.assert_array_equal(pooled_reference, reference)
    np.testing.assert_array_equal(pooled_current, current)


@ORACLE
@given(pair=SPARSE)
def test_min_expected_zero_pools_nothing_and_drops_empty_categories(pair) -> None:
    reference, current = pair
    present = (reference + current) > 0
    result = chi2(reference, current, min_expected=0.0)
    if present.sum() < 2:
        assert (result.statistic, result.p_value) == (0.0, 1.0)
    else:
        expected = scipy_stats.chi2_contingency(
            [reference[present], current[present]], correction=False
        )
        assert result.statistic == pytest.approx(float(expected.statistic), rel=1e-9, abs=1e-9)
        assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)


# --- known values -------------------------------------------------------------------------------


def test_chi2_known_value() -> None:
    # Column totals 500, 650, 850 and row totals 1000, 1000: expected 250, 325, 425 in each row.
    statistic = 2 * (50**2 / 250 + 25**2 / 325 + 25**2 / 425)
    result = chi2([300, 300, 400], [200, 350, 450])
    assert result.statistic == pytest.approx(statistic, rel=1e-12)
    assert result.statistic == pytest.approx(26.787330, abs=1e-6)
    assert result.p_value == pytest.approx(math.exp(-statistic / 2), rel=1e-9)  # 2 dof
    assert result.effect == pytest.approx(0.1, abs=1e-12)  # (0.1 + 0.05 + 0.05) / 2
    assert result.method == "asymptotic, 3 levels"
    assert result.drifted


def test_g_test_known_value() -> None:
    observed = [300, 300, 400, 200, 350, 450]
    expected = [250, 325, 425, 250, 325, 425]
    statistic = 2 * sum(o * math.log(o / e) for o, e in zip(observed, expected, strict=True))
    result = g_test([300, 300, 400], [200, 350, 450])
    assert result.statistic == pytest.approx(statistic, rel=1e-12)
    assert result.statistic == pytest.approx(26.928, abs=1e-3)
    assert result.p_value == pytest.approx(math.exp(-statistic / 2), rel=1e-9)


def test_pool_sparse_docstring_example() -> None:
    # totals 95, 85, 11, 1; smaller share 95/192: expected 47.0, 42.1, 5.4, 0.49. Only the last
    # is sparse, and alone it is still sparse, so it is pooled with the next smallest (11).
    reference, current, n_pooled = pool_sparse(
        np.array([50, 40, 6, 1]), np.array([45, 45, 5, 0]), 5.0
    )
    assert reference.tolist() == [50, 40, 7]
    assert current.tolist() == [45, 45, 5]
    assert n_pooled == 2


@pytest.mark.parametrize(("test", "lambda_"), TESTS)
def test_unseen_category_with_enough_rows_is_its_own_level(test, lambda_: str) -> None:
    # the third category only appears in current; its expected count 15 * 200 / 400 = 7.5 >= 5
    reference, current = np.array([100, 100, 0]), np.array([90, 95, 15])
    expected = scipy_stats.chi2_contingency([reference, current], correction=False, lambda_=lambda_)
    result = test(reference, current)
    assert result.method == "asymptotic, 3 levels"
    assert result.statistic == pytest.approx(float(expected.statistic), rel=1e-12)
    assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-12)
    assert result.effect == pytest.approx(0.075, abs=1e-12)  # 15/200 of the rows are new


def test_sparse_unseen_category_is_pooled_with_the_next_smallest() -> None:
    # totals 195, 202, 3: the unseen category (expected 1.5) is pooled with the 195 one.
    reference, current, n_pooled = pool_sparse(np.array([100, 100, 0]), np.array([95, 102, 3]), 5.0)
    assert (reference.tolist(), current.tolist(), n_pooled) == ([100, 100], [102, 98], 2)
    result = chi2([100, 100, 0], [95, 102, 3])
    expected = scipy_stats.chi2_contingency([[100, 100], [102, 98]], correction=False)
    assert result.method == "asymptotic, 2 levels (2 sparse pooled)"
    assert result.statistic == pytest.approx(float(expected.statistic), rel=1e-12)
    assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-12)


@pytest.mark.parametrize(
    ("reference", "current"),
    [
        pytest.param([10, 0], [12, 0], id="one-category-present"),
        pytest.param([1, 2], [2, 1], id="everything-sparse"),
    ],
)
@pytest.mark.parametrize(("test", "lambda_"), TESTS)
def test_a_single_level_cannot_show_a_shift(test, lambda_, reference, current) -> None:
    result = test(reference, current)
    assert (result.statistic, result.p_value) == (0.0, 1.0)
    assert "1 levels" in result.method


def test_identical_tables_are_not_significant() -> None:
    result = chi2([120, 80, 50], [120, 80, 50])
    assert result.statistic == 0.0
    assert result.p_value == pytest.approx(1.0)
    assert result.effect == 0.0
    assert not result.drifted
