"""A Salesloft cadence follows its model: a person whose row leaves the model has their
membership ended on the next run (the person stays in Salesloft), unless the sync says to
leave them on it."""

from __future__ import annotations

import pytest

from tests.connections.destinations.salesloft.support import CADENCE, clear_log, request_counts

pytestmark = pytest.mark.django_db

PEOPLE = (
    "SELECT email, first_name, last_name FROM users WHERE email IN (SELECT DISTINCT email "
    "FROM users WHERE email LIKE '%_@_%.%' AND email NOT LIKE '% %' AND email NOT LIKE '%@@%' "
    "AND email NOT LIKE '%..%' ORDER BY email LIMIT 8)"
)


def on_cadence(http, sandbox) -> set[str]:
    """The e-mails of the people currently on cadence 1001."""
    base = f"{sandbox.url}/_sandbox/records/salesloft"
    people = {p["id"]: p["email_address"] for p in http.get(f"{base}/people").json()["data"]}
    return {
        people[m["person_id"]].lower()
        for m in http.get(f"{base}/cadence_memberships").json()["data"]
        if m["cadence_id"] == 1001 and m["currently_on_cadence"]
    }


def people(http, sandbox) -> set[str]:
    data = http.get(f"{sandbox.url}/_sandbox/records/salesloft/people").json()["data"]
    return {p["email_address"].lower() for p in data}


@pytest.fixture
def cadence_sync(make_sync, warehouse, salesloft):
    def make(**extra):
        return make_sync(
            source=warehouse,
            query=PEOPLE,
            target_connection=salesloft,
            target=CADENCE,
            mode="updateOrCreate",
            identity=("email", "Email"),
            fields=[("first_name", "FirstName"), ("last_name", "LastName")],
            **extra,
        )

    return make


def drop_first_person(sync) -> str:
    first = min(sync.states.values_list("identity_key", flat=True))
    sync.model.query = f"SELECT * FROM ({PEOPLE}) WHERE lower(email) <> '{first}'"
    sync.model.save()
    return first


def test_the_membership_ends_and_the_person_stays(cadence_sync, run, http, sandbox):
    sync = cadence_sync()
    first = run(sync)
    assert first.status == "completed", first.errors
    assert len(on_cadence(http, sandbox)) == 8
    gone = drop_first_person(sync)
    clear_log(http, sandbox)
    second = run(sync)
    assert second.status == "completed", second.errors
    assert second.delete_count == 1
    assert gone not in on_cadence(http, sandbox)
    assert len(on_cadence(http, sandbox)) == 7
    assert gone in people(http, sandbox)  # the person record is the team's: never deleted
    writes = {k: n for k, n in request_counts(http, sandbox).items() if not k.startswith("GET")}
    assert writes == {"DELETE salesloft.cadence_membership": 1}
    assert not sync.states.filter(identity_key=gone).exists()


def test_a_sync_that_says_leave_keeps_them_on_the_cadence(cadence_sync, run, http, sandbox):
    sync = cadence_sync(when_row_leaves="leave")
    run(sync)
    gone = drop_first_person(sync)
    clear_log(http, sandbox)
    second = run(sync)
    assert second.status == "completed", second.errors
    assert gone in on_cadence(http, sandbox)
    assert request_counts(http, sandbox) == {}
