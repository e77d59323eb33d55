"""Issue 9's first fault with real parts: the sandbox answers 10% of calls with a 5xx and 5% with a
429, lets some hang past the client's timeout, and applies some creates whose answer is then lost.
Runs stop where a create may have been applied; the next run reconciles it at the vendor and goes
on. In the end every record was created exactly once — counted in what the vendor stores and in
its request log — and a run without faults has nothing left to send. A record the vendor refuses
(an e-mail Salesloft calls invalid) is never taken for delivered nor lost among the stopped runs:
it is a RecordError in Salesloft's words, and the only record a later run sends again."""

from __future__ import annotations

from collections import Counter

import pytest

from config.services_probe import redis_url
from syncs.models import RecordError, SyncExecution, SyncState
from tests.connections.destinations.salesforce_support import connection_for, oauth_tokens
from tests.integration.runs import answers_lost, request_log, run_until_done, settled_log, stored
from tests.integration.worker import worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
]

FAULTS = {
    "error_rate": 0.10,
    "rate_limit_rate": 0.05,
    "timeout_rate": 0.03,  # hangs, then a 500: never applied, but the client can't tell
    "lost_answer_rate": 0.03,  # applied, then the answer comes too late
    "timeout_seconds": 1.2,
    "seed": 9,
}
CALM = {"error_rate": 0, "rate_limit_rate": 0, "timeout_rate": 0, "lost_answer_rate": 0}
# The worker gives up on an answer after this long; the sandbox's hangs last longer.
WORKER_ENV = {"SYNCLINE_DESTINATION_TIMEOUT_SECONDS": "0.5"}
# Looks like an address (so Syncline sends it) but Salesloft refuses it: no dot in the domain.
REFUSED = "broken@example"
REFUSED_ROW = f" UNION ALL SELECT '{REFUSED}', 'Broken'"
VALID = (
    "email LIKE '%_@_%.%' AND email NOT LIKE '% %' AND email NOT LIKE '%@@%' "
    "AND email NOT LIKE '%..%'"
)


def people_query(count: int, *, columns: str) -> str:
    return (
        f"SELECT {columns} FROM users WHERE email IN (SELECT DISTINCT email FROM users "
        f"WHERE {VALID} ORDER BY email LIMIT {count})"
    )


def test_salesloft_people_are_each_created_once_through_faults(
    make_sync, warehouse, salesloft, http, sandbox, tmp_path
):
    count = 60
    # A 429 without Retry-After holds every worker back for the vendor's whole window: a
    # window of one second keeps those waits short (the client is told the same budget).
    salesloft.configuration = {**salesloft.configuration, "rate_limit": "100/1"}
    salesloft.save()
    sync = make_sync(
        source=warehouse,
        query=people_query(count, columns="email, first_name") + REFUSED_ROW,
        target_connection=salesloft,
        target="people",
        mode="create",  # plain creates, with no idempotency key: the riskiest writes
        identity=("email", "email_address"),
        fields=[("first_name", "first_name")],
    )
    seeded = {p["email_address"] for p in stored(http, sandbox, "salesloft", "people")}
    sandbox.app.faults.update(
        {**FAULTS, "vendors": ["salesloft"], "budgets": {"salesloft": "100/1"}}
    )
    with worker(
        broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path, **WORKER_ENV
    ) as running:
        # Random draws may spare the creates: the answers of two are lost for sure.
        with answers_lost(sandbox, method="POST", path_contains="/v2/people", calls={3, 7}) as lost:
            runs = run_until_done(running, sync, most=60)
            log = settled_log(http, sandbox, "salesloft")
        sandbox.app.faults.update(CALM)
        (calm,) = run_until_done(running, sync, most=1)

    assert Counter(entry["fault"] for entry in log if entry["fault"])  # the draws bit
    assert lost == [3, 7]
    created = [p["email_address"] for p in stored(http, sandbox, "salesloft", "people")]
    created = [email for email in created if email not in seeded]
    assert len(created) == count
    assert len(set(created)) == count  # nobody twice
    # The vendor's log agrees: each create it applied (answered or lost) made one person, and
    # every create it refused was the invalid address, never someone already there (Salesloft
    # refuses a taken e-mail too: a create sent twice would be a RecordError for them).
    creates = [e for e in log if e["endpoint"] == "POST salesloft.people"]
    assert len([e for e in creates if e["status"] == 200]) == count
    refusals = RecordError.objects.filter(execution__in=runs)
    assert set(refusals.values_list("identity_value", flat=True)) == {REFUSED}
    assert len([e for e in creates if e["status"] == 422]) == refusals.count()
    assert "email_address: is invalid" in refusals.latest("created_at").message  # its words
    assert SyncState.objects.filter(sync=sync, in_doubt=False).count() == count
    assert runs[-1].error_count == 1  # the run that completed reported it
    # Without faults: everyone is unchanged, and the refused one alone is sent again.
    assert calm.unchanged_count == count
    calls = request_log(http, sandbox, "salesloft")
    assert [(e["endpoint"], e["status"]) for e in calls] == [("POST salesloft.people", 422)]
    assert list(calm.record_errors.values_list("identity_value", flat=True)) == [REFUSED]
    # Creates that may have been applied stopped runs, and the next one resumed.
    assert len(runs) > 1
    assert SyncExecution.objects.filter(sync=sync, status="failed").count() == len(runs) - 1


def test_salesforce_contacts_created_in_batches_are_each_created_once_through_faults(
    organization, vendors, make_sync, warehouse, http, sandbox, tmp_path
):
    count, batch = 100, 20
    salesforce = connection_for(organization, oauth_tokens(http, sandbox))
    sync = make_sync(
        source=warehouse,
        # People who are not Contacts yet: every one of them is a create.
        query=(
            "SELECT email, MAX(last_name) AS last_name FROM users WHERE email IN (SELECT "
            f"DISTINCT email FROM users WHERE {VALID} AND lower(email) NOT IN (SELECT "
            f"lower(email) FROM salesforce_contacts) ORDER BY email LIMIT {count}) GROUP BY email"
        ),
        target_connection=salesforce,
        target="Contact",
        mode="create",  # sObject Collections inserts: a batch that times out may have been applied
        identity=("email", "Email"),
        fields=[("last_name", "LastName")],
        target_configuration={"ingestion_api": "rest", "rest_batch_size": batch},
    )
    seeded = {c["Email"].lower() for c in stored(http, sandbox, "salesforce", "Contact")}
    sandbox.app.faults.update({**FAULTS, "vendors": ["salesforce"]})
    with worker(
        broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path, **WORKER_ENV
    ) as running:
        # Random draws may spare the few insert calls: the answers of two are lost for sure.
        with answers_lost(
            sandbox, method="POST", path_contains="/composite/sobjects", calls={2, 4}
        ) as lost:
            runs = run_until_done(running, sync, most=60)
            log = settled_log(http, sandbox, "salesforce")
        sandbox.app.faults.update(CALM)
        (calm,) = run_until_done(running, sync, most=1)

    assert Counter(entry["fault"] for entry in log if entry["fault"])  # the draws bit
    assert lost == [2, 4]
    contacts = Counter(
        c["Email"].lower() for c in stored(http, sandbox, "salesforce", "Contact") if c.get("Email")
    )
    created = {email: n for email, n in contacts.items() if email not in seeded}
    assert len(created) == count
    assert set(created.values()) == {1}  # nobody twice
    assert not RecordError.objects.filter(execution__sync=sync).exists()
    assert SyncState.objects.filter(sync=sync, in_doubt=False).count() == count
    assert calm.unchanged_count == count
    assert [e for e in request_log(http, sandbox, "salesforce") if e["method"] != "GET"] == []
    assert len(runs) > 1
