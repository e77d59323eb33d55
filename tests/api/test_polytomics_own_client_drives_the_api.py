"""Polytomic's official Python client (PyPI `polytomic`), unchanged but for the base URL and
the key, drives a live Syncline: connections → parameter values → model → target objects →
creation property values → target fields → syncs (into an existing audience and into one to
create) → start → execution status and list. Every answer parses into the client's own types.

The LinkedIn consent is given by opening the answer's auth_url as a browser would."""

from __future__ import annotations

import httpx
import pytest
from polytomic import Identity, ModelSyncV5Target, Polytomic, Schedule, Source, SyncField

from organizations.services import api_key_create
from syncs.models import Sync, SyncExecution
from tests.api.oauth_links import follow_auth_url
from tests.connections.destinations.linkedin_support import ACME, USER_AUDIENCE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_the_official_client_creates_and_starts_syncs(
    request, live_server, organization, demo_warehouse, vendors, settings
):
    settings.SYNCLINE_PUBLIC_URL = live_server.url
    _, key = api_key_create(organization=organization, name="SDK key")
    # Our own httpx client, closed at the end: a kept-alive socket would keep the live server's
    # request thread, and its database connection, open past the test.
    transport = httpx.Client(timeout=60)
    request.addfinalizer(transport.close)
    client = Polytomic(base_url=live_server.url, token=key, max_retries=0, httpx_client=transport)

    configuration = {k: v for k, v in demo_warehouse.items() if k != "schema"}
    snowflake = client.connections.create(
        name="Snowflake Connection", type="snowflake", configuration=configuration
    ).data
    assert snowflake.type.id == "snowflake" and snowflake.status == "healthy"
    assert "password" not in snowflake.configuration

    linkedin = client.connections.create(
        name="LinkedIn Ads", type="linkedinads", configuration={}
    ).data
    assert linkedin.status == "needs_auth"
    follow_auth_url(linkedin.auth_url, linkedin.id)
    values = client.connections.get_parameter_values(linkedin.id).data
    accounts = values["accounts"].values
    assert "512630692" in {a.value for a in accounts}
    client.connections.update(
        linkedin.id, name="LinkedIn Ads", configuration={"accounts": ["512630692"]}
    )
    assert client.connections.get(linkedin.id).data.configuration["accounts"] == ["512630692"]

    model = client.models.create(
        name="Active Users",
        connection_id=snowflake.id,
        configuration={"query": "SELECT first_name, last_name, email FROM users LIMIT 40"},
    ).data
    assert {"email", "first_name", "last_name"} <= {f.name for f in model.fields}

    targets = client.model_sync.targets.list(linkedin.id, include_target_creation_values=True)
    assert USER_AUDIENCE in {t.id for t in targets.data}
    assert targets.target_creation.supported is True
    account = client.model_sync.targets.get_create_property(linkedin.id, "account").data
    assert ACME in {v.value for v in account.values}

    fields = client.model_sync.targets.get_target_fields(linkedin.id, target=USER_AUDIENCE).data
    assert "create" in {m.mode for m in fields.modes}
    assert any(f.supports_identity for f in fields.fields)
    new_fields = client.model_sync.targets.get_target_fields(
        linkedin.id, properties={"account": [ACME], "type": ["user_audience"], "name": ["New"]}
    ).data
    assert new_fields.fields

    def source(field: str) -> Source:
        return Source(field=field, model_id=model.id)

    mappings = [
        SyncField(source=source("first_name"), target="FirstName"),
        SyncField(source=source("last_name"), target="LastName"),
    ]
    identity = Identity(source=source("email"), target="Email", function="Equality")
    into_existing = client.model_sync.create(
        name="Into the existing audience",
        mode="create",
        fields=mappings,
        identity=identity,
        schedule=Schedule(frequency="manual"),
        target=ModelSyncV5Target(connection_id=linkedin.id, object=USER_AUDIENCE),
    ).data
    assert into_existing.target.object == USER_AUDIENCE
    assert into_existing.identity.target == "Email"
    into_new = client.model_sync.create(
        name="Into a new audience",
        mode="create",
        fields=mappings,
        identity=identity,
        schedule=Schedule(frequency="manual"),
        target=ModelSyncV5Target(
            connection_id=linkedin.id,
            create={"name": "New audience", "type": "user_audience", "account": ACME},
        ),
    ).data
    assert into_new.target.create["type"] == "user_audience"
    assert Sync.objects.filter(organization=organization).count() == 2

    started = client.model_sync.start(into_existing.id).data
    assert started.status == "queued"
    again = client.model_sync.start(into_existing.id).data
    assert again.id == started.id  # starts coalesce
    status = client.model_sync.get_status(into_existing.id).data
    assert status.last_execution.id == started.id
    assert status.current_execution.status == "queued"
    listed = client.model_sync.executions.list(into_existing.id)
    assert [e.id for e in listed.data] == [started.id]
    one = client.model_sync.executions.get(into_existing.id, started.id).data
    assert one.counts.total == 0 and one.errors == []
    assert SyncExecution.objects.get(pk=started.id).trigger == "api"

    page = client.model_sync.list()
    assert {s.id for s in page.data} == {into_existing.id, into_new.id}
