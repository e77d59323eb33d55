from __future__ import annotations

import pytest
from django.urls import reverse

from connections.models import Connection
from models_app.models import SqlModel
from tests.factories import ConnectionFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _postgres_form(settings: dict, **overrides: object) -> dict:
    return {
        "name": "Analytics",
        "host": settings["host"],
        "port": settings["port"],
        "database": settings["database"],
        "username": settings["username"],
        "password": settings["password"],
        "sslmode": "prefer",
        **overrides,
    }


def test_testing_a_connection_reports_success_without_saving(client, admin, postgres_warehouse):
    client.force_login(admin)
    url = reverse("connections:create", args=["postgresql"])
    response = client.post(url, {**_postgres_form(postgres_warehouse), "action": "test"})
    assert "Connection works" in response.content.decode()
    assert not Connection.objects.exists()


def test_a_failing_test_says_what_is_wrong_and_saving_it_writes_nothing(
    client, admin, postgres_warehouse
):
    client.force_login(admin)
    url = reverse("connections:create", args=["postgresql"])
    response = client.post(url, {**_postgres_form(postgres_warehouse, port=1), "action": "save"})
    assert "Nothing answered at 127.0.0.1:1" in response.content.decode()
    assert not Connection.objects.exists()


def test_saving_a_working_connection_lists_it_as_healthy_with_its_password_hidden(
    client, admin, postgres_warehouse
):
    client.force_login(admin)
    form = _postgres_form(postgres_warehouse, password="marker-secret-123")
    response = client.post(
        reverse("connections:create", args=["postgresql"]), {**form, "action": "save"}, follow=True
    )
    html = response.content.decode()
    assert "Analytics is connected" in html
    connection = Connection.objects.get()
    assert connection.status == "healthy"
    detail = client.get(reverse("connections:detail", args=[connection.pk])).content.decode()
    assert "marker-secret-123" not in detail
    assert "Saved — leave empty to keep it" in detail


def test_another_organizations_connection_is_not_found(client, member):
    theirs = ConnectionFactory(organization=OrganizationFactory())
    client.force_login(member)
    assert client.get(reverse("connections:detail", args=[theirs.pk])).status_code == 404


def test_the_model_editor_previews_rows_and_saves_the_model(
    client, member, organization, postgres_warehouse
):
    client.force_login(member)
    source = ConnectionFactory(
        organization=organization,
        configuration={
            key: postgres_warehouse[key] for key in ("host", "port", "database", "username")
        },
    )
    query = f"SELECT email, first_name FROM {postgres_warehouse['schema']}.users ORDER BY email"
    form = {"name": "Active Users", "source": source.pk, "query": query}
    preview = client.post(reverse("models:new"), {**form, "action": "preview"})
    html = preview.content.decode()
    assert "First 50 rows" in html
    assert "person1@example.com" in html
    assert "Suggested identity column: <strong>email</strong>" in html
    saved = client.post(reverse("models:new"), {**form, "action": "save"}, follow=True)
    assert "saved with 2 fields" in saved.content.decode()
    assert SqlModel.objects.get().identifier == "email"


def test_the_model_editor_refuses_a_drop_statement_with_the_reason(client, member, organization):
    client.force_login(member)
    source = ConnectionFactory(organization=organization)
    response = client.post(
        reverse("models:new"),
        {"name": "Oops", "source": source.pk, "query": "DROP TABLE users", "action": "save"},
    )
    assert "not DROP" in response.content.decode()
    assert not SqlModel.objects.exists()
