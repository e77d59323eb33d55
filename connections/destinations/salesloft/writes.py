"""Writing one batch to Salesloft, one call per record: Salesloft has no batch endpoint.

- Upserts (`POST /v2/person_upserts`, `/v2/account_upserts`) match on `upsert_key`
  (https://developers.salesloft.com/docs/api/account-upserts-create/): id, crm_id, and
  email_address for people or domain for accounts. They are the only idempotent writes.
- Creates (`POST /v2/people`, `/v2/accounts`) have no idempotency key (destination-apis.md §1.2),
  so one that timed out or got a 500/502/504 may have been applied: VendorHTTP doesn't resend it
  and says it is in doubt, and that record is reported in doubt, never as rejected.
- Update mode must not create, so it first finds the records by their identity with the list
  filters (`email_addresses[]`, `crm_id[]`, `ids[]`; accounts: `domain`), then PUTs each — unless
  an earlier run got the record's id (known_ids).
- A cadence target upserts (or, in create mode, finds or creates) the person, then adds them with
  `POST /v2/cadence_memberships`; "already on this cadence" means the row is where it belongs.
  Its remove mode finds the person's membership and ends it with
  `DELETE /v2/cadence_memberships/{id}`.
- A 400/422 is about the record and comes back in Salesloft's own words; 401, 403 and 5xx are
  about the whole call and raise: the batch stops there (see Batch.stop).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from connections.destinations.base import (
    Operation,
    Outcome,
    RecordResult,
    WriteBatch,
    unsent_after,
)
from connections.destinations.errors import DestinationError
from connections.destinations.http import VendorHTTP
from connections.destinations.salesloft.client import failure, page_cost, vendor_message

# Values per list call when finding records: keeps the URL well under proxies' 8 KB limits.
LOOKUP_CHUNK = 50
PER_PAGE = 100  # Salesloft's maximum page size
RECORD_STATUSES = frozenset({400, 422})  # about this record's values, not the whole call

_PATHS = {
    "people": ("v2/person_upserts", "v2/people", "person"),
    "accounts": ("v2/account_upserts", "v2/accounts", "account"),
}
_FILTERS = {
    "people": {"email_address": "email_addresses[]", "crm_id": "crm_id[]", "id": "ids[]"},
    # Salesloft's accounts `domain` filter takes one domain (domains are unique on a team).
    "accounts": {"domain": "domain", "crm_id": "crm_id[]", "id": "ids[]"},
}
_NOUNS = {"people": ("person", "people"), "accounts": ("account", "accounts")}


def _normal(value: Any) -> str:
    return str(value).strip().lower()


@dataclass
class Batch:
    """One write call's records, and what Salesloft said about each so far."""

    kind: str  # people | accounts
    key: str  # the identity field, also the upsert key
    operation: Operation  # what the mode does to a row, for rows the batch stops before
    identities: list[str]  # as the engine keys them (SalesloftDestination.normalize_identity)
    bodies: list[dict[str, Any]]
    results: list[RecordResult | None] = field(default_factory=list)
    failure: DestinationError | None = None
    current: int | None = None  # the row the call under way carries

    def __post_init__(self) -> None:
        self.results = [None] * len(self.identities)

    @property
    def pending(self) -> list[int]:
        return [i for i, result in enumerate(self.results) if result is None]

    def accept(
        self, index: int, destination_id: Any, operation: str, *, changed: bool = True
    ) -> None:
        self.results[index] = RecordResult.accepted(
            self.identities[index], operation, destination_id, changed=changed
        )

    def reject(
        self, index: int, message: str, operation: str, response: httpx.Response | None = None
    ) -> None:
        code = str(response.status_code) if response is not None else ""
        self.results[index] = RecordResult.rejected(
            self.identities[index], operation, message, code=code
        )

    @contextmanager
    def sending(self, index: int) -> Iterator[None]:
        """Marks the row the calls inside carry, so a failure can tell which row it may have
        applied. Left set when they raise: stop() reads it."""
        self.current = index
        yield
        self.current = None

    def stop(self, error: DestinationError) -> None:
        """A whole-call failure: what Salesloft already answered stays. The row being sent is in
        doubt when the call may have been applied (a create that timed out), else not sent; the
        rows after it never reached Salesloft. A cadence row whose person was upserted but not
        yet added is not sent: sending it again upserts the same person and adds them."""
        self.failure = error
        for i in self.pending:
            identity = self.identities[i]
            if i == self.current:
                self.results[i] = unsent_after(error, [identity], self.operation)[0]
            else:
                self.results[i] = RecordResult.not_sent(
                    identity,
                    self.operation,
                    f"Syncline stopped before sending this record: {error.message}",
                )

    def settled(self) -> WriteBatch:
        """The batch's results; raises the failure when nothing reached Salesloft at all."""
        results = [_settled(result) for result in self.results]
        if self.failure is not None and all(r.outcome is Outcome.NOT_SENT for r in results):
            raise self.failure  # the whole call failed before anything was sent: say so
        return WriteBatch(results, failure=self.failure)


def _settled(result: RecordResult | None) -> RecordResult:
    if result is None:  # every path settles each row; this would be a bug, said plainly
        raise DestinationError("Salesloft's answer left a record without a result.")
    return result


class SalesloftWriter:
    """One call per row. Each primitive settles the row (accepted or rejected) or hands back
    what the next step needs; a whole-call failure raises and the caller stops the batch."""

    def __init__(self, http: VendorHTTP) -> None:
        self.http = http

    def _send(self, method: str, path: str, doing: str, **kwargs: Any) -> httpx.Response:
        """The answer when it is a success or about the record; raises for the whole call."""
        response = self.http.request(method, path, **kwargs)
        if response.status_code < 300 or response.status_code in RECORD_STATUSES:
            return response
        if response.status_code == 404 and method == "PUT":
            return response  # the record is gone: that record's problem
        raise failure(response, doing)

    # -- the three primitives ----------------------------------------------------------------
    def upsert(self, batch: Batch, i: int) -> tuple[int, str] | None:
        """Upsert row i by the batch's key: (record id, "insert" | "update"), or None when
        Salesloft refused it (the row is then rejected in Salesloft's words)."""
        path, _, noun = _PATHS[batch.kind]
        response = self._send(
            "POST",
            path,
            f"upserting {batch.kind}",
            json={**batch.bodies[i], "upsert_key": batch.key},
            idempotent=True,  # an upsert by key applies once however often it is sent
        )
        if response.status_code >= 300:
            batch.reject(i, _refusal(response), "upsert", response)
            return None
        data = response.json()["data"]
        operation = "insert" if data.get("upsert_type") == "create" else "update"
        return int(data[noun]["id"]), operation

    def create(self, batch: Batch, i: int) -> int | None:
        """Create row i: its new id, or None when Salesloft refused it. Not idempotent: a
        timeout or 500/502/504 raises in doubt (VendorHTTP) and the batch stops at this row."""
        _, path, _ = _PATHS[batch.kind]
        body = {k: v for k, v in batch.bodies[i].items() if k != "id"}
        response = self._send("POST", path, f"creating {batch.kind}", json=body)
        if response.status_code >= 300:
            batch.reject(i, _refusal(response), "insert", response)
            return None
        return int(response.json()["data"]["id"])

    def update(self, batch: Batch, i: int, record_id: int, *, settle_gone: bool = True) -> bool:
        """PUT row i onto record_id and settle it. False, unsettled, when that record is gone
        and `settle_gone` is off (a known id from an earlier run: the caller looks it up)."""
        _, path, _ = _PATHS[batch.kind]
        singular, _ = _NOUNS[batch.kind]
        body = {k: v for k, v in batch.bodies[i].items() if k != "id"}
        response = self._send("PUT", f"{path}/{record_id}", f"updating {batch.kind}", json=body)
        if response.status_code == 404:
            if not settle_gone:
                return False
            message = f"Salesloft has no {singular} with id {record_id} any more."
            batch.reject(i, message, "update", response)
        elif response.status_code >= 300:
            batch.reject(i, _refusal(response), "update", response)
        else:
            batch.accept(i, record_id, "update")
        return True

    # -- finding existing records ----------------------------------------------------------------
    def find(self, batch: Batch, indices: list[int]) -> dict[int, list[int]]:
        """The ids of existing records matching each row's identity (none, one, or several).

        A Salesloft id is taken at its word, without a lookup: the write that follows reports
        one that does not exist (PUT answers 404, a membership 422). An empty identity matches
        nothing and is never sent as a filter: an empty filter could match every record."""
        if batch.key == "id":
            given = {i: batch.identities[i].strip() for i in indices}
            return {i: [int(value)] if value.isdigit() else [] for i, value in given.items()}
        by_value: dict[str, list[int]] = {}
        values = [_normal(batch.identities[i]) for i in indices]
        values = list(dict.fromkeys(value for value in values if value))
        for record in self._matching(batch.kind, batch.key, values) if values else ():
            by_value.setdefault(_normal(record.get(batch.key) or ""), []).append(int(record["id"]))
        return {i: by_value.get(_normal(batch.identities[i]), []) for i in indices}

    def _matching(self, kind: str, key: str, values: list[str]) -> Iterator[dict[str, Any]]:
        name = _FILTERS[kind][key]
        chunk = LOOKUP_CHUNK if name.endswith("[]") else 1
        _, path, _ = _PATHS[kind]
        for start in range(0, len(values), chunk):
            params = [(name, value) for value in values[start : start + chunk]]
            yield from self.pages(path, params, f"looking up {kind} by {key}")

    def pages(
        self, path: str, params: list[tuple[str, str]], doing: str
    ) -> Iterator[dict[str, Any]]:
        """Every record of a list call, following `metadata.paging.next_page`; each page is
        reserved at what Salesloft charges for it (deep pages cost more)."""
        page = 1
        while True:
            response = self.http.request(
                "GET",
                path,
                params=[*params, ("per_page", str(PER_PAGE)), ("page", str(page))],
                cost=page_cost(page),
            )
            if response.status_code != 200:
                raise failure(response, doing)
            body = response.json()
            yield from body.get("data") or []
            next_page = ((body.get("metadata") or {}).get("paging") or {}).get("next_page")
            if not next_page or int(next_page) <= page:
                return
            page = int(next_page)

    # -- cadences ----------------------------------------------------------------------------
    def add_to_cadence(self, batch: Batch, i: int, cadence_id: int, person_id: int) -> None:
        """Add row i's person to the cadence and settle the row.

        https://developers.salesloft.com/docs/api/cadence-memberships-create/ : one membership
        per person and cadence. Where Salesloft files "already on this cadence" is undocumented
        (destination-apis.md §6.5), so it is read from the whole answer, under any key, and
        before the cadence_id check: an "already" filed under cadence_id is not a lost cadence.
        """
        response = self.http.request(
            "POST",
            "v2/cadence_memberships",
            # Documented as query parameters (the vendor's swagger); Salesloft also reads
            # a JSON body, but the parameters are what every client version accepts.
            params={"person_id": str(person_id), "cadence_id": str(cadence_id)},
            idempotent=True,  # a repeat answers "already on this cadence"
        )
        if response.status_code < 300:
            batch.accept(i, person_id, "insert")
            return
        if _already_on_cadence(response):
            batch.accept(i, person_id, "insert", changed=False)
            return
        if response.status_code == 404 or "cadence_id" in _errors(response):
            raise DestinationError(
                f"Cadence {cadence_id} no longer exists in Salesloft, or the connected user "
                f"can't add people to it ({vendor_message(response)}). Pick another cadence "
                "for this sync.",
                status=404,
            )
        if response.status_code not in RECORD_STATUSES:
            raise failure(response, f"adding people to cadence {cadence_id}")
        batch.reject(i, _refusal(response), "insert", response)

    def end_membership(self, batch: Batch, i: int, cadence_id: int, person_id: int) -> None:
        """Take row i's person off the cadence and settle the row.

        A person has one membership per cadence, reused when re-added
        (https://developers.salesloft.com/docs/api/cadence-memberships-index/), found with the
        list's `person_id`, `cadence_id` and `currently_on_cadence` filters; deleting it takes
        them off ("Delete a cadence membership", `DELETE /v2/cadence_memberships/{id}.json`,
        empty answer, in the vendor's swagger: https://github.com/paragonsean/openapi-directory/
        blob/main/APIs/salesloft.com/v2/javascript-client/docs/CadenceMembershipsApi.md).
        No current membership, or one already gone (404), is the state wanted.
        """
        params = [
            ("person_id", str(person_id)),
            ("cadence_id", str(cadence_id)),
            ("currently_on_cadence", "true"),
        ]
        doing = f"reading memberships of cadence {cadence_id}"
        memberships = [m["id"] for m in self.pages("v2/cadence_memberships", params, doing)]
        changed = False
        for membership_id in memberships:
            response = self.http.request("DELETE", f"v2/cadence_memberships/{membership_id}")
            if response.status_code == 404:
                continue  # ended meanwhile
            if response.status_code in RECORD_STATUSES:
                batch.reject(i, _refusal(response), "delete", response)
                return
            if response.status_code >= 300:
                raise failure(response, f"taking people off cadence {cadence_id}")
            changed = True
        batch.accept(i, person_id, "delete", changed=changed)


def _refusal(response: httpx.Response) -> str:
    """Salesloft's refusal of one record, its own words in a sentence (the status is the
    result's code)."""
    return f"Salesloft refused this record: {vendor_message(response)}"


def _already_on_cadence(response: httpx.Response) -> bool:
    """A refused membership whose words, under whatever key, say the person is already on it."""
    refused = response.status_code in RECORD_STATUSES or response.status_code == 409
    return refused and "already" in vendor_message(response).lower()


def _errors(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    errors = body.get("errors") if isinstance(body, dict) else None
    return errors if isinstance(errors, dict) else {}
