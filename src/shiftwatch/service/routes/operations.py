"""Operations: Prometheus metrics and the health check."""

from fastapi import APIRouter, Depends, Request, Response

from shiftwatch.service.auth import require

router = APIRouter(tags=["operations"])
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/metrics", dependencies=[Depends(require("read"))], response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus metrics in the text exposition format."""
    body = request.app.state.service.metrics.exposition()
    return Response(body, media_type=PROMETHEUS_TEXT)


@router.get("/healthz")
def health(request: Request, response: Response) -> dict[str, object]:
    """Whether the service works: its database answers, writes succeed, alerts are sent.

    200 with ``"status": "ok"``; 503 with ``"status": "failing"`` and the ``problems``.
    """
    answer = request.app.state.service.health()
    if answer["status"] != "ok":
        response.status_code = 503
    return answer  # type: ignore[no-any-return]
