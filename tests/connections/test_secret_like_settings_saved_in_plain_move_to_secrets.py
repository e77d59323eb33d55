"""Connections saved before `looks_secret` knew "sshPrivateKey" or "client_key" kept them in the
plain configuration; migration 0005 moves them into the encrypted secrets and keeps the rest."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("connections", "0004_oauth_sign_in_link")]
AFTER = [("connections", "0005_secret_like_settings_move_to_secrets")]


def _migrate(targets):
    executor = MigrationExecutor(db)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_migration_moves_credential_named_settings_into_the_secrets():
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory()
    old = _migrate(BEFORE)
    saved = old.get_model("connections", "Connection").objects.create(
        organization_id=organization.pk,
        name="Old warehouse",
        type="postgresql",
        configuration={
            "hostname": "db.example.com",
            "sshPrivateKey": "-----BEGIN",
            "client_key": "k",
        },
        secrets={"password": "pw"},
    )
    try:
        new = _migrate(AFTER)
        moved = new.get_model("connections", "Connection").objects.get(pk=saved.pk)
        assert moved.configuration == {"hostname": "db.example.com"}
        assert moved.secrets == {"password": "pw", "sshPrivateKey": "-----BEGIN", "client_key": "k"}
    finally:
        _migrate(MigrationExecutor(db).loader.graph.leaf_nodes())
