"""`manage.py walkthrough all` (issue 12): the three walkthroughs' requests sent to a running
Syncline in sandbox mode, OAuth completed on the sandbox's consent page, each ending with a
completed run whose counts the sandbox's stored records bear out. The demo's Salesloft team is
granted 6,000 calls a minute (as `make demo` grants it), on both sides."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import call_command
from kombu import Queue

from config.services_probe import redis_url
from organizations.services import api_key_create
from syncs.models import Sync, SyncExecution
from tests.api.seeds import seeds_dir
from tests.integration.worker import worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.skipif(
        seeds_dir() is None and not os.environ.get("CI"), reason="reference/seeds is not here"
    ),
]
ALLOWANCE = "6000/60"


@pytest.fixture
def sandbox_mode(settings, demo_warehouse, vendors, sandbox, live_server):
    settings.SYNCLINE_SANDBOX_URL = sandbox.url
    settings.SYNCLINE_SANDBOX_WAREHOUSE_URL = (
        f"http://{demo_warehouse['host']}:{demo_warehouse['port']}"
    )
    settings.SYNCLINE_PUBLIC_URL = live_server.url
    granted = {**settings.VENDORS["salesloft"], "rate_limit": ALLOWANCE}
    settings.VENDORS = {**settings.VENDORS, "salesloft": granted}
    sandbox.app.faults.update({"budgets": {"salesloft": ALLOWANCE}})
    return settings


def test_all_three_walkthroughs_complete_through_the_command(
    organization, sandbox_mode, sandbox, live_server, http, tmp_path
):
    from config.celery import app

    _, key = api_key_create(organization=organization, name="Walkthrough key")
    queue = app.conf.task_default_queue
    with app.connection_for_write() as connection:
        Queue(queue)(connection.default_channel).purge()
    out = io.StringIO()
    with worker(
        broker=redis_url(),
        sandbox_url=sandbox.url,
        tmp_path=tmp_path,
        queue=queue,
        SYNCLINE_SANDBOX_WAREHOUSE_URL=sandbox_mode.SYNCLINE_SANDBOX_WAREHOUSE_URL,
        SYNCLINE_SALESLOFT_RATE_LIMIT=ALLOWANCE,
    ):
        call_command("walkthrough", "all", url=live_server.url, key=key, stdout=out)

    said = out.getvalue()
    assert "Done: salesloft, gong, linkedin." in said
    assert said.count("pressed Allow on the sandbox's consent page") == 3
    assert "“Snowflake Connection” exists from an earlier run: reusing it" in said
    assert said.count("run completed:") == 4  # LinkedIn: an existing and a new audience
    executions = SyncExecution.objects.filter(sync__organization=organization)
    assert executions.count() == 4
    assert set(executions.values_list("status", flat=True)) == {"completed"}
    assert Sync.objects.filter(name="Snowflake to LinkedIn AdsSync").count() == 2
    salesloft = executions.get(sync__name="Snowflake to Salesloft Cadence Sync")
    members = http.get(f"{sandbox.url}/_sandbox/records/salesloft/cadence_memberships").json()
    on_cadence = [m for m in members["data"] if m["cadence_id"] == 1001]
    assert len(on_cadence) >= salesloft.insert_count + salesloft.upsert_count > 0
