"""Salesloft matches people by e-mail case-insensitively and keeps domains lower-case, so the
engine keys state the same way; ids and CRM ids are kept as they are. Empty identities are the
engine's to refuse: the destination sends what it gets and reports Salesloft's answer."""

from __future__ import annotations

import pytest

from connections.destinations.base import Outcome
from tests.connections.destinations.salesloft.support import CADENCE, request_counts

pytestmark = pytest.mark.django_db


def test_people_emails_are_trimmed_and_lower_cased_and_domains_lower_cased(destination):
    key = destination.normalize_identity
    assert key("people", "email_address", "  Ada@Example.COM ") == "ada@example.com"
    assert key("people", "Email", "Ada@Example.COM") == "ada@example.com"  # the walkthrough's alias
    assert key(CADENCE, "email_address", "Ada@Example.COM") == "ada@example.com"
    assert key("accounts", "domain", "Globex.Example") == "globex.example"


def test_ids_and_crm_ids_are_kept_as_given(destination):
    key = destination.normalize_identity
    assert key("people", "crm_id", "0035g00000AbCdE") == "0035g00000AbCdE"
    assert key("accounts", "crm_id", "001Xy") == "001Xy"
    assert key("people", "id", 5001.0) == "5001"  # a numeric id read from a warehouse as a float
    assert key("people", "email_address", None) == ""


def test_results_carry_the_normalised_identity_and_salesloft_gets_a_trimmed_one(destination):
    batch = destination.write(
        "people",
        "updateOrCreate",
        [{"email_address": "  Ada@Example.com "}],
        identity_field="email_address",
    )

    assert (batch.results[0].outcome, batch.results[0].identity) == (
        Outcome.ACCEPTED,
        "ada@example.com",
    )


def test_an_empty_identity_gets_salesloft_s_own_answer_and_is_never_looked_up(
    sandbox, http, destination
):
    upserted = destination.write(
        "people", "updateOrCreate", [{"email_address": ""}], identity_field="email_address"
    )
    assert upserted.results[0].outcome is Outcome.REJECTED
    assert upserted.results[0].message == (
        "Salesloft refused this record: email_address: must be present when used as the upsert_key"
    )

    http.delete(f"{sandbox.url}/_sandbox/requests")
    updated = destination.write(
        "people", "update", [{"email_address": None, "title": "X"}], identity_field="email_address"
    )
    assert updated.results[0].outcome is Outcome.REJECTED
    assert request_counts(http, sandbox) == {}  # no list call that an empty filter would widen
