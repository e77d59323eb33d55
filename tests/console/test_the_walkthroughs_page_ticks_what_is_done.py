"""The Walkthroughs page: every step of the three guides with its sentence and a button to the
page that does it, ticked once done in this organization (and only this one); the model step's
button opens the editor filled in with the guide's query."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.walkthrough_progress import walkthroughs_progress
from console.walkthroughs import SALESLOFT_QUERY, WALKTHROUGHS
from tests.factories import (
    ConnectionFactory,
    OrganizationFactory,
    SqlModelFactory,
    SyncFactory,
)

pytestmark = pytest.mark.django_db


def _steps(organization, key):
    progress = {w.key: w for w in walkthroughs_progress(organization=organization)}
    return [(step.title, step.done) for step in progress[key].steps]


def test_nothing_is_ticked_in_an_empty_organization(client, member, organization):
    client.force_login(member)
    page = client.get(reverse("console:walkthroughs")).content.decode()
    for walkthrough in WALKTHROUGHS.values():
        assert walkthrough.title in page
        for step in walkthrough.steps:
            assert step.says.replace("“", "&ldquo;")[:10] in page or step.says[:10] in page
    assert not any(done for _, done in _steps(organization, "salesloft"))


def test_steps_are_ticked_as_the_organization_does_them(organization):
    warehouse = ConnectionFactory(
        organization=organization, type="snowflake", name="Demo warehouse"
    )
    salesloft = ConnectionFactory(organization=organization, type="salesloft", status="healthy")
    model = SqlModelFactory(organization=organization, source=warehouse, query=SALESLOFT_QUERY)
    assert [done for _, done in _steps(organization, "salesloft")] == [True, True, True] + [
        False
    ] * 3
    SyncFactory(organization=organization, model=model, target_connection=salesloft)
    assert all(done for _, done in _steps(organization, "salesloft"))
    assert not any(done for _, done in _steps(OrganizationFactory(), "salesloft"))
    assert [done for _, done in _steps(organization, "gong")][:1] == [True]  # same warehouse


def test_the_model_step_opens_the_editor_filled_in(client, member, organization):
    warehouse = ConnectionFactory(
        organization=organization, type="snowflake", name="Demo warehouse"
    )
    progress = {w.key: w for w in walkthroughs_progress(organization=organization)}
    link = next(
        s.link for s in progress["salesloft"].steps if s.title == "Create a Snowflake model"
    )
    client.force_login(member)
    editor = client.get(link).content.decode()
    assert "GROUP BY plan, first_name, last_name, email" in editor
    assert 'value="Active Users"' in editor
    assert f'<option value="{warehouse.pk}" selected>' in editor
