"""A run started for listed identities (Polytomic's `identities` start option) reads only their
rows, so every other delivered record merely looks gone: only a listed one that really left the
model is removed."""

from __future__ import annotations

import pytest

from tests.connections.destinations.salesloft.support import CADENCE

pytestmark = pytest.mark.django_db

PEOPLE = (
    "SELECT email, first_name, last_name FROM users WHERE email IN (SELECT DISTINCT email "
    "FROM users WHERE email LIKE '%_@_%.%' AND email NOT LIKE '% %' AND email NOT LIKE '%@@%' "
    "AND email NOT LIKE '%..%' ORDER BY email LIMIT 5)"
)


def on_cadence(http, sandbox) -> int:
    memberships = http.get(f"{sandbox.url}/_sandbox/records/salesloft/cadence_memberships")
    return sum(1 for m in memberships.json()["data"] if m["currently_on_cadence"])


def test_only_a_listed_identity_that_left_the_model_is_removed(
    make_sync, warehouse, salesloft, run, http, sandbox
):
    sync = make_sync(
        source=warehouse,
        query=PEOPLE,
        target_connection=salesloft,
        target=CADENCE,
        mode="updateOrCreate",
        identity=("email", "Email"),
        fields=[("first_name", "FirstName")],
    )
    run(sync)
    first, second, *_ = sorted(sync.states.values_list("identity_key", flat=True))
    one = run(sync, identities=[first])
    assert one.status == "completed", one.errors
    assert one.delete_count == 0
    assert on_cadence(http, sandbox) == 5
    sync.model.query = f"SELECT * FROM ({PEOPLE}) WHERE lower(email) <> '{second}'"
    sync.model.save()
    listed = run(sync, identities=[second.upper()])  # keyed as Salesloft matches e-mails
    assert listed.status == "completed", listed.errors
    assert listed.delete_count == 1
    assert on_cadence(http, sandbox) == 4
    assert sync.states.count() == 4
