"""The console says a warehouse's error in a sentence and shows its own words in small print."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from connections.services import connection_create

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_the_model_editor_shows_the_sentence_and_snowflakes_words_below_it(
    client, member, organization, demo_warehouse
):
    source = connection_create(
        organization=organization, name="Demo", type="snowflake", values=dict(demo_warehouse)
    )
    client.force_login(member)
    form = {"name": "M", "source": source.pk, "query": "SELECT * FROM nonexistent"}
    page = _page(client.post(reverse("models:new"), {**form, "action": "preview"}))
    assert (
        '<div class="field-error" role="alert">The table NONEXISTENT doesn\'t exist in '
        "DEMO.PUBLIC, or this user can't see it. Check the name in the query.</div>"
    ) in page
    assert (
        '<div class="error-detail">Snowflake said: 002003 (42S02): Catalog Error: Table with '
        "name NONEXISTENT does not exist!</div>"
    ) in page


def test_testing_a_connection_shows_the_sentence_and_snowflakes_words_below_it(
    client, admin, demo_warehouse
):
    client.force_login(admin)
    form = {**demo_warehouse, "name": "Demo", "dbname": "NO_SUCH_DB", "action": "test"}
    page = _page(client.post(reverse("connections:create", args=["snowflake"]), form))
    assert (
        "Snowflake has no database NO_SUCH_DB that user demo can use. Check the database name, "
        "and that the user's role may use it."
        '<div class="error-detail">Snowflake said: 090105 (22000): Cannot perform SELECT.'
    ) in page
