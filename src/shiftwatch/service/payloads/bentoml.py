"""BentoML's monitoring data: JSON lines, one row per line, with a schema file naming roles.

``bentoml.monitor`` writes ``monitoring/<name>/data/data.<worker>.log``, one JSON object per
logged row, and ``schema/schema.<worker>.log`` with ``{"columns": [{"name", "role", "type"}]}``
(roles "feature", "prediction", "target"). Each line also carries three reserved columns:
``timestamp`` (local time *without a time zone*: shiftwatch reads it as UTC, so run the model
server in UTC or expect shifted times), ``request_id`` (the event id) and ``trace_id``
(ignored).

Each line becomes one :class:`~shiftwatch.service.records.Event` of part "whole" holding one
row. A request that logged several rows (``log_batch``) writes several lines with the same
``request_id``: the second and later lines of one body get ids ``<request_id>/1``,
``<request_id>/2``, ... so that none is taken for a duplicate.

Refused with :class:`~shiftwatch.service.records.PayloadError` naming the line ("line 3" or
"line 3.<column>"): a line that is not a JSON object, a missing or empty ``request_id``, a
``timestamp`` that is not an ISO 8601 date-time, Infinity, more than one prediction or target
column, more than 1,000 features, and more than 10,000 lines. The token NaN, which Python's
``json`` writes for a float NaN, is read as null (a missing value).
"""

from collections.abc import Mapping
from typing import Any

from shiftwatch._validation import check_parameter
from shiftwatch.service.payloads._common import (
    MAX_ROWS,
    as_list,
    as_object,
    as_text,
    check_features,
    check_name,
    check_value,
    event_id,
    load_json,
    required,
    timestamp,
    unwrap,
)
from shiftwatch.service.records import Event, PayloadError, Row

__all__ = ["RESERVED", "ROLES", "parse_bentoml_lines", "roles_from_schema"]

RESERVED = ("timestamp", "request_id", "trace_id")
"""Columns BentoML adds to every line."""
ROLES = ("feature", "prediction", "target")
"""The roles shiftwatch reads; columns of any other role are ignored."""


def roles_from_schema(schema: Mapping[str, Any]) -> dict[str, str]:
    """Column name -> role, from one record of BentoML's monitoring schema file.

    Roles are returned as written, unofficial ones included (BentoML logs those too);
    :func:`parse_bentoml_lines` ignores columns whose role is not one of :data:`ROLES`.

    >>> roles_from_schema({"meta_data": {"bento_name": "iris"}, "columns": [
    ...     {"name": "sepal_length", "role": "feature", "type": "numerical"},
    ...     {"name": "pred", "role": "prediction", "type": "categorical"}]})
    {'sepal_length': 'feature', 'pred': 'prediction'}
    """
    if not isinstance(schema, Mapping):
        raise PayloadError("schema", "expected an object")
    columns = as_list(required(dict(schema), "columns", "schema"), "schema.columns")
    check_features(len(columns), "schema.columns")
    roles: dict[str, str] = {}
    for j, raw in enumerate(columns):
        where = f"schema.columns[{j}]"
        column = as_object(raw, where)
        name = as_text(required(column, "name", where), f"{where}.name")
        roles[name] = as_text(required(column, "role", where), f"{where}.role")
    return roles


def _role(column: str, roles: Mapping[str, str] | None) -> str:
    if roles is not None and column in roles:
        return roles[column]
    if column in ("prediction", "target"):
        return column
    return "feature"


def _line_event(line: bytes, where: str, roles: Mapping[str, str] | None) -> Event:
    record = as_object(load_json(line, where, nan_as_null=True), where)
    if record.get("request_id") is None:
        raise PayloadError(f"{where}.request_id", "is missing")
    identifier = event_id(record["request_id"], f"{where}.request_id")
    stamp = record.get("timestamp")
    when = None if stamp is None else timestamp(stamp, f"{where}.timestamp")
    inputs: dict[str, Any] = {}
    found: dict[str, list[tuple[str, Any]]] = {"prediction": [], "target": []}
    for column, raw in record.items():
        if column in RESERVED:
            continue
        check_name(column, where)
        role = _role(column, roles)
        if role == "feature":
            inputs[column] = check_value(raw, f"{where}.{column}")
        elif role in found:
            found[role].append((column, unwrap(check_value(raw, f"{where}.{column}"))))
    check_features(len(inputs), where)
    for role, columns in found.items():
        if len(columns) > 1:
            names = ", ".join(repr(name) for name, _ in columns)
            raise PayloadError(where, f"has {len(columns)} {role} columns ({names}); one is read")
    output = found["prediction"][0][1] if found["prediction"] else None
    label = found["target"][0][1] if found["target"] else None
    return Event(identifier, "whole", (Row(inputs, output, label),), when, "bentoml")


def parse_bentoml_lines(body: bytes, roles: Mapping[str, str] | None = None) -> list[Event]:
    r"""Read BentoML monitoring JSON lines: one event of part "whole" per non-blank line.

    ``roles`` maps column -> "feature" | "prediction" | "target" (see
    :func:`roles_from_schema`). Columns it does not name are features, except those named
    "prediction" (the outputs) and "target" (the label).

    >>> body = (
    ...     b'{"sepal_length": 5.1, "petal_width": 0.2, "pred": "setosa", '
    ...     b'"timestamp": "2024-05-01T12:00:00.5", "request_id": "17", "trace_id": "0"}\n'
    ...     b'{"sepal_length": 6.3, "petal_width": NaN, "pred": "virginica", "request_id": "17"}\n'
    ... )
    >>> events = parse_bentoml_lines(body, roles={"pred": "prediction"})
    >>> [(e.event_id, e.timestamp, e.rows[0].outputs) for e in events]
    [('17', 1714564800.5, 'setosa'), ('17/1', None, 'virginica')]
    >>> events[1].rows[0].inputs
    {'sepal_length': 6.3, 'petal_width': None}
    >>> parse_bentoml_lines(b'{"x": 1}')
    Traceback (most recent call last):
    ...
    shiftwatch.service.records.PayloadError: line 1.request_id: is missing
    """
    if roles is not None:
        check_parameter(
            "parse_bentoml_lines",
            "roles",
            roles,
            lambda rs: all(isinstance(k, str) and isinstance(v, str) for k, v in rs.items()),
            "a mapping of column name to role",
        )
    lines = body.split(b"\n")
    count = sum(1 for line in lines if line.strip())
    if count > MAX_ROWS:
        raise PayloadError("body", f"{count} lines are more than the limit of {MAX_ROWS}")
    events: list[Event] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        event = _line_event(line, f"line {number}", roles)
        repeat = seen.get(event.event_id, 0)
        seen[event.event_id] = repeat + 1
        if repeat:
            event = Event(
                f"{event.event_id}/{repeat}", event.part, event.rows, event.timestamp, event.source
            )
        events.append(event)
    return events
