"""Salesloft doesn't document where it files "already on this cadence" (destination-apis.md §6.5):
under `person_id`, `base`, `cadence_id` or as a plain `error`, the row is where it belongs — it is
delivered, unchanged, and never mistaken for a cadence that no longer exists."""

from __future__ import annotations

import pytest

from connections.destinations.base import Outcome
from tests.connections.destinations.salesloft.support import CADENCE, emulator, stored

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("filed_under", ["person_id", "base", "cadence_id", "error"])
@pytest.mark.parametrize("mode", ["create", "updateOrCreate"])
def test_a_person_already_on_the_cadence_is_delivered_unchanged(
    sandbox, http, destination, filed_under, mode
):
    records = [{"email_address": "peter@initech.example"}]
    first = destination.write(CADENCE, mode, records, identity_field="email_address")
    assert (first.results[0].outcome, first.results[0].changed) == (Outcome.ACCEPTED, True)
    emulator(sandbox).already_on_cadence_under = filed_under

    again = destination.write(CADENCE, mode, records, identity_field="email_address")

    result = again.results[0]
    assert (result.outcome, result.operation, result.changed) == (Outcome.ACCEPTED, "insert", False)
    assert result.destination_id == first.results[0].destination_id
    assert again.failure is None
    assert len(stored(http, sandbox, "cadence_memberships")) == 1
