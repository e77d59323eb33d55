"""An organization's webhook: one per organization, an http(s) endpoint that passes the host
policy, a secret kept encrypted; changed, disabled, enabled, deleted; other organizations'
webhooks are not found."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db

from syncs.models import Webhook
from syncs.selectors import webhook_get, webhook_list
from syncs.webhooks import (
    webhook_create,
    webhook_delete,
    webhook_set_enabled,
    webhook_update,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

ENDPOINT = "https://hooks.example.com/syncline"
SECRET = "whsec-marker-1f2e3d"


def _problems(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


def test_a_webhook_is_made_with_its_endpoint_and_its_secret_encrypted(organization):
    webhook = webhook_create(organization=organization, endpoint=ENDPOINT, secret=SECRET)
    assert (webhook.endpoint, webhook.secret, webhook.enabled) == (ENDPOINT, SECRET, True)
    with db.cursor() as cursor:
        cursor.execute("SELECT secrets FROM syncs_webhook")
        (raw,) = cursor.fetchone()
    assert SECRET not in raw
    assert Webhook.objects.get().secret == SECRET


def test_an_organization_has_one_webhook(organization):
    webhook_create(organization=organization, endpoint=ENDPOINT, secret=SECRET)
    problems = _problems(
        lambda: webhook_create(organization=organization, endpoint=ENDPOINT, secret="x")
    )
    assert "already has a webhook" in problems["webhook"][0]
    assert Webhook.objects.count() == 1
    other = OrganizationFactory()
    webhook_create(organization=other, endpoint=ENDPOINT, secret=SECRET)
    assert Webhook.objects.count() == 2


@pytest.mark.parametrize(
    "endpoint",
    [
        "",
        "hooks.example.com/syncline",
        "ftp://hooks.example.com/x",
        "javascript:alert(1)",
        "https://",
        "https://exa mple.com/x",
        "https://hooks.example.com:notaport/x",
    ],
)
def test_an_endpoint_that_is_not_an_http_address_is_refused(organization, endpoint):
    problems = _problems(
        lambda: webhook_create(organization=organization, endpoint=endpoint, secret=SECRET)
    )
    assert "http:// or https://" in problems["endpoint"][0]
    assert not Webhook.objects.exists()


def test_an_endpoint_with_a_password_in_it_is_refused(organization):
    problems = _problems(
        lambda: webhook_create(
            organization=organization, endpoint="https://me:pw@hooks.example.com/", secret=SECRET
        )
    )
    assert "user name or password" in problems["endpoint"][0]


def test_a_missing_secret_is_refused(organization):
    problems = _problems(
        lambda: webhook_create(organization=organization, endpoint=ENDPOINT, secret=" ")
    )
    assert problems["secret"] == ["secret is required: Syncline signs every delivery with it"]
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "endpoint", ["http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://localhost/hook"]
)
def test_private_endpoints_are_refused_unless_the_administrator_allows_them(
    organization, settings, endpoint
):
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = False
    problems = _problems(
        lambda: webhook_create(organization=organization, endpoint=endpoint, secret=SECRET)
    )
    assert "must be at a public address" in problems["endpoint"][0]
    assert not Webhook.objects.exists()
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = True
    assert webhook_create(organization=organization, endpoint=endpoint, secret=SECRET)


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://0.0.0.0:8000/hook",
        "http://[::ffff:169.254.169.254]/hook",
    ],
)
def test_metadata_and_link_local_endpoints_are_refused_always(organization, settings, endpoint):
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = True
    problems = _problems(
        lambda: webhook_create(organization=organization, endpoint=endpoint, secret=SECRET)
    )
    assert "Syncline does not send events to" in problems["endpoint"][0]


def test_a_webhook_is_changed_disabled_enabled_and_deleted(organization):
    webhook = webhook_create(organization=organization, endpoint=ENDPOINT, secret=SECRET)
    webhook_update(webhook=webhook, endpoint="https://other.example.com/in")
    webhook.refresh_from_db()
    assert (webhook.endpoint, webhook.secret) == ("https://other.example.com/in", SECRET)
    webhook_update(webhook=webhook, secret="new-secret")
    webhook.refresh_from_db()
    assert (webhook.endpoint, webhook.secret) == ("https://other.example.com/in", "new-secret")
    webhook_set_enabled(webhook=webhook, enabled=False)
    assert Webhook.objects.get().enabled is False
    webhook_set_enabled(webhook=webhook, enabled=True)
    assert Webhook.objects.get().enabled is True
    webhook_delete(webhook=webhook)
    assert not Webhook.objects.exists()


def test_a_bad_change_is_refused_and_keeps_the_webhook_as_it_was(organization):
    webhook = webhook_create(organization=organization, endpoint=ENDPOINT, secret=SECRET)
    problems = _problems(lambda: webhook_update(webhook=webhook, endpoint="not a url", secret=""))
    assert set(problems) == {"endpoint", "secret"}
    webhook.refresh_from_db()
    assert (webhook.endpoint, webhook.secret) == (ENDPOINT, SECRET)


def test_another_organizations_webhook_is_not_found(organization):
    other = OrganizationFactory()
    theirs = webhook_create(organization=other, endpoint=ENDPOINT, secret=SECRET)
    assert webhook_get(organization=organization, webhook_id=str(theirs.pk)) is None
    assert webhook_get(organization=organization, webhook_id="not-a-uuid") is None
    assert list(webhook_list(organization=organization)) == []
    assert webhook_get(organization=other, webhook_id=str(theirs.pk)) == theirs
