"""The FastAPI application: a factory, one router per resource, one error shape.

Every error answer is ``{"error": {"field": ..., "message": ...}}`` with a 4xx status naming
what was wrong (422 for a body that does not fit the API, 400 for a model server's payload
that cannot be read, 401/403 for tokens, 404 for an unknown model, 408 for a body not received
within ``body_timeout_seconds``, 413 for a body over ``max_body_bytes``, 415 for events not
sent as JSON), or 503 with ``Retry-After`` when the model's queue is full or the database
refuses a write. An unexpected failure answers 500 with no traceback, is logged, and leaves
the connection open for the client's next request.

>>> from shiftwatch.service.settings import ServerSettings, Settings
>>> app = create_app(Settings(server=ServerSettings(db_url="sqlite://")))
>>> sorted(app.openapi()["paths"])[:3]
['/healthz', '/metrics', '/v1/models']
"""

import asyncio
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
from shiftwatch.service.core import (
    ClientGone,
    Overloaded,
    Service,
    Unavailable,
    UnknownModelError,
)
from shiftwatch.service.predictions import UnfitValue
from shiftwatch.service.records import PayloadError
from shiftwatch.service.routes import dashboard, ingest, models, operations
from shiftwatch.service.settings import Settings

log = logging.getLogger("shiftwatch.service")


def error_response(status: int, message: str, field: str | None = None) -> JSONResponse:
    """The one error shape."""
    return JSONResponse({"error": {"field": field, "message": message}}, status_code=status)


class BodyTooLarge(Exception):
    """A request body grew past the limit while it was read."""


class BodyTooSlow(Exception):
    """A request body did not arrive within the time allowed."""


class BodyLimit:
    """Refuse bodies too large (413) or too slow to arrive (408).

    A body over ``limit`` bytes is refused by its Content-Length or while it is read; one not
    received within ``timeout`` seconds is refused and its connection closed.
    """

    def __init__(self, app: ASGIApp, limit: int, timeout: float = 30.0) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body's bytes and timing their arrival."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send, 413, "too_large")
            return
        seen = 0
        complete = False
        deadline = asyncio.get_running_loop().time() + self.timeout

        async def limited() -> Message:
            nonlocal seen, complete
            if complete:  # the body is in: what follows is the wait for a disconnect
                return await receive()
            left = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), max(left, 0.0))
            except TimeoutError:
                raise BodyTooSlow from None
            seen += len(message.get("body", b""))
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            if seen > self.limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            await self._refuse(scope, receive, send, 413, "too_large")
        except BodyTooSlow:
            await self._refuse(scope, receive, send, 408, "timeout")

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, reason: str
    ) -> None:
        service = getattr(scope.get("app"), "state", None)
        service = getattr(service, "service", None)
        if service is not None:
            model = scope["path"].split("/")[3] if scope["path"].startswith("/v1/models/") else ""
            if model in service.models:
                service.metrics.rejected.labels(model=model, reason=reason).inc()
        if status == 413:
            message = f"The request body is over the limit of {self.limit:,} bytes."
        else:
            message = f"The request body did not arrive within {self.timeout:g} seconds."
        response = error_response(status, message, "body")
        if status == 408:
            response.headers["Connection"] = "close"
        await response(scope, receive, send)


class CatchAll:
    """Answer an unexpected failure with a logged 500 without breaking the connection.

    Starlette's outermost middleware re-raises after answering, and the server then closes the
    connection: the client's next request on it was reset. Here the failure ends with the
    answer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; answer 500 if it fails before its answer has begun."""
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception:
            if scope["type"] != "http" or started:
                raise
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            response = error_response(500, "Internal error; the server log has the details.")
            await response(scope, receive, send)


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
        unfit = isinstance(error, UnfitValue)  # read, but a value does not fit the model
        _count_rejection(request, "schema" if unfit else "malformed")
        return error_response(422 if unfit else 400, error.message, error.field)

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, error: Unavailable) -> JSONResponse:
        if isinstance(error, Overloaded):
            _count_rejection(request, "overloaded")
        response = error_response(503, str(error), error.field)
        response.headers["Retry-After"] = str(error.retry_after)
        return response

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
        if error.status_code in (401, 403):  # the unread body is not received: the sender
            response.headers["Connection"] = "close"  # without a token costs next to nothing
        return response

    @app.exception_handler(ClientGone)
    async def client_gone(request: Request, error: ClientGone) -> JSONResponse:
        return error_response(499, str(error))  # nobody reads it: the client has gone


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
        # Swagger UI and ReDoc load their scripts from a CDN: blank pages offline, so off
        # unless asked for (api_docs = true); /openapi.json is always served
        docs_url="/docs" if settings.server.api_docs else None,
        redoc_url=None,
        responses={
            400: {"model": _error_model()},
            401: {"model": _error_model()},
            403: {"model": _error_model()},
            404: {"model": _error_model()},
            408: {"model": _error_model()},
            413: {"model": _error_model()},
            415: {"model": _error_model()},
            422: {"model": _error_model()},
            503: {"model": _error_model()},
        },
    )
    app.state.service = service if service is not None else Service(settings)
    app.state.settings = settings
    _install_error_handlers(app)
    for module in (ingest, models, operations, dashboard):
        app.include_router(module.router)
    app.add_middleware(
        BodyLimit,
        limit=settings.server.max_body_bytes,
        timeout=settings.server.body_timeout_seconds,
    )
    app.add_middleware(CatchAll)
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
