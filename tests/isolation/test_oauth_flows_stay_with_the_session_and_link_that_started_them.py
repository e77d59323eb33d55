"""The isolation matrix's OAuth rows, which need a whole consent (the sandbox's real pages):

- the vendor's callback (social:complete) finishes a consent only in the session, and for the
  organization and connection, that started it: another organization's callback, or a pending
  consent that names another organization's connection, attaches to nothing;
- an auth_url (social:link) is a bearer link by design — whoever holds it may consent for its
  connection, without a login — so it only ever affects the connection it was made for, in
  that connection's organization, whoever is signed in where it is opened; and its done page
  (social:link_done) shows that connection only to the browser that finished the consent.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from connections.models import Connection
from connections.oauth.links import auth_url_for
from connections.oauth.pending import PENDING_KEY
from tests.connections.wizard_helpers import HOST, come_back, consent, console_client
from tests.factories import ConnectionFactory, MembershipFactory, OrganizationFactory
from tests.isolation.world import changes, snapshot

pytestmark = pytest.mark.django_db

REFUSED = "could not be matched to your Syncline session"


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.SYNCLINE_PUBLIC_URL = f"http://{HOST}"


def _tool(organization, name: str) -> Connection:
    return ConnectionFactory(
        organization=organization,
        name=name,
        type="salesloft",
        configuration={"auth_method": "oauth"},
        secrets={"access_token": f"{name}-old-token", "refresh_token": f"{name}-old-refresh"},
    )


@pytest.fixture
def two(vendors):
    """Our person and tool, their person and tool, each signed in in a browser of their own."""
    ours, theirs = OrganizationFactory(name="Acme"), OrganizationFactory(name="Zebulon")
    return {
        "our_browser": console_client(MembershipFactory(organization=ours, role="admin").user),
        "their_browser": console_client(MembershipFactory(organization=theirs, role="admin").user),
        "our_tool": _tool(ours, "Acme Salesloft"),
        "their_tool": _tool(theirs, "Zebulon Salesloft"),
        "ours": ours,
        "theirs": theirs,
    }


def _reconnect(browser: Client, tool: Connection) -> str:
    """Press Reconnect: the vendor's consent page's address."""
    response = browser.post(reverse("connections:reconnect", args=[tool.pk]))
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def _words(browser: Client, response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return browser.get(response["Location"]).content.decode()


def test_their_consent_finished_in_our_session_attaches_to_nothing(two, http):
    callback = consent(http, _reconnect(two["their_browser"], two["their_tool"]))
    before = snapshot()
    answer = come_back(two["our_browser"], callback)
    assert REFUSED in _words(two["our_browser"], answer)
    assert changes(before, snapshot()) == []
    # Theirs still finishes in their own session: the callback was theirs all along.
    come_back(two["their_browser"], callback)
    two["their_tool"].refresh_from_db()
    assert two["their_tool"].secrets["access_token"] != "Zebulon Salesloft-old-token"


@pytest.mark.parametrize("names", ["their organization", "our organization"])
def test_a_pending_consent_naming_their_connection_is_refused_by_the_pipeline(two, http, names):
    """Our session's pending consent can't be steered to their connection: the pipeline checks
    the organization against the signed-in person's and looks the connection up in it."""
    browser = two["our_browser"]
    authorize = _reconnect(browser, two["our_tool"])
    session = browser.session
    pending = session[PENDING_KEY]["salesloft"]
    pending["connection_id"] = str(two["their_tool"].pk)
    if names == "their organization":
        pending["organization_id"] = str(two["theirs"].pk)
    session[PENDING_KEY] = {"salesloft": pending}
    session.save()
    callback = consent(http, authorize)
    before = snapshot()
    words = _words(browser, come_back(browser, callback))
    assert "Zebulon" not in words
    assert changes(before, snapshot()) == []


def test_their_auth_url_opened_in_our_session_connects_only_their_connection(two, http):
    """A bearer link: it consents for the connection it names, in that connection's
    organization — never ours, though we are signed in where it is opened."""
    their_tool = two["their_tool"]
    their_tool.status = Connection.Status.NEEDS_AUTH
    their_tool.save()
    browser = two["our_browser"]
    ours_before = sorted(
        Connection.objects.filter(organization=two["ours"]).values_list("pk", "secrets")
    )
    path = urlsplit(auth_url_for(their_tool, None)).path
    landed = come_back(browser, consent(http, browser.get(path)["Location"]))
    their_tool.refresh_from_db()
    assert their_tool.status == Connection.Status.HEALTHY
    assert their_tool.organization == two["theirs"]
    assert their_tool.secrets["access_token"] != "Zebulon Salesloft-old-token"
    ours_after = sorted(
        Connection.objects.filter(organization=two["ours"]).values_list("pk", "secrets")
    )
    assert ours_after == ours_before
    # Its done page is the browser's that consented; our other sessions learn nothing.
    done = landed["Location"]
    assert browser.get(done).status_code == 200
    another_of_ours = console_client(MembershipFactory(organization=two["ours"], role="admin").user)
    page = another_of_ours.get(done)
    assert page.status_code == 404
    assert "Zebulon" not in page.content.decode()
