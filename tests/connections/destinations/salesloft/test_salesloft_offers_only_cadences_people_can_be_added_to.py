"""Salesloft's cadence list filters on `people_addable` (archived, expired or deleted cadences, and
ones the connected user may not add people to, take no one): only those are offered as targets,
and one that stops taking people fails the batch with a reason instead of every row."""

from __future__ import annotations

import pytest

from connections.destinations.errors import DestinationError
from tests.connections.destinations.salesloft.support import emulator, request_counts

pytestmark = pytest.mark.django_db


def test_a_cadence_people_cant_be_added_to_is_not_offered(sandbox, destination):
    cadences = emulator(sandbox).table("cadences")
    cadences["1003"]["people_addable"] = False  # e.g. a teammate's personal cadence
    cadences["1004"]["current_state"] = "expired"

    offered = {target.id for target in destination.target_objects()}

    assert {"cadence:1001", "cadence:1002"} <= offered
    assert "cadence:1003" not in offered
    assert "cadence:1004" not in offered


def test_writing_to_a_cadence_that_stopped_taking_people_fails_with_a_plain_reason(
    sandbox, http, destination
):
    emulator(sandbox).table("cadences")["1003"]["people_addable"] = False

    with pytest.raises(DestinationError, match="can't add people to it") as error:
        destination.write(
            "cadence:1003",
            "create",
            [{"email_address": "peter@initech.example"}],
            identity_field="email_address",
        )

    assert "Pick another cadence" in error.value.message
    assert request_counts(http, sandbox)["POST salesloft.cadence_memberships"] == 1
