"""Every page of running and watching syncs, at 1280 by 800 in Chromium: each shows what it must,
with no JavaScript error, and a screenshot is kept to look at."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from syncs.models import SyncExecution
from tests.console.sync_pages_support import some_syncs
from tests.factories import (
    PASSWORD,
    ConnectionFactory,
    MembershipFactory,
    SqlModelFactory,
    SyncExecutionFactory,
    SyncFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = {
    "create": {
        "count": 120,
        "samples": [
            {"identity": f"person{n}@example.com", "record": {"first_name": f"Person {n}"}}
            for n in range(3)
        ],
    },
    "update": {
        "count": 4,
        "samples": [{"identity": "ada@example.com", "record": {"first_name": "Ada"}}],
    },
    "gone": {"count": 1, "samples": [{"identity": "old@example.com", "record": {}}]},
    "in_doubt": {"count": 0, "samples": []},
}


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_every_run_and_watch_page_renders_in_words(
    live_server, page, screenshot, superuser, organization
):
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"{m.text} {m.location}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    made = some_syncs(organization, errors=60)
    ConnectionFactory(
        organization=organization,
        name="Gong",
        type="gong",
        status="needs_auth",
        status_error="Gong refused Syncline's access token.",
    )
    SyncExecutionFactory(sync=made["healthy"], status="completed", test=True, report=REPORT)
    busy = SyncFactory(
        organization=organization,
        name="Leads to the Q4 cadence",
        model=made["healthy"].model,
        target_connection=made["healthy"].target_connection,
        target_object="cadence:1001",
        schedule={"frequency": "hourly", "minute": "15"},
    )
    running = SyncExecutionFactory(
        sync=busy,
        status="running",
        phase="load",
        progress={
            "rows_read": 5400,
            "rows_changed": 800,
            "rows_sent": 300,
            "rows_accepted": 297,
            "rows_rejected": 3,
        },
    )
    unused = SqlModelFactory(organization=organization, name="Unused model")
    log_in(page, live_server, superuser)
    base = live_server.url

    expect(page.get_by_role("heading", name="Failed in the last day")).to_be_visible()
    screenshot("home")

    page.get_by_role("link", name="Syncs", exact=True).click()
    page.wait_for_url(f"{base}/syncs/")
    expect(page.locator("tbody tr").first).to_contain_text("Zulu cadence")
    screenshot("syncs-list")
    page.get_by_role("link", name="Last run failed").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    screenshot("syncs-list-failed")

    page.goto(f"{base}/syncs/{made['healthy'].pk}/")
    expect(page.get_by_text("Would be created: 120")).to_be_visible()
    screenshot("sync-page-with-a-dry-run")

    page.goto(f"{base}/syncs/{busy.pk}/")
    expect(page.locator("#progress")).to_contain_text("Sending changes")
    screenshot("sync-page-running")
    page.get_by_role("button", name="Cancel this run").click()
    expect(page.get_by_text("Stopping: the run ends after the batch")).to_be_visible()
    running.refresh_from_db()
    assert running.status == "canceling"
    # The run's page follows it too, and reloads whole when it ends.
    page.goto(f"{base}/syncs/runs/{running.pk}/")
    expect(page.locator("#progress")).to_contain_text("Stopping")
    SyncExecution.objects.filter(pk=running.pk).update(
        status="canceled", completed_at=timezone.now()
    )
    expect(page.locator(".status-line")).to_contain_text("Canceled.", timeout=10_000)
    expect(page.locator("#progress")).to_have_count(0)

    page.goto(f"{base}/syncs/runs/{made['failed'].pk}/")
    expect(page.get_by_role("alert")).to_contain_text("Salesloft is down.")
    screenshot("execution-failed")

    page.goto(f"{base}/syncs/runs/{made['rejected_run'].pk}/")
    expect(page.locator("#rejected tbody tr")).to_have_count(50)
    screenshot("execution-rejected-first-page")
    page.get_by_role("link", name="Next →").click()
    expect(page.locator("#rejected tbody tr")).to_have_count(10)
    page.fill("#q", "bad7@")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#rejected tbody tr")).to_have_count(1)
    screenshot("execution-rejected-search")

    page.goto(f"{base}/syncs/{made['rejecting'].pk}/delete/")
    screenshot("sync-delete-confirmation")

    page.goto(f"{base}/models/{made['rejecting'].model_id}/delete")
    expect(page.get_by_role("link", name="delete it")).to_have_count(5)
    screenshot("model-delete-refused")
    page.goto(f"{base}/models/{unused.pk}/delete")
    page.get_by_role("button", name="Delete Unused model").click()
    expect(page.get_by_text("The model “Unused model” is deleted.")).to_be_visible()

    page.goto(f"{base}/connections/{made['rejecting'].target_connection_id}/delete")
    expect(page.get_by_role("link", name="send it to another connection").first).to_be_visible()
    screenshot("connection-delete-with-links")

    page.get_by_role("link", name="Settings").click()  # an admin's settings: Organization first
    page.get_by_role("navigation", name="Organization settings").get_by_role(
        "link", name="Notifications"
    ).click()
    page.get_by_label("E-mail them when more than this share").fill("5")
    page.get_by_role("button", name="Save notifications").click()
    expect(page.get_by_text("Notifications saved")).to_be_visible()
    screenshot("notifications")

    page.goto(f"{base}/admin/syncs/syncexecution/")
    screenshot("admin-executions")
    page.goto(f"{base}/admin/syncs/recorderror/?q=bad1")
    screenshot("admin-record-errors")
    page.get_by_role("link", name="Open in the console").first.click()
    expect(page.locator("#rejected")).to_contain_text("bad1@example")
    # The Django admin's pages name no icon, so Chromium asks for /favicon.ico: not a page's error.
    assert [problem for problem in problems if "/favicon.ico" not in problem] == []


def test_a_member_is_told_notifications_are_for_admins(live_server, page, screenshot, organization):
    member = MembershipFactory(organization=organization).user
    log_in(page, live_server, member)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.goto(f"{live_server.url}/settings/notifications/")
    expect(page.get_by_text("can change whom Syncline e-mails about runs")).to_be_visible()
    screenshot("notifications-admins-only")
