"""Tests of shiftwatch.stats.domain_classifier: out-of-fold AUC, per-fold exact p-values.

False alarms are accepted unless a one-sided binomial test says, at the 0.001 level, that the
true rate exceeds alpha = 0.05.
"""

import builtins
import sys

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from shiftwatch.errors import InvalidParameterError, NoDataError
from shiftwatch.stats import MULTIVARIATE_TESTS, domain_classifier
from shiftwatch.stats.domain_classifier import auc, out_of_fold_scores

ALPHA = 0.05


def shifted_pair(seed: int, n: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """20 standard normal columns; the current data moved by 0.5 std in 5 of them."""
    rng = np.random.default_rng(seed)
    shift = np.r_[np.full(5, 0.5), np.zeros(15)]
    return rng.normal(size=(n, 20)), rng.normal(size=(n, 20)) + shift


def test_auc_matches_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(1)
    reference, current = rng.integers(0, 5, 40).astype(float), rng.integers(1, 6, 30).astype(float)
    labels = np.repeat([0, 1], [40, 30])
    expected = roc_auc_score(labels, np.concatenate((reference, current)))
    assert auc(reference, current) == pytest.approx(expected, abs=1e-12)


def test_statistic_is_the_out_of_fold_auc_and_p_is_bonferroni_over_folds() -> None:
    reference, current = shifted_pair(seed=2, n=60)
    result = domain_classifier(reference, current, max_iter=20, seed=4)
    labels = np.repeat([0, 1], [60, 60])
    scores, folds = out_of_fold_scores(
        np.concatenate((reference, current)), labels, k=5, max_iter=20, seed=4
    )
    assert result.statistic == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert result.effect == pytest.approx(result.statistic - 0.5, abs=1e-12)
    fold_p = [
        stats.mannwhitneyu(
            scores[(folds == f) & (labels == 1)],
            scores[(folds == f) & (labels == 0)],
            alternative="greater",
        ).pvalue
        for f in range(5)
    ]
    assert result.p_value == pytest.approx(min(1.0, 5 * min(fold_p)), rel=1e-12)
    assert np.bincount(folds).tolist() == [24] * 5  # stratified: 12 of each side per fold
    assert all(np.bincount(labels[folds == f]).tolist() == [12, 12] for f in range(5))


def test_mean_shift_in_5_of_20_columns_is_found_at_n_500() -> None:
    for seed in range(2):
        result = domain_classifier(*shifted_pair(seed=100 + seed), seed=seed)
        assert result.drifted, result
        assert result.p_value < 1e-4
        assert result.statistic > 0.6


def test_same_seed_same_result() -> None:
    reference, current = shifted_pair(seed=3, n=40)
    first = domain_classifier(reference, current, max_iter=10, seed=5)
    assert domain_classifier(reference, current, max_iter=10, seed=5) == first
    assert "stratified 5-fold (seed 5)" in first.method


def test_each_side_is_subsampled_to_max_rows() -> None:
    reference, current = shifted_pair(seed=6, n=120)
    result = domain_classifier(reference, current[:50], max_iter=5, max_rows=60)
    assert (result.n_reference, result.n_current) == (60, 50)
    assert "subsampled to at most 60 rows a side" in result.method


def test_result_is_in_the_table() -> None:
    assert MULTIVARIATE_TESTS["classifier"] is domain_classifier
    result = domain_classifier(*shifted_pair(seed=7, n=20), max_iter=5)
    assert result.test == "domain_classifier"
    assert result.threshold == 0.05


def test_missing_scikit_learn_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_sklearn(name: str, *args, **kwargs):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    monkeypatch.delitem(sys.modules, "sklearn", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'shiftwatch\[sklearn\]'"):
        domain_classifier(np.zeros((10, 2)), np.ones((10, 2)))


@pytest.mark.parametrize(
    ("parameters", "name"),
    [
        pytest.param({"k": 1}, "k", id="k"),
        pytest.param({"max_iter": 0}, "max_iter", id="max_iter"),
        pytest.param({"max_rows": 4}, "max_rows", id="max_rows-below-k"),
        pytest.param({"seed": -2}, "seed", id="seed"),
        pytest.param({"alpha": 2.0}, "alpha", id="alpha"),
        pytest.param({"threshold": -0.1}, "threshold", id="threshold"),
    ],
)
def test_bad_parameters_are_refused_by_name(parameters: dict[str, float], name: str) -> None:
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of domain_classifier\b"):
        domain_classifier(np.zeros((10, 2)), np.ones((10, 2)), **parameters)


def test_fewer_rows_than_folds_is_no_data() -> None:
    with pytest.raises(NoDataError, match=r"'current' sample of domain_classifier .* at least 5"):
        domain_classifier(np.zeros((10, 2)), np.ones((4, 2)))


@pytest.mark.slow
def test_false_alarm_rate_is_at_most_alpha() -> None:
    rng = np.random.default_rng(20_260_303)
    runs = 200  # 40 rows a side, 10 boosting iterations: about 10 s on one thread
    alarms = sum(
        domain_classifier(
            rng.normal(size=(40, 3)), rng.normal(size=(40, 3)), max_iter=10, seed=run
        ).p_value
        <= ALPHA
        for run in range(runs)
    )
    p_exceeds = stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue
    assert p_exceeds > 0.001, f"{alarms}/{runs} false alarms"
