"""Records → LinkedIn segment elements. E-mails are hashed here, before anything leaves Syncline.

Field ids are the ones Polytomic's docs map to (`Email`, `FirstName`, `LastName`); a record's keys
match them case- and underscore-insensitively (`first_name` → `FirstName`).

Limits (destination-apis.md §3.4): free text that still matches when shortened (first and last
name ≤ 35, title ≤ 50, city and state ≤ 50) is truncated; identifiers that a cut would corrupt
(page URL ≤ 100, postal code ≤ 20, stock symbol ≤ 5, industries ≤ 3 of ≤ 50) reject the record
with a message, as do unusable e-mails, domains, URNs and countries.

Neither kind of audience needs its identity field (the modes say requires_identity=False, as
Polytomic's do): LinkedIn matches a member by hashed e-mail or, without one, by first and last
name (https://docs.tealium.com/server-side-connectors/linkedin-matched-audiences-connector-setup-guide
for this API: "If no valid user ID is provided, the First Name and Last Name parameters must be
provided"; the fields are those of
https://learn.microsoft.com/en-us/linkedin/marketing/matched-audiences/create-and-manage-segment-users),
and a company by any one of its identifiers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from connections.destinations.base import TargetField, identity_as_given, identity_email
from connections.destinations.errors import DestinationError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOMAIN = re.compile(r"^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$")
ORGANIZATION_URN = re.compile(r"^urn:li:organization:\d+$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
IDENTITY = ("Equality",)

USER_FIELDS: tuple[TargetField, ...] = (
    # Not required: a member without an e-mail is matched by first and last name.
    TargetField("Email", "Email", supports_identity=True, identity_functions=IDENTITY),
    TargetField("FirstName", "First name"),
    TargetField("LastName", "Last name"),
    TargetField("Title", "Job title"),
    TargetField("Company", "Company name"),
    TargetField("Country", "Country"),
)
COMPANY_FIELDS: tuple[TargetField, ...] = (
    TargetField("CompanyName", "Company name"),
    TargetField(
        "CompanyDomain", "Website domain", supports_identity=True, identity_functions=IDENTITY
    ),
    TargetField(
        "OrganizationUrn",
        "LinkedIn organization URN",
        supports_identity=True,
        identity_functions=IDENTITY,
    ),
    TargetField("CompanyPageUrl", "LinkedIn company page URL"),
    TargetField("Industries", "Industries (up to 3)", type="array"),
    TargetField("City", "City"),
    TargetField("State", "State"),
    TargetField("Country", "Country (ISO 3166-1 alpha-2)"),
    TargetField("PostalCode", "Postal code"),
    TargetField("StockSymbol", "Stock symbol"),
)
# Syncline field → (LinkedIn element field, truncate to)
USER_TEXT = {
    "FirstName": ("firstName", 35),
    "LastName": ("lastName", 35),
    "Title": ("title", 50),
    "Company": ("company", None),
    "Country": ("country", None),
}
COMPANY_IDENTIFIERS = (
    "companyName",
    "companyWebsiteDomain",
    "organizationUrn",
    "companyPageUrl",
    "stockSymbol",
)
# Other spellings people map to, beyond case and underscores.
ALIASES = {"companywebsitedomain": "CompanyDomain", "domain": "CompanyDomain"}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def canonical_values(record: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """The record keyed by field ids; an unknown key is a mapping mistake a person must fix."""
    values: dict[str, Any] = {}
    for name, value in record.items():
        field_id = canonical_field(name, ids)
        if field_id not in ids:
            raise DestinationError(
                f"{name!r} is not a field of this audience; map to one of: " + ", ".join(ids)
            )
        values[field_id] = value
    return values


def canonical_field(name: str, ids: Iterable[str]) -> str:
    """The field id `name` means (`first_name` → `FirstName`); `name` itself when none."""
    known = {_key(field_id): field_id for field_id in ids}
    return known.get(_key(name)) or ALIASES.get(_key(name)) or name


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def hashed_email(email: str) -> str:
    """LinkedIn's SHA256_EMAIL: the hex SHA-256 of the trimmed, lower-cased address — the same
    text normalize_identity keys the record by, so state and LinkedIn agree on who it is."""
    return hashlib.sha256(identity_email(email).encode()).hexdigest()


def identity_key(field_id: str, value: Any) -> str:
    """An identity as LinkedIn matches it, as the elements send it: e-mails trimmed and
    lower-cased (their hash is taken from that), domains bare and lower-cased, organization ids
    as URNs."""
    if field_id == "Email":
        return identity_email(value)
    text = identity_as_given(value).strip()
    if field_id == "CompanyDomain" and text:
        return _domain(text)
    if field_id == "OrganizationUrn" and text.isdigit():
        return f"urn:li:organization:{text}"
    return identity_as_given(value)


def user_element(values: dict[str, Any], action: str) -> tuple[dict[str, Any] | None, str]:
    """(element, "") or (None, why the record can't be sent)."""
    email = _text(values.get("Email"))
    element: dict[str, Any] = {"action": action}
    if email:
        if not EMAIL.match(email):
            return None, f"{email!r} is not an e-mail address."
        element["userIds"] = [{"idType": "SHA256_EMAIL", "idValue": hashed_email(email)}]
        if action == "REMOVE":
            return element, ""  # LinkedIn removes by id; nothing else needs to leave Syncline
    elif not (_text(values.get("FirstName")) and _text(values.get("LastName"))):
        return None, (
            "No Email, and no first and last name: LinkedIn matches members by e-mail address, "
            "or by first and last name when there is none. Map Email, or FirstName and LastName."
        )
    # Without an e-mail the names are the match (for a removal too), so they are always sent.
    for field, (name, limit) in USER_TEXT.items():
        text = _text(values.get(field))
        if text:
            element[name] = text[:limit] if limit else text
    return element, ""


def _domain(raw: str) -> str:
    """`https://www.Acme.com/about` → `acme.com`: LinkedIn wants the bare domain."""
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", raw.lower()).split("/", 1)[0]
    domain = domain.split("?", 1)[0].rstrip(".")
    return domain.removeprefix("www.")


def _industries(value: Any) -> list[str]:
    # Industry names contain commas ("Oil, Gas, and Mining"), so text splits on ; or | only.
    items = value if isinstance(value, list | tuple) else re.split(r"[;|]", _text(value))
    return [text for text in (_text(item) for item in items) if text]


def company_element(values: dict[str, Any], action: str) -> tuple[dict[str, Any] | None, str]:
    """(element, "") or (None, why the record can't be sent)."""
    element: dict[str, Any] = {"action": action}
    if name := _text(values.get("CompanyName")):
        element["companyName"] = name
    if raw := _text(values.get("CompanyDomain")):
        domain = _domain(raw)
        if not DOMAIN.match(domain):
            return None, f"CompanyDomain {raw!r} is not a domain such as example.com."
        element["companyWebsiteDomain"] = domain
    if raw := _text(values.get("OrganizationUrn")):
        urn = f"urn:li:organization:{raw}" if raw.isdigit() else raw
        if not ORGANIZATION_URN.match(urn):
            return None, f"OrganizationUrn {raw!r} is not a urn:li:organization:<id> URN."
        element["organizationUrn"] = urn
    if page := _text(values.get("CompanyPageUrl")):
        if page.lower().startswith(("linkedin.com/", "www.linkedin.com/")):
            page = f"https://{page}"
        if not page.lower().startswith(("http://", "https://")):
            return None, f"CompanyPageUrl {page!r} is not a URL."
        if len(page) > 100:
            return None, f"CompanyPageUrl is {len(page)} characters; LinkedIn allows 100."
        element["companyPageUrl"] = page
    if symbol := _text(values.get("StockSymbol")).upper():
        if len(symbol) > 5:
            return None, f"StockSymbol {symbol!r} is longer than LinkedIn's 5 characters."
        element["stockSymbol"] = symbol
    if not any(name in element for name in COMPANY_IDENTIFIERS):
        return None, (
            "No company identifier: map CompanyDomain, OrganizationUrn, CompanyName, "
            "CompanyPageUrl or StockSymbol."
        )
    if action == "REMOVE":
        return element, ""  # LinkedIn removes by identifier; the rest is not needed
    problem = _company_details(values, element)
    return (None, problem) if problem else (element, "")


def _company_details(values: dict[str, Any], element: dict[str, Any]) -> str:
    """Adds the descriptive fields to element; returns a problem, or ""."""
    industries = _industries(values.get("Industries"))
    if len(industries) > 3:
        return f"{len(industries)} Industries; LinkedIn takes at most 3."
    if too_long := [industry for industry in industries if len(industry) > 50]:
        return f"Industry {too_long[0]!r} is longer than LinkedIn's 50 characters."
    if industries:
        element["industries"] = industries
    for field, name in (("City", "city"), ("State", "state")):
        if text := _text(values.get(field)):
            element[name] = text[:50]
    if country := _text(values.get("Country")):
        if not COUNTRY.match(country.upper()):
            return f"Country {country!r} is not an ISO 3166-1 alpha-2 code such as US."
        element["country"] = country.upper()
    if postal := _text(values.get("PostalCode")):
        if len(postal) > 20:
            return f"PostalCode {postal!r} is longer than LinkedIn's 20 characters."
        element["postalCode"] = postal
    return ""
