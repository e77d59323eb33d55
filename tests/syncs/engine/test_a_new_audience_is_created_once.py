"""A sync that creates its target (the LinkedIn walkthrough's step 6): the first run creates the
audience and keeps its id on the sync, later runs reuse it, and a run that dies right after
creating it leaves the next run to find it instead of creating a second one."""

from __future__ import annotations

import pytest

from connections.destinations.errors import DestinationError
from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from tests.connections.destinations.linkedin_support import (
    ACME,
    linkedin_connection,
    linkedin_tokens,
    request_log,
    stored,
)

pytestmark = pytest.mark.django_db

PEOPLE = (
    "SELECT first_name, last_name, email FROM users WHERE email IN (SELECT DISTINCT email "
    "FROM users WHERE email LIKE '%_@_%.%' ORDER BY email LIMIT 10)"
)
NEW = {"name": "New audience", "type": "user_audience", "account": ACME}


@pytest.fixture
def sync(organization, vendors, http, warehouse, make_sync):
    linkedin = linkedin_connection(
        organization, linkedin_tokens(http, vendors), accounts=["512630692"]
    )
    return make_sync(
        source=warehouse,
        query=PEOPLE,
        target_connection=linkedin,
        target="",
        target_create=NEW,
        mode="create",
        identity=("email", "Email"),
        fields=[("first_name", "FirstName"), ("last_name", "LastName")],
    )


def named(http, sandbox) -> list[dict]:
    return [s for s in stored(sandbox, http, "segments") if s["name"] == NEW["name"]]


def creates(http, sandbox) -> int:
    return request_log(sandbox, http)["counts"].get("POST linkedinads.dmp_segments", 0)


def test_the_first_run_creates_it_and_later_runs_reuse_it(sync, run, http, sandbox):
    first = run(sync)
    assert first.status == "completed", first.errors
    sync.refresh_from_db()
    (segment,) = named(http, sandbox)
    assert sync.target_object == f"{ACME}~user_audience.{segment['id']}"
    members = [m for m in stored(sandbox, http, "segment_users") if m["segment"] == segment["id"]]
    assert len(members) == 10
    second = run(sync)
    assert second.status == "completed", second.errors
    assert second.unchanged_count == 10
    assert creates(http, sandbox) == 1


def test_a_run_that_dies_after_creating_leaves_it_to_be_found(
    sync, run, http, sandbox, monkeypatch
):
    real = LinkedInAdsDestination.create_target

    def created_then_lost(self, properties):
        real(self, properties)  # LinkedIn made it; the answer never reached Syncline
        raise DestinationError("LinkedIn did not answer in time.", permanent=False)

    monkeypatch.setattr(LinkedInAdsDestination, "create_target", created_then_lost)
    lost = run(sync)
    assert lost.status == "failed"
    sync.refresh_from_db()
    assert sync.target_object == ""
    monkeypatch.undo()
    again = run(sync)
    assert again.status == "completed", again.errors
    assert creates(http, sandbox) == 1
    (segment,) = named(http, sandbox)
    sync.refresh_from_db()
    assert sync.target_object.endswith(f".{segment['id']}")
    assert any(entry["event"] == "target_found" for entry in again.log)
