"""Issue 12's demo path: the Salesloft walkthrough followed from the console's Walkthroughs
page, as someone trying `make demo` would — the Demo warehouse already connected, every other
step opened by the page's own button (the model editor comes filled in with the guide's query),
the sync built, run with Run now on a real worker, and every step ticked at the end. The seed's
whole query (2,500 people) runs, with the demo's Salesloft allowance on both sides."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from config.services_probe import redis_url
from connections.services import connection_create
from sandbox.warehouse_data import demo_users
from syncs.models import Sync, SyncExecution
from tests.browser.walkthrough import ConsoleErrors, log_in, proceed
from tests.connections.destinations.salesloft.support import stored
from tests.integration.worker import worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]
ALLOWANCE = "6000/60"  # make demo's DEMO_SALESLOFT_RATE


def test_the_salesloft_walkthrough_is_followed_from_the_walkthroughs_page(
    live_server,
    page,
    screenshot,
    admin,
    organization,
    sandbox,
    vendors,
    demo_warehouse,
    http,
    settings,
    tmp_path,
):
    settings.VENDORS = {
        **settings.VENDORS,
        "salesloft": {**settings.VENDORS["salesloft"], "rate_limit": ALLOWANCE},
    }
    sandbox.app.faults.update({"budgets": {"salesloft": ALLOWANCE}})
    connection_create(  # as make demo's demo_setup makes it
        organization=organization, name="Demo warehouse", type="snowflake", values=demo_warehouse
    )
    errors = ConsoleErrors(page, live_server.url)
    log_in(page, live_server, admin)
    page.click("nav >> text=Walkthroughs")
    guide = page.locator("section.walkthrough", has_text="Salesloft cadence")
    expect(guide.locator(".step.done")).to_have_count(1)  # the warehouse is there already
    screenshot("walkthroughs-0-start")

    guide.get_by_role("link", name="Connect the tool").click()
    page.click("button[value=oauth]")
    page.wait_for_url(re.compile(re.escape(sandbox.url) + ".*"))
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("status")).to_contain_text("Salesloft is connected and working")

    page.click("nav >> text=Walkthroughs")
    guide.get_by_role("link", name="Write the model").click()
    expect(page.locator("#id_query")).to_have_value(re.compile("GROUP BY plan, first_name"))
    expect(page.locator("#id_name")).to_have_value("Active Users")
    page.click("button[value=save]")
    expect(page.locator(".message")).to_contain_text("saved with 5 fields")

    page.click("nav >> text=Walkthroughs")
    expect(guide.locator(".step.done")).to_have_count(3)
    guide.get_by_role("link", name="Build the sync").click()
    page.get_by_label("Salesloft").check()  # the model is chosen already
    proceed(page)
    page.get_by_label("Cadence: Active Users Onboarding").check()
    proceed(page)
    page.get_by_label("Update or create").check()
    proceed(page)
    expect(page.get_by_label("Model column")).to_have_value("EMAIL")
    proceed(page)
    expect(page.locator("#field-0-target")).to_have_value("custom_fields.Plan")
    page.get_by_role("button", name="Remove mapping 1").click()  # the guide sends names only
    expect(page.locator("#field-rows tbody tr")).to_have_count(2)
    proceed(page)
    proceed(page)  # when a row leaves: taken off the cadence
    proceed(page)  # manually, as the guide's schedule
    page.get_by_label("Name of the sync").fill("Snowflake to Salesloft Cadence Sync")
    page.get_by_role("button", name="Save sync").click()
    expect(page.locator(".message")).to_contain_text("saved (active)")
    sync = Sync.objects.get()

    with worker(
        broker=redis_url(),
        sandbox_url=sandbox.url,
        tmp_path=tmp_path,
        queue="celery",
        SYNCLINE_SALESLOFT_RATE_LIMIT=ALLOWANCE,
    ) as running:
        page.get_by_role("button", name=re.compile(r"^Run now")).click()
        execution = running.wait(SyncExecution.objects.filter(sync=sync).latest(), timeout=300)
    assert execution.status == "completed", execution.errors

    everyone = {u.email.strip().lower() for u in demo_users()}
    refused = {
        value.lower() for value in execution.record_errors.values_list("identity_value", flat=True)
    }
    assert refused and refused <= everyone
    people = {p["id"]: p for p in stored(http, sandbox, "people")}
    on_cadence = {
        people[m["person_id"]]["email_address"].lower()
        for m in stored(http, sandbox, "cadence_memberships")
        if m["cadence_id"] == 1001 and m["currently_on_cadence"]
    }
    assert on_cadence == everyone - refused  # everybody else is on the cadence
    assert execution.error_count == len(refused)
    assert execution.insert_count == len(on_cadence)

    page.click("nav >> text=Walkthroughs")
    expect(guide.locator(".step.done")).to_have_count(6)
    expect(guide.locator("h2 .badge")).to_have_text("Done")
    screenshot("walkthroughs-1-salesloft-done")
    errors.assert_none()
