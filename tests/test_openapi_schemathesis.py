"""Property-based check of the API against its own OpenAPI description (schemathesis).

For every operation, generated requests — valid ones and deliberately invalid ones — are sent
to the WSGI application in-process (no network), authenticated as an HQ planner of the Gaza
mission. Whatever is sent, the API must not fail with a 5xx, must answer only status codes
and content types its schema declares, and must answer bodies that match the declared schemas
(including the standard error body).

Bounded and reproducible: a fixed number of examples per operation, derandomised.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from stabforce.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def hq_authorization(gaza, users, token_for) -> str:
    return token_for(users["hq"])


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go through the real WSGI handler, whose request signals close "obsolete"
    database connections — on PostgreSQL that would close the test's own transaction. Django's
    test client detaches the same handler; so do we, for the duration of the test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_openapi_description(case, hq_authorization):
    case.call_and_validate(headers={"Authorization": hq_authorization}, checks=CHECKS)
