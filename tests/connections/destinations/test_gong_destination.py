"""The Gong Engage destination against the sandbox over real HTTP: flows, the CRM-id field,
assignments in batches of 200, per-prospect results, token refresh and Gong's 3-a-second limit."""

from __future__ import annotations

import math

import pytest

from connections.destinations.base import Outcome
from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.destinations.gong.destination import GongDestination
from connections.models import Connection
from sandbox.vendors.gong import DEMO_FLOW_ID, DEMO_OWNER_EMAIL, FLOW_IDS
from sandbox.warehouse_data import gong_crm_contact_ids, stale_contact_ids
from tests.connections.destinations.gong_support import (
    clear_request_log,
    gong_connection,
    gong_tokens,
    instances,
    request_log,
)

pytestmark = pytest.mark.django_db

VISIBLE_TO_RILEY = {
    FLOW_IDS[name]
    for name in (
        "Active Users Onboarding",
        "Trial to Paid Nurture",
        "Enterprise Expansion",
        "Riley's Follow-ups",
        "Renewal Push",
    )
}


@pytest.fixture
def oauth(vendors, http):
    return gong_tokens(vendors, http)


@pytest.fixture
def connection(organization, oauth):
    return gong_connection(organization, oauth)


@pytest.fixture
def destination(connection):
    return GongDestination(connection)


def _instances(http, sandbox) -> list[dict]:
    return instances(http, sandbox)


def _log(http, sandbox) -> dict:
    return request_log(http, sandbox)


def _clear_log(http, sandbox) -> None:
    clear_request_log(http, sandbox)


def _write_in_batches(destination, flow_id: str, crm_ids: list[str]) -> list:
    """As the engine does: chunks of the destination's batch size."""
    results = []
    size = destination.batch_size
    for start in range(0, len(crm_ids), size):
        records = [{"Id": crm_id} for crm_id in crm_ids[start : start + size]]
        batch = destination.write(flow_id, "updateOrCreate", records, identity_field="Id")
        results.extend(batch.results)
    return results


def test_the_flows_the_owner_can_use_are_the_target_objects(sandbox, http, destination):
    sandbox.app.emulators["gong"].page_size = 2  # five flows: three pages of cursors
    _clear_log(http, sandbox)

    objects = destination.target_objects()

    assert {target.id for target in objects} == VISIBLE_TO_RILEY
    names = {target.id: target.name for target in objects}
    assert names[DEMO_FLOW_ID] == "Flow: Active Users Onboarding"
    assert [mode.id for mode in objects[0].modes] == ["updateOrCreate", "create", "remove"]
    assert destination.flow_owner_email() == DEMO_OWNER_EMAIL  # the first active user
    assert _log(http, sandbox)["counts"] == {"GET gong.users": 1, "GET gong.flows": 3}


def test_the_one_field_is_the_crm_id_and_it_is_the_identity(destination):
    destination.check()
    [field] = destination.target_fields(DEMO_FLOW_ID)
    assert field.id == "Id"
    assert field.supports_identity and field.required
    assert field.to_json()["identity_functions"] == [{"id": "Equality", "label": "Equality"}]
    with pytest.raises(DestinationError, match="no Engage flow 42") as error:
        destination.target_fields("42")
    assert error.value.status == 404


def test_every_warehouse_contact_is_assigned_in_calls_of_200_and_stale_ids_are_refused(
    sandbox, http, destination
):
    known, stale = list(gong_crm_contact_ids()), list(stale_contact_ids())
    crm_ids = known[:100] + stale + known[100:]
    _clear_log(http, sandbox)

    results = _write_in_batches(destination, DEMO_FLOW_ID, crm_ids)

    assert [result.identity for result in results] == crm_ids
    refused = {result.identity: result for result in results if not result.ok}
    assert set(refused) == set(stale)
    assert {result.outcome for result in refused.values()} == {Outcome.REJECTED}
    assert f"Invalid crmId <{stale[0]}> (InvalidArgument)" in refused[stale[0]].message
    assert (refused[stale[0]].code, refused[stale[0]].retryable) == ("InvalidArgument", False)
    instances = _instances(http, sandbox)
    assert {i["crmProspectId"] for i in instances} == set(known)
    assert {i["flowId"] for i in instances} == {DEMO_FLOW_ID}
    assert {i["flowInstanceOwnerEmail"] for i in instances} == {DEMO_OWNER_EMAIL}
    accepted = next(result for result in results if result.ok)
    assert accepted.destination_id in {i["flowInstanceId"] for i in instances}
    counts = _log(http, sandbox)["counts"]
    assert counts["POST gong.assign_prospects"] == math.ceil(len(crm_ids) / 200) == 3


def test_a_prospect_already_in_the_flow_counts_as_delivered(sandbox, http, destination):
    crm_ids = list(gong_crm_contact_ids()[:3])
    first = destination.write(
        DEMO_FLOW_ID, "create", [{"Id": c} for c in crm_ids], identity_field="Id"
    )
    assert [(r.ok, r.operation, r.changed) for r in first.results] == [(True, "insert", True)] * 3

    again = destination.write(
        DEMO_FLOW_ID, "updateOrCreate", [{"Id": c} for c in crm_ids], identity_field="Id"
    )

    assert [(r.ok, r.operation, r.changed) for r in again.results] == [(True, "insert", False)] * 3
    assert [r.destination_id for r in again.results] == [r.destination_id for r in first.results]
    assert len(_instances(http, sandbox)) == 3

    # A prospect held by an exclusive flow is refused, in Gong's words.
    exclusive = FLOW_IDS["Trial to Paid Nurture"]
    other = gong_crm_contact_ids()[10]
    destination.write(exclusive, "create", [{"Id": other}], identity_field="Id")
    refused = destination.write(DEMO_FLOW_ID, "create", [{"Id": other}], identity_field="Id")
    assert not refused.results[0].ok
    assert refused.results[0].outcome is Outcome.REJECTED
    assert f"is assigned to exclusive flow {exclusive} (InvalidState)" in (
        refused.results[0].message
    )
    assert (refused.results[0].code, refused.results[0].retryable) == ("InvalidState", False)


def test_an_expired_access_token_is_refreshed_once_and_the_new_tokens_saved(
    sandbox, http, connection, oauth
):
    connection.configuration = {**connection.configuration, "flow_owner_email": DEMO_OWNER_EMAIL}
    destination = GongDestination(connection)
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={"vendor": "gong"})
    _clear_log(http, sandbox)

    batch = destination.write(
        DEMO_FLOW_ID, "updateOrCreate", [{"Id": gong_crm_contact_ids()[0]}], identity_field="Id"
    )

    assert batch.results[0].ok
    assert len(_instances(http, sandbox)) == 1
    assert _log(http, sandbox)["counts"] == {
        "POST gong.assign_prospects": 2,  # the 401, then the retry with the new token
        "POST gong.oauth_token": 1,
    }
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.secrets["refresh_token"] != oauth["refresh_token"]  # single-use: rotated
    assert stored.secrets["access_token"] != oauth["access_token"]
    assert stored.configuration["api_base_url"] == oauth["api_base_url_for_customer"]
    assert "api_base_url_for_customer" not in stored.configuration


def test_a_revoked_refresh_token_turns_the_connection_needs_auth(
    sandbox, http, connection, destination
):
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    http.post(f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={})

    with pytest.raises(NeedsReauthorization, match="Reconnect Gong"):
        destination.target_objects()

    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.NEEDS_AUTH


def test_a_deleted_flow_or_an_inactive_owner_is_explained(sandbox, connection):
    flow_id = FLOW_IDS["Renewal Push"]
    del sandbox.app.emulators["gong"].table("flows")[flow_id]
    connection.configuration = {**connection.configuration, "flow_owner_email": DEMO_OWNER_EMAIL}

    batch = GongDestination(connection).write(
        flow_id, "updateOrCreate", [{"Id": gong_crm_contact_ids()[0]}], identity_field="Id"
    )
    assert batch.failure is not None
    assert f"flow {flow_id} no longer exists" in batch.failure.message
    assert batch.failure.status == 404
    # Gong refused the whole call: nothing was applied, so the prospect was simply not sent.
    assert [r.outcome for r in batch.results] == [Outcome.NOT_SENT]

    connection.configuration = {
        **connection.configuration,
        "flow_owner_email": "former.rep@acme.example",
    }
    with pytest.raises(DestinationError, match="is not active in Gong"):
        GongDestination(connection).check()


def test_a_tighter_gong_budget_is_waited_out_without_losing_prospects(sandbox, http, connection):
    # Gong answers 429 with Retry-After once over the company's budget; the client waits it out.
    sandbox.app.faults.update({"budgets": {"gong": "1/1"}})
    connection.configuration = {**connection.configuration, "flow_owner_email": DEMO_OWNER_EMAIL}
    crm_ids = list(gong_crm_contact_ids()[:6])
    _clear_log(http, sandbox)

    destination = GongDestination(connection)
    results = []
    for start in (0, 2, 4):
        records = [{"Id": c} for c in crm_ids[start : start + 2]]
        results += destination.write(DEMO_FLOW_ID, "create", records, identity_field="Id").results

    assert all(result.ok for result in results)
    assert {i["crmProspectId"] for i in _instances(http, sandbox)} == set(crm_ids)
    statuses = _log(http, sandbox)["statuses"]
    assert statuses["200"] == 3 and statuses.get("429", 0) >= 1
    assert any(call.waited_ms > 0 for call in destination.calls)
