"""Schemathesis against our own OpenAPI document (issue 8, "Proof"): for every operation, inputs
generated from its schema — valid and not — never give a 5xx, and every 4xx explains itself in
the house shape ``{"code", "message", "errors"}`` with a message a person can act on.

Runs through WSGI in-process (no server), as the sub-district admin with a bearer token, a few
examples per operation so the suite stays quick; ``SHOUWANG_FUZZ_EXAMPLES`` raises it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from conftest import World

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
EXAMPLES = int(os.environ.get("SHOUWANG_FUZZ_EXAMPLES", "6"))


@pytest.fixture(autouse=True)
def _one_connection_per_test() -> Iterator[None]:
    """As Django's test client does: the WSGI handler must not close the test's database
    connection at the end of each request (on PostgreSQL that ends the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world: World) -> str:
    from shouwang.core.auth import create_token

    return create_token("admin")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.django_db(transaction=False)
def test_no_server_error_and_every_refusal_explains_itself(case: Any, bearer: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {bearer}"})
    where = f"{case.method} {case.formatted_path} → {response.status_code}"
    assert response.status_code < 500, f"{where}: {response.text[:300]}"
    if 400 <= response.status_code < 500 and response.status_code != 405:
        body = json.loads(response.text)
        assert body.get("code"), where
        assert len(body.get("message", "")) >= 8, f"{where}: {body}"
