"""Run the app under uvicorn: one process (metrics live in it), the settings' host and port."""

import logging

import uvicorn

from shiftwatch.service.app import create_app
from shiftwatch.service.settings import ServerSettings, Settings

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def open_scopes(server: ServerSettings) -> list[str]:
    """Warnings for what anyone who reaches the server may do, without a token.

    >>> open_scopes(ServerSettings(host="0.0.0.0", write_tokens=["w"]))
    ['no read tokens: anyone who reaches 0.0.0.0:8000 can read the models and /metrics']
    """
    where = f"{server.host}:{server.port}"
    warnings = []
    if not server.write_tokens:
        warnings.append(f"no write tokens: anyone who reaches {where} can send events")
    if (
        not server.read_tokens
        and server.host not in LOOPBACK
        and not server.host.startswith("127.")
    ):
        warnings.append(
            f"no read tokens: anyone who reaches {where} can read the models and /metrics"
        )
    return warnings


def run_server(settings: Settings) -> None:
    """Serve until interrupted; logs go to standard error."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for warning in open_scopes(settings.server):
        logging.getLogger("shiftwatch.service").warning(warning)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.server.host,
        port=settings.server.port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=10,
    )
