"""The Gong emulator's Engage flow endpoints: flows, folders, users, prospect (un)assignment."""

from __future__ import annotations

import pytest

from sandbox.vendors.gong import (
    DEMO_ACCESS_KEY,
    DEMO_ACCESS_KEY_SECRET,
    DEMO_FLOW_ID,
    DEMO_OWNER_EMAIL,
    FLOW_IDS,
    INACTIVE_EMAIL,
    MANAGER_EMAIL,
)
from sandbox.warehouse_data import gong_crm_contact_ids, stale_contact_ids

KEY = (DEMO_ACCESS_KEY, DEMO_ACCESS_KEY_SECRET)
KNOWN = gong_crm_contact_ids()


@pytest.fixture(autouse=True)
def roomy_budget(sandbox):
    """Gong allows 3 calls a second; these tests make more (the limit has its own tests)."""
    sandbox.app.faults.update({"budgets": {"gong": "1000/1"}})


@pytest.fixture
def api(sandbox) -> str:
    return f"{sandbox.vendor_url('gong')}/api"


def _assert_gong_error(response, status: int) -> list[str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"requestId", "errors"}
    return body["errors"]


def _assign(http, api: str, ids, flow_id: str = DEMO_FLOW_ID, owner: str = DEMO_OWNER_EMAIL):
    return http.post(
        f"{api}/v2/flows/prospects/assign",
        auth=KEY,
        json={"crmProspectsIds": list(ids), "flowId": flow_id, "flowInstanceOwnerEmail": owner},
    )


def test_flows_are_the_company_ones_plus_the_owners_personal_and_shared_ones(http, api):
    answer = http.get(f"{api}/v2/flows", params={"flowOwnerEmail": DEMO_OWNER_EMAIL}, auth=KEY)
    assert answer.status_code == 200
    body = answer.json()
    assert body["records"] == {"totalRecords": 5, "currentPageSize": 5, "currentPageNumber": 0}
    flows = {flow["name"]: flow for flow in body["flows"]}
    assert "Morgan's Personal Outreach" not in flows
    assert flows["Active Users Onboarding"] == {
        "id": DEMO_FLOW_ID,
        "name": "Active Users Onboarding",
        "folderId": "1695493301223573500",
        "folderName": "Onboarding",
        "visibility": "Company",
        "creationDate": "2025-03-04T15:20:00Z",
        "exclusive": False,
    }
    assert {flow["visibility"] for flow in flows.values()} == {"Company", "Personal", "Shared"}
    assert all(flow["id"].isdigit() for flow in flows.values())
    manager = http.get(f"{api}/v2/flows", params={"flowOwnerEmail": MANAGER_EMAIL}, auth=KEY)
    names = {flow["name"] for flow in manager.json()["flows"]}
    assert "Morgan's Personal Outreach" in names
    assert "Riley's Follow-ups" not in names


def test_listing_flows_needs_a_known_flow_owner_email(http, api):
    missing = _assert_gong_error(http.get(f"{api}/v2/flows", auth=KEY), 400)
    assert "flowOwnerEmail" in missing[0]
    unknown = http.get(f"{api}/v2/flows", params={"flowOwnerEmail": "nobody@x.example"}, auth=KEY)
    _assert_gong_error(unknown, 400)


def test_a_list_without_records_is_a_404_as_gong_answers_it(http, api):
    answer = http.get(
        f"{api}/v2/flows",
        params={"flowOwnerEmail": DEMO_OWNER_EMAIL, "workspaceId": "999"},
        auth=KEY,
    )
    assert "No flows found" in _assert_gong_error(answer, 404)[0]


def test_flows_page_with_a_cursor_that_belongs_to_its_query(sandbox, http, api):
    sandbox.app.emulators["gong"].page_size = 2
    params = {"flowOwnerEmail": DEMO_OWNER_EMAIL}
    seen, pages, cursor = [], [], None
    while True:
        answer = http.get(
            f"{api}/v2/flows", params={**params, **({"cursor": cursor} if cursor else {})}, auth=KEY
        )
        assert answer.status_code == 200, answer.text
        records = answer.json()["records"]
        pages.append(records)
        seen += [flow["id"] for flow in answer.json()["flows"]]
        cursor = records.get("cursor")
        if cursor is None:
            break
    assert [page["currentPageNumber"] for page in pages] == [0, 1, 2]
    assert [page["currentPageSize"] for page in pages] == [2, 2, 1]
    assert {page["totalRecords"] for page in pages} == {5}
    assert len(set(seen)) == 5
    first = http.get(f"{api}/v2/flows", params=params, auth=KEY).json()["records"]["cursor"]
    other_query = {"flowOwnerEmail": MANAGER_EMAIL, "cursor": first}
    _assert_gong_error(http.get(f"{api}/v2/flows", params=other_query, auth=KEY), 400)
    forged = {**params, "cursor": first[:-2] + ("AA" if first[-2:] != "AA" else "BB")}
    _assert_gong_error(http.get(f"{api}/v2/flows", params=forged, auth=KEY), 400)


def test_folders_are_listed_for_an_owner_and_a_parent_brings_its_children(http, api):
    _assert_gong_error(http.get(f"{api}/v2/flows/folders", auth=KEY), 400)
    params = {"flowFolderOwnerEmail": DEMO_OWNER_EMAIL}
    answer = http.get(f"{api}/v2/flows/folders", params=params, auth=KEY)
    assert answer.status_code == 200
    folders = {folder["name"]: folder for folder in answer.json()["flowsFolders"]}
    assert set(folders) == {"Onboarding", "Nurture", "Enterprise", "Riley's flows", "Team renewals"}
    nurture = folders["Nurture"]["id"]
    children = http.get(
        f"{api}/v2/flows/folders", params={**params, "parentId": nurture}, auth=KEY
    ).json()["flowsFolders"]
    assert {folder["name"] for folder in children} == {"Nurture", "Enterprise"}
    assert folders["Enterprise"]["parentId"] == nurture


def test_users_are_the_company_users(http, api):
    body = http.get(f"{api}/v2/users", auth=KEY).json()
    assert body["records"]["totalRecords"] == 3
    users = {user["emailAddress"]: user for user in body["users"]}
    assert users[DEMO_OWNER_EMAIL]["firstName"] == "Riley"
    assert users[DEMO_OWNER_EMAIL]["active"] is True
    assert users[INACTIVE_EMAIL]["active"] is False


def test_assigning_prospects_reports_each_one_and_only_crm_prospects_are_assigned(
    sandbox, http, api
):
    stale = stale_contact_ids()[0]  # a gold contact in the warehouse, deleted from the CRM
    answer = _assign(http, api, [KNOWN[0], KNOWN[1], stale, "not-a-crm-id"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assigned = body["prospectsAssigned"]
    assert [item["crmProspectId"] for item in assigned] == [KNOWN[0], KNOWN[1]]
    first = assigned[0]
    assert first["flowId"] == DEMO_FLOW_ID
    assert first["flowName"] == "Active Users Onboarding"
    assert first["flowInstanceOwnerEmail"] == DEMO_OWNER_EMAIL
    assert first["flowInstanceOwnerFullName"] == "Riley Rep"
    assert first["flowInstanceStatus"] == "Running"
    assert first["flowInstanceId"].isdigit()
    assert first["flowInstanceCreateDate"].endswith("Z")
    assert first["exclusive"] is False
    assert body["prospectsNotAssigned"] == [
        {
            "flowId": DEMO_FLOW_ID,
            "crmProspectId": crm_id,
            "errorCode": "InvalidArgument",
            "errorMessage": f"Invalid crmId <{crm_id}>",  # Gong's example message
        }
        for crm_id in (stale, "not-a-crm-id")
    ]
    records = http.get(f"{sandbox.url}/_sandbox/records/gong/flow_instances").json()
    assert records["count"] == 2
    assert {(r["crmProspectId"], r["flowId"]) for r in records["data"]} == {
        (KNOWN[0], DEMO_FLOW_ID),
        (KNOWN[1], DEMO_FLOW_ID),
    }


def test_assign_needs_its_three_fields_and_at_most_200_prospects(http, api):
    errors = _assert_gong_error(
        http.post(f"{api}/v2/flows/prospects/assign", auth=KEY, json={}), 400
    )
    assert len(errors) == 3
    assert _assert_gong_error(_assign(http, api, KNOWN[:201]), 400)[0].startswith("crmProspectsIds")
    assert _assign(http, api, KNOWN[:200]).status_code == 200
    _assert_gong_error(
        http.post(f"{api}/v2/flows/prospects/assign", auth=KEY, content=b"{not json"), 400
    )


def test_assign_refuses_an_unknown_flow_or_owner_an_inactive_owner_and_an_unavailable_flow(
    http, api
):
    assert "Invalid flowId" in _assert_gong_error(_assign(http, api, KNOWN[:1], "123"), 400)[0]
    _assert_gong_error(_assign(http, api, KNOWN[:1], owner="nobody@x.example"), 400)
    _assert_gong_error(_assign(http, api, KNOWN[:1], owner=INACTIVE_EMAIL), 400)
    morgans = FLOW_IDS["Morgan's Personal Outreach"]
    _assert_gong_error(_assign(http, api, KNOWN[:1], morgans), 400)
    assert _assign(http, api, KNOWN[:1], morgans, owner=MANAGER_EMAIL).status_code == 200


def test_a_prospect_already_in_the_flow_or_in_an_exclusive_flow_is_not_assigned(http, api):
    # Gong's codes are InvalidArgument | InvalidState | UnexpectedError (AssignedFlowFailure):
    # a prospect the flow's rules keep out is InvalidState, whichever rule it is.
    assert _assign(http, api, KNOWN[:1]).json()["prospectsAssigned"]
    again = _assign(http, api, KNOWN[:2]).json()
    assert [item["crmProspectId"] for item in again["prospectsAssigned"]] == [KNOWN[1]]
    assert again["prospectsNotAssigned"] == [
        {
            "flowId": DEMO_FLOW_ID,
            "crmProspectId": KNOWN[0],
            "errorCode": "InvalidState",
            "errorMessage": f"Prospect {KNOWN[0]} is already assigned to flow {DEMO_FLOW_ID}",
        }
    ]
    exclusive = FLOW_IDS["Trial to Paid Nurture"]
    assert _assign(http, api, KNOWN[2:3], exclusive).json()["prospectsAssigned"]
    blocked = _assign(http, api, KNOWN[2:3]).json()
    assert blocked["prospectsAssigned"] == []
    assert blocked["prospectsNotAssigned"][0]["errorCode"] == "InvalidState"
    assert blocked["prospectsNotAssigned"][0]["errorMessage"] == (
        f"Prospect {KNOWN[2]} is assigned to exclusive flow {exclusive}"
    )


def test_only_gongs_own_error_codes_are_answered_for_a_prospect(sandbox, http, api):
    sandbox.app.emulators["gong"].unexpected_errors.add(KNOWN[3])
    _assign(http, api, KNOWN[4:5])
    body = _assign(http, api, [KNOWN[3], KNOWN[4], "not-a-crm-id"]).json()
    codes = {item["crmProspectId"]: item["errorCode"] for item in body["prospectsNotAssigned"]}
    assert codes == {
        KNOWN[3]: "UnexpectedError",
        KNOWN[4]: "InvalidState",
        "not-a-crm-id": "InvalidArgument",
    }
    assert set(codes.values()) <= {"InvalidArgument", "InvalidState", "UnexpectedError"}
    # Once Gong recovers, the same prospect is assigned.
    sandbox.app.emulators["gong"].unexpected_errors.clear()
    assert _assign(http, api, KNOWN[3:4]).json()["prospectsAssigned"]


def test_a_prospects_flows_are_its_running_flow_instances(http, api):
    _assign(http, api, KNOWN[:2])
    _assign(http, api, KNOWN[:1], FLOW_IDS["Renewal Push"])
    answer = http.post(
        f"{api}/v2/flows/prospects", auth=KEY, json={"crmProspectsIds": [KNOWN[0], KNOWN[5]]}
    )
    assert answer.status_code == 200
    flows = {item["flowName"] for item in answer.json()["prospectsAssigned"]}
    assert flows == {"Active Users Onboarding", "Renewal Push"}
    _assert_gong_error(http.post(f"{api}/v2/flows/prospects", auth=KEY, json={}), 400)


def test_unassigning_by_crm_id_from_one_flow_or_all_and_by_instance_id(sandbox, http, api):
    _assign(http, api, KNOWN[:2])
    renewal = _assign(http, api, KNOWN[:1], FLOW_IDS["Renewal Push"]).json()["prospectsAssigned"]
    by_crm = f"{api}/v2/flows/prospects/unassign-flows-by-crm-id"
    one = http.post(by_crm, auth=KEY, json={"crmProspectId": KNOWN[0], "flowId": DEMO_FLOW_ID})
    assert one.status_code == 200
    assert len(one.json()["unassignedFlowInstanceIds"]) == 1
    remaining = http.post(
        f"{api}/v2/flows/prospects", auth=KEY, json={"crmProspectsIds": KNOWN[:1]}
    )
    assert [i["flowName"] for i in remaining.json()["prospectsAssigned"]] == ["Renewal Push"]
    every = http.post(by_crm, auth=KEY, json={"crmProspectId": KNOWN[0]}).json()
    assert every["unassignedFlowInstanceIds"] == [renewal[0]["flowInstanceId"]]
    assert (
        http.post(by_crm, auth=KEY, json={"crmProspectId": KNOWN[0]}).json()[
            "unassignedFlowInstanceIds"
        ]
        == []
    )
    _assert_gong_error(http.post(by_crm, auth=KEY, json={}), 400)
    _assert_gong_error(http.post(by_crm, auth=KEY, json={"crmProspectId": "not-a-crm-id"}), 400)

    instance = http.post(
        f"{api}/v2/flows/prospects", auth=KEY, json={"crmProspectsIds": [KNOWN[1]]}
    ).json()["prospectsAssigned"][0]["flowInstanceId"]
    by_instance = http.post(
        f"{api}/v2/flows/prospects/unassign-flows-by-instance-id",
        auth=KEY,
        json={"flowInstanceIds": [instance, "1"], "unassignedByUserEmail": MANAGER_EMAIL},
    )
    assert by_instance.json()["unassignedFlowInstanceIds"] == [instance]
    assert http.get(f"{sandbox.url}/_sandbox/records/gong/flow_instances").json()["count"] == 0


def test_unknown_paths_and_methods_get_gongs_error_shape(http, api):
    _assert_gong_error(http.get(f"{api}/v2/nothing-here", auth=KEY), 404)
    _assert_gong_error(http.get(f"{api}/v2/flows/prospects/assign", auth=KEY), 405)
