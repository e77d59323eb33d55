"""The Gong walkthrough's sync, run by the engine: Snowflake gold contacts → an Engage flow by
CRM contact id; a second run sends nothing; contacts Gong doesn't know are RecordErrors."""

from __future__ import annotations

import pytest

from sandbox.vendors.gong import DEMO_FLOW_ID
from sandbox.warehouse_data import gong_crm_contact_ids, salesforce_contacts, stale_contact_ids
from syncs.models import RecordError
from tests.connections.destinations.gong_support import (
    clear_request_log,
    gong_connection,
    gong_tokens,
    instances,
    request_log,
)

pytestmark = pytest.mark.django_db

GOLD = "SELECT contact_id FROM salesforce_contacts WHERE subscription_plan = 'gold'"


def test_gold_contacts_are_assigned_to_the_flow_once(
    organization, vendors, http, sandbox, warehouse, make_sync, run
):
    gong = gong_connection(organization, gong_tokens(vendors, http))
    sync = make_sync(
        source=warehouse,
        query=GOLD,
        target_connection=gong,
        target=DEMO_FLOW_ID,
        mode="updateOrCreate",
        identity=("contact_id", "Id"),
        fields=[],
    )
    gold = {c.contact_id for c in salesforce_contacts() if c.subscription_plan == "gold"}
    known = gold & set(gong_crm_contact_ids())
    first = run(sync)
    assert first.status == "completed", first.errors
    assigned = {i["crmProspectId"] for i in instances(http, sandbox) if i["flowId"] == DEMO_FLOW_ID}
    assert assigned == known
    assert first.insert_count == len(known)
    refused = set(
        RecordError.objects.filter(execution=first).values_list("identity_value", flat=True)
    )
    assert refused == gold & set(stale_contact_ids())
    clear_request_log(http, sandbox)
    second = run(sync)
    assert second.status == "completed", second.errors
    assert second.unchanged_count == len(known)
    posts = {k: v for k, v in request_log(http, sandbox)["counts"].items() if "assign" in k}
    # Only the contacts Gong refused are tried again: one call for them, none for the rest.
    assert sum(posts.values()) == 1
