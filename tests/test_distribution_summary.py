"""The distribution summaries compare attaches to each tested column: exact, bounded, shared."""

import json

import numpy as np
import pytest

import shiftwatch as sw
from shiftwatch.distribution_summary import MAX_BINS, MAX_CATEGORIES
from shiftwatch.drift_report import DistributionSummary
from shiftwatch.profile import Profile


def _histogram(report: sw.DriftReport, name: str) -> DistributionSummary:
    summary = report.columns[name].distribution
    assert summary is not None and summary.kind == "histogram"
    return summary


def test_numeric_histograms_count_every_finite_value_on_shared_edges() -> None:
    rng = np.random.default_rng(3)
    reference = rng.normal(size=5_000)
    current = rng.normal(loc=0.5, size=4_000)
    current[:100] = np.nan
    current[100] = np.inf
    report = sw.compare({"x": reference}, {"x": current})
    summary = _histogram(report, "x")
    edges = np.array(summary.edges)
    assert len(summary.reference) == len(summary.current) == edges.size - 1 <= MAX_BINS + 2
    assert np.all(np.diff(edges) > 0)
    finite = current[101:]
    assert edges[0] == min(reference.min(), finite.min())
    assert edges[-1] == max(reference.max(), finite.max())
    assert sum(summary.reference) == 5_000 and sum(summary.current) == 4_000 - 101
    assert summary.low_tail and summary.high_tail and not summary.approximate
    expected, _ = np.histogram(reference, bins=edges)
    assert list(summary.reference) == expected.tolist()


def test_integers_over_a_short_range_get_one_bin_each() -> None:
    rng = np.random.default_rng(4)
    report = sw.compare(
        {"n": rng.integers(0, 30, 1_000).astype(float)},
        {"n": rng.integers(5, 35, 1_000).astype(float)},
    )
    summary = _histogram(report, "n")
    assert summary.discrete and summary.edges == tuple(np.arange(-0.5, 35.0).tolist())
    assert summary.reference[30:] == (0,) * 5 and summary.current[:5] == (0,) * 5


def test_a_constant_column_gets_one_bin() -> None:
    summary = _histogram(sw.compare({"k": np.ones(50)}, {"k": np.full(50, 1.0)}), "k")
    assert summary.discrete and summary.edges == (0.5, 1.5)
    assert (summary.reference, summary.current) == ((50,), (50,))


def test_exact_profiles_give_the_raw_summaries() -> None:
    rng = np.random.default_rng(5)
    reference = {"x": rng.gamma(2.0, size=1_500), "c": rng.choice(["a", "b", "c"], 1_500)}
    current = {"x": rng.gamma(2.5, size=1_200), "c": rng.choice(["a", "b", "d"], 1_200)}
    raw = sw.compare(reference, current)
    profiled = sw.compare(Profile.from_data(reference), Profile.from_data(current))
    for name in ("x", "c"):
        assert profiled.columns[name].distribution == raw.columns[name].distribution


def test_sketched_sides_give_approximate_counts_within_the_rank_error() -> None:
    rng = np.random.default_rng(6)
    reference, current = rng.normal(size=200_000), rng.normal(0.2, size=150_000)
    raw = _histogram(sw.compare({"x": reference}, {"x": current}), "x")
    sketch_report = sw.compare(Profile.from_data({"x": reference}, k=200), {"x": current})
    sketched = _histogram(sketch_report, "x")
    assert sketched.approximate and sum(sketched.reference) == 200_000
    assert list(sketched.current) == np.histogram(current, bins=sketched.edges)[0].tolist()
    # The sketch's edges differ a little from the raw ones; its cumulative counts do not
    # stray from the true ones by more than its rank error.
    true_counts = np.histogram(reference, bins=sketched.edges)[0]
    error = np.abs(np.cumsum(sketched.reference) - np.cumsum(true_counts)).max()
    assert error <= 0.02 * 200_000
    assert len(sketched.edges) == pytest.approx(len(raw.edges), abs=2)


def test_categories_keep_the_largest_and_pool_the_rest() -> None:
    rng = np.random.default_rng(7)
    levels = np.array([f"level {i}" for i in range(100)])
    reference = rng.choice(levels, 20_000)
    current = np.concatenate([rng.choice(levels, 19_000), np.full(1_000, "brand new")])
    summary = sw.compare({"c": reference}, {"c": current}).columns["c"].distribution
    assert summary is not None and summary.kind == "categories"
    assert len(summary.categories) == MAX_CATEGORIES and summary.categories[0] == "brand new"
    assert summary.reference[0] == 0 and summary.current[0] == 1_000
    assert summary.n_other == 101 - MAX_CATEGORIES
    assert sum(summary.reference) + summary.other_reference == 20_000
    assert sum(summary.current) + summary.other_current == 20_000


def test_booleans_and_profiles_past_their_level_bound() -> None:
    rng = np.random.default_rng(8)
    flags = sw.compare({"b": rng.random(300) < 0.3}, {"b": rng.random(300) < 0.6})
    assert set(flags.columns["b"].distribution.categories) == {"True", "False"}
    many = np.char.add("v", rng.zipf(1.5, 20_000).astype(str))
    grouped = sw.compare(Profile.from_data({"c": many}, max_levels=100), {"c": many})
    summary = grouped.columns["c"].distribution
    assert summary.approximate and 0 < len(summary.categories) <= MAX_CATEGORIES
    assert summary.categories[0] == "v1"
    assert sum(summary.current) + summary.other_current == 20_000


def test_untested_columns_have_no_summary_and_the_json_carries_it() -> None:
    texts = np.array([f"note {i}" for i in range(200)])
    report = sw.compare({"t": texts, "x": np.arange(200.0)}, {"t": texts, "x": np.arange(200.0)})
    assert report.columns["t"].distribution is None
    columns = {c["name"]: c for c in json.loads(report.to_json())["columns"]}
    assert columns["t"]["distribution"] is None
    summary = report.columns["x"].distribution
    assert columns["x"]["distribution"]["edges"] == list(summary.edges)
    assert columns["x"]["distribution"]["reference"] == list(summary.reference)
