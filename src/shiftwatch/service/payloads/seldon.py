"""Seldon Core v1's request logger: CloudEvents in binary mode, as KServe's, with Seldon bodies.

``ce-type`` is ``io.seldon.serving.inference.request``, ``...response`` or
``io.seldon.serving.feedback``; the event id is ``ce-requestid`` (shared by request, response
and feedback), else ``ce-id``. ``ce-protocol`` says how to read the body:

- ``seldon`` (the default): ``{"data": {"names": [...], "ndarray": [[...], ...]}}`` or
  ``{"data": {"names": [...], "tensor": {"shape": [N, F], "values": [...]}}}``; request features
  are named by ``data.names`` when present, else ``feature_names``, else "0", "1", ...;
- ``v2`` (or ``kfserving``): Open Inference Protocol bodies, read as for KServe;
- ``tensorflow``: ``instances`` / ``predictions``, read as KServe v1.

Feedback ``{"request": ..., "response": ..., "truth": ...}`` (Seldon messages) gives one row per
instance of ``truth``, its label, with the request's inputs and the response's outputs when
they are there. Refused as for KServe, plus ``jsonData``, ``strData`` and ``binData`` bodies
and feedback without ``truth``.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shiftwatch.service.payloads._common import (
    as_list,
    as_object,
    as_text,
    check_feature_names,
    check_features,
    check_rows,
    check_value,
    cloud_event,
    describe,
    flatten,
    load_json,
    lower_headers,
    required,
    unwrap,
)
from shiftwatch.service.payloads._oip import number, read_shape, reshape
from shiftwatch.service.payloads.kserve import body_rows
from shiftwatch.service.records import Event, PayloadError, Row

__all__ = ["CE_TYPES", "parse_seldon"]

CE_TYPES = {
    "io.seldon.serving.inference.request": "request",
    "io.seldon.serving.inference.response": "response",
    "io.seldon.serving.feedback": "feedback",
}
"""The ``ce-type`` values read, and the part of the exchange each carries."""

_PROTOCOLS = ("seldon", "tensorflow", "v2", "kfserving")


def _names(data: dict[str, Any], field: str) -> list[str] | None:
    raw = data.get("names")
    if raw is None:
        return None
    names = [as_text(name, f"{field}[{j}]") for j, name in enumerate(as_list(raw, field))]
    check_features(len(names), field)
    if len(set(names)) != len(names):
        raise PayloadError(field, "holds the same name twice")
    return names or None


def message_values(
    message: object, field: str
) -> tuple[list[Any], list[str] | None, Callable[[int], str]]:
    """The per-instance values of a Seldon message (``data.ndarray`` or ``data.tensor``).

    Also returns ``data.names`` (None when absent or empty) and the field that describes
    instance ``i``, for error messages.

    >>> message = {"data": {"tensor": {"shape": [2, 2], "values": [1, 2, 3, 4]}}}
    >>> message_values(message, "body")[:2]
    ([[1.0, 2.0], [3.0, 4.0]], None)
    """
    obj = as_object(message, field)
    for other in ("jsonData", "strData", "binData"):
        if obj.get(other) is not None:
            raise PayloadError(f"{field}.{other}", "is not read; send data.ndarray or data.tensor")
    data = as_object(required(obj, "data", field), f"{field}.data")
    names = _names(data, f"{field}.data.names")
    if data.get("ndarray") is not None:
        where = f"{field}.data.ndarray"
        rows = as_list(data["ndarray"], where)
        check_rows(len(rows), where)
        values = [check_value(row, f"{where}[{i}]") for i, row in enumerate(rows)]
        return values, names, lambda i: f"{where}[{i}]"
    if data.get("tensor") is not None:
        where = f"{field}.data.tensor"
        tensor = as_object(data["tensor"], where)
        shape = read_shape(required(tensor, "shape", where), f"{where}.shape")
        flat: list[Any] = []
        flatten(required(tensor, "values", where), number, f"{where}.values", flat)
        return reshape(flat, shape, f"{where}.values"), names, lambda i: f"{where}.shape"
    raise PayloadError(f"{field}.data", "holds neither 'ndarray' nor 'tensor'")


def _features(
    message: object, feature_names: Sequence[str] | None, field: str
) -> list[dict[str, Any]]:
    values, names, where = message_values(message, field)
    source = f"{field}.data.names" if names is not None else "feature_names"
    if names is None:
        names = list(feature_names) if feature_names is not None else None
    rows: list[dict[str, Any]] = []
    for i, row in enumerate(values):
        cells = row if isinstance(row, list) else [row]
        check_features(len(cells), where(i))
        if names is None:
            rows.append({str(j): cell for j, cell in enumerate(cells)})
        elif len(names) == len(cells):
            rows.append(dict(zip(names, cells, strict=True)))
        else:
            raise PayloadError(
                where(i), f"holds {len(cells)} values but {source} gives {len(names)} names"
            )
    return rows


def _outputs(message: object, field: str) -> list[Any]:
    values, _, _ = message_values(message, field)
    return [unwrap(row) for row in values]


def _feedback(payload: dict[str, Any], feature_names: Sequence[str] | None) -> list[Row]:
    labels = _outputs(required(payload, "truth", "body"), "body.truth")
    inputs: list[dict[str, Any] | None] = [None] * len(labels)
    outputs: list[Any] = [None] * len(labels)
    if payload.get("request") is not None:
        inputs = list(_features(payload["request"], feature_names, "body.request"))
    if payload.get("response") is not None:
        outputs = _outputs(payload["response"], "body.response")
    for key, got in (("request", inputs), ("response", outputs)):
        if len(got) != len(labels):
            raise PayloadError(
                f"body.{key}", f"holds {len(got)} instances but truth holds {len(labels)}"
            )
    return [Row(x, outputs=y, label=t) for x, y, t in zip(inputs, outputs, labels, strict=True)]


def parse_seldon(
    headers: Mapping[str, str], body: bytes, feature_names: Sequence[str] | None = None
) -> Event:
    """Read one event of Seldon Core v1's request logger.

    >>> headers = {
    ...     "ce-type": "io.seldon.serving.inference.request",
    ...     "ce-id": "e1",
    ...     "ce-requestid": "r-42",
    ...     "ce-protocol": "seldon",
    ... }
    >>> event = parse_seldon(headers, b'{"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}}')
    >>> event.event_id, event.part, event.rows[0].inputs
    ('r-42', 'request', {'a': 1, 'b': 2})
    >>> feedback = {**headers, "ce-type": "io.seldon.serving.feedback"}
    >>> parse_seldon(feedback, b'{"truth": {"data": {"ndarray": [[1]]}}}').rows
    (Row(inputs=None, outputs=None, label=1),)
    """
    names = check_feature_names("parse_seldon", feature_names)
    lowered = lower_headers(headers)
    event_id, part, when = cloud_event(lowered, CE_TYPES, id_headers=("ce-requestid", "ce-id"))
    protocol = lowered.get("ce-protocol", "").strip().lower() or "seldon"
    if protocol not in _PROTOCOLS:
        raise PayloadError(
            "header ce-protocol",
            f"expected one of {', '.join(_PROTOCOLS)}, got {describe(protocol)}",
        )
    payload = as_object(load_json(body), "body")
    if part == "feedback":
        rows = _feedback(payload, names)
    elif protocol != "seldon":
        rows = body_rows(payload, part, names)
    elif part == "request":
        rows = [Row(features) for features in _features(payload, names, "body")]
    else:
        rows = [Row(None, outputs=output) for output in _outputs(payload, "body")]
    return Event(event_id, part, tuple(rows), timestamp=when, source="seldon")
