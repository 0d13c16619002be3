"""The FastAPI application: a factory, one router per resource, one error shape.

Every error answer is ``{"error": {"field": ..., "message": ...}}`` with a 4xx status naming
what was wrong (422 for a body that does not fit the API, 400 for a model server's payload
that cannot be read, 401/403 for tokens, 404 for an unknown model, 413 for a body over
``max_body_bytes``, 415 for events not sent as JSON); an unexpected failure answers 500
with no traceback and is logged.

>>> from shiftwatch.service.settings import ServerSettings, Settings
>>> app = create_app(Settings(server=ServerSettings(db_url="sqlite://")))
>>> sorted(app.openapi()["paths"])[:3]
['/healthz', '/metrics', '/v1/models']
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shiftwatch import __version__
from shiftwatch.errors import ShiftwatchError
from shiftwatch.service.core import Service, UnknownModelError
from shiftwatch.service.records import PayloadError
from shiftwatch.service.routes import dashboard, ingest, models, operations
from shiftwatch.service.settings import Settings

log = logging.getLogger("shiftwatch.service")


def error_response(status: int, message: str, field: str | None = None) -> JSONResponse:
    """The one error shape."""
    return JSONResponse({"error": {"field": field, "message": message}}, status_code=status)


class BodyTooLarge(Exception):
    """A request body grew past the limit while it was read."""


class BodyLimit:
    """Refuse bodies over ``limit`` bytes with 413, by Content-Length or while reading."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body's bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        service = getattr(scope.get("app"), "state", None)
        service = getattr(service, "service", None)
        if service is not None:
            model = scope["path"].split("/")[3] if scope["path"].startswith("/v1/models/") else ""
            if model in service.models:
                service.metrics.rejected.labels(model=model, reason="too_large").inc()
        message = f"The request body is over the limit of {self.limit:,} bytes."
        await error_response(413, message, "body")(scope, receive, send)


def _model_of(request: Request) -> str | None:
    name = request.path_params.get("model")
    service: Service = request.app.state.service
    return name if isinstance(name, str) and name in service.models else None


def _count_rejection(request: Request, reason: str) -> None:
    model = _model_of(request)
    if model is not None:
        request.app.state.service.metrics.rejected.labels(model=model, reason=reason).inc()


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, error: RequestValidationError) -> JSONResponse:
        _count_rejection(request, "malformed")
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(part) for part in first.get("loc", ())) or None
        return error_response(422, str(first.get("msg", "invalid request")), field)

    @app.exception_handler(PayloadError)
    async def bad_payload(request: Request, error: PayloadError) -> JSONResponse:
        _count_rejection(request, "malformed")
        return error_response(400, error.message, error.field)

    @app.exception_handler(UnknownModelError)
    async def unknown_model(request: Request, error: UnknownModelError) -> JSONResponse:
        return error_response(404, str(error), "model")

    @app.exception_handler(ShiftwatchError)
    async def refused(request: Request, error: ShiftwatchError) -> JSONResponse:
        _count_rejection(request, "schema")
        return error_response(422, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code in (401, 403):
            _count_rejection(request, "auth")
        elif error.status_code == 415:
            _count_rejection(request, "malformed")
        response = error_response(error.status_code, str(error.detail))
        for key, value in (error.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "Internal error; the server log has the details.")


def create_app(settings: Settings, *, service: Service | None = None) -> FastAPI:
    """The service's app. Starting it replays the stored windows and starts the alerts.

    ``service`` may be given (tests share one across apps); by default it is built from
    ``settings``.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        running: Service = app.state.service
        running.start()
        try:
            yield
        finally:
            running.stop()

    app = FastAPI(
        title="shiftwatch",
        version=__version__,
        description=(
            "Watch ML models in production for data shift, with a known false-alarm rate. "
            "Ingest predictions, read drift status, scrape Prometheus metrics."
        ),
        lifespan=lifespan,
        responses={
            400: {"model": _error_model()},
            401: {"model": _error_model()},
            403: {"model": _error_model()},
            404: {"model": _error_model()},
            413: {"model": _error_model()},
            415: {"model": _error_model()},
            422: {"model": _error_model()},
        },
    )
    app.state.service = service if service is not None else Service(settings)
    app.state.settings = settings
    _install_error_handlers(app)
    for module in (ingest, models, operations, dashboard):
        app.include_router(module.router)
    app.add_middleware(BodyLimit, limit=settings.server.max_body_bytes)
    _document_raw_bodies(app, ingest.BODY_SCHEMAS)
    return app


def _document_raw_bodies(app: FastAPI, bodies: tuple[type[BaseModel], ...]) -> None:
    """Put the schemas of bodies that routes read themselves into the OpenAPI components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for body in bodies:
                schema = body.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(schema.pop("$defs", {}))
                schemas[body.__name__] = schema
        return build()

    app.openapi = openapi  # type: ignore[method-assign]


def _error_model() -> Any:
    from shiftwatch.service.api import ErrorBody

    return ErrorBody
