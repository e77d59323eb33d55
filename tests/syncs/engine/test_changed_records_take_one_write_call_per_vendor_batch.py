"""DESIGN.md §10 P2: N records to send take ⌈N / the vendor's batch⌉ write calls, plus the calls
the vendor asks for per record, counted in the sandbox's request log after a real run. Call
counts, not time: bench/write_calls.py prints the same for bigger N."""

from __future__ import annotations

import pytest

from connections.services import connection_create
from tests.syncs.engine.vendor_syncs import cases, endpoints, prepare_sandbox, write_calls

pytestmark = pytest.mark.django_db

# Enough for more than one batch at Gong, Salesforce collections and Bulk jobs of 200.
N = 401


@pytest.fixture
def source(organization, postgres_warehouse):
    settings = {k: v for k, v in postgres_warehouse.items() if k not in {"schema", "admin"}}
    return connection_create(
        organization=organization, name="Warehouse", type="postgresql", values=settings
    )


@pytest.fixture
def every_case(organization, source, vendors, http, sandbox):
    prepare_sandbox(sandbox, N)
    return {
        case.name: case
        for case in cases(
            organization=organization,
            source=source,
            vendors=vendors,
            http=http,
            sandbox=sandbox,
            n=N,
        )
    }


@pytest.mark.parametrize(
    ("name", "records"),
    [
        ("Salesloft people", 7),
        ("Salesloft cadence", 7),
        ("Gong flow", N),
        ("LinkedIn audience", N),
        ("Salesforce REST", N),
        ("Salesforce Bulk", N),
    ],
)
def test_each_vendor_takes_the_write_calls_its_batches_imply(
    every_case, name, records, run, sandbox
):
    case = every_case[name]
    if records != N:  # one call per record: a few records show it
        case.sync.model.query = f"SELECT * FROM ({case.sync.model.query}) AS m LIMIT {records}"
        case.sync.model.save()
    sandbox.app.clear_log()
    execution = run(case.sync)
    assert execution.status == "completed", execution.errors
    assert execution.error_count == 0
    assert write_calls(sandbox, case.vendor) == case.expected(records), endpoints(
        sandbox, case.vendor
    )
    sandbox.app.clear_log()
    again = run(case.sync)
    assert again.unchanged_count == records
    assert write_calls(sandbox, case.vendor) == 0
