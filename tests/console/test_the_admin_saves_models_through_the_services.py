"""A model saved in the Django admin goes through the same services as the console's editor:
the read-only check, field discovery, the organization rules — with form errors in words."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.urls import reverse

from models_app.models import SqlModel
from tests.factories import ConnectionFactory, OrganizationFactory, SqlModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(organization, postgres_warehouse):
    return ConnectionFactory(
        organization=organization,
        name="Analytics",
        configuration={
            key: postgres_warehouse[key] for key in ("host", "port", "database", "username")
        },
        secrets={"password": postgres_warehouse["password"]},
    )


def _add(client, **form):
    return client.post(reverse("admin:models_app_sqlmodel_add"), form)


def test_an_admin_saving_a_drop_statement_gets_a_form_error(client, superuser, organization):
    source = ConnectionFactory(organization=organization)
    client.force_login(superuser)
    response = _add(
        client, organization=organization.pk, name="Oops", source=source.pk, query="DROP TABLE x"
    )
    assert response.status_code == 200
    assert "not DROP" in response.content.decode()
    assert not SqlModel.objects.exists()


def test_a_model_saved_in_the_admin_has_its_fields_discovered(
    client, superuser, organization, warehouse, postgres_warehouse
):
    client.force_login(superuser)
    query = f"SELECT email, first_name FROM {postgres_warehouse['schema']}.users"
    response = _add(
        client, organization=organization.pk, name="Active", source=warehouse.pk, query=query
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    model = SqlModel.objects.get()
    assert model.field_names == ["email", "first_name"]
    assert model.identifier == "email"
    assert model.created_by == superuser


def test_an_admin_edit_is_checked_and_rediscovers_the_fields(
    client, superuser, organization, warehouse, postgres_warehouse
):
    schema = postgres_warehouse["schema"]
    model = SqlModelFactory(
        organization=organization, source=warehouse, query=f"SELECT email FROM {schema}.users"
    )
    client.force_login(superuser)
    url = reverse("admin:models_app_sqlmodel_change", args=[model.pk])
    refused = client.post(url, {"name": model.name, "query": "DELETE FROM users"})
    assert refused.status_code == 200
    assert "not DELETE" in refused.content.decode()
    saved = client.post(
        url, {"name": model.name, "query": f"SELECT email, plan FROM {schema}.users"}
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    model.refresh_from_db()
    assert model.field_names == ["email", "plan"]
    assert model.version == 2


def test_an_admin_cannot_give_a_model_another_organizations_warehouse(client, superuser):
    theirs = ConnectionFactory(organization=OrganizationFactory())
    client.force_login(superuser)
    response = _add(
        client,
        organization=OrganizationFactory().pk,
        name="Crossed",
        source=theirs.pk,
        query="SELECT 1 AS one",
    )
    assert response.status_code == 200
    assert "belongs to another organization" in response.content.decode()
    assert not SqlModel.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_admin_leaves_the_transactions_to_the_services(
    client, superuser, organization, monkeypatch
):
    """Django's admin wraps a save in one transaction; the services ask the warehouse and must
    do so outside any (on SQLite, that transaction would hold the only write lock)."""
    import models_app.admin as model_admin

    seen = []

    def create(**kwargs):
        seen.append(db.in_atomic_block)
        raise model_admin.ValidationError("stop here")

    monkeypatch.setattr(model_admin, "sql_model_create", create)
    source = ConnectionFactory(organization=organization)
    client.force_login(superuser)
    _add(client, organization=organization.pk, name="M", source=source.pk, query="SELECT 1 AS a")
    assert seen == [False]
