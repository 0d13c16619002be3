import json
import re
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import shiftwatch as sw
from shiftwatch.cli import app
from shiftwatch.errors import FormatError
from shiftwatch.testing.readiness import (
    RUBRIC,
    SECTIONS,
    Outcome,
    assess,
    band_range,
    find_evidence,
    interpret,
    load_config,
    parse_config,
    run_command,
    run_markers,
    score_answers,
)
from shiftwatch.testing.readiness.render import readiness_to_markdown
from shiftwatch.testing.readiness.template import readiness_template

runner = CliRunner()
HERE = Path("readiness.toml")


def test_the_rubric_has_the_papers_28_tests_in_four_sections_of_seven():
    assert [s.key for s in SECTIONS] == ["data", "model", "infrastructure", "monitoring"]
    assert len(RUBRIC) == 28
    for section in SECTIONS:
        assert [t.number for t in RUBRIC if t.section == section] == list(range(1, 8))
    titles = {t.id: t.title for t in RUBRIC}
    assert titles["data-1"] == "Feature expectations are captured in a schema"
    assert titles["model-5"] == "A simpler model is not better"
    assert titles["infrastructure-1"] == "Training is reproducible"
    assert titles["monitoring-7"] == "Prediction quality has not regressed"


@pytest.mark.parametrize(
    ("score", "band", "words"),
    [
        pytest.param(0.0, "0", "more of a research project", id="0"),
        pytest.param(0.5, "(0, 1]", "not totally untested", id="0.5"),
        pytest.param(1.0, "(0, 1]", "not totally untested", id="1"),
        pytest.param(1.5, "(1, 2]", "there's been first pass at basic productionization", id="1.5"),
        pytest.param(2.0, "(1, 2]", "there's been first pass", id="2"),
        pytest.param(3.0, "(2, 3]", "reasonably tested", id="3"),
        pytest.param(
            3.5,
            "(3, 5]",
            "strong levels of automated testing and monitoring, appropriate",
            id="3.5",
        ),
        pytest.param(5.0, "(3, 5]", "strong levels", id="5"),
        pytest.param(5.5, "> 5", "exceptional levels", id="5.5"),
        pytest.param(7.0, "> 5", "exceptional levels", id="7"),
    ],
)
def test_the_papers_bands(score, band, words):
    assert band_range(score) == band
    assert interpret(score).startswith(words)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"monitor": {}},
            r"\[monitor\] is not a table of readiness.toml; expected one of 'readiness', 'data', "
            r"'model', 'infrastructure', 'monitoring' \(did you mean 'monitoring'\?\)",
            id="unknown-table",
        ),
        pytest.param(
            {"data": {"8": {"manual": "x"}}},
            r"\[data.8\] is not a test: the data section has tests 1 to 7",
            id="number",
        ),
        pytest.param(
            {"data": "all of it"},
            r"\[data\] must be a table of tests 1 to 7",
            id="section-not-table",
        ),
        pytest.param(
            {"data": {"1": "yes"}},
            r"\[data.1\] \(Feature expectations are captured in a schema\) must be a table "
            r"such as",
            id="entry-not-table",
        ),
        pytest.param(
            {"model": {"2": {"comand": "x"}}},
            r"\[model.2\] \(Offline and online metrics correlate\): 'comand' is not a key of "
            r"an answer; expected one of 'manual', 'command', 'pytest_marker', 'timeout', "
            r"'note' \(did you mean 'command'\?\)",
            id="unknown-key",
        ),
        pytest.param(
            {"data": {"1": {"manual": "a", "command": "b"}}},
            r"needs exactly one of 'manual', 'command', 'pytest_marker'; got 'manual', 'command'",
            id="two-answers",
        ),
        pytest.param(
            {"data": {"1": {"note": "soon"}}}, r"needs exactly one of .*; got none", id="no-answer"
        ),
        pytest.param(
            {"data": {"1": {"command": "  "}}},
            r"'command' must be a non-empty string. Got '  ' instead",
            id="empty-command",
        ),
        pytest.param(
            {"data": {"1": {"manual": 3}}},
            r"'manual' must be a non-empty string. Got 3 instead",
            id="manual-number",
        ),
        pytest.param(
            {"data": {"1": {"pytest_marker": "data or slow"}}},
            r"'pytest_marker' must be one marker name .* Got 'data or slow' instead; for a "
            r"marker expression, use command",
            id="marker-expression",
        ),
        pytest.param(
            {"data": {"1": {"pytest_marker": "data", "timeout": 5}}},
            r"'timeout' applies to a command only",
            id="marker-timeout",
        ),
        pytest.param(
            {"data": {"1": {"command": "make", "timeout": -1}}},
            r"'timeout' must be a number of seconds > 0. Got -1 instead",
            id="negative-timeout",
        ),
        pytest.param(
            {"data": {"1": {"command": "make", "timeout": True}}},
            r"'timeout' must be a number of seconds > 0. Got True",
            id="bool-timeout",
        ),
        pytest.param(
            {"data": {"1": {"manual": "x", "note": 1}}},
            r"'note' must be a string. Got 1 instead",
            id="note",
        ),
        pytest.param(
            {"readiness": {"timout": 5}},
            r"\[readiness\]: 'timout' is not a setting; expected one of 'timeout', "
            r"'pytest_args' \(did you mean 'timeout'\?\)",
            id="setting",
        ),
        pytest.param(
            {"readiness": {"pytest_args": "tests"}},
            r"'pytest_args' must be a list of strings, such as \[\"tests\"\]. Got 'tests' instead",
            id="pytest-args",
        ),
        pytest.param({"readiness": 5}, r"\[readiness\] must be a table", id="settings-not-table"),
    ],
)
def test_a_bad_readiness_toml_names_the_key_and_what_was_expected(document, message):
    with pytest.raises(FormatError, match=r"^readiness.toml, |^readiness.toml: ") as failure:
        parse_config(document, HERE)
    assert re.search(message, str(failure.value)), str(failure.value)


def test_a_good_readiness_toml_is_read_with_its_settings(tmp_path):
    (tmp_path / "readiness.toml").write_text(
        """
[readiness]
timeout = 30
pytest_args = ["tests", "-x"]

[data.1]
pytest_marker = "data_schema"
note = "the schema lives in reference/"

[infrastructure.3]
command = "make smoke"
timeout = 5.5
"""
    )
    for where in (tmp_path, tmp_path / "readiness.toml"):
        config = load_config(where)
        assert config.project == tmp_path.resolve()
        assert (config.timeout, config.pytest_args) == (30.0, ("tests", "-x"))
        assert sorted(config.answers) == ["data-1", "infrastructure-3"]
        answer = config.answers["infrastructure-3"]
        assert (answer.kind, answer.value, answer.timeout) == ("command", "make smoke", 5.5)
        assert config.answers["data-1"].note == "the schema lives in reference/"


def test_an_unreadable_or_absent_file_is_named(tmp_path):
    with pytest.raises(
        FormatError, match=r"No readiness.toml in .*shiftwatch readiness --template"
    ):
        load_config(tmp_path)
    (tmp_path / "readiness.toml").write_text("[data.1]\nmanual = \n")
    with pytest.raises(FormatError, match=r"readiness.toml is not valid TOML: .*line 2"):
        load_config(tmp_path)


def scored_project(tmp_path: Path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "review.md").write_text("reviewed")
    document = {
        "data": {
            "1": {"command": "passes"},
            "2": {"manual": "notes/review.md#data-2"},
            "3": {"manual": "the team wiki, page Features"},
            "4": {"manual": "notes/absent.md"},
            "5": {"pytest_marker": "privacy"},
        },
        "model": {"1": {"manual": "https://wiki.example/model-review"}, "5": {"command": "fails"}},
        "infrastructure": {str(n): {"command": "passes"} for n in range(1, 8)},
        "monitoring": {"2": {"pytest_marker": "serving"}, "3": {"pytest_marker": "skew"}},
    }
    config = parse_config(document, tmp_path / "readiness.toml")
    ok, bad = Outcome(True, "exit status 0", 0.1), Outcome(False, "exit status 1", 0.1, "boom")
    outcomes = {
        "data-1": ok,
        "data-5": ok,
        "model-5": bad,
        **{f"infrastructure-{n}": ok for n in range(1, 8)},
        "monitoring-2": ok,
        "monitoring-3": bad,
    }
    return score_answers(config, outcomes)


def test_points_section_totals_and_the_final_score(tmp_path):
    report = scored_project(tmp_path)
    by_id = {s.test.id: (s.points, s.status) for s in report.scores}
    assert by_id["data-1"] == (1.0, "automated")
    assert by_id["data-2"] == (0.5, "manual")  # a path with a #fragment that exists
    assert by_id["data-3"] == (0.5, "manual")  # text, not a path: taken as given
    assert by_id["data-4"] == (0.0, "no record")
    assert by_id["data-6"] == (0.0, "unanswered")
    assert by_id["model-1"] == (0.5, "manual")  # a URL
    assert by_id["model-5"] == (0.0, "failed")
    assert by_id["monitoring-3"] == (0.0, "failed")
    # Hand-computed: data 1 + 0.5 + 0.5 + 0 + 1 = 3; model 0.5 + 0 = 0.5; infra 7; monitoring 1.
    assert report.section_totals == {
        "data": 3.0,
        "model": 0.5,
        "infrastructure": 7.0,
        "monitoring": 1.0,
    }
    assert report.score == 0.5
    assert report.weakest == ("model",)
    assert report.band == "(0, 1]"
    assert report.interpretation.startswith("not totally untested")


def test_the_json_form_holds_every_number(tmp_path):
    data = scored_project(tmp_path).to_dict()
    assert (data["score"], data["band"], data["weakest_sections"]) == (0.5, "(0, 1]", ["model"])
    assert data["sections"]["infrastructure"] == {"title": "ML infrastructure", "total": 7.0}
    failed = next(t for t in data["tests"] if t["id"] == "model-5")
    assert failed["answer"] == {"kind": "command", "value": "fails", "note": ""}
    assert (failed["points"], failed["status"], failed["output"]) == (0.0, "failed", "boom")
    assert len(data["tests"]) == 28


def test_a_command_passes_on_exit_status_0_in_the_project_folder(tmp_path):
    (tmp_path / "here.txt").write_text("")
    assert run_command("test -f here.txt", cwd=tmp_path, timeout=10).passed
    failed = run_command("echo checking; exit 3", cwd=tmp_path, timeout=10)
    assert (failed.passed, failed.detail, failed.output) == (False, "exit status 3", "checking")
    missing = run_command("no-such-command-xyz", cwd=tmp_path, timeout=10)
    assert missing.detail == "exit status 127 (command not found)"


def test_commands_run_with_this_interpreter_first_on_the_path(tmp_path):
    outcome = run_command("python -c 'import shiftwatch.testing'", cwd=tmp_path, timeout=60)
    assert outcome.passed, outcome.output


def test_a_command_that_runs_too_long_is_killed_with_its_children(tmp_path):
    start = time.monotonic()
    outcome = run_command("sleep 30; echo late", cwd=tmp_path, timeout=0.5)
    assert time.monotonic() - start < 10
    assert (outcome.passed, outcome.detail) == (False, "timed out after 0.5 s")
    assert "late" not in outcome.output


MARKED_TESTS = """
import pytest

@pytest.mark.good
def test_one():
    pass

@pytest.mark.good
def test_two():
    pass

@pytest.mark.mixed
def test_passes():
    pass

@pytest.mark.mixed
def test_fails():
    assert 1 == 2

@pytest.mark.skipped
def test_skipped():
    pytest.skip("elsewhere")

def test_unmarked_and_not_run():
    raise AssertionError("must not run")
"""


@pytest.fixture
def marked_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Only shiftwatch's plugin is needed (readiness names it with -p): the session starts
    # faster without the others installed here, and -p is shown to suffice.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    (tmp_path / "test_marked.py").write_text(MARKED_TESTS)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    good\n    mixed\n    skipped\n    unused\n"
    )
    return tmp_path


def test_a_pytest_session_that_cannot_start_fails_every_marker(marked_project):
    outcomes = run_markers(
        ["good"], cwd=marked_project, timeout=120, pytest_args=["--no-such-option"]
    )
    assert outcomes["good"].detail == "pytest could not run the tests (exit status 4)"
    assert "--no-such-option" in outcomes["good"].output


def write_evidence_project(root: Path) -> None:
    rng = np.random.default_rng(0)
    profile = sw.Profile.from_data({"x": rng.normal(size=100)})
    (root / "reference").mkdir()
    profile.save(root / "reference" / "train.swp")
    (root / "reference" / "schema.json").write_text(json.dumps(profile.schema.to_dict()))
    (root / "golden.json").write_text(
        '{"format": "shiftwatch.golden", "version": 1, "metrics": {"a": {}, "b": {}}}'
    )
    (root / "notes.swp").write_bytes(b"not a profile")  # an editor's swap file
    (root / ".venv").mkdir()
    (root / ".venv" / "test_hidden.py").write_text("def test_x(): assert_schema(1, 2)")
    (root / "tests").mkdir()
    (root / "tests" / "test_data.py").write_text(
        """
import pytest
from shiftwatch.testing import assert_schema, assert_no_drift

pytestmark = [pytest.mark.data]

@pytest.mark.parametrize("n", [1, 2])
def test_schema(n):
    assert_schema(rows(n), "reference/train.swp")

class TestSkew:
    @pytest.mark.serving
    def test_no_drift(self):
        assert_no_drift(a, b)

def helper():
    assert_schema(1, 2)
"""
    )
    (root / "tests" / "test_model.py").write_text(
        """
from shiftwatch.testing import assert_trains, assert_reproducible

def test_trains(shiftwatch_golden):
    assert_trains(step, batches)
    assert_reproducible(train)
"""
    )
    (root / "serve.py").write_text(
        "import shiftwatch as sw\n\n"
        "monitor = sw.Monitor(ref, window=100, expected_error_rate=0.1)\n"
    )
    (root / "Makefile").write_text("nightly:\n\tshiftwatch validate logs.csv --profile ref.swp\n")


def test_evidence_is_found_and_mapped_to_rubric_tests(tmp_path):
    write_evidence_project(tmp_path)
    found = [(e.kind, e.where, e.proves, e.markers) for e in find_evidence(tmp_path)]
    assert found == [
        ("script", "Makefile:2", ("monitoring-2",), ()),
        ("golden", "golden.json", ("infrastructure-4",), ()),
        ("monitor", "serve.py:3", ("monitoring-2", "monitoring-3", "monitoring-7"), ()),
        ("schema", "reference/schema.json", ("data-1",), ()),
        ("profile", "reference/train.swp", ("data-1",), ()),
        ("test", "tests/test_data.py:8", ("data-1", "monitoring-2"), ("data",)),
        ("test", "tests/test_data.py:13", ("monitoring-3",), ("data", "serving")),
        (
            "test",
            "tests/test_model.py:4",
            ("infrastructure-2", "infrastructure-1", "infrastructure-4"),
            (),
        ),
    ]
    details = {e.where: (e.detail, e.suggestion) for e in find_evidence(tmp_path)}
    assert details["tests/test_data.py:13"] == (
        "tests/test_data.py::TestSkew::test_no_drift uses assert_no_drift",
        'pytest_marker = "data"',
    )
    assert details["tests/test_model.py:4"][1].startswith("mark it (@pytest.mark.NAME")
    assert details["reference/train.swp"][0] == (
        "reference/train.swp: a shiftwatch profile (100 rows, 1 columns) holding a schema"
    )


def test_evidence_is_suggested_only_for_tests_not_yet_automated(tmp_path):
    write_evidence_project(tmp_path)
    config = parse_config(
        {"data": {"1": {"pytest_marker": "data"}}, "monitoring": {"2": {"manual": "runbook"}}},
        tmp_path / "readiness.toml",
    )
    report = score_answers(config, {"data-1": Outcome(True, "ok", 0.1)}, find_evidence(tmp_path))
    suggestions = report.suggestions()
    assert "data-1" not in suggestions
    assert list(suggestions) == [
        "infrastructure-1",
        "infrastructure-2",
        "infrastructure-4",
        "monitoring-2",
        "monitoring-3",
        "monitoring-7",
    ]
    assert [e.where for e in suggestions["monitoring-2"]] == [
        "Makefile:2",
        "serve.py:3",
        "tests/test_data.py:8",
    ]
    markdown = readiness_to_markdown(report)
    assert (
        "| Data 1 | Feature expectations are captured in a schema | pytest -m data | 1 | ok |"
        in (markdown)
    )
    assert (
        "- monitoring-3: tests/test_data.py::TestSkew::test_no_drift uses assert_no_drift "
        '(pytest_marker = "data")'
    ) in markdown


def test_the_template_is_a_valid_readiness_toml_answering_what_evidence_allows(tmp_path):
    write_evidence_project(tmp_path)
    text = readiness_template(tmp_path)
    config = parse_config(tomllib.loads(text), tmp_path / "readiness.toml")
    assert {i: a.value for i, a in config.answers.items()} == {
        "data-1": "data",
        "monitoring-2": "data",
        "monitoring-3": "serving",  # a marker not used yet is preferred
    }
    assert "# [infrastructure.1]  # Training is reproducible" in text
    assert "#   found: tests/test_model.py::test_trains uses assert_trains" in text
    assert text.count("[") >= 28


def write_command_project(root: Path, *, failing: str = "exit 1") -> None:
    lines = ["[data.1]", 'command = "true"', "[data.2]", 'manual = "notes.md"']
    lines += ["[model.1]", 'command = "true"', "[model.2]", f'command = "{failing}"']
    lines += ["[infrastructure.1]", 'command = "true"', "[monitoring.1]", 'command = "true"']
    (root / "readiness.toml").write_text("\n".join(lines) + "\n")
    (root / "notes.md").write_text("by hand")


def test_the_cli_prints_the_table_and_the_score(tmp_path):
    write_command_project(tmp_path)
    result = runner.invoke(app, ["readiness", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # Hand-computed: data 1 + 0.5, model 1 + 0, infrastructure 1, monitoring 1 -> minimum 1.
    assert "ML Test Score: 1 (lowest section: model, infrastructure, monitoring; band (0, 1])" in (
        " ".join(result.stdout.split())
    )
    assert "Model 2 failed (exit 1): exit status 1" in result.stdout
    assert "[2/5] Model 1: true: passed (exit status 0" in result.stderr


def test_the_cli_writes_json_and_markdown_and_gates_on_min_score(tmp_path):
    write_command_project(tmp_path)
    result = runner.invoke(
        app,
        ["readiness", str(tmp_path), "--json", "-", "--markdown", str(tmp_path / "r.md"), "-q"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["score"] == 1.0
    assert data["sections"]["data"]["total"] == 1.5
    assert (tmp_path / "r.md").read_text().startswith("## ML Test Score: 1 (lowest section:")
    gated = runner.invoke(app, ["readiness", str(tmp_path), "--min-score", "1.5", "-q"])
    assert gated.exit_code == 1
    assert "The ML Test Score, 1, is below --min-score 1.5." in gated.stderr
    assert runner.invoke(app, ["readiness", str(tmp_path), "--min-score", "1", "-q"]).exit_code == 0


def test_a_broken_command_lowers_the_score(tmp_path):
    write_command_project(tmp_path, failing="true")
    fixed = json.loads(runner.invoke(app, ["readiness", str(tmp_path), "--json", "-"]).stdout)
    write_command_project(tmp_path, failing="exit 1")
    broken = json.loads(runner.invoke(app, ["readiness", str(tmp_path), "--json", "-"]).stdout)
    assert (fixed["sections"]["model"]["total"], broken["sections"]["model"]["total"]) == (2, 1)
    assert (fixed["score"], broken["score"]) == (1.0, 1.0)  # monitoring and infra hold it at 1


def test_the_cli_reports_a_bad_file_and_a_bad_timeout_as_bad_input(tmp_path):
    (tmp_path / "readiness.toml").write_text('[data.1]\ncomand = "make test"\n')
    result = runner.invoke(app, ["readiness", str(tmp_path)])
    assert result.exit_code == 2
    assert "'comand' is not a key of an answer" in result.stderr
    write_command_project(tmp_path)
    result = runner.invoke(app, ["readiness", str(tmp_path), "--timeout", "0"])
    assert result.exit_code == 2
    assert "The 'timeout' parameter of assess must be a number of seconds > 0" in result.stderr


def test_the_cli_prints_a_template(tmp_path):
    write_evidence_project(tmp_path)
    result = runner.invoke(app, ["readiness", str(tmp_path), "--template"])
    assert result.exit_code == 0
    assert result.stdout == readiness_template(tmp_path)


def test_assess_runs_one_pytest_session_for_every_marker_then_the_commands(marked_project):
    (marked_project / "readiness.toml").write_text(
        '[data.1]\npytest_marker = "good"\n[data.2]\npytest_marker = "mixed"\n'
        '[data.3]\npytest_marker = "skipped"\n[data.4]\npytest_marker = "unused"\n'
        '[data.5]\ncommand = "true"\n'
    )
    events = []
    report = assess(marked_project, on_progress=lambda *event: events.append(event))
    scores = {s.test.id: s for s in report.scores}
    assert [(scores[f"data-{n}"].points, scores[f"data-{n}"].detail) for n in range(1, 6)] == [
        (1.0, "2 tests passed"),
        (0.0, "1 of 2 tests did not pass: test_marked.py::test_fails"),
        (0.0, "no test passed (1 skipped)"),
        (0.0, "no test carries the marker 'unused'"),
        (1.0, "exit status 0"),
    ]
    # The session's output comes with each failed marker; the unmarked test never ran.
    assert "1 failed, 3 passed, 1 skipped" in scores["data-2"].outcome.output
    assert [(done, total, outcome is None) for done, total, _, outcome in events] == [
        (0, 2, True),
        (1, 2, False),
        (1, 2, True),
        (2, 2, False),
    ]
    assert events[0][2] == "pytest -m 'good or mixed or skipped or unused'"
    assert events[1][3].detail == "1 of 4 markers passed"
    assert events[3][2] == "Data 5: true"


def test_evidence_scanning_skips_what_it_cannot_read_or_does_not_know(tmp_path):
    (tmp_path / "broken_test.py").write_text("def test_(:\n    assert_schema(\n")
    (tmp_path / "test_broken.py").write_text("def test_(:\n")
    (tmp_path / "bad.json").write_text('{"format": "shiftwatch.golden", ')
    (tmp_path / "other.json").write_text('{"format": "shiftwatch.other"}')
    (tmp_path / "list.json").write_text('["shiftwatch.schema"]')
    (tmp_path / ".hidden.py").write_text("import shiftwatch\nMonitor(ref, window=10)\n")
    (tmp_path / "no_import.py").write_text("Monitor(ref, window=10)\n")
    (tmp_path / "serve.py").write_text(
        "import shiftwatch.monitor\nm = shiftwatch.monitor.Monitor(r)\n"
    )
    (tmp_path / "binary.sh").write_bytes(b"\xff\xfe shiftwatch serve")
    found = [(e.kind, e.where, e.proves) for e in find_evidence(tmp_path)]
    assert found == [("monitor", "serve.py:2", ("monitoring-2", "monitoring-3"))]


def test_progress_is_a_line_per_step_in_a_log_and_live_on_a_terminal():
    import io

    from rich.console import Console

    from shiftwatch.testing.readiness.render import readiness_progress

    outcome = Outcome(True, "exit status 0", 1.25)
    for terminal in (False, True):
        stream = io.StringIO()
        console = Console(file=stream, force_terminal=terminal, width=100)
        with readiness_progress(console) as on_progress:
            on_progress(0, 1, "Infra 3: make smoke", None)
            on_progress(1, 1, "Infra 3: make smoke", outcome)
        assert "[1/1] Infra 3: make smoke: passed (exit status 0, 1.2 s)" in (
            re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", stream.getvalue())
        )
    with readiness_progress(Console(file=io.StringIO()), enabled=False) as quiet:
        assert quiet(0, 1, "x", None) is None


def test_the_cli_says_when_it_cannot_write_a_report(tmp_path):
    write_command_project(tmp_path)
    target = tmp_path / "absent" / "r.json"
    result = runner.invoke(app, ["readiness", str(tmp_path), "--json", str(target), "-q"])
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr
