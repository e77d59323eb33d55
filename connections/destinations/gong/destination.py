"""Gong Engage: every flow the flow owner can use is a target; a row is a CRM prospect id.

Target ids are Gong's flow ids ("1695493301223590792"; "flow:<id>" is read too). The one field is
`Id`, the CRM contact or lead id (seeds/gong-engage-walkthrough.txt, step 6): Gong identifies
prospects only by the id of the CRM linked to it.
Assigning: https://help.gong.io/apidocs/assign-prospects-contacts-or-leads-to-an-engage-flow-v2flowsprospectsassign-1
— up to 200 prospects a call, per-prospect results in a 200 (destination-apis.md §2.3).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from connections.destinations.base import (
    Destination,
    Mode,
    RecordResult,
    TargetField,
    TargetObject,
    WriteBatch,
)
from connections.destinations.errors import DestinationError
from connections.destinations.gong.client import RATE_LIMIT, failure, gong_http, vendor_message
from connections.destinations.http import VendorHTTP
from connections.models import Connection

MAX_PROSPECTS = 200  # per assign call
# Assigning never changes an existing flow instance: both modes add the prospect if needed.
MODES = (Mode("updateOrCreate"), Mode("create"))
ID_FIELD = TargetField(
    id="Id",
    name="CRM contact or lead id",
    required=True,
    supports_identity=True,
    identity_functions=("Equality",),
)
# Gong's answer for a prospect already in this flow: it is where the sync wants it.
ALREADY_IN_FLOW = "AlreadyExists"


class GongDestination(Destination):
    title = "Gong"
    batch_size = MAX_PROSPECTS
    rate_limit = RATE_LIMIT  # per company

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._http: VendorHTTP | None = None
        self._owner: str | None = None

    @property
    def http(self) -> VendorHTTP:
        if self._http is None:
            self._http = gong_http(self.connection, rate=self.rate_limit)
        return self._http

    def check(self) -> None:
        response = self.http.request("GET", "v2/users")
        if response.status_code != 200:
            raise failure(self.connection, response, "checking the connection")
        if self.configuration.get("flow_owner_email"):
            self._configured_owner_is_active()

    # -- the flow owner ----------------------------------------------------------------------
    def flow_owner_email(self) -> str:
        """Whose flows are listed, and who owns the flow instances Syncline creates: the
        configured `flow_owner_email`, else the first active Gong user."""
        configured = str(self.configuration.get("flow_owner_email") or "").strip()
        if configured:
            return configured
        if self._owner is None:
            users = self._list("v2/users", {}, "users", "listing Gong users", empty_on_404=False)
            self._owner = next((u["emailAddress"] for u in users if u.get("active")), None)
            if self._owner is None:
                raise DestinationError(
                    "Gong lists no active user to own the flow assignments. Set the flow owner "
                    f"e-mail on {self.connection.name}."
                )
        return self._owner

    def _configured_owner_is_active(self) -> None:
        wanted = str(self.configuration["flow_owner_email"]).strip().lower()
        users = self._list("v2/users", {}, "users", "listing Gong users", empty_on_404=False)
        user = next((u for u in users if str(u.get("emailAddress", "")).lower() == wanted), None)
        if user is None or not user.get("active"):
            state = "is not a Gong user" if user is None else "is not active in Gong"
            raise DestinationError(
                f"The flow owner {wanted} {state}. Set the flow owner e-mail of "
                f"{self.connection.name} to an active Gong user."
            )

    def _list(
        self, path: str, params: dict[str, str], key: str, doing: str, *, empty_on_404: bool
    ) -> Iterator[dict[str, Any]]:
        """Every item of a cursor-paged list: repeat the same call adding `cursor`."""
        cursor = ""
        while True:
            query = {**params, "cursor": cursor} if cursor else params
            response = self.http.request("GET", path, params=query)
            if response.status_code == 404 and empty_on_404:
                return  # Gong answers an empty list with 404
            if response.status_code != 200:
                raise failure(self.connection, response, doing)
            body = response.json()
            yield from body.get(key) or []
            cursor = (body.get("records") or {}).get("cursor") or ""
            if not cursor:
                return

    # -- discovery -------------------------------------------------------------------------
    def target_objects(self) -> list[TargetObject]:
        flows = self._list(
            "v2/flows",
            {"flowOwnerEmail": self.flow_owner_email()},
            "flows",
            "listing Engage flows",
            empty_on_404=True,
        )
        return [TargetObject(str(flow["id"]), f"Flow: {flow['name']}", MODES) for flow in flows]

    def target_fields(self, target: str) -> list[TargetField]:
        flow_id = _flow_id(target)
        if flow_id not in {flow.id for flow in self.target_objects()}:
            raise DestinationError(
                f"Gong has no Engage flow {flow_id} that {self.flow_owner_email()} can use. "
                "Pick another flow, or change the connection's flow owner.",
                status=404,
            )
        return [ID_FIELD]

    # -- writing ---------------------------------------------------------------------------
    def write(
        self, target: str, mode: str, records: list[dict[str, Any]], *, identity_field: str
    ) -> WriteBatch:
        flow_id = _flow_id(target)
        if mode not in {m.id for m in MODES}:
            raise DestinationError(
                f"Gong flows can't be synced in {mode} mode; choose updateOrCreate or create."
            )
        owner = self.flow_owner_email()
        identities = [_text(record.get(identity_field)) for record in records]
        wanted = list(dict.fromkeys(i for i in identities if i))
        answers: dict[str, RecordResult] = {}
        for start in range(0, len(wanted), MAX_PROSPECTS):
            answers.update(self._assign(flow_id, owner, wanted[start : start + MAX_PROSPECTS]))
        folded = {key.lower(): answer for key, answer in answers.items()}
        results = []
        for identity in identities:
            answer = answers.get(identity) or folded.get(identity.lower())
            if not identity:
                answer = RecordResult(identity, False, "", "insert", "The CRM id is empty.")
            elif answer is None:
                answer = RecordResult(
                    identity,
                    False,
                    "",
                    "insert",
                    "Gong did not say whether it added this prospect; it will be sent again.",
                )
            results.append(
                RecordResult(
                    identity, answer.ok, answer.destination_id, answer.operation, answer.message
                )
            )
        return WriteBatch(results)

    def _assign(self, flow_id: str, owner: str, crm_ids: list[str]) -> dict[str, RecordResult]:
        response = self.http.request(
            "POST",
            "v2/flows/prospects/assign",
            json={"crmProspectsIds": crm_ids, "flowId": flow_id, "flowInstanceOwnerEmail": owner},
            idempotent=True,  # a repeat answers AlreadyExists, which counts as delivered
        )
        if response.status_code != 200:
            raise self._assign_failure(response, flow_id, owner)
        body = response.json()
        answers: dict[str, RecordResult] = {}
        for item in body.get("prospectsAssigned") or []:
            crm_id = str(item.get("crmProspectId", ""))
            answers[crm_id] = RecordResult(
                crm_id, True, str(item.get("flowInstanceId") or ""), "insert"
            )
        for item in body.get("prospectsNotAssigned") or []:
            crm_id = str(item.get("crmProspectId", ""))
            code = str(item.get("errorCode") or "")
            if code == ALREADY_IN_FLOW:
                answers[crm_id] = RecordResult(crm_id, True, "", "unchanged")
                continue
            said = str(item.get("errorMessage") or "Gong did not add this prospect")
            answers[crm_id] = RecordResult(
                crm_id, False, "", "insert", f"{said} ({code})" if code else said
            )
        return answers

    def _assign_failure(
        self, response: httpx.Response, flow_id: str, owner: str
    ) -> DestinationError:
        said = vendor_message(response)
        lowered = said.lower()
        if response.status_code == 404 or (response.status_code == 400 and "flowid" in lowered):
            return DestinationError(
                f"The Gong flow {flow_id} no longer exists ({said}). Pick another flow for this "
                "sync.",
                status=404,
            )
        if response.status_code == 400 and ("owner" in lowered or "not available" in lowered):
            return DestinationError(
                f"Gong won't let {owner} own prospects in flow {flow_id} ({said}). Set the flow "
                f"owner e-mail of {self.connection.name} to an active Gong user who can use "
                "this flow.",
            )
        return failure(self.connection, response, f"adding prospects to flow {flow_id}")


def _flow_id(target: str) -> str:
    flow_id = target.removeprefix("flow:").strip()
    if not flow_id.isdigit():
        raise DestinationError(
            f"Gong has no Engage flow {target!r}: flow ids are numbers.", status=404
        )
    return flow_id


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric CRM id (HubSpot) read from a warehouse as a float
    return "" if value is None else str(value).strip()
