"""Test settings: the embedded defaults, plus PostgreSQL when one answers on this machine.

``make test`` on a machine running PostgreSQL uses it (``DATABASE_URL``, or 127.0.0.1:5432
database ``test``); without one the suite runs on SQLite and service tests say why they skipped.
"""

from __future__ import annotations

import os
import tempfile

from config.services_probe import postgres_url_if_reachable

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SYNCLINE_VAR_DIR", tempfile.mkdtemp(prefix="syncline-test-var-"))
if "DATABASE_URL" not in os.environ and os.environ.get("SYNCLINE_TEST_SQLITE") != "1":
    _url = postgres_url_if_reachable()
    if _url:
        os.environ["DATABASE_URL"] = _url

from config.settings import *  # noqa: F403

# The tests' warehouses (the demo warehouse, PostgreSQL) listen on 127.0.0.1.
SYNCLINE_ALLOW_PRIVATE_HOSTS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Suites that send many requests with one key (fuzzing) must not meet the per-key rate limit;
# tests of the limit set their own (tests/api/test_limits.py).
SYNCLINE_API_RATE_LIMIT = "1000000/60"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # A test database per run, so two runs on one server (a developer's and CI's) never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_syncline_{os.getpid()}"}  # noqa: F405
