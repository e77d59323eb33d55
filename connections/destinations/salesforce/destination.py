"""Salesforce as a sync destination (DESIGN.md §6): one target per createable sObject, plus
"Lead or Contact", which finds a person among both and creates what matches neither.

Target settings (ingestion API, batch sizes, nulls, lookups, ...) come with each write as
`options` (the sync's `target.configuration`), because they belong to the sync, not to the
connection; options.TargetOptions documents each one.

Identities are keyed as Salesforce matches them: external ids and Ids as given; e-mail fields
trimmed and lower-cased, because SOQL compares text without case ("Comparisons on strings are
case-sensitive for unique case-sensitive fields. For all other fields, comparisons are
case-insensitive",
https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-soql-select-comparisonoperators.html),
and an e-mail field is never a unique case-sensitive one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from connections.destinations.base import (
    Destination,
    Mode,
    Removal,
    TargetObject,
    WriteBatch,
    identity_as_given,
    identity_email,
)
from connections.destinations.errors import DestinationError
from connections.destinations.http import VendorHTTP
from connections.destinations.salesforce import matching
from connections.destinations.salesforce.client import SalesforceClient
from connections.destinations.salesforce.describe import (
    SalesforceField,
    lookup_parents,
    merged_fields,
    target_fields,
)
from connections.destinations.salesforce.options import (
    COLLECTION_LIMIT,
    LEAD_OR_CONTACT,
    TargetOptions,
)
from connections.destinations.salesforce.write import SalesforceWrite
from connections.models import Connection

LEAD_OR_CONTACT_NAME = "Lead or Contact"
# A CRM record whose row leaves the model is the team's own: left as it is unless the sync says
# `when_row_leaves: remove`, then deleted (remove mode: found by Id or identity, then deleted;
# one already gone counts as deleted).
REMOVAL = Removal(mode="remove", default=False, says="deleted in Salesforce")


def modes_for(summary: Mapping[str, Any]) -> tuple[Mode, ...]:
    """What Salesforce lets this user do with the object, in Syncline's modes."""
    createable, updateable = bool(summary.get("createable")), bool(summary.get("updateable"))
    modes = []
    if createable:
        modes.append(Mode("create", requires_identity=False))
    if updateable:
        modes.append(Mode("update"))
    if createable and updateable:
        modes.append(Mode("updateOrCreate"))
    if summary.get("deletable"):
        modes.append(Mode("remove"))
    return tuple(modes)


class SalesforceDestination(Destination):
    title = "Salesforce"
    # sObject Collections' maximum. write() also takes bigger batches (see batch_size_for):
    # it splits them into calls of rest_batch_size, or sends them as Bulk API 2.0 jobs.
    batch_size = COLLECTION_LIMIT
    # Salesforce has no per-second limit to pace against; its daily one is enforced by the
    # client (enforce_api_limits) and its 403 REQUEST_LIMIT_EXCEEDED is retried with backoff.
    rate_limit = None

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.connection = connection
        self._client: SalesforceClient | None = None
        self._matches_without_case: dict[tuple[str, str], bool] = {}
        self.clock: Callable[[], float] = time.monotonic  # how long a Bulk job has run

    @property
    def client(self) -> SalesforceClient:
        # Built on first use: learning the instance URL may need a token refresh.
        if self._client is None:
            self._client = SalesforceClient(self.connection)
        return self._client

    @property
    def http(self) -> VendorHTTP:
        return self.client.http

    def close(self) -> None:
        # The client is kept as _client (building it may refresh a token), not the _http the
        # base class closes.
        if self._client is not None:
            self._client.close()

    def check(self) -> None:
        self.client.json("GET", "limits/", what="Checking the Salesforce connection failed")

    # -- targets ---------------------------------------------------------------------------
    def target_objects(self) -> list[TargetObject]:
        summaries = [s for s in self.client.describe_global() if s.get("createable")]
        targets = [
            TargetObject(id=s["name"], name=s.get("label") or s["name"], modes=modes_for(s))
            for s in summaries
        ]
        targets.sort(key=lambda target: target.name.lower())
        people = {s["name"]: s for s in summaries if s["name"] in {"Contact", "Lead"}}
        if len(people) == 2 and all(s.get("updateable") for s in people.values()):
            targets.append(
                TargetObject(
                    id=LEAD_OR_CONTACT,
                    name=LEAD_OR_CONTACT_NAME,
                    modes=(
                        Mode("create", requires_identity=False),
                        Mode("update"),
                        Mode("updateOrCreate"),
                        Mode("remove"),
                    ),
                )
            )
        return targets

    def target_fields(self, target: str) -> list[SalesforceField]:
        if target == LEAD_OR_CONTACT:
            return merged_fields([self._fields("Contact"), self._fields("Lead")])
        return self._fields(target)

    def _fields(self, name: str) -> list[SalesforceField]:
        info = self.client.describe(name)
        parents = {}
        for parent in lookup_parents(info):
            try:
                parents[parent] = self.client.describe(parent)
            except DestinationError as error:
                if error.status != 404:  # an object this user cannot see offers no lookups
                    raise
        return target_fields(info, parents)

    # -- writing ---------------------------------------------------------------------------
    def target_options(self, target: str, configuration: Mapping[str, Any] | None) -> TargetOptions:
        """A sync's target.configuration, checked (OptionsError lists every problem)."""
        return TargetOptions.parse(configuration, target=target)

    def batch_size_for(self, target: str, options: Mapping[str, Any] | None = None) -> int:
        """How many records one write() should carry for this target's settings: a REST
        target takes rest_batch_size (≤ 200, sObject Collections' maximum); where Bulk API 2.0
        may be used, whole jobs (bulk_batch_size), which `automatic` sends through Bulk when
        they hold more than bulk_threshold records and through collections of 200 otherwise."""
        parsed = self.target_options(target, options)
        if parsed.ingestion_api == "rest":
            return parsed.rest_batch_size
        return parsed.bulk_batch_size

    def normalize_identity(self, target: str, identity_field: str, value: Any) -> str:
        if identity_field.lower() != "id" and self._email_identity(target, identity_field):
            return identity_email(value)
        return identity_as_given(value)

    def _email_identity(self, target: str, identity_field: str) -> bool:
        key = (target, identity_field.lower())
        if key not in self._matches_without_case:
            names = ["Contact", "Lead"] if target == LEAD_OR_CONTACT else [target]
            found = [self.client.describe(name).field(identity_field) for name in names]
            self._matches_without_case[key] = any(f and f.type == "email" for f in found)
        return self._matches_without_case[key]

    def reconcile(
        self,
        target: str,
        identity_field: str,
        identities: list[str],
        *,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, str] | None:
        """Records whose insert (REST collection or Bulk job) may have been applied, looked up
        by identity with SOQL: found → its Id; not found → it wasn't created."""
        names = ["Contact", "Lead"] if target == LEAD_OR_CONTACT else [target]
        found: dict[str, str] = {}
        for name in names:
            info = self.client.describe(name)
            key = info.field(identity_field)
            if key is None:
                continue
            wanted = [i for i in identities if i not in found]
            matches = matching.find(self.client, info, key, wanted, read=[])
            for identity in wanted:
                hits = matches.get(matching.identity_key(key, identity))
                if hits:
                    found[identity] = hits[0].id
        return found

    def removal_for(self, target: str) -> Removal | None:
        return REMOVAL

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
        plan = SalesforceWrite(
            self.client,
            target,
            mode,
            records,
            identity_field=identity_field,
            options=self.target_options(target, options),
            known_ids=known_ids,
            sleep=self.http.sleep,
            clock=self.clock,
        )
        return plan.run()
