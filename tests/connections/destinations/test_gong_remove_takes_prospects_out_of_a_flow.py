"""The Gong flow target's remove mode: each prospect's instance of this flow is looked up and
unassigned, 200 a call; a prospect not in the flow is already where the sync wants it; one Gong
keeps in the flow is rejected, to be tried again."""

from __future__ import annotations

import pytest

from connections.destinations.base import Operation, Outcome
from connections.destinations.gong.destination import GongDestination
from sandbox.vendors.gong import DEMO_FLOW_ID, FLOW_IDS
from sandbox.warehouse_data import gong_crm_contact_ids
from tests.connections.destinations.gong_support import (
    clear_request_log,
    gong_connection,
    gong_tokens,
    instances,
    request_log,
)

pytestmark = pytest.mark.django_db

OTHER_FLOW = FLOW_IDS["Riley's Follow-ups"]


@pytest.fixture
def destination(organization, vendors, http):
    return GongDestination(gong_connection(organization, gong_tokens(vendors, http)))


@pytest.fixture
def contacts():
    return sorted(gong_crm_contact_ids())[:4]


def flows_of(http, sandbox, crm_id: str) -> set[str]:
    return {i["flowId"] for i in instances(http, sandbox) if i["crmProspectId"] == crm_id}


def write(destination, flow_id: str, mode: str, crm_ids: list[str]):
    return destination.write(flow_id, mode, [{"Id": c} for c in crm_ids], identity_field="Id")


def test_prospects_in_the_flow_are_unassigned_and_kept_in_others(
    destination, contacts, http, sandbox
):
    write(destination, DEMO_FLOW_ID, "create", contacts[:3])
    write(destination, OTHER_FLOW, "create", contacts[:1])
    clear_request_log(http, sandbox)
    batch = write(destination, DEMO_FLOW_ID, "remove", contacts)
    assert [r.outcome for r in batch.results] == [Outcome.ACCEPTED] * 4
    assert {r.operation for r in batch.results} == {Operation.DELETE}
    assert [r.changed for r in batch.results] == [True, True, True, False]  # the 4th wasn't in it
    assert flows_of(http, sandbox, contacts[0]) == {OTHER_FLOW}
    assert all(flows_of(http, sandbox, c) == set() for c in contacts[1:])
    assert request_log(http, sandbox)["counts"] == {
        "POST gong.prospect_flows": 1,
        "POST gong.unassign_by_instance_id": 1,
    }


def test_removing_prospects_no_longer_in_the_flow_sends_no_unassign(
    destination, contacts, http, sandbox
):
    batch = write(destination, DEMO_FLOW_ID, "remove", contacts)
    assert all(r.ok and not r.changed for r in batch.results)
    assert "POST gong.unassign_by_instance_id" not in request_log(http, sandbox)["counts"]


def test_a_prospect_gong_keeps_in_the_flow_is_rejected_to_be_tried_again(
    destination, contacts, http, sandbox
):
    write(destination, DEMO_FLOW_ID, "create", contacts[:2])
    sandbox.app.emulators["gong"].kept_in_flows.add(contacts[1])
    batch = write(destination, DEMO_FLOW_ID, "remove", contacts[:2])
    kept = batch.results[1]
    assert batch.results[0].ok
    assert kept.outcome is Outcome.REJECTED and kept.retryable
    assert f"Gong kept this prospect in flow {DEMO_FLOW_ID}" in kept.message
    assert flows_of(http, sandbox, contacts[1]) == {DEMO_FLOW_ID}
