"""Steps 1 and 3 of the walkthroughs, clicked in the console: connect Snowflake, write a model."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from connections.models import Connection
from models_app.models import SqlModel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The exact query of reference/seeds/salesloft-cadence-walkthrough.txt, step 3.
ACTIVE_USERS = (
    "SELECT MAX(last_activity_date) AS last_activity_date, plan, first_name, last_name, email "
    "FROM users GROUP BY plan, first_name, last_name, email"
)


def _fill_snowflake_form(page, settings: dict, password: str) -> None:
    page.fill("#id_name", "Snowflake Connection")
    page.fill("#id_account", settings["account"])
    page.fill("#id_username", settings["username"])
    page.fill("#id_password", password)
    page.fill("#id_dbname", settings["dbname"])
    page.fill("#id_schema", settings["schema"])
    page.fill("#id_host", settings["host"])
    page.fill("#id_port", str(settings["port"]))
    page.select_option("#id_protocol", "http")


def test_a_person_connects_snowflake_and_previews_the_active_users_model(
    live_server, page, screenshot, admin, demo_warehouse
):
    page.context.add_cookies([])
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.click("nav >> text=Connections")
    expect(page.locator("h1")).to_have_text("Connections")
    screenshot("connections-empty")
    page.click("text=New connection")
    expect(page.locator(".type-card")).to_have_count(6)  # two warehouses, four tools
    screenshot("connections-new-cards")
    page.click(".type-card >> text=Snowflake")

    _fill_snowflake_form(page, demo_warehouse, "wrong-password")
    page.click("button[value=test]")
    expect(page.get_by_role("alert")).to_contain_text("refused the username or password")
    screenshot("connections-snowflake-wrong-password")
    assert not Connection.objects.exists()

    page.fill("#id_password", demo_warehouse["password"])
    page.click("button[value=test]")
    expect(page.get_by_role("status")).to_contain_text("Connection works")
    screenshot("connections-snowflake-tested")
    # The box is empty (passwords are never rendered back), and Save needs nothing retyped.
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("#id_password")).to_have_attribute(
        "placeholder", "Kept from your test — leave empty to use it"
    )
    expect(page.locator("textarea#id_private_key")).to_be_visible()
    page.click("button[value=save]")
    expect(page.locator(".message")).to_contain_text("Snowflake Connection is connected")
    expect(page.locator("tbody .badge")).to_have_text("Healthy")
    screenshot("connections-list")

    page.click("nav >> text=Models")
    page.click("text=New model")
    page.fill("#id_name", "Active Users")
    page.fill("#id_query", ACTIVE_USERS)
    page.click("button[value=preview]")
    expect(page.locator("#preview-table tbody tr")).to_have_count(50)
    expect(page.locator(".chip-identity")).to_contain_text("EMAIL")
    screenshot("model-preview")

    page.fill("#id_query", "DROP TABLE users")
    page.click("button[value=preview]")
    expect(page.locator(".field-error")).to_contain_text("not DROP")
    screenshot("model-refused-drop")

    page.fill("#id_query", ACTIVE_USERS)
    page.click("button[value=save]")
    expect(page.locator(".message")).to_contain_text("saved with 5 fields")
    screenshot("model-saved")
    assert SqlModel.objects.get().identifier == "EMAIL"
