"""What the LinkedIn Ads destination tests share: a connection with real sandbox tokens, the
sandbox's stored records and request log, and the seeded audiences' ids."""

from __future__ import annotations

from typing import Any

import httpx

from connections.models import Connection
from connections.services import connection_create
from tests.sandbox.helpers import REDIRECT_URI, consent

ACME = "512630692::urn:li:organization:28818517"
EMEA = "512630693::urn:li:organization:28818517"
COMPANY_AUDIENCE = f"{ACME}~company_audience.29728356"
USER_AUDIENCE = f"{ACME}~user_audience.29728357"
EMEA_USER_AUDIENCE = f"{EMEA}~user_audience.29728360"
PARTNER_AUDIENCE = "512630694::urn:li:organization:10482231~user_audience.29728361"


def linkedin_tokens(http: httpx.Client, vendors: dict[str, Any]) -> dict[str, Any]:
    """Tokens from the sandbox's consent page and code exchange, as the wizard gets them."""
    linkedin = vendors["linkedinads"]
    code = consent(http, linkedin["authorize_url"])["code"]
    answer = http.post(
        linkedin["token_url"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": linkedin["client_id"],
            "client_secret": linkedin["client_secret"],
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def linkedin_connection(
    organization: Any, tokens: dict[str, Any], **configuration: Any
) -> Connection:
    return connection_create(
        organization=organization,
        name=f"LinkedIn Ads {Connection.objects.count() + 1}",
        type="linkedinads",
        values={
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
            **configuration,
        },
    )


def stored(sandbox: Any, http: httpx.Client, table: str) -> list[dict[str, Any]]:
    return http.get(f"{sandbox.url}/_sandbox/records/linkedinads/{table}").json()["data"]


def request_log(sandbox: Any, http: httpx.Client) -> dict[str, Any]:
    return http.get(f"{sandbox.url}/_sandbox/requests", params={"vendor": "linkedinads"}).json()


def emulator(sandbox: Any) -> Any:
    return sandbox.app.emulators["linkedinads"]
