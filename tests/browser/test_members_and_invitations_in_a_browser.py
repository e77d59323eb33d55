"""In a real browser: an admin invites someone on the members page and copies the link; the
invited person opens it signed out, chooses a password and lands in the console as a member;
a member opens a connection and reads it, told who can change it. The pages keep to the
Content-Security-Policy (no console errors)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD, ConnectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_an_admin_invites_someone_who_joins_with_the_link(
    live_server, browser, page, screenshot, admin, member, organization
):
    problems = _watch(page)
    _log_in(page, live_server, admin)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    page.fill("#id_email", "nia.okafor@example.com")
    page.select_option("#id_role", "member")
    page.get_by_role("button", name="Invite").click()
    link = page.locator("#invitation-link").inner_text()
    assert "/invitations/" in link
    expect(page.get_by_role("cell", name="nia.okafor@example.com", exact=True)).to_be_visible()
    screenshot("members-page-with-a-pending-invitation")

    invited = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    problems += _watch(invited)
    invited.goto(link)
    expect(invited.get_by_role("heading", name=f"Join {organization.name}")).to_be_visible()
    invited.fill("#id_password", "12345678")
    invited.fill("#id_password_again", "12345678")
    invited.get_by_role("button", name=f"Join {organization.name}").click()
    expect(invited.get_by_text("This password is too common.")).to_be_visible()
    invited.fill("#id_password", "harbour-lantern-violet-42")
    invited.fill("#id_password_again", "harbour-lantern-violet-42")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    invited.screenshot(path=str(SCREENSHOTS / "invitation-accept.png"), full_page=True)
    invited.get_by_role("button", name=f"Join {organization.name}").click()
    invited.wait_for_url(f"{live_server.url}/")
    expect(invited.get_by_text(f"Welcome to {organization.name}.")).to_be_visible()
    invited.goto(link)
    expect(invited.get_by_text("This invitation has already been used")).to_be_visible()
    invited.context.close()

    page.goto(f"{live_server.url}/settings/members/")
    expect(page.get_by_role("cell", name="nia.okafor@example.com", exact=True)).to_be_visible()
    expect(page.get_by_text("None: everyone invited has joined")).to_be_visible()
    assert problems == []


def test_a_member_reads_a_connection_and_is_told_who_can_change_it(
    live_server, page, screenshot, admin, member, organization
):
    problems = _watch(page)
    connection = ConnectionFactory(
        organization=organization,
        name="Analytics warehouse",
        configuration={
            "host": "db.acme.example",
            "port": 5432,
            "database": "analytics",
            "username": "syncline",
            "sslmode": "require",
        },
    )
    _log_in(page, live_server, member)
    page.get_by_role("link", name="Connections").click()
    expect(page.get_by_role("link", name="New connection")).to_have_count(0)
    page.get_by_role("link", name="Analytics warehouse").click()
    page.wait_for_url(f"{live_server.url}/connections/{connection.pk}")
    note = f"Only admins of {organization.name} can change connections: {admin.username}."
    expect(page.get_by_text(note)).to_be_visible()
    expect(page.get_by_text("db.acme.example")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(1)  # only "Log out"
    screenshot("a-members-view-of-a-connection")
    page.goto(f"{live_server.url}/connections/{connection.pk}/delete")
    expect(page.get_by_text(note)).to_be_visible()
    screenshot("a-member-refused-deleting-a-connection")
    assert [p for p in problems if "403" not in p] == []
