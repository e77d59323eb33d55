"""Where Syncline may connect to a warehouse: the host policy.

A member types a warehouse host; Syncline's server then connects to it. Without a policy that
makes the server a tool for reaching what only it can reach: the cloud's metadata service
(credentials of the machine), and the private network it sits in. So:

- link-local and metadata addresses (169.254.0.0/16 with AWS/GCP/Azure/OCI's 169.254.169.254,
  fe80::/10, AWS's IPv6 fd00:ec2::254, Alibaba's 100.100.100.200, Azure's 168.63.129.16) and
  addresses no warehouse can have (0.0.0.0/8 — on Linux a way to say "this machine" —, ::,
  multicast, reserved) are always refused;
- loopback and private ranges (127.0.0.0/8, ::1, 10/8, 172.16/12, 192.168/16, fc00::/7,
  100.64/10, and the other non-global ranges) only when SYNCLINE_ALLOW_PRIVATE_HOSTS is on: a
  warehouse in the same private network is legitimate, but the administrator says so;
- a host name is resolved and every address it resolves to is checked (an IPv4 address written
  inside IPv6 — ::ffff:169.254.169.254, ::169.254.169.254, 64:ff9b::a9fe:a9fe — is checked as the
  IPv4 address), so a name pointing at a refused address is refused too.

A refused host gets one message that says nothing about the host beyond "not allowed": not the
address it resolved to, nor whether anything listens there — the check runs before any
connection, so no port is ever tried.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from config.vendors import sandbox_warehouse
from connections.sources.base import SourceError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALWAYS_REFUSED = tuple(
    ipaddress.ip_network(network)
    for network in (
        "169.254.0.0/16",  # IPv4 link-local; the metadata service of AWS, GCP, Azure, OCI
        "fe80::/10",  # IPv6 link-local
        "fd00:ec2::254/128",  # AWS's metadata service over IPv6
        "100.100.100.200/32",  # Alibaba Cloud's metadata service
        "168.63.129.16/32",  # Azure's host endpoint (WireServer)
        "0.0.0.0/8",  # "this network": connecting to 0.0.0.0 reaches the machine itself
        "::/128",
    )
)
# An IPv4 address carried inside an IPv6 one (RFC 6052 NAT64, deprecated IPv4-compatible).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

# A DNS name (labels of letters, digits, hyphens, underscores) — no scheme, path, port, user,
# comma (libpq would read "a,b" as two hosts) or slash (a Unix socket directory).
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?)+$")
# https://docs.snowflake.com/en/user-guide/admin-account-identifier: an organization-account
# name, or a locator with region and cloud, joined by hyphens, underscores and dots.
_SNOWFLAKE_ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")

REFUSED = (
    "Syncline does not connect to {host}: warehouses must be at a public address. "
    "Private, loopback and link-local addresses are not allowed on this server."
)
REFUSED_ALWAYS = (
    "Syncline does not connect to {host}: it is not an address a warehouse can have. "
    "Check the host."
)
NOT_A_HOST = "'{host}' is not a host name or IP address. Enter only the host, e.g. db.example.com."
NOT_AN_ACCOUNT = (
    "'{account}' is not a Snowflake account identifier. Enter it as Snowflake shows it, e.g. "
    "xy12345.eu-west-1 or myorg-myaccount."
)


class HostRefused(SourceError):
    """The host policy refused a warehouse host: nothing was sent to it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


def private_hosts_allowed() -> bool:
    return bool(getattr(settings, "SYNCLINE_ALLOW_PRIVATE_HOSTS", False))


def _plain(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _verdict(address: IPAddress) -> str:
    """'always' (never allowed), 'private' (allowed with the setting) or 'public'."""
    address = _plain(address)
    if (
        any(address in network for network in ALWAYS_REFUSED if network.version == address.version)
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
    ):
        return "always"
    if address.is_loopback:
        return "private"
    if address.is_global:
        return "public"
    # Not global: private ranges (RFC 1918, fc00::/7, 100.64/10, ...) — or reserved ones, which
    # no warehouse can have (240/4; IPv6's unassigned blocks).
    return "always" if address.is_reserved else "private"


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _resolve(host: str) -> list[IPAddress]:
    """Every address the name resolves to; empty when it resolves to none."""
    try:
        answers = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    addresses: list[IPAddress] = []
    for *_, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _judge(host: str, *, resolve: bool) -> tuple[str | None, list[IPAddress]]:
    """(why Syncline won't connect to `host` or None, the addresses that were checked)."""
    host = (host or "").strip()
    literal = _literal(host)
    if literal is None and not _HOSTNAME.match(host):
        return NOT_A_HOST.format(host=host), []
    addresses = [literal] if literal is not None else (_resolve(host) if resolve else [])
    verdicts = {_verdict(address) for address in addresses}
    if "always" in verdicts:
        return REFUSED_ALWAYS.format(host=host), []
    if "private" in verdicts and not private_hosts_allowed():
        return REFUSED.format(host=host), []
    return None, addresses


def host_refusal(host: str, *, resolve: bool = True) -> str | None:
    """Why Syncline won't connect to `host`, or None when it may.

    With `resolve=False` only what needs no network is checked (the spelling and a literal
    address): for saving, where a name that doesn't resolve yet is no reason to refuse.
    A name that doesn't resolve passes here; the connection then fails as "could not be found".
    """
    return _judge(host, resolve=resolve)[0]


def allowed_addresses(host: str) -> list[str]:
    """The addresses Syncline may connect to for `host` — exactly the ones checked, from one
    lookup — or HostRefused saying why not."""
    problem, addresses = _judge(host, resolve=True)
    if problem:
        raise HostRefused(problem)
    return [str(address) for address in addresses]


def ensure_allowed_host(host: str) -> None:
    """Raise HostRefused unless the policy lets Syncline connect to `host`."""
    allowed_addresses(host)


def postgres_pinned(kwargs: dict[str, Any]) -> dict[str, Any]:
    """psycopg's connect arguments, checked by the policy and pinned to the checked addresses.

    libpq connects to `hostaddr` without looking the name up again (and still checks TLS
    certificates against `host`), so a name can't resolve to an allowed address for the check
    and to a refused one for the connection (DNS rebinding).
    https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS
    """
    host = str(kwargs.get("host") or "").strip()
    addresses = allowed_addresses(host)
    if _literal(host) is not None:
        return kwargs
    if not addresses:
        # Not left to libpq's own lookup, which could answer what this one didn't check.
        raise SourceError(f"The host '{host}' could not be found. Check the spelling.")
    return {**kwargs, "host": ",".join([host] * len(addresses)), "hostaddr": ",".join(addresses)}


def snowflake_host(configuration: Mapping[str, Any]) -> str:
    """The host the Snowflake connector will connect to: `host` when set, else the account's.

    The connector makes "<account>.snowflakecomputing.com" itself (construct_hostname), so an
    account like "evil.example#" would send the login elsewhere: accounts are checked too.
    """
    from snowflake.connector.util_text import construct_hostname

    host = str(configuration.get("host") or "").strip()
    if host:
        return host
    account = str(configuration.get("account") or "").strip()
    if not _SNOWFLAKE_ACCOUNT.match(account):
        raise HostRefused(NOT_AN_ACCOUNT.format(account=account))
    demo = sandbox_warehouse()
    if demo is not None:  # sandbox mode: an account without a host is the demo warehouse's
        return demo[0]
    return construct_hostname(None, account)


def warehouse_host(type_key: str, configuration: Mapping[str, Any]) -> tuple[str, str] | None:
    """(the form field that names it, the host) a warehouse connection connects to."""
    if type_key == "snowflake":
        field = "host" if str(configuration.get("host") or "").strip() else "account"
        return field, snowflake_host(configuration)
    if type_key == "postgresql":
        return "host", str(configuration.get("host") or "127.0.0.1").strip()
    return None


def warehouse_host_problem(
    type_key: str, configuration: Mapping[str, Any], *, resolve: bool = True
) -> tuple[str, str] | None:
    """(field, message) when the policy refuses the connection's host, else None."""
    try:
        found = warehouse_host(type_key, configuration)
    except HostRefused as refused:
        return "account", refused.message
    if found is None:
        return None
    field, host = found
    problem = host_refusal(host, resolve=resolve)
    return (field, problem) if problem else None
