"""A run that can't finish ends `failed` with a sentence, and the connection's health says what
the run learnt: an unreachable warehouse, a revoked key (needs_auth), a bug of our own."""

from __future__ import annotations

import pytest

from connections.models import Connection
from syncs.engine import run as engine_run

pytestmark = pytest.mark.django_db

PEOPLE = (
    "SELECT email, first_name FROM users WHERE email IN "
    "(SELECT DISTINCT email FROM users WHERE email LIKE '%_@_%.%' ORDER BY email LIMIT 3)"
)


@pytest.fixture
def sync(make_sync, warehouse, salesloft):
    return make_sync(
        source=warehouse,
        query=PEOPLE,
        target_connection=salesloft,
        target="people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=[("first_name", "first_name")],
    )


def test_an_unreachable_warehouse_fails_the_run_and_marks_the_source(sync, run, warehouse):
    warehouse.configuration = {**warehouse.configuration, "port": 1}
    warehouse.save()
    execution = run(sync)
    assert execution.status == "failed"
    (message,) = execution.errors
    assert message.startswith(f"Syncline couldn't read the model {sync.model.name}:")
    warehouse.refresh_from_db()
    assert warehouse.status == Connection.Status.ERROR


def test_a_revoked_api_key_fails_the_run_and_asks_for_a_new_key(sync, run, salesloft):
    salesloft.secrets = {**salesloft.secrets, "api_key": "ak" + "0" * 64}
    salesloft.save()
    execution = run(sync)
    assert execution.status == "failed"
    assert "API key" in execution.errors[0]
    salesloft.refresh_from_db()
    assert salesloft.status == Connection.Status.NEEDS_AUTH


def test_a_working_run_marks_both_connections_healthy(sync, run, salesloft, warehouse):
    Connection.objects.filter(pk=salesloft.pk).update(status="error", status_error="old news")
    execution = run(sync)
    assert execution.status == "completed", execution.errors
    salesloft.refresh_from_db()
    assert (salesloft.status, salesloft.status_error) == ("healthy", "")


def test_an_unexpected_error_ends_the_run_instead_of_leaving_it_running(sync, run, monkeypatch):
    def broken(self, *args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(engine_run.Run, "_diff", broken)
    execution = run(sync)
    assert execution.status == "failed"
    assert "unexpected problem" in execution.errors[0]


def test_a_run_for_some_identities_sends_only_those(sync, run, http, sandbox):
    first = run(sync, test=True)
    chosen = first.report["create"]["samples"][0]["identity"]
    execution = run(sync, identities=[chosen.upper()])
    assert execution.status == "completed", execution.errors
    assert execution.upsert_count + execution.insert_count == 1
