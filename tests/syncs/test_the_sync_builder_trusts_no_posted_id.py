"""The builder's pages take ids from forms: each is looked up again in the person's organization
(another organization's model, connection or sync is refused or a 404, and nothing changes),
a target must be one the connection offers now, and no step can be skipped."""

from __future__ import annotations

import pytest

from connections.services import connection_create
from models_app.services import sql_model_create
from sandbox.vendors.salesloft import DEMO_API_KEY
from syncs.builder_services import Draft, draft_save
from syncs.models import Sync, SyncState
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

QUERY = "SELECT first_name, last_name, email FROM users WHERE email LIKE 'a%'"


@pytest.fixture
def model(organization, warehouse):
    return sql_model_create(
        organization=organization, name="Active Users", source=warehouse, query=QUERY
    )


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def stranger(demo_warehouse, vendors):
    """Another organization with its own model, Salesloft and sync."""
    other = OrganizationFactory()
    person = MembershipFactory(organization=other).user
    source = connection_create(
        organization=other, name="Their warehouse", type="snowflake", values=demo_warehouse
    )
    tool = connection_create(
        organization=other,
        name="Their Salesloft",
        type="salesloft",
        values={"auth_method": "api_key", "api_key": DEMO_API_KEY},
    )
    their_model = sql_model_create(organization=other, name="Theirs", source=source, query=QUERY)
    sync = draft_save(
        Draft(
            model_id=str(their_model.pk),
            connection_id=str(tool.pk),
            target_object="cadence:1002",
            mode="create",
            identity={"column": "EMAIL", "target": "email_address", "function": "Equality"},
            when_row_leaves="remove",
            name="Their sync",
        ),
        organization=other,
        user=person,
    )
    return {"model": their_model, "connection": tool, "sync": sync}


def draft_of(client) -> Draft:
    return Draft.from_dict(client.session["sync_builder"]["new"])


def test_another_organizations_model_is_refused_and_not_kept(signed_in, model, stranger):
    signed_in.get("/syncs/new/")
    page = signed_in.post("/syncs/new/model/", {"model": str(stranger["model"].pk)})
    assert "Choose one of your models." in page.content.decode()
    assert draft_of(signed_in).model_id == ""
    assert "Theirs" not in page.content.decode()  # their model isn't even listed


def test_another_organizations_connection_is_refused(signed_in, model, salesloft, stranger):
    signed_in.get(f"/syncs/new/?model={model.pk}")
    page = signed_in.post("/syncs/new/destination/", {"connection": str(stranger["connection"].pk)})
    assert "Choose the tool to sync into." in page.content.decode()
    assert draft_of(signed_in).connection_id == ""


def test_another_organizations_sync_cant_be_edited(signed_in, stranger):
    sync = stranger["sync"]
    assert signed_in.get(f"/syncs/{sync.pk}/edit/").status_code == 404
    page = signed_in.post(f"/syncs/{sync.pk}/edit/review/", {"name": "Mine now"})
    assert page.status_code == 404
    sync.refresh_from_db()
    assert sync.name == "Their sync"


def test_a_model_from_another_organization_in_the_link_is_ignored(signed_in, stranger):
    page = signed_in.get(f"/syncs/new/?model={stranger['model'].pk}")
    assert page.url == "/syncs/new/model/"
    assert draft_of(signed_in).model_id == ""


def test_a_target_the_connection_doesnt_offer_is_refused(signed_in, model, salesloft):
    signed_in.get(f"/syncs/new/?model={model.pk}")
    signed_in.post("/syncs/new/destination/", {"connection": str(salesloft.pk)})
    page = signed_in.post("/syncs/new/target/", {"target": "cadence:424242"})
    assert "Salesloft no longer has the target “cadence:424242”" in page.content.decode()
    assert draft_of(signed_in).target_object == ""


def test_no_step_can_be_skipped(signed_in, model):
    signed_in.get("/syncs/new/")
    assert signed_in.get("/syncs/new/review/").url == "/syncs/new/model/"
    assert signed_in.post("/syncs/new/fields/", {"field-count": "0"}).url == "/syncs/new/model/"


def test_the_target_search_answers_htmx_with_the_list_alone(signed_in, model, salesloft):
    signed_in.get(f"/syncs/new/?model={model.pk}")
    signed_in.post("/syncs/new/destination/", {"connection": str(salesloft.pk)})
    page = signed_in.get(
        "/syncs/new/target/",
        {"q": "nurture"},
        headers={"HX-Request": "true", "HX-Target": "target-options"},
    )
    html = page.content.decode()
    assert html.lstrip().startswith('<div id="target-options"')
    assert "Cadence: Trial to Paid Nurture" in html
    assert "Active Users Onboarding" not in html


def test_an_edit_that_restarts_the_sync_says_so_before_saving(
    signed_in, organization, member, model, salesloft
):
    sync = draft_save(
        Draft(
            model_id=str(model.pk),
            connection_id=str(salesloft.pk),
            target_object="cadence:1001",
            mode="updateOrCreate",
            identity={"column": "EMAIL", "target": "email_address", "function": "Equality"},
            fields=[{"column": "FIRST_NAME", "target": "first_name"}],
            when_row_leaves="remove",
            name="Cadence sync",
        ),
        organization=organization,
        user=member,
    )
    SyncState.objects.create(sync=sync, identity_key="ada@example.com", values_hash="x")
    base = f"/syncs/{sync.pk}/edit"
    assert signed_in.get(f"{base}/").url == f"{base}/target/"
    review = signed_in.get(f"{base}/review/").content.decode()
    assert "starts afresh" not in review  # nothing changed yet

    signed_in.post(f"{base}/target/", {"target": "cadence:1002"})
    review = signed_in.get(f"{base}/review/").content.decode()
    assert "starts afresh: its next run sends every row again" in review
    saved = signed_in.post(f"{base}/review/", {"name": "Cadence sync", "active": "paused"})
    assert saved.status_code == 302
    sync.refresh_from_db()
    assert (sync.target_object, sync.active) == ("cadence:1002", False)
    assert Sync.objects.count() == 1
