"""A saved password is sent only to the warehouse it was saved for.

An admin who edits a saved connection's host (or account, port, protocol, user) and presses
Test or Save must type the password again: otherwise anyone who may edit connections (or who
sat down at an admin's open session) could point it at a server of their own and receive the
saved password.
"""

from __future__ import annotations

import gzip

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from connections.models import Connection
from connections.services import connection_test, connection_update
from tests.connections.bait import http_bait, postgres_bait
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db

MARKER = "marker-secret-123"
ASK_AGAIN = "enter the password again"


@pytest.fixture
def saved_postgres(organization):
    return ConnectionFactory(
        organization=organization,
        name="Analytics",
        type="postgresql",
        configuration={
            "host": "db.example.com",
            "port": 5432,
            "database": "analytics",
            "username": "loader",
            "sslmode": "prefer",
        },
        secrets={"password": MARKER},
    )


@pytest.fixture
def saved_snowflake(organization):
    return ConnectionFactory(
        organization=organization,
        name="Snowflake",
        type="snowflake",
        configuration={"account": "acme-xy12345", "username": "loader", "dbname": "DEMO"},
        secrets={"password": MARKER},
    )


def _postgres_edit(connection: Connection, **changes: object) -> dict:
    return {"name": connection.name, **connection.configuration, "password": "", **changes}


def _snowflake_edit(connection: Connection, **changes: object) -> dict:
    return {
        "name": connection.name,
        **connection.configuration,
        "password": "",
        "private_key": "",
        "private_key_passphrase": "",
        **changes,
    }


def _sent(bait) -> bytes:
    """What reached the bait, with a gzip body opened (the Snowflake connector may compress)."""
    data = bait.everything
    start = data.find(b"\x1f\x8b")
    return data + (gzip.decompress(data[start:]) if start >= 0 else b"")


def test_an_admin_who_points_postgres_elsewhere_and_presses_test_gets_no_saved_password(
    client, admin, saved_postgres
):
    client.force_login(admin)
    url = reverse("connections:detail", args=[saved_postgres.pk])
    with postgres_bait() as bait:
        response = client.post(
            url,
            {**_postgres_edit(saved_postgres, host="127.0.0.1", port=bait.port), "action": "test"},
        )
    assert MARKER.encode() not in _sent(bait)
    assert bait.connections == 0  # the form stopped before anything was sent
    html = response.content.decode()
    assert ASK_AGAIN in html
    assert "You changed the host and the port" in html
    assert "Connection works" not in html


def test_an_admin_who_points_snowflake_elsewhere_and_presses_test_gets_no_saved_password(
    client, admin, saved_snowflake
):
    client.force_login(admin)
    url = reverse("connections:detail", args=[saved_snowflake.pk])
    with http_bait() as bait:
        changes = {"host": "127.0.0.1", "port": bait.port, "protocol": "http"}
        response = client.post(
            url, {**_snowflake_edit(saved_snowflake, **changes), "action": "test"}
        )
    assert MARKER.encode() not in _sent(bait)
    assert bait.connections == 0
    assert ASK_AGAIN in response.content.decode()


def test_saving_a_changed_host_without_the_password_is_refused_with_the_reason(
    client, admin, saved_postgres
):
    client.force_login(admin)
    url = reverse("connections:detail", args=[saved_postgres.pk])
    with postgres_bait() as bait:
        response = client.post(
            url,
            {**_postgres_edit(saved_postgres, host="127.0.0.1", port=bait.port), "action": "save"},
        )
    assert response.status_code == 200
    assert ASK_AGAIN in response.content.decode()
    assert MARKER.encode() not in _sent(bait)
    stored = Connection.objects.get(pk=saved_postgres.pk)
    assert stored.configuration["host"] == "db.example.com"
    assert stored.secrets == {"password": MARKER}


def test_changing_only_the_user_also_asks_for_the_password(client, admin, saved_snowflake):
    client.force_login(admin)
    url = reverse("connections:detail", args=[saved_snowflake.pk])
    response = client.post(
        url, {**_snowflake_edit(saved_snowflake, username="someone-else"), "action": "test"}
    )
    assert "You changed the username" in response.content.decode()


def test_a_password_typed_again_is_what_goes_to_the_new_host(client, admin, saved_postgres):
    client.force_login(admin)
    url = reverse("connections:detail", args=[saved_postgres.pk])
    with postgres_bait() as bait:
        client.post(
            url,
            {
                **_postgres_edit(saved_postgres, host="127.0.0.1", port=bait.port),
                "password": "typed-for-the-new-host",
                "action": "test",
            },
        )
    assert b"typed-for-the-new-host" in _sent(bait)
    assert MARKER.encode() not in _sent(bait)


def test_the_test_service_refuses_to_send_saved_secrets_to_a_new_host(saved_postgres):
    with postgres_bait() as bait, pytest.raises(ValidationError, match=ASK_AGAIN):
        values = {**saved_postgres.configuration, "host": "127.0.0.1", "port": bait.port}
        connection_test(type="postgresql", values=values, existing=saved_postgres)
    assert bait.connections == 0


def test_the_update_service_refuses_a_new_host_without_the_password(saved_postgres):
    with pytest.raises(ValidationError, match=ASK_AGAIN):
        connection_update(connection=saved_postgres, values={"host": "elsewhere.example.com"})
    stored = Connection.objects.get(pk=saved_postgres.pk)
    assert stored.configuration["host"] == "db.example.com"


def test_a_weaker_ssl_mode_is_a_new_destination_for_the_password(saved_postgres):
    with pytest.raises(ValidationError, match=ASK_AGAIN):
        connection_update(connection=saved_postgres, values={"sslmode": "disable"})
    connection_update(connection=saved_postgres, values={"sslmode": "require"})
    assert Connection.objects.get(pk=saved_postgres.pk).secrets == {"password": MARKER}


def test_renaming_or_another_database_keeps_the_saved_password(saved_postgres):
    connection_update(
        connection=saved_postgres, name="Analytics (EU)", values={"database": "reporting"}
    )
    stored = Connection.objects.get(pk=saved_postgres.pk)
    assert stored.name == "Analytics (EU)"
    assert stored.configuration["database"] == "reporting"
    assert stored.secrets == {"password": MARKER}
