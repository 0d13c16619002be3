import numpy as np
from rich.console import Console

import shiftwatch as sw
from shiftwatch.report.terminal import outcome, report_table


def render(report: sw.DriftReport, width: int) -> str:
    console = Console(width=width, record=True)
    console.print(report_table(report))
    return console.export_text()


def test_terminal_table_shows_verdict_rows_reasons_and_notes_at_80_columns() -> None:
    rng = np.random.default_rng(0)
    report = sw.compare(
        {"x": rng.normal(size=300), "c": rng.choice(["a"], 300)},
        {"x": rng.normal(loc=1, size=300), "c": rng.choice(["a", "new"], 300)},
    )
    text = render(report, width=80)
    assert text.startswith("DRIFT DETECTED (family-wise false-alarm rate <= 0.05")
    rows = {
        line.split()[0]: line.split() for line in text.splitlines() if line[:3] in (" x ", " c ")
    }
    x = report.columns["x"]
    assert rows["x"][1:4] == ["numeric", "ks", f"{x.adjusted_p_value:.3g}"]
    assert rows["x"][-1] == "DRIFT"
    assert f"• x: distribution: {x.check('distribution').reason}"[:60] in text.replace("\n", " ")
    assert "never seen in the reference ('new')" in text


def test_outcome_words() -> None:
    rng = np.random.default_rng(1)
    big = 200_000
    immaterial = sw.compare({"x": rng.normal(size=big)}, {"x": rng.normal(0.03, size=big)})
    assert outcome(immaterial.columns["x"]).plain == "immaterial"
    nulls = sw.compare({"x": np.arange(100.0)}, {"x": np.full(100, np.nan)})
    assert outcome(nulls.columns["x"]).plain == "DRIFT: missing"
    text = sw.compare({"t": [f"id{i}" for i in range(200)]}, {"t": [f"id{i}" for i in range(200)]})
    assert outcome(text.columns["t"]).plain == "not tested"
