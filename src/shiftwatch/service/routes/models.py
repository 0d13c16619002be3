"""Reads: the watched models, their status, last report, alerts and violation counts."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from shiftwatch.service.api import (
    AccuracyOut,
    AlertOut,
    CheckOut,
    ColumnStatus,
    ModelStatus,
    ViolationCount,
)
from shiftwatch.service.auth import require
from shiftwatch.service.core import Service, UnknownModelError
from shiftwatch.service.settings import MODEL_NAME_PATTERN

router = APIRouter(prefix="/v1/models", tags=["models"], dependencies=[Depends(require("read"))])
ModelName = Annotated[str, Path(pattern=MODEL_NAME_PATTERN, description="A watched model.")]


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _status(service: Service, name: str) -> ModelStatus:
    watched = service.model(name)
    monitor = watched.monitor
    report = monitor.last_report
    scores = monitor.drift_scores
    estimate = watched.accuracy_estimate()
    columns: dict[str, ColumnStatus] = {}
    if report is not None:
        for column_name, column in report.columns.items():
            columns[column_name] = ColumnStatus(
                test=column.test,
                p_value=column.p_value,
                adjusted_p_value=column.adjusted_p_value,
                effect=column.effect,
                drifted=column.drifted,
                drift_score=scores.get(column_name),
            )
    return ModelStatus(
        name=name,
        state=monitor.state.value,
        window_rows=0 if report is None else report.n_current,
        stored_rows=service.stored_rows[name],
        last_check=columns,
        drifted_columns=[] if report is None else list(report.drifted_columns),
        estimated_accuracy=None
        if estimate is None
        else AccuracyOut.model_validate(estimate, from_attributes=True),
    )


@router.get("", response_model=list[ModelStatus])
def list_models(request: Request) -> list[ModelStatus]:
    """Every watched model and its state."""
    service = _service(request)
    return [_status(service, name) for name in service.models]


@router.get("/{model}", response_model=ModelStatus)
def model_status(model: ModelName, request: Request) -> ModelStatus:
    """A model's state, window and the last check's columns."""
    return _status(_service(request), model)


@router.post("/{model}/check", response_model=ModelStatus, dependencies=[Depends(require("admin"))])
async def check_now(model: ModelName, request: Request) -> ModelStatus:
    """Check the window now (admin): the report is read back by ``/report``."""
    service = _service(request)
    watched = service.model(model)

    def check() -> ModelStatus:
        with watched.lock:
            watched.monitor.check()
        service.record_check(watched)
        return _status(service, model)

    return await service.on_model_thread(model, check)


@router.get("/{model}/report")
def last_report(model: ModelName, request: Request) -> JSONResponse:
    """The last window check as ``DriftReport.to_json()`` (404 before the first check)."""
    report = _service(request).model(model).monitor.last_report
    if report is None:
        raise UnknownModelError(f"Model {model!r} has not been checked yet.")
    content: Any = json.loads(report.to_json())
    return JSONResponse(content)


@router.get("/{model}/alerts", response_model=list[AlertOut])
def model_alerts(
    model: ModelName,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> list[AlertOut]:
    """The newest alert state changes, newest first."""
    service = _service(request)
    service.model(model)
    return [
        AlertOut.model_validate(alert, from_attributes=True)
        for alert in service.store.alerts(model, limit)
    ]


@router.get("/{model}/violations", response_model=list[ViolationCount])
def model_violations(model: ModelName, request: Request) -> list[ViolationCount]:
    """Schema violations counted since the database was created, per column and rule."""
    service = _service(request)
    service.model(model)
    counts = service.store.violations(model)
    return [
        ViolationCount(column=column, rule=rule, count=count)
        for (column, rule), count in sorted(counts.items())
    ]


@router.get("/{model}/history", response_model=list[CheckOut])
def model_history(
    model: ModelName,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[CheckOut]:
    """The newest window checks, oldest first: column numbers, outputs (confidence, accuracy)."""
    service = _service(request)
    service.model(model)
    return [
        CheckOut.model_validate(check, from_attributes=True)
        for check in service.store.checks(model, limit)
    ]
