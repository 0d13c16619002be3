"""Ingest: shiftwatch's own events, labels, and the payloads model servers already send.

Each answers 200 once what it accepted is committed. KServe and Seldon send a request event
(inputs) and a response event (outputs) with the same id: each half is stored as it comes and
a row reaches the monitor once it is complete (see :mod:`shiftwatch.service.core`).
"""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from shiftwatch.service.api import (
    EventBatch,
    IngestResult,
    LabelBatch,
    LabelResult,
    read_body,
)
from shiftwatch.service.auth import require
from shiftwatch.service.core import Service
from shiftwatch.service.payloads import parse_bentoml_lines, parse_kserve, parse_seldon
from shiftwatch.service.records import Event
from shiftwatch.service.settings import MODEL_NAME_PATTERN
from shiftwatch.service.storage import StoredRow
from shiftwatch.service.watched import row_key

router = APIRouter(prefix="/v1/models/{model}", tags=["ingest"])
ModelName = Annotated[str, Path(pattern=MODEL_NAME_PATTERN, description="A watched model.")]
WRITE = [Depends(require("write"))]


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _seconds(value: float | datetime | None) -> float | None:
    return value.timestamp() if isinstance(value, datetime) else value


# The events body is read by pydantic straight from the bytes (``read_body``): FastAPI's own
# body parameter decodes the JSON with the standard library first, which doubled the cost of
# the busiest call. The OpenAPI document still describes it (see ``BODY_SCHEMAS``).
EVENTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventBatch"}}},
    }
}
BODY_SCHEMAS = (EventBatch,)


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
    body = await request.body()
    return await service.on_model_thread(model, _ingest_events, service, model, body)


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
    return IngestResult(**service.ingest_rows(model, rows))


@router.post("/labels", dependencies=WRITE, response_model=LabelResult)
async def post_labels(model: ModelName, batch: LabelBatch, request: Request) -> LabelResult:
    """Labels that arrived later, joined to stored events by id."""
    labels = [(item.id, item.label) for item in batch.labels]
    service = _service(request)
    return LabelResult(**await service.on_model_thread(model, service.label, model, labels))


def _stored_rows(event: Event) -> list[StoredRow]:
    return [
        StoredRow(event.event_id, i, event.timestamp, row.inputs, row.outputs, row.label)
        for i, row in enumerate(event.rows)
    ]


def _store_event(service: Service, model: str, event: Event) -> IngestResult:
    rows = _stored_rows(event)
    if event.part == "feedback":
        labels = [(row_key(event.event_id, i), row.label) for i, row in enumerate(event.rows)]
        joined = service.label(model, labels)["joined"]
        return IngestResult(accepted=joined, duplicates=0, violations=0)
    if event.part == "whole":
        return IngestResult(**service.ingest_rows(model, rows))
    part = "inputs" if event.part == "request" else "outputs"
    return IngestResult(**service.ingest_part(model, rows, part))


@router.post("/kserve", dependencies=WRITE, response_model=IngestResult)
async def post_kserve(model: ModelName, request: Request) -> IngestResult:
    """KServe's inference logger: CloudEvents 1.0 in binary mode (``ce-*`` headers).

    Bodies are KServe v1 or Open Inference Protocol v2, read as JSON whatever the
    Content-Type says.
    """
    service = _service(request)
    watched = service.model(model)
    body = await request.body()
    event = parse_kserve(request.headers, body, watched.feature_names)
    return await service.on_model_thread(model, _store_event, service, model, event)


@router.post("/seldon", dependencies=WRITE, response_model=IngestResult)
async def post_seldon(model: ModelName, request: Request) -> IngestResult:
    """Seldon Core's request logger: CloudEvents with Seldon, TensorFlow or v2 bodies."""
    service = _service(request)
    watched = service.model(model)
    body = await request.body()
    event = parse_seldon(request.headers, body, watched.feature_names)
    return await service.on_model_thread(model, _store_event, service, model, event)


@router.post("/bentoml", dependencies=WRITE, response_model=IngestResult)
async def post_bentoml(model: ModelName, request: Request) -> IngestResult:
    """BentoML's monitoring JSON lines: features, prediction and target columns per line."""
    service = _service(request)
    service.model(model)
    body = await request.body()
    rows = [row for event in parse_bentoml_lines(body) for row in _stored_rows(event)]
    return IngestResult(**await service.on_model_thread(model, service.ingest_rows, model, rows))
