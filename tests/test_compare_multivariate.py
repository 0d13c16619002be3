"""compare(..., multivariate=...): one dataset-level check of the numeric columns together.

The multivariate check joins the report's family with half the correction's weight (weighted
Holm by default), so the false-alarm rate of the whole verdict stays at most alpha. Rates
are accepted unless a one-sided binomial test says, at the 0.001 level, that the true rate
exceeds alpha = 0.05; power must reach its stated value.
"""

import json

import numpy as np
import pytest
from rich.console import Console
from scipy import stats

import shiftwatch as sw
from shiftwatch.errors import IncompatibleError, InvalidParameterError
from shiftwatch.report.terminal import report_table
from shiftwatch.stats import CORRECTIONS

ALPHA = 0.05
FLIP = {"reference": 0.8, "current": -0.8}


def correlated(rng: np.random.Generator, n: int, correlation: float) -> dict[str, np.ndarray]:
    """Two N(0, 1) columns with the given correlation, and a categorical column."""
    x, noise = rng.normal(size=n), rng.normal(size=n)
    return {
        "x": x,
        "y": correlation * x + np.sqrt(1 - correlation**2) * noise,
        "plan": rng.choice(["a", "b", "c"], size=n),
    }


def unshifted(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Four numeric columns (two correlated, one skewed, one with nulls) and a categorical one."""
    data = correlated(rng, n, 0.5)
    data["skewed"] = rng.lognormal(size=n)
    data["with_nulls"] = np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n))
    return data


def family(report: sw.DriftReport) -> tuple[list[float], list[float]]:
    """Raw and adjusted p-values of every check, the multivariate one last."""
    checks = [c for column in report.columns.values() for c in column.checks]
    assert report.multivariate is not None
    checks.append(report.multivariate)
    return [c.result.p_value for c in checks], [c.adjusted_p_value for c in checks]


def weighted_holm(p_values: list[float], weights: list[float]) -> list[float]:
    """Holm's weighted step-down procedure, one hypothesis at a time (Holm 1979)."""
    remaining = set(range(len(p_values)))
    adjusted = [0.0] * len(p_values)
    running = 0.0
    while remaining:
        total = sum(weights[i] for i in remaining)
        best = min(remaining, key=lambda i: p_values[i] / weights[i])
        running = max(running, min(1.0, p_values[best] / weights[best] * total))
        adjusted[best] = running
        remaining.remove(best)
    return adjusted


# --- the correlation flip: caught together, invisible column by column ---------------------


@pytest.mark.slow
def test_correlation_flip_is_caught_while_the_columns_stay_quiet() -> None:
    rng = np.random.default_rng(20_260_310)
    runs, caught, column_alarms = 100, 0, 0
    for _ in range(runs):
        report = sw.compare(
            correlated(rng, 300, FLIP["reference"]),
            correlated(rng, 300, FLIP["current"]),
            multivariate=True,
        )
        assert report.multivariate is not None
        caught += report.multivariate.drifted
        column_alarms += bool(report.drifted_columns)
    assert caught / runs >= 0.9, f"power {caught}/{runs}"
    p_exceeds = stats.binomtest(column_alarms, runs, ALPHA, alternative="greater").pvalue
    assert p_exceeds > 0.001, f"columns flagged in {column_alarms}/{runs} runs"


@pytest.mark.parametrize("method", ["projection", "classifier"])
def test_other_methods_catch_the_flip_too(method: str) -> None:
    rng = np.random.default_rng(11)
    report = sw.compare(
        correlated(rng, 300, FLIP["reference"]),
        correlated(rng, 300, FLIP["current"]),
        multivariate=method,
    )
    assert report.multivariate is not None
    assert (
        report.multivariate.result.test
        == {
            "projection": "projection_ks",
            "classifier": "domain_classifier",
        }[method]
    )
    assert report.multivariate.drifted
    assert report.drifted


# --- the family-wise false-alarm rate --------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("method", ["mmd", "projection"])
def test_false_alarm_rate_of_the_whole_verdict_is_at_most_alpha(method: str) -> None:
    rng = np.random.default_rng(20_260_311)
    runs = 1_000  # 60 rows a side, 5 columns, 7 checks + the multivariate one: about 5 s
    alarms = sum(
        sw.compare(unshifted(rng, 60), unshifted(rng, 60), multivariate=method, seed=run).drifted
        for run in range(runs)
    )
    p_exceeds = stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue
    assert p_exceeds > 0.001, f"{alarms}/{runs} false alarms"


def test_holm_is_weighted_half_to_the_multivariate_check() -> None:
    rng = np.random.default_rng(3)
    report = sw.compare(unshifted(rng, 200), unshifted(rng, 200), multivariate=True)
    p_values, adjusted = family(report)
    columns = len(p_values) - 1
    weights = [0.5 / columns] * columns + [0.5]
    assert adjusted == pytest.approx(weighted_holm(p_values, weights), rel=1e-12)
    assert report.correction == "holm"
    assert any("half the weight of the holm correction" in note for note in report.notes)


def test_weighted_holm_with_equal_weights_is_holm() -> None:
    p_values = [0.01, 0.04, 0.03, 0.005, 0.7]
    assert weighted_holm(p_values, [0.2] * 5) == pytest.approx(
        CORRECTIONS["holm"](p_values).tolist(), rel=1e-12
    )


@pytest.mark.parametrize("correction", ["bonferroni", "benjamini_hochberg", "none"])
def test_other_corrections_are_weighted_the_same_way(correction: str) -> None:
    rng = np.random.default_rng(4)
    report = sw.compare(
        correlated(rng, 200, 0.8),
        correlated(rng, 200, 0.2),
        multivariate=True,
        correction=correction,
    )
    p_values, adjusted = family(report)
    p = np.array(p_values)
    weights = np.r_[np.full(p.size - 1, 0.5 / (p.size - 1)), 0.5]
    expected = {
        "bonferroni": np.minimum(p / weights, 1.0),
        "benjamini_hochberg": CORRECTIONS["benjamini_hochberg"](
            np.minimum(p / (weights * p.size), 1.0)
        ),
        "none": p,
    }[correction]
    assert adjusted == pytest.approx(expected.tolist(), rel=1e-12)


def test_multivariate_false_leaves_the_report_as_it_was() -> None:
    rng = np.random.default_rng(5)
    reference, current = unshifted(rng, 100), unshifted(rng, 100)
    report = sw.compare(reference, current, multivariate=False)
    assert report.multivariate is None
    assert report.to_dict()["multivariate"] is None
    p_values = [c.result.p_value for col in report.columns.values() for c in col.checks]
    adjusted = [c.adjusted_p_value for col in report.columns.values() for c in col.checks]
    assert adjusted == pytest.approx(CORRECTIONS["holm"](p_values).tolist(), rel=1e-12)


def test_by_default_the_projection_test_is_one_more_equal_check() -> None:
    rng = np.random.default_rng(5)
    reference, current = unshifted(rng, 100), unshifted(rng, 100)
    report = sw.compare(reference, current)
    assert report.multivariate is not None
    assert report.multivariate.result.test == "projection_ks"
    p_values, adjusted = family(report)
    assert adjusted == pytest.approx(CORRECTIONS["holm"](p_values).tolist(), rel=1e-12)
    assert any("run by default" in note for note in report.notes)
    profiled = sw.compare(sw.Profile.from_data(reference), sw.Profile.from_data(current))
    assert profiled.multivariate is None  # profiles keep no rows: no default check


def test_one_numeric_column_gets_no_default_check_and_no_note() -> None:
    report = sw.compare(
        {"x": [1.0, 2.0, 3.0], "c": ["a", "b", "a"]}, {"x": [1.0, 2.0, 3.0], "c": ["a", "b", "b"]}
    )
    assert report.multivariate is None
    assert not any("multivariate" in note.lower() for note in report.notes)


@pytest.mark.slow
def test_correlation_flip_found_by_default_at_n_1000() -> None:
    rng = np.random.default_rng(21)
    runs, found, false_alarms = 100, 0, 0
    for _ in range(runs):
        base = {f"n{i}": rng.normal(size=1_000) for i in range(18)}
        reference = base | correlated(rng, 1_000, FLIP["reference"])
        current = {f"n{i}": rng.normal(size=1_000) for i in range(18)}
        unshifted_current = current | correlated(rng, 1_000, FLIP["reference"])
        flipped = current | correlated(rng, 1_000, FLIP["current"])
        found += sw.compare(reference, flipped).drifted
        false_alarms += sw.compare(reference, unshifted_current).drifted
    assert found / runs >= 0.9, f"{found}/{runs}"
    assert stats.binomtest(false_alarms, runs, ALPHA, alternative="greater").pvalue > 0.001


# --- what the check uses and says --------------------------------------------------------------


def test_numeric_columns_only_complete_rows_and_a_note() -> None:
    rng = np.random.default_rng(6)
    reference, current = unshifted(rng, 150), unshifted(rng, 150)
    report = sw.compare(reference, current, multivariate="mmd")
    check = report.multivariate
    assert check is not None
    complete = (~np.isnan(reference["with_nulls"])).sum(), (~np.isnan(current["with_nulls"])).sum()
    assert (check.result.n_reference, check.result.n_current) == complete
    assert "on 4 column(s)" in check.result.method
    note = next(n for n in report.notes if n.startswith("Multivariate check"))
    assert note.startswith(f"Multivariate check (mmd): {check.reason}; on 4 numeric columns")
    assert "'x', 'y', 'skewed', 'with_nulls'" in note
    assert "categorical columns not included" in note
    assert f"left out ({150 - complete[0]:,} reference, {150 - complete[1]:,} current)" in note


def test_fewer_than_two_numeric_columns_is_noted_not_tested() -> None:
    rng = np.random.default_rng(7)
    data = {"x": rng.normal(size=50), "plan": rng.choice(["a", "b"], size=50)}
    report = sw.compare(data, data, multivariate=True)
    assert report.multivariate is None
    assert any("needs at least 2 numeric columns" in note for note in report.notes)
    assert any("found 1" in note for note in report.notes)


def test_too_few_complete_rows_is_noted_not_tested() -> None:
    reference = {"x": [1.0, 2.0, 3.0], "y": [1.0, np.nan, np.nan]}
    report = sw.compare(reference, {"x": [1.0, 2.0, 3.0], "y": [2.0, 1.0, 3.0]}, multivariate=True)
    assert report.multivariate is None
    assert any("not run on the complete rows" in note for note in report.notes)


def test_same_seed_same_report() -> None:
    rng = np.random.default_rng(8)
    reference, current = unshifted(rng, 80), unshifted(rng, 80)
    first = sw.compare(reference, current, multivariate=True, seed=3).to_json()
    assert sw.compare(reference, current, multivariate=True, seed=3).to_json() == first
    assert "(seed 3)" in json.loads(first)["multivariate"]["method"]


def test_profiles_are_refused_they_hold_no_rows() -> None:
    rng = np.random.default_rng(9)
    reference, current = unshifted(rng, 50), unshifted(rng, 50)
    with pytest.raises(IncompatibleError, match=r"needs raw rows.*reference data is a profile"):
        sw.compare(sw.Profile.from_data(reference), current, multivariate=True)
    with pytest.raises(IncompatibleError, match="current data is a profile"):
        sw.compare(reference, sw.Profile.from_data(current), multivariate="projection")
    assert sw.compare(sw.Profile.from_data(reference), current).multivariate is None


@pytest.mark.parametrize(
    ("parameters", "name"),
    [
        pytest.param({"multivariate": "pca"}, "multivariate", id="unknown-method"),
        pytest.param({"multivariate": 1}, "multivariate", id="int"),
        pytest.param({"multivariate": ["mmd"]}, "multivariate", id="list"),
        pytest.param({"seed": -1}, "seed", id="seed"),
    ],
)
def test_bad_parameters_are_refused_by_name(parameters: dict[str, object], name: str) -> None:
    data = {"x": [1.0, 2.0, 3.0], "y": [3.0, 1.0, 2.0]}
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of compare\b"):
        sw.compare(data, data, **parameters)


def test_renderings_show_the_multivariate_check() -> None:
    rng = np.random.default_rng(10)
    report = sw.compare(
        correlated(rng, 300, FLIP["reference"]),
        correlated(rng, 300, FLIP["current"]),
        multivariate=True,
    )
    assert report.multivariate is not None and report.multivariate.drifted
    as_json = json.loads(report.to_json())["multivariate"]
    assert as_json["check"] == "multivariate"
    assert as_json["test"] == "mmd"
    assert as_json["drifted"] is True
    assert as_json["adjusted_p_value"] == pytest.approx(report.multivariate.adjusted_p_value)
    markdown = report.to_markdown()
    assert "Multivariate check (mmd, numeric columns together): **drifted**" in markdown
    console = Console(width=100, record=True)
    console.print(report_table(report))
    assert "multivariate (mmd): DRIFT" in console.export_text()
