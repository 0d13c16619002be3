"""compare on profiles: the same answers as raw data while exact, calibrated beyond.

Calibration and power by simulation, with stated seeds and the binomial acceptance rule of
tests/test_calibration.py: a false-alarm count is accepted unless a one-sided binomial test
says, at the 0.001 level, that the true rate exceeds alpha.
"""

import datasketches
import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import shiftwatch as sw
from shiftwatch.cli import app
from shiftwatch.errors import IncompatibleError
from shiftwatch.profile import Profile
from tests.simulation import mixed_data

ALPHA = 0.05
RANK_ERROR = datasketches.kll_doubles_sketch.get_normalized_rank_error(2000, True)


def _many_levels(rng: np.random.Generator, n: int, levels: int = 5_000) -> np.ndarray:
    """About 4,300 distinct values in 10,000 rows: past the 4,096-level bound, not text."""
    return np.char.add("v", rng.integers(0, levels, size=n).astype(str))


def _same_results(expected: sw.DriftReport, got: sw.DriftReport) -> None:
    assert got.drifted == expected.drifted
    assert got.n_reference == expected.n_reference
    assert got.n_current == expected.n_current
    for name, column in expected.columns.items():
        other = got.columns[name]
        assert other.kind == column.kind, name
        assert [c.name for c in other.checks] == [c.name for c in column.checks], name
        for mine, theirs in zip(column.checks, other.checks, strict=True):
            assert theirs.result.test == mine.result.test, name
            assert theirs.result.statistic == pytest.approx(mine.result.statistic, abs=1e-12)
            assert theirs.result.effect == pytest.approx(mine.result.effect, rel=1e-9), name
            if mine.result.p_value is None:
                assert theirs.result.p_value is None
            else:
                assert theirs.result.p_value == pytest.approx(mine.result.p_value, rel=1e-9)
                assert theirs.adjusted_p_value == pytest.approx(mine.adjusted_p_value, rel=1e-9)
        assert other.note == column.note, name


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_profiles_give_the_raw_report(seed: int) -> None:
    rng = np.random.default_rng(seed)
    reference, current = mixed_data(rng, 1_500), mixed_data(rng, 1_200, shift=0.3)
    raw = sw.compare(reference, current)
    reference_profile, current_profile = Profile.from_data(reference), Profile.from_data(current)
    _same_results(raw, sw.compare(reference_profile, current_profile))
    _same_results(raw, sw.compare(reference_profile, current))
    _same_results(raw, sw.compare(reference, current_profile))


def test_sketched_ks_is_conservative_against_raw_data() -> None:
    """D - rank error <= true D (w.p. >= 99% per sketch), so p from sketches >= raw p.

    The effect (Wasserstein-1 / std) from sketches differs from the raw one by at most the
    CDFs' error integrated over the range: rank error x (max - min) / std.
    """
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(5):
        reference, current = mixed_data(rng, 30_000), mixed_data(rng, 20_000, shift=0.05)
        raw = sw.compare(reference, current)
        sketched = sw.compare(Profile.from_data(reference), Profile.from_data(current))
        for name, column in raw.columns.items():
            if column.test != "ks":
                continue
            mine = sketched.columns[name]
            assert mine.test == "ks"
            assert "rank error" in mine.checks[0].result.method
            assert mine.p_value >= column.p_value * (1 - 1e-9), name
            values = np.concatenate([reference[name], current[name]]).astype(float)
            values = values[np.isfinite(values)]
            scale = np.nanstd(np.asarray(reference[name], dtype=float))
            bound = 2 * RANK_ERROR * np.ptp(values) / scale
            assert abs(mine.effect - column.effect) <= bound, name
            checked += 1
    assert checked >= 5 * 12


def test_profile_reference_with_raw_current_finds_what_raw_data_finds() -> None:
    rng = np.random.default_rng(5)
    reference = mixed_data(rng, 100_000)
    profile = Profile.from_data(reference)
    current = mixed_data(rng, 2_000, shift=0.4)
    current["category_0"] = rng.choice(["level_0", "level_1", "new"], size=2_000)
    raw, from_profile = sw.compare(reference, current), sw.compare(profile, current)
    assert from_profile.drifted_columns == raw.drifted_columns
    assert set(raw.drifted_columns) == {"numeric_shift_target", "category_0"}
    assert from_profile.columns["category_0"].new_categories == ("new",)
    # Only the reference is sketched: its rank error is all that is subtracted.
    method = from_profile.columns["numeric_shift_target"].checks[0].result.method
    assert "0.0019" in method


def _profile_false_alarms(runs: int, seed: int, n_reference: int, n_current: int) -> int:
    rng = np.random.default_rng(seed)
    alarms = 0
    for _ in range(runs):
        reference = mixed_data(rng, n_reference) | {"many": _many_levels(rng, n_reference)}
        current = mixed_data(rng, n_current) | {"many": _many_levels(rng, n_current)}
        profile = Profile.from_data(reference)
        assert not profile["many"].frequencies.exact
        target = Profile.from_data(current) if n_current > 5_000 else current
        if n_current > 5_000:
            assert not target["many"].frequencies.exact
        alarms += sw.compare(profile, target, alpha=ALPHA).drifted
    return alarms


@pytest.mark.slow
@pytest.mark.parametrize(
    ("n_reference", "n_current", "runs"),
    [
        pytest.param(10_000, 1_000, 100, id="profile-vs-raw-1000"),
        pytest.param(10_000, 10_000, 80, id="profile-vs-profile-10000"),
    ],
)
def test_false_alarm_rate_from_profiles_is_at_most_alpha(
    n_reference: int, n_current: int, runs: int
) -> None:
    alarms = _profile_false_alarms(runs, 20261126 + n_current, n_reference, n_current)
    p_exceeds = stats.binomtest(alarms, runs, ALPHA, alternative="greater").pvalue
    assert p_exceeds > 0.001, f"{alarms}/{runs} false alarms"


@pytest.mark.slow
def test_quarter_std_shift_is_found_against_a_reference_profile() -> None:
    rng = np.random.default_rng(42)
    profile = Profile.from_data(mixed_data(rng, 100_000))
    runs, found = 100, 0
    for _ in range(runs):
        report = sw.compare(profile, mixed_data(rng, 1_000, shift=0.25))
        found += "numeric_shift_target" in report.drifted_columns
    assert found / runs >= 0.80, f"power {found}/{runs}"


def test_grouped_categories_detect_a_shift_and_list_no_new_category() -> None:
    rng = np.random.default_rng(8)
    reference = {"many": _many_levels(rng, 30_000, levels=8_000)}
    heavy = np.where(rng.random(30_000) < 0.2, "v1", _many_levels(rng, 30_000, levels=8_000))
    report = sw.compare(Profile.from_data(reference), Profile.from_data({"many": heavy}))
    column = report.columns["many"]
    assert column.kind == sw.ColumnKind.CATEGORICAL
    assert column.drifted
    assert column.new_categories == ()
    assert "hashed groups" in column.note
    same = sw.compare(
        Profile.from_data(reference), {"many": _many_levels(rng, 30_000, levels=8_000)}
    )
    assert not same.drifted


def test_tests_that_need_every_value_refuse_sketches() -> None:
    rng = np.random.default_rng(3)
    profile = Profile.from_data({"x": rng.normal(size=10_000)})
    current = {"x": rng.normal(size=500)}
    for test in ("cvm", "chi2"):
        with pytest.raises(IncompatibleError, match=rf"Test '{test}' needs every value.*'ks'"):
            sw.compare(profile, current, tests={"x": test})
    distance = sw.compare(profile, current, tests={"x": "wasserstein"}).columns["x"]
    assert distance.p_value is None
    assert distance.effect == pytest.approx(distance.checks[0].result.effect)
    psi = sw.compare(profile, current, tests={"x": "psi"}).columns["x"]
    assert psi.effect < 0.1


def test_categorical_override_needs_counts_the_profile_kept() -> None:
    rng = np.random.default_rng(4)
    profile = Profile.from_data({"x": rng.normal(size=10_000)})
    with pytest.raises(IncompatibleError, match="Column 'x' has more than 4096 distinct"):
        sw.compare(profile, {"x": rng.normal(size=100)}, kinds={"x": "categorical"})
    few = Profile.from_data({"x": rng.integers(0, 40, size=5_000)})
    report = sw.compare(few, {"x": rng.integers(0, 40, size=500)}, kinds={"x": "categorical"})
    assert report.columns["x"].test == "chi2"


def test_profile_files_are_accepted_by_compare_and_the_cli(tmp_path) -> None:
    rng = np.random.default_rng(6)
    Profile.from_data({"x": rng.normal(size=3_000)}).save(tmp_path / "ref.swp")
    shifted = {"x": rng.normal(loc=1.0, size=300)}
    assert sw.compare(tmp_path / "ref.swp", shifted).drifted
    current = tmp_path / "current.csv"
    current.write_text("x\n" + "\n".join(str(v) for v in shifted["x"]) + "\n")
    result = CliRunner().invoke(
        app, ["compare", str(tmp_path / "ref.swp"), str(current), "--fail-on-drift", "-q"]
    )
    assert result.exit_code == 1, result.output
    assert "drift detected" in result.output
