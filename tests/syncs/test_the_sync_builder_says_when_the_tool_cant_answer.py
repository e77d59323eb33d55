"""A tool that refuses Syncline (a revoked key) or a target gone since: the builder's steps say
so in a sentence a person can act on, never with a stack trace or the raw exception."""

from __future__ import annotations

import pytest

from models_app.services import sql_model_create
from tests.connections.destinations.salesloft.support import emulator

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def model(organization, warehouse):
    return sql_model_create(
        organization=organization,
        name="Active Users",
        source=warehouse,
        query="SELECT first_name, email FROM users WHERE email LIKE 'a%'",
    )


def test_a_revoked_key_is_said_on_the_target_step(signed_in, model, salesloft):
    signed_in.get(f"/syncs/new/?model={model.pk}")
    signed_in.post("/syncs/new/destination/", {"connection": str(salesloft.pk)})
    salesloft.secrets = {**salesloft.secrets, "api_key": "revoked-" + "0" * 56}
    salesloft.save()

    page = signed_in.get("/syncs/new/target/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Salesloft needs to be reconnected before Syncline can read what it offers" in html
    assert "Traceback" not in html and "DestinationError" not in html


def test_a_target_gone_since_is_said_on_the_review_and_its_step(
    signed_in, model, salesloft, sandbox
):
    signed_in.get(f"/syncs/new/?model={model.pk}")
    signed_in.post("/syncs/new/destination/", {"connection": str(salesloft.pk)})
    signed_in.post("/syncs/new/target/", {"target": "cadence:1002"})
    signed_in.post("/syncs/new/mode/", {"mode": "updateOrCreate"})
    signed_in.post(
        "/syncs/new/identity/",
        {"column": "EMAIL", "target_field": "email_address", "function": "Equality"},
    )
    signed_in.post("/syncs/new/fields/", {"field-count": "0", "action": "continue"})
    signed_in.post("/syncs/new/removal/", {"when_row_leaves": "remove"})
    signed_in.post("/syncs/new/schedule/", {"frequency": "manual"})
    emulator(sandbox).table("cadences")["1002"]["current_state"] = "archived"

    review = signed_in.get("/syncs/new/review/").content.decode()
    assert "no longer has the target “cadence:1002”" in review
    saved = signed_in.post("/syncs/new/review/", {"name": "Nurture", "active": "active"})
    assert saved.url == "/syncs/new/target/"
    target = signed_in.get("/syncs/new/target/").content.decode()
    assert "it may have been deleted or archived. Pick another target." in target
