"""The pytest plugin, end to end: pytester runs pytest on small made-up projects."""

import json
import subprocess
import sys

import numpy as np
import pytest

import shiftwatch as sw

STRICT_INI = """
[pytest]
filterwarnings = error
addopts = --strict-markers -p no:cacheprovider
{extra}
"""

QUALITY_TEST = """
import numpy as np

CORRECT = {correct}

def accuracy(truth, predicted):
    return float(np.mean(truth == predicted))

def test_quality(shiftwatch_golden):
    truth = np.arange(200) % 4
    predicted = np.where(np.arange(200) < CORRECT, truth, (truth + 1) % 4)
    shiftwatch_golden.check("accuracy", accuracy, truth, predicted)
"""


@pytest.fixture(autouse=True)
def no_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test files are rewritten between runs within a second: no stale compiled copies."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(STRICT_INI.format(extra=""))
    return pytester


def test_the_plugin_is_loaded_with_its_options_and_marker(project):
    help_text = project.runpytest("--help").stdout.str()
    assert "--shiftwatch-update-golden" in help_text
    assert "--shiftwatch-outcomes=PATH" in help_text
    markers = project.runpytest("--markers").stdout.str()
    assert "@pytest.mark.shiftwatch_golden(path)" in markers


def test_loading_the_plugin_imports_no_optional_dependency():
    code = (
        "import sys, shiftwatch.testing.plugin; "
        "print(sorted({'sklearn', 'torch', 'pandas', 'polars', 'typer', 'rich'} "
        "& {m.split('.')[0] for m in sys.modules}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_golden_metrics_fail_until_recorded_then_pass_then_catch_a_regression(project):
    golden = project.path / "golden_metrics.json"
    project.makepyfile(test_quality=QUALITY_TEST.format(correct=180))

    missing = project.runpytest()
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(
        ["*golden_metrics.json' does not exist: no metric 'accuracy' (new value 0.9 [*"]
    )
    assert not golden.exists()

    recorded = project.runpytest("--shiftwatch-update-golden")
    recorded.assert_outcomes(passed=1)
    recorded.stdout.fnmatch_lines(
        [
            "*shiftwatch golden metrics recorded*",
            "*golden_metrics.json: accuracy = 0.9 [[]*[]] (95% bootstrap interval over 200 "
            "examples, 1000 resamples, seed 0) (new)",
        ]
    )
    metric = json.loads(golden.read_text())["metrics"]["accuracy"]
    assert metric["value"] == 0.9
    assert metric["low"] < 0.9 < metric["high"]

    project.runpytest().assert_outcomes(passed=1)

    project.makepyfile(test_quality=QUALITY_TEST.format(correct=150))
    regressed = project.runpytest()
    regressed.assert_outcomes(failed=1)
    regressed.stdout.fnmatch_lines(
        [
            f"*Metric 'accuracy' = 0.75 is outside its golden interval "
            f"[[]{metric['low']:.4g}, {metric['high']:.4g}[]]*",
        ]
    )
    assert "--shiftwatch-update-golden" in regressed.stdout.str()

    updated = project.runpytest("--shiftwatch-update-golden")
    updated.assert_outcomes(passed=1)
    updated.stdout.fnmatch_lines(["*accuracy = 0.75 [[]*(was 0.9)"])
    assert json.loads(golden.read_text())["metrics"]["accuracy"]["value"] == 0.75


def test_a_test_that_fails_records_nothing(project):
    project.makepyfile(
        """
        import numpy as np

        def test_records_then_fails(shiftwatch_golden):
            shiftwatch_golden.check("mean", lambda x: float(np.mean(x)), np.arange(10.0))
            assert False, "broken after the metric"
        """
    )
    project.runpytest("--shiftwatch-update-golden").assert_outcomes(failed=1)
    assert not (project.path / "golden_metrics.json").exists()


def test_the_marker_and_the_ini_choose_the_golden_file(pytester):
    pytester.makeini(STRICT_INI.format(extra="shiftwatch_golden = metrics/all.json"))
    pytester.makepyfile(
        test_paths="""
        import numpy as np
        import pytest

        def mean(x):
            return float(np.mean(x))

        def test_default(shiftwatch_golden):
            shiftwatch_golden.check("a", mean, np.arange(10.0))

        @pytest.mark.shiftwatch_golden("own/golden.json")
        def test_marked(shiftwatch_golden):
            shiftwatch_golden.check("b", mean, np.arange(10.0))

        @pytest.mark.shiftwatch_golden()
        def test_bad_marker(shiftwatch_golden):
            pass
        """
    )
    result = pytester.runpytest("--shiftwatch-update-golden")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*shiftwatch_golden takes one path, relative to the test file*"])
    assert list(json.loads((pytester.path / "metrics/all.json").read_text())["metrics"]) == ["a"]
    assert list(json.loads((pytester.path / "own/golden.json").read_text())["metrics"]) == ["b"]


def test_the_reference_fixture_loads_the_configured_profile(pytester):
    rng = np.random.default_rng(0)
    sw.Profile.from_data({"x": rng.normal(size=500)}).save(pytester.path / "ref.swp")
    pytester.makeini(STRICT_INI.format(extra="shiftwatch_reference = ref.swp"))
    pytester.makepyfile(
        """
        from shiftwatch.testing import assert_schema

        def test_reference(shiftwatch_reference):
            assert shiftwatch_reference.n == 500
            assert_schema({"x": [0.0, 99.0]}, shiftwatch_reference)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 of 2 rows break the schema*", "*Row 1, column 'x': 99.0*"])


def test_the_reference_fixture_says_how_to_configure_it(project):
    project.makepyfile("def test_reference(shiftwatch_reference): pass")
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*set shiftwatch_reference = 'reference.swp' in the pytest*"])


def test_outcomes_are_recorded_with_markers(pytester):
    pytester.makeini(
        STRICT_INI.format(extra="markers =\n    data: data tests\n    slow: slow tests")
    )
    pytester.makepyfile(
        test_outcomes="""
        import pytest

        pytestmark = pytest.mark.data

        @pytest.fixture
        def broken():
            raise RuntimeError("setup failed")

        def test_passes():
            pass

        @pytest.mark.slow
        def test_fails():
            assert False

        def test_skips():
            pytest.skip("not here")

        @pytest.mark.xfail(reason="known")
        def test_xfails():
            assert False

        def test_errors(broken):
            pass

        def test_deselected_by_marker():
            pass
        """
    )
    record = pytester.path / "out" / "outcomes.json"
    result = pytester.runpytest(f"--shiftwatch-outcomes={record}", "-k", "not deselected")
    result.assert_outcomes(passed=1, failed=1, skipped=1, xfailed=1, errors=1, deselected=1)
    document = json.loads(record.read_text())
    assert document["exitstatus"] == 1
    outcomes = {t["nodeid"].split("::")[1]: (t["outcome"], t["markers"]) for t in document["tests"]}
    assert outcomes == {
        "test_passes": ("passed", ["data"]),
        "test_fails": ("failed", ["data", "slow"]),
        "test_skips": ("skipped", ["data"]),
        "test_xfails": ("xfailed", ["data", "xfail"]),
        "test_errors": ("error", ["data"]),
    }
