"""Fixtures of the service tests: reference profiles, settings, and a database of each kind.

``db_url`` runs a test on SQLite (a file in the test's folder) and on the machine's
PostgreSQL (127.0.0.1:5432, trust auth), in a database created for the test and dropped after.
Without PostgreSQL the PostgreSQL runs are skipped, except under CI (``CI`` set), where they
fail: CI must test both.
"""

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from shiftwatch.outputs import output_columns
from shiftwatch.profile import Profile
from tests.service.servers import free_port

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
FEATURES = ["age", "income", "plan"]


def _postgres_database() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    name = f"shiftwatch_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres")
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432 ({error})")
    admin.autocommit = True
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.format(name=name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shiftwatch.db'}"
    else:
        yield from _postgres_database()


def reference_data(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "age": rng.normal(40.0, 10.0, n),
        "income": rng.lognormal(10.0, 0.5, n),
        "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2]),
    }


def probabilities(rng: np.random.Generator, n: int, confidence: float = 0.8) -> np.ndarray:
    top = np.clip(rng.normal(confidence, 0.05, n), 0.34, 0.99)
    out = np.repeat(((1 - top) / 2)[:, None], 3, axis=1)
    out[np.arange(n), rng.integers(0, 3, n)] = top
    return out


def calibration_file(path: Path, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Write a calibration file of ``n`` labelled predictions (80% right) to ``path``.

    Returns the probabilities and labels written, for the test's own estimate.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    held_out = probabilities(rng, n)
    labels = np.where(rng.random(n) < 0.8, held_out.argmax(axis=1), rng.integers(0, 3, n))
    columns = {f"p{k}": held_out[:, k] for k in range(3)}
    pq.write_table(pa.table({**columns, "label": labels}), path)
    return held_out, labels


@pytest.fixture(scope="session")
def reference_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 20,000-row reference profile of three features, and of its model's outputs."""
    folder = tmp_path_factory.mktemp("references")
    rng = np.random.default_rng(2026)
    inputs = folder / "ref.swp"
    outputs = folder / "ref-outputs.swp"
    Profile.from_data(reference_data(rng, 20_000)).save(inputs)
    Profile.from_data(output_columns(probabilities(rng, 20_000))).save(outputs)
    return inputs, outputs


@pytest.fixture
def client(db_url: str, reference_files: tuple[Path, Path]) -> Iterator[Any]:
    """A TestClient of a running app: one model, ``churn``, with tokens (``test_app.py``)."""
    from fastapi.testclient import TestClient

    from shiftwatch.service.app import create_app
    from tests.service.test_app import settings_for

    app = create_app(settings_for(db_url, reference_files[0], check_every=500, ert=1e6))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[str]:
    """A real Alertmanager on loopback (Debian's prometheus-alertmanager); its URL."""
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("alertmanager is missing: .ci/run installs prometheus-alertmanager")
        pytest.skip("alertmanager is not installed (Debian package prometheus-alertmanager)")
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        "route:\n  receiver: 'null'\n  group_wait: 0s\nreceivers:\n  - name: 'null'\n"
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "alertmanager.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail(
                f"alertmanager did not start: {(tmp_path / 'alertmanager.log').read_text()}"
            )
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()
