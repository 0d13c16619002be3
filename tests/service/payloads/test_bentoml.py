"""Tests of shiftwatch.service.payloads.bentoml: BentoML monitoring JSON lines and schema."""

import json
from typing import Any

import pytest

from shiftwatch.errors import InvalidParameterError
from shiftwatch.service.payloads import MAX_ROWS, parse_bentoml_lines, roles_from_schema
from shiftwatch.service.records import Event, PayloadError, Row

# As bentoml.monitor writes them: schema.0.log holds one record, data.0.log one line per row.
SCHEMA = {
    "meta_data": {"bento_name": "iris_classifier", "bento_version": "not available"},
    "columns": [
        {"name": "sepal_length", "role": "feature", "type": "numerical"},
        {"name": "petal_width", "role": "feature", "type": "numerical"},
        {"name": "species", "role": "feature", "type": "categorical"},
        {"name": "pred", "role": "prediction", "type": "categorical"},
        {"name": "truth", "role": "target", "type": "categorical"},
        {"name": "note", "role": "debug", "type": "categorical"},
    ],
}
DATA = (
    b'{"sepal_length": 5.1, "petal_width": 0.2, "species": "a", "pred": "setosa", '
    b'"truth": "setosa", "note": "x", "timestamp": "2024-05-01T12:00:00.250000", '
    b'"request_id": "8471562389", "trace_id": "0"}\n'
    b'{"sepal_length": 6.3, "petal_width": 1.8, "species": "b", "pred": "virginica", '
    b'"truth": "versicolor", "note": "y", "timestamp": "2024-05-01T12:00:01", '
    b'"request_id": "8471562390", "trace_id": "0"}\n'
)


def lines(*records: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(record).encode() + b"\n" for record in records)


def test_roles_from_schema_reads_every_column() -> None:
    assert roles_from_schema(SCHEMA) == {
        "sepal_length": "feature",
        "petal_width": "feature",
        "species": "feature",
        "pred": "prediction",
        "truth": "target",
        "note": "debug",
    }


def test_lines_with_roles_from_the_schema() -> None:
    events = parse_bentoml_lines(DATA, roles_from_schema(SCHEMA))
    assert events == [
        Event(
            "8471562389",
            "whole",
            (Row({"sepal_length": 5.1, "petal_width": 0.2, "species": "a"}, "setosa", "setosa"),),
            timestamp=1714564800.25,
            source="bentoml",
        ),
        Event(
            "8471562390",
            "whole",
            (
                Row(
                    {"sepal_length": 6.3, "petal_width": 1.8, "species": "b"},
                    "virginica",
                    "versicolor",
                ),
            ),
            timestamp=1714564801.0,
            source="bentoml",
        ),
    ]


def test_lines_without_roles_read_prediction_and_target_by_name() -> None:
    data = lines(
        {"x": 1, "y": [0.5, 1.5], "prediction": [0.2, 0.8], "target": 1, "request_id": "r"},
        {"x": 2, "y": [], "prediction": [0.3], "request_id": "s", "timestamp": None},
    )
    events = parse_bentoml_lines(data)
    assert [event.rows[0] for event in events] == [
        Row({"x": 1, "y": [0.5, 1.5]}, outputs=[0.2, 0.8], label=1),
        Row({"x": 2, "y": []}, outputs=0.3, label=None),
    ]
    assert [event.timestamp for event in events] == [None, None]


def test_without_roles_a_column_named_pred_is_a_feature() -> None:
    (event,) = parse_bentoml_lines(lines({"pred": "setosa", "request_id": "r"}))
    assert event.rows[0] == Row({"pred": "setosa"})


def test_roles_leave_unnamed_columns_to_the_default_rule() -> None:
    data = lines({"a": 1, "b": 2, "prediction": 3, "request_id": "r"})
    (event,) = parse_bentoml_lines(data, {"b": "target"})
    assert event.rows[0] == Row({"a": 1}, outputs=3, label=2)


def test_timestamps_without_a_zone_are_utc_and_with_one_are_honoured() -> None:
    data = lines(
        {"x": 1, "request_id": "a", "timestamp": "1970-01-01T01:00:00"},
        {"x": 1, "request_id": "b", "timestamp": "1970-01-01T01:00:00+01:00"},
    )
    assert [event.timestamp for event in parse_bentoml_lines(data)] == [3600.0, 0.0]


def test_crlf_and_blank_lines_are_fine() -> None:
    data = b'\r\n{"x": 1, "request_id": "a"}\r\n\r\n   \n{"x": 2, "request_id": "b"}'
    assert [event.event_id for event in parse_bentoml_lines(data)] == ["a", "b"]
    assert parse_bentoml_lines(b"") == []


def test_rows_of_one_request_get_distinct_ids() -> None:
    data = lines(*({"x": i, "request_id": "r"} for i in range(3)), {"x": 9, "request_id": 12})
    events = parse_bentoml_lines(data)
    assert [event.event_id for event in events] == ["r", "r/1", "r/2", "12"]
    assert [event.rows[0].inputs for event in events] == [{"x": 0}, {"x": 1}, {"x": 2}, {"x": 9}]


def test_nan_is_read_as_a_missing_value() -> None:
    (event,) = parse_bentoml_lines(b'{"x": NaN, "request_id": "r"}')
    assert event.rows[0].inputs == {"x": None}


def test_the_line_limit_is_inclusive() -> None:
    line = b'{"x": 1, "request_id": "r"}\n'
    assert len(parse_bentoml_lines(line * MAX_ROWS)) == MAX_ROWS
    with pytest.raises(PayloadError) as caught:
        parse_bentoml_lines(line * (MAX_ROWS + 1))
    assert caught.value.field == "body"


GOOD = '{"x": 1, "request_id": "r"}'


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (f'{GOOD}\n{GOOD}\n{{"x": 1', "line 3", "not valid JSON"),
        (f"{GOOD}\n[1, 2]", "line 2", "expected an object"),
        ('{"x": 1}', "line 1.request_id", "missing"),
        ('{"x": 1, "request_id": null}', "line 1.request_id", "missing"),
        ('{"x": 1, "request_id": ""}', "line 1.request_id", "empty"),
        ('{"x": 1, "request_id": [1]}', "line 1.request_id", "string"),
        ('{"x": 1, "request_id": "r", "timestamp": "soon"}', "line 1.timestamp", "RFC 3339"),
        ('{"x": 1, "request_id": "r", "timestamp": 1714564800}', "line 1.timestamp", "string"),
        ('{"x": Infinity, "request_id": "r"}', "line 1", "Infinity"),
        ('{"x": {"y": 1}, "request_id": "r"}', "line 1.x", "object"),
        ('{"prediction": 1, "target": 2, "p2": 3, "request_id": "r"}', "line 1", "prediction"),
        ('{"x": "\\udc80", "request_id": "r"}', "line 1.x", "surrogate"),
    ],
    ids=[
        "bad-json",
        "not-object",
        "no-request-id",
        "null-request-id",
        "empty-request-id",
        "list-request-id",
        "bad-timestamp",
        "number-timestamp",
        "infinity",
        "object-value",
        "two-predictions",
        "surrogate",
    ],
)
def test_bad_lines_are_refused_naming_the_line(text: str, field: str, words: str) -> None:
    with pytest.raises(PayloadError, match=words) as caught:
        parse_bentoml_lines(text.encode(), {"p2": "prediction"})
    assert caught.value.field == field


def test_too_many_features_on_a_line() -> None:
    record = {f"f{j}": j for j in range(1001)} | {"request_id": "r"}
    with pytest.raises(PayloadError, match="limit") as caught:
        parse_bentoml_lines(lines(record))
    assert caught.value.field == "line 1"


@pytest.mark.parametrize(
    ("schema", "field"),
    [
        ({}, "schema.columns"),
        ({"columns": {"a": "feature"}}, "schema.columns"),
        ({"columns": ["a"]}, "schema.columns[0]"),
        ({"columns": [{"role": "feature"}]}, "schema.columns[0].name"),
        ({"columns": [{"name": "a", "role": 1}]}, "schema.columns[0].role"),
    ],
    ids=["no-columns", "columns-object", "column-string", "no-name", "role-number"],
)
def test_bad_schemas_are_refused_naming_the_field(schema: Any, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        roles_from_schema(schema)
    assert caught.value.field == field


def test_bad_roles_are_a_bad_call() -> None:
    with pytest.raises(InvalidParameterError, match="roles"):
        parse_bentoml_lines(b"", {"a": 1})  # type: ignore[dict-item]
