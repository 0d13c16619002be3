"""Robustness: schemathesis generates requests from the OpenAPI document (every route, the
model servers' bodies and CloudEvents headers included); no answer is a 5xx, and every error
answer has the one error shape with a message.

The quick run tries 30 cases per operation; the slow one at least 10,000 in all.
"""

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from shiftwatch.service.app import create_app
from shiftwatch.service.settings import load_settings


def _app(reference: Path, outputs: Path, folder: Path) -> TestClient:
    # a database file: schemathesis may start and stop the app's lifespan around its calls,
    # and an in-memory database would not outlive the first stop
    config = load_settings(
        server={"db_url": f"sqlite:///{folder / 'fuzz.db'}", "max_body_bytes": 200_000},
        models=[
            {
                "name": "churn",
                "reference": str(reference),
                "reference_outputs": str(outputs),
                "expected_error_rate": 0.1,
                "window": 200,
            }
        ],
    )
    return TestClient(create_app(config))


@pytest.fixture(scope="module")
def api(
    reference_files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[schemathesis.schemas.BaseSchema]:
    client = _app(*reference_files, tmp_path_factory.mktemp("fuzz"))
    client.__enter__()
    yield schemathesis.openapi.from_asgi("/openapi.json", client.app)
    client.__exit__(None, None, None)


def _fuzz(api: schemathesis.schemas.BaseSchema, per_operation: int) -> int:
    """Call every operation ``per_operation`` times; return the number of cases tried."""
    tried = 0
    for operation in [result.ok() for result in api.get_all_operations()]:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=per_operation,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            nonlocal tried
            tried += 1
            response = case.call()
            assert response.status_code < 500, (case.operation.label, response.text)
            if response.status_code >= 400:
                assert response.json()["error"]["message"], case.operation.label

        call()
    return tried


def test_no_request_makes_the_service_fail(api: schemathesis.schemas.BaseSchema) -> None:
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 13
    labels = {operation.label for operation in operations}
    assert "POST /v1/models/{model}/kserve" in labels
    assert _fuzz(api, 30) >= 30 * len(operations) // 2


@pytest.mark.slow
def test_ten_thousand_requests_make_no_5xx(api: schemathesis.schemas.BaseSchema) -> None:
    operations = [result.ok() for result in api.get_all_operations()]
    assert _fuzz(api, math.ceil(12_000 / len(operations))) >= 10_000
