"""Issue 10's done-when: a run where the sandbox rejects a record shows that record and the
vendor's reason on the execution page, and the CSV download contains it. Run now is pressed in
the browser; a real worker runs the sync; the live panel follows it without a reload."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from config.services_probe import redis_url
from sandbox.warehouse_data import invalid_user_emails
from syncs.models import SyncExecution
from tests.factories import PASSWORD
from tests.integration.worker import Worker, database_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

# Salesloft's own check refuses it ("email_address: is invalid"): it has an @, so Syncline's
# look before sending lets it through to the vendor.
REFUSED = next(
    email
    for email in invalid_user_emails()
    if email.count("@") == 1 and "." not in email.split("@")[1]
)
PEOPLE = (
    "SELECT email, first_name FROM users WHERE email IN "
    "(SELECT DISTINCT email FROM users WHERE email LIKE '%_@_%.%' ORDER BY email LIMIT 3) "
    f"OR email = '{REFUSED}'"
)


@pytest.fixture
def celery_worker(sandbox, tmp_path, settings):
    """A real worker on the default queue of this test's Redis database, which the console's
    Run now sends to."""
    import os

    broker = redis_url()
    settings.CELERY_BROKER_URL = broker
    from config.celery import app

    app.conf.broker_url = broker
    env = {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "SYNCLINE_SANDBOX_URL": sandbox.url,
        "SYNCLINE_ALLOW_PRIVATE_HOSTS": "true",
    }
    running = Worker(broker, "celery", env, tmp_path / "worker.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_a_rejected_record_is_shown_with_its_reason_and_in_the_csv(
    live_server,
    page,
    screenshot,
    superuser,
    organization,
    make_sync,
    warehouse,
    salesloft,
    celery_worker,
):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sync = make_sync(
        source=warehouse,
        query=PEOPLE,
        target_connection=salesloft,
        target="people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name")],
        name="People to Salesloft",
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/syncs/{sync.pk}/")
    screenshot("sync-page-before-a-run")
    page.get_by_role("button", name="Run now").click()
    # The live panel polls (htmx) until the worker finishes: no reload.
    panel = page.locator("#progress")
    expect(panel).to_contain_text("Completed, with 1 record rejected.", timeout=60_000)
    # The poll that saw the run end refreshed the Runs table too.
    expect(page.locator("#runs")).to_contain_text("Completed")
    execution = SyncExecution.objects.get(sync=sync)
    assert execution.started_by == superuser
    assert (execution.status, execution.error_count) == ("completed", 1), execution.errors
    screenshot("sync-page-after-a-run")

    panel.get_by_role("link", name="See this run's details and its rejected records").click()
    rejected = page.locator("#rejected")
    expect(rejected).to_contain_text(REFUSED)
    expect(rejected).to_contain_text("email_address: is invalid")
    expect(page.locator(".figures")).to_contain_text("Created")
    screenshot("execution-page-with-a-rejected-record")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[0][:3] == ["identity", "operation", "message"]
    assert [row[0] for row in rows[1:]] == [REFUSED]
    assert "email_address: is invalid" in rows[1][2]

    page.fill("#q", "no such person")
    page.get_by_role("button", name="Search").click()
    expect(rejected).to_contain_text("No rejected record matches")
    assert problems == []
