"""Organizations own everything; people belong to one with a role; API keys act for one."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    # Schedules ("daily at 9:00") are read in this zone (an IANA name).
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    # One organization per person: every page and API call is scoped by it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "member"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()} of {self.organization})"


class ApiKey(models.Model):
    """A key for the REST API. Only its SHA-256 is stored; the key itself is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=200)
    prefix = models.CharField(
        max_length=16, help_text="The key's first characters, to recognise it."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="api_key_name_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class NotificationSettings(models.Model):
    """Whom to e-mail about an organization's sync runs, and when (organization settings)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="notification_settings"
    )
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    on_failure = models.BooleanField(
        default=True, help_text="E-mail when a run fails (stops before it finishes)."
    )
    # E-mail when a completed run's rejected rows exceed this share of its rows; null: never.
    rejected_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "notification settings"
        verbose_name_plural = "notification settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rejected_percent__isnull=True)
                | models.Q(rejected_percent__gte=0, rejected_percent__lte=100),
                name="notification_rejected_percent_range",
                violation_error_message="The share of rejected rows is a percentage, 0 to 100.",
            ),
        ]

    def __str__(self) -> str:
        return f"Notifications of {self.organization}"


class NotificationSent(models.Model):
    """One e-mail sent about one run: a task delivered twice finds it and sends nothing."""

    execution_id = models.UUIDField(unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20)
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "notification sent"
        verbose_name_plural = "notifications sent"

    def __str__(self) -> str:
        return f"{self.reason} for {self.execution_id}"


class AuditEntry(models.Model):
    """Who did what to which connection, model, sync, API key, member or run. Written by the
    services, read by admins; never changed or deleted (save and delete refuse)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # As it read when it happened: "ana@acme.test", "API key “CI” (sl_Ab12cd…)", "Syncline".
    actor_label = models.CharField(max_length=300)
    action = models.CharField(max_length=40)  # created, changed, deleted, connected, ...
    object_type = models.CharField(max_length=30)  # connection, model, sync, api key, ...
    object_id = models.CharField(max_length=64)
    object_name = models.CharField(max_length=300)
    # {setting: [before, after]}; secrets appear only as "changed", never their values.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type} {self.object_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionError("The audit trail is kept as it was written.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is kept as it was written.")

    def summary(self) -> str:
        """ "Changed the connection “Analytics”", "Started a run of the sync “Leads”",
        "Revoked the invitation of the member “ana@acme.test”"."""
        if self.action == "joined":
            return f"Accepted the invitation and joined as “{self.object_name}”"
        joiner = " of" if self.action.endswith((" run", " invitation")) else ""
        return f"{self.action.capitalize()}{joiner} the {self.object_type} “{self.object_name}”"

    def details(self) -> list[str]:
        """The changes in words: "name: Old → New", "password changed", "run: 1f2e…"."""
        lines = []
        for key, value in self.changes.items():
            if value == "changed":
                lines.append(f"{key} changed")
            elif isinstance(value, list) and len(value) == 2:
                before, after = (_short(v) for v in value)
                lines.append(
                    f"{key}: {before} → {after}" if value[0] is not None else f"{key}: {after}"
                )
            else:
                lines.append(f"{key}: {_short(value)}")
        return lines


def _short(value: object, limit: int = 80) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = "(none)" if value in (None, "", [], {}) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Invitation(models.Model):
    """An admin's invitation to join an organization: a link with a token, working once, until
    it expires. Only the token's SHA-256 is stored; the link itself is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "member"]), name="invitation_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization}"

    def state(self, now: object = None) -> str:
        """pending, accepted, revoked or expired."""
        from django.utils import timezone

        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "pending"
