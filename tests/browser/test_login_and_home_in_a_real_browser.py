from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    ConnectionFactory,
    RecordErrorFactory,
    SyncExecutionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_logs_in_and_sees_the_home_page(
    live_server, page, screenshot, superuser, organization
):
    warehouse = ConnectionFactory(
        organization=organization,
        name="Snowflake warehouse",
        type="snowflake",
        secrets={"password": "marker-secret-123"},
    )
    ConnectionFactory(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        status="needs_auth",
        status_error="The access was revoked in Salesloft.",
    )
    execution = SyncExecutionFactory(
        sync__organization=organization,
        sync__name="Active users to cadence",
        status="running",
        total_count=1200,
        insert_count=1100,
        error_count=3,
    )
    for email in ("bob@", "carol@@example.com", "dave"):
        RecordErrorFactory(
            execution=execution, identity_value=email, message="email_address: is invalid"
        )
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/")
    screenshot("login")

    page.fill("#id_username", superuser.username)
    page.fill("#id_password", "wrong password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("That e-mail and password don't match")
    screenshot("login-wrong-password")

    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Latest sync runs")).to_be_visible()
    assert "Active users to cadence" in page.content()
    assert "Needs to be reconnected" in page.inner_text("body")
    # The stylesheet is served locally and applied (no CDN on these machines).
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(245, 247, 251)"
    screenshot("home")

    page.click("text=Administration")
    expect(page.locator("#content h1")).to_contain_text("Organizations, connections, models")
    screenshot("admin-index")

    page.goto(f"{live_server.url}/admin/connections/connection/{warehouse.pk}/change/")
    expect(page.locator(".field-saved_secrets")).to_contain_text("password: ••••••")
    assert "marker-secret-123" not in page.content()
    screenshot("admin-connection")

    page.goto(f"{live_server.url}/admin/syncs/syncexecution/{execution.pk}/change/")
    expect(page.locator("body")).to_contain_text("3 rejected record(s)")
    expect(page.locator("body")).to_contain_text("carol@@example.com")
    screenshot("admin-execution")

    page.goto(f"{live_server.url}/")
    page.click("text=Log out")
    page.wait_for_url(f"{live_server.url}/login/")
