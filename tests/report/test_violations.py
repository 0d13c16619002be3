import datetime as dt
import decimal
import json
import math

import numpy as np
import pyarrow as pa
import pytest
from rich.console import Console

from shiftwatch.report.violations import (
    FORMAT,
    headline,
    json_value,
    violations_table,
    violations_to_dict,
    violations_to_json,
)
from shiftwatch.schema import Schema, ValidationResult


def render(result: ValidationResult, width: int = 80) -> str:
    console = Console(width=width, record=True)
    console.print(violations_table(result))
    return console.export_text()


@pytest.fixture
def result() -> ValidationResult:
    schema = Schema.infer(
        pa.table(
            {
                "x": np.arange(100.0),
                "when": pa.array([dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1)] * 50),
                "[b]": ["a", "b"] * 50,
            }
        )
    )
    x = np.full(500, 50.0)
    x[::2] = np.nan
    batch = pa.table(
        {
            "x": pa.array(x, from_pandas=False),
            "when": pa.array([dt.datetime(2030, 1, 1)] + [dt.datetime(2024, 1, 9)] * 499),
            "[b]": ["[red]z"] + ["a"] * 499,
            "extra": [1] * 500,
        }
    )
    return schema.check(batch, max_per_rule=5)


def test_json_document_holds_counts_and_recorded_violations(result, tmp_path) -> None:
    path = tmp_path / "violations.json"
    text = violations_to_json(result, path)
    assert json.loads(path.read_text()) == json.loads(text)
    document = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-strict {name}"))
    assert document["format"] == FORMAT == "shiftwatch.violations/1"
    assert (document["ok"], document["n_rows"], document["max_per_rule"]) == (False, 500, 5)
    assert (document["n_violations"], document["n_invalid_rows"]) == (253, 250)
    assert document["counts"] == [
        {"column": "x", "rule": "nan", "count": 250, "recorded": 5},
        {"column": "when", "rule": "above_max", "count": 1, "recorded": 1},
        {"column": "[b]", "rule": "unknown_category", "count": 1, "recorded": 1},
        {"column": "extra", "rule": "unexpected_column", "count": 1, "recorded": 1},
    ]
    first, second = document["violations"][:2]
    assert first == {
        "row": None,
        "column": "extra",
        "rule": "unexpected_column",
        "value": None,
        "message": "Column 'extra' is not in the reference.",
    }
    assert (second["row"], second["column"], second["value"]) == (0, "x", "NaN")
    when = next(v for v in document["violations"] if v["column"] == "when")
    assert when["value"] == "2030-01-01T00:00:00"
    assert violations_to_dict(result) == document


def test_table_shows_headline_counts_first_rows_and_the_cap_note(result) -> None:
    text = render(result)
    assert text.startswith("VIOLATIONS: 253 in 250 of 500 rows (4 columns and rules)")
    starts = [line for line in text.splitlines() if line[:1] == " " and line[1:2].strip()]
    rows = {line.split()[0]: line.split() for line in starts}
    assert rows["x"][1:7] == ["nan", "250", "0,", "2,", "4,", "…"]
    assert rows["when"][1:4] == ["above_max", "1", "0"]
    words = " ".join(text.split())
    assert "NaN, but the reference has none." in words
    assert "[red]z" in text and " [b] " in text  # names and values are not markup
    assert "Column 'extra' is not in the reference." in words
    assert "Up to 5 violations are recorded per column and rule; the counts are complete." in words


def test_a_clean_batch_prints_one_line() -> None:
    schema = Schema.infer({"x": [1.0, 2.0]})
    clean = schema.check({"x": [1.5] * 1234})
    assert render(clean).strip() == "no violations in 1,234 rows"
    assert headline(clean) == "no violations in 1,234 rows"
    assert violations_to_dict(clean)["ok"] is True and violations_to_dict(clean)["counts"] == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(float("inf"), "inf", id="inf"),
        pytest.param(float("-inf"), "-inf", id="minus-inf"),
        pytest.param(2.5, 2.5, id="float"),
        pytest.param(True, True, id="bool"),
        pytest.param(dt.datetime(2024, 1, 2, 3, 4), "2024-01-02T03:04:00", id="datetime"),
        pytest.param(dt.time(3, 4), "03:04:00", id="time"),
        pytest.param(dt.timedelta(seconds=90), "0:01:30", id="timedelta"),
        pytest.param(decimal.Decimal("1.10"), "1.10", id="decimal"),
        pytest.param([1.0, math.nan, [2]], [1.0, "NaN", [2]], id="nested-list"),
        pytest.param({"a": b"\x00"}, {"a": "AA=="}, id="struct"),
        pytest.param({1, 2}, "{1, 2}", id="other"),
    ],
)
def test_json_values_are_plain_strict_json(value, expected) -> None:
    assert json_value(value) == expected
    json.dumps(json_value(value), allow_nan=False)
