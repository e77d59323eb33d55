"""A sync saved in the Django admin is checked by sync_validate, against the real target
connection (the sandbox's Salesloft): the target exists, offers the mode, the mappings are
well-formed, and model, connection and sync share one organization. Errors are sentences,
never the database's constraint names."""

from __future__ import annotations

import json

import pytest
from django.db import connection as db
from django.urls import reverse

from sandbox.vendors.salesloft import DEMO_API_KEY
from syncs.models import Sync
from tests.factories import ConnectionFactory, OrganizationFactory, SqlModelFactory

pytestmark = pytest.mark.django_db

IDENTITY = {"source": {"field": "email"}, "target": "email_address", "function": "Equality"}
FIELDS = [{"source": {"field": "first_name"}, "target": "first_name"}]


@pytest.fixture
def salesloft(organization, vendors):
    return ConnectionFactory(
        organization=organization,
        name="Salesloft",
        type="salesloft",
        configuration={"auth_method": "api_key"},
        secrets={"api_key": DEMO_API_KEY},
    )


@pytest.fixture
def model(organization):
    return SqlModelFactory(organization=organization, name="Active Users")


def _form(organization, model, connection, **changes: object) -> dict:
    form = {
        "organization": organization.pk,
        "name": "Active users to Salesloft",
        "model": model.pk,
        "target_connection": connection.pk,
        "target_object": "cadence:1001",
        "target_create": "{}",
        "target_configuration": "{}",
        "mode": "updateOrCreate",
        "identity": json.dumps(IDENTITY),
        "fields": json.dumps(FIELDS),
        "override_fields": "[]",
        "schedule": '{"frequency": "manual"}',
        "active": "on",
    }
    form.update(
        {key: json.dumps(v) if isinstance(v, dict | list) else v for key, v in changes.items()}
    )
    return form


def _add(client, form: dict):
    return client.post(reverse("admin:syncs_sync_add"), form)


def test_a_valid_sync_saved_in_the_admin_is_saved(
    client, superuser, organization, model, salesloft
):
    client.force_login(superuser)
    response = _add(client, _form(organization, model, salesloft))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Sync.objects.get().target_object == "cadence:1001"


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"target_object": "cadence:999"}, "Salesloft has no target “cadence:999”"),
        (
            {"mode": "update"},
            "can&#x27;t be synced in this mode; it takes Update or create, Create",
        ),
        ({"identity": "null"}, "This mode matches records by an identity"),
        ({"fields": [{"target": "first_name"}]}, "Mapping 1 needs the model column it reads"),
        ({"fields": [{"source": {"field": "nope"}, "target": "x"}]}, "has no column “nope”"),
        (
            {"fields": [*FIELDS, {"source": {"field": "email"}, "target": "first_name"}]},
            "More than one mapping writes to first_name",
        ),
        ({"identity": {**IDENTITY, "function": "Guess"}}, "needs a function saying how"),
        ({"target_object": "", "target_create": {}}, "Pick the target to write into"),
        ({"target_object": "", "target_create": {"name": "New"}}, "can&#x27;t create new targets"),
    ],
)
def test_a_sync_the_console_would_refuse_is_refused_in_the_admin_in_words(
    client, superuser, organization, model, salesloft, changes, sentence
):
    client.force_login(superuser)
    response = _add(client, _form(organization, model, salesloft, **changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert sentence in html
    assert "sync_has_target_object_or_create" not in html
    assert not Sync.objects.exists()


def test_model_connection_and_sync_must_share_one_organization(
    client, superuser, organization, model, salesloft
):
    other = OrganizationFactory()
    theirs = SqlModelFactory(organization=other)
    client.force_login(superuser)
    html = _add(client, _form(organization, theirs, salesloft)).content.decode()
    assert f"The model “{theirs.name}” belongs to another organization." in html
    html = _add(client, _form(other, theirs, salesloft)).content.decode()
    assert "Salesloft belongs to another organization." in html
    assert not Sync.objects.exists()


def test_a_warehouse_is_no_sync_target(client, superuser, organization, model):
    warehouse = ConnectionFactory(organization=organization, name="Analytics")
    client.force_login(superuser)
    html = _add(client, _form(organization, model, warehouse)).content.decode()
    assert "Analytics is a warehouse; a sync writes into a tool" in html


def test_two_syncs_may_share_a_name_as_the_linkedin_walkthrough_has_them(
    client, superuser, organization, model, salesloft
):
    client.force_login(superuser)
    assert _add(client, _form(organization, model, salesloft)).status_code == 302
    assert _add(client, _form(organization, model, salesloft)).status_code == 302
    assert Sync.objects.filter(name="Active users to Salesloft").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_vendor_is_asked_outside_any_transaction(
    client, superuser, organization, model, salesloft, monkeypatch
):
    from connections.destinations.salesloft.destination import SalesloftDestination

    seen = []
    real = SalesloftDestination.target_objects

    def target_objects(self):
        seen.append(db.in_atomic_block)
        return real(self)

    monkeypatch.setattr(SalesloftDestination, "target_objects", target_objects)
    client.force_login(superuser)
    assert _add(client, _form(organization, model, salesloft)).status_code == 302
    assert seen == [False]
