"""A Gong Engage flow follows its model: a prospect whose row leaves the model is unassigned from
the flow on the next run (Gong allows it), unless the sync says to leave them in it."""

from __future__ import annotations

import pytest

from sandbox.vendors.gong import DEMO_FLOW_ID
from sandbox.warehouse_data import gong_crm_contact_ids
from tests.connections.destinations.gong_support import (
    clear_request_log,
    gong_connection,
    gong_tokens,
    instances,
    request_log,
)

pytestmark = pytest.mark.django_db


def in_flow(http, sandbox) -> set[str]:
    return {i["crmProspectId"] for i in instances(http, sandbox) if i["flowId"] == DEMO_FLOW_ID}


@pytest.fixture
def contacts():
    """Eight contacts the CRM linked to Gong knows, so every one is assigned."""
    return sorted(gong_crm_contact_ids())[:8]


@pytest.fixture
def flow_sync(organization, vendors, http, warehouse, make_sync, contacts):
    def make(**extra):
        listed = ", ".join(f"'{c}'" for c in contacts)
        return make_sync(
            source=warehouse,
            query=f"SELECT contact_id FROM salesforce_contacts WHERE contact_id IN ({listed})",
            target_connection=gong_connection(organization, gong_tokens(vendors, http)),
            target=DEMO_FLOW_ID,
            mode="updateOrCreate",
            identity=("contact_id", "Id"),
            fields=[],
            **extra,
        )

    return make


def drop(sync, contact: str) -> None:
    sync.model.query = f"SELECT * FROM ({sync.model.query}) WHERE contact_id <> '{contact}'"
    sync.model.save()


def test_the_prospect_is_unassigned_from_the_flow(flow_sync, contacts, run, http, sandbox):
    sync = flow_sync()
    first = run(sync)
    assert first.status == "completed", first.errors
    assert in_flow(http, sandbox) == set(contacts)
    drop(sync, contacts[0])
    clear_request_log(http, sandbox)
    second = run(sync)
    assert second.status == "completed", second.errors
    assert second.delete_count == 1
    assert in_flow(http, sandbox) == set(contacts[1:])
    calls = request_log(http, sandbox)["counts"]
    assert calls == {
        "POST gong.prospect_flows": 1,  # which instance of the flow the prospect has
        "POST gong.unassign_by_instance_id": 1,
    }


def test_a_sync_that_says_leave_keeps_them_in_the_flow(flow_sync, contacts, run, http, sandbox):
    sync = flow_sync(when_row_leaves="leave")
    run(sync)
    drop(sync, contacts[0])
    clear_request_log(http, sandbox)
    second = run(sync)
    assert second.status == "completed", second.errors
    assert in_flow(http, sandbox) == set(contacts)
    assert request_log(http, sandbox)["counts"] == {}
