"""Re-encrypt stored secrets with the newest key of FIELD_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from connections.services import connection_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every connection's secrets with the first key of FIELD_ENCRYPTION_KEYS. "
        "Run it after putting a new key in front; then the old key can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = connection_secrets_rotate()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the secrets of {count} connection(s)."))
