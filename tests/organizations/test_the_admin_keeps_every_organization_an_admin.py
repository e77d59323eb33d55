"""The Django admin adds memberships and shows them, but a saved membership's role, person and
organization change only on the console's Members page, whose services keep every organization
an admin and write the audit trail; nor is a person of an organization deleted there (it
would take their membership with them)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizations.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_admin(organization):
    return MembershipFactory(organization=organization, role=Membership.Role.ADMIN)


def test_a_memberships_role_is_shown_not_changed(client, superuser, only_admin):
    client.force_login(superuser)
    url = reverse("admin:organizations_membership_change", args=[only_admin.pk])
    page = client.get(url).content.decode()
    assert 'name="role"' not in page
    client.post(url, {"role": "member", "user": only_admin.user_id})
    only_admin.refresh_from_db()
    assert only_admin.role == "admin"


def test_no_membership_is_deleted_in_the_admin(client, superuser, only_admin):
    client.force_login(superuser)
    url = reverse("admin:organizations_membership_delete", args=[only_admin.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=only_admin.pk).exists()


def test_the_organizations_page_adds_members_but_changes_none(
    client, superuser, organization, only_admin
):
    client.force_login(superuser)
    page = client.get(reverse("admin:organizations_organization_change", args=[organization.pk]))
    html = page.content.decode()
    assert "Settings → Members" in html
    assert 'name="memberships-0-role"' not in html  # the saved row is read-only
    assert 'name="memberships-0-DELETE"' not in html


def test_an_organizations_people_are_not_deleted_here_but_others_are(client, superuser, only_admin):
    """Deleting a person deletes their membership: they leave on the Members page instead
    (switched off, their authorship kept). Someone of no organization can be deleted."""
    client.force_login(superuser)
    last = reverse("admin:auth_user_delete", args=[only_admin.user_id])
    assert client.post(last, {"post": "yes"}).status_code == 403
    assert only_admin.user.__class__.objects.filter(pk=only_admin.user_id).exists()

    nobody = UserFactory()
    client.post(reverse("admin:auth_user_delete", args=[nobody.pk]), {"post": "yes"})
    assert not nobody.__class__.objects.filter(pk=nobody.pk).exists()
