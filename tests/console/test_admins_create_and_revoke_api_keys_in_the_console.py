"""Settings → API keys: admins create a key (shown once, kept as a hash), see when each was last
used, and revoke it; members get a page saying who can; another organization's key can't be
revoked from here."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from organizations.models import ApiKey
from organizations.selectors import organization_for_api_key
from organizations.services import api_key_create
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_a_new_key_is_shown_once_and_opens_the_api(client, admin, organization):
    client.force_login(admin)
    page = client.post(reverse("console:api_keys"), {"action": "create", "name": "CI"})
    raw = re.search(r'id="new-key">([^<]+)<', page.content.decode()).group(1)
    assert organization_for_api_key(raw_key=raw) == organization
    assert raw not in client.get(reverse("console:api_keys")).content.decode()
    assert ApiKey.objects.get(name="CI").key_hash != raw


def test_a_taken_or_empty_name_is_said_and_nothing_is_made(client, admin, organization):
    client.force_login(admin)
    client.post(reverse("console:api_keys"), {"action": "create", "name": "CI"})
    again = client.post(reverse("console:api_keys"), {"action": "create", "name": "CI"})
    assert "A key named “CI” exists already" in again.content.decode()
    empty = client.post(reverse("console:api_keys"), {"action": "create", "name": " "})
    assert "Give the key a name" in empty.content.decode()
    assert ApiKey.objects.count() == 1


def test_revoking_closes_the_api_to_that_key(client, admin, organization):
    key, raw = api_key_create(organization=organization, name="Old")
    client.force_login(admin)
    client.post(reverse("console:api_keys"), {"action": "revoke", "key": str(key.pk)})
    assert organization_for_api_key(raw_key=raw) is None
    assert "Revoked" in client.get(reverse("console:api_keys")).content.decode()


def test_another_organizations_key_is_not_found_and_stays_live(client, admin):
    theirs, raw = api_key_create(organization=OrganizationFactory(), name="Theirs")
    client.force_login(admin)
    response = client.post(reverse("console:api_keys"), {"action": "revoke", "key": str(theirs.pk)})
    assert response.status_code == 404
    assert organization_for_api_key(raw_key=raw) is not None
    assert "Theirs" not in client.get(reverse("console:api_keys")).content.decode()


def test_members_are_told_who_manages_keys(client, member, admin, organization):
    client.force_login(member)
    refused = client.post(reverse("console:api_keys"), {"action": "create", "name": "Mine"})
    assert refused.status_code == 403
    assert (
        f"Only admins of {organization.name} can manage API keys: {admin.get_username()}."
        in refused.content.decode()
    )
    assert not ApiKey.objects.exists()
