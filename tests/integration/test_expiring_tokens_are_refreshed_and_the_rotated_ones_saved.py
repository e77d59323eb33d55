"""Issue 9's token fault with real parts: access tokens that die every few seconds during a run.
The worker refreshes them (before they expire, and on a 401), each refresh rotates the refresh
token (Salesloft revokes every older one, Gong's are single-use), and the run completes. What
the connection has saved at the end is the vendor's one live refresh token; the older ones are
refused, so a lost rotation would have locked Syncline out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from config.services_probe import redis_url
from connections.models import Connection
from sandbox.server import RunningSandbox
from sandbox.vendors.gong import DEMO_FLOW_ID
from sandbox.warehouse_data import gong_crm_contact_ids, salesforce_contacts
from syncs.models import SyncState
from tests.connections.destinations.gong_support import gong_connection, gong_tokens, instances
from tests.integration.oauth import live_refresh_tokens, refresh_with, salesloft_oauth
from tests.integration.runs import after_calls, request_log, run_until_done, stored
from tests.integration.worker import worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
]

PEOPLE = (
    "SELECT email, first_name FROM users WHERE email IN (SELECT DISTINCT email FROM users "
    "WHERE email LIKE '%_@_%.%' AND email NOT LIKE '% %' AND email NOT LIKE '%@@%' "
    "AND email NOT LIKE '%..%' ORDER BY email LIMIT 20)"
)


def ended_by_the_vendor(sandbox: RunningSandbox) -> Callable[[int], None]:
    """After an assignment is answered Gong ends every access token it issued, whatever their
    lifetime said: the client learns it only from the 401 of its next call."""

    def expire(_: int) -> None:
        with sandbox.app.store.lock:
            sandbox.app.oauth.expire_access_tokens("gong")

    return expire


def test_salesloft_tokens_living_seconds_are_refreshed_and_every_rotation_saved(
    organization, vendors, make_sync, warehouse, http, sandbox, tmp_path
):
    # Every token issued from now on, the consent's included, lives 3 seconds; the calls are
    # slow enough that a run outlives several of them.
    sandbox.app.faults.update({"token_ttl": 3, "slow_ms": 150, "vendors": ["salesloft"]})
    salesloft = salesloft_oauth(organization, vendors, http, name="Salesloft (OAuth)")
    first_refresh_token = salesloft.secrets["refresh_token"]
    sync = make_sync(
        source=warehouse,
        query=PEOPLE,
        target_connection=salesloft,
        target="people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name")],
    )
    seeded = {p["email_address"] for p in stored(http, sandbox, "salesloft", "people")}
    with worker(broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path) as running:
        (done,) = run_until_done(running, sync, most=1)

    assert done.status == "completed", done.errors
    created = {p["email_address"] for p in stored(http, sandbox, "salesloft", "people")} - seeded
    assert len(created) == 20
    assert SyncState.objects.filter(sync=sync, in_doubt=False).count() == 20
    log = Counter(e["endpoint"] for e in request_log(http, sandbox, "salesloft"))
    # The run outlived its tokens. (Refreshing starts a minute before expiry, so tokens this
    # short are refreshed before every call: each refresh is a rotation to save.)
    assert log["POST salesloft.oauth_token"] >= 3
    salesloft.refresh_from_db()
    assert salesloft.status == Connection.Status.HEALTHY
    saved = salesloft.secrets["refresh_token"]
    assert live_refresh_tokens(sandbox, "salesloft") == [saved]
    refused = refresh_with(http, vendors, "salesloft", first_refresh_token)
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")
    assert refresh_with(http, vendors, "salesloft", saved).status_code == 200


def test_gong_tokens_ended_by_the_vendor_mid_run_are_refreshed_and_the_single_use_ones_saved(
    organization, vendors, make_sync, warehouse, http, sandbox, tmp_path
):
    gong = gong_connection(organization, gong_tokens(vendors, http))
    first_refresh_token = gong.secrets["refresh_token"]
    sync = make_sync(
        source=warehouse,
        query="SELECT contact_id FROM salesforce_contacts",
        target_connection=gong,
        target=DEMO_FLOW_ID,
        mode="updateOrCreate",
        identity=("contact_id", "Id"),
        fields=[],
    )
    # 450 contacts go 200 an assignment: three calls, after each of which the token dies.
    with (
        worker(broker=redis_url(), sandbox_url=sandbox.url, tmp_path=tmp_path) as running,
        after_calls(
            sandbox,
            method="POST",
            path_contains="/prospects/assign",
            then=ended_by_the_vendor(sandbox),
        ),
    ):
        (done,) = run_until_done(running, sync, most=1)

    assert done.status == "completed", done.errors
    assigned = {i["crmProspectId"] for i in instances(http, sandbox) if i["flowId"] == DEMO_FLOW_ID}
    assert assigned == {c.contact_id for c in salesforce_contacts()} & set(gong_crm_contact_ids())
    log = request_log(http, sandbox, "gong")
    assert len([e for e in log if e["status"] == 401]) == 2  # after the first two calls
    # The consent's code exchange, then one refresh for each 401.
    assert Counter(e["endpoint"] for e in log)["POST gong.oauth_token"] == 3
    gong.refresh_from_db()
    assert gong.status == Connection.Status.HEALTHY
    saved = gong.secrets["refresh_token"]
    assert live_refresh_tokens(sandbox, "gong") == [saved]
    refused = refresh_with(http, vendors, "gong", first_refresh_token)
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")
    assert refresh_with(http, vendors, "gong", saved).status_code == 200
