"""Connecting to the Salesforce emulator the way Syncline does: consent, code exchange, REST."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from sandbox.oauth import DEMO_CLIENT
from sandbox.server import RunningSandbox
from tests.sandbox.helpers import REDIRECT_URI, consent

VERSION = "v59.0"


@dataclass
class Session:
    token: dict[str, str]

    @property
    def api(self) -> str:
        """The REST base, taken from the token response's instance_url."""
        return f"{self.token['instance_url']}/services/data/{VERSION}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token['access_token']}"}


def login_url(sandbox: RunningSandbox) -> str:
    return f"{sandbox.vendor_url('salesforce')}/services/oauth2"


def exchange(
    http: httpx.Client, sandbox: RunningSandbox, code: str, **extra: str
) -> httpx.Response:
    return http.post(
        f"{login_url(sandbox)}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": DEMO_CLIENT.client_secret,
            "redirect_uri": REDIRECT_URI,
            **extra,
        },
    )


def connect(http: httpx.Client, sandbox: RunningSandbox) -> Session:
    answer = consent(http, f"{login_url(sandbox)}/authorize")
    response = exchange(http, sandbox, answer["code"])
    assert response.status_code == 200, response.text
    return Session(response.json())


def query(http: httpx.Client, session: Session, soql: str, **headers: str) -> httpx.Response:
    return http.get(
        f"{session.api}/query/", params={"q": soql}, headers={**session.headers, **headers}
    )
