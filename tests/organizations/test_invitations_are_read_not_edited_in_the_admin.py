"""The Django admin lists invitations (who, to which organization, as what, until when, used or
revoked) without their token, and nobody adds or edits one there: the console makes them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizations.members import invitation_create

pytestmark = pytest.mark.django_db


def test_an_invitation_is_listed_and_shown_without_its_token(client, superuser, organization):
    invitation, token = invitation_create(
        organization=organization, email="ana@example.com", role="admin", invited_by=superuser
    )
    client.force_login(superuser)
    listing = client.get(reverse("admin:organizations_invitation_changelist"))
    detail = client.get(reverse("admin:organizations_invitation_change", args=[invitation.pk]))
    for page in (listing, detail):
        html = page.content.decode()
        assert page.status_code == 200
        assert "ana@example.com" in html
        assert token not in html and invitation.token_hash not in html
    assert 'name="email"' not in detail.content.decode()  # read, not edited


def test_no_invitation_is_added_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:organizations_invitation_add")).status_code == 403
