"""Driving a sandbox consent page over plain HTTP, as a browser would."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from sandbox.oauth import DEMO_CLIENT

REDIRECT_URI = "http://127.0.0.1:8000/oauth/complete/"


def consent(
    http: httpx.Client,
    authorize_url: str,
    *,
    decision: str = "allow",
    state: str = "xyz",
    client_id: str = DEMO_CLIENT.client_id,
    redirect_uri: str = REDIRECT_URI,
    **extra: str,
) -> dict[str, str]:
    """Open the consent page, press Allow or Deny, return the query the app is redirected with."""
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "state": state,
        **extra,
    }
    page = http.get(f"{authorize_url}?{urlencode(params)}")
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    assert re.search(rf"name=.decision. value=.{decision}.", page.text), page.text
    answer = http.post(authorize_url, data={**fields, "decision": decision})
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(redirect_uri)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
