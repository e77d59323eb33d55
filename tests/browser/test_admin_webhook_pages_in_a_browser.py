"""The admin's webhook and delivery pages in a real browser: the secret only as "saved"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from syncs.models import Event
from syncs.webhooks import webhook_create, webhook_deliveries_enqueue
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_reads_the_webhook_and_its_deliveries(
    live_server, page, screenshot, superuser, organization
):
    webhook = webhook_create(
        organization=organization, endpoint="https://hooks.example.com/in", secret="whsec-x-77"
    )
    event = Event.objects.create(organization=organization, type="sync.completed", payload={})
    webhook_deliveries_enqueue(event=event)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/syncs/webhook/{webhook.pk}/change/")
    expect(page.locator("#content")).to_contain_text("https://hooks.example.com/in")
    screenshot("admin-webhook")
    assert "whsec-x-77" not in page.content()
    page.goto(f"{live_server.url}/admin/syncs/webhookdelivery/")
    expect(page.locator("#result_list")).to_contain_text("Waiting to be sent")
    screenshot("admin-webhook-deliveries")
