"""Robustness: schemathesis generates requests from the OpenAPI document; no answer is a 5xx,
and every error answer has the one error shape with a message."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from shiftwatch.service.app import create_app
from shiftwatch.service.settings import load_settings


def _app(reference: Path) -> TestClient:
    config = load_settings(
        server={"db_url": "sqlite://", "max_body_bytes": 200_000},
        models=[{"name": "churn", "reference": str(reference), "window": 200}],
    )
    return TestClient(create_app(config))


@pytest.fixture(scope="module")
def api(reference_files: tuple[Path, Path]) -> Iterator[schemathesis.schemas.BaseSchema]:
    client = _app(reference_files[0])
    client.__enter__()
    yield schemathesis.openapi.from_asgi("/openapi.json", client.app)
    client.__exit__(None, None, None)


def test_no_request_makes_the_service_fail(api: schemathesis.schemas.BaseSchema) -> None:
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call()
            assert response.status_code < 500, (case.operation.label, response.text)
            if response.status_code >= 400:
                assert response.json()["error"]["message"], case.operation.label

        call()
