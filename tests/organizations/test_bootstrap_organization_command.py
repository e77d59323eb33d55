from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from organizations.models import Membership, Organization


@pytest.mark.django_db
def test_the_command_creates_an_organization_and_its_admin_and_can_run_again():
    for password in ("first-password-1", "second-password-2"):
        call_command(
            "bootstrap_organization", organization="Acme", email="ops@acme.test", password=password
        )
    membership = Membership.objects.get(user__username="ops@acme.test")
    assert membership.organization == Organization.objects.get(name="Acme")
    assert membership.role == "admin"
    assert membership.user.is_superuser
    request = RequestFactory().post("/login/")  # django-axes checks logins per request
    assert authenticate(request, username="ops@acme.test", password="second-password-2")


@pytest.mark.django_db
def test_the_command_asks_for_a_password(monkeypatch):
    monkeypatch.delenv("SYNCLINE_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="SYNCLINE_ADMIN_PASSWORD"):
        call_command("bootstrap_organization", organization="Acme", email="ops@acme.test")
