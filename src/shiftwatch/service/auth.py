"""Bearer tokens: write tokens for ingest, read tokens for reads, admin tokens for admin calls.

A scope with no tokens configured is open, except admin calls, which are refused until an
admin token is set. An admin token opens every scope; a write token also opens reads. Tokens
are compared in constant time, and checked before any body is read. A token comes as
``Authorization: Bearer <token>``; only the model-server ingest routes (KServe, Seldon,
BentoML) also take a ``token`` query parameter, for senders that cannot set headers (KServe's
inference logger posts to a URL and nothing more: give it ``.../kserve?token=<write token>``).

>>> allowed("read", "w1", write=["w1"], read=["r1"], admin=[])
True
>>> allowed("write", None, write=["w1"], read=[], admin=[])
False
"""

import hmac
from collections.abc import Awaitable, Callable, Sequence

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer(auto_error=False, description="A write, read or admin token.")


def _matches(token: str, tokens: Sequence[str]) -> bool:
    return any(hmac.compare_digest(token.encode(), known.encode()) for known in tokens)


def allowed(
    scope: str,
    token: str | None,
    *,
    write: Sequence[str],
    read: Sequence[str],
    admin: Sequence[str],
) -> bool:
    """Whether ``token`` (None: none given) opens ``scope`` ("read", "write" or "admin")."""
    if token is not None and _matches(token, admin):
        return True
    if scope == "admin":
        return False
    if scope == "write":
        return not write or (token is not None and _matches(token, write))
    return not read or (token is not None and _matches(token, [*read, *write]))


def require(scope: str, *, query_token: bool = False) -> Callable[..., Awaitable[None]]:
    """A FastAPI dependency refusing requests whose token does not open ``scope``.

    ``query_token``: a ``?token=`` query parameter counts too (model-server ingest only).
    """

    async def check(  # async: FastAPI would run a plain function on a worker thread
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
    ) -> None:
        server = request.app.state.settings.server
        token = None if credentials is None else credentials.credentials
        if token is None and query_token:
            token = request.query_params.get("token")
        if allowed(
            scope,
            token,
            write=server.write_tokens,
            read=server.read_tokens,
            admin=server.admin_tokens,
        ):
            return
        if token is None:
            raise HTTPException(
                401,
                f"This call needs a {scope} token: send 'Authorization: Bearer <token>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        raise HTTPException(403, f"The token given does not open {scope} calls.")

    return check
