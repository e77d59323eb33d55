"""django-axes: after AXES_FAILURE_LIMIT wrong passwords for one e-mail from one address, that
pair is locked out for a while (429, a page in words); the right password doesn't get in either
until then, and another person logging in from elsewhere is not affected."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_that_email_out_from_that_address(client, member, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _login(client, member.username, "wrong").status_code == 200
    locked = _login(client, member.username, "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "Traceback" not in locked.content.decode()

    assert _login(client, member.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session

    other_place = _login(client.__class__(), member.username, PASSWORD, address="198.51.100.9")
    assert other_place.status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, member):
    for _ in range(4):
        _login(client, member.username, "wrong")
    assert _login(client, member.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, member.username, "wrong").status_code == 200
