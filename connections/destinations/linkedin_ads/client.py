"""The thin LinkedIn client: the shared VendorHTTP, LinkedIn's headers, limits and error answers.

LinkedIn counts two streaming limits per member and minute: `/users` 600 and `/companies` 300
("Rate Limits" in https://learn.microsoft.com/en-us/linkedin/marketing/matched-audiences/create-and-manage-segment-users
and …/create-and-manage-segment-companies). VendorHTTP takes one bucket and one RateLimit, so each
limit gets its own VendorHTTP (bucket `linkedinads:<member urn>:users|companies`) with the rate
the destination declares, or the connection's own (`rate_limit` for /users, `company_rate_limit`
for /companies); every instance shares the OAuth bearer (one refresh serves all) and the list of
call records. Reads carry no limit: LinkedIn counts them against daily quotas it does not publish.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

from connections.destinations.errors import DestinationError
from connections.destinations.http import CallRecord, OAuthBearer, VendorHTTP, vendor_words
from connections.destinations.ratelimit import RateLimit, WindowLimiter, configured_rate_limit
from connections.destinations.tokens import ConnectionTokens
from connections.models import Connection

USERS_RATE = RateLimit(600, 60.0)
COMPANIES_RATE = RateLimit(300, 60.0)
STREAM_RATES: dict[str, RateLimit] = {"users": USERS_RATE, "companies": COMPANIES_RATE}
PAGE_SIZE = 100  # finder pages (count / pageSize); 100 is the search finders' default
VERSION_SETTING = "SYNCLINE_LINKEDINADS_API_VERSION"
ROLE_ADVICE = (
    "ask an account manager for any role other than Viewer, such as Creative Manager or "
    "Campaign Manager"
)


# Connection setting → the stream whose limit it replaces ("LIMIT/SECONDS", e.g. "300/60" to
# leave half of /users to another tool streaming as the same member).
RATE_SETTINGS = {"users": "rate_limit", "companies": "company_rate_limit"}


def stream_rates(connection: Connection, declared: Mapping[str, RateLimit]) -> dict[str, RateLimit]:
    """Each stream's limit: the connection's own setting when it has one, else the declared."""
    return {
        stream: configured_rate_limit(
            {"rate_limit": connection.configuration.get(setting)},
            declared[stream],
            connection_name=f"{connection.name} ({setting})",
        )
        for stream, setting in RATE_SETTINGS.items()
    }


def urn_param(urn: str) -> str:
    """A URN as a Rest.li 2.0 query value: its colons percent-encoded, as LinkedIn requires."""
    return quote(urn, safe="")


class LinkedInClient:
    def __init__(
        self,
        connection: Connection,
        *,
        rates: Mapping[str, RateLimit] = STREAM_RATES,
        limiter: WindowLimiter | None = None,
    ) -> None:
        vendor = settings.VENDORS["linkedinads"]
        self.version = str(vendor["api_version"])
        self.base_url = str(vendor["api_url"])
        self.connection = connection
        self.connection_id = connection.pk
        self.member_urn: str | None = connection.configuration.get("member_urn") or None
        from connections.destinations.linkedin_ads.provider import LinkedInAdsProvider

        refresher = LinkedInAdsProvider().refresher(connection)
        self.auth = OAuthBearer(ConnectionTokens(connection, refresher))
        self.calls: list[CallRecord] = []
        self.rates = dict(rates)
        self._limiter = limiter
        self._streams: dict[str, VendorHTTP] = {}
        self.api = self._http()

    def _http(self, *, bucket: str | None = None, rate: RateLimit | None = None) -> VendorHTTP:
        return VendorHTTP(
            vendor="LinkedIn",
            base_url=self.base_url,
            auth=self.auth,
            bucket=bucket,
            rate=rate,
            limiter=self._limiter if rate else None,
            calls=self.calls,
            connection=self.connection,
        )

    def sleep(self, seconds: float) -> None:
        self.api.sleep(seconds)  # VendorHTTP's, so a test that replaces it replaces both

    def close(self) -> None:
        for http in (self.api, *self._streams.values()):
            http.close()

    # -- sending -----------------------------------------------------------------------------
    def request(
        self, method: str, path: str, *, stream: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One call with LinkedIn's headers; raises for answers no caller can act on.

        `stream` ("users" or "companies") sends through that limit's VendorHTTP."""
        http = self._stream(stream) if stream else self.api
        headers = {
            "LinkedIn-Version": self.version,
            "X-Restli-Protocol-Version": "2.0.0",
            **kwargs.pop("headers", {}),
        }
        response = http.request(method, path, headers=headers, **kwargs)
        if response.status_code == 426:
            raise DestinationError(
                f"LinkedIn no longer accepts API version {self.version} "
                f"({vendor_words(response)}). An administrator must set {VERSION_SETTING} "
                "to a current version (YYYYMM, see "
                "https://learn.microsoft.com/en-us/linkedin/marketing/versioning) and restart.",
                status=426,
            )
        # A 401 never gets here: VendorHTTP refreshes once, then raises NeedsReauthorization.
        return response

    def fail(self, response: httpx.Response, *, account: str | None = None) -> DestinationError:
        """The DestinationError for an unsuccessful answer (`account`: whose audiences)."""
        message = vendor_words(response)
        if response.status_code == 403:
            if account:
                return DestinationError(
                    f"Your LinkedIn user can't manage audiences on account {account}: "
                    f"{ROLE_ADVICE} ({message}).",
                    status=403,
                )
            return DestinationError(
                f"LinkedIn refused access ({message}). Reconnect the LinkedIn Ads connection and "
                "grant every permission it asks for (r_ads, rw_dmp_segments).",
                status=403,
            )
        status = response.status_code
        said = "had an internal error" if status >= 500 else "refused the request"
        return DestinationError(
            f"LinkedIn {said} ({status}: {message}).",
            permanent=response.status_code < 500,
            status=response.status_code,
        )

    def read(self, path: str, *, account: str | None = None) -> dict[str, Any]:
        response = self.request("GET", path)
        if not response.is_success:
            raise self.fail(response, account=account)
        return response.json()

    def pages(
        self, path: str, query: str, *, account: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every element of an index-paged finder (start/count: adAccountUsers, dmpSegments)."""
        start = 0
        while True:
            body = self.read(f"{path}?{query}&start={start}&count={PAGE_SIZE}", account=account)
            elements = body.get("elements") or []
            yield from elements
            total = (body.get("paging") or {}).get("total")
            start += len(elements)
            if len(elements) < PAGE_SIZE or (isinstance(total, int) and start >= total):
                return

    def search(
        self, path: str, query: str, *, account: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every element of a search finder (adAccounts `q=search`), which is cursor-paged since
        version 202401: `pageSize`, then the answer's `metadata.nextPageToken` as `pageToken`
        until an answer has none
        (https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads/cursor-based-pagination)."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = f"{path}?{query}&pageSize={PAGE_SIZE}"
            if token:
                page += f"&pageToken={quote(token, safe='')}"
            body = self.read(page, account=account)
            yield from body.get("elements") or []
            token = (body.get("metadata") or {}).get("nextPageToken") or None
            if token is None:
                return
            if token in seen:  # a cursor that goes round in circles would never end
                raise DestinationError(
                    f"LinkedIn sent the same page twice while listing {path}; try again later.",
                    permanent=False,
                )
            seen.add(token)

    # -- streaming limits --------------------------------------------------------------------
    def _stream(self, stream: str) -> VendorHTTP:
        if stream not in self._streams:
            if self._limiter is None:
                self._limiter = WindowLimiter()
            bucket = f"linkedinads:{self._member()}:{stream}"
            self._streams[stream] = self._http(bucket=bucket, rate=self.rates[stream])
        return self._streams[stream]

    def _member(self) -> str:
        """The member whose limits the writes spend: saved on the connection, else /rest/me."""
        if self.member_urn is None:
            response = self.request("GET", "me")
            member_id = response.json().get("id") if response.is_success else None
            # Without r_basicprofile /me is refused; the connection is then the closest key.
            self.member_urn = (
                f"urn:li:person:{member_id}" if member_id else f"connection:{self.connection_id}"
            )
        return self.member_urn
