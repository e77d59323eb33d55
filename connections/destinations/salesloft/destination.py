"""Salesloft: People, Accounts, and every cadence as a target (the cadence walkthrough).

Target ids: "people", "accounts", "cadence:<id>". A cadence row is a person: upserted by its
identity, then added to the cadence (seeds/salesloft-cadence-walkthrough.txt, step 6).
Docs: https://developers.salesloft.com/docs/api/ ; facts in destination-apis.md §1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connections.destinations.base import (
    Destination,
    Mode,
    RecordResult,
    TargetField,
    TargetObject,
    WriteBatch,
)
from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.destinations.http import VendorHTTP
from connections.destinations.salesloft.client import RATE_LIMIT, failure, salesloft_http
from connections.destinations.salesloft.fields import (
    IDENTITIES,
    body,
    canonical,
    custom_field,
    standard_fields,
)
from connections.destinations.salesloft.writes import Batch, SalesloftWriter
from connections.destinations.tokens import connection_needs_auth
from connections.models import Connection

RECORD_MODES = (Mode("create"), Mode("update"), Mode("updateOrCreate"))
# Adding to a cadence never updates or removes a membership, so "update" has no meaning there.
CADENCE_MODES = (Mode("updateOrCreate"), Mode("create"))
_CUSTOM_FIELD_TYPES = {"people": "person", "accounts": "company"}


class SalesloftDestination(Destination):
    title = "Salesloft"
    batch_size = 100  # no batch endpoint: the engine's chunk, sent one record per call
    rate_limit = RATE_LIMIT  # per team

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._http: VendorHTTP | None = None

    @property
    def http(self) -> VendorHTTP:
        if self._http is None:
            self._http = salesloft_http(self.connection, rate=self.rate_limit)
        return self._http

    @property
    def _writer(self) -> SalesloftWriter:
        return SalesloftWriter(self.http, self.connection)

    def check(self) -> None:
        response = self.http.request("GET", "v2/me")
        if response.status_code != 200:
            raise failure(self.connection, response, "checking the connection")

    # -- discovery -------------------------------------------------------------------------
    def target_objects(self) -> list[TargetObject]:
        objects = [
            TargetObject("people", "People", RECORD_MODES),
            TargetObject("accounts", "Accounts", RECORD_MODES),
        ]
        cadences = self._writer.pages(
            "v2/cadences",
            [("sort_by", "name"), ("sort_direction", "ASC")],
            "listing cadences",
        )
        for cadence in cadences:
            if cadence.get("archived_at"):
                continue  # Salesloft doesn't add people to archived cadences
            objects.append(
                TargetObject(
                    f"cadence:{cadence['id']}", f"Cadence: {cadence['name']}", CADENCE_MODES
                )
            )
        return objects

    def target_fields(self, target: str) -> list[TargetField]:
        kind, cadence_id = _parse_target(target)
        if cadence_id is not None:
            self._cadence(cadence_id)
        record_kind = _record_kind(kind)
        custom = self._writer.pages(
            "v2/custom_fields",
            [("field_type", _CUSTOM_FIELD_TYPES[record_kind])],
            "listing custom fields",
        )
        return [
            *standard_fields(record_kind),
            *(custom_field(item["name"], item.get("value_type") or "text") for item in custom),
        ]

    def _cadence(self, cadence_id: int) -> dict[str, Any]:
        response = self.http.request("GET", f"v2/cadences/{cadence_id}")
        if response.status_code == 404:
            raise DestinationError(
                f"Cadence {cadence_id} no longer exists in Salesloft. Pick another cadence.",
                status=404,
            )
        if response.status_code != 200:
            raise failure(self.connection, response, f"reading cadence {cadence_id}")
        return response.json()["data"]

    # -- writing ---------------------------------------------------------------------------
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
        kind, cadence_id = _parse_target(target)
        record_kind = _record_kind(kind)
        modes = CADENCE_MODES if cadence_id is not None else RECORD_MODES
        if mode not in {m.id for m in modes}:
            raise DestinationError(
                f"Salesloft {_label(kind)} can't be synced in {mode} mode; choose one of "
                f"{', '.join(m.id for m in modes)}."
            )
        key = canonical(record_kind, identity_field)
        if key not in IDENTITIES[record_kind]:
            raise DestinationError(
                f"{identity_field} can't identify Salesloft {record_kind}: match on one of "
                f"{', '.join(IDENTITIES[record_kind])}."
            )
        batch = Batch(
            kind=record_kind,
            key=key,
            identities=[_text(record.get(identity_field)) for record in records],
            bodies=[body(record_kind, record) for record in records],
        )
        for i in batch.pending:
            if not batch.identities[i].strip():
                batch.reject(i, f"The {key} is empty: Salesloft needs it to match the record.")
        writer = self._writer
        try:
            if cadence_id is not None:
                self._write_cadence(writer, batch, cadence_id, mode)
            elif mode == "updateOrCreate":
                writer.upsert(batch, batch.pending, accept=True)
            elif mode == "create":
                writer.create(batch, batch.pending, accept=True)
            else:
                writer.update(batch, self._existing(writer, batch))
        except DestinationError as error:
            if isinstance(error, NeedsReauthorization):
                connection_needs_auth(connection=self.connection, message=error.message)
            if not any(result is not None and result.ok for result in batch.results):
                raise  # nothing was delivered: the whole call failed, say so
            # Salesloft writes one record per call: those it already took stay delivered (never
            # reported again as failed), the rest are rejected with the reason and retried.
            for i in batch.pending:
                batch.reject(i, error.message)
        return WriteBatch([_settled(result) for result in batch.results])

    def _existing(self, writer: SalesloftWriter, batch: Batch) -> dict[int, int]:
        """The one record each row updates; rows matching none or several are rejected."""
        singular, plural = (
            ("person", "people") if batch.kind == "people" else ("account", "accounts")
        )
        targets: dict[int, int] = {}
        for i, ids in writer.find(batch, batch.pending).items():
            identity = batch.identities[i]
            if not ids:
                batch.reject(
                    i,
                    f"No Salesloft {singular} has {batch.key} {identity}. Update mode only changes "
                    f"existing {plural}; choose updateOrCreate to create them too.",
                    "update",
                )
            elif len(ids) > 1:
                batch.reject(
                    i,
                    f"{len(ids)} Salesloft {plural} have {batch.key} {identity}, so Syncline "
                    "can't tell which one to update.",
                    "update",
                )
            else:
                targets[i] = ids[0]
        return targets

    def _write_cadence(
        self, writer: SalesloftWriter, batch: Batch, cadence_id: int, mode: str
    ) -> None:
        if mode == "updateOrCreate":
            people = {i: found[0] for i, found in writer.upsert(batch, batch.pending).items()}
            writer.add_to_cadence(batch, cadence_id, people, already="update")
            return
        # create: add people as they are; create only the ones Salesloft doesn't know yet.
        people: dict[int, int] = {}
        missing: list[int] = []
        for i, ids in writer.find(batch, batch.pending).items():
            if len(ids) > 1:
                batch.reject(
                    i,
                    f"{len(ids)} Salesloft people have {batch.key} {batch.identities[i]}, so "
                    "Syncline can't tell which one to add to the cadence.",
                )
            elif ids:
                people[i] = ids[0]
            elif batch.key == "id":
                batch.reject(i, f"{batch.identities[i]} is not a Salesloft person id.")
            else:
                missing.append(i)
        people.update(writer.create(batch, missing))
        writer.add_to_cadence(batch, cadence_id, dict(sorted(people.items())), already="update")


def _parse_target(target: str) -> tuple[str, int | None]:
    if target in {"people", "accounts"}:
        return target, None
    prefix, _, raw = target.partition(":")
    if prefix == "cadence" and raw.isdigit():
        return "cadence", int(raw)
    raise DestinationError(
        f"Salesloft has no target {target!r}: choose People, Accounts or a cadence.", status=404
    )


def _record_kind(kind: str) -> str:
    return "accounts" if kind == "accounts" else "people"


def _label(kind: str) -> str:
    return {"people": "People", "accounts": "Accounts"}.get(kind, "cadences")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _settled(result: RecordResult | None) -> RecordResult:
    if result is None:  # every path accepts or rejects; this would be a bug, said plainly
        raise DestinationError("Salesloft's answer left a record without a result.")
    return result
