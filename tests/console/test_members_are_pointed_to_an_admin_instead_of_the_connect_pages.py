"""Where a page says "connect a warehouse (or a tool) first" — home, the model editor, the sync
builder, the walkthroughs — an admin gets the link to the connection pages and a member, who
could not use it, is told which admins connect them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import SqlModelFactory

pytestmark = pytest.mark.django_db

NO_CONNECTION = ["home", "model editor", "walkthroughs"]


def _html(client, organization, name):
    if name == "builder":  # a model on a warehouse, and no tool to sync into
        model = SqlModelFactory(organization=organization)
        client.get(f"/syncs/new/?model={model.pk}")
        return client.get("/syncs/new/destination/").content.decode()
    url = {
        "home": reverse("console:home"),
        "model editor": reverse("models:new"),
        "walkthroughs": reverse("console:walkthroughs"),
    }[name]
    return client.get(url).content.decode()


@pytest.mark.parametrize("name", [*NO_CONNECTION, "builder"])
def test_a_member_is_told_who_connects_and_gets_no_link(client, member, admin, organization, name):
    client.force_login(member)
    html = _html(client, organization, name)
    assert "/connections/new" not in html
    assert admin.username in html


@pytest.mark.parametrize("name", [*NO_CONNECTION, "builder"])
def test_an_admin_gets_the_link(client, admin, organization, name):
    client.force_login(admin)
    assert "/connections/new" in _html(client, organization, name)
