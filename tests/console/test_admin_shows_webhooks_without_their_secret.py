"""The admin lists events, the webhook and its deliveries; the webhook's secret never shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from syncs.models import Event
from syncs.webhooks import webhook_create, webhook_deliveries_enqueue

pytestmark = pytest.mark.django_db

MARKER = "whsec-admin-marker-42"


def test_the_admin_shows_the_webhook_its_deliveries_and_events_but_not_the_secret(
    client, superuser, organization
):
    webhook = webhook_create(
        organization=organization, endpoint="https://hooks.example.com/in", secret=MARKER
    )
    event = Event.objects.create(organization=organization, type="sync.completed", payload={})
    (delivery,) = webhook_deliveries_enqueue(event=event)
    client.force_login(superuser)
    pages = [
        reverse("admin:syncs_webhook_changelist"),
        reverse("admin:syncs_webhook_change", args=[webhook.pk]),
        reverse("admin:syncs_webhookdelivery_changelist"),
        reverse("admin:syncs_webhookdelivery_change", args=[delivery.pk]),
        reverse("admin:syncs_event_changelist"),
        reverse("admin:syncs_event_change", args=[event.pk]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert MARKER not in response.content.decode()
    detail = client.get(pages[1]).content.decode()
    assert "https://hooks.example.com/in" in detail and "saved" in detail
