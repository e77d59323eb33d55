"""Runs forced to fail — the vendor down, its key revoked, a mapped column dropped from the
model — are shown on every console page in sentences, never a stack trace or an exception's
raw text."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from models_app.models import SqlModel

pytestmark = pytest.mark.django_db

PEOPLE = (
    "SELECT email, first_name FROM users WHERE email IN "
    "(SELECT DISTINCT email FROM users WHERE email LIKE '%_@_%.%' ORDER BY email LIMIT 3)"
)
# What a stack trace or a raw exception looks like on a page.
RAW = re.compile(
    r"Traceback|File \"|Error\(|Exception|httpx\.|psycopg|snowflake\.connector|KeyError|"
    r"line \d+, in|<class '|errno",
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
        name="People to Salesloft",
    )


def pages(client, execution):
    for url in (
        reverse("console:home"),
        reverse("syncs:list"),
        reverse("syncs:detail", args=[execution.sync_id]),
        reverse("syncs:execution", args=[execution.pk]),
        reverse("syncs:progress", args=[execution.sync_id]),
        reverse("connections:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response.content.decode()


def assert_explained(client, execution, *words):
    assert execution.status == "failed"
    for url, html in pages(client, execution):
        assert not RAW.search(html), (url, RAW.search(html).group(0))
    execution_page = client.get(reverse("syncs:execution", args=[execution.pk])).content.decode()
    for word in words:
        assert word in execution_page


def test_a_vendor_that_is_down_is_explained(client, member, sync, run, sandbox):
    sandbox.app.faults.update({"error_rate": 1.0, "vendors": ["salesloft"]})
    execution = run(sync)
    client.force_login(member)
    assert_explained(client, execution, "The run stopped while sending to Salesloft")


def test_a_revoked_key_is_explained(client, member, sync, run, salesloft):
    salesloft.secrets = {**salesloft.secrets, "api_key": "ak" + "0" * 64}
    salesloft.save()
    execution = run(sync)
    client.force_login(member)
    assert_explained(client, execution, "API key")
    home = client.get(reverse("console:home")).content.decode()
    assert "Enter a new API key" in home


def test_a_mapped_column_dropped_from_the_model_is_explained(client, member, sync, run):
    SqlModel.objects.filter(pk=sync.model_id).update(
        query=PEOPLE.replace("SELECT email, first_name", "SELECT email", 1)
    )
    execution = run(sync)
    client.force_login(member)
    assert_explained(client, execution, "first_name")
