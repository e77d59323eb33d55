"""Gong Engage: every flow the flow owner can use is a target; a row is a CRM prospect id.

Target ids are Gong's flow ids ("1695493301223590792"; "flow:<id>" is read too). The one field is
`Id`, the CRM contact or lead id (seeds/gong-engage-walkthrough.txt, step 6): Gong identifies
prospects only by the id of the CRM linked to it.
Assigning: https://help.gong.io/apidocs/assign-prospects-contacts-or-leads-to-an-engage-flow-v2flowsprospectsassign-1
— up to 200 prospects a call, per-prospect results in a 200 (destination-apis.md §2.3).
Removing (the remove mode, and rows that leave the model): unassign.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import httpx

from connections.destinations.base import (
    Destination,
    Mode,
    Operation,
    RecordResult,
    Removal,
    TargetField,
    TargetObject,
    WriteBatch,
    identity_as_given,
)
from connections.destinations.errors import DestinationError
from connections.destinations.gong import assign, unassign
from connections.destinations.gong.client import RATE_LIMIT, failure, gong_http
from connections.destinations.http import VendorHTTP, vendor_words
from connections.models import Connection

MAX_PROSPECTS = 200  # per assign call
# Assigning never changes an existing flow instance: both modes add the prospect if needed;
# remove takes it out of the flow (unassign.py).
MODES = (Mode("updateOrCreate"), Mode("create"), Mode("remove"))
REMOVAL = Removal(mode="remove", default=True, says="taken out of the flow")
ID_FIELD = TargetField(
    id="Id",
    name="CRM contact or lead id",
    required=True,
    supports_identity=True,
    identity_functions=("Equality",),
)


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
            raise failure(response, "checking the connection")
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
                raise failure(response, doing)
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
    def normalize_identity(self, target: str, identity_field: str, value: Any) -> str:
        """CRM ids as given, trimmed; a numeric id read from a warehouse as 123.0 is "123"."""
        return identity_as_given(value).strip()

    def write(
        self,
        target: str,
        mode: str,
        records: list[dict[str, Any]],
        *,
        identity_field: str,
        options: Mapping[str, Any] | None = None,
        known_ids: Mapping[str, str] | None = None,
    ) -> WriteBatch:
        """Assign the prospects in calls of up to 200. A call that fails stops the write: the
        calls before it keep what Gong answered, its own prospects are in doubt (or not sent,
        when Gong certainly applied nothing), later ones not sent; `failure` says why."""
        flow_id = _flow_id(target)
        if mode not in {m.id for m in MODES}:
            raise DestinationError(
                f"Gong flows can't be synced in {mode} mode; choose updateOrCreate, create or "
                "remove."
            )
        identities = [
            self.normalize_identity(target, identity_field, record.get(identity_field))
            for record in records
        ]
        # Each CRM id once; an empty one can't name a prospect, so it is not sent at all.
        wanted = list(dict.fromkeys(i for i in identities if i))
        if mode == "remove":
            return self._remove(flow_id, identities, wanted)
        owner = self.flow_owner_email()
        answers: dict[str, RecordResult] = {}
        stopped: DestinationError | None = None
        for start in range(0, len(wanted), MAX_PROSPECTS):
            chunk = wanted[start : start + MAX_PROSPECTS]
            try:
                body = self._assign(flow_id, owner, chunk)
            except DestinationError as error:
                stopped = error
                answers.update(assign.unsent(error, chunk))
                break
            answers.update(assign.assigned(body))
            answers.update(assign.refused(body))
            named = {key.lower() for key in answers}
            for crm_id in chunk:  # sent, yet Gong named it in neither list
                if crm_id.lower() not in named:
                    answers[crm_id] = _unanswered(crm_id)
            stopped = self._settle_in_state(flow_id, answers, chunk)
            if stopped is not None:
                break
        return WriteBatch([self._result(i, answers, stopped) for i in identities], stopped)

    def removal_for(self, target: str) -> Removal | None:
        """A prospect whose row leaves the model is taken out of the flow (Gong allows it)."""
        return REMOVAL

    def _remove(self, flow_id: str, identities: list[str], wanted: list[str]) -> WriteBatch:
        """Take the prospects out of the flow, 200 a call: their current instances in this flow
        are looked up, then unassigned (unassign.py)."""
        answers: dict[str, RecordResult] = {}
        stopped: DestinationError | None = None
        for start in range(0, len(wanted), MAX_PROSPECTS):  # the lookup takes as many
            chunk = wanted[start : start + MAX_PROSPECTS]
            try:
                found = self._instances(flow_id, chunk)
                gone = self._unassign(flow_id, [i for ids in found.values() for i in ids])
            except DestinationError as error:
                stopped = error
                answers.update(assign.unsent(error, chunk, unassign.OPERATION))
                break
            for crm_id in chunk:
                instances = found.get(crm_id.lower(), [])
                answers[crm_id] = unassign.result(crm_id, instances, gone, flow_id)
        results = [self._result(i, answers, stopped, unassign.OPERATION) for i in identities]
        return WriteBatch(results, stopped)

    def _instances(self, flow_id: str, crm_ids: list[str]) -> dict[str, list[str]]:
        response = self.http.request(
            "POST", "v2/flows/prospects", json={"crmProspectsIds": crm_ids}, idempotent=True
        )
        if response.status_code != 200:
            raise failure(response, f"reading who is in flow {flow_id}")
        return unassign.instances_in_flow(response.json(), flow_id)

    def _unassign(self, flow_id: str, instance_ids: list[str]) -> set[str]:
        """The instance ids Gong removed, in calls of up to 200 (one per prospect in a flow)."""
        gone: set[str] = set()
        for start in range(0, len(instance_ids), unassign.MAX_INSTANCES):
            response = self.http.request(
                "POST",
                "v2/flows/prospects/unassign-flows-by-instance-id",
                json={"flowInstanceIds": instance_ids[start : start + unassign.MAX_INSTANCES]},
                idempotent=True,  # removing an instance twice leaves the flow the same
            )
            if response.status_code != 200:
                raise failure(response, f"taking prospects out of flow {flow_id}")
            gone |= unassign.removed(response.json())
        return gone

    def _settle_in_state(
        self, flow_id: str, answers: dict[str, RecordResult], chunk: list[str]
    ) -> DestinationError | None:
        """InvalidState refusals of prospects already in this flow become delivered (Gong's
        list of their flow instances says so); the error if that list could not be read."""
        pending = assign.in_state(answers, chunk)
        if not pending:
            return None
        try:
            response = self.http.request(
                "POST", "v2/flows/prospects", json={"crmProspectsIds": pending}, idempotent=True
            )
            if response.status_code != 200:
                raise failure(response, f"checking the flows of {flow_id}")
        except DestinationError as error:
            answers.update({i: assign.unchecked(answers[i], error) for i in pending})
            return error
        answers.update(assign.already_in_flow(response.json(), flow_id))
        return None

    @staticmethod
    def _result(
        identity: str,
        answers: dict[str, RecordResult],
        stopped: DestinationError | None,
        operation: Operation = assign.OPERATION,
    ) -> RecordResult:
        """The answer for one record, under the identity Syncline keyed it by."""
        answer = answers.get(identity)
        if answer is None and identity:
            # Gong may echo another spelling of the id (18-character Salesforce ids ignore case).
            folded = {key.lower(): value for key, value in answers.items()}
            answer = folded.get(identity.lower())
        if answer is not None:
            return replace(answer, identity=identity)
        if stopped is not None and identity:  # its call came after the one that failed
            return RecordResult.not_sent(identity, operation, stopped.message)
        return RecordResult.not_sent(
            identity, operation, "Nothing was sent to Gong: the record has no CRM id."
        )

    def _assign(self, flow_id: str, owner: str, crm_ids: list[str]) -> dict[str, Any]:
        response = self.http.request(
            "POST",
            "v2/flows/prospects/assign",
            json={"crmProspectsIds": crm_ids, "flowId": flow_id, "flowInstanceOwnerEmail": owner},
            idempotent=True,  # a repeat finds the prospect already in the flow: delivered
        )
        if response.status_code != 200:
            raise self._assign_failure(response, flow_id, owner)
        body: dict[str, Any] = response.json()
        return body

    def _assign_failure(
        self, response: httpx.Response, flow_id: str, owner: str
    ) -> DestinationError:
        said = vendor_words(response)
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
        return failure(response, f"adding prospects to flow {flow_id}")


def _flow_id(target: str) -> str:
    flow_id = target.removeprefix("flow:").strip()
    if not flow_id.isdigit():
        raise DestinationError(
            f"Gong has no Engage flow {target!r}: flow ids are numbers.", status=404
        )
    return flow_id


def _unanswered(crm_id: str) -> RecordResult:
    return RecordResult.in_doubt(
        crm_id,
        assign.OPERATION,
        "Gong did not say whether it added this prospect; Syncline will check before sending "
        "it again.",
    )
