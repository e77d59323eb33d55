"""The members page (admins only) lists people with their role and when they joined; admins make
people admins or members and remove them. Removing someone switches their account off; the
last admin can be neither demoted nor removed; each change is in the audit trail."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from organizations.members import (
    invitation_accept,
    invitation_create,
    membership_remove,
    membership_role_change,
)
from organizations.models import AuditEntry, Membership, NotificationSettings
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/settings/members/"


def post(client, action, membership, **data):
    return client.post(URL, {"action": action, "member": str(membership.pk), **data})


def test_the_page_lists_people_with_their_role_and_when_they_joined(
    client, admin, member, organization
):
    client.force_login(admin)
    response = client.get(reverse("console:members"))
    html = response.content.decode()
    assert response.status_code == 200
    for person in (admin, member):
        assert person.username in html
        assert f"{person.membership.created_at:%-d %b %Y}" in html
    assert "the last admin can't be made a member or removed" in html
    assert "The last admin: stays an admin." in html  # no buttons on the only admin's row


def test_the_members_page_is_a_settings_tab_for_admins(client, admin):
    client.force_login(admin)
    html = client.get(reverse("console:notifications")).content.decode()
    assert f'href="{reverse("console:members")}"' in html


def test_a_member_is_told_who_manages_members(client, admin, member, organization):
    client.force_login(member)
    for response in (client.get(URL), post(client, "role", member.membership, role="admin")):
        assert response.status_code == 403
        assert (
            f"Only admins of {organization.name} can manage members: {admin.username}."
            in response.content.decode()
        )
    member.membership.refresh_from_db()
    assert member.membership.role == "member"


def test_an_admin_makes_a_member_an_admin_and_back(client, admin, member, organization):
    client.force_login(admin)
    promoted = post(client, "role", member.membership, role="admin")
    assert promoted.status_code == 302
    assert Membership.objects.get(user=member).role == "admin"
    assert f"{member.username} is now an admin." in client.get(URL).content.decode()
    post(client, "role", member.membership, role="member")
    assert Membership.objects.get(user=member).role == "member"
    entries = AuditEntry.objects.filter(object_type="member", action="changed").order_by(
        "created_at"
    )
    assert [(e.actor_label, e.object_name, e.changes) for e in entries] == [
        (admin.username, member.username, {"role": ["Member", "Admin"]}),
        (admin.username, member.username, {"role": ["Admin", "Member"]}),
    ]
    assert entries[0].details() == ["role: Member → Admin"]


def test_a_removed_member_can_no_longer_sign_in_and_gets_no_more_e_mails(
    client, admin, member, organization
):
    settings = NotificationSettings.objects.create(organization=organization)
    settings.recipients.set([admin, member])
    client.force_login(admin)
    removed = post(client, "remove", member.membership)
    assert removed.status_code == 302
    assert f"{member.username} is removed" in client.get(URL).content.decode()
    member.refresh_from_db()
    assert not member.is_active and not member.has_usable_password()
    assert not Membership.objects.filter(user=member).exists()
    assert list(settings.recipients.all()) == [admin]
    client.logout()
    refused = client.post(reverse("login"), {"username": member.username, "password": PASSWORD})
    assert refused.status_code == 200  # the login page again, with its error
    entry = AuditEntry.objects.get(object_type="member", action="removed")
    assert (entry.actor_label, entry.summary()) == (
        admin.username,
        f"Removed the member “{member.username}”",
    )


def test_a_removed_persons_open_session_stops_working(client, admin, member):
    client.force_login(member)
    assert client.get(reverse("syncs:list")).status_code == 200
    membership_remove(organization=admin.membership.organization, membership=member.membership)
    assert client.get(reverse("syncs:list")).status_code == 302  # to the login page


def test_a_staff_account_loses_only_its_membership(client, admin, organization):
    staff = MembershipFactory(organization=organization, user__is_staff=True).user
    client.force_login(admin)
    post(client, "remove", staff.membership)
    staff.refresh_from_db()
    assert staff.is_active and staff.has_usable_password()
    assert not Membership.objects.filter(user=staff).exists()


def test_the_last_admin_is_neither_demoted_nor_removed(client, admin, member, organization):
    client.force_login(admin)
    for action, data in (("role", {"role": "member"}), ("remove", {})):
        response = post(client, action, admin.membership, **data)
        page = client.get(response.url).content.decode()
        assert f"{admin.username} is the last admin of {organization.name}" in page
        assert Membership.objects.get(user=admin).role == "admin"
    admin.refresh_from_db()
    assert admin.is_active
    assert not AuditEntry.objects.filter(object_type="member").exists()


def test_the_service_refuses_the_last_admin_too(admin, organization):
    with pytest.raises(ValidationError, match="is the last admin"):
        membership_role_change(
            organization=organization, membership=admin.membership, role="member"
        )
    with pytest.raises(ValidationError, match="is the last admin"):
        membership_remove(organization=organization, membership=admin.membership)


def test_with_two_admins_one_may_step_down_then_the_other_is_the_last(client, admin, organization):
    other = MembershipFactory(organization=organization, role="admin").user
    client.force_login(admin)
    stepped_down = post(client, "role", admin.membership, role="member")
    assert stepped_down.url == reverse("console:home")  # the page is no longer theirs
    assert client.get(URL).status_code == 403
    with pytest.raises(ValidationError, match="is the last admin"):
        membership_remove(organization=organization, membership=other.membership)


def test_an_admin_who_removes_themselves_is_signed_out(client, admin, organization):
    MembershipFactory(organization=organization, role="admin")
    client.force_login(admin)
    response = post(client, "remove", admin.membership)
    assert response.url == reverse("login")
    assert client.get(reverse("console:home")).status_code == 302
    admin.refresh_from_db()
    assert not admin.is_active


def test_another_organizations_member_cannot_be_changed(client, admin):
    theirs = MembershipFactory()
    client.force_login(admin)
    assert post(client, "role", theirs, role="admin").status_code == 404
    assert post(client, "remove", theirs).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == "member" and theirs.user.is_active


def test_someone_removed_can_be_invited_back(admin, member, organization):
    membership_remove(organization=organization, membership=member.membership)
    _, token = invitation_create(
        organization=organization, email=member.username, role="member", invited_by=admin
    )
    back = invitation_accept(token=token, password="copper-meadow-window-8")
    assert back.pk == member.pk and back.is_active
    assert back.membership.organization == organization


def test_an_active_account_without_an_organization_is_not_taken_over(admin, organization):
    loner = UserFactory(username="loner@example.com", email="loner@example.com")
    with pytest.raises(ValidationError, match="already has a Syncline account"):
        invitation_create(
            organization=organization, email=loner.username, role="member", invited_by=admin
        )
    loner.refresh_from_db()
    assert loner.check_password(PASSWORD)
    assert get_user_model().objects.filter(username__iexact="loner@example.com").count() == 1


def test_another_organizations_invitation_cannot_be_revoked(client, admin):
    theirs = MembershipFactory(role="admin")
    invitation, _ = invitation_create(
        organization=theirs.organization, email="x@example.com", role="member", invited_by=None
    )
    client.force_login(admin)
    response = client.post(URL, {"action": "revoke", "invitation": str(invitation.pk)})
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.parametrize("leaves", ["demoted", "removed"])
def test_an_admin_who_stops_being_one_cant_come_back_through_a_link_they_made(
    admin, organization, leaves
):
    mallory = MembershipFactory(organization=organization, role="admin").user
    _, token = invitation_create(
        organization=organization, email="mallory.alt@example.com", role="admin", invited_by=mallory
    )
    _, kept = invitation_create(
        organization=organization, email="ana@example.com", role="member", invited_by=admin
    )
    if leaves == "demoted":
        membership_role_change(
            organization=organization, membership=mallory.membership, role="member"
        )
    else:
        membership_remove(organization=organization, membership=mallory.membership)
    from organizations.members import InvitationRefused

    with pytest.raises(InvitationRefused, match="withdrawn"):
        invitation_accept(token=token, password="a-long-new-password-1")
    assert not Membership.objects.filter(user__username="mallory.alt@example.com").exists()
    assert AuditEntry.objects.filter(
        action="revoked the invitation", object_name="mallory.alt@example.com"
    ).exists()
    invitation_accept(token=kept, password="a-long-new-password-2")  # others' links still work
