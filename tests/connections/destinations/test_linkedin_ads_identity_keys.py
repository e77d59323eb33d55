"""LinkedIn declares how it matches identities, so the engine keys sync state the same way: two
spellings LinkedIn treats as one member or company get one key."""

from __future__ import annotations

import hashlib

import pytest

from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from connections.destinations.linkedin_ads.members import hashed_email
from connections.models import Connection
from tests.connections.destinations.linkedin_support import COMPANY_AUDIENCE, USER_AUDIENCE


@pytest.fixture
def destination() -> LinkedInAdsDestination:
    return LinkedInAdsDestination(Connection(type="linkedinads", configuration={}, secrets={}))


def test_emails_are_keyed_trimmed_and_lower_cased_as_their_hash_is_taken(destination):
    key = destination.normalize_identity(USER_AUDIENCE, "Email", "  Ada@Example.COM ")
    assert key == "ada@example.com"
    assert destination.normalize_identity(USER_AUDIENCE, "email", "ada@example.com") == key
    # The hash LinkedIn matches is the hash of exactly that key.
    assert hashed_email("  Ada@Example.COM ") == hashlib.sha256(key.encode()).hexdigest()


def test_company_domains_are_keyed_bare_and_lower_cased(destination):
    for spelling in ("Acme.COM", "https://www.acme.com/about", " acme.com "):
        assert destination.normalize_identity(COMPANY_AUDIENCE, "CompanyDomain", spelling) == (
            "acme.com"
        )
    assert destination.normalize_identity(COMPANY_AUDIENCE, "domain", "ACME.com") == "acme.com"


def test_organization_ids_are_keyed_as_the_urns_linkedin_is_sent(destination):
    assert destination.normalize_identity(COMPANY_AUDIENCE, "OrganizationUrn", 1234567.0) == (
        "urn:li:organization:1234567"
    )
    urn = "urn:li:organization:1234567"
    assert destination.normalize_identity(COMPANY_AUDIENCE, "OrganizationUrn", urn) == urn


def test_an_empty_identity_stays_empty(destination):
    assert destination.normalize_identity(USER_AUDIENCE, "Email", None) == ""
    assert destination.normalize_identity(COMPANY_AUDIENCE, "CompanyDomain", "") == ""
