"""Fixtures every test folder may use."""

import os
from pathlib import Path

import pytest


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where tests save what a person may want to look at (screenshots): the folder in
    ``$SHIFTWATCH_ARTIFACTS``, else the test's own temporary folder."""
    folder = Path(os.environ.get("SHIFTWATCH_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
