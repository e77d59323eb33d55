"""A connection to a warehouse or SaaS tool: an organization's asset, its secrets encrypted."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from connections.fields import EncryptedJSONField
from connections.registry import CONNECTION_TYPE_CHOICES, CONNECTION_TYPES


class Connection(models.Model):
    class Status(models.TextChoices):
        HEALTHY = "healthy", "Healthy"
        NEEDS_AUTH = "needs_auth", "Needs to be reconnected"
        ERROR = "error", "Error"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="connections"
    )
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=CONNECTION_TYPE_CHOICES)
    configuration = models.JSONField(default=dict, blank=True, help_text="Non-secret settings.")
    secrets = EncryptedJSONField(blank=True, default=dict, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HEALTHY)
    status_error = models.TextField(blank=True, default="")
    last_checked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="connection_name_unique_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=list(CONNECTION_TYPES)), name="connection_type_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["healthy", "needs_auth", "error"]),
                name="connection_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_type_display()})"

    @property
    def secret_names(self) -> list[str]:
        """Which secrets are saved, without their values."""
        return sorted(key for key, value in self.secrets.items() if value)


class RateLimitWindow(models.Model):
    """A destination account's calls of the last rate-limit window (embedded mode; see
    connections/destinations/ratelimit.py). With Redis configured (RATE_LIMIT_REDIS_URL) they
    live there instead."""

    key = models.CharField(max_length=255, primary_key=True)
    # [[time, cost], ...] oldest first: every call (or cost the vendor counted elsewhere) of the
    # last window and margin, so no stretch of the vendor's window holds more than its limit.
    log = models.JSONField(default=list, blank=True)
    used = models.PositiveIntegerField(default=0)  # the sum of the log's costs
    # No call before this time (seconds since the epoch): a throttle with Retry-After.
    blocked_until = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"{self.key}: {self.used} in the last window"


class OAuthLink(models.Model):
    """A connection's `auth_url` (the REST API's answer for OAuth types): opened once, in any
    browser, without a console login, before it expires (connections/oauth/links.py).

    The URL carries only a signed reference to this row; the row says whether it was used, so a
    copied or replayed link is refused even while its signature is still valid.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="oauth_links")
    # Where the browser goes once the consent is done (the API's `redirect_url`); else our page.
    redirect_url = models.URLField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"auth link for {self.connection_id} ({'used' if self.used_at else 'unused'})"
