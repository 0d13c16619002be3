"""Tests of shiftwatch.stats.proportion_test: chi-squared or Fisher test of a 2 x 2 table."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from shiftwatch.errors import InvalidParameterError
from shiftwatch.stats import proportion

ORACLE = settings(max_examples=120, deadline=None, database=None)


@st.composite
def proportions(draw: st.DrawFn) -> tuple[int, int, int, int]:
    reference_n = draw(st.integers(1, 400))
    current_n = draw(st.integers(1, 400))
    return (
        draw(st.integers(0, reference_n)),
        reference_n,
        draw(st.integers(0, current_n)),
        current_n,
    )


@ORACLE
@given(counts=proportions())
def test_proportion_matches_scipy(counts: tuple[int, int, int, int]) -> None:
    reference_count, reference_n, current_count, current_n = counts
    table = [
        [reference_count, reference_n - reference_count],
        [current_count, current_n - current_count],
    ]
    result = proportion(*counts)
    shares = reference_count / reference_n, current_count / current_n
    assert result.effect == pytest.approx(abs(shares[1] - shares[0]), abs=1e-15)
    assert (result.n_reference, result.n_current) == (reference_n, current_n)
    pooled = (reference_count + current_count) / (reference_n + current_n)
    if pooled in (0.0, 1.0):  # one outcome only: no evidence of a shift, and no valid table
        assert (result.statistic, result.p_value, result.method) == (0.0, 1.0, "chi2")
        return
    smallest_expected = min(pooled, 1 - pooled) * min(reference_n, current_n)
    expected = scipy_stats.chi2_contingency(table, correction=False)
    assert result.statistic == pytest.approx(float(expected.statistic), rel=1e-9, abs=1e-12)
    if smallest_expected >= 5:
        assert result.method == "chi2"
        assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)
    else:
        assert result.method == "fisher"
        fisher = scipy_stats.fisher_exact(table)
        assert result.p_value == pytest.approx(min(float(fisher.pvalue), 1.0), abs=1e-9, rel=0)
    assert 0.0 <= result.p_value <= 1.0


# --- known values -------------------------------------------------------------------------------


def test_chi2_path_known_value() -> None:
    # pooled share 0.025; variance 0.025 * 0.975 * (2 / 1000); statistic 0.03**2 / variance.
    statistic = 0.03**2 / (0.025 * 0.975 * 0.002)
    result = proportion(10, 1000, 40, 1000)
    assert result.method == "chi2"
    assert result.statistic == pytest.approx(statistic, rel=1e-12)
    assert result.statistic == pytest.approx(18.4615, abs=1e-4)
    # the chi-squared survival function with one degree of freedom is erfc(sqrt(x / 2))
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(statistic / 2)), rel=1e-9)
    assert result.effect == pytest.approx(0.03, abs=1e-15)


def test_fisher_path_known_value() -> None:
    # Table [[0, 50], [3, 47]]: with margins 50/50 and 3/97,
    # P(a) = C(50, a) C(50, 3 - a) / C(100, 3). a = 0 and a = 3 each have probability
    # 19600 / 161700, a = 1 and a = 2 more: two-sided p is the sum of the two extreme tables.
    result = proportion(0, 50, 3, 50)
    assert result.method == "fisher"
    assert result.p_value == pytest.approx(2 * 19600 / 161700, rel=1e-12)
    assert result.effect == pytest.approx(0.06, abs=1e-15)


@pytest.mark.parametrize(
    "counts",
    [
        pytest.param((0, 100, 0, 50), id="never"),
        pytest.param((100, 100, 50, 50), id="always"),
    ],
)
def test_a_constant_outcome_shows_no_shift(counts: tuple[int, int, int, int]) -> None:
    result = proportion(*counts)
    assert (result.statistic, result.p_value, result.effect) == (0.0, 1.0, 0.0)
    assert not result.drifted


def test_method_switches_on_the_smallest_expected_cell() -> None:
    # smallest expected cell = min(pooled, 1 - pooled) * min(n): 0.05 * 100 = 5 -> chi2
    assert proportion(5, 100, 5, 100).method == "chi2"
    # 0.045 * 100 = 4.5 -> fisher
    assert proportion(4, 100, 5, 100).method == "fisher"


@pytest.mark.parametrize(
    ("counts", "name"),
    [
        pytest.param((11, 10, 1, 10), "reference_count", id="count-above-n"),
        pytest.param((1, 10, -1, 10), "current_count", id="negative-count"),
        pytest.param((1.5, 10, 1, 10), "reference_count", id="fractional-count"),
        pytest.param((1, 10.5, 1, 10), "reference_n", id="fractional-n"),
        pytest.param((1, 10, 1, -10), "current_n", id="negative-n"),
    ],
)
def test_invalid_counts_name_the_parameter(counts, name: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        proportion(*counts)
