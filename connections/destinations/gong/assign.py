"""What Gong's assign answer says about each prospect, as write results.

`POST /v2/flows/prospects/assign` answers 200 with `prospectsAssigned` (new flow instances) and
`prospectsNotAssigned`, whose `errorCode` is one of `InvalidArgument | InvalidState |
UnexpectedError` (Gong's OpenAPI schema `AssignedFlowFailure`; the endpoint's page:
https://help.gong.io/apidocs/assign-prospects-contacts-or-leads-to-an-engage-flow-v2flowsprospectsassign-1).
"Invalid crmId <id>" is Gong's example of InvalidArgument.

Gong has no code of its own for "already in this flow": requests "follow the same eligibility
rules as adding people in Gong" (https://help.gong.io/v1/docs/gong-engage-api-capabilities), and a
prospect the flow's rules keep out — already in it, held by an exclusive flow, in a cool-off
period (https://help.gong.io/docs/understand-when-people-cant-be-added-to-flows) — is an
InvalidState refusal. Gong publishes no wording for these messages, so Syncline does not read
them: for InvalidState refusals it asks Gong which flows the prospects are in
(`POST /v2/flows/prospects`,
https://help.gong.io/apidocs/list-assigned-flows-for-the-given-prospects-v2flowsprospects-1),
and a prospect with an instance of this flow is where the sync wants it: delivered, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connections.destinations.base import Operation, RecordResult
from connections.destinations.errors import DestinationError

INVALID_ARGUMENT = "InvalidArgument"
INVALID_STATE = "InvalidState"
UNEXPECTED_ERROR = "UnexpectedError"  # Gong failed on its side: a later attempt may work
OPERATION = Operation.INSERT  # assigning adds a flow instance (or finds it already there)


def assigned(body: dict[str, Any]) -> dict[str, RecordResult]:
    """The prospects Gong added: accepted with the new flow instance id."""
    answers: dict[str, RecordResult] = {}
    for item in body.get("prospectsAssigned") or []:
        crm_id = str(item.get("crmProspectId") or "")
        answers[crm_id] = RecordResult.accepted(crm_id, OPERATION, item.get("flowInstanceId"))
    return answers


def refused(body: dict[str, Any]) -> dict[str, RecordResult]:
    """The prospects Gong did not add, rejected in Gong's words and with its code."""
    answers: dict[str, RecordResult] = {}
    for item in body.get("prospectsNotAssigned") or []:
        crm_id = str(item.get("crmProspectId") or "")
        code = str(item.get("errorCode") or "")
        said = str(item.get("errorMessage") or "no reason given").strip().rstrip(".")
        answers[crm_id] = RecordResult.rejected(
            crm_id,
            OPERATION,
            _sentence(code, said),
            code=code,
            retryable=code == UNEXPECTED_ERROR,
        )
    return answers


def _sentence(code: str, said: str) -> str:
    if code == INVALID_ARGUMENT:
        return (
            f"Gong did not add this prospect to the flow: {said} ({code}). Check that the id "
            "is a contact or lead in the CRM linked to Gong."
        )
    if code == INVALID_STATE:
        return (
            f"Gong did not add this prospect to the flow: {said} ({code}). The flow's rules "
            "keep it out for now (for example another exclusive flow or a cool-off period)."
        )
    if code == UNEXPECTED_ERROR:
        return (
            f"Gong could not add this prospect to the flow: {said} ({code}). It will be "
            "tried again on the next run."
        )
    return f"Gong did not add this prospect to the flow: {said}" + (f" ({code})." if code else ".")


def in_state(answers: dict[str, RecordResult], crm_ids: Iterable[str]) -> list[str]:
    """The ids of `crm_ids` Gong refused as InvalidState (perhaps already in this flow)."""
    return [i for i in crm_ids if i in answers and answers[i].code == INVALID_STATE]


def already_in_flow(body: dict[str, Any], flow_id: str) -> dict[str, RecordResult]:
    """From Gong's list of the prospects' flow instances: those in this flow, as delivered and
    unchanged, with the instance id they already have."""
    answers: dict[str, RecordResult] = {}
    for item in body.get("prospectsAssigned") or []:
        if str(item.get("flowId") or "") != flow_id:
            continue
        crm_id = str(item.get("crmProspectId") or "")
        answers[crm_id] = RecordResult.accepted(
            crm_id, OPERATION, item.get("flowInstanceId"), changed=False
        )
    return answers


def unchecked(answer: RecordResult, error: DestinationError) -> RecordResult:
    """An InvalidState refusal Syncline could not check against the prospect's flows."""
    return RecordResult.rejected(
        answer.identity,
        answer.operation,
        f"{answer.message} Syncline could not check whether it is already in the flow "
        f"({error.message}); it will be checked on the next run.",
        code=answer.code,
        retryable=True,
    )


def may_have_applied(error: DestinationError) -> bool:
    """Whether a failed assign call may have added prospects all the same. Assignments are sent
    as idempotent (a repeat finds the prospect already in the flow), so a timeout or a 5xx is
    retried and finally raised without `in_doubt`: only a refusal (4xx), a throttle or a 503
    certainly applied nothing."""
    if error.in_doubt:
        return True
    return not error.permanent and error.status not in (429, 503)


def unsent(
    error: DestinationError, crm_ids: Iterable[str], operation: Operation = OPERATION
) -> dict[str, RecordResult]:
    """Results for the prospects of an assign (or unassign) call that failed."""
    if may_have_applied(error):
        return {i: RecordResult.in_doubt(i, operation, error.message) for i in crm_ids}
    return {i: RecordResult.not_sent(i, operation, error.message) for i in crm_ids}
