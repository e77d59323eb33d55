"""Writes for organizations, memberships and API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from organizations.models import ApiKey, Membership, NotificationSettings, Organization

API_KEY_PREFIX = "sl_"


def api_key_hash(raw_key: str) -> str:
    # API keys are 256 random bits: a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(
    *, organization: Organization, name: str, created_by: AbstractUser | None = None
) -> tuple[ApiKey, str]:
    """Create a key; the raw key is returned once and never stored."""
    api_key = ApiKey(organization=organization, name=name, created_by=created_by)
    raw_key = api_key_assign_new_secret(api_key=api_key)
    with transaction.atomic():
        api_key.save()
        api_key_audit(api_key, "created")
    return api_key, raw_key


def api_key_assign_new_secret(*, api_key: ApiKey) -> str:
    """Give an unsaved key a fresh secret; returns the raw key (kept only as its hash)."""
    raw_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    api_key.prefix = raw_key[:10]
    api_key.key_hash = api_key_hash(raw_key)
    return raw_key


# last_used_at is "about when", not an audit log: one write a minute at most per key, so a
# script's thousand calls don't become a thousand UPDATEs of one row.
API_KEY_USE_RESOLUTION = timedelta(minutes=1)


def api_key_mark_used(*, api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < API_KEY_USE_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - API_KEY_USE_RESOLUTION)
    ).update(last_used_at=now)
    api_key.last_used_at = now


def api_key_revoke(*, api_key: ApiKey) -> None:
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            api_key_audit(api_key, "revoked")


def api_key_audit(api_key: ApiKey, action: str) -> None:
    from organizations.audit import audit_record

    audit_record(
        organization=api_key.organization_id,
        action=action,
        object_type="API key",
        object_id=api_key.pk,
        object_name=f"{api_key.name} ({api_key.prefix}…)",
    )


@transaction.atomic
def organization_bootstrap(
    *, organization_name: str, email: str, password: str, superuser: bool = True
) -> tuple[Organization, AbstractUser, bool]:
    """Create (or update) an organization and its admin user; safe to run again.

    Returns the organization, the user and whether the user was newly created.
    """
    organization, _ = Organization.objects.get_or_create(name=organization_name)
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=email, defaults={"email": email})
    user.email = email
    user.set_password(password)
    user.is_staff = user.is_staff or superuser
    user.is_superuser = user.is_superuser or superuser
    user.save()
    Membership.objects.update_or_create(
        user=user, defaults={"organization": organization, "role": Membership.Role.ADMIN}
    )
    return organization, user, created


@transaction.atomic
def membership_ensure_for_first_user(*, user: AbstractUser) -> Membership | None:
    """The first person in (a superuser, before any organization exists) gets one."""
    existing = Membership.objects.filter(user=user).first()
    if existing or not user.is_superuser or Organization.objects.exists():
        return existing
    organization = Organization.objects.create(name="My organization")
    return Membership.objects.create(
        user=user, organization=organization, role=Membership.Role.ADMIN
    )


def notification_settings_update(
    *,
    organization: Organization,
    user: AbstractUser,
    recipients: list[AbstractUser],
    on_failure: bool,
    rejected_percent: int | None,
) -> NotificationSettings:
    """Admins choose who is e-mailed about runs; recipients must belong to the organization."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if not Membership.objects.filter(
        user=user, organization=organization, role=Membership.Role.ADMIN
    ).exists():
        raise PermissionDenied("Only the organization's admins change its notifications.")
    members = set(
        Membership.objects.filter(organization=organization).values_list("user_id", flat=True)
    )
    outsiders = [person for person in recipients if person.pk not in members]
    if outsiders:
        raise ValidationError({"recipients": ["E-mails go only to people of this organization."]})
    if rejected_percent is not None and not 0 <= rejected_percent <= 100:
        raise ValidationError(
            {"rejected_percent": ["Give a percentage from 0 to 100, or leave it empty."]}
        )
    no_address = [person.get_username() for person in recipients if not person.email]
    if no_address:
        raise ValidationError(
            {"recipients": [f"{', '.join(no_address)} has no e-mail address to send to."]}
        )
    with transaction.atomic():
        notification_settings, _ = NotificationSettings.objects.select_for_update().get_or_create(
            organization=organization
        )
        notification_settings.on_failure = on_failure
        notification_settings.rejected_percent = rejected_percent
        notification_settings.save()
        notification_settings.recipients.set(recipients)
    return notification_settings


def api_key_create_named(
    *, organization: Organization, name: str, created_by: AbstractUser | None = None
) -> tuple[ApiKey, str]:
    """api_key_create for a name a person typed: refused in a sentence when empty or taken."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the key a name that says where it is used, e.g. “CI”.")
    if len(name) > 200:
        raise ValidationError("Keep the key's name under 200 characters.")
    if ApiKey.objects.filter(organization=organization, name=name).exists():
        raise ValidationError(f"A key named “{name}” exists already. Choose another name.")
    return api_key_create(organization=organization, name=name, created_by=created_by)


def organization_name_problem(*, organization: Organization, name: str) -> str:
    """Why `name` (spaces already collapsed) can't be the organization's, or "". Names are
    unique whatever their case; one that differed only in case before this rule keeps its own."""
    if not name:
        return "Give the organization a name."
    if len(name) > 200:
        return "Keep the name under 200 characters."
    if (
        name.lower() != organization.name.lower()
        and Organization.objects.filter(name__iexact=name).exclude(pk=organization.pk).exists()
    ):
        return "Another organization on this server has that name; choose another."
    return ""


def organization_update(*, organization: Organization, name: str, time_zone: str) -> Organization:
    """An organization's name and time zone, changed by an admin; refused in a sentence.

    Schedules are read in the time zone ("daily at 9:00"), so the next run of every scheduled
    sync is worked out again in the new one, in the same transaction.
    """
    from zoneinfo import available_timezones

    name = " ".join(name.split())
    errors: dict[str, list[str]] = {}
    problem = organization_name_problem(organization=organization, name=name)
    if problem:
        errors["name"] = [problem]
    if time_zone not in available_timezones():
        errors["time_zone"] = [
            "Choose a time zone from the list, such as Europe/Paris or America/New_York."
        ]
    if errors:
        raise ValidationError(errors)
    try:
        _organization_save(organization, name, time_zone)
    except IntegrityError:  # the same name taken at the same moment
        raise ValidationError(
            {"name": ["Another organization on this server has that name; choose another."]}
        ) from None
    organization.name, organization.time_zone = name, time_zone
    return organization


def _organization_save(organization: Organization, name: str, time_zone: str) -> None:
    from organizations.audit import audit_record, changes_between

    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        before = {"name": locked.name, "time zone": locked.time_zone}
        locked.name, locked.time_zone = name, time_zone
        locked.save(update_fields=["name", "time_zone"])
        changes = changes_between(before, {"name": name, "time zone": time_zone})
        if changes:
            audit_record(
                organization=locked,
                action="changed",
                object_type="organization",
                object_id=locked.pk,
                object_name=name,
                changes=changes,
            )
        if before["time zone"] != time_zone:
            from syncs.services import sync_next_runs_recompute

            sync_next_runs_recompute(organization=locked)
