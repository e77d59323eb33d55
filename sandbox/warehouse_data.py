"""The demo warehouse's rows, generated deterministically so every machine seeds the same data.

This module is pure Python (no fakesnow, no duckdb) so the Gong and Salesforce emulators can
import the Salesforce contact ids cheaply: the Gong walkthrough's query
``SELECT contact_id FROM salesforce_contacts WHERE subscription_plan = 'gold'`` only assigns
prospects whose ids exist in the CRM linked to Gong, so the emulators must seed the same ids.

Tables (database ``DEMO``, schema ``PUBLIC``):

* ``users``: one row per (person, activity date); a person can appear on up to three rows with
  different ``last_activity_date`` values, so the Salesloft walkthrough's ``MAX(...) GROUP BY``
  query collapses them. About 2% of people have an invalid email, so destinations' rejections
  can be demoed.
* ``salesforce_contacts``: Salesforce Contact ids (18 characters, ``003`` prefix, valid
  case-insensitive checksum) with a ``subscription_plan`` of gold, silver or bronze. A few gold
  contacts were "deleted in Salesforce after the export": they are absent from
  :func:`gong_crm_contact_ids` and :func:`salesforce_contact_records`, so Gong answers
  "not assigned" for them.

Every email uses a reserved domain (RFC 2606: ``example.com`` and friends), so nothing seeded
here can ever address a real mailbox.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from dataclasses import dataclass
from functools import cache

SEED = 42
PEOPLE = 2_500
INVALID_EMAIL_SHARE = 0.02
CONTACTS = 450
STALE_GOLD_CONTACTS = 3

USER_PLANS = ("free", "pro", "gold", "enterprise")
USER_PLAN_WEIGHTS = (50, 25, 15, 10)
ROWS_PER_PERSON = (1, 2, 3)
ROWS_PER_PERSON_WEIGHTS = (74, 20, 6)
SUBSCRIPTION_PLANS = ("gold", "silver", "bronze")
SUBSCRIPTION_PLAN_WEIGHTS = (50, 30, 20)

FIRST_ACTIVITY = datetime.date(2025, 1, 1)
LAST_ACTIVITY = datetime.date(2026, 10, 31)

FIRST_NAMES = (
    "Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy",
    "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Wendy",
    "Aisha", "Bruno", "Chen", "Diego", "Elena", "Farah", "Goran", "Hana", "Isabel", "Jonas",
    "Kenji", "Leila", "Marta", "Nikhil", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tariq",
    "Uma", "Vera", "Wei", "Ximena", "Yusuf", "Zoë", "José", "Amélie", "Søren", "Ana",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "O'Brien", "Müller", "Kowalski", "Tanaka",
    "Okafor", "Singh", "Larsen", "Novak", "Rossi", "Dubois",
)  # fmt: skip
DOMAINS = (
    "example.com",
    "example.org",
    "example.net",
    "acme.example.com",
    "globex.example.org",
    "initech.example.net",
)
# The kinds of broken address real CRMs accumulate; each still identifies one person.
INVALID_EMAIL_TEMPLATES = (
    "{first}@",
    "{first}@@example.com",
    "{first}.{last}.example.com",
    "{first}@example",
    "{first} {last}@example.com",
    "{first}.{last}@example..com",
)

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class UserRow:
    """One row of ``users``."""

    email: str
    first_name: str
    last_name: str
    plan: str
    last_activity_date: datetime.date


@dataclass(frozen=True)
class SalesforceContact:
    """One row of ``salesforce_contacts``; the person is also in ``users`` (valid email)."""

    contact_id: str
    email: str
    first_name: str
    last_name: str
    subscription_plan: str


@dataclass(frozen=True)
class _Person:
    first_name: str
    last_name: str
    email: str
    plan: str
    email_is_valid: bool


def salesforce_id(key_prefix: str, record_number: int) -> str:
    """An 18-character Salesforce id: key prefix, pod '5g', zero padding, base62, checksum.

    Real ids are 15 case-sensitive characters plus a 3-character suffix encoding which of them
    are upper-case, so case-insensitive systems (Gong, spreadsheets) can still tell them apart;
    emulating the suffix keeps clients honest about which form they compare.
    """
    digits = ""
    number = record_number
    for _ in range(5):
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    if number:
        raise ValueError(f"record number {record_number} does not fit in 5 base62 digits")
    short = f"{key_prefix}5g00000{digits}"
    if len(key_prefix) != 3:
        raise ValueError(f"a Salesforce key prefix has 3 characters, not {key_prefix!r}")
    suffix = ""
    for start in (0, 5, 10):
        flags = sum(1 << i for i, char in enumerate(short[start : start + 5]) if char.isupper())
        suffix += _CHECKSUM_ALPHABET[flags]
    return short + suffix


def _ascii_slug(name: str) -> str:
    """'Zoë' -> 'zoe', "O'Brien" -> 'obrien': the local part people get from their name."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(char for char in folded.lower() if char.isalnum())


@cache
def _people() -> tuple[_Person, ...]:
    """Everyone in the demo, each with a unique email (valid or deliberately not)."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    invalid = set(rng.sample(range(PEOPLE), round(PEOPLE * INVALID_EMAIL_SHARE)))
    seen: set[str] = set()
    people: list[_Person] = []
    broken = 0
    for index in range(PEOPLE):
        first_name = rng.choice(FIRST_NAMES)
        last_name = rng.choice(LAST_NAMES)
        plan = rng.choices(USER_PLANS, USER_PLAN_WEIGHTS)[0]
        first, last = _ascii_slug(first_name), _ascii_slug(last_name)
        if index in invalid:
            template = INVALID_EMAIL_TEMPLATES[broken % len(INVALID_EMAIL_TEMPLATES)]
            broken += 1
            candidates = (template.format(first=f"{first}{n or ''}", last=last) for n in range(99))
        else:
            domain = rng.choice(DOMAINS)
            candidates = (f"{first}.{last}{n or ''}@{domain}" for n in range(99))
        email = next(candidate for candidate in candidates if candidate not in seen)
        seen.add(email)
        people.append(_Person(first_name, last_name, email, plan, index not in invalid))
    return tuple(people)


@cache
def demo_users() -> tuple[UserRow, ...]:
    """The ``users`` table: each person on 1-3 rows with distinct activity dates."""
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data, not secrets
    span = (LAST_ACTIVITY - FIRST_ACTIVITY).days
    rows = []
    for person in _people():
        count = rng.choices(ROWS_PER_PERSON, ROWS_PER_PERSON_WEIGHTS)[0]
        offsets = sorted(rng.sample(range(span + 1), count))
        rows.extend(
            UserRow(
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                plan=person.plan,
                last_activity_date=FIRST_ACTIVITY + datetime.timedelta(days=offset),
            )
            for offset in offsets
        )
    return tuple(rows)


def invalid_user_emails() -> tuple[str, ...]:
    """The deliberately broken addresses in ``users``, for tests that expect rejections."""
    return tuple(person.email for person in _people() if not person.email_is_valid)


@cache
def salesforce_contacts() -> tuple[SalesforceContact, ...]:
    """The ``salesforce_contacts`` table: a sample of users with valid emails, ids in order."""
    rng = random.Random(SEED + 2)  # noqa: S311 - demo data, not secrets
    valid = [person for person in _people() if person.email_is_valid]
    chosen = sorted(rng.sample(range(len(valid)), CONTACTS))
    contacts = []
    for number, index in enumerate(chosen):
        person = valid[index]
        contacts.append(
            SalesforceContact(
                contact_id=salesforce_id("003", 1_000_003 + number * 104_729),
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                subscription_plan=rng.choices(SUBSCRIPTION_PLANS, SUBSCRIPTION_PLAN_WEIGHTS)[0],
            )
        )
    return tuple(contacts)


@cache
def stale_contact_ids() -> tuple[str, ...]:
    """Gold contact ids still in the warehouse but deleted from the CRM: Gong cannot assign them."""
    rng = random.Random(SEED + 3)  # noqa: S311 - demo data, not secrets
    gold = [c.contact_id for c in salesforce_contacts() if c.subscription_plan == "gold"]
    return tuple(sorted(rng.sample(gold, STALE_GOLD_CONTACTS)))


def gong_crm_contact_ids() -> tuple[str, ...]:
    """The CRM contact ids the Gong emulator knows: every warehouse contact but the stale ones."""
    stale = set(stale_contact_ids())
    return tuple(c.contact_id for c in salesforce_contacts() if c.contact_id not in stale)


def salesforce_contact_records() -> list[dict[str, str]]:
    """Contact records for the Salesforce emulator, shaped like the REST API's (sans attributes).

    The same people as :func:`gong_crm_contact_ids`, so the CRM linked to Gong and the
    Salesforce org agree; fresh dicts each call, so an emulator may mutate what it stores.
    """
    stale = set(stale_contact_ids())
    return [
        {
            "Id": contact.contact_id,
            "FirstName": contact.first_name,
            "LastName": contact.last_name,
            "Email": contact.email,
        }
        for contact in salesforce_contacts()
        if contact.contact_id not in stale
    ]
