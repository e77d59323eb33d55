"""README step 1: type the password, press Test connection, then Save — without typing it again,
and without the password ever coming back in a page."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from connections.kept_secrets import SESSION_KEY
from connections.models import Connection

pytestmark = pytest.mark.django_db


def _form(settings: dict, **overrides: object) -> dict:
    return {
        "name": "Snowflake Connection",
        "account": settings["account"],
        "username": settings["username"],
        "password": settings["password"],
        "dbname": settings["dbname"],
        "schema": settings["schema"],
        "host": settings["host"],
        "port": settings["port"],
        "protocol": settings["protocol"],
        **overrides,
    }


def test_test_then_save_works_with_the_password_typed_once(client, admin, demo_warehouse):
    client.force_login(admin)
    url = reverse("connections:create", args=["snowflake"])
    tested = client.post(url, {**_form(demo_warehouse), "action": "test"})
    html = tested.content.decode()
    assert "Connection works" in html
    password_box = re.search(r'<input type="password" name="password"[^>]*>', html).group(0)
    assert "value=" not in password_box  # the box stays empty: nothing is rendered back
    assert "Kept from your test — leave empty to use it" in html
    saved = client.post(url, {**_form(demo_warehouse, password=""), "action": "save"}, follow=True)
    assert "Snowflake Connection is connected" in saved.content.decode()
    connection = Connection.objects.get()
    assert connection.secrets == {"password": demo_warehouse["password"]}
    assert connection.status == Connection.Status.HEALTHY
    # Saved: nothing is kept any more.
    assert not client.session.get(SESSION_KEY)


def test_the_kept_password_is_stored_encrypted_in_the_session(client, admin, demo_warehouse):
    client.force_login(admin)
    url = reverse("connections:create", args=["snowflake"])
    client.post(url, {**_form(demo_warehouse, password="marker-secret-123"), "action": "test"})
    assert client.session.get(SESSION_KEY)
    for session in Session.objects.all():
        assert "marker-secret-123" not in repr(session.get_decoded())
        assert "marker-secret-123" not in session.session_data


def test_a_kept_password_is_not_used_once_the_host_or_user_changes(client, admin, demo_warehouse):
    client.force_login(admin)
    url = reverse("connections:create", args=["snowflake"])
    client.post(url, {**_form(demo_warehouse), "action": "test"})
    for change in ({"username": "someone-else"}, {"port": 1}):
        response = client.post(
            url, {**_form(demo_warehouse, password="", **change), "action": "save"}
        )
        assert "Enter a password or a private key." in response.content.decode()
    assert not Connection.objects.exists()


def test_a_kept_password_belongs_to_the_session_that_typed_it(
    client, admin, organization, demo_warehouse
):
    from tests.factories import MembershipFactory

    client.force_login(admin)
    url = reverse("connections:create", args=["snowflake"])
    client.post(url, {**_form(demo_warehouse), "action": "test"})
    other = MembershipFactory(organization=organization, role="admin").user
    client.force_login(other)  # a new session
    response = client.post(url, {**_form(demo_warehouse, password=""), "action": "save"})
    assert "Enter a password or a private key." in response.content.decode()


def test_test_then_save_of_a_saved_connection_with_a_new_host_needs_the_password_once(
    client, admin, organization, demo_warehouse
):
    from tests.factories import ConnectionFactory

    connection = ConnectionFactory(
        organization=organization,
        type="snowflake",
        name="Snowflake Connection",
        configuration={**_form(demo_warehouse), "host": "old-host.example.com"},
        secrets={"password": "the-old-password"},
    )
    client.force_login(admin)
    url = reverse("connections:detail", args=[connection.pk])
    for key in ("name", "password"):
        connection.configuration.pop(key, None)
    tested = client.post(url, {**_form(demo_warehouse), "action": "test"})
    assert "Connection works" in tested.content.decode()
    client.post(url, {**_form(demo_warehouse, password=""), "action": "save"})
    connection.refresh_from_db()
    assert connection.configuration["host"] == demo_warehouse["host"]
    assert connection.secrets == {"password": demo_warehouse["password"]}
