"""Following an API connection's auth_url over plain HTTP, as a browser would."""

from __future__ import annotations

import re

import httpx

from connections.models import Connection

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def follow_auth_url(auth_url: str, connection_id: str) -> None:
    """Open the sign-in link as a browser would — nobody logged in — press Allow on the
    sandbox's consent page and land on Syncline's page saying the connection is ready."""
    with httpx.Client(timeout=30) as browser:
        consent_page = browser.get(auth_url, follow_redirects=True)
        assert consent_page.status_code == 200, consent_page.text
        fields = dict(HIDDEN.findall(consent_page.text))
        authorize = str(consent_page.url).split("?", 1)[0]
        landed = browser.post(
            authorize, data={**fields, "decision": "allow"}, follow_redirects=True
        )
    assert landed.status_code == 200, landed.text
    assert "is ready" in landed.text
    connection = Connection.objects.get(pk=connection_id)
    assert connection.status == "healthy", connection.status_error
    assert connection.secrets.get("access_token")
