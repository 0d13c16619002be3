import json
import re

import numpy as np
import pytest

import shiftwatch as sw
from shiftwatch.errors import FormatError
from shiftwatch.testing import assert_no_drift, assert_profile_close, assert_schema, load_schema


@pytest.fixture
def reference() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    return {
        "age": rng.normal(40, 10, 2000),
        "income": rng.lognormal(10, 0.5, 2000),
        "plan": rng.choice(["basic", "pro"], 2000, p=[0.7, 0.3]),
    }


def fresh(seed: int, *, age_shift: float = 0.0, pro_share: float = 0.3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "age": rng.normal(40 + age_shift, 10, 2000),
        "income": rng.lognormal(10, 0.5, 2000),
        "plan": rng.choice(["basic", "pro"], 2000, p=[1 - pro_share, pro_share]),
    }


def test_assert_no_drift_passes_on_the_same_distribution_and_returns_the_report(reference):
    report = assert_no_drift(reference, fresh(6))
    assert report.drifted is False
    assert set(report.columns) == {"age", "income", "plan"}


def test_assert_no_drift_names_each_drifted_column_with_its_numbers(reference):
    shifted = fresh(7, age_shift=5.0, pro_share=0.5)
    expected = sw.compare(reference, shifted, multivariate=False)
    with pytest.raises(AssertionError) as failure:
        assert_no_drift(reference, shifted, multivariate=False)
    message = str(failure.value)
    assert message.startswith("Drift in 2 of 3 columns (2,000 reference rows, 2,000 current rows")
    age, plan = expected.columns["age"], expected.columns["plan"]
    assert f"age: ks: p={age.p_value:.3g}, adjusted p={age.adjusted_p_value:.3g}" in message
    assert f"effect {age.effect:.3g} >= 0.1" in message
    assert f"plan: chi2: p={plan.p_value:.3g}" in message
    assert f"effect {plan.effect:.3g} >= 0.05 (share of rows (total variation))" in message
    assert "income" not in message


def test_assert_no_drift_passes_options_to_compare(reference):
    shifted = fresh(7, age_shift=5.0)
    with pytest.raises(AssertionError, match="age: ks"):
        assert_no_drift(reference, shifted)
    # A materiality threshold above the shift's effect (about 0.5 std) lets it pass.
    # (the default multivariate check would see the shift of age: off here)
    report = assert_no_drift(reference, shifted, thresholds={"age": 0.9}, multivariate=False)
    assert report.columns["age"].effect == pytest.approx(0.5, abs=0.1)
    assert_no_drift(reference, shifted, columns=["income", "plan"])


def test_assert_no_drift_reports_a_missing_value_shift(reference):
    current = fresh(8)
    current["income"] = current["income"].copy()
    current["income"][:300] = np.nan
    with pytest.raises(AssertionError, match=r"income: missing \(proportion\): p=\S+, adjusted p="):
        assert_no_drift(reference, current)


def test_assert_schema_passes_and_returns_the_validation_result(reference):
    result = assert_schema(fresh(9), sw.Schema.infer(reference))
    assert result.ok
    assert result.n_rows == 2000


def test_assert_schema_lists_rows_rules_and_values():
    schema = sw.Schema.infer({"age": [20.0, 30.0, 40.0, 50.0], "plan": ["a", "b", "a", "b"]})
    batch = {"age": [25.0, 80.0, 10.0, 35.0, 90.0], "plan": ["a", "a", "z", "b", "a"]}
    with pytest.raises(AssertionError) as failure:
        assert_schema(batch, schema)
    lines = str(failure.value).splitlines()
    assert lines[0] == (
        "3 of 5 rows break the schema (4 violations: age below_min 1, age above_max 2, "
        "plan unknown_category 1):"
    )
    assert lines[1:] == [
        "  Row 1, column 'age': 80.0 is above the maximum, 53.0.",
        "  Row 2, column 'age': 10.0 is below the minimum, 17.0.",
        "  Row 2, column 'plan': 'z' is not a category of the reference ('a', 'b').",
        "  Row 4, column 'age': 90.0 is above the maximum, 53.0.",
    ]


def test_assert_schema_shows_the_first_violations_and_counts_the_rest():
    schema = sw.Schema.infer({"x": [0.0, 1.0]})
    with pytest.raises(AssertionError) as failure:
        assert_schema({"x": np.arange(2.0, 52.0)}, schema, max_shown=3)
    message = str(failure.value)
    assert message.startswith("50 of 50 rows break the schema (50 violations: x above_max 50):")
    assert message.count("is above the maximum, 1.1.") == 3
    assert message.endswith("  ... and 47 more")


def test_assert_schema_reports_missing_and_unexpected_columns():
    schema = sw.Schema.infer({"x": [0.0, 1.0], "y": [1.0, 2.0]})
    with pytest.raises(AssertionError) as failure:
        assert_schema({"x": [0.5], "z": [3.0]}, schema)
    message = str(failure.value)
    assert message.startswith("The columns of the data break the schema (1 rows")
    assert "Column 'y' is missing." in message
    assert "Column 'z' is not in the reference." in message


def test_assert_schema_reads_profiles_profile_files_and_schema_json(tmp_path, reference):
    profile = sw.Profile.from_data(reference)
    profile.save(tmp_path / "ref.swp")
    (tmp_path / "schema.json").write_text(json.dumps(profile.schema.to_dict()))
    bad = fresh(10)
    bad["age"] = bad["age"].copy()
    bad["age"][3] = 500.0
    for expected in (profile, tmp_path / "ref.swp", str(tmp_path / "schema.json")):
        assert load_schema(expected) == profile.schema
        with pytest.raises(AssertionError, match=r"Row 3, column 'age': 500.0 is above"):
            assert_schema(bad, expected)


def test_load_schema_names_a_file_that_is_not_a_schema(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(FormatError, match="is not JSON"):
        load_schema(tmp_path / "notes.txt")
    with pytest.raises(FormatError, match="Cannot read the schema"):
        load_schema(tmp_path / "absent.json")


def test_assert_profile_close_passes_on_large_samples_with_a_negligible_shift():
    rng = np.random.default_rng(11)
    saved = sw.Profile.from_data({"x": rng.normal(0, 1, 200_000)})
    # Significant at this size (a KS test would flag it) but far below the 0.1 std threshold.
    report = assert_profile_close(saved, {"x": rng.normal(0.03, 1, 200_000)})
    assert report.columns["x"].effect < 0.1


def test_assert_profile_close_fails_with_the_effects_and_no_p_values(tmp_path, reference):
    sw.Profile.from_data(reference).save(tmp_path / "ref.swp")
    with pytest.raises(AssertionError) as failure:
        assert_profile_close(tmp_path / "ref.swp", fresh(12, pro_share=0.6))
    message = str(failure.value)
    assert message.startswith("Profiles differ in 1 of 3 columns (2,000 reference rows")
    effect = float(re.search(r"plan: chi2: effect (\S+) >= 0.05", message).group(1))
    assert effect == pytest.approx(0.3, abs=0.04)
    assert "p=" not in message


def test_assert_profile_close_reports_columns_and_kinds_that_changed(reference):
    renamed = dict(fresh(13))
    renamed["salary"] = renamed.pop("income")
    with pytest.raises(AssertionError) as failure:
        assert_profile_close(reference, renamed)
    assert str(failure.value).splitlines() == [
        "The profiles do not have the same columns:",
        "  columns missing from the current data: ['income']",
        "  columns not in the reference: ['salary']",
    ]
    retyped = dict(fresh(14))
    retyped["plan"] = np.where(retyped["plan"] == "pro", 1.5, 0.5)
    with pytest.raises(AssertionError, match="plan: categorical in the reference, numeric now"):
        assert_profile_close(reference, retyped)
