"""A cadence target's remove mode ends the person's membership (DELETE /v2/cadence_memberships/
{id}) and leaves the person; someone not on the cadence, or unknown to Salesloft, is already
where the sync wants them."""

from __future__ import annotations

import pytest

from connections.destinations.base import Operation
from tests.connections.destinations.salesloft.support import (
    CADENCE,
    clear_log,
    request_counts,
    stored,
    stored_person,
)

pytestmark = pytest.mark.django_db

ON = ["ana.on@example.com", "bo.on@example.com"]


def memberships(http, sandbox) -> dict[int, bool]:
    """person id → currently on cadence 1001."""
    return {
        m["person_id"]: m["currently_on_cadence"]
        for m in stored(http, sandbox, "cadence_memberships")
        if m["cadence_id"] == 1001
    }


def write(destination, mode: str, emails: list[str], **kwargs):
    return destination.write(
        CADENCE, mode, [{"Email": e} for e in emails], identity_field="Email", **kwargs
    )


def test_the_membership_ends_and_the_person_stays(destination, http, sandbox):
    added = write(destination, "updateOrCreate", ON)
    people = {r.identity: int(r.destination_id) for r in added.results}
    clear_log(http, sandbox)
    batch = write(destination, "remove", ON[:1])
    (result,) = batch.results
    assert result.ok and result.changed and result.operation is Operation.DELETE
    assert memberships(http, sandbox) == {people[ON[0]]: False, people[ON[1]]: True}
    assert stored_person(http, sandbox, ON[0])["id"] == people[ON[0]]
    assert request_counts(http, sandbox) == {
        "GET salesloft.people": 1,  # found by e-mail: no id known from an earlier run
        "GET salesloft.cadence_memberships": 1,
        "DELETE salesloft.cadence_membership": 1,
    }


def test_a_known_person_id_spares_the_lookup(destination, http, sandbox):
    added = write(destination, "updateOrCreate", ON[:1])
    clear_log(http, sandbox)
    write(destination, "remove", ON[:1], known_ids={ON[0]: added.results[0].destination_id})
    assert "GET salesloft.people" not in request_counts(http, sandbox)


def test_someone_not_on_the_cadence_or_unknown_is_already_removed(destination, http, sandbox):
    write(destination, "updateOrCreate", ON[:1])
    write(destination, "remove", ON[:1])
    clear_log(http, sandbox)
    batch = write(destination, "remove", [ON[0], "nobody@example.com"])
    assert [(r.ok, r.changed) for r in batch.results] == [(True, False), (True, False)]
    assert "DELETE salesloft.cadence_membership" not in request_counts(http, sandbox)


def test_a_person_taken_off_can_be_added_again(destination, http, sandbox):
    write(destination, "updateOrCreate", ON[:1])
    write(destination, "remove", ON[:1])
    again = write(destination, "updateOrCreate", ON[:1])
    assert again.results[0].ok and again.results[0].changed
    assert list(memberships(http, sandbox).values()) == [True]
