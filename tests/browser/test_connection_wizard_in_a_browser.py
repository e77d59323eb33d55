"""Step 2 of the walkthroughs, clicked: connect Salesloft, Gong, LinkedIn Ads and Salesforce
through the wizard, the sandbox's consent pages included, and see them healthy."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from connections.models import Connection
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _start(page, live_server, name: str) -> None:
    page.goto(f"{live_server.url}/connections/new")
    page.click(f".type-card >> text={name}")
    expect(page.locator("h1")).to_contain_text(f"Connect {name}")


def _consent(page, sandbox, screenshot, shot: str, decision: str = "Allow") -> None:
    page.wait_for_url(re.compile(re.escape(sandbox.url) + ".*"))
    expect(page.get_by_role("button", name="Allow")).to_be_visible()
    screenshot(shot)
    page.get_by_role("button", name=decision).click()


def test_a_person_connects_the_four_tools_by_clicking_and_sees_them_healthy(
    live_server, page, screenshot, admin, sandbox, vendors
):
    _log_in(page, live_server, admin)
    page.click("nav >> text=Connections")
    page.click("text=New connection")
    expect(page.locator(".type-card")).to_have_count(6)
    screenshot("wizard-1-choose-the-tool")

    # Salesloft: first a wrong API key, then OAuth.
    _start(page, live_server, "Salesloft")
    screenshot("wizard-salesloft-2-start")
    page.click("text=Use an API key")
    page.fill("#id_api_key", "ak" + "0" * 64)
    page.click("button[value=api_key]")
    expect(page.get_by_role("alert")).to_contain_text("Salesloft refused")
    screenshot("wizard-salesloft-wrong-api-key")
    assert not Connection.objects.exists()
    page.click("text=Sign in with Salesloft")
    page.click("button[value=oauth]")
    _consent(page, sandbox, screenshot, "wizard-salesloft-3-consent")
    expect(page.get_by_role("status")).to_contain_text("Salesloft is connected and working")
    expect(page.locator(".wizard-steps li.current")).to_contain_text("Done")
    screenshot("wizard-salesloft-4-done")

    # Gong: a refused consent comes back as words on the start page, then it is allowed.
    _start(page, live_server, "Gong")
    screenshot("wizard-gong-2-start")
    page.click("button[value=oauth]")
    _consent(page, sandbox, screenshot, "wizard-gong-3-consent", decision="Deny")
    expect(page.get_by_role("alert")).to_contain_text("You chose not to allow access in Gong")
    screenshot("wizard-gong-denied")
    assert Connection.objects.filter(type="gong").count() == 0
    page.click("button[value=oauth]")
    _consent(page, sandbox, screenshot, "wizard-gong-3-consent")
    expect(page.get_by_role("status")).to_contain_text("Gong is connected and working")
    expect(page.locator(".facts")).to_contain_text(f"{sandbox.url}/gong/api")
    screenshot("wizard-gong-4-done")

    # LinkedIn Ads: choose the ad accounts after the consent.
    _start(page, live_server, "LinkedIn Ads")
    screenshot("wizard-linkedinads-2-start")
    page.click("button[value=oauth]")
    _consent(page, sandbox, screenshot, "wizard-linkedinads-3-consent")
    expect(page.locator("h1")).to_contain_text("Choose ad accounts")
    expect(page.get_by_label("Acme Ads (512630692)")).to_be_visible()
    screenshot("wizard-linkedinads-4-accounts")
    page.get_by_label("Acme Ads (512630692)").check()
    page.get_by_label("Acme EMEA (512630693)").check()
    page.click("text=Save and continue")
    expect(page.get_by_role("status")).to_contain_text("LinkedIn Ads is connected and working")
    expect(page.locator(".facts")).to_contain_text("512630692, 512630693")
    screenshot("wizard-linkedinads-5-done")

    # Salesforce: its options before the consent.
    _start(page, live_server, "Salesforce")
    page.check("#id_enforce_api_limits")
    page.fill("#id_daily_api_calls", "5000")
    screenshot("wizard-salesforce-2-options")
    page.click("button[value=oauth]")
    _consent(page, sandbox, screenshot, "wizard-salesforce-3-consent")
    expect(page.get_by_role("status")).to_contain_text("Salesforce is connected and working")
    expect(page.locator(".facts")).to_contain_text(f"{sandbox.url}/salesforce/instance")
    screenshot("wizard-salesforce-4-done")

    page.click("text=Go to connections")
    expect(page.locator("tbody tr")).to_have_count(4)
    expect(page.locator("tbody .badge.status-healthy")).to_have_count(4)
    screenshot("wizard-connections-all-healthy")
    connections = Connection.objects.all()
    assert {c.type for c in connections} == {"salesloft", "gong", "linkedinads", "salesforce"}
    assert all(c.status == Connection.Status.HEALTHY for c in connections)
    assert Connection.objects.get(type="linkedinads").configuration["accounts"] == [
        "512630692",
        "512630693",
    ]
    html = page.content()
    for connection in connections:
        assert connection.secrets["access_token"] not in html


def test_a_connection_that_lost_its_access_is_reconnected_from_the_home_page(
    live_server, page, screenshot, admin, sandbox, vendors
):
    _log_in(page, live_server, admin)
    _start(page, live_server, "Salesloft")
    page.click("button[value=oauth]")
    _consent(page, sandbox, screenshot, "wizard-salesloft-3-consent")
    expect(page.get_by_role("status")).to_contain_text("is connected and working")

    # Salesloft forgets Syncline's grant: the next check can't refresh and asks to reconnect.
    httpx.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={"vendor": "salesloft"})
    httpx.post(f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={"vendor": "salesloft"})
    page.locator("main").get_by_role("link", name="Settings").click()
    page.click("text=Check now")
    expect(page.locator(".page-head .badge")).to_have_text("Needs to be reconnected")
    screenshot("wizard-reconnect-1-detail")
    page.click("nav >> text=Connections")
    expect(page.locator("tbody")).to_contain_text("Needs to be reconnected")
    expect(page.locator("tbody").get_by_role("button", name="Reconnect")).to_be_visible()
    screenshot("wizard-reconnect-2-list")
    page.click("nav >> text=Home")
    expect(page.locator(".alert.warning")).to_contain_text("Needs to be reconnected")
    screenshot("wizard-reconnect-3-home")

    page.locator(".alert.warning").get_by_role("button", name="Reconnect").click()
    _consent(page, sandbox, screenshot, "wizard-reconnect-4-consent")
    expect(page.get_by_role("status")).to_contain_text("is connected and working")
    screenshot("wizard-reconnect-5-done")
    connection = Connection.objects.get()
    assert connection.status == Connection.Status.HEALTHY
