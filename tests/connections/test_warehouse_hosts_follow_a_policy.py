"""Warehouse hosts follow a policy: metadata and link-local addresses never, loopback and
private ranges only with SYNCLINE_ALLOW_PRIVATE_HOSTS, every address of a name checked."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from connections.hosts import HostRefused, host_refusal, postgres_pinned
from connections.models import Connection
from connections.services import connection_create
from connections.sources.postgres import PostgresSource
from connections.sources.snowflake import SnowflakeSource
from tests.connections.bait import postgres_bait

METADATA = [
    "169.254.169.254",
    "169.254.10.1",
    "fd00:ec2::254",
    "::ffff:169.254.169.254",
    "::169.254.169.254",
    "[fe80::1]",
    "0.0.0.0",  # noqa: S104 - an address refused, not one bound to
    "100.100.100.200",
]
PRIVATE = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.0.10",
    "::1",
    "fd12:3456::1",
    "::ffff:10.0.0.1",
    "localhost",
    "2130706433",  # 127.0.0.1 written as one number: resolvers accept it
]


@pytest.fixture
def private_hosts_off(settings):
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = False


@pytest.fixture
def dns(monkeypatch):
    """Names resolved as a test says; anything else as the system does."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host in answers:
            family = {4: socket.AF_INET, 6: socket.AF_INET6}
            return [
                (family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, 0))
                for a in answers[host]
            ]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.parametrize("host", METADATA)
def test_metadata_and_link_local_addresses_are_refused_even_with_private_hosts_allowed(
    settings, host
):
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = True
    assert "not an address a warehouse can have" in host_refusal(host)


def test_a_name_is_refused_when_any_address_it_resolves_to_is_refused(settings, dns):
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = True
    dns["warehouse.example.com"] = ["52.19.0.10", "169.254.169.254"]
    assert host_refusal("warehouse.example.com") is not None
    dns["v6.example.com"] = ["::ffff:169.254.169.254"]
    assert host_refusal("v6.example.com") is not None


@pytest.mark.parametrize("host", PRIVATE)
def test_loopback_and_private_addresses_are_refused_unless_allowed(settings, host):
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = False
    assert "must be at a public address" in host_refusal(host)
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = True
    assert host_refusal(host) is None


def test_public_addresses_and_names_are_allowed(private_hosts_off, dns):
    dns["xy12345.eu-west-1.snowflakecomputing.com"] = ["52.19.0.10"]
    assert host_refusal("8.8.8.8") is None
    assert host_refusal("2606:4700:4700::1111") is None
    assert host_refusal("xy12345.eu-west-1.snowflakecomputing.com") is None


@pytest.mark.parametrize(
    "host", ["db.example.com,10.0.0.1", "/var/run/postgresql", "me@db.example.com", "http://x"]
)
def test_only_a_plain_host_name_or_address_is_accepted(host):
    assert "is not a host name or IP address" in host_refusal(host)


def test_the_refusal_never_says_what_a_name_resolved_to(private_hosts_off, dns):
    dns["intranet.corp.example"] = ["10.20.30.40"]
    message = host_refusal("intranet.corp.example")
    assert "10.20.30.40" not in message
    assert "intranet.corp.example" in message


def test_a_refused_host_gets_one_message_whether_or_not_a_port_is_open(
    client, admin, private_hosts_off
):
    client.force_login(admin)
    url = reverse("connections:create", args=["postgresql"])
    form = {"name": "Mine", "database": "x", "username": "me", "password": "pw"}
    form |= {"sslmode": "disable", "action": "test"}
    pages = []
    with postgres_bait() as bait:
        for host in ("127.0.0.1", "localhost"):  # refused by the form / by the connect step
            for port in (bait.port, 1):  # something listens / nothing does
                response = client.post(url, {**form, "host": host, "port": port})
                pages.append(response.content.decode())
    assert bait.connections == 0  # nothing was ever tried
    messages = {
        page.split("Syncline does not connect to ", 1)[1].split("</div>", 1)[0] for page in pages
    }
    assert len(messages) == 2  # one per host spelling, the same for an open and a closed port
    assert not any(str(bait.port) in page.split("<form")[0] for page in pages)


def test_the_sources_check_the_policy_before_they_connect(settings, dns, monkeypatch):
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = True
    import psycopg
    import snowflake.connector

    def must_not_connect(*args, **kwargs):
        raise AssertionError("connected to a refused host")

    monkeypatch.setattr(psycopg, "connect", must_not_connect)
    monkeypatch.setattr(snowflake.connector, "connect", must_not_connect)
    postgres = Connection(type="postgresql", configuration={"host": "169.254.169.254"})
    with pytest.raises(HostRefused):
        PostgresSource(postgres).check()
    # Without a host, Snowflake's connector goes to <account>.snowflakecomputing.com.
    dns["acme.snowflakecomputing.com"] = ["169.254.169.254"]
    snowflake = Connection(type="snowflake", configuration={"account": "acme", "username": "u"})
    with pytest.raises(HostRefused):
        SnowflakeSource(snowflake).check()
    # An account that would make the connector's URL point elsewhere is no account.
    hostile = Connection(type="snowflake", configuration={"account": "evil.example.com/#"})
    with pytest.raises(HostRefused, match="not a Snowflake account identifier"):
        SnowflakeSource(hostile).check()


def test_postgres_connects_to_the_addresses_that_were_checked(settings, dns):
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = False
    dns["warehouse.example.com"] = ["52.19.0.10", "2001:4860::8"]
    pinned = postgres_pinned({"host": "warehouse.example.com", "port": 5432})
    # libpq connects to hostaddr without resolving the name again (no DNS rebinding), and
    # still checks the TLS certificate against the name.
    assert pinned["hostaddr"] == "52.19.0.10,2001:4860::8"
    assert pinned["host"] == "warehouse.example.com,warehouse.example.com"


@pytest.mark.django_db
def test_a_refused_address_is_not_saved(organization):
    with pytest.raises(ValidationError, match="not an address a warehouse can have"):
        connection_create(
            organization=organization,
            name="Metadata",
            type="postgresql",
            values={"host": "169.254.169.254", "database": "x", "username": "u"},
        )
    assert not Connection.objects.exists()


def test_an_allowed_host_that_does_not_answer_reads_the_same_closed_or_filtered(settings):
    """Regression pin (the PostgreSQL source already says so): a closed port and one that
    swallows packets give the same sentence, so Test doesn't tell them apart in words."""
    from connections.services import connection_test
    from connections.sources.base import SourceError
    from tests.connections.bait import closed_port, silent_listener

    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = True
    values = {"host": "127.0.0.1", "database": "x", "username": "u", "password": "p"}
    values["connect_timeout"] = 1
    messages = []
    with silent_listener() as silent:
        for port in (closed_port(), silent.port):
            with pytest.raises(SourceError) as failure:
                connection_test(type="postgresql", values={**values, "port": port})
            messages.append(failure.value.message.replace(str(port), "PORT"))
    assert messages[0] == messages[1]
    assert "Nothing answered at 127.0.0.1:PORT" in messages[0]


def test_the_addresses_pinned_are_the_ones_checked_from_a_single_lookup(settings, dns, monkeypatch):
    """A name that answers a public address first and the metadata address next can't slip
    the second one past the check."""
    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = False
    answers = iter([["52.19.0.10"], ["169.254.169.254"], ["169.254.169.254"]])
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "rebind.example.com":
            address = next(answers)[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    pinned = postgres_pinned({"host": "rebind.example.com", "port": 5432})
    assert pinned["hostaddr"] == "52.19.0.10"


def test_a_name_that_does_not_resolve_is_not_left_to_the_drivers_own_lookup(settings):
    from connections.sources.base import SourceError

    settings.SYNCLINE_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(SourceError, match="could not be found"):
        postgres_pinned({"host": "nonexistent.invalid", "port": 5432})
