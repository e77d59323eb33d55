"""In demo mode (SYNCLINE_SANDBOX_URL set) every console page says the tools are the local
sandbox; outside it, no banner. /favicon.ico answers with the logo instead of a 404."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_says_no_real_vendor_is_contacted_in_demo_mode(client, member, settings):
    settings.SYNCLINE_SANDBOX_URL = "http://127.0.0.1:8900"
    client.force_login(member)
    for name in ("console:home", "connections:list", "models:list"):
        html = client.get(reverse(name)).content.decode()
        assert "Demo mode." in html and "no real vendor is contacted" in html
        assert 'href="http://127.0.0.1:8900/"' in html
    client.logout()
    assert "Demo mode." in client.get(reverse("login")).content.decode()


def test_there_is_no_banner_against_real_vendors(client, member, settings):
    settings.SYNCLINE_SANDBOX_URL = ""
    client.force_login(member)
    assert "Demo mode." not in client.get(reverse("console:home")).content.decode()


def test_the_favicon_is_the_logo(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("console/logo.svg")
    assert finders.find("console/logo.svg")
