"""What an API key does is in the audit trail under that key's name (and its creator)."""

from __future__ import annotations

import pytest

from organizations.models import AuditEntry
from sandbox.vendors.salesloft import DEMO_API_KEY

pytestmark = pytest.mark.django_db


def test_a_connection_made_through_the_api_is_recorded_as_the_keys_doing(api, vendors):
    created = api.post(
        "/api/connections",
        {
            "name": "Salesloft",
            "type": "salesloft",
            "configuration": {"auth_method": "api_key", "api_key": DEMO_API_KEY},
        },
    )
    assert created.status_code == 200, created.content
    entry = AuditEntry.objects.get(object_type="connection")
    assert entry.actor_label.startswith("API key “CI key” (sl_")
    assert entry.organization == api.organization


def test_an_api_key_sent_to_a_tool_that_takes_none_is_neither_stored_nor_audited(api, vendors):
    from connections.models import Connection
    from tests.factories import ConnectionFactory

    gong = ConnectionFactory(
        organization=api.organization,
        name="Gong",
        type="gong",
        configuration={"auth_method": "oauth"},
        secrets={"access_token": "t"},
    )
    api.put(
        f"/api/connections/{gong.pk}",
        {"name": "Gong", "type": "gong", "configuration": {"api_key": "MARKER-KEY-991"}},
    )
    stored = Connection.objects.get(pk=gong.pk)
    assert "MARKER-KEY-991" not in str(stored.configuration)
    assert "MARKER-KEY-991" not in str(stored.secrets)
    assert not AuditEntry.objects.filter(changes__icontains="MARKER-KEY-991").exists()
