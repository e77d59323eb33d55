"""What every destination answers (DESIGN.md §6), in the shapes the API and console need.

Shapes follow reference/polytomic-api.md §4 (target objects, modes, fields, target creation),
so the REST API can return them as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

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
class CreationProperty:
    id: str
    title: str
    enum: bool  # values come from a lookup (target_property_values)
    required: bool = True


@dataclass
class RecordResult:
    """What the destination said about one record of a write."""

    identity: str  # the identity value (e.g. the e-mail), as Syncline keyed the record
    ok: bool
    destination_id: str = ""  # the vendor's id for it, when it gave one
    operation: str = ""  # insert, update, upsert, delete, ...
    message: str = ""  # the vendor's own words when it refused the record


@dataclass
class WriteBatch:
    results: list[RecordResult] = field(default_factory=list)

    @property
    def accepted(self) -> list[RecordResult]:
        return [result for result in self.results if result.ok]

    @property
    def rejected(self) -> list[RecordResult]:
        return [result for result in self.results if not result.ok]


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

    def target_fields(self, target: str) -> list[TargetField]:
        raise NotImplementedError

    def write(
        self, target: str, mode: str, records: list[dict[str, Any]], *, identity_field: str
    ) -> WriteBatch:
        """Send one batch (≤ batch_size). Each record is {target field: value}; the identity
        value is records[i][identity_field]. Returns one result per record, in order."""
        raise NotImplementedError
