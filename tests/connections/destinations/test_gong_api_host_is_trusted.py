"""Gong's token answer names the API host every call goes to with the bearer token: Syncline
accepts only Gong's https hosts (or the configured Gong API origin, e.g. the sandbox), both when
it saves the answer and when it builds a client from a saved value, and sends nothing elsewhere.

The untrusted host in these tests is the sandbox itself under another name (localhost instead of
127.0.0.1): a different origin, yet a request sent there would show in the sandbox's log.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from config.vendors import vendor_settings
from connections.destinations.errors import DestinationError
from connections.destinations.gong.destination import GongDestination
from connections.destinations.gong.hosts import trusted_api_base
from connections.models import Connection
from sandbox.vendors.gong import DEMO_FLOW_ID, DEMO_OWNER_EMAIL
from sandbox.warehouse_data import gong_crm_contact_ids
from tests.connections.destinations.gong_support import (
    clear_request_log,
    gong_connection,
    gong_tokens,
    request_log,
)
from tests.connections.wizard_helpers import connect, console_client

pytestmark = pytest.mark.django_db


def _decoy(sandbox) -> str:
    """The sandbox's Gong API under an origin that is neither Gong's nor the configured one."""
    port = urlsplit(sandbox.url).port
    return f"http://localhost:{port}/gong/api"


def _api_calls(http, sandbox) -> dict[str, int]:
    counts = request_log(http, sandbox)["counts"]
    return {name: n for name, n in counts.items() if ".oauth_" not in name}


@pytest.mark.parametrize(
    "url",
    [
        "https://api.gong.io",
        "https://us-12345.api.gong.io",
        "https://company-17.api.gong.io/",
        "https://US-12345.API.GONG.IO",
    ],
)
def test_gongs_own_https_hosts_are_trusted(settings, url):
    settings.VENDORS = vendor_settings("", environ={})
    assert trusted_api_base(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://us-12345.api.gong.io",  # not https
        "https://api.gong.io.attacker.example",
        "https://attackergong.io",
        "https://user:secret@api.gong.io",
        "https://api.gong.io:8443",
        "https://169.254.169.254",
        "http://127.0.0.1:8900/gong/api",  # the sandbox, when it isn't the configured API
        "",
        "not a url",
    ],
)
def test_any_other_host_is_not_trusted(settings, url):
    settings.VENDORS = vendor_settings("", environ={})
    assert not trusted_api_base(url)


def test_the_configured_gong_api_origin_is_trusted(settings):
    settings.VENDORS = vendor_settings("http://127.0.0.1:8900", environ={})
    assert trusted_api_base("http://127.0.0.1:8900/gong/api")
    assert not trusted_api_base("http://127.0.0.1:9999/gong/api")
    assert not trusted_api_base("http://localhost:8900/gong/api")


def test_a_saved_untrusted_api_base_gets_no_call_and_no_token(sandbox, http, organization, vendors):
    connection = gong_connection(organization, gong_tokens(vendors, http))
    connection.configuration = {**connection.configuration, "api_base_url": _decoy(sandbox)}
    connection.save()
    clear_request_log(http, sandbox)

    destination = GongDestination(connection)
    with pytest.raises(DestinationError, match="not a Gong host"):
        destination.check()
    with pytest.raises(DestinationError, match="not a Gong host"):
        destination.write(
            DEMO_FLOW_ID, "create", [{"Id": gong_crm_contact_ids()[0]}], identity_field="Id"
        )

    assert request_log(http, sandbox)["counts"] == {}


def test_a_token_answer_naming_an_untrusted_host_connects_nothing_and_sends_it_nothing(
    sandbox, http, admin, vendors
):
    sandbox.app.emulators["gong"].customer_api_base = _decoy(sandbox)
    client = console_client(admin)
    clear_request_log(http, sandbox)

    response = connect(client, http, "gong", name="Gong")

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "is not a Gong host" in page
    assert not Connection.objects.exists()
    assert _api_calls(http, sandbox) == {}  # the tokens never went to the named host


def test_a_refresh_naming_an_untrusted_host_keeps_the_new_tokens_and_the_old_host(
    sandbox, http, organization, vendors
):
    tokens = gong_tokens(vendors, http)
    connection = gong_connection(organization, tokens, flow_owner_email=DEMO_OWNER_EMAIL)
    connection.secrets = {**connection.secrets, "expires_at": time.time() - 1}
    connection.save()
    sandbox.app.emulators["gong"].customer_api_base = _decoy(sandbox)

    batch = GongDestination(connection).write(
        DEMO_FLOW_ID, "create", [{"Id": gong_crm_contact_ids()[0]}], identity_field="Id"
    )

    assert batch.results[0].ok
    stored = Connection.objects.get(pk=connection.pk)
    # Gong's refresh tokens are single-use: the new one is kept, the named host is not.
    assert stored.secrets["refresh_token"] != tokens["refresh_token"]
    assert stored.configuration["api_base_url"] == tokens["api_base_url_for_customer"]
    assert "api_base_url_for_customer" not in stored.configuration
