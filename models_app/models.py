"""A SQL model: a read-only query over a source connection, with the fields it returns."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SqlModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="sql_models"
    )
    name = models.CharField(max_length=200)
    source = models.ForeignKey(
        "connections.Connection", on_delete=models.PROTECT, related_name="sql_models"
    )
    query = models.TextField()
    # Discovered columns: [{"name": "EMAIL", "type": "string", "remote_type": "VARCHAR"}, ...]
    fields = models.JSONField(default=list, blank=True)
    identifier = models.CharField(
        max_length=255, blank=True, default="", help_text="Suggested identity column."
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "SQL model"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="model_name_unique_per_org",
                violation_error_message="A model with this name already exists. Choose another.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def field_names(self) -> list[str]:
        return [field["name"] for field in self.fields]
