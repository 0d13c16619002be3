"""The dashboard: one read-only page at ``/`` that draws what the read API answers.

The page and its script and style sheet are static files (``service/dashboard/``): they hold
no data and no secret, so they are served without a token. The script asks the read API
(``/v1/models...``) with the token typed into the page, kept in the tab's sessionStorage, and
polls it every few seconds (``/?refresh=1`` for every second). A Content-Security-Policy keeps
the page to its own origin: no inline script, no request to any other host. The routes stay
out of the OpenAPI document, which describes the API only.

>>> response = page()
>>> response.status_code, response.media_type, b"dashboard.js" in response.body
(200, 'text/html; charset=utf-8', True)
"""

from functools import cache
from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

router = APIRouter(tags=["dashboard"], include_in_schema=False)

FILES = resources.files("shiftwatch.service") / "dashboard"
ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@cache
def _read(name: str) -> bytes:
    return (FILES / name).read_bytes()


@router.get("/")
def page() -> Response:
    """The dashboard page (no token needed: it holds no data)."""
    return Response(_read("index.html"), media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/dashboard/{name}")
def asset(name: str) -> Response:
    """The page's script or style sheet."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(404, f"No dashboard file named {name!r}; there are {sorted(ASSETS)}.")
    return Response(_read(name), media_type=media_type, headers=HEADERS)
