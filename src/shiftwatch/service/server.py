"""Run the app under uvicorn: one process (metrics live in it), the settings' host and port."""

import logging

import uvicorn

from shiftwatch.service.app import create_app
from shiftwatch.service.settings import Settings


def run_server(settings: Settings) -> None:
    """Serve until interrupted; logs go to standard error."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not settings.server.write_tokens:
        logging.getLogger("shiftwatch.service").warning(
            "no write tokens: anyone who reaches %s:%d can send events",
            settings.server.host,
            settings.server.port,
        )
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.server.host,
        port=settings.server.port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=10,
    )
