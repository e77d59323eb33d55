"""What `make demo` prepares: the demo organization and its admin, the demo warehouse
connection ("Demo warehouse", so step 1 of a walkthrough can be skipped), and an API key.

Safe to run again: a second `make demo` reuses all of it, the API key included (its raw value
is kept in a file under var/, readable only by its owner, since the database keeps only hashes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import AbstractUser

from connections.models import Connection
from connections.services import connection_create
from organizations.models import ApiKey, Organization
from organizations.services import (
    api_key_assign_new_secret,
    api_key_hash,
    organization_bootstrap,
)

DEMO_WAREHOUSE_NAME = "Demo warehouse"
DEMO_KEY_NAME = "Demo key"


@dataclass(frozen=True)
class Demo:
    organization: Organization
    user: AbstractUser
    warehouse: Connection
    api_key: str


def demo_prepare(
    *,
    organization_name: str,
    email: str,
    password: str,
    warehouse_host: str,
    warehouse_port: int,
    key_file: Path,
) -> Demo:
    organization, user, _ = organization_bootstrap(
        organization_name=organization_name, email=email, password=password
    )
    warehouse = _demo_warehouse(organization, user, warehouse_host, warehouse_port)
    return Demo(organization, user, warehouse, _demo_api_key(organization, user, key_file))


def _demo_warehouse(
    organization: Organization, user: AbstractUser, host: str, port: int
) -> Connection:
    from sandbox.warehouse import ACCOUNT, DATABASE, PASSWORD, SCHEMA, USER

    existing = Connection.objects.filter(
        organization=organization, name=DEMO_WAREHOUSE_NAME
    ).first()
    if existing is not None:
        return existing
    return connection_create(
        organization=organization,
        name=DEMO_WAREHOUSE_NAME,
        type="snowflake",
        values={
            "account": ACCOUNT,
            "username": USER,
            "password": PASSWORD,
            "dbname": DATABASE,
            "schema": SCHEMA,
            "host": host,
            "port": str(port),
            "protocol": "http",
        },
        created_by=user,
    )


def _demo_api_key(organization: Organization, user: AbstractUser, key_file: Path) -> str:
    kept = key_file.read_text().strip() if key_file.exists() else ""
    if (
        kept
        and ApiKey.objects.filter(
            organization=organization, key_hash=api_key_hash(kept), revoked_at__isnull=True
        ).exists()
    ):
        return kept
    api_key = ApiKey.objects.filter(organization=organization, name=DEMO_KEY_NAME).first()
    if api_key is None:
        api_key = ApiKey(organization=organization, name=DEMO_KEY_NAME, created_by=user)
    raw = api_key_assign_new_secret(api_key=api_key)
    api_key.revoked_at = None
    api_key.save()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(raw + "\n")
    os.chmod(key_file, 0o600)
    return raw
