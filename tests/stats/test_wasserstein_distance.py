"""Tests of shiftwatch.stats.wasserstein_distance: Wasserstein-1 and its normalised effect."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from shiftwatch.stats import wasserstein, wasserstein_sorted

ORACLE = settings(max_examples=80, deadline=None, database=None)

CONTINUOUS = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False)
TIED = st.integers(-3, 3).map(float)
ELEMENTS = {"continuous": CONTINUOUS, "ties": TIED, "mixed": st.one_of(CONTINUOUS, TIED)}


@st.composite
def sample_pairs(draw: st.DrawFn, equal_sizes: bool) -> tuple[np.ndarray, np.ndarray]:
    element = ELEMENTS[draw(st.sampled_from(sorted(ELEMENTS)))]
    reference = draw(st.lists(element, min_size=1, max_size=60))
    size = len(reference) if equal_sizes else None
    current = draw(
        st.lists(element, min_size=size or 1, max_size=size or 60),
    )
    return np.array(reference, dtype=np.float64), np.array(current, dtype=np.float64)


def close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)


@ORACLE
@given(pair=st.one_of(sample_pairs(equal_sizes=True), sample_pairs(equal_sizes=False)))
def test_statistic_matches_scipy_wasserstein_distance(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    expected = float(scipy_stats.wasserstein_distance(reference, current))
    result = wasserstein(reference, current)
    assert close(result.statistic, expected)
    assert close(wasserstein_sorted(np.sort(reference), np.sort(current)), expected)
    assert result.n_reference == reference.size
    assert result.n_current == current.size


@ORACLE
@given(pair=sample_pairs(equal_sizes=False))
def test_effect_is_statistic_over_reference_std(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    result = wasserstein(reference, current)
    scale = float(np.std(reference))
    if scale > 0:
        expected = result.statistic / scale
    elif float(np.std(current)) > 0:  # documented fallback: a constant reference
        expected = result.statistic / float(np.std(current))
    else:  # both constant: no move, or an infinitely large one
        expected = 0.0 if result.statistic == 0 else math.inf
    assert result.effect == pytest.approx(expected, rel=1e-12, abs=0)


@ORACLE
@given(pair=sample_pairs(equal_sizes=False))
def test_distance_is_symmetric(pair: tuple[np.ndarray, np.ndarray]) -> None:
    reference, current = pair
    assert close(
        wasserstein(reference, current).statistic, wasserstein(current, reference).statistic
    )


@pytest.mark.parametrize(
    ("n_reference", "n_current"),
    [
        pytest.param(20_000, 15_000, id="20000-vs-15000"),
        pytest.param(9_973, 10_007, id="coprime-sizes"),
        pytest.param(1, 5_000, id="single-reference-value"),
    ],
)
def test_large_unequal_samples_match_scipy(n_reference: int, n_current: int) -> None:
    rng = np.random.default_rng(n_reference + n_current)
    reference = np.round(rng.normal(size=n_reference), 1)  # ties
    current = rng.normal(0.3, 2.0, size=n_current)
    expected = float(scipy_stats.wasserstein_distance(reference, current))
    assert close(wasserstein(reference, current).statistic, expected)


# --- known values -------------------------------------------------------------------------------


def test_shift_of_equal_samples_known_value() -> None:
    result = wasserstein([0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])
    assert result.statistic == 1.0
    # population std of 0, 1, 2, 3 is sqrt(5/4)
    assert result.effect == pytest.approx(1.0 / math.sqrt(1.25), rel=1e-12)
    assert result.p_value is None
    assert result.drifted


def test_unequal_sizes_known_value() -> None:
    # Quantile functions on [0, 1): reference 0 | 1 | 3 on thirds, current 5 | 6 | 7 | 8 on
    # quarters. Pieces: [0,1/4) 5, [1/4,1/3) 6, [1/3,1/2) 5, [1/2,2/3) 6, [2/3,3/4) 4, [3/4,1) 5.
    expected = 5 / 4 + 6 / 12 + 5 / 6 + 6 / 6 + 4 / 12 + 5 / 4
    statistic = wasserstein_sorted(np.array([0.0, 1.0, 3.0]), np.array([5.0, 6.0, 7.0, 8.0]))
    assert statistic == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(31 / 6, rel=1e-15)


@pytest.mark.parametrize(
    ("reference", "current", "effect"),
    [
        pytest.param([2.0, 2.0, 2.0], [1.0, 3.0], 1.0, id="constant-reference-uses-current-std"),
        pytest.param([2.0, 2.0], [2.0, 2.0, 2.0], 0.0, id="both-constant-and-equal"),
        pytest.param([2.0, 2.0], [3.0, 3.0], math.inf, id="both-constant-and-moved"),
    ],
)
def test_constant_reference_fallback(
    reference: list[float], current: list[float], effect: float
) -> None:
    # [2, 2, 2] vs [1, 3]: every quantile gap is 1, so W = 1; std of [1, 3] is 1.
    assert wasserstein(reference, current).effect == effect


def test_threshold_decides_drift() -> None:
    result = wasserstein([0.0, 1.0], [0.1, 1.1], threshold=0.5)
    assert result.statistic == pytest.approx(0.1, rel=1e-12)
    assert result.effect == pytest.approx(0.2, rel=1e-12)  # std of [0, 1] is 0.5
    assert not result.drifted
    assert wasserstein([0.0, 1.0], [0.1, 1.1], threshold=0.19).drifted
