"""Normalised ingest records: what every payload parser returns, whatever the model server.

A model server's log event becomes one :class:`Event`: an id to deduplicate and join on, which
part of the exchange it carries (the request, the response, both, or feedback with labels) and
one :class:`Row` per instance of the batch. A payload that cannot be read raises
:class:`PayloadError`, which names the field at fault so that the service can answer a 4xx
saying where.

>>> event = Event("689b15e7", "request", (Row({"x": 1.5}), Row({"x": 2.0})), source="kserve")
>>> [row.inputs for row in event.rows]
[{'x': 1.5}, {'x': 2.0}]
>>> str(PayloadError("body.inputs[0].shape", "expected a list of integers, got 'a'"))
"body.inputs[0].shape: expected a list of integers, got 'a'"
"""

from dataclasses import dataclass
from typing import Any

from shiftwatch.errors import ShiftwatchError

__all__ = ["Event", "PayloadError", "Row"]


class PayloadError(ShiftwatchError, ValueError):
    """A payload that cannot be read. ``field`` names where (e.g. "body.inputs[0].shape").

    Header fields read "header ce-type"; lines of a JSON-lines body read "line 3.request_id".

    >>> error = PayloadError("header ce-id", "is missing")
    >>> error.field, error.message, str(error)
    ('header ce-id', 'is missing', 'header ce-id: is missing')
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self) -> tuple[type["PayloadError"], tuple[str, str]]:
        return (type(self), (self.field, self.message))


@dataclass(frozen=True)
class Row:
    """One instance of a batch: its inputs, the model's prediction, and the true label.

    ``inputs`` maps feature name to one JSON scalar (or a list for a vector feature);
    ``outputs`` is one prediction: a label (str/int/bool), a number, or a list of class
    probabilities; ``label`` is the true label when the payload carries it.

    >>> Row({"petal_length": 4.8}, outputs=1)
    Row(inputs={'petal_length': 4.8}, outputs=1, label=None)
    """

    inputs: dict[str, Any] | None
    outputs: Any | None = None
    label: Any | None = None


@dataclass(frozen=True)
class Event:
    """One model-server log event, normalised.

    ``event_id`` is the deduplication and join key (CloudEvents ``ce-id``; Seldon's
    ``ce-requestid`` first; BentoML's ``request_id``). ``part`` is "request" (inputs only),
    "response" (outputs only), "whole" (both) or "feedback" (labels). ``rows`` holds one
    :class:`Row` per instance, in batch order. ``timestamp`` is in seconds since the epoch
    (UTC) when the payload says, else None. ``source`` names the format ("kserve", ...).

    >>> Event("r-1", "response", (Row(None, outputs=[0.1, 0.9]),)).rows[0].outputs
    [0.1, 0.9]
    """

    event_id: str
    part: str
    rows: tuple[Row, ...]
    timestamp: float | None = None
    source: str = ""
