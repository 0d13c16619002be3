import numpy as np

import shiftwatch as sw
from shiftwatch.report.markdown import MAX_ROWS


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]


def test_a_wide_report_keeps_flagged_columns_and_names_the_rest_in_one_line() -> None:
    rng = np.random.default_rng(3)
    reference = {f"col_{i:03d}": rng.normal(size=400) for i in range(120)}
    current = {f"col_{i:03d}": rng.normal(size=400) for i in range(120)}
    current["col_007"] = current["col_007"] + 2.0
    text = sw.compare(reference, current, multivariate=False).to_markdown()
    rows = _rows(text)
    assert len(rows) == MAX_ROWS and rows[0].startswith("| col_007 | numeric | ks |")
    assert "100 more columns, none flagged: " in text and " and 90 more. Every column" in text
    assert len(text.splitlines()) < MAX_ROWS + 12


def test_every_flagged_column_is_listed_even_past_the_row_limit() -> None:
    rng = np.random.default_rng(4)
    reference = {f"c{i}": rng.normal(size=300) for i in range(MAX_ROWS + 5)}
    current = {f"c{i}": rng.normal(loc=3.0, size=300) for i in range(MAX_ROWS + 5)}
    text = sw.compare(reference, current).to_markdown()
    assert len(_rows(text)) == MAX_ROWS + 5 and "none flagged" not in text


def test_markup_in_names_shows_as_text() -> None:
    rng = np.random.default_rng(5)
    name = "<script>x</script>|*y*"
    text = sw.compare({name: rng.normal(size=50)}, {name: rng.normal(size=50)}).to_markdown()
    assert "<script>" not in text
    assert _rows(text)[0].startswith("| \\<script\\>x\\</script\\>\\|\\*y\\* | numeric |")
