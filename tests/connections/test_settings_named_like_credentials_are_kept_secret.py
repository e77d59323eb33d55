"""A setting a connection type doesn't list is still kept encrypted, and never shown back, when
its name says it is a credential, however the caller spells it (other tools' names included)."""

from __future__ import annotations

import pytest

from connections.services import looks_secret, split_secrets


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "db_password",
        "sshPassword",
        "passwd",
        "client_secret",
        "refreshToken",
        "ssh_private_key",
        "sshPrivateKey",
        "private-key",
        "apiKey",
        "API_KEY",
        "private_key_passphrase",
        "client_key",  # a TLS client certificate's key (Polytomic's PostgreSQL setting)
        "sslkey",  # libpq's name for the same
        "credentials_json",
    ],
)
def test_a_name_that_says_credential_is_a_secret(name):
    assert looks_secret(name)
    configuration, secrets = split_secrets("postgresql", {"host": "db.example.com", name: "x"})
    assert configuration == {"host": "db.example.com"} and secrets == {name: "x"}


@pytest.mark.parametrize(
    "name",
    [
        "host",
        "port",
        "username",
        "sslmode",
        "client_id",
        "client_certificate",
        "ca_cert",
        "key_pair_auth",
        "auth_method",
        "connect_mode",
        "api_base_url",
        "accounts",
        "warehouse",
    ],
)
def test_ordinary_settings_stay_settings(name):
    assert not looks_secret(name)
