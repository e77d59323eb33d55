from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-0123456789",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "syncline.example.com",
}


def _start(tmp_path: Path, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ALLOWED_HOSTS"}
    }
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings", SYNCLINE_VAR_DIR=str(tmp_path))
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_start_when_every_secret_is_given(tmp_path):
    result = _start(tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_missing_secret_key_stops_start_up_naming_the_variable(tmp_path):
    result = _start(tmp_path, SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_missing_encryption_keys_stop_start_up_naming_the_variable(tmp_path):
    result = _start(tmp_path, FIELD_ENCRYPTION_KEYS=None)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_missing_allowed_hosts_stop_start_up_naming_the_variable(tmp_path):
    result = _start(tmp_path, ALLOWED_HOSTS=None)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_debug_mode_generates_keys_once_under_var(tmp_path):
    for _ in range(2):
        result = _start(
            tmp_path, DEBUG="true", SECRET_KEY=None, FIELD_ENCRYPTION_KEYS=None, ALLOWED_HOSTS=None
        )
        assert result.returncode == 0, result.stderr
    key_file = tmp_path / "field_encryption_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    Fernet(key_file.read_text().strip().encode())  # a valid key, reused on the second start
    assert (tmp_path / "secret_key").exists()
