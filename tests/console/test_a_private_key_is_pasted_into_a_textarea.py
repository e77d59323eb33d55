from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from connections.forms import SnowflakeConnectionForm
from connections.kept_secrets import KeptSecrets

pytestmark = pytest.mark.django_db


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_the_private_key_box_is_a_textarea_that_never_shows_the_key_again(client, admin):
    client.force_login(admin)
    url = reverse("connections:create", args=["snowflake"])
    page = client.get(url).content.decode()
    assert '<textarea name="private_key"' in page
    assert 'type="password" name="private_key_passphrase"' in page
    pem = _pem()
    form = {"name": "Keyed", "account": "acme-xy12345", "username": "u", "dbname": "D"}
    # An unknown host fails the Test; the page comes back with the key box empty.
    answer = client.post(url, {**form, "host": "nonexistent.invalid", "private_key": pem})
    html = answer.content.decode()
    assert "BEGIN PRIVATE KEY" not in html
    assert pem.splitlines()[1] not in html


def test_a_pasted_key_keeps_its_line_breaks_for_test_and_save(client, member):
    pem = _pem().replace("\n", "\r\n")  # as a browser sends a textarea
    data = {"name": "Keyed", "account": "acme-xy12345", "username": "u", "dbname": "D"}
    form = SnowflakeConnectionForm({**data, "private_key": pem})
    assert form.is_valid(), form.errors
    assert form.values()["private_key"] == pem.replace("\r\n", "\n").strip()
    assert serialization.load_pem_private_key(form.values()["private_key"].encode(), None)
    # Kept from a Test for the Save, line breaks and all.
    session: dict = {}
    kept = KeptSecrets(session, type_key="snowflake")
    kept.keep(configuration=form.configuration(), secrets=form.typed_secrets())
    again = SnowflakeConnectionForm({**data, "private_key": ""}, kept=kept)
    assert again.is_valid(), again.errors
    assert again.values()["private_key"] == form.values()["private_key"]
