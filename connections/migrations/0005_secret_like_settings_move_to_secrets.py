"""Settings named like credentials (sshPrivateKey, apiKey, client_key, …) that a connection's
type doesn't list were kept in the plain configuration until `looks_secret` compared names
without their separators; move any saved that way into the encrypted secrets."""

from __future__ import annotations

import re

from django.db import migrations

# As connections.services.SECRET_WORDS read when this migration was written (frozen here:
# a migration must do tomorrow what it does today).
SECRET_WORDS = (
    "password",
    "passwd",
    "secret",
    "token",
    "privatekey",
    "apikey",
    "passphrase",
    "clientkey",
    "sslkey",
    "credential",
)


def _looks_secret(key: str) -> bool:
    name = re.sub(r"[^a-z0-9]", "", key.lower())
    return any(word in name for word in SECRET_WORDS)


def move(apps, schema_editor):
    Connection = apps.get_model("connections", "Connection")
    for connection in Connection.objects.all().iterator():
        configuration = dict(connection.configuration or {})
        moved = {key: configuration.pop(key) for key in list(configuration) if _looks_secret(key)}
        if not moved:
            continue
        secrets = dict(connection.secrets or {})
        for key, value in moved.items():
            secrets.setdefault(key, value)
        connection.configuration, connection.secrets = configuration, secrets
        connection.save(update_fields=["configuration", "secrets"])


class Migration(migrations.Migration):
    dependencies = [("connections", "0004_oauth_sign_in_link")]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
