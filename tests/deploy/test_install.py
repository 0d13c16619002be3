"""deploy/install.sh for real: a fresh virtual environment, this checkout with its service extra.

This is what the Dockerfile runs (without Docker, which cannot run here). It downloads the
service's dependencies from the package index, so it is marked slow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_install_script_builds_a_working_service_environment(tmp_path: Path) -> None:
    venv = tmp_path / "shiftwatch"
    environment = {
        **os.environ,
        "SHIFTWATCH_VENV": str(venv),
        "PYTHON": sys.executable,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    environment.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        ["sh", str(ROOT / "deploy" / "install.sh"), str(ROOT)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"shiftwatch installed in {venv}" in result.stdout

    help_text = subprocess.run(
        [str(venv / "bin" / "shiftwatch"), "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "serve" in help_text

    # The extra brought the service's dependencies, and the app can be imported.
    code = "import fastapi, uvicorn, sqlalchemy, alembic, pydantic_settings, prometheus_client"
    code += ", psycopg"
    subprocess.run([str(venv / "bin" / "python"), "-c", code], check=True, timeout=120)
    if (ROOT / "src" / "shiftwatch" / "service" / "__init__.py").exists():
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import shiftwatch.service.app"],
            check=True,
            timeout=120,
        )
