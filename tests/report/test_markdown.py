import numpy as np

import shiftwatch as sw


def test_markdown_lists_drifted_columns_first_with_their_numbers(tmp_path) -> None:
    rng = np.random.default_rng(0)
    report = sw.compare(
        {"calm": rng.normal(size=500), "moved|pipe": rng.normal(size=500)},
        {"calm": rng.normal(size=500), "moved|pipe": rng.normal(loc=1.0, size=500)},
    )
    text = report.to_markdown(tmp_path / "summary.md")
    assert (tmp_path / "summary.md").read_text() == text
    lines = text.splitlines()
    assert lines[0].startswith("## shiftwatch: DRIFT DETECTED")
    assert "1 of 2 columns drifted; 500 reference rows, 500 current rows." in text
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert rows[0].startswith("| moved\\|pipe | numeric | ks |")
    assert "**yes**" in rows[0] and rows[1].startswith("| calm ")
    moved = report.columns["moved|pipe"]
    assert f"{moved.effect:.3g}" in rows[0]
