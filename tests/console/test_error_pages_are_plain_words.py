from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


@pytest.mark.django_db
def test_an_unknown_address_gets_a_friendly_page_not_a_technical_one(client, member):
    client.force_login(member)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn't find that page" in html
    assert "URLconf" not in html


def test_a_server_error_page_renders_without_a_database_or_a_traceback():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "Traceback" not in html
