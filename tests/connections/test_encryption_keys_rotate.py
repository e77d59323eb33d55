from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import override_settings

from connections.encryption import SecretDecryptionError
from connections.models import Connection
from tests.factories import ConnectionFactory

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.mark.django_db
def test_data_written_with_the_old_key_still_reads_after_a_new_key_is_added():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        connection = ConnectionFactory(secrets={"password": "old-secret"})
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert Connection.objects.get(pk=connection.pk).secrets == {"password": "old-secret"}


@pytest.mark.django_db
def test_rotation_re_encrypts_so_the_old_key_can_be_dropped():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        connection = ConnectionFactory(secrets={"password": "old-secret"})
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_encryption_keys", verbosity=0)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert Connection.objects.get(pk=connection.pk).secrets == {"password": "old-secret"}


@pytest.mark.django_db
def test_a_secret_no_configured_key_can_read_fails_with_an_explanation():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        connection = ConnectionFactory(secrets={"password": "old-secret"})
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        with pytest.raises(SecretDecryptionError, match="rotate_encryption_keys"):
            Connection.objects.get(pk=connection.pk)
