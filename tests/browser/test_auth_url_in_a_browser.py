"""An API-made connection's auth_url followed in a real browser nobody is logged in to: the
sandbox's consent page, Allow, Syncline's "ready" page; the same link again is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from connections.models import Connection
from connections.oauth.links import auth_url_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _waiting(organization, type_key: str, configuration: dict) -> Connection:
    return Connection.objects.create(
        organization=organization,
        name=f"API {type_key}",
        type=type_key,
        configuration=configuration,
        status=Connection.Status.NEEDS_AUTH,
    )


def test_an_auth_url_opened_in_a_browser_connects_the_tool_once(
    live_server, page, screenshot, organization, sandbox, vendors, settings
):
    settings.SYNCLINE_PUBLIC_URL = live_server.url
    connection = _waiting(organization, "salesloft", {"auth_method": "oauth"})
    url = auth_url_for(connection, None)

    page.goto(url)
    page.wait_for_url(re.compile(re.escape(sandbox.url) + ".*"))
    expect(page.get_by_role("button", name="Allow")).to_be_visible()
    screenshot("auth-url-1-consent")
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("status")).to_contain_text("Salesloft is connected and working")
    expect(page.locator("h1")).to_contain_text("API salesloft is ready")
    screenshot("auth-url-2-ready")
    connection.refresh_from_db()
    assert connection.status == Connection.Status.HEALTHY
    assert connection.secrets["access_token"] not in page.content()

    page.goto(url)
    expect(page.get_by_role("alert")).to_contain_text("already used")
    screenshot("auth-url-3-used-again")


def test_an_auth_url_with_redirect_url_lands_there_and_a_denial_is_said_in_words(
    live_server, page, screenshot, organization, sandbox, vendors, settings
):
    settings.SYNCLINE_PUBLIC_URL = live_server.url
    configuration = {"domain": "acme.my.salesforce.com", "connect_mode": "browser"}
    connection = _waiting(organization, "salesforce", configuration)
    landing = f"{live_server.url}/login/?connected=salesforce"

    page.goto(auth_url_for(connection, landing))
    page.wait_for_url(re.compile(re.escape(sandbox.url) + ".*"))
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_role("alert")).to_contain_text("You chose not to allow access in Salesforce")
    screenshot("auth-url-4-denied")
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_AUTH
    assert not connection.secrets

    page.goto(auth_url_for(connection, landing))
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(landing)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.HEALTHY

    page.goto(f"{live_server.url}/oauth/link/not-a-link")
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    screenshot("auth-url-5-tampered")
