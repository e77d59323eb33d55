"""Writing one batch to Salesloft, one call per record: Salesloft has no batch endpoint.

- Upserts (`POST /v2/person_upserts`, `/v2/account_upserts`) match on `upsert_key`
  (https://developers.salesloft.com/docs/api/account-upserts-create/): id, crm_id, and
  email_address for people or domain for accounts. They are the only idempotent writes:
  creates have no idempotency key, so a retried create may come back "already taken".
- Update mode must not create, so it first finds the records by their identity with the list
  filters (`email_addresses[]`, `crm_id[]`, `ids[]`; accounts: `domain`), then PUTs each.
- A cadence target upserts (or, in create mode, finds or creates) the person, then adds them with
  `POST /v2/cadence_memberships`; "already on this cadence" means the row is where it belongs.
- A 422 is about the record and comes back in Salesloft's own words; 401, 403 and 5xx are about
  the whole call and raise.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from connections.destinations.base import RecordResult
from connections.destinations.errors import DestinationError
from connections.destinations.http import VendorHTTP
from connections.destinations.salesloft.client import failure, page_cost, vendor_message
from connections.models import Connection

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
    identities: list[str]
    bodies: list[dict[str, Any]]
    results: list[RecordResult | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.results = [None] * len(self.identities)

    @property
    def pending(self) -> list[int]:
        return [i for i, result in enumerate(self.results) if result is None]

    def accept(self, index: int, destination_id: Any, operation: str) -> None:
        self.results[index] = RecordResult(
            self.identities[index], True, str(destination_id or ""), operation
        )

    def reject(self, index: int, message: str, operation: str = "") -> None:
        self.results[index] = RecordResult(self.identities[index], False, "", operation, message)


class SalesloftWriter:
    def __init__(self, http: VendorHTTP, connection: Connection) -> None:
        self.http = http
        self.connection = connection

    def _send(self, method: str, path: str, doing: str, **kwargs: Any) -> httpx.Response:
        """The answer when it is a success or about the record; raises for the whole call."""
        response = self.http.request(method, path, **kwargs)
        if response.status_code < 300 or response.status_code in RECORD_STATUSES:
            return response
        if response.status_code == 404 and method == "PUT":
            return response  # the record is gone: that record's problem
        raise failure(self.connection, response, doing)

    # -- the three primitives ----------------------------------------------------------------
    def upsert(
        self, batch: Batch, indices: list[int], *, accept: bool = False
    ) -> dict[int, tuple[int, str]]:
        """Upsert by the batch's key; {index: (record id, "insert" | "update")} for the ones
        Salesloft took, rejections recorded on the batch. With `accept`, each one is recorded
        as delivered the moment Salesloft confirms it, so a later failure can't lose it."""
        path, _, noun = _PATHS[batch.kind]
        done: dict[int, tuple[int, str]] = {}
        for i in indices:
            response = self._send(
                "POST",
                path,
                f"upserting {batch.kind}",
                json={**batch.bodies[i], "upsert_key": batch.key},
                idempotent=True,  # an upsert by key applies once however often it is sent
            )
            if response.status_code >= 300:
                batch.reject(i, vendor_message(response), "upsert")
                continue
            data = response.json()["data"]
            kind = "insert" if data.get("upsert_type") == "create" else "update"
            done[i] = (int(data[noun]["id"]), kind)
            if accept:
                batch.accept(i, done[i][0], kind)
        return done

    def create(self, batch: Batch, indices: list[int], *, accept: bool = False) -> dict[int, int]:
        _, path, _ = _PATHS[batch.kind]
        done: dict[int, int] = {}
        for i in indices:
            body = {k: v for k, v in batch.bodies[i].items() if k != "id"}
            response = self._send("POST", path, f"creating {batch.kind}", json=body)
            if response.status_code >= 300:
                batch.reject(i, vendor_message(response), "insert")
                continue
            done[i] = int(response.json()["data"]["id"])
            if accept:
                batch.accept(i, done[i], "insert")
        return done

    def update(self, batch: Batch, targets: dict[int, int]) -> None:
        _, path, _ = _PATHS[batch.kind]
        singular, _ = _NOUNS[batch.kind]
        for i, record_id in targets.items():
            body = {k: v for k, v in batch.bodies[i].items() if k != "id"}
            response = self._send("PUT", f"{path}/{record_id}", f"updating {batch.kind}", json=body)
            if response.status_code == 404:
                batch.reject(i, f"Salesloft has no {singular} with id {record_id} any more.")
            elif response.status_code >= 300:
                batch.reject(i, vendor_message(response), "update")
            else:
                batch.accept(i, record_id, "update")

    # -- finding existing records ----------------------------------------------------------------
    def find(self, batch: Batch, indices: list[int]) -> dict[int, list[int]]:
        """The ids of existing records matching each row's identity (none, one, or several).

        A Salesloft id is taken at its word, without a lookup: the write that follows reports
        one that does not exist (PUT answers 404, a membership 422)."""
        if batch.key == "id":
            given = {i: batch.identities[i].strip() for i in indices}
            return {i: [int(value)] if value.isdigit() else [] for i, value in given.items()}
        by_value: dict[str, list[int]] = {}
        values = list(dict.fromkeys(_normal(batch.identities[i]) for i in indices))
        for record in self._matching(batch.kind, batch.key, values):
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
                raise failure(self.connection, response, doing)
            body = response.json()
            yield from body.get("data") or []
            next_page = ((body.get("metadata") or {}).get("paging") or {}).get("next_page")
            if not next_page or int(next_page) <= page:
                return
            page = int(next_page)

    # -- cadences ----------------------------------------------------------------------------
    def add_to_cadence(
        self, batch: Batch, cadence_id: int, people: dict[int, int], *, already: str
    ) -> None:
        """Add each person; `already` is the operation reported when they were on it before."""
        for i, person_id in people.items():
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
                continue
            errors = _errors(response)
            if response.status_code == 404 or "cadence_id" in errors:
                raise DestinationError(
                    f"Cadence {cadence_id} no longer exists in Salesloft, or the connected user "
                    f"can't add people to it ({vendor_message(response)}). Pick another cadence "
                    "for this sync.",
                    status=404,
                )
            if response.status_code not in RECORD_STATUSES:
                raise failure(self.connection, response, f"adding people to cadence {cadence_id}")
            if any("already" in message.lower() for message in _flatten(errors)):
                batch.accept(i, person_id, already)
            else:
                batch.reject(i, vendor_message(response), "insert")


def _errors(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    errors = body.get("errors") if isinstance(body, dict) else None
    return errors if isinstance(errors, dict) else {}


def _flatten(errors: dict[str, Any]) -> list[str]:
    messages: list[str] = []
    for value in errors.values():
        messages.extend(str(item) for item in (value if isinstance(value, list) else [value]))
    return messages
