"""Shared fixtures, and the rule for tests that need a service: skip with the reason, fail in CI."""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connection

from config.services_probe import redis_url

CHROMIUM = "/usr/bin/chromium"

# Fixtures for sync runs (warehouse, destinations, make_sync, run), used by engine and
# integration tests.
pytest_plugins = ["tests.engine_fixtures"]


def _needs(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must not skip: {reason}")
    pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _needs("needs PostgreSQL as the app database: run it on 127.0.0.1:5432 or set DATABASE_URL")
    if item.get_closest_marker("redis") and redis_url() is None:
        _needs("needs Redis: run it on 127.0.0.1:6379 or set REDIS_URL")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _needs("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture
def organization(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory()


@pytest.fixture
def member(organization):
    from tests.factories import MembershipFactory

    return MembershipFactory(organization=organization).user


@pytest.fixture
def admin(organization):
    """An admin of the organization: the one who manages its connections, keys and people."""
    from tests.factories import MembershipFactory

    return MembershipFactory(organization=organization, role="admin").user


@pytest.fixture
def superuser(db, organization):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=user, organization=organization, role="admin")
    return user


@pytest.fixture
def sandbox():
    """The vendor emulators on a free local port, fresh for each test."""
    from sandbox.server import running_sandbox

    with running_sandbox() as running:
        yield running


@pytest.fixture
def http():
    import httpx

    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def postgres_warehouse():
    """A schema of its own in a real PostgreSQL server, used as a model source; dropped after."""
    import uuid
    from urllib.parse import urlsplit

    import psycopg

    from config.services_probe import postgres_url_if_reachable

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = postgres_url_if_reachable() or ""
    if not url:
        _needs("needs a PostgreSQL server: run it on 127.0.0.1:5432 or set DATABASE_URL")
    parts = urlsplit(url)
    settings = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "database": parts.path.lstrip("/") or "test",
        "username": parts.username or "postgres",
        "password": parts.password or "",
    }
    schema = f"syncline_src_{uuid.uuid4().hex[:10]}"
    dsn = {k: v for k, v in settings.items() if k not in {"database", "username", "password"}}
    admin = psycopg.connect(
        dbname=settings["database"],
        user=settings["username"],
        password=settings["password"] or None,
        autocommit=True,
        **dsn,
    )
    admin.execute(f"CREATE SCHEMA {schema}")
    admin.execute(
        f"CREATE TABLE {schema}.users (email text, first_name text, last_name text, "
        "plan text, last_activity_date date)"
    )
    admin.execute(
        f"INSERT INTO {schema}.users SELECT 'person' || n || '@example.com', 'First' || n, "
        "'Last' || n, (ARRAY['free','pro','gold'])[1 + n % 3], DATE '2026-01-01' + n % 300 "
        "FROM generate_series(1, 120) AS n"
    )
    try:
        yield {**settings, "schema": schema, "admin": admin}
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


@pytest.fixture(scope="session")
def demo_warehouse_dir(tmp_path_factory):
    """A demo warehouse data directory, seeded once per test session."""
    from sandbox.warehouse import running_warehouse

    data_dir = tmp_path_factory.mktemp("demo-warehouse")
    with running_warehouse(data_dir, seed=True):
        pass
    return data_dir


@pytest.fixture(scope="module")
def demo_warehouse(demo_warehouse_dir):
    """The demo warehouse served on a free port; yields the Snowflake form's settings."""
    from sandbox.warehouse import ACCOUNT, DATABASE, PASSWORD, SCHEMA, USER, running_warehouse

    with running_warehouse(demo_warehouse_dir, seed=False) as settings:
        yield {
            "account": ACCOUNT,
            "username": USER,
            "password": PASSWORD,
            "dbname": DATABASE,
            "schema": SCHEMA,
            "host": settings["host"],
            "port": settings["port"],
            "protocol": "http",
        }


@pytest.fixture
def vendors(sandbox, settings):
    """Point every destination at the running sandbox, as SYNCLINE_SANDBOX_URL does."""
    from config.vendors import vendor_settings

    settings.VENDORS = vendor_settings(sandbox.url, environ={})
    return settings.VENDORS


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Each test starts with no calls counted against any vendor account: buckets are named
    after accounts (Salesloft's team 1, ...) that every test's sandbox shares, and a count a
    previous test left in Redis would make this one's pacing depend on the order of tests."""
    url = getattr(settings, "RATE_LIMIT_REDIS_URL", "")
    if url:
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter("syncline:ratelimit:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
    yield
