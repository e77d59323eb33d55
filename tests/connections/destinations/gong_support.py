"""A Gong connection made as Syncline makes one (consent, code exchange with Basic client auth),
and peeks at the sandbox's state, for the Gong destination's test files."""

from __future__ import annotations

import time
from typing import Any

import httpx

from connections.models import Connection
from connections.services import connection_create
from organizations.models import Organization
from sandbox.server import RunningSandbox
from sandbox.vendors.gong import DEFAULT_SCOPE
from tests.sandbox.helpers import REDIRECT_URI, consent


def gong_tokens(vendors: dict[str, Any], http: httpx.Client) -> dict[str, Any]:
    """Tokens from the consent page and Gong's token endpoint (client auth in HTTP Basic)."""
    gong = vendors["gong"]
    code = consent(http, gong["authorize_url"], scope=DEFAULT_SCOPE)["code"]
    answer = http.post(
        gong["token_url"],
        params={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": gong["client_id"],
            "redirect_uri": REDIRECT_URI,
        },
        auth=(gong["client_id"], gong["client_secret"]),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def gong_connection(
    organization: Organization, tokens: dict[str, Any], **configuration: Any
) -> Connection:
    connection = connection_create(
        organization=organization,
        name="Gong",
        type="gong",
        values={
            "auth_method": "oauth",
            "api_base_url": tokens["api_base_url_for_customer"],
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
        },
    )
    connection.secrets = {**connection.secrets, "expires_at": time.time() + tokens["expires_in"]}
    connection.configuration = {**connection.configuration, **configuration}
    connection.save()
    return connection


def instances(http: httpx.Client, sandbox: RunningSandbox) -> list[dict[str, Any]]:
    return http.get(f"{sandbox.url}/_sandbox/records/gong/flow_instances").json()["data"]


def request_log(http: httpx.Client, sandbox: RunningSandbox) -> dict[str, Any]:
    return http.get(f"{sandbox.url}/_sandbox/requests").json()


def clear_request_log(http: httpx.Client, sandbox: RunningSandbox) -> None:
    http.delete(f"{sandbox.url}/_sandbox/requests")
