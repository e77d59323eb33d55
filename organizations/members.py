"""Writes for an organization's people: change a role, remove someone, invite, revoke, join.

An organization always keeps an admin: demoting or removing one first locks every admin
membership of the organization (SELECT … FOR UPDATE), so two admins demoting each other at
once are taken one after the other and the second is refused.

Removing someone deletes their membership and switches their account off (inactive, no
usable password): a person belongs to one organization only, so the account has nothing left
to open, while what they did keeps its author in the audit trail and on the API keys and
connections they created. Staff and superusers (Syncline-wide administrators, managed in the
Django admin) lose the membership only.

An invitation is a link with a random token (only its SHA-256 kept), working once until it
expires (SYNCLINE_INVITATION_DAYS). Opening it, the invited person chooses a password and
joins; their username is the e-mail address.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations.audit import Actor, audit_record
from organizations.models import Invitation, Membership, NotificationSettings, Organization
from organizations.roles import admin_check

logger = logging.getLogger(__name__)

MANAGE = "manage members"
ROLE_NAMES = dict(Membership.Role.choices)


class InvitationRefused(Exception):
    """An invitation link that can't be used, in a sentence for whoever opened it; `status` is
    the HTTP status the page answers with (404 unknown, 410 spent)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


INVITATION_UNKNOWN = (
    "This invitation link is not valid (it may have been cut off when it was copied). Open the "
    "whole link again, or ask the admin who invited you for a new one."
)
INVITATION_EXPIRED = (
    "This invitation has expired, so it can't be used any more. Ask the admin who invited you "
    "to send a new one."
)
INVITATION_REVOKED = (
    "This invitation was withdrawn by an admin of {org}, so it can't be used. If you still "
    "should join, ask them for a new one."
)
INVITATION_USED = (
    "This invitation has already been used: each invitation works once. If it was you, sign "
    "in with your e-mail address and the password you chose."
)


# E-mail backends that keep an e-mail on this machine (printed, in a file, dropped).
UNDELIVERED_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def _last_admin(membership: Membership, organization: Organization) -> str:
    return (
        f"{membership.user.get_username()} is the last admin of {organization.name}, so they "
        "stay an admin: make someone else an admin first. An organization always keeps one, "
        "so that someone can still manage its connections, members and settings."
    )


def _lock_admins(organization: Organization) -> set[int]:
    """Lock the organization's admin memberships until the transaction ends; their ids."""
    return set(
        Membership.objects.select_for_update()
        .filter(organization=organization, role=Membership.Role.ADMIN)
        .values_list("pk", flat=True)
    )


def _locked_membership(organization: Organization, membership: Membership) -> Membership:
    found = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=membership.pk, organization=organization)
        .first()
    )
    if found is None:
        raise ValidationError("This person is no longer a member of the organization.")
    return found


def _audit_member(
    organization: Organization,
    action: str,
    *,
    object_id: Any,
    name: str,
    changes: dict[str, Any] | None = None,
) -> None:
    audit_record(
        organization=organization,
        action=action,
        object_type="member",
        object_id=object_id,
        object_name=name,
        changes=changes,
    )


def _invitations_by_revoke(organization: Organization, user: Any) -> None:
    """An admin who stops being one can't come back through a link they made (admins see each
    new link to copy): their open invitations are withdrawn with them."""
    for invitation in Invitation.objects.select_for_update().filter(
        organization=organization,
        invited_by=user,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ):
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit_member(
            organization,
            "revoked the invitation",
            object_id=invitation.pk,
            name=invitation.email,
            changes={"why": f"{user.get_username()}, who invited them, is no longer an admin"},
        )


def membership_role_change(
    *, organization: Organization, membership: Membership, role: str
) -> Membership:
    """Make someone an admin or a member; the last admin stays one."""
    admin_check(organization=organization, what=MANAGE)
    if role not in ROLE_NAMES:
        raise ValidationError("Choose Admin or Member.")
    with transaction.atomic():
        admins = _lock_admins(organization)
        membership = _locked_membership(organization, membership)
        before = membership.role
        if before == role:
            return membership
        if before == Membership.Role.ADMIN and admins <= {membership.pk}:
            raise ValidationError(_last_admin(membership, organization))
        membership.role = role
        membership.save(update_fields=["role"])
        if role != Membership.Role.ADMIN:
            _invitations_by_revoke(organization, membership.user)
        _audit_member(
            organization,
            "changed",
            object_id=membership.user_id,
            name=membership.user.get_username(),
            changes={"role": [ROLE_NAMES[before], ROLE_NAMES[role]]},
        )
    return membership


@dataclass(frozen=True)
class RemovedMember:
    name: str
    deactivated: bool  # the account was switched off (not staff or a superuser)


def membership_remove(*, organization: Organization, membership: Membership) -> RemovedMember:
    """Take someone out of the organization (the last admin stays)."""
    admin_check(organization=organization, what=MANAGE)
    with transaction.atomic():
        admins = _lock_admins(organization)
        membership = _locked_membership(organization, membership)
        user = membership.user
        if membership.role == Membership.Role.ADMIN and admins <= {membership.pk}:
            raise ValidationError(_last_admin(membership, organization))
        name, role = user.get_username(), membership.role
        membership.delete()
        _invitations_by_revoke(organization, user)
        for notification_settings in NotificationSettings.objects.filter(organization=organization):
            notification_settings.recipients.remove(user)
        deactivated = not (user.is_staff or user.is_superuser)
        if deactivated:
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["is_active", "password"])
        _audit_member(
            organization,
            "removed",
            object_id=user.pk,
            name=name,
            changes={"role": ROLE_NAMES[role]},
        )
    return RemovedMember(name=name, deactivated=deactivated)


# -- invitations ---------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(token.encode()).hexdigest()


def _account_problem(email: str, organization: Organization) -> str:
    """Why this address can't join the organization (it has an account already), or ""."""
    user = get_user_model().objects.filter(username__iexact=email).first()
    if user is None:
        return ""
    membership = Membership.objects.filter(user=user).select_related("organization").first()
    if membership is not None and membership.organization_id == organization.pk:
        return f"{email} is already a member of {organization.name}."
    if membership is not None:
        return (
            f"{email} already has a Syncline account in another organization, and a person "
            "belongs to one organization only, so nothing was changed. They can ask that "
            "organization's admins to remove them first, or be invited with another address."
        )
    if user.is_active or user.is_staff or user.is_superuser:
        return (
            f"{email} already has a Syncline account, so nothing was changed. A Syncline "
            "administrator can add it to this organization in the Django admin."
        )
    return ""  # someone removed earlier: joining again switches their account back on


def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: Any
) -> tuple[Invitation, str]:
    """Invite someone; returns the invitation and its token (shown once, never stored)."""
    admin_check(organization=organization, what=MANAGE)
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError(
            {"email": ["Enter an e-mail address, such as ana@example.com."]}
        ) from error
    if role not in ROLE_NAMES:
        raise ValidationError({"role": ["Choose Admin or Member."]})
    problem = _account_problem(email, organization)
    if problem:
        raise ValidationError({"email": [problem]})
    now = timezone.now()
    pending = Invitation.objects.filter(
        organization=organization,
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).first()
    if pending is not None:
        raise ValidationError(
            {
                "email": [
                    f"{email} was invited on {_day(pending.created_at)} and the invitation "
                    "is still open. To send a new link, revoke that one first."
                ]
            }
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            token_hash=invitation_token_hash(token),
            invited_by=invited_by if getattr(invited_by, "pk", None) else None,
            expires_at=now + timedelta(days=settings.SYNCLINE_INVITATION_DAYS),
        )
        _audit_member(
            organization,
            "invited",
            object_id=invitation.pk,
            name=email,
            changes={
                "role": ROLE_NAMES[role],
                "expires": f"{_day(invitation.expires_at)}, {invitation.expires_at:%H:%M} UTC",
            },
        )
    return invitation, token


def invitation_email(*, invitation: Invitation, link: str) -> str:
    """E-mail the link to the invited address; "" when sent, else why not (in words).

    Called after the invitation is saved, outside any transaction (it talks to a mail server).
    """
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "An admin"
    organization = invitation.organization.name
    body = (
        f"{inviter} invited you to join {organization} on Syncline as "
        f"{'an admin' if invitation.role == Membership.Role.ADMIN else 'a member'}.\n\n"
        f"Open this link to choose a password and join:\n{link}\n\n"
        f"The link works once, until {_day(invitation.expires_at)}, "
        f"{invitation.expires_at:%H:%M} UTC. If you "
        "didn't expect it, ignore this e-mail.\n"
    )
    if settings.EMAIL_BACKEND in UNDELIVERED_BACKENDS:
        # Not "sent" to the console or a file either: that would put a working link into the
        # web process's logs, for anyone who reads them to join with.
        return (
            f"E-mail is not set up on this Syncline (EMAIL_BACKEND), so nothing reaches "
            f"{invitation.email}: copy the link and send it yourself."
        )
    try:
        send_mail(f"Join {organization} on Syncline", body, None, [invitation.email])
    except Exception as error:  # a mail server down must not lose the invitation
        logger.warning("The invitation e-mail to %s was not sent: %s", invitation.email, error)
        return (
            f"Syncline could not e-mail {invitation.email} ({error.__class__.__name__}), so "
            "copy the link and send it yourself."
        )
    return ""


def invitation_revoke(*, organization: Organization, invitation: Invitation) -> bool:
    """Withdraw an invitation not used yet; whether it was open."""
    admin_check(organization=organization, what=MANAGE)
    with transaction.atomic():
        revoked = Invitation.objects.filter(
            pk=invitation.pk,
            organization=organization,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=timezone.now())
        if revoked:
            _audit_member(
                organization,
                "revoked the invitation",
                object_id=invitation.pk,
                name=invitation.email,
            )
    return bool(revoked)


def _refuse_unless_open(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise InvitationRefused(INVITATION_UNKNOWN, status=404)
    state = invitation.state()
    if state == "accepted":
        raise InvitationRefused(INVITATION_USED, status=410)
    if state == "revoked":
        raise InvitationRefused(
            INVITATION_REVOKED.format(org=invitation.organization.name), status=410
        )
    if state == "expired":
        raise InvitationRefused(INVITATION_EXPIRED, status=410)
    return invitation


def invitation_for_token(*, token: str) -> Invitation:
    """The open invitation a link's token is, or InvitationRefused saying why not."""
    return _refuse_unless_open(
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def invitation_accept(*, token: str, password: str) -> Any:
    """Join with the invitation: the account (username = the e-mail) and its membership.

    Single-use under a double submit: the invitation row is locked, then marked accepted with
    a conditional UPDATE; the second submit finds it used and creates nothing. Raises
    InvitationRefused (the link) or ValidationError ({"password": [...]}, the password).
    """
    try:
        return _accept(token=token, password=password)
    except IntegrityError as error:  # the same address joined elsewhere at the same moment
        raise InvitationRefused(
            "This e-mail address got a Syncline account a moment ago, so nothing was changed. "
            "Sign in with it, or ask the admin who invited you.",
            status=409,
        ) from error


@transaction.atomic
def _accept(*, token: str, password: str) -> Any:
    user_model = get_user_model()
    invitation = _refuse_unless_open(
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    organization = invitation.organization
    problem = _account_problem(invitation.email, organization)
    if problem:
        raise InvitationRefused(problem, status=409)
    user = user_model.objects.filter(username__iexact=invitation.email).first()
    candidate = user or user_model(username=invitation.email, email=invitation.email)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    now = timezone.now()
    used = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now)
    if not used:  # the row lock makes this the backstop, for databases without one (SQLite)
        raise InvitationRefused(INVITATION_USED, status=410)
    candidate.email = invitation.email
    candidate.is_active = True
    candidate.set_password(password)
    candidate.save()
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=candidate)
    Membership.objects.create(user=candidate, organization=organization, role=invitation.role)
    audit_record(
        organization=organization,
        action="joined",
        object_type="member",
        object_id=candidate.pk,
        object_name=candidate.get_username(),
        changes={"role": ROLE_NAMES[invitation.role]},
        actor=Actor(user=candidate, label=candidate.get_username()),
    )
    return candidate


def _day(moment: Any) -> str:
    """ "8 Dec 2026" """
    return f"{moment.day} {moment:%b %Y}"
