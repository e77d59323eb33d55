"""An admin invites someone on the members page: the link is shown once (and e-mailed), only
its SHA-256 is kept; whoever opens it chooses a password (Django's rules) and joins, signed in,
with the invited role. Expired, revoked, used and unknown links get a page in words; an address
with an account elsewhere, or a person signed in as someone else, changes nothing."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection as db
from django.urls import reverse
from django.utils import timezone

from organizations.members import invitation_create
from organizations.models import AuditEntry, Invitation, Membership
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "violet-harbour-lantern-42"
LINK = re.compile(r'id="invitation-link">([^<]+)<')


def invite(client, email="new.person@example.com", role="member"):
    page = client.post(
        reverse("console:members"), {"action": "invite", "email": email, "role": role}
    )
    found = LINK.search(page.content.decode())
    return page, found.group(1) if found else None


def path_of(link: str) -> str:
    return link.split("testserver", 1)[1]


def join(client, link, password=NEW_PASSWORD, again=None):
    return client.post(path_of(link), {"password": password, "password_again": again or password})


def test_the_link_is_shown_once_e_mailed_and_stored_only_as_its_hash(client, admin, organization):
    client.force_login(admin)
    page, link = invite(client)
    assert page.status_code == 200 and link
    token = link.rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new.person@example.com",
        "member",
        admin,
    )
    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM organizations_invitation")
        assert token not in str(cursor.fetchall())
    [sent] = mail.outbox
    assert sent.to == ["new.person@example.com"] and link in sent.body
    assert organization.name in sent.subject
    again = client.get(reverse("console:members")).content.decode()
    assert token not in again
    assert "new.person@example.com" in again  # listed as not used yet, with Revoke


def test_it_expires_after_the_configured_days(client, admin, settings):
    settings.SYNCLINE_INVITATION_DAYS = 3
    client.force_login(admin)
    invite(client)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=3), abs=timedelta(seconds=5)
    )


def test_the_invited_person_chooses_a_password_and_joins_signed_in(client, admin, organization):
    client.force_login(admin)
    _, link = invite(client, role="admin")
    client.logout()
    page = client.get(path_of(link))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Join {organization.name}" in html and "new.person@example.com" in html
    assert f"{admin.username} invited" in html

    joined = join(client, link)
    assert joined.status_code == 302 and joined.url == reverse("console:home")
    person = get_user_model().objects.get(username="new.person@example.com")
    assert person.check_password(NEW_PASSWORD) and person.email == "new.person@example.com"
    assert person.membership.organization == organization
    assert person.membership.role == "admin"
    assert client.get(reverse("console:home")).context["user"] == person
    assert Invitation.objects.get().accepted_at is not None
    client.logout()
    signed_in = client.post(
        reverse("login"), {"username": "new.person@example.com", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in.url == reverse("console:home")


def test_a_weak_or_mistyped_password_is_refused_in_words_and_nothing_is_made(client, admin):
    client.force_login(admin)
    _, link = invite(client)
    client.logout()
    weak = join(client, link, password="12345678")
    html = weak.content.decode()
    assert weak.status_code == 400
    assert "This password is too common." in html
    assert "This password is entirely numeric." in html
    like_the_address = join(client, link, password="new.person@example")
    assert "too similar to the" in like_the_address.content.decode()
    mistyped = join(client, link, again="something-else-entirely-9")
    assert "The two passwords are not the same." in mistyped.content.decode()
    assert not get_user_model().objects.filter(username="new.person@example.com").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_used_link_says_so_and_joins_nobody_twice(client, admin):
    client.force_login(admin)
    _, link = invite(client)
    client.logout()
    join(client, link)
    client.logout()
    again = join(client, link, password="another-fine-password-7")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert client.get(path_of(link)).status_code == 410
    person = get_user_model().objects.get(username="new.person@example.com")
    assert person.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(user=person).count() == 1


def test_an_expired_link_says_so(client, admin):
    client.force_login(admin)
    _, link = invite(client)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    for response in (client.get(path_of(link)), join(client, link)):
        assert response.status_code == 410
        assert "This invitation has expired" in response.content.decode()
    assert not get_user_model().objects.filter(username="new.person@example.com").exists()


def test_a_revoked_link_says_so(client, admin, organization):
    client.force_login(admin)
    _, link = invite(client)
    invitation = Invitation.objects.get()
    revoked = client.post(
        reverse("console:members"), {"action": "revoke", "invitation": str(invitation.pk)}
    )
    assert revoked.status_code == 302
    listed = client.get(reverse("console:members")).content.decode()
    assert "The invitation of new.person@example.com is revoked" in listed
    assert "None: everyone invited has joined" in listed
    client.logout()
    response = client.get(path_of(link))
    assert response.status_code == 410
    assert f"withdrawn by an admin of {organization.name}" in response.content.decode()
    assert join(client, link).status_code == 410
    assert not get_user_model().objects.filter(username="new.person@example.com").exists()


def test_an_unknown_or_cut_off_link_is_not_found(client, admin):
    client.force_login(admin)
    _, link = invite(client)
    client.logout()
    for path in (path_of(link)[:-4], reverse("console:invitation", args=["made-up"])):
        response = client.get(path)
        assert response.status_code == 404
        assert "not valid" in response.content.decode()


def test_someone_signed_in_is_told_the_link_is_for_someone_else(client, admin, member):
    client.force_login(admin)
    _, link = invite(client)
    client.force_login(member)
    for response in (client.get(path_of(link)), join(client, link)):
        html = response.content.decode()
        assert response.status_code == 403
        assert "This invitation is for someone else" in html
        assert f"you are signed in as {member.username}" in html
    assert Invitation.objects.get().accepted_at is None
    assert member.membership.organization_id == admin.membership.organization_id


def test_an_address_with_an_account_elsewhere_is_refused_with_a_sentence(client, admin):
    elsewhere = MembershipFactory(organization=OrganizationFactory()).user
    client.force_login(admin)
    page, link = invite(client, email=elsewhere.username)
    assert link is None and page.status_code == 400
    assert "already has a Syncline account in another organization" in page.content.decode()
    assert not Invitation.objects.exists()


def test_an_account_made_elsewhere_after_the_invitation_is_not_changed(organization, admin, client):
    invitation, token = invitation_create(
        organization=organization, email="late@example.com", role="member", invited_by=admin
    )
    other = OrganizationFactory()
    late = UserFactory(username="late@example.com", email="late@example.com")
    MembershipFactory(user=late, organization=other)
    response = client.post(
        reverse("console:invitation", args=[token]),
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert response.status_code == 409
    assert "another organization" in response.content.decode()
    late.refresh_from_db()
    assert late.check_password(PASSWORD) and late.membership.organization == other
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_member_of_the_organization_or_an_open_invitation_is_not_invited_again(
    client, admin, member
):
    client.force_login(admin)
    page, _ = invite(client, email=member.username)
    assert "is already a member of" in page.content.decode()
    invite(client, email="twice@example.com")
    page, link = invite(client, email="Twice@Example.com")
    assert link is None
    assert "the invitation is still open. To send a new link, revoke that one first." in (
        page.content.decode()
    )
    assert Invitation.objects.count() == 1


def test_a_mail_server_down_still_shows_the_link_and_says_to_send_it(client, admin, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    client.force_login(admin)
    page, link = invite(client)
    assert link
    assert "could not e-mail new.person@example.com" in page.content.decode()
    assert "copy the link and send it yourself" in page.content.decode()


def test_the_audit_trail_says_who_invited_revoked_and_who_joined(client, admin, organization):
    client.force_login(admin)
    _, link = invite(client, email="first@example.com")
    invite(client, email="second@example.com")
    second = Invitation.objects.get(email="second@example.com")
    client.post(reverse("console:members"), {"action": "revoke", "invitation": str(second.pk)})
    client.logout()
    join(client, link)
    entries = AuditEntry.objects.filter(organization=organization, object_type="member")
    summaries = [(e.actor_label, e.summary()) for e in entries.order_by("created_at")]
    assert summaries == [
        (admin.username, "Invited the member “first@example.com”"),
        (admin.username, "Invited the member “second@example.com”"),
        (admin.username, "Revoked the invitation of the member “second@example.com”"),
        ("first@example.com", "Accepted the invitation and joined as “first@example.com”"),
    ]
    assert "role: Member" in entries.filter(action="invited").first().details()


def test_without_e_mail_set_up_the_page_says_to_send_the_link_yourself(client, admin, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    client.force_login(admin)
    page, link = invite(client)
    assert link
    assert "E-mail is not set up on this Syncline (EMAIL_BACKEND)" in page.content.decode()
    assert "It was also e-mailed" not in page.content.decode()


def test_with_e_mail_not_set_up_the_link_is_not_printed_into_the_logs(
    client, admin, settings, capsys
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    client.force_login(admin)
    page = client.post(
        "/settings/members/", {"action": "invite", "email": "ana@example.com", "role": "member"}
    ).content.decode()
    token = re.search(r"/invitations/([A-Za-z0-9_-]+)", page).group(1)
    captured = capsys.readouterr()
    assert token not in captured.out + captured.err
    assert "E-mail is not set up on this Syncline (EMAIL_BACKEND)" in page
