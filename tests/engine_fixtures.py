"""Fixtures for engine runs: the demo warehouse as the model's source, a destination in the
sandbox, and a way to run an execution in this process as the worker would."""

from __future__ import annotations

import pytest

from connections.services import connection_create
from models_app.services import sql_model_create
from sandbox.vendors.salesloft import DEMO_API_KEY
from syncs.models import Sync, SyncExecution
from syncs.services import sync_execution_run


@pytest.fixture
def warehouse(organization, demo_warehouse):
    return connection_create(
        organization=organization, name="Demo warehouse", type="snowflake", values=demo_warehouse
    )


@pytest.fixture
def salesloft(organization, vendors):
    return connection_create(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY},
    )


def sync_over_query(
    organization, *, source, query, target_connection, target, mode, identity, fields, **extra
) -> Sync:
    """A model over `query` and a sync of it, in the API's shapes: identity and fields as
    (model column, target field) pairs."""
    model = sql_model_create(
        organization=organization,
        name=f"Model {Sync.objects.count()}",
        source=source,
        query=query,
    )
    ref = str(model.pk)
    extra.setdefault("name", f"Sync {Sync.objects.count()}")
    return Sync.objects.create(
        organization=organization,
        model=model,
        target_connection=target_connection,
        target_object=target,
        mode=mode,
        identity={
            "source": {"field": identity[0], "model_id": ref},
            "target": identity[1],
            "function": "Equality",
        },
        fields=[{"source": {"field": s, "model_id": ref}, "target": t} for s, t in fields],
        **extra,
    )


@pytest.fixture
def make_sync(organization):
    def make(**kwargs):
        return sync_over_query(organization, **kwargs)

    return make


@pytest.fixture
def run():
    """Queue an execution and run it here, as a worker's task would."""

    def run_once(sync: Sync, **options) -> SyncExecution:
        execution = SyncExecution.objects.create(
            sync=sync, status=SyncExecution.Status.QUEUED, **options
        )
        sync_execution_run(execution_id=execution.pk)
        execution.refresh_from_db()
        return execution

    return run_once
