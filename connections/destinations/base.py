"""What every destination answers (DESIGN.md §6), in the shapes the API and console need.

Shapes follow reference/polytomic-api.md §4 (target objects, modes, fields, target creation),
so the REST API can return them as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from connections.destinations.errors import DestinationError
from connections.destinations.http import CallRecord, VendorHTTP
from connections.destinations.ratelimit import RateLimit
from connections.models import Connection


@dataclass(frozen=True)
class Mode:
    id: str  # create, update, updateOrCreate, remove, ...
    requires_identity: bool = True
    supports_target_filters: bool = False
    supports_per_field_mode: bool = False


@dataclass(frozen=True)
class TargetObject:
    id: str  # e.g. "people", "cadence:1001", "512630692::urn:li:organization:1~user_audience.29"
    name: str
    modes: tuple[Mode, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "modes": [asdict(mode) for mode in self.modes]}


@dataclass(frozen=True)
class TargetField:
    id: str  # the vendor's field name
    name: str  # a label a person reads
    type: str = "string"  # string, number, boolean, datetime, ...
    required: bool = False
    createable: bool = True
    updateable: bool = True
    supports_identity: bool = False  # may be used as the identity (upsert key)
    identity_functions: tuple[str, ...] = ()
    association: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["identity_functions"] = [{"id": f, "label": f} for f in self.identity_functions]
        return data


@dataclass(frozen=True)
class Removal:
    """How a target takes a record out when its row leaves the model."""

    mode: str  # the write mode that does it ("remove" from an audience, "delete" a CRM record)
    default: bool  # done unless the sync says leave it (memberships); else only when asked
    says: str  # for people: "removed from the audience", "deleted in Salesforce"


@dataclass(frozen=True)
class CreationProperty:
    id: str
    title: str
    enum: bool  # values come from a lookup (target_property_values)
    required: bool = True


class Outcome(StrEnum):
    """What became of one record of a write (DESIGN.md §5.6)."""

    ACCEPTED = "accepted"  # the vendor took it (with its id when it gave one)
    REJECTED = "rejected"  # the vendor said no, in its own words
    NOT_SENT = "not_sent"  # nothing about it reached the vendor
    IN_DOUBT = "in_doubt"  # it may have been applied (a create that timed out, a 500/502/504)


class Operation(StrEnum):
    """What was done or tried for a record; the same values as RecordError.Operation."""

    INSERT = "insert"
    UPDATE = "update"
    UPSERT = "upsert"
    DELETE = "delete"
    VALIDATE = "validate"


@dataclass
class RecordResult:
    """What the destination said about one record of a write.

    Build one with the class methods, which say which fields each outcome carries.
    """

    identity: str  # the identity value, as Syncline keyed the record (see normalize_identity)
    outcome: Outcome
    operation: Operation
    destination_id: str = ""  # the vendor's id for it, when it gave one
    message: str = ""  # the vendor's own words (rejected), or why it wasn't sent / is in doubt
    code: str = ""  # the vendor's error code for a rejection ("InvalidArgument", "422", ...)
    retryable: bool = False  # a rejection that a later attempt may turn into an acceptance
    changed: bool = True  # accepted: False when the vendor already had it (already on a cadence)

    def __post_init__(self) -> None:
        self.outcome = Outcome(self.outcome)
        self.operation = Operation(self.operation)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.ACCEPTED

    @classmethod
    def accepted(
        cls,
        identity: str,
        operation: Operation | str,
        destination_id: Any = "",
        *,
        changed: bool = True,
    ) -> RecordResult:
        return cls(
            identity,
            Outcome.ACCEPTED,
            Operation(operation),
            destination_id=str(destination_id or ""),
            changed=changed,
        )

    @classmethod
    def rejected(
        cls,
        identity: str,
        operation: Operation | str,
        message: str,
        *,
        code: str = "",
        retryable: bool = False,
    ) -> RecordResult:
        return cls(
            identity,
            Outcome.REJECTED,
            Operation(operation),
            message=message,
            code=code,
            retryable=retryable,
        )

    @classmethod
    def not_sent(cls, identity: str, operation: Operation | str, message: str) -> RecordResult:
        return cls(identity, Outcome.NOT_SENT, Operation(operation), message=message)

    @classmethod
    def in_doubt(cls, identity: str, operation: Operation | str, message: str) -> RecordResult:
        return cls(identity, Outcome.IN_DOUBT, Operation(operation), message=message)


@dataclass
class WriteBatch:
    """One result per record, in the order given. `failure` is the error that stopped the write
    early (later records are then not_sent or in_doubt): the engine commits what was accepted,
    then decides from it whether the run can go on (a lost authorization can't)."""

    results: list[RecordResult] = field(default_factory=list)
    failure: DestinationError | None = None

    def _with(self, outcome: Outcome) -> list[RecordResult]:
        return [result for result in self.results if result.outcome is outcome]

    @property
    def accepted(self) -> list[RecordResult]:
        return self._with(Outcome.ACCEPTED)

    @property
    def rejected(self) -> list[RecordResult]:
        return self._with(Outcome.REJECTED)

    @property
    def not_sent(self) -> list[RecordResult]:
        return self._with(Outcome.NOT_SENT)

    @property
    def in_doubt(self) -> list[RecordResult]:
        return self._with(Outcome.IN_DOUBT)


def unsent_after(
    error: DestinationError, identities: list[str], operation: Operation | str
) -> list[RecordResult]:
    """Results for records a failed call carried: in doubt when the vendor may have applied
    it (error.in_doubt), else not sent."""
    if error.in_doubt:
        return [RecordResult.in_doubt(i, operation, error.message) for i in identities]
    return [RecordResult.not_sent(i, operation, error.message) for i in identities]


def identity_as_given(value: Any) -> str:
    """The default identity key: the value as text, None as empty."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric id read from a warehouse as a float
    return "" if value is None else str(value)


def identity_email(value: Any) -> str:
    """E-mail identities as vendors match them: trimmed and lower-cased."""
    return identity_as_given(value).strip().lower()


class Destination:
    """Built from a Connection row; one subclass per vendor, in its own package."""

    title: ClassVar[str]
    batch_size: ClassVar[int] = 100  # the vendor's maximum records per write call
    rate_limit: ClassVar[RateLimit | None] = None  # the vendor's own, per account

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.configuration = connection.configuration
        self.secrets = connection.secrets

    @property
    def http(self) -> VendorHTTP:
        raise NotImplementedError

    @property
    def calls(self) -> list[CallRecord]:
        """Every HTTP call made so far, for the execution log."""
        return self.http.calls

    def drain_calls(self) -> list[CallRecord]:
        """The calls made since the last drain, forgotten here (the engine logs them per batch)."""
        return self.http.drain_calls()

    def check(self) -> None:
        """Make a cheap authenticated call; raise DestinationError saying what is wrong."""
        raise NotImplementedError

    def parameter_values(self) -> dict[str, list[dict[str, Any]]]:
        """Values a connection setting can take (LinkedIn: the ad accounts)."""
        return {}

    def target_objects(self) -> list[TargetObject]:
        raise NotImplementedError

    def target_creation(self) -> list[CreationProperty]:
        """Properties for creating a new target (LinkedIn audiences); empty when unsupported."""
        return []

    def target_property_values(self, property_id: str) -> list[dict[str, str]]:
        return []

    def create_target(self, properties: dict[str, str]) -> TargetObject:
        raise NotImplementedError

    def planned_target(self, properties: dict[str, str]) -> TargetObject | None:
        """The target create_target would make with these properties, before it exists: its
        modes, and an id that target_fields and removal_for answer for (the console's sync
        builder maps fields to an audience not yet created). None when it can't be told."""
        return None

    def existing_target(self, properties: dict[str, str]) -> TargetObject | None:
        """The target an earlier create_target with these properties made, if the vendor has
        it: a run that died right after creating must not create a second one."""
        return None

    def target_fields(self, target: str) -> list[TargetField]:
        raise NotImplementedError

    def field_for(
        self, target: str, name: str, fields: Sequence[TargetField]
    ) -> TargetField | None:
        """The field of `fields` a mapping's target name means, as write() will read it: by id
        ignoring case, spaces and underscores ("first_name" is FirstName). None when the target
        has no such field. Vendors that take other spellings override it."""
        wanted = _squash(name)
        return next((offered for offered in fields if _squash(offered.id) == wanted), None)

    # -- writing ---------------------------------------------------------------------------
    def batch_size_for(self, target: str, options: Mapping[str, Any] | None = None) -> int:
        """Records per write() call for this target and the sync's target options."""
        return self.batch_size

    def normalize_identity(self, target: str, identity_field: str, value: Any) -> str:
        """The identity key as the vendor matches it, so the engine keys state the same way
        (Salesloft and LinkedIn e-mails: trimmed and lower-cased; Salesforce ids: as given)."""
        return identity_as_given(value)

    def identity_normalizer(self, target: str, identity_field: str) -> Callable[[Any], str]:
        """normalize_identity for one target and identity field, as a function of the value
        alone. The engine calls it once per model row (a million rows, a million calls), so a
        vendor whose rule depends on the field decides it here once, not on every call."""
        return functools.partial(self.normalize_identity, target, identity_field)

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
        """Send one batch (≤ batch_size_for). Each record is {target field: value}; its identity
        is record[identity_field] (normalised, never empty when the mode needs one: the engine
        checks that before it calls). `options` are the sync's target options; `known_ids`
        maps identities to the vendor ids earlier runs got, so updates and removes needn't look
        them up again. Returns one result per record, in order; a failure partway returns what
        the calls already sent got, with `failure` set, instead of raising it away."""
        raise NotImplementedError

    def removal_for(self, target: str) -> Removal | None:
        """What happens to a record whose row left the model; None when the target can't."""
        return None

    def validate_identity(self, target: str, identity_field: str, key: str) -> str:
        """Why the target can't take this identity (an e-mail that isn't one), "" when it can.
        The engine rejects such rows before sending (operation `validate`)."""
        return ""

    def reconcile(
        self,
        target: str,
        identity_field: str,
        identities: list[str],
        *,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, str] | None:
        """Records whose last write may have been applied (in_doubt): {identity: vendor id} of
        those the vendor has, looked up by identity, so the engine never creates one twice.
        None means this target's writes are idempotent (upserts, memberships): sending again
        is safe. A vendor that answers in_doubt for plain creates must override this."""
        return None

    def close(self) -> None:
        """Release the HTTP connections (a worker builds one destination per run)."""
        http = self.__dict__.get("_http")
        if http is not None:
            http.close()


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())
