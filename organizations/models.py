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
        """ "Changed the connection “Analytics”", "Started a run of the sync “Leads”"."""
        joiner = " of" if self.action.endswith(" run") else ""
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
