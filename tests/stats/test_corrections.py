"""Tests of shiftwatch.stats.corrections: adjusted p-values against statsmodels."""

import gc
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from shiftwatch.errors import InvalidParameterError
from shiftwatch.stats import CORRECTIONS, benjamini_hochberg, bonferroni, holm, no_correction

ORACLE = settings(max_examples=150, deadline=None, database=None)

P_VALUE = st.one_of(
    st.floats(0.0, 1.0, allow_nan=False),
    st.sampled_from([0.0, 1e-8, 0.001, 0.01, 0.02, 0.05, 0.5, 1.0]),  # ties, and the extremes
)
P_VALUES = st.lists(P_VALUE, min_size=1, max_size=40).map(np.array)

METHODS = [
    pytest.param(holm, "holm", id="holm"),
    pytest.param(bonferroni, "bonferroni", id="bonferroni"),
    pytest.param(benjamini_hochberg, "fdr_bh", id="benjamini_hochberg"),
]


def statsmodels_adjusted(p_values: np.ndarray, method: str) -> np.ndarray:
    # multipletests(method="holm") runs a full gc.collect() on every call: ~50 ms each in a
    # test session, which would make this folder slow; the collection changes no result.
    with mock.patch.object(gc, "collect", return_value=0):
        return multipletests(p_values, method=method)[1]


@pytest.mark.parametrize(("correction", "method"), METHODS)
@ORACLE
@given(p_values=P_VALUES)
def test_matches_statsmodels_multipletests(correction, method: str, p_values: np.ndarray) -> None:
    expected = statsmodels_adjusted(p_values, method)
    adjusted = correction(p_values)
    np.testing.assert_allclose(adjusted, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("correction", "method"), METHODS)
@ORACLE
@given(p_values=P_VALUES)
def test_adjusted_p_values_are_valid_and_no_smaller(correction, method, p_values) -> None:
    adjusted = correction(p_values)
    assert adjusted.shape == p_values.shape
    assert ((adjusted >= p_values) & (adjusted <= 1.0)).all()
    # the adjustment keeps the order of the p-values
    order = np.argsort(p_values, kind="stable")
    assert (np.diff(adjusted[order]) >= 0).all()


@pytest.mark.parametrize(("correction", "method"), METHODS)
@pytest.mark.parametrize("p", [pytest.param(0.0, id="zero"), pytest.param(0.03, id="small")])
def test_a_single_p_value_is_unchanged(correction, method, p: float) -> None:
    assert correction([p]).tolist() == [p]


# --- known values -------------------------------------------------------------------------------


def test_bonferroni_known_value() -> None:
    np.testing.assert_allclose(bonferroni([0.01, 0.02, 0.5]), [0.03, 0.06, 1.0], atol=1e-15)


def test_holm_known_value() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04; running max
    np.testing.assert_allclose(
        holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02], atol=1e-15
    )


def test_benjamini_hochberg_known_value() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 times 4/1, 4/2, 4/3, 4/4 = 0.02, 0.02, 0.04, 0.04; running
    # min from the top
    np.testing.assert_allclose(
        benjamini_hochberg([0.01, 0.04, 0.03, 0.005]), [0.02, 0.04, 0.04, 0.02], atol=1e-15
    )


@pytest.mark.parametrize(("correction", "method"), METHODS)
def test_p_values_just_above_alpha_stay_above_alpha(correction, method) -> None:
    # 23 equal p-values one ulp above 0.05: every adjusted value must stay above 0.05 (an
    # adjusted p-value is never smaller than the raw one), as statsmodels' are.
    p_values = np.full(23, np.nextafter(0.05, 1.0))
    assert (statsmodels_adjusted(p_values, method) > 0.05).all()
    assert (correction(p_values) > 0.05).all()


def test_no_correction_returns_a_copy() -> None:
    p_values = np.array([0.01, 0.5])
    adjusted = no_correction(p_values)
    assert adjusted.tolist() == [0.01, 0.5]
    adjusted[0] = 1.0
    assert p_values[0] == 0.01


def test_corrections_registry() -> None:
    expected = {
        "holm": holm,
        "bonferroni": bonferroni,
        "benjamini_hochberg": benjamini_hochberg,
        "none": no_correction,
    }
    assert expected == CORRECTIONS


@pytest.mark.parametrize("correction", [pytest.param(c, id=n) for n, c in CORRECTIONS.items()])
@pytest.mark.parametrize(
    "p_values",
    [
        pytest.param([0.1, 1.5], id="above-one"),
        pytest.param([-0.1, 0.5], id="negative"),
        pytest.param([0.1, float("nan")], id="nan"),
        pytest.param([[0.1, 0.2]], id="two-dimensional"),
        pytest.param(0.1, id="scalar"),
    ],
)
def test_invalid_p_values_are_refused(correction, p_values) -> None:
    with pytest.raises(InvalidParameterError, match="p-values"):
        correction(p_values)
