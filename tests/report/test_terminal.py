import numpy as np
from rich.console import Console

import shiftwatch as sw
from shiftwatch.report.terminal import report_table


def test_terminal_table_shows_verdict_columns_and_notes() -> None:
    rng = np.random.default_rng(0)
    report = sw.compare(
        {"x": rng.normal(size=300), "c": rng.choice(["a"], 300)},
        {"x": rng.normal(loc=1, size=300), "c": rng.choice(["a", "new"], 300)},
    )
    console = Console(width=200, record=True)
    console.print(report_table(report))
    text = console.export_text()
    assert text.startswith("DRIFT DETECTED (family-wise false-alarm rate <= 0.05")
    assert "│ x " in text and "│ c " in text
    assert "never seen in the reference ('new')" in text
