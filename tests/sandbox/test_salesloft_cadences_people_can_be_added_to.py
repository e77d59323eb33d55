"""The Salesloft sandbox's cadences take people the way Salesloft's do: `people_addable` filters
the list (destination-apis.md §1.7), a membership on a cadence that takes no one is refused, and
"already on this cadence" can be filed under any key (its body is undocumented, §6.5)."""

from __future__ import annotations

import pytest

from sandbox.vendors.salesloft import DEMO_API_KEY

KEY = {"Authorization": f"Bearer {DEMO_API_KEY}"}


def _ids(http, base: str, **params: str) -> set[int]:
    answer = http.get(f"{base}/v2/cadences", headers=KEY, params=params)
    assert answer.status_code == 200, answer.text
    return {cadence["id"] for cadence in answer.json()["data"]}


def test_people_addable_lists_only_cadences_that_take_people(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    cadences = sandbox.app.emulators["salesloft"].table("cadences")
    cadences["1002"]["people_addable"] = False
    cadences["1003"]["archived_at"] = "2026-01-01T00:00:00.000Z"
    cadences["1004"]["current_state"] = "deleted"

    assert _ids(http, base, people_addable="true") == {1001}
    assert _ids(http, base, people_addable="false") == {1002, 1003, 1004}
    assert _ids(http, base) == {1001, 1002, 1003, 1004}


def test_a_membership_on_a_cadence_that_takes_no_one_is_refused(sandbox, http):
    base = sandbox.vendor_url("salesloft")
    sandbox.app.emulators["salesloft"].table("cadences")["1002"]["people_addable"] = False
    person = http.get(f"{base}/v2/people", headers=KEY).json()["data"][0]

    refused = http.post(
        f"{base}/v2/cadence_memberships",
        headers=KEY,
        params={"person_id": person["id"], "cadence_id": 1002},
    )

    assert refused.status_code == 422
    assert refused.json() == {"errors": {"cadence_id": ["cannot have people added to it"]}}
    stored = http.get(f"{sandbox.url}/_sandbox/records/salesloft/cadence_memberships").json()
    assert stored["count"] == 0


@pytest.mark.parametrize(
    ("filed_under", "body"),
    [
        ("person_id", {"errors": {"person_id": ["is already on this cadence"]}}),
        ("base", {"errors": {"base": ["Person is already on this cadence"]}}),
        ("cadence_id", {"errors": {"cadence_id": ["already has this person on it"]}}),
        ("error", {"error": "Person is already on this cadence"}),
    ],
)
def test_already_on_this_cadence_is_filed_under_the_chosen_key(sandbox, http, filed_under, body):
    base = sandbox.vendor_url("salesloft")
    sandbox.app.emulators["salesloft"].already_on_cadence_under = filed_under
    person = http.get(f"{base}/v2/people", headers=KEY).json()["data"][0]
    params = {"person_id": person["id"], "cadence_id": 1001}
    assert (
        http.post(f"{base}/v2/cadence_memberships", headers=KEY, params=params).status_code == 200
    )

    again = http.post(f"{base}/v2/cadence_memberships", headers=KEY, params=params)

    assert (again.status_code, again.json()) == (422, body)
