"""The served OpenAPI document, fuzzed by schemathesis with a bounded number of examples per
operation: no answer is a 5xx, and every answer matches the document (status code, JSON
shape, content type). The requests carry a real key, so they get past authentication."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from organizations.services import api_key_create

MAX_EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


@pytest.fixture
def wsgi_in_the_test_transaction(db):
    # The app is called as WSGI inside the test's transaction: like Django's test client,
    # keep it from closing the database connection at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_no_operation_answers_5xx_or_off_the_schema(wsgi_in_the_test_transaction, organization):
    _, key = api_key_create(organization=organization, name="Fuzzing key")
    headers = {"Authorization": f"Bearer {key}", "X-Polytomic-Version": "2025-09-18"}
    schema = schemathesis.openapi.from_wsgi("/api/schema", wsgi_in_the_test_transaction)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        fuzz = fuzzer(operation.as_strategy(), headers)
        try:
            fuzz()
        except Exception as error:
            raise AssertionError(f"{operation.label}: {error}") from error


def fuzzer(strategy: st.SearchStrategy, headers: dict[str, str]):
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=strategy)
    def fuzz(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    return fuzz
