"""The tools' wizard through the real redirect chain: Syncline → the sandbox's consent page →
Syncline's callback, tokens saved encrypted on the Connection, checked, errors in words."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection as db
from django.urls import reverse
from social_django.models import Nonce, UserSocialAuth

from connections.models import Connection
from connections.services import connection_check
from sandbox.oauth import DEMO_CLIENT
from tests.connections.wizard_helpers import (
    HOST,
    begin,
    come_back,
    connect,
    connect_salesloft_api_key,
    consent,
    console_client,
)
from tests.factories import SyncFactory

pytestmark = pytest.mark.django_db

TOOLS = ["salesloft", "gong", "linkedinads", "salesforce"]
AUTHORIZE_PATHS = {
    "salesloft": "/salesloft/oauth/authorize",
    "gong": "/gong/oauth2/authorize",
    "linkedinads": "/linkedinads/oauth/v2/authorization",
    "salesforce": "/salesforce/services/oauth2/authorize",
}


@pytest.fixture
def client(admin, vendors):
    return console_client(admin)


def _raw_secrets(connection: Connection) -> str:
    with db.cursor() as cursor:
        key = Connection._meta.pk.get_db_prep_value(connection.pk, db)
        cursor.execute("SELECT secrets FROM connections_connection WHERE id = %s", [key])
        return cursor.fetchone()[0]


def _page(client, response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("type_key", TOOLS)
def test_each_tool_connects_through_the_vendors_consent_page_and_is_healthy(
    client, http, sandbox, type_key
):
    authorize = begin(client, type_key, name="Team tool")
    parts = urlsplit(authorize)
    assert f"{parts.scheme}://{parts.netloc}" == sandbox.url
    assert parts.path == AUTHORIZE_PATHS[type_key]
    query = parse_qs(parts.query)
    assert query["client_id"] == [DEMO_CLIENT.client_id]
    assert query["redirect_uri"] == [f"http://{HOST}/oauth/complete/{type_key}/"]
    assert query["state"][0]
    assert not Connection.objects.exists()  # nothing exists until the vendor says yes

    response = come_back(client, consent(http, authorize))

    connection = Connection.objects.get()
    next_step = "accounts" if type_key == "linkedinads" else "done"
    assert response["Location"] == reverse(f"connections:{next_step}", args=[connection.pk])
    assert (connection.name, connection.type) == ("Team tool", type_key)
    assert connection.status == Connection.Status.HEALTHY, connection.status_error
    assert connection.last_checked_at is not None
    access, refresh = connection.secrets["access_token"], connection.secrets.get("refresh_token")
    raw = _raw_secrets(connection)
    assert access not in raw and (refresh is None or refresh not in raw)
    assert "access_token" not in connection.configuration
    if type_key != "salesforce":  # Salesforce gives no expires_in (sessions end with a 401)
        assert connection.secrets["expires_at"] > 0
    if type_key == "gong":
        assert connection.configuration["api_base_url"] == f"{sandbox.url}/gong/api"
    if type_key == "salesforce":
        assert connection.configuration["instance_url"] == f"{sandbox.url}/salesforce/instance"
        assert connection.configuration["id"].startswith(f"{sandbox.url}/salesforce/id/")
    if type_key == "salesloft":
        assert connection.configuration["auth_method"] == "oauth"
        # From the redirect's context=/teams/1: the team's rate limit is shared by its connections.
        assert connection.configuration["team_id"] == "1"
    # A connection is not a login: no social account, no extra_data with tokens.
    assert not UserSocialAuth.objects.exists()


def test_the_done_page_shows_the_connection_healthy_without_its_tokens(client, http):
    response = connect(client, http, "gong", name="Gong")
    html = _page(client, response)
    connection = Connection.objects.get()
    assert "Gong is connected and working" in html
    assert "Healthy" in html
    assert connection.secrets["access_token"] not in html
    assert connection.secrets["refresh_token"] not in html


@pytest.mark.parametrize("type_key", TOOLS)
def test_denying_consent_says_so_on_the_wizard_page_and_saves_nothing(client, http, type_key):
    response = connect(client, http, type_key, decision="deny")
    assert response["Location"] == reverse("connections:create", args=[type_key])
    html = _page(client, response)
    assert "You chose not to allow access" in html
    assert "Connect with" in html  # the start page again, ready for another try
    assert not Connection.objects.exists()
    # The message is shown once.
    again = client.get(reverse("connections:create", args=[type_key])).content.decode()
    assert "You chose not to allow access" not in again


def test_linkedins_own_word_for_a_cancelled_consent_reads_the_same(client):
    begin(client, "linkedinads")
    response = come_back(
        client,
        f"http://{HOST}/oauth/complete/linkedinads/?error=user_cancelled_authorize"
        "&error_description=The+user+cancelled+the+authorization&state=whatever",
    )
    assert "You chose not to allow access in LinkedIn Ads" in _page(client, response)
    assert not Connection.objects.exists()


@pytest.mark.parametrize("type_key", TOOLS)
def test_a_wrong_client_secret_is_reported_in_words_and_saves_nothing(
    client, http, vendors, type_key
):
    vendors[type_key]["client_secret"] = "not-the-secret"
    response = connect(client, http, type_key)
    html = _page(client, response)
    assert "did not accept Syncline&#x27;s app credentials" in html
    assert not Connection.objects.exists()


def test_an_unknown_client_id_is_stopped_at_the_vendors_page(client, http, vendors):
    vendors["gong"]["client_id"] = "nobody"
    page = http.get(begin(client, "gong"))
    assert page.status_code == 400
    assert "Unknown client_id" in page.text
    assert not Connection.objects.exists()


def test_a_code_used_elsewhere_is_refused_as_expired_or_used(client, http, sandbox):
    callback = consent(http, begin(client, "salesloft"))
    code = parse_qs(urlsplit(callback).query)["code"][0]
    stolen = http.post(
        f"{sandbox.url}/salesloft/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": DEMO_CLIENT.client_id,
            "client_secret": DEMO_CLIENT.client_secret,
            "redirect_uri": f"http://{HOST}/oauth/complete/salesloft/",
        },
    )
    assert stolen.status_code == 200
    html = _page(client, come_back(client, callback))
    assert "sign-in code had expired or was already used" in html
    assert not Connection.objects.exists()


def test_an_expired_code_is_refused(client, http, sandbox):
    callback = consent(http, begin(client, "linkedinads"))
    code = parse_qs(urlsplit(callback).query)["code"][0]
    sandbox.app.store.oauth["codes"][code]["expires_at"] = 0
    html = _page(client, come_back(client, callback))
    assert "sign-in code had expired or was already used" in html
    assert not Connection.objects.exists()


def test_a_callback_replayed_or_from_another_session_is_refused(client, http, admin):
    callback = consent(http, begin(client, "gong"))
    come_back(client, callback)
    assert Connection.objects.count() == 1
    # The same redirect again: its state was used up.
    html = _page(client, come_back(client, callback))
    assert "could not be matched to your Syncline session" in html
    # Another browser (session) never started this consent.
    other = console_client(admin)
    html = _page(other, come_back(other, callback))
    assert "could not be matched to your Syncline session" in html
    assert Connection.objects.count() == 1


def test_an_unreachable_vendor_is_reported_and_saves_nothing(client, http, vendors):
    callback = consent(http, begin(client, "salesloft"))
    vendors["salesloft"]["token_url"] = "http://127.0.0.1:9/oauth/token"
    html = _page(client, come_back(client, callback))
    assert "Syncline could not reach Salesloft" in html
    assert not Connection.objects.exists()


def test_a_tool_without_an_oauth_app_says_what_to_configure(client, vendors):
    vendors["gong"]["client_id"] = ""
    response = client.post(
        reverse("connections:create", args=["gong"]), {"name": "Gong", "action": "oauth"}
    )
    assert response.status_code == 200
    assert "SYNCLINE_GONG_CLIENT_ID" in response.content.decode()


def test_a_name_already_taken_is_refused_before_the_consent_page(client, http):
    connect(client, http, "gong", name="Gong")
    response = client.post(
        reverse("connections:create", args=["gong"]), {"name": "Gong", "action": "oauth"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_salesloft_with_a_wrong_api_key_says_so_and_saves_nothing(client):
    response = connect_salesloft_api_key(client, api_key="ak" + "0" * 64)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Salesloft refused" in html
    assert "ak" + "0" * 64 not in html  # the key typed is not echoed back
    assert not Connection.objects.exists()


def test_salesloft_with_its_api_key_is_checked_and_saved_encrypted(client):
    from sandbox.vendors.salesloft import DEMO_API_KEY

    response = connect_salesloft_api_key(client)
    connection = Connection.objects.get()
    assert response["Location"] == reverse("connections:done", args=[connection.pk])
    assert connection.configuration == {"auth_method": "api_key"}
    assert connection.secrets == {"api_key": DEMO_API_KEY}
    assert DEMO_API_KEY not in _raw_secrets(connection)
    assert connection.status == Connection.Status.HEALTHY


def test_linkedin_asks_for_the_ad_accounts_and_saves_the_chosen_ones(client, http):
    response = connect(client, http, "linkedinads", name="LinkedIn Ads")
    connection = Connection.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Acme Ads (512630692)" in page
    assert "512630694" not in page  # a VIEWER account can't manage audiences
    answer = client.post(response["Location"], {"accounts": ["512630692", "512630693"]})
    assert answer["Location"] == reverse("connections:done", args=[connection.pk])
    connection.refresh_from_db()
    assert connection.configuration["accounts"] == ["512630692", "512630693"]
    assert "512630692, 512630693" in client.get(answer["Location"]).content.decode()


def test_linkedin_refuses_an_empty_choice_of_accounts(client, http):
    response = connect(client, http, "linkedinads")
    answer = client.post(response["Location"], {})
    assert "Choose at least one ad account" in answer.content.decode()


def test_salesforce_options_are_saved_and_its_own_connected_app_is_used(client, http, vendors):
    vendors["salesforce"]["client_id"] = "syncline-app-not-used-here"
    authorize = begin(
        client,
        "salesforce",
        name="Salesforce",
        connect_mode="api",
        client_id=DEMO_CLIENT.client_id,
        client_secret=DEMO_CLIENT.client_secret,
        enforce_api_limits="on",
        daily_api_calls="5000",
    )
    assert parse_qs(urlsplit(authorize).query)["client_id"] == [DEMO_CLIENT.client_id]
    # While the person is at Salesforce, the typed secret waits in the session encrypted.
    assert DEMO_CLIENT.client_secret not in repr(dict(client.session.items()))
    come_back(client, consent(http, authorize))
    connection = Connection.objects.get()
    assert connection.status == Connection.Status.HEALTHY, connection.status_error
    assert connection.configuration["connect_mode"] == "api"
    assert connection.configuration["client_id"] == DEMO_CLIENT.client_id
    assert connection.configuration["enforce_api_limits"] is True
    assert connection.configuration["daily_api_calls"] == 5000
    assert connection.secrets["client_secret"] == DEMO_CLIENT.client_secret
    assert DEMO_CLIENT.client_secret not in _raw_secrets(connection)


def test_salesforce_options_are_checked_before_the_consent_page(client):
    response = client.post(
        reverse("connections:create", args=["salesforce"]),
        {"name": "SF", "connect_mode": "api", "client_id": "abc", "action": "oauth"},
    )
    assert response.status_code == 200
    assert "Needed for your own connected app" in response.content.decode()


def test_a_connection_that_cannot_refresh_asks_to_be_reconnected_and_reconnect_repairs_it(
    client, http, sandbox
):
    connect(client, http, "salesloft", name="Salesloft")
    connection = Connection.objects.get()
    old_access = connection.secrets["access_token"]
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={"vendor": "salesloft"})
    http.post(f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={"vendor": "salesloft"})
    connection_check(connection=Connection.objects.get())
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_AUTH

    for url in (reverse("connections:list"), reverse("console:home")):
        html = client.get(url).content.decode()
        assert "Needs to be reconnected" in html
        assert reverse("connections:reconnect", args=[connection.pk]) in html
    detail = client.get(reverse("connections:detail", args=[connection.pk])).content.decode()
    assert "Needs to be reconnected" in detail and "Reconnect" in detail

    response = client.post(reverse("connections:reconnect", args=[connection.pk]))
    assert response["Location"].startswith(f"{sandbox.url}/salesloft/oauth/authorize")
    back = come_back(client, consent(http, response["Location"]))
    assert back["Location"] == reverse("connections:done", args=[connection.pk])
    connection.refresh_from_db()
    assert Connection.objects.count() == 1
    assert connection.status == Connection.Status.HEALTHY
    assert connection.secrets["access_token"] != old_access


def test_a_refused_reconnect_keeps_the_connection_and_says_why_on_its_page(client, http):
    connect(client, http, "gong", name="Gong")
    connection = Connection.objects.get()
    tokens = dict(connection.secrets)
    response = client.post(reverse("connections:reconnect", args=[connection.pk]))
    back = come_back(client, consent(http, response["Location"], decision="deny"))
    assert back["Location"] == reverse("connections:detail", args=[connection.pk])
    assert "You chose not to allow access" in client.get(back["Location"]).content.decode()
    connection.refresh_from_db()
    assert connection.secrets == tokens


def test_deleting_salesforce_revokes_its_token_at_the_vendor(client, http, sandbox):
    connect(client, http, "salesforce", name="Salesforce")
    connection = Connection.objects.get()
    access = connection.secrets["access_token"]
    http.delete(f"{sandbox.url}/_sandbox/requests")
    page = client.get(reverse("connections:delete", args=[connection.pk])).content.decode()
    assert "revoke" in page
    response = client.post(reverse("connections:delete", args=[connection.pk]), follow=True)
    html = response.content.decode()
    assert "Salesforce is deleted" in html
    assert "Salesforce revoked Syncline&#x27;s access" in html
    assert not Connection.objects.exists()
    log = http.get(f"{sandbox.url}/_sandbox/requests", params={"vendor": "salesforce"}).json()
    assert log["counts"].get("POST salesforce.oauth_revoke") == 1
    identity = http.get(
        f"{sandbox.url}/salesforce/services/oauth2/userinfo",
        headers={"Authorization": f"Bearer {access}"},
    )
    assert identity.status_code == 403  # the token no longer works


def test_a_failed_revoke_does_not_stop_the_delete_and_is_reported(client, http, vendors):
    connect(client, http, "linkedinads", name="LinkedIn")
    vendors["linkedinads"]["revoke_url"] = "http://127.0.0.1:9/oauth/v2/revoke"
    connection = Connection.objects.get()
    response = client.post(reverse("connections:delete", args=[connection.pk]), follow=True)
    html = response.content.decode()
    assert "LinkedIn is deleted" in html
    assert "could not be reached to revoke" in html
    assert not Connection.objects.exists()


def test_a_connection_used_by_a_sync_is_not_deleted_and_the_sync_is_named(client, organization):
    sync = SyncFactory(organization=organization, name="Users to cadence")
    target = sync.target_connection
    page = client.get(reverse("connections:delete", args=[target.pk])).content.decode()
    assert "Users to cadence" in page
    response = client.post(reverse("connections:delete", args=[target.pk]))
    assert "Users to cadence" in response.content.decode()
    assert Connection.objects.filter(pk=target.pk).exists()


def test_another_organizations_tool_cannot_be_reconnected_or_deleted(client, http):
    from tests.factories import ConnectionFactory, OrganizationFactory

    theirs = ConnectionFactory(organization=OrganizationFactory(), type="gong", secrets={})
    assert client.post(reverse("connections:reconnect", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("connections:delete", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("connections:done", args=[theirs.pk])).status_code == 404


def test_no_state_of_the_consent_outlives_it(client, http):
    connect(client, http, "gong")
    session = client.session
    assert not session.get("syncline_oauth_pending")
    assert not [key for key in session.keys() if key.startswith("gong_oauth2_state_")]
    assert Nonce.objects.count() <= 1  # social-auth's used-state record, no token in it


def test_the_vendors_redirect_needs_no_csrf_token_but_the_start_does(admin, vendors):
    from django.test import Client

    strict = Client(HTTP_HOST=HOST, enforce_csrf_checks=True)
    strict.force_login(admin)
    response = strict.post(
        reverse("connections:create", args=["gong"]), {"name": "Gong", "action": "oauth"}
    )
    assert response.status_code == 403
