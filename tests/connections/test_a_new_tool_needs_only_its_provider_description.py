"""A fifth tool joins the console through its provider description and the registries alone:
the "New connection" card, the start page's words, its extra wizard step, its OAuth backend."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django import forms
from django.urls import reverse
from social_core.backends.oauth import BaseOAuth2

from connections.destinations import registry
from connections.destinations.provider import AccountChoice, ToolProvider
from connections.oauth.backends import VendorURLs
from connections.registry import CONNECTION_TYPES, ConnectionType, Role
from tests.connections.wizard_helpers import console_client

pytestmark = pytest.mark.django_db

HERE = __name__


class AcmeOAuth2(VendorURLs, BaseOAuth2):
    name = "acme"
    vendor = "acme"


class AcmeAccountsForm(forms.Form):
    accounts = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = choices


class AcmeProvider(ToolProvider):
    key = "acme"
    oauth_backend = f"{HERE}.AcmeOAuth2"
    tagline = "Put rows into Acme pipelines"
    consent = "You will sign in to Acme and allow Syncline to fill your pipelines."
    account_choice = AccountChoice(
        form=AcmeAccountsForm,
        step="Choose pipelines",
        question="Which pipelines should Syncline fill?",
        none_found="Acme lists no pipelines.",
    )


@pytest.fixture
def acme(monkeypatch, settings):
    spec = ConnectionType("acme", "Acme CRM", (Role.DESTINATION,), ("access_token",))
    monkeypatch.setitem(CONNECTION_TYPES, "acme", spec)
    monkeypatch.setitem(registry.PROVIDERS, "acme", f"{HERE}.AcmeProvider")
    settings.VENDORS = {
        **settings.VENDORS,
        "acme": {
            "authorize_url": "https://auth.acme.example/authorize",
            "token_url": "https://auth.acme.example/token",
            "client_id": "syncline-at-acme",
            "client_secret": "s3cret",
        },
    }


def test_a_new_tool_shows_its_card_words_and_steps_and_starts_its_own_consent(admin, acme):
    client = console_client(admin)

    cards = client.get(reverse("connections:new")).content.decode()
    assert "Acme CRM" in cards and "Put rows into Acme pipelines" in cards

    start = client.get(reverse("connections:create", args=["acme"])).content.decode()
    assert "You will sign in to Acme and allow Syncline to fill your pipelines." in start
    assert "Sign in to Acme CRM" in start and "Choose pipelines" in start
    assert "Use an API key" not in start  # no API-key sign-in described

    response = client.post(
        reverse("connections:create", args=["acme"]), {"name": "Acme", "action": "oauth"}
    )
    assert response.status_code == 302
    authorize = urlsplit(response["Location"])
    assert (authorize.netloc, authorize.path) == ("auth.acme.example", "/authorize")
    assert "client_id=syncline-at-acme" in authorize.query
