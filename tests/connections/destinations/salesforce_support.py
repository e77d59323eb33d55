"""Salesforce destinations against the sandbox: a connection with real OAuth tokens, and what the
sandbox stored and was asked (its records and request log)."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from connections.destinations.registry import destination_for
from connections.destinations.salesforce.destination import SalesforceDestination
from connections.models import Connection
from connections.services import connection_create
from sandbox.server import RunningSandbox
from sandbox.vendors.salesforce import SalesforceEmulator
from tests.sandbox.salesforce_support import connect

NAMES = itertools.count(1)


def oauth_tokens(http: httpx.Client, sandbox: RunningSandbox) -> dict[str, str]:
    """Tokens from the consent page and the token endpoint, as the OAuth wizard gets them."""
    return connect(http, sandbox).token


def connection_for(organization: Any, oauth: dict[str, str], **configuration: Any) -> Connection:
    return connection_create(
        organization=organization,
        name=f"Salesforce {next(NAMES)}",
        type="salesforce",
        values={
            "domain": "login.salesforce.com",
            "instance_url": oauth["instance_url"],
            "access_token": oauth["access_token"],
            "refresh_token": oauth["refresh_token"],
            **configuration,
        },
    )


def destination(connection: Connection) -> SalesforceDestination:
    found = destination_for(connection)
    assert isinstance(found, SalesforceDestination)
    found.http.backoff_base = 0.01  # retries in milliseconds, not seconds
    return found


def emulator(sandbox: RunningSandbox) -> SalesforceEmulator:
    found = sandbox.app.emulators["salesforce"]
    assert isinstance(found, SalesforceEmulator)
    return found


def stored(http: httpx.Client, sandbox: RunningSandbox, table: str) -> list[dict[str, Any]]:
    return http.get(f"{sandbox.url}/_sandbox/records/salesforce/{table}").json()["data"]


def by_email(
    http: httpx.Client, sandbox: RunningSandbox, table: str = "Contact"
) -> dict[str, dict[str, Any]]:
    return {r["Email"].lower(): r for r in stored(http, sandbox, table) if r.get("Email")}


def counts(http: httpx.Client, sandbox: RunningSandbox) -> dict[str, int]:
    return http.get(f"{sandbox.url}/_sandbox/requests").json()["counts"]


def clear_log(http: httpx.Client, sandbox: RunningSandbox) -> None:
    http.delete(f"{sandbox.url}/_sandbox/requests")


class FakeClock:
    """Time that passes only when the client sleeps, so waiting 30 minutes takes none; it
    refuses to sleep forever, so a client that never gives up fails the test instead."""

    def __init__(self, limit: int = 5_000) -> None:
        self.now_seconds = 0.0
        self.sleeps = 0
        self.limit = limit

    def now(self) -> float:
        return self.now_seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        if self.sleeps > self.limit:
            raise AssertionError(f"still waiting after {self.sleeps} sleeps: never gave up")
        self.now_seconds += seconds
