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
def health(request: Request) -> dict[str, object]:
    """Whether the service runs and its database answers."""
    service = request.app.state.service
    service.store.count_rows("")
    return {"status": "ok", "models": sorted(service.models)}
