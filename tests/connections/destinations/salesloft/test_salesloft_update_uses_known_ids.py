"""Update mode must not create, so it finds each record first — unless an earlier run already
got its Salesloft id (known_ids), which is then used as it is."""

from __future__ import annotations

import pytest

from connections.destinations.base import Outcome
from tests.connections.destinations.salesloft.support import (
    clear_log,
    request_counts,
    stored_person,
)

pytestmark = pytest.mark.django_db


def test_people_with_known_ids_are_updated_without_a_lookup(sandbox, http, destination):
    peter = stored_person(http, sandbox, "peter@initech.example")
    samir = stored_person(http, sandbox, "samir@initech.example")
    clear_log(http, sandbox)

    batch = destination.write(
        "people",
        "update",
        [
            {"email_address": "Peter@Initech.example", "title": "Boss"},
            {"email_address": "samir@initech.example", "title": "Engineer"},
        ],
        identity_field="email_address",
        known_ids={
            "peter@initech.example": str(peter["id"]),
            "samir@initech.example": str(samir["id"]),
        },
    )

    assert [(r.outcome, r.operation, r.destination_id) for r in batch.results] == [
        (Outcome.ACCEPTED, "update", str(peter["id"])),
        (Outcome.ACCEPTED, "update", str(samir["id"])),
    ]
    assert stored_person(http, sandbox, "peter@initech.example")["title"] == "Boss"
    assert request_counts(http, sandbox) == {"PUT salesloft.person": 2}


def test_rows_with_and_without_known_ids_share_one_batch_and_one_lookup(sandbox, http, destination):
    peter = stored_person(http, sandbox, "peter@initech.example")
    clear_log(http, sandbox)

    batch = destination.write(
        "people",
        "update",
        [
            {"email_address": "peter@initech.example", "title": "Boss"},
            {"email_address": "samir@initech.example", "title": "Engineer"},
        ],
        identity_field="email_address",
        known_ids={"peter@initech.example": str(peter["id"])},
    )

    assert all(result.ok for result in batch.results)
    assert request_counts(http, sandbox) == {"GET salesloft.people": 1, "PUT salesloft.person": 2}


def test_a_known_id_salesloft_no_longer_has_is_looked_up_again(sandbox, http, destination):
    samir = stored_person(http, sandbox, "samir@initech.example")
    clear_log(http, sandbox)

    batch = destination.write(
        "people",
        "update",
        [{"email_address": "samir@initech.example", "title": "Engineer"}],
        identity_field="email_address",
        known_ids={"samir@initech.example": "999999"},  # merged away in Salesloft since
    )

    assert (batch.results[0].outcome, batch.results[0].destination_id) == (
        Outcome.ACCEPTED,
        str(samir["id"]),
    )
    assert request_counts(http, sandbox) == {"PUT salesloft.person": 2, "GET salesloft.people": 1}
    assert stored_person(http, sandbox, "samir@initech.example")["title"] == "Engineer"
