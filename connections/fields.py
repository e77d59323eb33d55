"""A model field whose JSON value is stored encrypted (see connections.encryption)."""

from __future__ import annotations

from typing import Any

from django.db import models

from connections.encryption import decrypt_json, encrypt_json


class EncryptedJSONField(models.TextField):
    """A dict of secrets; the database column only ever holds a Fernet token."""

    description = "JSON encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return {}
        return decrypt_json(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        if value is None or value == "":
            return {}
        return decrypt_json(value)

    def get_prep_value(self, value: Any) -> str:
        return encrypt_json(value or {})

    def value_to_string(self, obj: models.Model) -> str:
        # Serialization (dumpdata) keeps the ciphertext, never the plaintext.
        return self.get_prep_value(self.value_from_object(obj))
