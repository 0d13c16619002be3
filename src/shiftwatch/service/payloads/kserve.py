"""KServe's inference logger: CloudEvents 1.0 in binary mode, one event per request or response.

The attributes travel in ``ce-*`` headers (any case); the body is the model's payload as is,
read as JSON whatever ``Content-Type`` says (the logger reuses the request's Content-Type for
the response, often ``application/x-www-form-urlencoded``). Request and response share their
``ce-id``, the event id. Bodies are KServe v1 (``instances`` / ``predictions``) or the Open
Inference Protocol v2 (``inputs`` / ``outputs``); see ``_oip`` for how tensors become features.

Refused with :class:`~shiftwatch.service.records.PayloadError` (naming the field): a missing or
blank ``ce-id``, a missing or unknown ``ce-type``, a bad ``ce-time`` or ``ce-specversion``, a
body that is not a JSON object, NaN or Infinity, a shape that does not match its data, feature
counts that do not match ``feature_names``, values of the wrong datatype, lists nested more than
32 deep, and batches over 10,000 instances or 1,000 features.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from shiftwatch.service.payloads import _oip, _v1
from shiftwatch.service.payloads._common import (
    as_object,
    check_feature_names,
    cloud_event,
    load_json,
    lower_headers,
)
from shiftwatch.service.records import Event, PayloadError, Row

__all__ = ["CE_TYPES", "body_rows", "parse_kserve"]

CE_TYPES = {
    "org.kubeflow.serving.inference.request": "request",
    "org.kubeflow.serving.inference.response": "response",
    "io.kserve.inference.request": "request",
    "io.kserve.inference.response": "response",
}
"""The ``ce-type`` values read, and the part of the exchange each carries."""


def body_rows(
    body: Mapping[str, Any], part: str, feature_names: Sequence[str] | None = None
) -> list[Row]:
    """Rows of a KServe v1 or Open Inference Protocol v2 body, for part "request" or "response".

    >>> body_rows({"predictions": [1, 0]}, "response")
    [Row(inputs=None, outputs=1, label=None), Row(inputs=None, outputs=0, label=None)]
    """
    payload = dict(body)
    if part == "request":
        if "inputs" in payload:
            features = _oip.request_rows(payload, feature_names)
        elif "instances" in payload:
            features = _v1.instances_rows(payload, feature_names)
        else:
            raise PayloadError(
                "body", "a request holds 'instances' (KServe v1) or 'inputs' (v2); found neither"
            )
        return [Row(row) for row in features]
    if "outputs" in payload:
        outputs = _oip.response_outputs(payload)
    elif "predictions" in payload:
        outputs = _v1.predictions_outputs(payload)
    else:
        raise PayloadError(
            "body", "a response holds 'predictions' (KServe v1) or 'outputs' (v2); found neither"
        )
    return [Row(None, outputs=output) for output in outputs]


def parse_kserve(
    headers: Mapping[str, str], body: bytes, feature_names: Sequence[str] | None = None
) -> Event:
    """Read one event of KServe's inference logger (or the ``kserve`` Python server).

    ``feature_names`` name positional features: the values of a v1 list instance, or the
    columns of a single 2-D v2 input tensor. Without them, list instances are named "0", "1",
    ... and tensor columns "<tensor name>_<j>".

    >>> headers = {
    ...     "Ce-Specversion": "1.0",
    ...     "Ce-Type": "org.kubeflow.serving.inference.request",
    ...     "Ce-Id": "689b15e7-84a1-4e89-9805-20809efc216d",
    ...     "Ce-Time": "2024-05-01T12:00:00.123456789Z",
    ...     "Content-Type": "application/json",
    ... }
    >>> body = b'{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}'
    >>> event = parse_kserve(headers, body, ["sepal_length", "sepal_width", "petal_length", "petal_width"])
    >>> event.event_id, event.part, event.timestamp, len(event.rows)
    ('689b15e7-84a1-4e89-9805-20809efc216d', 'request', 1714564800.123456, 2)
    >>> event.rows[0].inputs
    {'sepal_length': 6.8, 'sepal_width': 2.8, 'petal_length': 4.8, 'petal_width': 1.4}
    >>> parse_kserve({"ce-id": "1"}, body)
    Traceback (most recent call last):
    ...
    shiftwatch.service.records.PayloadError: header ce-type: is missing
    """  # noqa: E501
    names = check_feature_names("parse_kserve", feature_names)
    event_id, part, when = cloud_event(lower_headers(headers), CE_TYPES)
    rows = body_rows(as_object(load_json(body), "body"), part, names)
    return Event(event_id, part, tuple(rows), timestamp=when, source="kserve")
