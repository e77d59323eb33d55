from __future__ import annotations

import pytest
from django.urls import reverse

from organizations.models import Membership
from tests.factories import (
    PASSWORD,
    ConnectionFactory,
    OrganizationFactory,
    SyncExecutionFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_logging_in_shows_the_home_page_of_ones_organization(client, member, organization):
    response = client.post(
        reverse("login"), {"username": member.username, "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert organization.name in html
    assert "Latest sync runs" in html


@pytest.mark.django_db
def test_a_wrong_password_gets_a_plain_message(client, member):
    response = client.post(reverse("login"), {"username": member.username, "password": "nope"})
    assert "don't match an account" in response.content.decode()


@pytest.mark.django_db
def test_the_home_page_counts_only_ones_own_organization(client, member, organization):
    ConnectionFactory(organization=organization, name="Ours", status="needs_auth")
    ConnectionFactory(organization=OrganizationFactory(), name="Theirs", status="needs_auth")
    SyncExecutionFactory(sync__organization=OrganizationFactory(), sync__name="Their sync")
    client.force_login(member)
    response = client.get(reverse("console:home"))
    assert response.context["connection_count"] == 1
    html = response.content.decode()
    assert "Ours" in html
    assert "Theirs" not in html
    assert "Their sync" not in html


@pytest.mark.django_db
def test_the_first_superuser_gets_an_organization(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    assert client.get(reverse("console:home")).status_code == 200
    assert Membership.objects.get(user=user).role == "admin"


@pytest.mark.django_db
def test_a_person_without_an_organization_is_told_whom_to_ask(client, organization):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("console:home"))
    assert response.status_code == 403
    assert "Ask your Syncline administrator" in response.content.decode()
