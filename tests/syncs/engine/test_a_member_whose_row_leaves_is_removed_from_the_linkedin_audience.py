"""A LinkedIn audience follows its model: a member whose row leaves the model is removed from
the audience on the next run, unless the sync says to leave them."""

from __future__ import annotations

import hashlib

import pytest

from sandbox.vendors.linkedinads import USER_SEGMENT_ID
from tests.connections.destinations.linkedin_support import (
    USER_AUDIENCE,
    linkedin_connection,
    linkedin_tokens,
    request_log,
    stored,
)

pytestmark = pytest.mark.django_db

# The walkthrough's model (one row per activity, so people repeat), for ten people.
PEOPLE = (
    "SELECT first_name, last_name, email FROM users WHERE email IN (SELECT DISTINCT email "
    "FROM users WHERE email LIKE '%_@_%.%' ORDER BY email LIMIT 10)"
)


def hashed(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def members(http, sandbox) -> set[str]:
    """The SHA-256 e-mail hashes in the walkthrough's audience."""
    return {
        user_id["idValue"]
        for member in stored(sandbox, http, "segment_users")
        if member["segment"] == USER_SEGMENT_ID
        for user_id in member.get("userIds", [])
    }


@pytest.fixture
def audience_sync(organization, vendors, http, warehouse, make_sync):
    def make(**extra):
        linkedin = linkedin_connection(
            organization, linkedin_tokens(http, vendors), accounts=["512630692"]
        )
        return make_sync(
            source=warehouse,
            query=PEOPLE,
            target_connection=linkedin,
            target=USER_AUDIENCE,
            mode="create",
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


def test_the_member_is_removed_from_the_audience(audience_sync, run, http, sandbox):
    sync = audience_sync()
    first = run(sync)
    assert first.status == "completed", first.errors
    gone = drop_first_person(sync)
    assert hashed(gone) in members(http, sandbox)
    second = run(sync)
    assert second.status == "completed", second.errors
    assert second.delete_count == 1
    assert hashed(gone) not in members(http, sandbox)
    assert len(members(http, sandbox) & {hashed(e) for e in sync_emails(sync)}) == 9
    assert gone not in sync_emails(sync)


def test_a_sync_that_says_leave_keeps_the_member(audience_sync, run, http, sandbox):
    sync = audience_sync(when_row_leaves="leave")
    run(sync)
    gone = drop_first_person(sync)
    http.delete(f"{sandbox.url}/_sandbox/requests")
    second = run(sync)
    assert second.status == "completed", second.errors
    assert hashed(gone) in members(http, sandbox)
    assert second.delete_count == 0
    streamed = {k: n for k, n in request_log(sandbox, http)["counts"].items() if "POST" in k}
    assert streamed == {}


def sync_emails(sync) -> list[str]:
    return list(sync.states.values_list("identity_key", flat=True))
