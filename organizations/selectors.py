"""Reads for organizations, their people, invitations and API keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from organizations.models import ApiKey, Invitation, Membership, Organization
from organizations.services import api_key_hash


def membership_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("organization").filter(user=user).first()


def api_key_for_raw_key(*, raw_key: str) -> ApiKey | None:
    """The live key (with its organization) a raw key is, or None: unknown or revoked."""
    return (
        ApiKey.objects.select_related("organization")
        .filter(key_hash=api_key_hash(raw_key), revoked_at__isnull=True)
        .first()
    )


def organization_for_api_key(*, raw_key: str) -> Organization | None:
    """The organization an API key acts for, or None for an unknown or revoked key."""
    api_key = api_key_for_raw_key(raw_key=raw_key)
    return api_key.organization if api_key else None


def api_key_list(*, organization: Organization) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(organization=organization).select_related("created_by")


def api_key_get(*, organization: Organization, key_id: object) -> ApiKey | None:
    try:
        return ApiKey.objects.filter(organization=organization, pk=key_id).first()
    except (ValueError, ValidationError):
        return None


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    """The organization's people, admins first, then by name."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "user__username")
    )


def membership_get(*, organization: Organization, membership_id: object) -> Membership | None:
    try:
        return (
            Membership.objects.filter(organization=organization, pk=int(str(membership_id)))
            .select_related("user")
            .first()
        )
    except (ValueError, TypeError):
        return None


def invitation_pending_list(*, organization: Organization) -> QuerySet[Invitation]:
    """Invitations not used, revoked or expired yet, newest first."""
    return Invitation.objects.filter(
        organization=organization,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def invitation_get(*, organization: Organization, invitation_id: object) -> Invitation | None:
    try:
        return Invitation.objects.filter(organization=organization, pk=invitation_id).first()
    except (ValueError, ValidationError):
        return None
