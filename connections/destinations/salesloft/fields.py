"""Salesloft's writable fields for people and accounts, and turning a synced row into a body.

Fields: https://developers.salesloft.com/docs/api/ (People, Accounts, and the upserts, e.g.
https://developers.salesloft.com/docs/api/account-upserts-create/); summarised in
destination-apis.md §1.4-§1.6. Custom fields are written into `custom_fields`, keyed by the
field's *name*, not its id.
"""

from __future__ import annotations

import functools
from typing import Any

from connections.destinations.base import TargetField

EQUALITY = ("Equality",)
CUSTOM_PREFIX = "custom_fields."

# (id, label, type); every one is createable and updateable.
_PERSON = (
    ("email_address", "Email address", "string"),
    ("first_name", "First name", "string"),
    ("last_name", "Last name", "string"),
    ("title", "Title", "string"),
    ("phone", "Phone", "string"),
    ("phone_extension", "Phone extension", "string"),
    ("mobile_phone", "Mobile phone", "string"),
    ("home_phone", "Home phone", "string"),
    ("secondary_email_address", "Secondary email address", "string"),
    ("personal_email_address", "Personal email address", "string"),
    ("city", "City", "string"),
    ("state", "State", "string"),
    ("country", "Country", "string"),
    ("work_city", "Work city", "string"),
    ("work_state", "Work state", "string"),
    ("work_country", "Work country", "string"),
    ("person_company_name", "Company name", "string"),
    ("person_company_website", "Company website", "string"),
    ("person_company_industry", "Company industry", "string"),
    ("linkedin_url", "LinkedIn URL", "string"),
    ("twitter_handle", "Twitter handle", "string"),
    ("personal_website", "Personal website", "string"),
    ("job_seniority", "Job seniority", "string"),
    ("locale", "Locale (time zone)", "string"),
    ("do_not_contact", "Do not contact", "boolean"),
    ("eu_resident", "EU resident", "boolean"),
    ("tags", "Tags", "array"),
    ("contact_restrictions", "Contact restrictions", "array"),
    ("account_id", "Account id", "number"),
    ("owner_id", "Owner id", "number"),
    ("person_stage_id", "Person stage id", "number"),
    ("import_id", "Import id", "number"),
    ("crm_id", "CRM id", "string"),
    ("crm_id_type", "CRM type (salesforce)", "string"),
)
_ACCOUNT = (
    ("name", "Name", "string"),
    ("domain", "Domain", "string"),
    ("conversational_name", "Conversational name", "string"),
    ("description", "Description", "string"),
    ("phone", "Phone", "string"),
    ("website", "Website", "string"),
    ("linkedin_url", "LinkedIn URL", "string"),
    ("twitter_handle", "Twitter handle", "string"),
    ("street", "Street", "string"),
    ("city", "City", "string"),
    ("state", "State", "string"),
    ("postal_code", "Postal code", "string"),
    ("country", "Country", "string"),
    ("locale", "Locale (time zone)", "string"),
    ("industry", "Industry", "string"),
    ("company_type", "Company type", "string"),
    ("founded", "Founded", "string"),
    ("revenue_range", "Revenue range", "string"),
    ("size", "Size", "string"),
    ("do_not_contact", "Do not contact", "boolean"),
    ("tags", "Tags", "array"),
    ("owner_id", "Owner id", "number"),
    ("company_stage_id", "Company stage id", "number"),
    ("account_tier_id", "Account tier id", "number"),
    ("crm_id", "CRM id", "string"),
    ("crm_id_type", "CRM type (salesforce)", "string"),
)
# Keys Salesloft's upserts accept (`upsert_key`), which are exactly the identity fields.
IDENTITIES: dict[str, tuple[str, ...]] = {
    "people": ("email_address", "id", "crm_id"),
    "accounts": ("domain", "id", "crm_id"),
}
REQUIRED = {"people": "email_address", "accounts": "domain"}
# The walkthroughs and other tools spell fields their own way ("Email", "FirstName",
# "company_name"); polytomic-api.md §4.3 asks us to accept them.
ALIASES: dict[str, dict[str, str]] = {
    "people": {"email": "email_address", "companyname": "person_company_name"},
    "accounts": {"companyname": "name", "companydomain": "domain"},
}


def _squash(name: str) -> str:
    return name.replace("_", "").replace(" ", "").replace("-", "").lower()


def _catalog(kind: str) -> tuple[tuple[str, str, str], ...]:
    return _PERSON if kind == "people" else _ACCOUNT


def standard_types(kind: str) -> dict[str, str]:
    return {field_id: field_type for field_id, _, field_type in _catalog(kind)}


def standard_fields(kind: str) -> list[TargetField]:
    identities = IDENTITIES[kind]
    fields = [
        TargetField(
            id="id",
            name="Salesloft id",
            type="number",
            createable=False,
            updateable=False,
            supports_identity=True,
            identity_functions=EQUALITY,
        )
    ]
    for field_id, label, field_type in _catalog(kind):
        identity = field_id in identities
        fields.append(
            TargetField(
                id=field_id,
                name=label,
                type=field_type,
                required=REQUIRED[kind] == field_id,
                supports_identity=identity,
                identity_functions=EQUALITY if identity else (),
            )
        )
    return fields


def custom_field(name: str, value_type: str) -> TargetField:
    return TargetField(
        id=f"{CUSTOM_PREFIX}{name}",
        name=f"{name} (custom field)",
        type="datetime" if value_type == "date" else "string",
    )


@functools.lru_cache(maxsize=1024)
def canonical(kind: str, name: str) -> str:
    """The Salesloft field a mapping means: "Email" → "email_address", "FirstName" →
    "first_name"; custom fields stay "custom_fields.<name>"; anything else is taken as a custom
    field's name, as Salesloft's own guide lets people type it. Cached: the engine asks for
    the identity field once per model row."""
    if name.startswith(CUSTOM_PREFIX):
        return name
    known = {_squash(field_id): field_id for field_id in (*standard_types(kind), "id")}
    squashed = _squash(name)
    if squashed in known:
        return known[squashed]
    if squashed in ALIASES[kind]:
        return ALIASES[kind][squashed]
    return f"{CUSTOM_PREFIX}{name}"


def _coerce(value: Any, field_type: str) -> Any:
    if value is None:
        return None
    if field_type == "boolean" and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "t", "yes", "y", "1"}:
            return True
        if lowered in {"false", "f", "no", "n", "0", ""}:
            return False
        return value  # Salesloft says what is wrong with it, per record
    if field_type == "array" and isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if field_type == "number" and isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if field_type == "number" and isinstance(value, float) and value.is_integer():
        return int(value)
    if field_type == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # phone numbers and ids read from a warehouse as numbers
    return value


def body(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The JSON body for one synced row: standard fields at the top, custom ones by name."""
    types = standard_types(kind)
    payload: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for name, value in record.items():
        field_id = canonical(kind, name)
        if field_id.startswith(CUSTOM_PREFIX):
            custom[field_id[len(CUSTOM_PREFIX) :]] = None if value is None else str(value)
        elif field_id == "id":
            payload["id"] = _coerce(value, "number")
        else:
            payload[field_id] = _coerce(value, types[field_id])
    if custom:
        payload["custom_fields"] = custom
    if payload.get("crm_id") and "crm_id_type" not in payload:
        payload["crm_id_type"] = "salesforce"  # the only CRM type Salesloft lists (§1.4)
    return payload
