"""`make demo`'s preparation (manage.py demo_setup): the demo organization, its admin, the
"Demo warehouse" connection and an API key; run again, it reuses every one of them."""

from __future__ import annotations

import stat

import pytest
from django.core.management import call_command

from connections.models import Connection
from organizations.models import ApiKey, Organization
from organizations.selectors import organization_for_api_key
from sandbox.vendors.salesloft import DEMO_API_KEY

pytestmark = pytest.mark.django_db


def _setup(tmp_path, capsys) -> str:
    call_command(
        "demo_setup",
        "--email=demo@syncline.local",
        "--password=syncline-demo",
        "--url=http://127.0.0.1:8000",
        "--sandbox-url=http://127.0.0.1:8900",
        "--warehouse-port=8901",
        f"--key-file={tmp_path / 'demo_api_key'}",
        "--skip-install-steps",
    )
    return capsys.readouterr().out


def test_a_second_demo_setup_reuses_the_organization_warehouse_and_key(tmp_path, capsys):
    first = _setup(tmp_path, capsys)
    key = (tmp_path / "demo_api_key").read_text().strip()
    assert stat.S_IMODE((tmp_path / "demo_api_key").stat().st_mode) == 0o600
    assert f"key {key}" in first and DEMO_API_KEY in first
    assert "http://127.0.0.1:8000/" in first and "demo@syncline.local" in first

    second = _setup(tmp_path, capsys)

    assert f"key {key}" in second
    organization = Organization.objects.get(name="Demo Company")
    assert organization_for_api_key(raw_key=key) == organization
    warehouse = Connection.objects.get(organization=organization, name="Demo warehouse")
    assert (warehouse.type, warehouse.configuration["port"]) == ("snowflake", "8901")
    assert Connection.objects.filter(organization=organization).count() == 1
    assert ApiKey.objects.filter(organization=organization).count() == 1


def test_a_revoked_or_lost_demo_key_is_replaced_by_a_working_one(tmp_path, capsys):
    _setup(tmp_path, capsys)
    old = (tmp_path / "demo_api_key").read_text().strip()
    ApiKey.objects.update(revoked_at="2026-01-01T00:00:00Z")

    _setup(tmp_path, capsys)

    new = (tmp_path / "demo_api_key").read_text().strip()
    assert new != old
    assert organization_for_api_key(raw_key=old) is None
    assert organization_for_api_key(raw_key=new) == Organization.objects.get(name="Demo Company")
