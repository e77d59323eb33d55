"""The one way Syncline talks to a Salesforce org: REST on the org's instance_url, OAuth bearer.

Facts (destination-apis.md §4): the API lives on the org's own host (`instance_url` from the
token response), errors are JSON arrays `[{"message", "errorCode", "fields"}]`, sessions end
with a 401 and no expires_in, and the daily API limit answers 403 REQUEST_LIMIT_EXCEEDED, never
429. Every answer carries `Sforce-Limit-Info: api-usage=N/MAX`, the org's count for the last
24 h, which is what the connection's own cap (enforce_api_limits) is checked against.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm

Which login host refreshes tokens: the operator's settings win when they are not the public
default (the sandbox via SYNCLINE_SANDBOX_URL, or SYNCLINE_SALESFORCE_LOGIN_URL), because then
every org the deployment reaches lives there; otherwise the connection's `domain` option
(login.salesforce.com, test.salesforce.com for sandboxes, or a My Domain) decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from config.vendors import REAL
from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.destinations.http import OAuthBearer, VendorHTTP
from connections.destinations.salesforce.describe import ObjectInfo
from connections.destinations.salesforce.options import (
    ConnectionOptions,
    is_salesforce_url,
    login_host,
)
from connections.destinations.tokens import ConnectionTokens, RefreshRefused
from connections.models import Connection
from connections.registry import CONNECTION_TYPES

PUBLIC_LOGIN_URL = REAL["salesforce"]["login_url"]
API_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


def is_throttled(response: httpx.Response) -> bool:
    """Salesforce's throttle is a 403 naming REQUEST_LIMIT_EXCEEDED (other 403s are refusals)."""
    return response.status_code == 403 and "REQUEST_LIMIT_EXCEEDED" in response.text


def login_url(domain: str, configured: str) -> str:
    configured = configured.rstrip("/")
    if configured != PUBLIC_LOGIN_URL.rstrip("/") or not domain:
        return configured
    try:
        return login_host(domain)
    except ValueError as error:
        raise DestinationError(str(error)) from error


def trusted_instance_url(url: str, configured_login: str) -> bool:
    """An org host Syncline may send tokens to: Salesforce's own, or (for the sandbox or a
    proxy an operator configured) the same origin as the configured login URL."""
    if is_salesforce_url(url):
        return True
    login = urlsplit(configured_login)
    here = urlsplit(url)
    return configured_login.rstrip("/") != PUBLIC_LOGIN_URL.rstrip("/") and (
        (here.scheme, here.netloc) == (login.scheme, login.netloc)
    )


def api_version(configured: str) -> str:
    version = configured.strip() or "v59.0"
    return version if version.startswith("v") else f"v{version}"


@dataclass(frozen=True)
class SfError:
    """One error as Salesforce words it (collections say statusCode, REST says errorCode)."""

    code: str
    message: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message

    @classmethod
    def from_json(cls, item: Any) -> SfError:
        if not isinstance(item, dict):
            return cls("", str(item))
        code = item.get("statusCode") or item.get("errorCode") or item.get("error") or ""
        message = item.get("message") or item.get("error_description") or ""
        return cls(str(code), str(message), tuple(item.get("fields") or ()))


def response_errors(response: httpx.Response) -> list[SfError]:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()[:300] or response.reason_phrase
        return [SfError(str(response.status_code), text)]
    items = body if isinstance(body, list) else [body]
    return [SfError.from_json(item) for item in items] or [SfError(str(response.status_code), "")]


def describe_errors(errors: list[SfError]) -> str:
    return "; ".join(str(error) for error in errors)


@dataclass
class ApiUsage:
    used: int
    limit: int


class _UnsavedTokens(ConnectionTokens):
    """Settings tried before they are saved (connection_test): refresh in memory only."""

    def refresh(self, *, stale: str | None) -> str:
        try:
            new = self.refresher(self.secrets, self.configuration)
        except RefreshRefused as error:
            raise NeedsReauthorization(
                f"Salesforce no longer accepts these credentials ({error}). Reconnect to continue."
            ) from error
        secret_keys = (*CONNECTION_TYPES[self.type].secret_keys, "expires_at")
        for key, value in new.items():
            if value:
                (self.secrets if key in secret_keys else self.configuration)[key] = value
        return str(self.secrets["access_token"])


class SalesforceClient:
    """REST calls on the org's instance, through the shared VendorHTTP (retries, refresh)."""

    def __init__(
        self,
        connection: Connection,
        *,
        options: ConnectionOptions | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.options = options or ConnectionOptions.parse(
            connection.configuration, connection.secrets
        )
        vendor = settings.VENDORS["salesforce"]
        self.version = api_version(str(vendor.get("api_version", "")))
        self.login_url = login_url(self.options.domain, str(vendor["login_url"]))
        from connections.destinations.salesforce.provider import SalesforceProvider

        refresher = SalesforceProvider().refresher(connection, options=self.options)
        tokens_class = _UnsavedTokens if connection._state.adding else ConnectionTokens
        self.tokens = tokens_class(connection, refresher)
        self.instance_url = self._instance_url()
        self.http = VendorHTTP(
            vendor="Salesforce",
            base_url=f"{self.instance_url}/services/data/{self.version}/",
            auth=OAuthBearer(self.tokens),
            is_throttled=is_throttled,
            transport=transport,
            connection=connection,
        )
        self.usage: ApiUsage | None = None
        # Describe answers, for the life of this client only (one sync run or one page).
        self._objects: dict[str, ObjectInfo] = {}
        self._global: list[dict[str, Any]] | None = None

    def _instance_url(self) -> str:
        """The override, else the token answer's instance_url (refreshing once to learn it)."""
        if self.options.instance_url_override:
            return self.options.instance_url_override
        url = self.tokens.configuration.get("instance_url")
        if not url and self.tokens.secrets.get("refresh_token"):
            self.tokens.refresh(stale=self.tokens.secrets.get("access_token"))
            url = self.tokens.configuration.get("instance_url")
        if not url:
            raise DestinationError(
                "This Salesforce connection has no instance URL saved and no refresh token to "
                "learn it from. Reconnect it to continue."
            )
        if not trusted_instance_url(url, settings.VENDORS["salesforce"]["login_url"]):
            raise DestinationError(
                f"The instance URL {url!r} is not a Salesforce host; Syncline will not send "
                "tokens there. Reconnect the connection."
            )
        return str(url).rstrip("/")

    def close(self) -> None:
        self.http.close()

    # -- calls and the daily cap ----------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One API call; refused before it starts when the connection's daily cap is spent."""
        if self.options.enforce_api_limits:
            self._check_cap()
        return self._send(method, path, **kwargs)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except NeedsReauthorization:
            raise
        except DestinationError as error:
            if error.status == 403:
                usage = f" ({self.usage.used}/{self.usage.limit} today)" if self.usage else ""
                raise DestinationError(
                    f"Salesforce kept refusing calls with REQUEST_LIMIT_EXCEEDED{usage}: the "
                    "org's API limit is spent. Nothing was lost: the affected records will be "
                    "sent on the next run.",
                    permanent=False,
                    status=403,
                ) from error
            raise
        self._note_usage(response)
        return response

    def _note_usage(self, response: httpx.Response) -> None:
        match = API_USAGE.search(response.headers.get("Sforce-Limit-Info", ""))
        if match:
            self.usage = ApiUsage(int(match.group(1)), int(match.group(2)))

    def _check_cap(self) -> None:
        if self.usage is None:
            # Nothing learnt yet: ask, so a spent cap is noticed before the first write.
            response = self._send("GET", "limits/")
            daily = response.json().get("DailyApiRequests") if response.is_success else None
            if isinstance(daily, dict) and "Max" in daily and self.usage is None:
                used = int(daily["Max"]) - int(daily.get("Remaining", daily["Max"]))
                self.usage = ApiUsage(used, int(daily["Max"]))
        if self.usage is None:
            return
        cap, whose = self.options.daily_api_calls, "this connection's daily_api_calls cap"
        if self.usage.limit and self.usage.limit < cap:
            cap, whose = self.usage.limit, "Salesforce's own daily API limit for the org"
        if self.usage.used >= cap:
            raise DestinationError(
                f"Salesforce API calls in the last 24 hours: {self.usage.used}, which has "
                f"reached {whose} ({cap}; enforce_api_limits is on). Syncline starts no more "
                "calls until the count falls below it; the remaining records will be sent on "
                "the next run.",
                permanent=False,
                status=403,
            )

    # -- JSON helpers ----------------------------------------------------------------------
    def json(self, method: str, path: str, *, what: str, **kwargs: Any) -> Any:
        """The answer's JSON, or a DestinationError in Salesforce's words."""
        response = self.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise self.error(response, what)
        return response.json() if response.content else None

    def error(self, response: httpx.Response, what: str) -> DestinationError:
        errors = describe_errors(response_errors(response))
        status = response.status_code
        # No 401 comes here: VendorHTTP raises NeedsReauthorization for it (and marks needs_auth).
        return DestinationError(f"{what}: {errors}", permanent=status < 500, status=status)

    # -- reads -----------------------------------------------------------------------------
    def describe_global(self) -> list[dict[str, Any]]:
        if self._global is None:
            body = self.json("GET", "sobjects/", what="Listing Salesforce objects failed")
            self._global = list(body.get("sobjects", []))
        return self._global

    def describe(self, name: str) -> ObjectInfo:
        key = name.lower()
        if key not in self._objects:
            response = self.request("GET", f"sobjects/{name}/describe/")
            if response.status_code == 404:
                raise DestinationError(
                    f"Salesforce has no object named {name!r} (or this user cannot see it).",
                    status=404,
                )
            if response.status_code >= 400:
                raise self.error(response, f"Describing {name} failed")
            self._objects[key] = ObjectInfo.from_json(response.json())
        return self._objects[key]

    def query_pages(
        self, soql: str, *, include_deleted: bool = False, page_size: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """One list of records per page, following nextRecordsUrl: never the whole result."""
        headers = {}
        if page_size:
            # Salesforce honours 200..2,000 records a page.
            headers["Sforce-Query-Options"] = f"batchSize={min(2000, max(200, page_size))}"
        path = "queryAll/" if include_deleted else "query/"
        response = self.request("GET", path, params={"q": soql}, headers=dict(headers))
        while True:
            if response.status_code >= 400:
                raise self.error(response, "Salesforce refused the query")
            body = response.json()
            yield list(body.get("records", []))
            next_url = body.get("nextRecordsUrl")
            if body.get("done", True) or not next_url:
                return
            response = self.request("GET", f"{self.instance_url}{next_url}", headers=dict(headers))
