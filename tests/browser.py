"""Headless Chromium for the browser tests: Debian's ``/usr/bin/chromium``, driven by Playwright.

``require_chromium()`` at the top of a test module skips the module when Chromium is missing,
except under CI (``CI`` set), where a missing browser is an error: ``.ci/run`` installs it.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip the calling module without Chromium (fail under CI)."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium.")
    pytest.skip(
        f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests run in CI",
        allow_module_level=True,
    )


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (a Playwright ``Browser``), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Loaded:
    """A page and what happened while it ran: console messages, page errors, requests."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def problems(self) -> list[str]:
        """Page errors, and console errors and warnings."""
        return self.errors + [m for m in self.console if m.startswith(("error", "warning"))]
