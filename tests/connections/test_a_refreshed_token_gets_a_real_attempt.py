"""A 401 on the last attempt still gets its refresh and a real try with the new token."""

from __future__ import annotations

import pytest

from tests.connections.http_helpers import oauth_client, salesloft_oauth_connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_401_on_the_only_attempt_is_followed_by_a_call_with_the_new_token(
    sandbox, http, organization
):
    connection = salesloft_oauth_connection(sandbox, http, organization)
    client = oauth_client(sandbox, connection, max_attempts=1)
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})

    response = client.request("GET", "/v2/me")

    assert response.status_code == 200
    counts = http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]
    assert counts["GET salesloft.me"] == 2  # the 401, then the call with the refreshed token
    assert client.calls[-1].status == 200
    client.close()
