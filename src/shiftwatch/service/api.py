"""The HTTP API's bodies: what clients send and what the service answers (pydantic models).

These models are the OpenAPI document's schemas; a request that does not fit gets a 422 whose
``error.field`` names the first bad field (``body.events.3.inputs``).

>>> batch = EventBatch.model_validate({"events": [{"id": "r1", "inputs": {"age": 31}}]})
>>> batch.events[0].inputs, batch.events[0].timestamp
({'age': 31}, None)
"""

from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from shiftwatch.service.limits import MAX_ID_LENGTH, MAX_ROWS, id_problem


def _checked_id(value: str) -> str:
    problem = id_problem(value)
    if problem is not None:
        raise ValueError(f"the id {problem}")
    return value


EventId = Annotated[
    str,
    AfterValidator(_checked_id),
    Field(min_length=1, max_length=MAX_ID_LENGTH),
]
Timestamp = Annotated[float, Field(allow_inf_nan=False)] | datetime


class EventIn(BaseModel):
    """One prediction: the inputs (feature name -> value), optionally its outputs and label."""

    model_config = ConfigDict(extra="forbid")

    id: EventId | None = Field(
        None, description="Unique per model; a repeated id is stored and counted once."
    )
    timestamp: Timestamp | None = Field(
        None,
        description="Seconds since the epoch, or an RFC 3339 time; default: receipt. Stored "
        "with the event; windows run on the server's receipt time. A time more than "
        "max_clock_skew_seconds ahead of the server's clock, or before 1970, is dropped and "
        "counted as a clock_skew violation.",
    )
    inputs: dict[str, Any] = Field(description="Feature name -> value (a scalar or a list).")
    outputs: Any = Field(
        None, description="A predicted label, a number, or a list of class probabilities."
    )
    label: Any = Field(None, description="The true label, when known.")


class EventBatch(BaseModel):
    """A batch of events, stored in one transaction."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(min_length=1, max_length=MAX_ROWS)


Body = TypeVar("Body", bound=BaseModel)


def read_body(model: type[Body], body: bytes) -> Body:
    """``body`` (JSON bytes) as ``model``, or the 422 FastAPI gives a body that does not fit.

    >>> read_body(EventBatch, b'{"events": [{"inputs": {"age": 31}}]}').events[0].inputs
    {'age': 31}
    """
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        problems = [{**problem, "loc": ("body", *problem["loc"])} for problem in error.errors()]
        raise RequestValidationError(problems) from None


class IngestResult(BaseModel):
    """What the service did with a batch, once it was durable."""

    accepted: int = Field(description="Rows stored now.")
    duplicates: int = Field(description="Rows whose id was stored before (counted once).")
    violations: int = Field(description="Schema violations found in the stored rows.")


class LabelIn(BaseModel):
    """The true label of one row of an earlier event."""

    model_config = ConfigDict(extra="forbid")

    id: EventId
    row: int = Field(
        0,
        ge=0,
        lt=MAX_ROWS,
        description="The row of the event (0 for an event of one row; a model server's batch "
        "of N instances has rows 0 to N-1).",
    )
    label: Any


class LabelBatch(BaseModel):
    """Labels that arrived after their predictions."""

    model_config = ConfigDict(extra="forbid")

    labels: list[LabelIn] = Field(min_length=1, max_length=MAX_ROWS)


class LabelResult(BaseModel):
    """How many labels met a stored event."""

    joined: int
    unknown: int


class ErrorDetail(BaseModel):
    """Where a request went wrong and what was expected."""

    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer: ``{"error": {"field": ..., "message": ...}}``."""

    error: ErrorDetail


class ColumnStatus(BaseModel):
    """One column at the last window check."""

    test: str | None
    p_value: float | None
    adjusted_p_value: float | None
    effect: float | None
    drifted: bool
    drift_score: float | None = Field(None, description="CUSUM of normal scores / threshold.")


class AccuracyOut(BaseModel):
    """A label-free accuracy estimate, and whether it can be trusted."""

    value: float
    low: float
    high: float
    n: int
    reliable: bool = Field(
        description="False when the estimate's assumptions broke (the confidence moved away "
        "from the reference's, or the calibration missed its own reference): then value "
        "is not to be trusted, and reason says why."
    )
    reason: str


class ModelStatus(BaseModel):
    """A watched model now."""

    name: str
    state: str
    window_rows: int
    stored_rows: int
    last_check: dict[str, ColumnStatus] = Field(default_factory=dict)
    estimated_accuracy: "AccuracyOut | None" = Field(
        None,
        description="Label-free accuracy of the newest rows, when the model has a calibration "
        "file and sends probabilities.",
    )
    drifted_columns: list[str] = Field(default_factory=list)


class AlertOut(BaseModel):
    """One recorded alert state change."""

    id: int
    source: str
    status: str
    at: float
    detail: str
    delivered: bool
    attempts: int
    error: str | None = Field(None, description="Why the last delivery failed, if it did.")


class ViolationCount(BaseModel):
    """How many values of one column broke one rule, since the database was created."""

    column: str
    rule: str
    count: int


class CheckOut(BaseModel):
    """One window check, for time series."""

    at: float
    window_rows: int
    drifted: bool
    state: str
    columns: dict[str, dict[str, Any]] = Field(
        description="Per column: p_value (after correction), drift_score, drifted."
    )
    outputs: dict[str, float] | None = Field(
        None,
        description="The model's outputs at the check: mean_confidence of the window; "
        "estimated_accuracy, accuracy_low, accuracy_high (label-free, from the calibration "
        "file) and accuracy_reliable (1 or 0); null when neither is known.",
    )


# Model servers' bodies: described for the OpenAPI document (and the fuzzing that reads it);
# the parsers read the bytes themselves and name the field at fault.


class Tensor(BaseModel):
    """One Open Inference Protocol (v2) tensor."""

    name: str
    shape: list[int]
    datatype: str = Field(description="BOOL, INT8..UINT64, FP16..FP64 or BYTES.")
    data: list[Any]


class KServeBody(BaseModel):
    """A KServe logger body: v1 (``instances``/``predictions``) or v2 (``inputs``/``outputs``)."""

    instances: list[Any] | None = None
    predictions: list[Any] | None = None
    inputs: list[Tensor] | None = None
    outputs: list[Tensor] | None = None


class SeldonData(BaseModel):
    """Seldon's ``data``: feature names and an ``ndarray`` or a ``tensor``."""

    names: list[str] | None = None
    ndarray: list[Any] | None = None
    tensor: dict[str, list[Any]] | None = None


class SeldonBody(BaseModel):
    """A Seldon logger body: a Seldon message, TensorFlow or v2 body, or feedback."""

    data: SeldonData | None = None
    instances: list[Any] | None = None
    predictions: list[Any] | None = None
    inputs: list[Tensor] | None = None
    outputs: list[Tensor] | None = None
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    truth: dict[str, Any] | None = None


class BentoMLLine(BaseModel):
    """One line of BentoML's monitoring JSON lines: ``request_id``, then the columns."""

    model_config = ConfigDict(extra="allow")

    request_id: str | int
    timestamp: str | None = None
