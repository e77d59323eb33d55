"""Gong takes 200 prospects per assign call. When a later call fails, the prospects earlier calls
added stay delivered; the failing call's are in doubt (it may have applied them) or not sent
(Gong refused the whole call), later ones not sent, and the batch says what stopped it."""

from __future__ import annotations

import pytest

from connections.destinations.base import Outcome
from connections.destinations.gong.destination import GongDestination
from sandbox.vendors.gong import DEMO_FLOW_ID, DEMO_OWNER_EMAIL
from sandbox.warehouse_data import gong_crm_contact_ids
from tests.connections.destinations.gong_support import gong_connection, gong_tokens, instances

pytestmark = pytest.mark.django_db
KNOWN = gong_crm_contact_ids()


@pytest.fixture
def destination(organization, vendors, http, sandbox):
    sandbox.app.faults.update({"budgets": {"gong": "1000/1"}})  # retries without waiting
    connection = gong_connection(
        organization, gong_tokens(vendors, http), flow_owner_email=DEMO_OWNER_EMAIL
    )
    destination = GongDestination(connection)
    destination.http.backoff_base = 0.001
    return destination


def _fail_from_call(destination, number: int, fail) -> None:
    """From the `number`th HTTP call on, `fail()` turns the sandbox against the client."""
    calls = {"n": 0}
    real = destination.http.request

    def counting(method, path, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            fail()
        return real(method, path, **kwargs)

    destination.http.request = counting


def test_a_second_call_that_keeps_failing_leaves_the_first_calls_prospects_delivered(
    sandbox, http, destination
):
    crm_ids = list(KNOWN[:440])  # three calls: 200, 200, 40
    assert len(crm_ids) == 440
    _fail_from_call(destination, 2, lambda: sandbox.app.faults.update({"error_rate": 1.0}))

    batch = destination.write(
        DEMO_FLOW_ID, "updateOrCreate", [{"Id": c} for c in crm_ids], identity_field="Id"
    )

    assert [r.identity for r in batch.results] == crm_ids
    outcomes = [r.outcome for r in batch.results]
    assert outcomes[:200] == [Outcome.ACCEPTED] * 200
    # A 500 to the second call: Gong may have added those prospects all the same.
    assert outcomes[200:400] == [Outcome.IN_DOUBT] * 200
    assert outcomes[400:] == [Outcome.NOT_SENT] * 40
    assert batch.failure is not None
    assert (batch.failure.status, batch.failure.permanent) == (500, False)
    assert "Gong answered 500" in batch.results[200].message
    added = {i["flowInstanceId"] for i in instances(http, sandbox)}
    assert {r.destination_id for r in batch.results[:200]} <= added
    assert len(added) == 200


def test_a_call_gong_refuses_whole_leaves_its_prospects_not_sent(sandbox, http, destination):
    crm_ids = list(KNOWN[:250])

    def remove_the_flow() -> None:
        del sandbox.app.emulators["gong"].table("flows")[DEMO_FLOW_ID]

    _fail_from_call(destination, 2, remove_the_flow)

    batch = destination.write(
        DEMO_FLOW_ID, "create", [{"Id": c} for c in crm_ids], identity_field="Id"
    )

    assert [r.outcome for r in batch.results] == [Outcome.ACCEPTED] * 200 + [Outcome.NOT_SENT] * 50
    assert batch.failure is not None and batch.failure.status == 404
    assert f"flow {DEMO_FLOW_ID} no longer exists" in batch.results[-1].message
    assert len(instances(http, sandbox)) == 200


def test_an_empty_crm_id_is_not_sent_and_does_not_stop_the_others(sandbox, http, destination):
    batch = destination.write(
        DEMO_FLOW_ID,
        "create",
        [{"Id": KNOWN[0]}, {"Id": None}, {"Id": " "}, {"Id": KNOWN[1]}],
        identity_field="Id",
    )

    assert [r.outcome for r in batch.results] == [
        Outcome.ACCEPTED,
        Outcome.NOT_SENT,
        Outcome.NOT_SENT,
        Outcome.ACCEPTED,
    ]
    assert batch.failure is None
    assert len(instances(http, sandbox)) == 2


def test_crm_ids_are_keyed_as_given_trimmed_and_whole_numbers_without_a_decimal(destination):
    normalize = destination.normalize_identity
    assert normalize(DEMO_FLOW_ID, "Id", " 0035e00000ABCDeAAA ") == "0035e00000ABCDeAAA"
    assert normalize(DEMO_FLOW_ID, "Id", 123.0) == "123"  # a HubSpot id read as a float
    assert normalize(DEMO_FLOW_ID, "Id", 456) == "456"
    assert normalize(DEMO_FLOW_ID, "Id", None) == ""
