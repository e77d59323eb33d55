"""One sync per destination batching rule (DESIGN.md §10 P2), for the test that counts their
write calls and for bench/write_calls.py, which prints them for bigger N.

Each case knows how many write calls N records must take at that vendor: one call per record
where the vendor has no batch endpoint (Salesloft), plus the calls it asks for per record
(a cadence membership), else one per vendor batch (Gong 200, LinkedIn 5,000, Salesforce
sObject Collections 200, Bulk API 2.0 three per job: create, upload, close).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from connections.models import Connection
from connections.services import connection_create
from organizations.models import Organization
from sandbox.server import RunningSandbox
from sandbox.vendors.gong import DEMO_FLOW_ID
from sandbox.vendors.salesloft import DEMO_API_KEY
from syncs.models import Sync
from tests.connections.destinations.gong_support import gong_connection, gong_tokens
from tests.connections.destinations.linkedin_support import (
    USER_AUDIENCE,
    linkedin_connection,
    linkedin_tokens,
)
from tests.connections.destinations.salesforce_support import connection_for, oauth_tokens
from tests.engine_fixtures import sync_over_query

# Budgets far above what the counts need: P2 counts calls, P3 measures waiting for a budget.
UNTHROTTLED = {"salesloft": "100000/60", "gong": "100000/1", "linkedinads_users": "100000/60"}
# The vendors' batches, as they document them (the expectations are theirs, not the code's):
# Gong: "up to 200" CRM ids per call, https://help.gong.io/apidocs/assign-prospects-contacts-or-
#   leads-to-an-engage-flow-v2flowsprospectsassign-1
GONG_BATCH = 200
# LinkedIn documents no maximum per BATCH_CREATE of DMP segment users; 5,000 is the size
#   integrators use (connections/destinations/linkedin_ads/destination.py says where from).
LINKEDIN_BATCH = 5_000
# sObject Collections: "up to 200 records", https://developer.salesforce.com/docs/atlas.en-us.
#   api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
SALESFORCE_COLLECTION = 200
# Bulk API 2.0 ingest: create the job, upload its CSV data, close it (PATCH state UploadComplete,
#   "required for every Bulk API 2.0 ingest job"); polling and results are reads.
#   https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/close_job.htm
BULK_JOB_CALLS = 3
BULK_JOB = 200  # the Bulk case's bulk_batch_size: records per job


@dataclass(frozen=True)
class Case:
    name: str
    vendor: str  # the sandbox's vendor key in its request log
    sync: Sync
    expected: Callable[[int], int]  # write calls for n records
    rule: str  # the expectation in words


def people_rows(n: int) -> str:
    """SQL for n people (email, first_name, last_name), none of them in any sandbox seed."""
    return (
        "SELECT 'p2person' || n || '@example.com' AS email, 'First' || n AS first_name, "
        f"'Last' || n AS last_name FROM generate_series(1, {int(n)}) AS n"
    )


def contact_ids(n: int) -> list[str]:
    return [f"003P2{number:013d}" for number in range(1, n + 1)]


def contact_rows(n: int) -> str:
    """SQL for n CRM contact ids, the ones contact_ids(n) returns."""
    return (
        "SELECT '003P2' || lpad(n::text, 13, '0') AS contact_id "
        f"FROM generate_series(1, {int(n)}) AS n"
    )


def prepare_sandbox(sandbox: RunningSandbox, n: int) -> None:
    """Unthrottled budgets, and a CRM that knows the Gong cases' contacts."""
    sandbox.app.faults.update({"budgets": UNTHROTTLED})
    crm = sandbox.app.emulators["gong"].table("crm_prospects")
    for crm_id in contact_ids(n):
        crm[crm_id] = {"crmProspectId": crm_id, "objectType": "Contact"}


def cases(
    *,
    organization: Organization,
    source: Connection,
    vendors: dict[str, Any],
    http: httpx.Client,
    sandbox: RunningSandbox,
    n: int,
) -> list[Case]:
    def sync(
        connection: Connection,
        query: str,
        target: str,
        mode: str,
        identity: tuple[str, str],
        fields: list[tuple[str, str]],
        **extra: Any,
    ) -> Sync:
        return sync_over_query(
            organization,
            source=source,
            query=query,
            target_connection=connection,
            target=target,
            mode=mode,
            identity=identity,
            fields=fields,
            name=f"P2 {connection.name} {target} {Sync.objects.count()}",
            **extra,
        )

    salesloft = connection_create(
        organization=organization,
        name="P2 Salesloft",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY, "rate_limit": "100000/60"},
    )
    gong = gong_connection(organization, gong_tokens(vendors, http), rate_limit="100000/1")
    linkedin = linkedin_connection(organization, linkedin_tokens(http, vendors))
    salesforce = connection_for(organization, oauth_tokens(http, sandbox))
    names = [("first_name", "first_name"), ("last_name", "last_name")]
    people = people_rows(n)
    contact = [("email", "Email"), ("first_name", "FirstName"), ("last_name", "LastName")]
    return [
        Case(
            "Salesloft people",
            "salesloft",
            sync(salesloft, people, "people", "updateOrCreate", ("email", "email_address"), names),
            lambda k: k,
            "one upsert per record (no batch endpoint)",
        ),
        Case(
            "Salesloft cadence",
            "salesloft",
            sync(
                salesloft,
                people,
                "cadence:1001",
                "updateOrCreate",
                ("email", "email_address"),
                names,
            ),
            lambda k: 2 * k,
            "per record: an upsert and a cadence membership",
        ),
        Case(
            "Gong flow",
            "gong",
            sync(gong, contact_rows(n), DEMO_FLOW_ID, "updateOrCreate", ("contact_id", "Id"), []),
            lambda k: math.ceil(k / GONG_BATCH),
            f"one assign per {GONG_BATCH} prospects",
        ),
        Case(
            "LinkedIn audience",
            "linkedinads",
            sync(linkedin, people, USER_AUDIENCE, "create", ("email", "Email"), []),
            lambda k: math.ceil(k / LINKEDIN_BATCH),
            f"one BATCH_CREATE per {LINKEDIN_BATCH:,} members",
        ),
        Case(
            "Salesforce REST",
            "salesforce",
            sync(
                salesforce,
                people,
                "Contact",
                "updateOrCreate",
                ("email", "External_Id__c"),
                contact,
                target_configuration={"ingestion_api": "rest"},
            ),
            lambda k: math.ceil(k / SALESFORCE_COLLECTION),
            f"one collections upsert per {SALESFORCE_COLLECTION}",
        ),
        Case(
            "Salesforce Bulk",
            "salesforce",
            sync(
                salesforce,
                people,
                "Contact",
                "updateOrCreate",
                ("email", "External_Id__c"),
                contact,
                target_configuration={"ingestion_api": "bulk", "bulk_batch_size": 200},
            ),
            lambda k: BULK_JOB_CALLS * math.ceil(k / 200),
            f"{BULK_JOB_CALLS} per Bulk job of 200 (create, upload, close)",
        ),
    ]


def write_calls(sandbox: RunningSandbox, vendor: str) -> int:
    """The vendor's API calls that change something (not reads, not token exchanges)."""
    return sum(
        1
        for entry in sandbox.app.log
        if entry["vendor"] == vendor
        and entry["method"] != "GET"
        and "oauth" not in entry["endpoint"]
        and "token" not in entry["endpoint"]
    )


def endpoints(sandbox: RunningSandbox, vendor: str) -> dict[str, int]:
    counted: dict[str, int] = {}
    for entry in sandbox.app.log:
        if entry["vendor"] == vendor:
            counted[entry["endpoint"]] = counted.get(entry["endpoint"], 0) + 1
    return counted
