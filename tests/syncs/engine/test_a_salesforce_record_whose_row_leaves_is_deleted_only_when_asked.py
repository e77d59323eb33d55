"""A Salesforce Contact whose row leaves the model is the team's own record: a sync leaves it
where it is unless it says `when_row_leaves: remove`, and then it is deleted."""

from __future__ import annotations

import pytest

from tests.connections.destinations.salesforce_support import (
    by_email,
    clear_log,
    connection_for,
    counts,
    oauth_tokens,
)

pytestmark = pytest.mark.django_db

PEOPLE = (
    "SELECT email, first_name, last_name FROM users WHERE email IN (SELECT DISTINCT email "
    "FROM users WHERE email LIKE '%_@_%.%' AND email NOT LIKE '% %' AND email NOT LIKE '%@@%' "
    "AND email NOT LIKE '%..%' ORDER BY email LIMIT 12)"
)


@pytest.fixture
def contacts_sync(organization, vendors, http, sandbox, warehouse, make_sync):
    def make(**extra):
        salesforce = connection_for(organization, oauth_tokens(http, sandbox))
        return make_sync(
            source=warehouse,
            query=PEOPLE,
            target_connection=salesforce,
            target="Contact",
            mode="updateOrCreate",
            identity=("email", "Email"),
            fields=[("first_name", "FirstName"), ("last_name", "LastName")],
            **extra,
        )

    return make


def without_first_person(sync, http, sandbox) -> str:
    """Take the model's first person out of it; their e-mail."""
    first = min(emails(sync))
    assert first in live(http, sandbox)
    sync.model.query = f"SELECT * FROM ({PEOPLE}) WHERE email <> '{first}'"
    sync.model.save()
    return first


def live(http, sandbox) -> set[str]:
    """The e-mails of Contacts not deleted (a deleted one stays in the recycle bin)."""
    return {email for email, row in by_email(http, sandbox).items() if not row["IsDeleted"]}


def emails(sync) -> list[str]:
    return [s.identity_key for s in sync.states.all()]


def writes(http, sandbox) -> int:
    return sum(n for endpoint, n in counts(http, sandbox).items() if not endpoint.startswith("GET"))


def test_by_default_the_contact_is_left_in_salesforce(contacts_sync, run, http, sandbox):
    sync = contacts_sync()
    first = run(sync)
    assert first.status == "completed", first.errors
    gone = without_first_person(sync, http, sandbox)
    clear_log(http, sandbox)
    second = run(sync)
    assert second.status == "completed", second.errors
    assert gone in live(http, sandbox)
    assert second.delete_count == 0
    assert writes(http, sandbox) == 0


def test_a_sync_that_says_remove_deletes_the_contact(contacts_sync, run, http, sandbox):
    sync = contacts_sync(when_row_leaves="remove")
    run(sync)
    gone = without_first_person(sync, http, sandbox)
    second = run(sync)
    assert second.status == "completed", second.errors
    assert second.delete_count == 1
    assert gone not in live(http, sandbox)
    assert gone not in emails(sync)
    assert len(emails(sync)) == 11
