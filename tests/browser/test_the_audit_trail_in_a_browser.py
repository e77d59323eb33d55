from __future__ import annotations

import pytest
from playwright.sync_api import expect

from connections.services import connection_create, connection_update
from organizations.audit import Actor, audit_record
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_reads_who_did_what_in_the_audit_trail(
    live_server, page, screenshot, superuser, organization
):
    connection = connection_create(
        organization=organization,
        name="Analytics",
        type="postgresql",
        values={"host": "db.example.com", "database": "analytics", "password": "marker-9d1"},
    )
    connection_update(connection=connection, values={"password": "marker-9d2", "port": "6432"})
    audit_record(
        organization=organization,
        action="started a run",
        object_type="sync",
        object_id="1",
        object_name="Active users to cadence",
        changes={"run": "4b1f", "resync": True},
        actor=Actor(label="ana@acme.test"),
    )
    page.goto(f"{live_server.url}/login/?next=/audit/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_text("Started a run of the sync “Active users to cadence”")).to_be_visible()
    expect(page.get_by_text("password changed")).to_be_visible()
    expect(page.get_by_text("port: 6432")).to_be_visible()
    expect(page.get_by_text("resync: yes")).to_be_visible()
    assert "marker-9d" not in page.content()
    screenshot("audit-trail")
