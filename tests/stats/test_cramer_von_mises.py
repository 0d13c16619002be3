"""Tests of shiftwatch.stats.cramer_von_mises: the two-sample CvM test against scipy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from shiftwatch.stats import cvm, cvm_sorted, wasserstein

# The documented switch: exact p-values when both samples have at most 20 values.
EXACT_MAX_N = 20

ORACLE = settings(max_examples=60, deadline=None, database=None)

CONTINUOUS = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False)
TIED = st.integers(-3, 3).map(float)
ELEMENTS = {"continuous": CONTINUOUS, "ties": TIED, "mixed": st.one_of(CONTINUOUS, TIED)}


@st.composite
def sample_pairs(draw: st.DrawFn, max_size: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Sizes on both sides of EXACT_MAX_N = 20, so both the exact and asymptotic paths run."""
    element = ELEMENTS[draw(st.sampled_from(sorted(ELEMENTS)))]
    reference = draw(st.lists(element, min_size=2, max_size=max_size))
    current = draw(st.lists(element, min_size=2, max_size=max_size))
    return np.array(reference, dtype=np.float64), np.array(current, dtype=np.float64)


def ecdf_statistic(reference: np.ndarray, current: np.ndarray) -> float:
    """T = (m n / N^2) * sum over every pooled row of (F_m - G_n)^2: scipy's T without ties."""
    pooled = np.concatenate((reference, current))
    f = np.searchsorted(np.sort(reference), pooled, side="right") / reference.size
    g = np.searchsorted(np.sort(current), pooled, side="right") / current.size
    return float(reference.size * current.size / pooled.size**2 * np.sum((f - g) ** 2))


@ORACLE
@given(pair=sample_pairs())
def test_cvm_matches_scipy_without_ties_and_the_ecdf_form_with_them(
    pair: tuple[np.ndarray, np.ndarray],
) -> None:
    reference, current = pair
    result = cvm(reference, current)
    assert 0.0 < result.p_value <= 1.0
    pooled = np.concatenate((reference, current))
    if np.unique(pooled).size < pooled.size:
        assert result.statistic == pytest.approx(ecdf_statistic(reference, current), abs=1e-9)
        assert result.method.startswith("permutation")
        return
    expected = scipy_stats.cramervonmises_2samp(reference, current)
    assert result.statistic == pytest.approx(float(expected.statistic), abs=1e-9, rel=0)
    assert result.statistic == pytest.approx(ecdf_statistic(reference, current), abs=1e-9)
    assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)
    exact = max(reference.size, current.size) <= EXACT_MAX_N
    assert result.method == ("exact" if exact else "asymptotic")


@pytest.mark.parametrize(
    ("make", "n_reference", "n_current"),
    [
        pytest.param(lambda rng, n: np.round(rng.normal(40, 10, n)), 2_000, 500, id="ages"),
        pytest.param(lambda rng, n: rng.poisson(1.5, n).astype(float), 300, 100, id="poisson"),
        pytest.param(lambda rng, n: (rng.random(n) < 0.3).astype(float), 200, 50, id="zero-one"),
    ],
)
def test_p_values_on_tied_integers_are_uniform(make, n_reference, n_current) -> None:
    # scipy's formula gives p < 1e-3 in every run on integer ages; the permutation p-values
    # be valid: at each level, the share below it is within binomial error (P >= 1e-3) of at
    # most that level (0/1 data has few possible p-values, so only there is it not uniform).
    rng = np.random.default_rng(20261207)
    runs = 300
    p_values = np.array(
        [cvm(make(rng, n_reference), make(rng, n_current)).p_value for _ in range(runs)]
    )
    for level in (0.01, 0.05, 0.2, 0.5):
        below = int(np.sum(p_values <= level))
        assert scipy_stats.binomtest(below, runs, level, alternative="greater").pvalue > 1e-3
    if make(rng, 1000).tolist().count(0.0) < 500:  # many distinct values: close to uniform
        assert scipy_stats.kstest(p_values, "uniform").pvalue > 1e-3


def test_tied_shift_is_found() -> None:
    rng = np.random.default_rng(3)
    result = cvm(np.round(rng.normal(40, 10, 2_000)), np.round(rng.normal(42, 10, 500)))
    assert result.p_value == pytest.approx(1 / 2000) and result.method.startswith("permutation")


@ORACLE
@given(pair=sample_pairs(max_size=25))
def test_cvm_effect_is_the_normalised_wasserstein_distance(
    pair: tuple[np.ndarray, np.ndarray],
) -> None:
    reference, current = pair
    assert cvm(reference, current).effect == wasserstein(reference, current).effect


@ORACLE
@given(pair=sample_pairs(max_size=25))
def test_cvm_sorted_equals_cvm_on_sorted_input(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    assert cvm_sorted(np.sort(reference), np.sort(current)) == cvm(reference, current)


@pytest.mark.parametrize(
    ("n_current", "method"),
    [
        pytest.param(EXACT_MAX_N, "exact", id="at-exact-max-n"),
        pytest.param(EXACT_MAX_N + 1, "asymptotic", id="above-exact-max-n"),
    ],
)
def test_cvm_switches_method_at_exact_max_n(n_current: int, method: str) -> None:
    rng = np.random.default_rng(3)
    reference, current = rng.normal(size=10), rng.normal(size=n_current)
    result = cvm(reference, current)
    expected = scipy_stats.cramervonmises_2samp(reference, current, method=method)
    assert result.method == method
    assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)


def test_cvm_large_samples_match_scipy() -> None:
    rng = np.random.default_rng(11)
    reference, current = rng.normal(size=3_000), rng.normal(0.05, 1.0, size=2_000)
    expected = scipy_stats.cramervonmises_2samp(reference, current)
    result = cvm(reference, current)
    assert result.statistic == pytest.approx(float(expected.statistic), abs=1e-9, rel=0)
    assert result.p_value == pytest.approx(float(expected.pvalue), abs=1e-9, rel=0)


# --- known values -------------------------------------------------------------------------------


def test_cvm_complete_separation_known_value() -> None:
    # Ranks: x -> 1, 2 and y -> 3, 4. U = 2 * (0 + 0) + 2 * (2**2 + 2**2) = 16, and with
    # k = nx * ny = 4 and N = 4: T = U / (k N) - (4k - 1) / (6N) = 1 - 15/24 = 0.375.
    # Of the C(4, 2) = 6 orderings only "xxyy" and "yyxx" reach U = 16: exact p = 2 / 6.
    result = cvm([0.0, 1.0], [2.0, 3.0])
    assert result.statistic == pytest.approx(0.375, abs=1e-12)
    assert result.p_value == pytest.approx(1 / 3, abs=1e-12)
    assert result.method == "exact"


def test_cvm_identical_samples_are_not_significant() -> None:
    values = np.linspace(0.0, 1.0, 15)
    result = cvm(values, values)
    assert result.p_value == pytest.approx(1.0, abs=1e-12)
    assert result.effect == 0.0
    assert not result.significant
    assert not result.drifted
