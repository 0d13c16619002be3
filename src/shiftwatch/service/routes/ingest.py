"""Ingest: shiftwatch's own events, labels, and the payloads model servers already send.

Each answers 200 once what it accepted is committed. KServe and Seldon send a request event
(inputs) and a response event (outputs) with the same id: each half is stored as it comes and
a row reaches the monitor once it is complete (see :mod:`shiftwatch.service.core`).
"""

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from shiftwatch.service.api import (
    BentoMLLine,
    EventBatch,
    IngestResult,
    KServeBody,
    LabelBatch,
    LabelResult,
    SeldonBody,
    read_body,
)
from shiftwatch.service.auth import require
from shiftwatch.service.core import Service
from shiftwatch.service.payloads import parse_bentoml_lines, parse_kserve, parse_seldon
from shiftwatch.service.payloads.kserve import CE_TYPES as KSERVE_TYPES
from shiftwatch.service.payloads.seldon import CE_TYPES as SELDON_TYPES
from shiftwatch.service.records import Event
from shiftwatch.service.settings import MODEL_NAME_PATTERN
from shiftwatch.service.storage import StoredRow

router = APIRouter(prefix="/v1/models/{model}", tags=["ingest"])
ModelName = Annotated[str, Path(pattern=MODEL_NAME_PATTERN, description="A watched model.")]
WRITE = [Depends(require("write"))]
SERVER_WRITE = [Depends(require("write", query_token=True))]  # model servers: ?token= too
Result = TypeVar("Result")


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


async def _queued(request: Request, model: str, call: Callable[..., Result], *args: Any) -> Result:
    """Read the body and run ``call(service, model, body, *args)`` on the model's thread.

    The body is read first (within ``body_timeout_seconds``: a slow sender holds no queue
    place), then a place in the model's queue is taken (a flooded model answers 503 at once),
    and a request whose client hangs up while it waits is dropped.
    """
    service = _service(request)
    service.model(model)
    body = await request.body()
    with service.reserve(model, len(body)):
        return await service.on_model_thread(
            model, call, service, model, body, *args, hung_up=lambda: _hung_up(request)
        )


async def _hung_up(request: Request) -> None:
    """Return once the client has disconnected (the body has been read before)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _seconds(value: float | datetime | None) -> float | None:
    return value.timestamp() if isinstance(value, datetime) else value


def _json_body(schema: str, ce_types: Sequence[str] = ()) -> dict[str, Any]:
    """The OpenAPI description of a JSON body that the route reads itself.

    ``ce_types``: the route reads a binary-mode CloudEvent; its ``ce-*`` headers are described
    too (``ce-type`` as one of these values).
    """
    reference = {"$ref": f"#/components/schemas/{schema}"}
    described: dict[str, Any] = {
        "requestBody": {"required": True, "content": {"application/json": {"schema": reference}}}
    }
    if ce_types:
        headers = {
            "ce-id": {"type": "string"},
            "ce-type": {"type": "string", "enum": list(ce_types)},
            "ce-specversion": {"type": "string", "enum": ["1.0"]},
            "ce-time": {"type": "string", "format": "date-time"},
        }
        described["parameters"] = [
            {
                "name": name,
                "in": "header",
                "required": name in ("ce-id", "ce-type"),
                "schema": schema,
            }
            for name, schema in headers.items()
        ]
    return described


# Bodies are read by pydantic straight from the bytes (``read_body``), after the token was
# checked: FastAPI's own body parameter is read before the dependencies run, and decodes the
# JSON with the standard library first, which doubled the cost of the busiest call. The
# OpenAPI document still describes them (see ``BODY_SCHEMAS``).
EVENTS_BODY = _json_body("EventBatch")


@router.post("/events", dependencies=WRITE, response_model=IngestResult, openapi_extra=EVENTS_BODY)
async def post_events(model: ModelName, request: Request) -> IngestResult:
    """Store a batch of events (one transaction), then feed the model's window."""
    service = _service(request)
    service.model(model)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(
            415,
            "Send the events as JSON, with 'Content-Type: application/json' "
            f"(got {media_type or 'no Content-Type'}).",
        )
    return await _queued(request, model, _ingest_events)


def _ingest_events(service: Service, model: str, body: bytes) -> IngestResult:
    batch = read_body(EventBatch, body)
    rows = [
        StoredRow(
            event.id or uuid.uuid4().hex,
            0,
            _seconds(event.timestamp),
            event.inputs,
            event.outputs,
            event.label,
        )
        for event in batch.events
    ]
    return IngestResult(**service.ingest_rows(model, rows, "body.events"))


LABELS_BODY = _json_body("LabelBatch")
BODY_SCHEMAS = (EventBatch, LabelBatch, KServeBody, SeldonBody, BentoMLLine)


@router.post("/labels", dependencies=WRITE, response_model=LabelResult, openapi_extra=LABELS_BODY)
async def post_labels(model: ModelName, request: Request) -> LabelResult:
    """Labels that arrived later, joined to stored events by id.

    The body is read after the token is checked (a body parameter would be read first).
    """
    return await _queued(request, model, _label)


def _label(service: Service, model: str, body: bytes) -> LabelResult:
    batch = read_body(LabelBatch, body)
    labels = [(item.id, item.row, item.label) for item in batch.labels]
    return LabelResult(**service.label(model, labels))


def _stored_rows(event: Event) -> list[StoredRow]:
    return [
        StoredRow(event.event_id, i, event.timestamp, row.inputs, row.outputs, row.label)
        for i, row in enumerate(event.rows)
    ]


def _store_event(service: Service, model: str, event: Event) -> IngestResult:
    rows = _stored_rows(event)
    if event.part == "feedback":  # one label per row of the request, in its order
        labels = [(event.event_id, i, row.label) for i, row in enumerate(event.rows)]
        joined = service.label(model, labels, whole_event="body.truth")["joined"]
        return IngestResult(accepted=joined, duplicates=0, violations=0)
    if event.part == "whole":
        return IngestResult(**service.ingest_rows(model, rows))
    part = "inputs" if event.part == "request" else "outputs"
    return IngestResult(**service.ingest_part(model, rows, part))


def _kserve(service: Service, model: str, body: bytes, headers: dict[str, str]) -> IngestResult:
    event = parse_kserve(headers, body, service.model(model).feature_names)
    return _store_event(service, model, event)


def _seldon(service: Service, model: str, body: bytes, headers: dict[str, str]) -> IngestResult:
    event = parse_seldon(headers, body, service.model(model).feature_names)
    return _store_event(service, model, event)


def _bentoml(service: Service, model: str, body: bytes) -> IngestResult:
    rows = [row for event in parse_bentoml_lines(body) for row in _stored_rows(event)]
    return IngestResult(**service.ingest_rows(model, rows))


# Model servers' payloads are parsed on the model's thread: a large body never stalls the
# event loop (and with it every other request).


@router.post(
    "/kserve",
    dependencies=SERVER_WRITE,
    response_model=IngestResult,
    openapi_extra=_json_body("KServeBody", list(KSERVE_TYPES)),
)
async def post_kserve(model: ModelName, request: Request) -> IngestResult:
    """KServe's inference logger: CloudEvents 1.0 in binary mode (``ce-*`` headers).

    Bodies are KServe v1 or Open Inference Protocol v2, read as JSON whatever the
    Content-Type says. The token may come as ``?token=`` (the logger only posts to a URL).
    """
    return await _queued(request, model, _kserve, dict(request.headers))


@router.post(
    "/seldon",
    dependencies=SERVER_WRITE,
    response_model=IngestResult,
    openapi_extra=_json_body("SeldonBody", list(SELDON_TYPES)),
)
async def post_seldon(model: ModelName, request: Request) -> IngestResult:
    """Seldon Core's request logger: CloudEvents with Seldon, TensorFlow or v2 bodies."""
    return await _queued(request, model, _seldon, dict(request.headers))


@router.post(
    "/bentoml",
    dependencies=SERVER_WRITE,
    response_model=IngestResult,
    openapi_extra=_json_body("BentoMLLine"),
)
async def post_bentoml(model: ModelName, request: Request) -> IngestResult:
    """BentoML's monitoring JSON lines: features, prediction and target columns per line."""
    return await _queued(request, model, _bentoml)
