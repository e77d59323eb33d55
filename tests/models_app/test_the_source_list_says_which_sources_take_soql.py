from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def test_the_model_editor_labels_salesforce_as_a_soql_source(client, member, organization):
    ConnectionFactory(organization=organization, name="Analytics", type="snowflake")
    ConnectionFactory(organization=organization, name="Billing", type="postgresql")
    ConnectionFactory(organization=organization, name="CRM", type="salesforce", secrets={})
    ConnectionFactory(organization=organization, name="Cadences", type="salesloft", secrets={})
    client.force_login(member)
    html = client.get(reverse("models:new")).content.decode()
    assert ">Analytics — Snowflake</option>" in html
    assert ">Billing — PostgreSQL</option>" in html
    assert ">CRM — Salesforce CRM (SOQL query)</option>" in html
    assert "Cadences" not in html  # a tool only, never a source
