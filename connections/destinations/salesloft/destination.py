"""Salesloft: People, Accounts, and every cadence as a target (the cadence walkthrough).

Target ids: "people", "accounts", "cadence:<id>". A cadence row is a person: upserted by its
identity, then added to the cadence (seeds/salesloft-cadence-walkthrough.txt, step 6).
Docs: https://developers.salesloft.com/docs/api/ ; facts in destination-apis.md §1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connections.destinations.base import (
    Destination,
    Mode,
    Operation,
    Removal,
    TargetField,
    TargetObject,
    WriteBatch,
    identity_as_given,
    identity_email,
)
from connections.destinations.errors import DestinationError
from connections.destinations.http import VendorHTTP
from connections.destinations.salesloft import modes
from connections.destinations.salesloft.client import RATE_LIMIT, failure, salesloft_http
from connections.destinations.salesloft.fields import (
    IDENTITIES,
    body,
    canonical,
    custom_field,
    standard_fields,
)
from connections.destinations.salesloft.writes import Batch, SalesloftWriter
from connections.models import Connection

RECORD_MODES = (Mode("create"), Mode("update"), Mode("updateOrCreate"))
# Adding to a cadence never changes a membership, so "update" has no meaning there; "remove"
# ends the row's membership (modes.from_cadence), as it does for a row that leaves the model.
CADENCE_MODES = (Mode("updateOrCreate"), Mode("create"), Mode("remove"))
CADENCE_REMOVAL = Removal(mode="remove", default=True, says="taken off the cadence")
_CUSTOM_FIELD_TYPES = {"people": "person", "accounts": "company"}
# Cadence states that take no one ("Valid states are: draft, active, archived, expired, deleted").
_CLOSED_STATES = frozenset({"archived", "expired", "deleted"})


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
        return SalesloftWriter(self.http)

    def check(self) -> None:
        response = self.http.request("GET", "v2/me")
        if response.status_code != 200:
            raise failure(response, "checking the connection")
        self._remember_team(response.json().get("data") or {})

    def _remember_team(self, me: dict[str, Any]) -> None:
        """Salesloft counts the rate limit per team, shared by every integration on it: the
        connected user's team ("Fetch current user", `GET /v2/me.json`, whose User carries the
        embedded `team` resource with its `id`, in the vendor's swagger:
        https://github.com/paragonsean/openapi-directory/tree/main/APIs/salesloft.com/v2) names
        the bucket, so API-key and OAuth connections of one team share it (team_bucket)."""
        team = str((me.get("team") or {}).get("id") or "")
        if not team or self.connection.pk is None:
            return
        if str(self.connection.configuration.get("team_id") or "") == team:
            return
        configuration = {**self.connection.configuration, "team_id": team}
        Connection.objects.filter(pk=self.connection.pk).update(configuration=configuration)
        self.connection.configuration = configuration

    # -- discovery -------------------------------------------------------------------------
    def target_objects(self) -> list[TargetObject]:
        objects = [
            TargetObject("people", "People", RECORD_MODES),
            TargetObject("accounts", "Accounts", RECORD_MODES),
        ]
        # Only cadences people can be added to: Salesloft's list filters on `people_addable`
        # ("Filters cadences by whether they are able to have people added to them", the
        # vendor's swagger: https://github.com/paragonsean/openapi-directory/blob/main/APIs/
        # salesloft.com/v2/javascript-client/docs/CadencesApi.md; destination-apis.md §1.7),
        # which knows the connected user's permissions. It is a filter, not a field of the
        # cadence: the object's archived_at and current_state are checked as well
        # (https://developers.salesloft.com/docs/api/cadences-show/).
        cadences = self._writer.pages(
            "v2/cadences",
            [("people_addable", "true"), ("sort_by", "name"), ("sort_direction", "ASC")],
            "listing cadences",
        )
        for cadence in cadences:
            if cadence.get("archived_at") or cadence.get("current_state") in _CLOSED_STATES:
                continue
            objects.append(
                TargetObject(
                    f"cadence:{cadence['id']}", f"Cadence: {cadence['name']}", CADENCE_MODES
                )
            )
        return objects

    def field_for(
        self, target: str, name: str, fields: Sequence[TargetField]
    ) -> TargetField | None:
        """As write() reads a mapping: Salesloft's spellings ("Email" is email_address), and any
        other name a custom field's, which must exist (listed by target_fields)."""
        wanted = canonical(_record_kind(_parse_target(target)[0]), name)
        return next((field for field in fields if field.id == wanted), None)

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
            raise failure(response, f"reading cadence {cadence_id}")
        return response.json()["data"]

    # -- writing ---------------------------------------------------------------------------
    def normalize_identity(self, target: str, identity_field: str, value: Any) -> str:
        """E-mails and domains as Salesloft matches them: trimmed and lower-cased (the lookups'
        email_addresses[] and domain filters ignore case; "domains are unique and lowercase",
        destination-apis.md §1.5). Salesloft and CRM ids as given."""
        return self.identity_normalizer(target, identity_field)(value)

    def identity_normalizer(self, target: str, identity_field: str) -> Callable[[Any], str]:
        key = canonical(_record_kind(target), identity_field)
        return identity_email if key in {"email_address", "domain"} else identity_as_given

    def validate_identity(self, target: str, identity_field: str, key: str) -> str:
        """Only what is plainly no e-mail address (no @ at all) is held back; anything subtler
        is Salesloft's to judge, in its own words ("email_address: is invalid")."""
        if canonical(_record_kind(target), identity_field) == "email_address" and "@" not in key:
            return (
                f"{key} isn't an e-mail address, so Salesloft can't match a person by it. Fix "
                "the e-mail in the model, or leave the row out."
            )
        return ""

    def reconcile(
        self,
        target: str,
        identity_field: str,
        identities: list[str],
        *,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, str] | None:
        """People and accounts whose create may have been applied are looked up by identity
        (Salesloft creates carry no idempotency key). A cadence row is sent again instead: the
        person is found before any create, and a repeated membership answers "already"."""
        kind, cadence_id = _parse_target(target)
        if cadence_id is not None:
            return None
        record_kind = _record_kind(kind)
        key = canonical(record_kind, identity_field)
        batch = Batch(
            kind=record_kind,
            key=key,
            operation=Operation.INSERT,
            identities=list(identities),
            bodies=[{} for _ in identities],
        )
        found = self._writer.find(batch, list(range(len(identities))))
        # Several matches: one of them is the record the create made; the first is kept.
        return {identities[i]: str(ids[0]) for i, ids in found.items() if ids}

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
        offered = CADENCE_MODES if cadence_id is not None else RECORD_MODES
        if mode not in {m.id for m in offered}:
            raise DestinationError(
                f"Salesloft {_label(kind)} can't be synced in {mode} mode; choose one of "
                f"{', '.join(m.id for m in offered)}."
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
            operation=_operation(mode, cadence_id),
            identities=[
                self.normalize_identity(target, identity_field, record.get(identity_field))
                for record in records
            ],
            bodies=[_body(record_kind, key, record) for record in records],
        )
        writer = self._writer
        try:
            if cadence_id is not None and mode == "remove":
                modes.from_cadence(writer, batch, cadence_id, known_ids or {})
            elif cadence_id is not None:
                modes.to_cadence(writer, batch, cadence_id, mode)
            elif mode == "updateOrCreate":
                modes.update_or_create(writer, batch)
            elif mode == "create":
                modes.create(writer, batch)
            else:
                modes.update(writer, batch, known_ids or {})
        except DestinationError as error:
            # A lost authorization is marked needs_auth where it is found (tokens.py, http.py).
            batch.stop(error)
        return batch.settled()

    def removal_for(self, target: str) -> Removal | None:
        """A cadence's membership ends when its row leaves the model; people and accounts are
        records of the team's own, which Syncline never deletes."""
        _, cadence_id = _parse_target(target)
        return CADENCE_REMOVAL if cadence_id is not None else None


def _operation(mode: str, cadence_id: int | None) -> Operation:
    if cadence_id is None:
        return _OPERATIONS[mode]
    return Operation.DELETE if mode == "remove" else Operation.INSERT


_OPERATIONS = {
    "create": Operation.INSERT,
    "update": Operation.UPDATE,
    "updateOrCreate": Operation.UPSERT,
}


def _body(kind: str, key: str, record: dict[str, Any]) -> dict[str, Any]:
    """The row's body, its e-mail or domain identity sent trimmed (a stray space makes Salesloft
    refuse the address) and a domain lower-cased, as Salesloft keeps domains."""
    payload = body(kind, record)
    value = payload.get(key)
    if key in {"email_address", "domain"} and isinstance(value, str):
        payload[key] = value.strip().lower() if key == "domain" else value.strip()
    return payload


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
