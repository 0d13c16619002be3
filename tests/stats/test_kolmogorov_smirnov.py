"""Tests of shiftwatch.stats.kolmogorov_smirnov: the two-sample KS test against scipy."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from shiftwatch.stats import ks, ks_sorted, ks_statistic_sorted, wasserstein

# The documented switch: exact p-values up to 10,000 values a side, as ks_2samp(method="auto").
EXACT_MAX_N = 10_000

ORACLE = settings(max_examples=80, deadline=None, database=None)
LARGE = settings(max_examples=6, deadline=None, database=None)

CONTINUOUS = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False)
TIED = st.integers(-3, 3).map(float)  # a small set of values: many ties within and across
ELEMENTS = {"continuous": CONTINUOUS, "ties": TIED, "mixed": st.one_of(CONTINUOUS, TIED)}


@st.composite
def sample_pairs(draw: st.DrawFn, max_size: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Two samples of independent sizes (equal or not), drawn from one kind of element."""
    element = ELEMENTS[draw(st.sampled_from(sorted(ELEMENTS)))]
    reference = draw(st.lists(element, min_size=1, max_size=max_size))
    current = draw(st.lists(element, min_size=1, max_size=max_size))
    return np.array(reference, dtype=np.float64), np.array(current, dtype=np.float64)


def scipy_ks(reference: np.ndarray, current: np.ndarray, method: str = "auto"):
    """scipy's ks_2samp, with its 'switching to asymp' warning silenced (it is not a failure)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return scipy_stats.ks_2samp(reference, current, method=method)


def large_pair(kind: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """20,001 and 3,500 values: beyond EXACT_MAX_N, so the asymptotic path runs.

    The effective size 20001 * 3500 / 23501 = 2978.7 (under SCIPY_MAX_EFFECTIVE_N, so scipy's
    kstwo itself) is rounded (up) by scipy; the shifts are small so that p-values are large
    enough for that rounding to show.
    """
    rng = np.random.default_rng(seed)
    if kind == "continuous":
        return rng.normal(size=20_001), rng.normal(0.01, 1.0, size=3_500)
    if kind == "ties":
        return (
            rng.integers(0, 30, size=20_001).astype(np.float64),
            rng.integers(0, 30, size=3_500).astype(np.float64),
        )
    # rounded normals: ties within each sample and across them, on a fine grid
    return (
        np.round(rng.normal(size=20_001), 2),
        np.round(rng.normal(0.01, 1.0, size=3_500), 2),
    )


LARGE_KINDS = ["continuous", "ties", "rounded"]


# --- oracle tests -------------------------------------------------------------------------------


@ORACLE
@given(pair=sample_pairs())
def test_ks_matches_scipy_ks_2samp(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    expected = scipy_ks(reference, current)
    result = ks(reference, current)
    assert result.statistic == pytest.approx(float(expected.statistic), abs=1e-9, rel=0)
    assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)
    assert result.n_reference == reference.size
    assert result.n_current == current.size
    # "exact" unless scipy's lattice computation gave up and fell back to the asymptotic one
    with warnings.catch_warnings(record=True) as fallbacks:
        warnings.simplefilter("always")
        scipy_stats.ks_2samp(reference, current, method="exact")
    assert result.method == ("asymptotic" if fallbacks else "exact")


@ORACLE
@given(pair=sample_pairs())
def test_ks_statistic_sorted_matches_scipy(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    expected = float(scipy_ks(reference, current).statistic)
    statistic = ks_statistic_sorted(np.sort(reference), np.sort(current))
    assert statistic == pytest.approx(expected, abs=1e-12, rel=0)


@ORACLE
@given(pair=sample_pairs())
def test_ks_statistic_sorted_is_symmetric(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = np.sort(pair[0]), np.sort(pair[1])
    assert ks_statistic_sorted(reference, current) == pytest.approx(
        ks_statistic_sorted(current, reference), abs=1e-12, rel=0
    )


@LARGE
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(LARGE_KINDS))
def test_ks_statistic_sorted_matches_scipy_on_large_samples(seed: int, kind: str) -> None:
    reference, current = large_pair(kind, seed)
    expected = float(scipy_ks(reference, current, method="asymp").statistic)
    statistic = ks_statistic_sorted(np.sort(reference), np.sort(current))
    assert statistic == pytest.approx(expected, abs=1e-12, rel=0)


@pytest.mark.parametrize("kind", LARGE_KINDS)
def test_ks_large_samples_use_the_asymptotic_path_like_scipy(kind: str) -> None:
    reference, current = large_pair(kind, seed=20_240_611)
    expected = scipy_ks(reference, current, method="asymp")
    result = ks(reference, current)
    assert result.method == "asymptotic"
    assert result.statistic == pytest.approx(float(expected.statistic), abs=1e-12, rel=0)
    assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)
    auto = scipy_ks(reference, current)  # scipy's own 'auto' also goes asymptotic here
    assert result.p_value == pytest.approx(float(auto.pvalue), abs=1e-9, rel=0)


@pytest.mark.parametrize(
    ("n_current", "method"),
    [
        pytest.param(EXACT_MAX_N, "exact", id="at-exact-max-n"),
        pytest.param(EXACT_MAX_N + 1, "asymptotic", id="above-exact-max-n"),
    ],
)
def test_ks_switches_method_at_exact_max_n(n_current: int, method: str) -> None:
    rng = np.random.default_rng(7)
    reference, current = rng.normal(size=500), rng.normal(size=n_current)
    result = ks(reference, current)
    expected = scipy_ks(reference, current)
    assert result.method == method
    assert result.statistic == pytest.approx(float(expected.statistic), abs=1e-12, rel=0)
    assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)


@ORACLE
@given(pair=sample_pairs(max_size=30))
def test_ks_effect_is_the_normalised_wasserstein_distance(
    pair: tuple[np.ndarray, np.ndarray],
) -> None:
    reference, current = pair
    assert ks(reference, current).effect == wasserstein(reference, current).effect


@ORACLE
@given(pair=sample_pairs(max_size=30))
def test_ks_sorted_equals_ks_on_sorted_input(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    assert ks_sorted(np.sort(reference), np.sort(current)) == ks(reference, current)


@ORACLE
@given(pair=sample_pairs(max_size=30))
def test_ks_does_not_depend_on_input_order(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    assert ks(reference[::-1], current[::-1]) == ks(reference, current)


# --- known values -------------------------------------------------------------------------------


def test_ks_statistic_known_value() -> None:
    # F_ref jumps by 1/3 at 1, 2, 3; F_cur by 1/4 at 2, 3, 4, 5. At x = 3: F_ref = 1, F_cur = 1/2.
    reference, current = np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0, 5.0])
    assert ks_statistic_sorted(reference, current) == 0.5
    assert ks(reference, current).statistic == 0.5


def test_ks_statistic_with_ties_known_value() -> None:
    # At x = 1: F_ref = 2/3 and F_cur = 1/3; at x = 2 both are 1.
    reference, current = np.array([1.0, 1.0, 2.0]), np.array([1.0, 2.0, 2.0])
    assert ks_statistic_sorted(reference, current) == pytest.approx(1 / 3, abs=1e-15)


def test_ks_exact_p_value_of_complete_separation() -> None:
    # Two samples of two: of the C(4, 2) = 6 equally likely orderings, exactly two ("xxyy" and
    # "yyxx") reach D = 1, so the exact two-sided p-value is 2 / 6.
    result = ks([0.0, 1.0], [2.0, 3.0])
    assert result.statistic == 1.0
    assert result.p_value == pytest.approx(1 / 3, abs=1e-12)
    assert result.method == "exact"


def test_ks_identical_samples() -> None:
    values = [3.0, 1.0, 2.0, 2.0]
    result = ks(values, values)
    assert result.statistic == 0.0
    assert result.p_value == 1.0
    assert result.effect == 0.0
    assert not result.drifted


def test_ks_statistic_of_disjoint_large_samples_is_one() -> None:
    reference = np.arange(20_000, dtype=np.float64)
    current = np.arange(15_000, dtype=np.float64) + 1e6
    assert ks_statistic_sorted(reference, current) == 1.0
    assert ks_statistic_sorted(current, reference) == 1.0


@pytest.mark.parametrize(
    ("n_reference", "n_current", "tolerance"),
    [
        pytest.param(6_003, 6_001, 7.5e-6, id="m=3001"),
        pytest.param(20_003, 20_001, 2.5e-6, id="m=10001"),
        pytest.param(200_000, 200_000, 2.5e-7, id="m=100000"),
        pytest.param(1_000_000, 1_000_000, 1e-7, id="m=500000"),
    ],
)
def test_large_sample_p_value_stays_close_to_scipy_kstwo(n_reference, n_current, tolerance):
    from shiftwatch.stats.kolmogorov_smirnov import ks_asymptotic_p_value

    effective_n = round(n_reference * n_current / (n_reference + n_current))
    for z in np.linspace(0.2, 4.5, 15):  # p from 1 down to about 1e-17
        statistic = z / np.sqrt(effective_n)
        expected = scipy_stats.kstwo.sf(statistic, effective_n)
        assert ks_asymptotic_p_value(statistic, n_reference, n_current) == pytest.approx(
            expected, abs=tolerance
        )


# --- the exact path only where it pays ------------------------------------------------------


def test_far_below_alpha_the_exact_path_is_skipped_and_kstwo_answers(monkeypatch) -> None:
    import shiftwatch.stats.kolmogorov_smirnov as module

    rng = np.random.default_rng(5)
    reference, current = np.sort(rng.normal(size=3_000)), np.sort(rng.normal(0.5, size=3_000))
    exact = scipy_stats.ks_2samp(reference, current, method="exact")
    calls = []
    monkeypatch.setattr(module, "_exact_p_value", lambda *a: calls.append(a) or (0.0, "x"))
    result = module.ks_sorted(reference, current)
    assert not calls and result.method == "asymptotic (far below any alpha)"
    assert result.statistic == pytest.approx(exact.statistic, abs=1e-12)
    assert result.p_value == pytest.approx(scipy_stats.kstwo.sf(exact.statistic, 1_500), rel=1e-9)
    assert result.p_value < module.EXACT_BELOW_P and exact.pvalue < 10 * module.EXACT_BELOW_P


@pytest.mark.parametrize(
    ("n_reference", "n_current", "shift"),
    [
        pytest.param(900, 1_000, 2.0, id="cheap-always-exact"),
        pytest.param(5_000, 10_000, 0.0, id="unshifted-exact"),
        pytest.param(5_000, 10_000, 0.08, id="p-above-1e-8-exact"),
    ],
)
def test_exact_path_runs_where_cheap_or_where_p_is_not_far_below(
    n_reference, n_current, shift
) -> None:
    rng = np.random.default_rng(6)
    reference, current = rng.normal(size=n_reference), rng.normal(shift, size=n_current)
    result = ks(reference, current)
    expected = scipy_stats.ks_2samp(reference, current, method="exact")
    assert result.method == "exact"
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
