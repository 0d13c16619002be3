import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from shiftwatch.cli import app

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(11)
    reference = pd.DataFrame({"x": rng.normal(size=800), "c": rng.choice(["a", "b"], 800)})
    current = pd.DataFrame({"x": rng.normal(loc=0.5, size=800), "c": rng.choice(["a", "b"], 800)})
    reference.to_parquet(tmp_path / "ref.parquet")
    current.to_csv(tmp_path / "cur.csv", index=False)
    return tmp_path / "ref.parquet", tmp_path / "cur.csv"


def test_compare_prints_a_table_and_writes_reports(files, tmp_path) -> None:
    reference, current = files
    result = runner.invoke(
        app,
        [
            "compare",
            str(reference),
            str(current),
            "--json",
            str(tmp_path / "r.json"),
            "--markdown",
            str(tmp_path / "s.md"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "DRIFT DETECTED" in result.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["drifted_columns"] == ["x"]
    assert (tmp_path / "s.md").read_text().startswith("## shiftwatch: DRIFT DETECTED")


def test_fail_on_drift_exits_1_and_quiet_prints_the_verdict(files) -> None:
    result = runner.invoke(app, ["compare", *map(str, files), "--fail-on-drift", "-q"])
    assert result.exit_code == 1
    assert result.output.strip() == "drift detected"
    calm = runner.invoke(app, ["compare", str(files[0]), str(files[0]), "--fail-on-drift", "-q"])
    assert calm.exit_code == 0 and calm.output.strip() == "no drift detected"


def test_overrides_reach_compare(files, tmp_path) -> None:
    out = tmp_path / "r.json"
    result = runner.invoke(
        app,
        [
            "compare",
            *map(str, files),
            "-c",
            "x",
            "--test",
            "x=cvm",
            "--threshold",
            "x=0.9",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    column = json.loads(out.read_text())["columns"][0]
    assert (column["name"], column["test"], column["threshold"]) == ("x", "cvm", 0.9)
    assert column["drifted"] is False  # significant, but 0.5 std < 0.9


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(["--threshold", "x"], "--threshold expects COLUMN=VALUE", id="assignment"),
        pytest.param(["--threshold", "x=big"], "'big' is not a valid value", id="value"),
        pytest.param(["--kind", "x=vector"], "Unknown kind 'vector'", id="kind"),
        pytest.param(["--alpha", "2"], "'alpha' parameter of compare", id="alpha"),
    ],
)
def test_bad_options_exit_2_with_one_line(files, extra, message) -> None:
    result = runner.invoke(app, ["compare", *map(str, files), *extra])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_file_exits_2_without_traceback_as_a_subprocess(tmp_path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "shiftwatch", "compare", str(tmp_path / "a.csv"), "b.csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().startswith("error: Cannot read")
    assert "no such file" in completed.stderr and "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1


def test_demo_generates_data_and_reports(tmp_path) -> None:
    result = runner.invoke(
        app, ["demo", "--scenario", "table", "--out", str(tmp_path), "--rows", "5000"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "report.json").read_text())
    assert set(data["drifted_columns"]) == {"income", "plan", "credit_score", "region"}
    age = next(c for c in data["columns"] if c["name"] == "age")
    assert age["drifted"] is False
    assert (tmp_path / "reference.swp").is_file()
    assert "the drifted columns are the same" in " ".join(result.output.split())


def test_brackets_in_names_and_paths_are_printed_as_they_are(tmp_path) -> None:
    data = tmp_path / "m.csv"
    data.write_text("a[/b],[red]c\n1.0,x\n2.0,y\n3.0,x\n")
    result = runner.invoke(app, ["compare", str(data), str(data)])
    assert result.exit_code == 0, result.output
    assert "a[/b]" in result.output and "[red]c" in result.output
    missing = runner.invoke(app, ["compare", str(data), str(tmp_path / "missing[x].csv")])
    assert missing.exit_code == 2 and "missing[x].csv" in missing.output


def test_undecodable_csv_exits_2(tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe,b\n1,2\n")
    result = runner.invoke(app, ["compare", str(bad), str(bad)])
    assert result.exit_code == 2 and "Cannot read" in result.output


def test_the_digits_demo_detects_each_new_source_and_writes_the_report(tmp_path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("ALARM") == 3  # noise, inversion, class mix: one page each
    assert result.output.count("resolved") == 3
    assert "inverted images" in result.output
    html = (tmp_path / "digits-report.html").read_text()
    assert "<svg" in html
    assert "DRIFT" in html
    samples = html[html.index('<section id="samples">') : html.index('<section id="summary">')]
    assert samples.count('<img class="thumb" src="data:image/png;base64,') == 48  # 24 per set
    assert 'data-side="reference" data-n="597"' in samples
    assert 'data-side="current" data-n="1000"' in samples
    outputs = html[
        html.index('<section id="model-outputs">') : html.index('<section id="samples">')
    ]
    assert outputs.count('<g class="estimate ') == 2
    assert 0 < outputs.index('data-name="reference"') < outputs.index('data-name="noisy camera"')
    assert 'data-column="prediction"' in outputs and 'data-column="confidence"' in outputs
    assert (tmp_path / "digits-report.json").exists()


def test_an_unknown_demo_scenario_is_refused() -> None:
    result = runner.invoke(app, ["demo", "--scenario", "audio"])
    assert result.exit_code == 2
    assert "digits" in result.output


COMMANDS = sorted(
    (command.name or command.callback.__name__).replace("_", "-")  # type: ignore[union-attr]
    for command in app.registered_commands
)


def test_the_commands_are_all_found() -> None:
    assert {"compare", "profile", "show", "validate", "serve", "demo"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_commands_help_renders_as_written(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output  # flags are flags: no value to give
    assert f"shiftwatch {command} [OPTIONS]" in result.output


def test_serve_help_keeps_its_brackets_and_names_a_token_flag_per_scope() -> None:
    text = runner.invoke(app, ["serve", "--help"], terminal_width=100).output
    assert "A shiftwatch.toml with [server] and [[models]]." in text
    for flag in ("--write-token TOKEN", "--read-token TOKEN", "--admin-token TOKEN"):
        assert flag in text


def test_different_columns_error_names_the_cli_option(tmp_path) -> None:
    pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}).to_csv(tmp_path / "ref.csv", index=False)
    pd.DataFrame({"b": [3.0, 4.0]}).to_csv(tmp_path / "cur.csv", index=False)
    result = runner.invoke(app, ["compare", str(tmp_path / "ref.csv"), str(tmp_path / "cur.csv")])
    assert result.exit_code == 2
    assert "Pass -c/--column for each column" in result.output and "-c b" in result.output
    assert "columns=" not in result.output


def test_one_bad_value_in_a_csv_does_not_stop_the_report(tmp_path) -> None:
    rng = np.random.default_rng(8)
    pd.DataFrame({"x": rng.normal(size=50)}).to_csv(tmp_path / "ref.csv", index=False)
    values = [f"{v:.4f}" for v in rng.normal(size=50)]
    values[20] = "abc"
    (tmp_path / "cur.csv").write_text("x\n" + "\n".join(values) + "\n")
    out = tmp_path / "r.json"
    result = runner.invoke(
        app, ["compare", str(tmp_path / "ref.csv"), str(tmp_path / "cur.csv"), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    column = json.loads(out.read_text())["columns"][0]
    assert column["invalid_current"] == 1
    assert column["invalid_examples"] == [{"side": "current", "row": 20, "value": "abc"}]


def test_multivariate_option_reaches_compare(tmp_path) -> None:
    rng = np.random.default_rng(12)
    x = rng.normal(size=(2, 2_000))
    reference = pd.DataFrame({"x": x[0, :1000], "y": 0.8 * x[0, :1000] + 0.6 * x[1, :1000]})
    current = pd.DataFrame({"x": x[0, 1000:], "y": -0.8 * x[0, 1000:] + 0.6 * x[1, 1000:]})
    reference.to_csv(tmp_path / "ref.csv", index=False)
    current.to_csv(tmp_path / "cur.csv", index=False)
    files = [str(tmp_path / "ref.csv"), str(tmp_path / "cur.csv")]
    out = tmp_path / "r.json"
    flagged = runner.invoke(app, ["compare", *files, "--json", str(out), "-q"])
    assert flagged.exit_code == 0 and flagged.output.strip() == "drift detected"
    assert json.loads(out.read_text())["multivariate"]["test"] == "projection_ks"
    off = runner.invoke(app, ["compare", *files, "--multivariate", "none", "-q"])
    assert off.output.strip() == "no drift detected"
    bad = runner.invoke(app, ["compare", *files, "--multivariate", "magic"])
    assert bad.exit_code == 2 and "'multivariate' parameter of compare" in bad.output
