"""A body too large (413), a rate limit (429, with Retry-After) and a bug (500, no trace) are
answered in the contract's error shape too, whoever raises them."""

from __future__ import annotations

import pytest
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import Throttled

from api.errors import api_exception_handler


def test_a_body_too_large_is_a_413():
    response = api_exception_handler(RequestDataTooBig("too big"), {})
    assert response.status_code == 413
    assert response.data["status"] == 413 and response.data["key"] == "request_too_large"


def test_a_rate_limit_is_a_429_with_retry_after():
    response = api_exception_handler(Throttled(wait=7), {})
    assert response.status_code == 429
    assert response["Retry-After"] == "7"
    assert "7 seconds" in response.data["message"]


def test_a_bug_is_a_500_saying_nothing_of_its_insides(caplog):
    response = api_exception_handler(RuntimeError("password=hunter2 in a traceback"), {})
    assert response.status_code == 500
    assert "hunter2" not in str(response.data)
    assert response.data["key"] == "internal_error"
    assert "API request failed" in caplog.text


@pytest.mark.django_db
def test_a_view_that_breaks_answers_500_in_the_shape(api, monkeypatch):
    from api.views import connections

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(connections, "connection_list", broken)
    response = api.get("/api/connections")
    assert response.status_code == 500
    assert response.json()["status"] == 500 and "boom" not in response.json()["message"]
