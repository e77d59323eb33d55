"""Gong refuses a prospect with InvalidArgument, InvalidState or UnexpectedError (its OpenAPI
schema AssignedFlowFailure); a prospect already in the flow is one of its InvalidState answers
and must count as delivered, or every later run would fail it again."""

from __future__ import annotations

import pytest

from connections.destinations.base import Outcome
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
KNOWN = gong_crm_contact_ids()


@pytest.fixture
def destination(organization, vendors, http):
    return GongDestination(gong_connection(organization, gong_tokens(vendors, http)))


def _write(destination, crm_ids, flow_id=DEMO_FLOW_ID):
    records = [{"Id": crm_id} for crm_id in crm_ids]
    return destination.write(flow_id, "updateOrCreate", records, identity_field="Id")


def test_a_prospect_already_in_the_flow_is_delivered_unchanged_on_the_second_run(
    sandbox, http, destination
):
    first = _write(destination, KNOWN[:3])
    assert [r.outcome for r in first.results] == [Outcome.ACCEPTED] * 3
    clear_request_log(http, sandbox)

    second = _write(destination, KNOWN[:4])

    assert [(r.outcome, r.changed) for r in second.results] == [
        (Outcome.ACCEPTED, False),
        (Outcome.ACCEPTED, False),
        (Outcome.ACCEPTED, False),
        (Outcome.ACCEPTED, True),
    ]
    # The flow instance Gong already had is the destination id, as on the first run.
    assert [r.destination_id for r in second.results[:3]] == [
        r.destination_id for r in first.results
    ]
    assert second.failure is None
    assert len(instances(http, sandbox)) == 4
    # One assign call, and one look at the refused prospects' flows to confirm them.
    assert request_log(http, sandbox)["counts"] == {
        "POST gong.assign_prospects": 1,
        "POST gong.prospect_flows": 1,
    }


def test_a_prospect_kept_out_by_another_flow_stays_rejected_in_gongs_words(
    sandbox, http, destination
):
    exclusive = FLOW_IDS["Trial to Paid Nurture"]
    _write(destination, KNOWN[5:6], exclusive)

    [result] = _write(destination, KNOWN[5:6]).results

    assert result.outcome is Outcome.REJECTED
    assert result.code == "InvalidState"
    assert not result.retryable
    assert f"Prospect {KNOWN[5]} is assigned to exclusive flow {exclusive}" in result.message


def test_an_unexpected_error_at_gong_is_rejected_as_retryable(sandbox, http, destination):
    sandbox.app.emulators["gong"].unexpected_errors.add(KNOWN[7])

    batch = _write(destination, KNOWN[6:9])

    refused = batch.results[1]
    assert refused.outcome is Outcome.REJECTED
    assert (refused.code, refused.retryable) == ("UnexpectedError", True)
    assert "Failed to assign the prospect to the flow" in refused.message
    assert [r.outcome for r in (batch.results[0], batch.results[2])] == [Outcome.ACCEPTED] * 2

    # A later attempt, once Gong has recovered, delivers it.
    sandbox.app.emulators["gong"].unexpected_errors.clear()
    assert _write(destination, KNOWN[7:8]).results[0].outcome is Outcome.ACCEPTED


def test_an_invalid_crm_id_is_rejected_for_good_with_gongs_code(destination):
    [result] = _write(destination, ["not-a-crm-id"]).results

    assert result.outcome is Outcome.REJECTED
    assert (result.code, result.retryable) == ("InvalidArgument", False)
    assert "Invalid crmId <not-a-crm-id> (InvalidArgument)" in result.message
