"""Driving the connection wizard with Django's test client and the sandbox's consent pages.

The test client plays the browser on Syncline's side; httpx plays it on the vendor's (the
sandbox is a real HTTP server), and the vendor's redirect back is followed into the client.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from django.test import Client
from django.urls import reverse

from sandbox.vendors.salesloft import DEMO_API_KEY

# The sandbox's demo OAuth client accepts loopback redirect URIs only.
HOST = "127.0.0.1"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def begin(client: Client, type_key: str, **form: Any) -> str:
    """Press "Connect with …" on the start page; returns the vendor's authorize URL."""
    data = {"name": form.pop("name", f"My {type_key}"), "action": "oauth", **form}
    if type_key == "salesforce":
        data.setdefault("connect_mode", "browser")
    response = client.post(reverse("connections:create", args=[type_key]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def consent(http: httpx.Client, authorize_url: str, decision: str = "allow") -> str:
    """Open the vendor's consent page and press Allow or Deny; returns where it redirects."""
    page = http.get(authorize_url)
    assert page.status_code == 200, page.text
    fields = dict(HIDDEN.findall(page.text))
    answer = http.post(authorize_url.split("?")[0], data={**fields, "decision": decision})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def come_back(client: Client, callback_url: str) -> Any:
    """Follow the vendor's redirect into Syncline's callback."""
    parts = urlsplit(callback_url)
    return client.get(parts.path, dict(parse_qsl(parts.query)))


def connect(
    client: Client, http: httpx.Client, type_key: str, decision: str = "allow", **form: Any
) -> Any:
    """The whole chain; returns Syncline's answer to the vendor's redirect."""
    return come_back(client, consent(http, begin(client, type_key, **form), decision))


def connect_salesloft_api_key(client: Client, api_key: str = DEMO_API_KEY, **form: Any) -> Any:
    data = {"name": "Salesloft key", "api_key": api_key, "action": "api_key", **form}
    return client.post(reverse("connections:create", args=["salesloft"]), data)


def console_client(user: Any) -> Client:
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client
