"""Taking prospects out of an Engage flow, as write results (the flow target's remove mode).

Gong removes prospects from flows by flow instance: `POST /v2/flows/prospects/unassign-flows-by-
instance-id` takes up to 200 instance ids and answers with the ones it removed; "if a prospect
could not be removed from the flow for any reason, the Id isn't returned in the response and the
prospect is still assigned to the flow"
(https://help.gong.io/apidocs/unassign-flows-by-flow-instance-id-v2flowsprospectsunassign-flows-by-instance-id-1).
The instances come from `POST /v2/flows/prospects` (the prospects' current flows,
https://help.gong.io/apidocs/list-assigned-flows-for-the-given-prospects-v2flowsprospects-1),
not from what an earlier run was told: a prospect re-added since has another instance.
(`unassign-flows-by-crm-id` also exists, but takes one prospect a call.)
"""

from __future__ import annotations

from typing import Any

from connections.destinations.base import Operation, RecordResult

OPERATION = Operation.DELETE
MAX_INSTANCES = 200  # per unassign call


def instances_in_flow(body: dict[str, Any], flow_id: str) -> dict[str, list[str]]:
    """{CRM id folded to lower case: its instance ids in this flow} from Gong's list of the
    prospects' flows (18-character Salesforce ids may come back in another case)."""
    found: dict[str, list[str]] = {}
    for item in body.get("prospectsAssigned") or []:
        if str(item.get("flowId") or "") != flow_id or not item.get("flowInstanceId"):
            continue
        crm_id = str(item.get("crmProspectId") or "").lower()
        found.setdefault(crm_id, []).append(str(item["flowInstanceId"]))
    return found


def removed(body: dict[str, Any]) -> set[str]:
    return {str(i) for i in body.get("unassignedFlowInstanceIds") or []}


def result(crm_id: str, instances: list[str], gone: set[str], flow_id: str) -> RecordResult:
    """What became of one prospect: out of the flow (now, or already), or kept in it by Gong."""
    if not instances:
        return RecordResult.accepted(crm_id, OPERATION, changed=False)  # not in the flow
    if all(instance in gone for instance in instances):
        return RecordResult.accepted(crm_id, OPERATION, instances[0])
    return RecordResult.rejected(
        crm_id,
        OPERATION,
        f"Gong kept this prospect in flow {flow_id}: it did not remove flow instance "
        f"{', '.join(i for i in instances if i not in gone)} and does not say why. It will be "
        "tried again on the next run.",
        retryable=True,
    )
