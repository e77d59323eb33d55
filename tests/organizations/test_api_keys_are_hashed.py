from __future__ import annotations

import pytest

from organizations.selectors import organization_for_api_key
from organizations.services import api_key_create, api_key_revoke


@pytest.mark.django_db
def test_a_key_is_found_by_its_raw_value_and_stored_only_as_a_hash(organization):
    api_key, raw_key = api_key_create(organization=organization, name="CI")
    assert raw_key not in (api_key.key_hash, api_key.prefix)
    assert organization_for_api_key(raw_key=raw_key) == organization
    assert organization_for_api_key(raw_key=raw_key + "x") is None


@pytest.mark.django_db
def test_a_revoked_key_no_longer_works(organization):
    api_key, raw_key = api_key_create(organization=organization, name="CI")
    api_key_revoke(api_key=api_key)
    assert organization_for_api_key(raw_key=raw_key) is None
