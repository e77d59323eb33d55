"""What sObject Describe says about an object, and the target fields Syncline offers from it.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
Field flags (createable, updateable, nillable, defaultedOnCreate, externalId, idLookup) are the
DescribeSObjectResult Field properties:
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connections.destinations.base import TargetField

TYPES = {
    **dict.fromkeys(
        (
            "string", "email", "phone", "url", "picklist", "multipicklist", "textarea", "id",
            "reference", "combobox", "encryptedstring",
        ),
        "string",
    ),
    **dict.fromkeys(("int", "long", "double", "currency", "percent"), "number"),
    "boolean": "boolean",
    **dict.fromkeys(("date", "datetime", "time"), "datetime"),
    "base64": "binary",
    **dict.fromkeys(("address", "location"), "object"),
}  # fmt: skip
IDENTITY_FUNCTIONS = ("Equality",)


def normalised_type(salesforce_type: str) -> str:
    return TYPES.get(salesforce_type, "unknown")


@dataclass(frozen=True)
class FieldInfo:
    name: str
    label: str
    type: str
    nillable: bool = True
    createable: bool = False
    updateable: bool = False
    defaulted_on_create: bool = False
    external_id: bool = False
    id_lookup: bool = False
    calculated: bool = False
    custom: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FieldInfo:
        return cls(
            name=data["name"],
            label=data.get("label") or data["name"],
            type=data.get("type", "string"),
            nillable=bool(data.get("nillable", True)),
            createable=bool(data.get("createable")),
            updateable=bool(data.get("updateable")),
            defaulted_on_create=bool(data.get("defaultedOnCreate")),
            external_id=bool(data.get("externalId")),
            id_lookup=bool(data.get("idLookup")),
            calculated=bool(data.get("calculated")),
            custom=bool(data.get("custom")),
            reference_to=tuple(data.get("referenceTo") or ()),
            relationship_name=data.get("relationshipName"),
        )

    @property
    def required(self) -> bool:
        """A create fails without it: not nillable, no default, and settable."""
        return not self.nillable and not self.defaulted_on_create and self.createable

    @property
    def identity(self) -> bool:
        """Usable to find records: an upsert key (external id, or idLookup on standard objects)."""
        return self.external_id or self.id_lookup

    @property
    def writable(self) -> bool:
        return self.createable or self.updateable

    @property
    def numeric(self) -> bool:
        return normalised_type(self.type) == "number"


@dataclass(frozen=True)
class ObjectInfo:
    name: str
    label: str
    createable: bool
    updateable: bool
    deletable: bool
    queryable: bool
    fields: tuple[FieldInfo, ...]
    key_prefix: str = ""  # the first three characters of its record ids (Contact: 003)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ObjectInfo:
        return cls(
            name=data["name"],
            label=data.get("label") or data["name"],
            createable=bool(data.get("createable")),
            updateable=bool(data.get("updateable")),
            deletable=bool(data.get("deletable")),
            queryable=bool(data.get("queryable", True)),
            fields=tuple(FieldInfo.from_json(item) for item in data.get("fields", [])),
            key_prefix=str(data.get("keyPrefix") or ""),
        )

    def field(self, name: str) -> FieldInfo | None:
        """Salesforce matches field names without case."""
        wanted = name.lower()
        return next((item for item in self.fields if item.name.lower() == wanted), None)

    def relationship(self, name: str) -> FieldInfo | None:
        """The lookup field behind a relationship name (Contact's Account → AccountId)."""
        wanted = name.lower()
        return next(
            (item for item in self.fields if (item.relationship_name or "").lower() == wanted),
            None,
        )

    def has(self, key: str) -> bool:
        """Whether a record key (a field, or Relationship.ExternalIdField) belongs here."""
        if "." in key:
            return self.relationship(key.split(".", 1)[0]) is not None
        return self.field(key) is not None


@dataclass(frozen=True)
class SalesforceField(TargetField):
    """A target field with Salesforce's own type name beside the normalised one."""

    source_type: str = ""


def target_field(item: FieldInfo) -> SalesforceField:
    return SalesforceField(
        id=item.name,
        name=item.label,
        type=normalised_type(item.type),
        required=item.required,
        createable=item.createable,
        updateable=item.updateable,
        supports_identity=item.identity,
        identity_functions=IDENTITY_FUNCTIONS if item.identity else (),
        association=item.type == "reference",
        source_type=item.type,
    )


def relationship_fields(item: FieldInfo, parent: ObjectInfo) -> list[SalesforceField]:
    """`Account.Domain__c`: set a lookup through the parent's external id, as Bulk and REST
    both accept, so a model needs no Salesforce ids."""
    return [
        SalesforceField(
            id=f"{item.relationship_name}.{key.name}",
            name=f"{parent.label} (by {key.label})",
            type=normalised_type(key.type),
            createable=item.createable,
            updateable=item.updateable,
            association=True,
            source_type="reference",
        )
        for key in parent.fields
        if key.external_id
    ]


def target_fields(info: ObjectInfo, parents: dict[str, ObjectInfo]) -> list[SalesforceField]:
    """Settable fields, plus the read-only ones that can identify a record (Id)."""
    found: list[SalesforceField] = []
    for item in info.fields:
        if not (item.writable or item.identity):
            continue
        found.append(target_field(item))
        parent = parents.get(item.reference_to[0]) if len(item.reference_to) == 1 else None
        if item.writable and item.relationship_name and parent is not None:
            found.extend(relationship_fields(item, parent))
    return found


def lookup_parents(info: ObjectInfo) -> list[str]:
    """Objects whose describe would let relationship fields be offered."""
    return sorted(
        {
            item.reference_to[0]
            for item in info.fields
            if item.writable and item.relationship_name and len(item.reference_to) == 1
        }
    )


def merged_fields(groups: list[list[SalesforceField]]) -> list[SalesforceField]:
    """One field list for a target spanning objects (Lead or Contact).

    A field on every object keeps `required` and `supports_identity` only if all agree (a
    record must be findable and creatable whichever object it lands in); a field on one object
    only is sent there and dropped for the other.
    """
    by_id: dict[str, list[SalesforceField]] = {}
    for group in groups:
        for item in group:
            by_id.setdefault(item.id, []).append(item)
    merged = []
    for versions in by_id.values():
        first = versions[0]
        everywhere = len(versions) == len(groups)
        identity = everywhere and all(v.supports_identity for v in versions)
        merged.append(
            SalesforceField(
                id=first.id,
                name=first.name,
                type=first.type,
                required=everywhere and all(v.required for v in versions),
                createable=any(v.createable for v in versions),
                updateable=any(v.updateable for v in versions),
                supports_identity=identity,
                identity_functions=IDENTITY_FUNCTIONS if identity else (),
                association=first.association,
                source_type=first.source_type,
            )
        )
    return merged
