"""Tokens and API keys never leave the encrypted column: not in a page, the admin, a log line,
a session, or any other table (social-auth's included)."""

from __future__ import annotations

import logging

import pytest
from django.db import connection as db
from django.urls import reverse
from social_django.models import UserSocialAuth

from connections.models import Connection
from tests.connections.wizard_helpers import connect, connect_salesloft_api_key, console_client

pytestmark = pytest.mark.django_db

LOGGERS = ["", "django", "django.request", "django.db.backends", "httpx", "httpcore", "urllib3"]
LOGGERS += ["social", "social_core", "connections", "sandbox", "werkzeug"]


@pytest.fixture
def connected(superuser, vendors, http, caplog):
    """Every tool connected through the wizard (Salesloft twice: OAuth and an API key)."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    client = console_client(superuser)
    for type_key in ("salesloft", "gong", "linkedinads", "salesforce"):
        response = connect(client, http, type_key, name=f"{type_key} tool")
        if type_key == "linkedinads":
            client.post(response["Location"], {"accounts": ["512630692"]})
    assert connect_salesloft_api_key(client, name="Salesloft key").status_code == 302
    connections = list(Connection.objects.all())
    assert len(connections) == 5
    assert all(c.status == Connection.Status.HEALTHY for c in connections)
    return client, connections


def _secret_values(connections: list[Connection]) -> dict[str, str]:
    values = {}
    for connection in connections:
        for key in ("access_token", "refresh_token", "api_key"):
            if connection.secrets.get(key):
                values[f"{connection.name} {key}"] = connection.secrets[key]
    return values


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return [label for label, value in secrets.items() if value in text]


def _pages(connections: list[Connection]) -> list[str]:
    urls = [
        reverse("console:home"),
        reverse("connections:list"),
        reverse("connections:new"),
        reverse("admin:index"),
        reverse("admin:connections_connection_changelist"),
        reverse("admin:social_django_usersocialauth_changelist"),
        reverse("admin:social_django_nonce_changelist"),
        reverse("admin:social_django_association_changelist"),
    ]
    urls += [reverse("connections:create", args=[t]) for t in ("salesloft", "gong")]
    urls += [reverse("connections:create", args=["salesloft"]) + "?method=api_key"]
    urls += [reverse("connections:create", args=["linkedinads"])]
    urls += [reverse("connections:create", args=["salesforce"])]
    for connection in connections:
        urls += [
            reverse("connections:detail", args=[connection.pk]),
            reverse("connections:done", args=[connection.pk]),
            reverse("connections:delete", args=[connection.pk]),
            reverse("admin:connections_connection_change", args=[connection.pk]),
        ]
        if connection.type == "linkedinads":
            urls.append(reverse("connections:accounts", args=[connection.pk]))
    return urls


def test_no_console_or_admin_page_shows_a_token_or_api_key(connected):
    client, connections = connected
    secrets = _secret_values(connections)
    assert len(secrets) == 9  # an access and a refresh token per OAuth tool, one API key
    for url in _pages(connections):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _leaks(response.content.decode(), secrets) == [], url


def test_no_log_line_holds_a_token_or_api_key(connected, caplog):
    client, connections = connected
    for connection in connections:  # checks and failures log too
        client.post(reverse("connections:check", args=[connection.pk]))
    assert caplog.records  # the capture works
    text = "\n".join([caplog.text, *(record.getMessage() for record in caplog.records)])
    assert _leaks(text, _secret_values(connections)) == []


def test_no_table_holds_a_token_or_api_key_in_plain_text(connected):
    _client, connections = connected
    secrets = _secret_values(connections)
    assert not UserSocialAuth.objects.exists()
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")
            dump = "\n".join(repr(row) for row in cursor.fetchall())
            assert _leaks(dump, secrets) == [], table


def test_the_session_keeps_nothing_of_the_consent(connected):
    from django.contrib.sessions.models import Session

    _client, connections = connected
    secrets = _secret_values(connections)
    for session in Session.objects.all():
        assert _leaks(repr(session.get_decoded()), secrets) == []
