from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.urls import reverse

from connections.models import Connection
from organizations.models import ApiKey
from tests.factories import ConnectionFactory, RecordErrorFactory, SyncStateFactory

MARKER = "marker-secret-123"


@pytest.fixture
def populated(superuser, organization):
    connection = ConnectionFactory(
        organization=organization, type="snowflake", secrets={"password": MARKER}
    )
    error = RecordErrorFactory(
        execution__sync__organization=organization,
        execution__sync__model__source=connection,
    )
    SyncStateFactory(sync=error.execution.sync)
    return connection


@pytest.mark.django_db
def test_every_registered_model_has_a_changelist_and_a_detail_page(client, superuser, populated):
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code == 200, changelist
        instance = model._default_manager.first()
        if instance is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
            assert client.get(change).status_code == 200, change
        if model_admin.has_add_permission(response.wsgi_request):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert client.get(add).status_code == 200, add


@pytest.mark.django_db
def test_the_admin_never_shows_a_connection_secret(client, superuser, populated):
    client.force_login(superuser)
    pages = [
        reverse("admin:connections_connection_changelist"),
        reverse("admin:connections_connection_change", args=[populated.pk]),
    ]
    for page in pages:
        html = client.get(page).content.decode()
        assert MARKER not in html
    detail = client.get(pages[1]).content.decode()
    assert "password: ••••••" in detail
    # Searching by a secret finds nothing: secrets are not searchable.
    search = client.get(pages[0], {"q": MARKER})
    assert search.context["cl"].result_count == 0


@pytest.mark.django_db
def test_an_administrator_sets_a_secret_without_seeing_the_old_one(client, superuser, populated):
    client.force_login(superuser)
    url = reverse("admin:connections_connection_change", args=[populated.pk])
    response = client.post(
        url,
        {
            "organization": populated.organization_id,
            "name": populated.name,
            "type": populated.type,
            # The same place as saved: the saved password may stay beside the new key.
            "configuration": json.dumps(populated.configuration),
            "status": "healthy",
            "status_error": "",
            "new_secrets": '{"private_key": "pem-data"}',
        },
    )
    assert response.status_code == 302
    stored = Connection.objects.get(pk=populated.pk)
    assert stored.secrets == {"password": MARKER, "private_key": "pem-data"}


@pytest.mark.django_db
def test_malformed_secret_json_is_refused_with_a_message(client, superuser, populated):
    client.force_login(superuser)
    url = reverse("admin:connections_connection_change", args=[populated.pk])
    response = client.post(
        url,
        {
            "organization": populated.organization_id,
            "name": populated.name,
            "type": populated.type,
            "configuration": "{}",
            "status": "healthy",
            "new_secrets": '{"password": ',
        },
    )
    assert response.status_code == 200
    assert "Secrets must be a JSON object" in response.content.decode()
    assert Connection.objects.get(pk=populated.pk).secrets == {"password": MARKER}


@pytest.mark.django_db
def test_history_is_read_only_in_the_admin(client, superuser, populated):
    client.force_login(superuser)
    execution = populated.sql_models.first().syncs.first().executions.first()
    url = reverse("admin:syncs_syncexecution_change", args=[execution.pk])
    html = client.get(url).content.decode()
    assert 'name="_save"' not in html
    assert client.get(reverse("admin:syncs_recorderror_add")).status_code == 403
    # The execution page shows its rejected records and links to all of them.
    assert "email_address: is invalid" in html
    assert f"?execution__id__exact={execution.pk}" in html


@pytest.mark.django_db
def test_a_new_api_key_is_shown_once_and_stored_hashed(client, superuser, organization):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:organizations_apikey_add"),
        {
            "organization": organization.pk,
            "name": "Terraform",
            "revoked_at_0": "",
            "revoked_at_1": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    api_key = ApiKey.objects.get(name="Terraform")
    raw_key = html.split('id="raw-api-key"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert raw_key.startswith(api_key.prefix)
    assert raw_key not in api_key.key_hash
    change = client.get(reverse("admin:organizations_apikey_change", args=[api_key.pk]))
    assert raw_key not in change.content.decode()


@pytest.mark.django_db
def test_a_secret_typed_into_the_configuration_is_stored_encrypted(client, superuser, populated):
    client.force_login(superuser)
    url = reverse("admin:connections_connection_change", args=[populated.pk])
    client.post(
        url,
        {
            "organization": populated.organization_id,
            "name": populated.name,
            "type": populated.type,
            "configuration": '{"account": "acme", "password": "typed-by-mistake"}',
            "status": "healthy",
            "new_secrets": "",
        },
    )
    stored = Connection.objects.get(pk=populated.pk)
    assert stored.configuration == {"account": "acme"}
    assert stored.secrets["password"] == "typed-by-mistake"


@pytest.mark.django_db
def test_an_administrator_who_points_a_warehouse_elsewhere_sets_its_secrets_again(
    client, superuser, populated
):
    client.force_login(superuser)
    url = reverse("admin:connections_connection_change", args=[populated.pk])
    form = {
        "organization": populated.organization_id,
        "name": populated.name,
        "type": populated.type,
        "configuration": '{"account": "acme", "host": "listener.example.com"}',
        "status": "healthy",
        "status_error": "",
        "new_secrets": "",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "enter the password again" in refused.content.decode()
    assert Connection.objects.get(pk=populated.pk).configuration == populated.configuration
    saved = client.post(url, {**form, "new_secrets": '{"password": "new-one"}'})
    assert saved.status_code == 302
    # Only the secrets given for the new place are kept.
    assert Connection.objects.get(pk=populated.pk).secrets == {"password": "new-one"}


@pytest.mark.django_db
def test_the_admin_refuses_a_metadata_address_as_a_warehouse_host(client, superuser, populated):
    client.force_login(superuser)
    url = reverse("admin:connections_connection_change", args=[populated.pk])
    response = client.post(
        url,
        {
            "organization": populated.organization_id,
            "name": populated.name,
            "type": "postgresql",
            "configuration": '{"host": "169.254.169.254"}',
            "status": "healthy",
            "new_secrets": '{"password": "x"}',
        },
    )
    assert response.status_code == 200
    assert "not an address a warehouse can have" in response.content.decode()
