"""The three vendor walkthroughs of reference/seeds/, all six steps clicked in the console from
an empty database: Snowflake and the tool connected through the wizard (the sandbox's consent
page included), the model written, the sync built step by step, run with Run now on a real
worker, and the completed execution's counts checked against what the sandbox stored."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from connections.destinations.linkedin_ads.members import EMAIL
from sandbox.vendors.gong import DEMO_FLOW_ID
from sandbox.warehouse_data import (
    demo_users,
    gong_crm_contact_ids,
    invalid_user_emails,
    salesforce_contacts,
)
from syncs.models import Sync
from tests.browser.walkthrough import (
    ConsoleErrors,
    connect_snowflake,
    connect_tool,
    log_in,
    proceed,
    run_from_the_sync_page,
    running_worker,
    step,
    write_model,
)
from tests.connections.destinations.gong_support import instances
from tests.connections.destinations.linkedin_support import ACME
from tests.connections.destinations.linkedin_support import stored as linkedin_stored
from tests.connections.destinations.salesloft.support import stored as salesloft_stored

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

# The Salesloft walkthrough's query (step 3), for the people whose e-mail starts with "a":
# Salesloft takes one call per person, and 189 keep the run within its 600 a minute.
SALESLOFT_USERS = (
    "SELECT MAX(last_activity_date) AS last_activity_date, plan, first_name, last_name, email "
    "FROM users WHERE email LIKE 'a%' GROUP BY plan, first_name, last_name, email"
)
GONG_GOLD = "SELECT contact_id FROM salesforce_contacts WHERE subscription_plan = 'gold'"
LINKEDIN_USERS = "SELECT first_name, last_name, email FROM users"


def figure(page, label: str):
    return page.locator(f".figures div:has(dt:text-is('{label}')) dd")


def see_the_execution(page, live_server, execution, screenshot, shot: str) -> None:
    page.goto(f"{live_server.url}/syncs/runs/{execution.pk}/")
    expect(page.locator(".status-line .badge")).to_have_text("Completed")
    expect(figure(page, "Created")).to_have_text(f"{execution.insert_count:,}")
    expect(figure(page, "Rejected")).to_have_text(f"{execution.error_count:,}")
    screenshot(shot)


def test_the_salesloft_cadence_walkthrough_is_clicked_through(
    live_server, page, screenshot, admin, sandbox, vendors, demo_warehouse, http, tmp_path
):
    errors = ConsoleErrors(page, live_server.url)
    log_in(page, live_server, admin)
    connect_snowflake(page, live_server, demo_warehouse)
    connect_tool(page, live_server, sandbox, "Salesloft")
    expect(page.get_by_role("status")).to_contain_text("Salesloft is connected and working")
    write_model(page, "Active Users", SALESLOFT_USERS, 5)

    # From the model's page: the model is chosen already.
    page.get_by_role("link", name="Sync this model").click()
    step(page, screenshot, "builder-salesloft-2-destination", "Which tool")
    page.get_by_label("Salesloft").check()
    proceed(page)

    step(page, screenshot, "builder-salesloft-3-target", "Where in Salesloft")
    expect(page.locator("#target-options")).to_contain_text("People")
    page.get_by_label("Search what Salesloft offers").fill("onboard")
    expect(page.locator("#target-options .choice")).to_have_count(1)  # htmx filtered the list
    screenshot("builder-salesloft-3-target-searched")
    page.get_by_label("Cadence: Active Users Onboarding").check()
    proceed(page)

    step(page, screenshot, "builder-salesloft-4-mode", "What should the sync do")
    expect(page.locator(".choice")).to_have_count(3)  # a cadence's modes, no others
    page.get_by_label("Update or create").check()
    proceed(page)

    step(page, screenshot, "builder-salesloft-5-identity", "How does a row find its record")
    expect(page.get_by_label("Model column")).to_have_value("EMAIL")
    expect(page.get_by_label("Field in Cadence: Active Users Onboarding")).to_have_value(
        "email_address"
    )
    proceed(page)

    step(page, screenshot, "builder-salesloft-6-fields", "Which columns go to which fields")
    # Suggested by name: PLAN → the custom field Plan, FIRST_NAME → first_name, LAST_NAME →
    # last_name; the walkthrough sends the names only.
    rows = page.locator("#field-rows tbody tr")
    expect(page.locator("#field-0-column")).to_have_value("PLAN")
    expect(page.locator("#field-0-target")).to_have_value("custom_fields.Plan")
    expect(page.locator("#field-1-column")).to_have_value("FIRST_NAME")
    expect(page.locator("#field-1-target")).to_have_value("first_name")
    expect(page.locator("#field-2-target")).to_have_value("last_name")
    expect(page.locator("#field-rows .chip-suggested")).to_have_count(3)
    page.get_by_role("button", name="Remove mapping 1").focus()  # by keyboard, swapped by htmx
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    expect(page.locator("#field-0-column")).to_have_value("FIRST_NAME")
    # Two columns on one field is refused on this step, in a sentence; the row is kept.
    page.get_by_role("button", name="Add a field").click()
    expect(rows).to_have_count(3)
    page.locator("#field-2-column").select_option("EMAIL")
    page.locator("#field-2-target").select_option("first_name")
    proceed(page)
    expect(page.locator("#mappings [role=alert]")).to_contain_text(
        "FIRST_NAME and EMAIL both write to First name: keep one for each field."
    )
    screenshot("builder-salesloft-6-fields-two-on-one")
    page.get_by_role("button", name="Remove mapping 3").click()
    expect(rows).to_have_count(2)
    proceed(page)

    step(page, screenshot, "builder-salesloft-7-removal", "When a row leaves the model")
    expect(page.get_by_label("Take it out")).to_be_checked()  # taken off the cadence
    proceed(page)

    step(page, screenshot, "builder-salesloft-8-schedule", "When should it run")
    page.get_by_label("Runs", exact=True).select_option("custom")
    expect(page.locator("#schedule-words")).to_contain_text("Type the cron expression")
    page.get_by_label("Cron expression").press_sequentially("30 9 * * 1-5", delay=30)
    expect(page.locator("#schedule-words")).to_contain_text("09:30 AM, Monday through Friday")
    screenshot("builder-salesloft-8-schedule-cron")
    page.get_by_label("Runs", exact=True).select_option("manual")  # the walkthrough's
    expect(page.locator("#schedule-words")).to_contain_text("Manually")
    proceed(page)

    step(page, screenshot, "builder-salesloft-9-review", "Review")
    page.get_by_label("Name of the sync").fill("Snowflake to Salesloft Cadence Sync")
    page.get_by_role("button", name="Save sync").click()
    expect(page.locator(".message")).to_contain_text("saved (active)")

    sync = Sync.objects.get()
    assert (sync.target_object, sync.mode) == ("cadence:1001", "updateOrCreate")
    assert sync.identity["source"]["field"] == "EMAIL"
    assert [f["target"] for f in sync.fields] == ["first_name", "last_name"]
    assert sync.schedule == {"frequency": "manual"}

    with running_worker(sandbox, tmp_path) as running:
        execution = run_from_the_sync_page(page, running, sync)
    assert execution.status == "completed", execution.errors
    see_the_execution(page, live_server, execution, screenshot, "builder-salesloft-10-run")

    model = {u.email.strip().lower() for u in demo_users() if u.email.startswith("a")}
    broken = {e.lower() for e in invalid_user_emails()} & model
    people = {p["id"]: p for p in salesloft_stored(http, sandbox, "people")}
    on_cadence = {
        people[m["person_id"]]["email_address"].lower()
        for m in salesloft_stored(http, sandbox, "cadence_memberships")
        if m["cadence_id"] == 1001 and m["currently_on_cadence"]
    }
    assert on_cadence == model - broken
    assert execution.insert_count == len(on_cadence)
    assert execution.error_count == len(broken)

    # Editing goes through the same steps; another cadence restarts the sync, and it says so.
    page.goto(f"{live_server.url}/syncs/{sync.pk}/")
    page.get_by_role("link", name="Edit", exact=True).click()
    step(page, screenshot, "builder-salesloft-edit-1-target", "Where in Salesloft")
    expect(page.get_by_label("Cadence: Active Users Onboarding")).to_be_checked()
    page.get_by_label("Cadence: Trial to Paid Nurture").check()
    proceed(page)
    page.get_by_role("link", name="Review").click()
    expect(page.locator("#resets-state")).to_contain_text("starts afresh")
    screenshot("builder-salesloft-edit-2-review-resets")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".message")).to_contain_text("saved (active)")
    sync.refresh_from_db()
    assert sync.target_object == "cadence:1002"
    errors.assert_none()


def test_the_gong_flow_walkthrough_is_clicked_through(
    live_server, page, screenshot, admin, sandbox, vendors, demo_warehouse, http, tmp_path
):
    errors = ConsoleErrors(page, live_server.url)
    log_in(page, live_server, admin)
    connect_snowflake(page, live_server, demo_warehouse)
    connect_tool(page, live_server, sandbox, "Gong")
    expect(page.get_by_role("status")).to_contain_text("Gong is connected and working")
    write_model(page, "Gold contacts", GONG_GOLD, 1)

    # From Syncs → New sync this time: the model is the first step.
    page.click("nav >> text=Syncs")
    page.get_by_role("link", name="New sync").first.click()
    step(page, screenshot, "builder-gong-1-model", "Which model")
    page.get_by_label("Gold contacts").check()
    proceed(page)
    page.get_by_label("Gong").check()
    proceed(page)

    step(page, screenshot, "builder-gong-3-target", "Where in Gong")
    page.get_by_label("Search what Gong offers").fill("Active Users")
    # htmx filtered the list: checked before its answer lands, the choice would be replaced.
    expect(page.locator("#target-options .choice")).to_have_count(1)
    page.get_by_label("Flow: Active Users Onboarding").check()
    proceed(page)
    page.get_by_label("Update or create").check()
    proceed(page)

    step(page, screenshot, "builder-gong-5-identity", "How does a row find its record")
    expect(page.get_by_label("Model column")).to_have_value("CONTACT_ID")
    expect(page.get_by_label("Field in Flow: Active Users Onboarding")).to_have_value("Id")
    proceed(page)
    step(page, screenshot, "builder-gong-6-fields", "Which columns go to which fields")
    expect(page.locator("#field-rows tbody")).to_contain_text("only the identity is sent")
    proceed(page)
    proceed(page)  # when a row leaves: taken out of the flow
    proceed(page)  # manually
    step(page, screenshot, "builder-gong-9-review", "Review")
    page.get_by_label("Name of the sync").fill("Snowflake to Gong Engage Sync")
    page.get_by_role("button", name="Save sync").click()
    expect(page.locator(".message")).to_contain_text("saved (active)")

    sync = Sync.objects.get()
    assert (sync.target_object, sync.identity["target"]) == (DEMO_FLOW_ID, "Id")
    with running_worker(sandbox, tmp_path) as running:
        execution = run_from_the_sync_page(page, running, sync)
    assert execution.status == "completed", execution.errors
    see_the_execution(page, live_server, execution, screenshot, "builder-gong-10-run")

    gold = {c.contact_id for c in salesforce_contacts() if c.subscription_plan == "gold"}
    assigned = {i["crmProspectId"] for i in instances(http, sandbox) if i["flowId"] == DEMO_FLOW_ID}
    assert assigned == gold & set(gong_crm_contact_ids())
    assert execution.insert_count == len(assigned)
    assert execution.error_count == len(gold - assigned)
    errors.assert_none()


def hashed(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def test_the_linkedin_walkthrough_creates_a_new_audience_from_the_builder(
    live_server, page, screenshot, admin, sandbox, vendors, demo_warehouse, http, tmp_path
):
    errors = ConsoleErrors(page, live_server.url)
    log_in(page, live_server, admin)
    connect_snowflake(page, live_server, demo_warehouse)
    connect_tool(page, live_server, sandbox, "LinkedIn Ads")
    page.get_by_label("Acme Ads (512630692)").check()
    page.click("text=Save and continue")
    expect(page.get_by_role("status")).to_contain_text("LinkedIn Ads is connected and working")
    write_model(page, "Active Users", LINKEDIN_USERS, 3)

    page.get_by_role("link", name="Sync this model").click()
    page.get_by_label("LinkedIn Ads").check()
    proceed(page)

    step(page, screenshot, "builder-linkedin-3-target", "Where in LinkedIn Ads")
    create = page.locator("#create-target")
    # Enumerated properties are dropdowns of the property-values lookup.
    account = create.get_by_label("LinkedIn Ads account ID")
    expect(account.locator("option")).to_contain_text(["Choose…", "Acme Ads (512630692)"])
    account.select_option(label="Acme Ads (512630692)")
    create.get_by_label("Audience type").select_option(label="User Audience")
    create.get_by_label("Audience name").fill("New audience")
    screenshot("builder-linkedin-3-target-create")
    create.get_by_role("button", name="Create new and continue").click()

    step(page, screenshot, "builder-linkedin-4-mode", "What should the sync do")
    expect(page.locator(".choice")).to_have_count(2)  # create and remove
    page.get_by_label("Create").check()
    proceed(page)
    step(page, screenshot, "builder-linkedin-5-identity", "How does a row find its record")
    expect(page.get_by_label("Model column")).to_have_value("EMAIL")
    proceed(page)
    step(page, screenshot, "builder-linkedin-6-fields", "Which columns go to which fields")
    expect(page.locator("#field-0-target")).to_have_value("FirstName")
    expect(page.locator("#field-1-target")).to_have_value("LastName")
    proceed(page)
    proceed(page)  # when a row leaves: removed from the audience
    page.get_by_label("Runs", exact=True).select_option("continuous")  # the walkthrough's
    expect(page.locator("#schedule-words")).to_contain_text("Continuously")
    proceed(page)
    step(page, screenshot, "builder-linkedin-9-review", "Review")
    expect(page.locator("#review-facts")).to_contain_text("created on the first run")
    page.get_by_label("Name of the sync").fill("Snowflake to LinkedIn AdsSync")
    page.get_by_label("Paused").check()  # continuous, but run by hand here
    page.get_by_role("button", name="Save sync").click()
    expect(page.locator(".message")).to_contain_text("saved (paused)")

    sync = Sync.objects.get()
    assert sync.target_object == ""
    assert sync.target_create == {"account": ACME, "type": "user_audience", "name": "New audience"}
    with running_worker(sandbox, tmp_path) as running:
        execution = run_from_the_sync_page(page, running, sync)
    assert execution.status == "completed", execution.errors
    see_the_execution(page, live_server, execution, screenshot, "builder-linkedin-10-run")

    (segment,) = [
        s for s in linkedin_stored(sandbox, http, "segments") if s["name"] == "New audience"
    ]
    members = {
        user_id["idValue"]
        for member in linkedin_stored(sandbox, http, "segment_users")
        if member["segment"] == segment["id"]
        for user_id in member.get("userIds", [])
    }
    people = {u.email.strip().lower() for u in demo_users()}
    unmatchable = {e.lower() for e in invalid_user_emails() if not EMAIL.match(e)}
    assert members == {hashed(email) for email in people - unmatchable}
    assert execution.insert_count == len(members)
    assert execution.error_count == len(unmatchable)
    sync.refresh_from_db()
    assert sync.target_object.endswith(f"user_audience.{segment['id']}")
    errors.assert_none()
