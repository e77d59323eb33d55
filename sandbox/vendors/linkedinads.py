"""LinkedIn Marketing API, Matched Audiences (destination-apis.md §3): ad accounts, DMP segments.

Docs: https://learn.microsoft.com/en-us/linkedin/marketing/matched-audiences/create-and-manage-segments
(and …/create-and-manage-segment-users, …/create-and-manage-segment-companies), OAuth and refresh
tokens: https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens,
errors: https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling,
versions: https://learn.microsoft.com/en-us/linkedin/marketing/versioning.

Choices where the docs are silent:
- Versions: LATEST_VERSION and the eleven months before it are active; anything else gets the
  426 NONEXISTENT_VERSION that LinkedIn sends for sunset versions ("Requested version 20250401 is
  not active", seen in many client bug reports). Malformed values get a 400.
- Search (adAccounts) is cursor-paged (pageSize/pageToken) and refuses start/count; the other
  finders page with start/count. pageSize is capped at MAX_SEARCH_PAGE_SIZE.
- Batches take at most MAX_BATCH_ELEMENTS elements (LinkedIn documents no maximum; 5,000 is the
  figure integrators assume).
- 429s carry no Retry-After: LinkedIn documents no rate-limit headers, so clients must back off to
  the next minute on their own.
- Every uploaded member "matches": matchedCount equals the stored members once processed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from typing import Any, ClassVar
from urllib.parse import quote, unquote

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sandbox.emulator import Emulator, Reply, json_response
from sandbox.faults import parse_budget
from sandbox.oauth import OAuthError, OAuthPolicy, Rotation
from sandbox.ratelimit import WindowBudget

# -- seed data (docs and the LinkedIn connector use these) ---------------------------------------
MEMBER_ID = "qT7rXk2LmA"
MEMBER_URN = f"urn:li:person:{MEMBER_ID}"
MEMBER_NAME = ("Avery", "Quinn")
ACME_ORGANIZATION_URN = "urn:li:organization:28818517"
PARTNER_ORGANIZATION_URN = "urn:li:organization:10482231"
ACME_ADS_ACCOUNT_ID = 512630692
ACME_EMEA_ACCOUNT_ID = 512630693
PARTNER_ACCOUNT_ID = 512630694  # the member is only a VIEWER here: DMP management is refused
TEST_ACCOUNT_ID = 512630695  # a test account (test: true), left out by search=(test:false)
COMPANY_SEGMENT_ID = 29728356  # "Polytomic-Created Company List", COMPANY, in Acme Ads
USER_SEGMENT_ID = 29728357  # "Trial Signups", USER, in Acme Ads
EMEA_COMPANY_SEGMENT_ID = 29728359
EMEA_USER_SEGMENT_ID = 29728360
PARTNER_SEGMENT_ID = 29728361
SOURCE_PLATFORM = "SYNCLINE"  # the partner enum the sandbox treats as Syncline's own
DEFAULT_SCOPE = "r_ads rw_dmp_segments r_basicprofile"

# -- API conventions -----------------------------------------------------------------------------
LATEST_VERSION = "202611"
ACTIVE_MONTHS = 12  # versions are sunset about a year after release
MAX_BATCH_ELEMENTS = 5000
SEARCH_PAGE_SIZE = 100  # the search finders' default pageSize
MAX_SEARCH_PAGE_SIZE = 1000  # assumed: LinkedIn documents only the default
THROTTLES = {"linkedinads_users": "600/60", "linkedinads_companies": "300/60"}
# "Managing audiences is restricted to ad accounts where the authenticated member has a role
# other than VIEWER" (create-and-manage-segment-users, see the module docstring).
READ_ONLY_ROLE = "VIEWER"
ACCOUNT_URN = re.compile(r"^urn:li:sponsoredAccount:(\d+)$")
ORGANIZATION_URN = re.compile(r"^urn:li:organization:\d+$")
VERSION = re.compile(r"^(\d{4})(0[1-9]|1[0-2])(?:\.\d{2})?$")
ID_FORMATS = {
    "SHA256_EMAIL": (re.compile(r"^[0-9a-fA-F]{64}$"), "64 hexadecimal characters"),
    "SHA512_EMAIL": (re.compile(r"^[0-9a-fA-F]{128}$"), "128 hexadecimal characters"),
    "GOOGLE_AID": (
        re.compile(
            r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        ),
        "a UUID",
    ),
}
USER_FIELDS = {"action", "userIds", "firstName", "lastName", "title", "company", "country"}
USER_LIMITS: dict[str, int | None] = {"firstName": 35, "lastName": 35, "title": 50}
# Field names and limits per Segment's LinkedIn company-audience action (destination-apis.md §3.4);
# `companyDomain` is accepted as an alias of `companyWebsiteDomain` since sources disagree.
COMPANY_IDENTIFIERS = (
    "organizationUrn",
    "companyWebsiteDomain",
    "companyDomain",
    "companyEmailDomain",
    "companyPageUrl",
    "companyName",
    "stockSymbol",
)
COMPANY_FIELDS = {
    "action",
    *COMPANY_IDENTIFIERS,
    "industries",
    "city",
    "state",
    "country",
    "postalCode",
}
COMPANY_LIMITS: dict[str, int | None] = {
    "companyPageUrl": 100,
    "city": 50,
    "state": 50,
    "postalCode": 20,
    "stockSymbol": 5,
}
DOMAIN = re.compile(r"^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)
SEGMENT_FIELDS = {
    "name",
    "account",
    "type",
    "sourcePlatform",
    "sourceSegmentId",
    "accessPolicy",
    "destinations",
    "description",
}
# The LinkedIn code-exchange failure, whatever the cause (bad, reused or expired code).
CODE_ERROR = (
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
    "authorization code. Or authorization code expired. Or external member binding exists"
)

ACCOUNTS = (
    # id, name, reference, currency, role, test
    (ACME_ADS_ACCOUNT_ID, "Acme Ads", ACME_ORGANIZATION_URN, "USD", "ACCOUNT_BILLING_ADMIN", False),
    (ACME_EMEA_ACCOUNT_ID, "Acme EMEA", ACME_ORGANIZATION_URN, "EUR", "CAMPAIGN_MANAGER", False),
    (PARTNER_ACCOUNT_ID, "Partner Account", PARTNER_ORGANIZATION_URN, "USD", "VIEWER", False),
    (TEST_ACCOUNT_ID, "Acme Test Account", ACME_ORGANIZATION_URN, "USD", "ACCOUNT_MANAGER", True),
)
SEGMENTS = (
    # id, account id, name, type, sourcePlatform, seeded members
    (COMPANY_SEGMENT_ID, ACME_ADS_ACCOUNT_ID, "Polytomic-Created Company List", "COMPANY",
     "POLYTOMIC", ("initech.example", "globex.example", "umbrella.example")),
    (USER_SEGMENT_ID, ACME_ADS_ACCOUNT_ID, "Trial Signups", "USER", "LIST_UPLOAD",
     ("peter@initech.example", "samir@initech.example", "hank@globex.example")),
    (29728358, ACME_ADS_ACCOUNT_ID, "Webinar Attendees", "USER", "LIST_UPLOAD",
     ("milton@initech.example",)),
    (EMEA_COMPANY_SEGMENT_ID, ACME_EMEA_ACCOUNT_ID, "EMEA Target Accounts", "COMPANY",
     "LIST_UPLOAD", ("wernham-hogg.example", "cyberdyne.example")),
    (EMEA_USER_SEGMENT_ID, ACME_EMEA_ACCOUNT_ID, "EMEA Newsletter", "USER", "LIST_UPLOAD",
     ("ines@cyberdyne.example", "tim@wernham-hogg.example")),
    (PARTNER_SEGMENT_ID, PARTNER_ACCOUNT_ID, "Partner Co-marketing List", "USER", "LIST_UPLOAD",
     ("lee@partner.example",)),
)  # fmt: skip


def _millis() -> int:
    return int(time.time() * 1000)


def _months(version: str) -> int:
    return int(version[:4]) * 12 + int(version[4:6]) - 1


def _scopes(scope: str) -> set[str]:
    # Clients send scopes space-separated; LinkedIn's token responses list them comma-separated.
    return {item for item in re.split(r"[\s,]+", scope) if item}


def _sha256_email(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _error(status: int, code: str, message: str, service_error_code: int | None = None) -> Response:
    """LinkedIn's error body: {"status", "serviceErrorCode"?, "code", "message"}."""
    body: dict[str, Any] = {"status": status}
    if service_error_code is not None:
        body["serviceErrorCode"] = service_error_code
    body.update(code=code, message=message)
    # Rest.li marks error bodies with this header so clients can tell them from data.
    return json_response(body, status, {"X-RestLi-Error-Response": "true"})


def _fail(status: int, code: str, message: str, service_error_code: int | None = None) -> Reply:
    return Reply(_error(status, code, message, service_error_code))


def _bad_request(message: str) -> Reply:
    return _fail(400, "ILLEGAL_ARGUMENT", message)


def _denied(permission: str, version: str) -> Reply:
    # LinkedIn's wording names the resource, method and version, e.g.
    # "Not enough permissions to access: partnerApiMe.GET.20230601".
    return _fail(
        403, "ACCESS_DENIED", f"Not enough permissions to access: {permission}.{version}01", 100
    )


class LinkedInAdsEmulator(Emulator):
    key = "linkedinads"
    title = "LinkedIn Ads"
    account_label = "ad accounts"
    # 60-day access tokens; the refresh token is never rotated and expires 365 days after the
    # first authorization, however often it is used (destination-apis.md §3.1).
    policy = OAuthPolicy(access_ttl=5_184_000, rotation=Rotation.NONE, refresh_ttl=31_536_000)
    fault_exempt: ClassVar[frozenset[str]] = frozenset({"oauth_authorize"})

    # Seconds a segment stays BUILDING/UPDATING after a change (LinkedIn takes hours; tests and the
    # demo want to see both states). Tests may change these on the instance.
    processing_seconds: float = 2.0
    # LinkedIn answers 404 when streaming into a segment for a while after creating it (§3.4);
    # off by default, a test sets it to exercise a client's retry.
    new_segment_stream_delay: float = 0.0

    def __init__(self, sandbox: Any) -> None:
        super().__init__(sandbox)
        self._budgets: dict[tuple[str, str], WindowBudget] = {}

    def rules(self) -> list[Rule]:
        return [
            Rule("/oauth/v2/authorization", endpoint="oauth_authorize", methods=["GET", "POST"]),
            Rule("/oauth/v2/accessToken", endpoint="oauth_token", methods=["POST"]),
            Rule("/rest/me", endpoint="me", methods=["GET"]),
            Rule("/rest/adAccountUsers", endpoint="ad_account_users", methods=["GET"]),
            Rule("/rest/adAccountUsers/<path:key>", endpoint="ad_account_user", methods=["GET"]),
            Rule("/rest/adAccounts", endpoint="ad_accounts", methods=["GET"]),
            Rule("/rest/adAccounts/<account_id>", endpoint="ad_account", methods=["GET"]),
            Rule("/rest/dmpSegments", endpoint="dmp_segments", methods=["GET", "POST"]),
            Rule("/rest/dmpSegments/<segment_id>", endpoint="dmp_segment", methods=["GET"]),
            Rule(
                "/rest/dmpSegments/<segment_id>/users", endpoint="segment_users", methods=["POST"]
            ),
            Rule(
                "/rest/dmpSegments/<segment_id>/companies",
                endpoint="segment_companies",
                methods=["POST"],
            ),
            # Anything else under /rest gets LinkedIn's own 404 rather than the sandbox's.
            Rule(
                "/rest/<path:unknown>",
                endpoint="unknown",
                methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            ),
        ]

    def default_account(self) -> str:
        return f"{' '.join(MEMBER_NAME)} ({MEMBER_URN})"

    # -- seed ------------------------------------------------------------------------------------
    def seed(self) -> None:
        now = _millis()
        self.table("members")[MEMBER_ID] = {
            "id": MEMBER_ID,
            "firstName": MEMBER_NAME[0],
            "lastName": MEMBER_NAME[1],
            "headline": "Growth Marketing Lead at Acme",
            "vanityName": "avery-quinn-acme",
        }
        for account_id, name, reference, currency, role, test in ACCOUNTS:
            self.add_ad_account(
                account_id, name, role=role, reference=reference, currency=currency, test=test
            )
        for number, (segment_id, account_id, name, kind, platform, members) in enumerate(SEGMENTS):
            segment = self._insert_segment(
                segment_id,
                {
                    "name": name,
                    "account": f"urn:li:sponsoredAccount:{account_id}",
                    "type": kind,
                    "sourcePlatform": platform,
                    "accessPolicy": "PRIVATE",
                },
                ad_segment_id=18_490_001 + number,
                at=now - 86_400_000,  # a day old: processed, so READY
            )
            for member in members:
                if kind == "USER":
                    element = {
                        "action": "ADD",
                        "userIds": [{"idType": "SHA256_EMAIL", "idValue": _sha256_email(member)}],
                    }
                    self._apply_user(segment, element)
                else:
                    self._apply_company(segment, {"action": "ADD", "companyWebsiteDomain": member})
            segment["_wasReady"] = True
        self.store.sequences[f"{self.key}/segments"] = 29_728_399  # new segments from 29728400
        self.store.sequences[f"{self.key}/ad_segments"] = 18_490_099

    def add_ad_account(
        self,
        account_id: int,
        name: str,
        *,
        role: str,
        reference: str = ACME_ORGANIZATION_URN,
        currency: str = "USD",
        test: bool = False,
    ) -> None:
        """An ad account the demo member has `role` on (tests add many to see paging)."""
        now = _millis()
        self.table("ad_accounts")[str(account_id)] = {
            "id": account_id,
            "name": name,
            "reference": reference,
            "currency": currency,
            "test": test,
            "status": "ACTIVE",
            "type": "BUSINESS",
            "created": now,
        }
        self.table("ad_account_users")[str(account_id)] = {
            "account": f"urn:li:sponsoredAccount:{account_id}",
            "user": MEMBER_URN,
            "role": role,
            "created": now,
        }

    # -- LinkedIn's error shapes ---------------------------------------------------------------
    def unauthorized(self, request: Request, reason: str) -> Response:
        # Observed LinkedIn bodies (error-handling doc and client bug reports); 65602 is inferred.
        known = {
            "missing": (401, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token"),
            "invalid": (65600, "INVALID_ACCESS_TOKEN", "Invalid access token"),
            "revoked": (
                65601,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
            ),
            "expired": (65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"),
        }
        service_code, code, message = known.get(reason, known["invalid"])
        return _error(401, code, message, service_code)

    @staticmethod
    def _is_oauth(request: Request) -> bool:
        return "/oauth/v2/" in request.path

    def server_error(self, request: Request) -> Response:
        if self._is_oauth(request):
            return json_response(
                {"error": "server_error", "error_description": "Internal Server Error"}, 500
            )
        return _error(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        # No Retry-After or X-RateLimit-* headers: LinkedIn documents none (destination-apis §3.2).
        if self._is_oauth(request):
            return json_response(
                {"error": "temporarily_unavailable", "error_description": "Too many requests"}, 429
            )
        return _error(
            429,
            "TOO_MANY_REQUESTS",
            "Resource level throttle limit for calls to this resource is reached.",
            101,
        )

    def on_unknown(self, request: Request, unknown: str) -> Response:
        return _error(404, "NOT_FOUND", "No virtual resource found", 0)

    # -- the checks every /rest call goes through ----------------------------------------------
    def _version(self, request: Request) -> str:
        value = request.headers.get("LinkedIn-Version", "").strip()
        if not value:
            raise _fail(
                400,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header.",
            )
        if not VERSION.match(value):
            raise _fail(
                400,
                "INVALID_VERSION",
                f"Invalid LinkedIn-Version {value!r}: expected YYYYMM, e.g. {LATEST_VERSION}.",
            )
        age = _months(LATEST_VERSION) - _months(value)
        if not 0 <= age < ACTIVE_MONTHS:
            raise _fail(
                426, "NONEXISTENT_VERSION", f"Requested version {value[:6]}01 is not active"
            )
        return value[:6]

    def _budget(self, name: str) -> WindowBudget | None:
        text = self.sandbox.faults.budgets.get(name, THROTTLES.get(name))
        if text is None:
            return None
        if (name, text) not in self._budgets:
            self._budgets[(name, text)] = WindowBudget(*parse_budget(text, label=name))
        return self._budgets[(name, text)]

    def _api(
        self,
        request: Request,
        permission: str,
        *,
        scope: tuple[str, ...],
        dmp: bool = False,
        throttle: str | None = None,
    ) -> str:
        """Authenticate, check the headers and scope, spend the member's budgets; the version."""
        grant = self.require_token(request)
        version = self._version(request)
        if dmp and request.headers.get("X-Restli-Protocol-Version", "").strip() != "2.0.0":
            # Assumed: the DMP APIs are documented as needing Rest.li 2.0; refuse without it.
            raise _fail(
                400,
                "ILLEGAL_ARGUMENT",
                "This resource requires the header X-Restli-Protocol-Version: 2.0.0",
            )
        if not _scopes(grant["scope"]) & set(scope):
            raise _denied(permission, version)
        # An app-wide budget exists only when configured ("linkedinads"): LinkedIn's daily app
        # quotas are per application and not published.
        for name in (self.key, throttle):
            budget = self._budget(name) if name else None
            if budget is not None and not budget.consume(grant["account"]).allowed:
                raise Reply(self.rate_limited(request, 1))
        return version

    def _json(self, request: Request) -> dict[str, Any]:
        try:
            value = json.loads(request.get_data(as_text=True) or "null")
        except json.JSONDecodeError as error:
            raise _bad_request(f"Malformed JSON: {error.msg}") from error
        if not isinstance(value, dict):
            raise _bad_request("The request body must be a JSON object")
        return value

    def _role(self, account_urn: str) -> str | None:
        match = ACCOUNT_URN.match(account_urn)
        entry = self.table("ad_account_users").get(match.group(1)) if match else None
        return entry["role"] if entry else None

    @staticmethod
    def _manages(role: str | None) -> bool:
        return role is not None and role != READ_ONLY_ROLE

    @staticmethod
    def _paging(request: Request, total: int) -> tuple[int, int]:
        """start/count from the query; without them everything comes in one page."""
        try:
            start = int(request.args.get("start", 0))
            count = int(request.args.get("count", max(total - start, 0)))
        except ValueError as error:
            raise _bad_request("start and count must be integers") from error
        if start < 0 or count < 0:
            raise _bad_request("start and count must not be negative")
        return start, count

    def _page(self, request: Request, elements: list[dict[str, Any]], path: str) -> dict[str, Any]:
        start, count = self._paging(request, len(elements))
        window = elements[start : start + count]
        links = []
        if start + count < len(elements) and count:
            query = {k: v for k, v in request.args.items() if k not in {"start", "count"}}
            params = "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
            links.append(
                {
                    "rel": "next",
                    "type": "application/json",
                    "href": f"/rest/{path}?{params}&start={start + count}&count={count}",
                }
            )
        return {
            "elements": window,
            "paging": {"start": start, "count": count, "total": len(elements), "links": links},
        }

    @staticmethod
    def _cursor_page(request: Request, elements: list[dict[str, Any]]) -> dict[str, Any]:
        """The search finders' paging since version 202401: `pageSize` (default 100) and the
        previous answer's `metadata.nextPageToken` as `pageToken`; the last page has no token
        (https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads/cursor-based-pagination).
        Assumed: index paging (start/count) is refused there rather than silently ignored, so a
        client still sending it is caught. Tokens are opaque and tied to the query they page."""
        if "start" in request.args or "count" in request.args:
            raise _bad_request(
                "Search is cursor-paged since version 202401: send pageSize and pageToken "
                "(from metadata.nextPageToken), not start and count"
            )
        try:
            size = int(request.args.get("pageSize", SEARCH_PAGE_SIZE))
        except ValueError as error:
            raise _bad_request("pageSize must be an integer") from error
        if not 1 <= size <= MAX_SEARCH_PAGE_SIZE:
            raise _bad_request(f"pageSize must be between 1 and {MAX_SEARCH_PAGE_SIZE}")
        query = {k: v for k, v in request.args.items() if k not in {"pageSize", "pageToken"}}
        scope = hashlib.sha256(json.dumps(sorted(query.items())).encode()).hexdigest()[:16]
        offset = 0
        if token := request.args.get("pageToken"):
            try:
                cursor = json.loads(base64.urlsafe_b64decode(token.encode() + b"==="))
                offset = int(cursor["o"])
                valid = cursor["s"] == scope and 0 <= offset <= len(elements)
            except (ValueError, TypeError, KeyError, binascii.Error):
                valid = False
            if not valid:
                raise _bad_request(f"Invalid pageToken {token!r} for this query")
        metadata: dict[str, Any] = {}
        if offset + size < len(elements):
            cursor_text = json.dumps({"o": offset + size, "s": scope}).encode()
            metadata["nextPageToken"] = base64.urlsafe_b64encode(cursor_text).decode().rstrip("=")
        return {"elements": elements[offset : offset + size], "metadata": metadata}

    @staticmethod
    def _project(record: dict[str, Any], request: Request) -> dict[str, Any]:
        """Rest.li's `fields=a,b` projection (top-level names only)."""
        fields = request.args.get("fields")
        if not fields:
            return record
        wanted = {name.strip() for name in fields.split(",")}
        return {k: v for k, v in record.items() if k in wanted}

    # -- OAuth -----------------------------------------------------------------------------------
    def on_oauth_authorize(self, request: Request) -> Response:
        return self.oauth_authorize_page(request, scope=DEFAULT_SCOPE)

    def on_oauth_token(self, request: Request) -> Response:
        # LinkedIn takes form-encoded parameters (the query string works too), never JSON.
        def param(name: str) -> str:
            return self.form_or_query(request, name)

        def missing(name: str) -> OAuthError:
            return OAuthError("invalid_request", f'A required parameter "{name}" is missing')

        grant_type = param("grant_type")
        try:
            if not grant_type:
                raise missing("grant_type")
            if grant_type == "authorization_code":
                for name in ("code", "redirect_uri", "client_id", "client_secret"):
                    if not param(name):
                        raise missing(name)
                try:
                    grant = self.oauth.exchange_code(
                        vendor=self.key,
                        policy=self.policy,
                        client_id=param("client_id"),
                        client_secret=param("client_secret"),
                        code=param("code"),
                        redirect_uri=param("redirect_uri"),
                    )
                except OAuthError as error:
                    if error.error != "invalid_grant":
                        raise
                    # LinkedIn gives one answer for a bad, reused or expired code, and its own
                    # error name when the redirect URI differs.
                    name = (
                        "invalid_redirect_uri"
                        if "redirect_uri" in error.description
                        else "invalid_request"
                    )
                    raise OAuthError(name, CODE_ERROR) from error
            elif grant_type == "refresh_token":
                for name in ("refresh_token", "client_id", "client_secret"):
                    if not param(name):
                        raise missing(name)
                try:
                    grant = self.oauth.refresh(
                        vendor=self.key,
                        policy=self.policy,
                        client_id=param("client_id"),
                        client_secret=param("client_secret"),
                        refresh_token=param("refresh_token"),
                    )
                except OAuthError as error:
                    if error.error != "invalid_grant":
                        raise
                    raise OAuthError(
                        "invalid_grant",
                        "The provided authorization grant or refresh token is invalid, expired "
                        f"or revoked ({error.description.rstrip('.').lower()})",
                    ) from error
            else:
                raise OAuthError(
                    "unsupported_grant_type", f"grant_type {grant_type!r} is not supported"
                )
        except OAuthError as error:
            return json_response(
                {"error": error.error, "error_description": error.description}, error.status
            )
        return json_response(
            {
                "access_token": grant.access_token,
                "expires_in": grant.expires_in,
                "refresh_token": grant.refresh_token,
                "refresh_token_expires_in": grant.refresh_expires_in,
                "scope": ",".join(sorted(_scopes(grant.scope))),
                "token_type": "Bearer",
            }
        )

    # -- profile and ad accounts -----------------------------------------------------------------
    def on_me(self, request: Request) -> Response:
        self._api(request, "partnerApiMe.GET", scope=("r_basicprofile",))
        member = self.table("members")[MEMBER_ID]

        def localized(text: str) -> dict[str, Any]:
            return {
                "localized": {"en_US": text},
                "preferredLocale": {"country": "US", "language": "en"},
            }

        return json_response(
            {
                "id": member["id"],
                "localizedFirstName": member["firstName"],
                "localizedLastName": member["lastName"],
                "localizedHeadline": member["headline"],
                "vanityName": member["vanityName"],
                "firstName": localized(member["firstName"]),
                "lastName": localized(member["lastName"]),
                "headline": localized(member["headline"]),
            }
        )

    def _render_account_user(self, entry: dict[str, Any]) -> dict[str, Any]:
        stamp = {"time": entry["created"]}
        return {
            "account": entry["account"],
            "user": entry["user"],
            "role": entry["role"],
            "changeAuditStamps": {"created": stamp, "lastModified": stamp},
        }

    def on_ad_account_users(self, request: Request) -> Response:
        finder = request.args.get("q", "")
        self._api(request, f"adAccountUsersV2.FINDER-{finder}", scope=("r_ads", "rw_ads"))
        entries = list(self.table("ad_account_users").values())
        if finder == "accounts":
            wanted = unquote(request.args.get("accounts", ""))
            if not ACCOUNT_URN.match(wanted):
                raise _bad_request("accounts must be a urn:li:sponsoredAccount URN")
            entries = [e for e in entries if e["account"] == wanted]
        elif finder != "authenticatedUser":
            raise _bad_request(
                f"Unsupported finder q={finder!r}: use authenticatedUser or accounts"
            )
        rendered = [self._render_account_user(e) for e in entries]
        return json_response(self._page(request, rendered, "adAccountUsers"))

    def on_ad_account_user(self, request: Request, key: str) -> Response:
        self._api(request, "adAccountUsersV2.GET", scope=("r_ads", "rw_ads"))
        # Rest.li 1.0 writes the compound key as account=..&user=.., 2.0 as (account:..,user:..).
        text = unquote(key)
        parts = dict(re.findall(r"(account|user)[=:](urn:li:\w+:[^&,)]+)", text.strip("()")))
        entry = next(
            (
                e
                for e in self.table("ad_account_users").values()
                if e["account"] == parts.get("account") and e["user"] == parts.get("user")
            ),
            None,
        )
        if entry is None:
            raise _fail(404, "NOT_FOUND", f"Ad account user {text} not found")
        return json_response(self._render_account_user(entry))

    def _render_account(self, account: dict[str, Any]) -> dict[str, Any]:
        stamp = {"time": account["created"]}
        return {
            "id": account["id"],
            "name": account["name"],
            "reference": account["reference"],
            "currency": account["currency"],
            "test": account["test"],
            "status": account["status"],
            "type": account["type"],
            "servingStatuses": ["RUNNABLE"],
            "notifiedOnCampaignOptimization": False,
            "notifiedOnCreativeApproval": False,
            "notifiedOnCreativeRejection": True,
            "notifiedOnEndOfCampaign": False,
            "notifiedOnNewFeaturesEnabled": False,
            "version": {"versionTag": "1"},
            "changeAuditStamps": {"created": stamp, "lastModified": stamp},
        }

    @staticmethod
    def _search_matches(account: dict[str, Any], search: str) -> bool:
        """A subset of the Rest.li search grammar: (status:(values:List(ACTIVE)),test:false)."""
        for field, values in re.findall(r"(\w+):\(values:List\(([^)]*)\)\)", search):
            wanted = [unquote(value).strip() for value in values.split(",") if value.strip()]
            if field == "id":
                ids = {value.rsplit(":", 1)[-1] for value in wanted}
                if str(account["id"]) not in ids:
                    return False
            elif field == "name":
                if not any(value.lower() in account["name"].lower() for value in wanted):
                    return False
            elif field in {"status", "type", "reference", "currency"}:
                if account[field] not in wanted:
                    return False
        test = re.search(r"test:(true|false)", search)
        return not (test and account["test"] != (test.group(1) == "true"))

    def on_ad_accounts(self, request: Request) -> Response:
        finder = request.args.get("q", "")
        self._api(request, f"adAccountsV2.FINDER-{finder}", scope=("r_ads", "rw_ads"))
        if finder != "search":
            raise _bad_request(f"Unsupported finder q={finder!r}: use search")
        search = unquote(request.args.get("search", ""))
        # Search returns the accounts the authenticated member has a role on.
        accounts = [
            account
            for account_id, account in self.table("ad_accounts").items()
            if account_id in self.table("ad_account_users")
            and self._search_matches(account, search)
        ]
        rendered = [self._project(self._render_account(a), request) for a in accounts]
        return json_response(self._cursor_page(request, rendered))

    def on_ad_account(self, request: Request, account_id: str) -> Response:
        version = self._api(request, "adAccountsV2.GET", scope=("r_ads", "rw_ads"))
        account = self.table("ad_accounts").get(account_id)
        if account is None:
            raise _fail(404, "NOT_FOUND", f"Ad account {account_id} does not exist")
        if account_id not in self.table("ad_account_users"):
            raise _denied("adAccountsV2.GET", version)
        return json_response(self._project(self._render_account(account), request))

    # -- DMP segments ----------------------------------------------------------------------------
    def _insert_segment(
        self, segment_id: int, values: dict[str, Any], *, ad_segment_id: int, at: int
    ) -> dict[str, Any]:
        segment: dict[str, Any] = {
            "id": segment_id,
            "name": values["name"],
            "account": values["account"],
            "type": values["type"],
            "accessPolicy": values.get("accessPolicy") or "PRIVATE",
            "sourcePlatform": values["sourcePlatform"],
            "inputCount": 0,
            "created": at,
            "lastModified": at,
            # Private bookkeeping (leading underscore) never leaves the emulator's API.
            "_adSegment": f"urn:li:adSegment:{ad_segment_id}",
            "_wasReady": False,
            "_matchedBefore": 0,
        }
        for optional in ("sourceSegmentId", "description"):
            if values.get(optional) not in (None, ""):
                segment[optional] = values[optional]
        self.table("segments")[str(segment_id)] = segment
        return segment

    def _state(self, segment: dict[str, Any]) -> tuple[str, int]:
        """Destination status and matched count: processing takes `processing_seconds`."""
        processed = time.time() - segment["lastModified"] / 1000 >= self.processing_seconds
        if processed and (segment["inputCount"] > 0 or segment["_wasReady"]):
            return "READY", segment["inputCount"]
        if segment["_wasReady"]:
            return "UPDATING", segment["_matchedBefore"]
        return "BUILDING", 0

    def _touch(self, segment: dict[str, Any]) -> None:
        status, matched = self._state(segment)
        if status == "READY":
            segment["_wasReady"] = True
            segment["_matchedBefore"] = matched
        segment["lastModified"] = _millis()

    def _render_segment(self, segment: dict[str, Any]) -> dict[str, Any]:
        status, matched = self._state(segment)
        body = {k: v for k, v in segment.items() if not k.startswith("_")}
        body["destinations"] = [
            {
                "destination": "LINKEDIN",
                "status": status,
                "audienceSize": matched,
                "matchedCount": matched,
                "destinationSegmentId": segment["_adSegment"],
            }
        ]
        return body

    def _segment(self, segment_id: str, version: str, permission: str) -> dict[str, Any]:
        segment = self.table("segments").get(segment_id) if segment_id.isdigit() else None
        if segment is None:
            raise _fail(404, "NOT_FOUND", f"DmpSegment {segment_id} does not exist")
        if self._role(segment["account"]) is None:
            raise _denied(permission, version)
        return segment

    def on_dmp_segments(self, request: Request) -> Response:
        if request.method == "POST":
            return self._create_segment(request)
        finder = request.args.get("q", "")
        version = self._api(
            request, f"dmpSegments.FINDER-{finder}", scope=("rw_dmp_segments",), dmp=True
        )
        if finder != "account":
            raise _bad_request(f"Unsupported finder q={finder!r}: use account")
        account = unquote(request.args.get("account", ""))
        if not ACCOUNT_URN.match(account):
            raise _bad_request("account must be a urn:li:sponsoredAccount URN")
        if self._role(account) is None:
            raise _denied("dmpSegments.FINDER-account", version)
        segments = [s for s in self.table("segments").values() if s["account"] == account]
        for name in ("sourceSegmentId", "sourcePlatform"):
            wanted = request.args.get(name)
            if wanted:  # an empty value filters nothing, as Segment's client relies on
                segments = [s for s in segments if s.get(name) == wanted]
        segments.sort(key=lambda s: s["id"])
        rendered = [self._render_segment(s) for s in segments]
        return json_response(self._page(request, rendered, "dmpSegments"))

    def _create_segment(self, request: Request) -> Response:
        version = self._api(request, "dmpSegments.CREATE", scope=("rw_dmp_segments",), dmp=True)
        values = self._json(request)
        # Rest.li's data-validation wording, one line per problem.
        problems = [
            f"ERROR :: /{name} :: unrecognized field found but not allowed"
            for name in sorted(set(values) - SEGMENT_FIELDS)
        ]
        for name in ("name", "account", "type", "sourcePlatform", "destinations"):
            if values.get(name) in (None, "", []):
                problems.append(
                    f"ERROR :: /{name} :: field is required but not found and has no default value"
                )
        for name, symbols in (("type", {"USER", "COMPANY"}), ("accessPolicy", {"PRIVATE"})):
            value = values.get(name)
            if value not in (None, "") and value not in symbols:
                problems.append(f'ERROR :: /{name} :: "{value}" is not an enum symbol')
        account = values.get("account")
        if account and not (isinstance(account, str) and ACCOUNT_URN.match(account)):
            problems.append(f'ERROR :: /account :: "{account}" is not a valid sponsoredAccount URN')
        platform = values.get("sourcePlatform")
        if platform and not re.match(r"^[A-Z][A-Z0-9_]*$", str(platform)):
            problems.append(f'ERROR :: /sourcePlatform :: "{platform}" is not an enum symbol')
        destinations = values.get("destinations")
        if destinations and (
            not isinstance(destinations, list)
            or not all(
                isinstance(d, dict) and d.get("destination") == "LINKEDIN" for d in destinations
            )
        ):
            problems.append('ERROR :: /destinations :: each destination must be "LINKEDIN"')
        if problems:
            raise _fail(422, "UNPROCESSABLE_ENTITY", "\n".join(problems))
        role = self._role(account)
        if not self._manages(role):
            raise _denied("dmpSegments.CREATE", version)
        source_id = values.get("sourceSegmentId")
        if source_id not in (None, "") and any(
            s["account"] == account
            and s["sourcePlatform"] == platform
            and s.get("sourceSegmentId") == source_id
            for s in self.table("segments").values()
        ):
            # Integrators treat LinkedIn's 409 here as "someone created it first" (§3.4, Segment).
            raise _fail(
                409,
                "CONFLICT",
                f"A segment with sourceSegmentId {source_id!r} and sourcePlatform {platform} "
                f"already exists in {account}",
            )
        segment_id = self.next_id("segments", 29_728_400)
        self._insert_segment(
            segment_id,
            values,
            ad_segment_id=self.next_id("ad_segments", 18_490_100),
            at=_millis(),
        )
        return Response(
            status=201,
            headers={
                "x-linkedin-id": str(segment_id),
                "x-restli-id": str(segment_id),
                "Location": f"/rest/dmpSegments/{segment_id}",
            },
        )

    def on_dmp_segment(self, request: Request, segment_id: str) -> Response:
        version = self._api(request, "dmpSegments.GET", scope=("rw_dmp_segments",), dmp=True)
        segment = self._segment(segment_id, version, "dmpSegments.GET")
        return json_response(self._render_segment(segment))

    # -- streaming members -----------------------------------------------------------------------
    def _batch(
        self, request: Request, segment_id: str, kind: str, resource: str
    ) -> tuple[dict[str, Any], list[Any]]:
        """The shared checks of /users and /companies; the segment and the elements."""
        permission = f"{resource}.BATCH_CREATE"
        version = self._api(
            request,
            permission,
            scope=("rw_dmp_segments",),
            dmp=True,
            throttle=f"linkedinads_{'users' if kind == 'USER' else 'companies'}",
        )
        method = request.headers.get("X-RestLi-Method", "").strip().upper()
        if method != "BATCH_CREATE":
            raise _bad_request(
                f"The {resource} resource only supports BATCH_CREATE: send the header "
                "X-RestLi-Method: BATCH_CREATE"
            )
        segment = self._segment(segment_id, version, permission)
        if not self._manages(self._role(segment["account"])):
            raise _denied(permission, version)
        if time.time() - segment["created"] / 1000 < self.new_segment_stream_delay:
            raise _fail(404, "NOT_FOUND", f"DmpSegment {segment_id} does not exist")
        if segment["type"] != kind:
            other = "companies" if kind == "USER" else "users"
            raise _bad_request(
                f"DmpSegment {segment_id} is a {segment['type']} segment: stream {other}, "
                f"not {'users' if kind == 'USER' else 'companies'}, into it"
            )
        elements = self._json(request).get("elements")
        if not isinstance(elements, list):
            raise _bad_request(
                "ERROR :: /elements :: field is required but not found and has no default value"
            )
        if len(elements) > MAX_BATCH_ELEMENTS:
            raise _bad_request(
                f"Too many elements: {len(elements)} (at most {MAX_BATCH_ELEMENTS} per batch)"
            )
        return segment, elements

    @staticmethod
    def _element_result(problem: str | None) -> dict[str, Any]:
        if problem is None:
            return {"status": 201}
        return {
            "status": 400,
            "message": problem,
            "error": {"status": 400, "code": "INVALID_VALUE", "message": problem},
        }

    def _finish(self, segment: dict[str, Any], results: list[dict[str, Any]]) -> Response:
        if any(result["status"] == 201 for result in results):
            self._touch(segment)
        return json_response({"elements": results})

    def on_segment_users(self, request: Request, segment_id: str) -> Response:
        segment, elements = self._batch(request, segment_id, "USER", "dmpSegmentsUsers")
        results = []
        for element in elements:
            problem = self._user_problem(element)
            if problem is None:
                self._apply_user(segment, element)
            results.append(self._element_result(problem))
        return self._finish(segment, results)

    def on_segment_companies(self, request: Request, segment_id: str) -> Response:
        segment, elements = self._batch(request, segment_id, "COMPANY", "dmpSegmentsCompanies")
        results = []
        for element in elements:
            problem = self._company_problem(element)
            if problem is None:
                self._apply_company(segment, element)
            results.append(self._element_result(problem))
        return self._finish(segment, results)

    @staticmethod
    def _common_problem(element: Any, allowed: set[str]) -> str | None:
        if not isinstance(element, dict):
            return "ERROR :: / :: each element must be an object"
        unknown = sorted(set(element) - allowed)
        if unknown:
            return f"ERROR :: /{unknown[0]} :: unrecognized field found but not allowed"
        action = element.get("action")
        if action in (None, ""):
            return "ERROR :: /action :: field is required but not found and has no default value"
        if action not in {"ADD", "REMOVE"}:
            return f'ERROR :: /action :: "{action}" is not an enum symbol'
        return None

    @staticmethod
    def _text_problem(element: dict[str, Any], limits: dict[str, int | None]) -> str | None:
        """Text fields must be strings, some of bounded length (None: no documented limit)."""
        for name, limit in limits.items():
            value = element.get(name)
            if value is None:
                continue
            if not isinstance(value, str):
                return f"ERROR :: /{name} :: {value!r} is not a string"
            if limit is not None and len(value) > limit:
                return f"ERROR :: /{name} :: length {len(value)} exceeds the maximum of {limit}"
        return None

    def _user_problem(self, element: Any) -> str | None:
        problem = self._common_problem(element, USER_FIELDS)
        if problem:
            return problem
        user_ids = element.get("userIds")
        if user_ids in (None, []):
            # Without an id LinkedIn matches by name: "If no valid user ID is provided, the First
            # Name and Last Name parameters must be provided" (Tealium's guide to this API,
            # https://docs.tealium.com/server-side-connectors/linkedin-matched-audiences-connector-setup-guide).
            names = [element.get(name) for name in ("firstName", "lastName")]
            if not all(isinstance(name, str) and name.strip() for name in names):
                return (
                    "ERROR :: /userIds :: at least one userId is required, or firstName and "
                    "lastName to match the member by name"
                )
            user_ids = []
        if not isinstance(user_ids, list):
            return "ERROR :: /userIds :: must be an array of userIds"
        for index, user_id in enumerate(user_ids):
            path = f"/userIds/{index}"
            if not isinstance(user_id, dict):
                return f"ERROR :: {path} :: each userId must be an object"
            id_type, value = user_id.get("idType"), user_id.get("idValue")
            if id_type not in ID_FORMATS:
                return f'ERROR :: {path}/idType :: "{id_type}" is not an enum symbol'
            if not isinstance(value, str) or not value:
                return f"ERROR :: {path}/idValue :: field is required but not found"
            if "@" in value:
                return (
                    f"ERROR :: {path}/idValue :: looks like a plain-text email; send the hex "
                    "SHA-256 of the trimmed, lower-cased address"
                )
            pattern, shape = ID_FORMATS[id_type]
            if not pattern.match(value):
                return f"ERROR :: {path}/idValue :: is not a valid {id_type} ({shape})"
        return self._text_problem(element, {**USER_LIMITS, "company": None, "country": None})

    def _company_problem(self, element: Any) -> str | None:
        problem = self._common_problem(element, COMPANY_FIELDS)
        if problem:
            return problem
        if not any(element.get(name) not in (None, "") for name in COMPANY_IDENTIFIERS):
            return "ERROR :: / :: at least one company identifier is required: " + ", ".join(
                COMPANY_IDENTIFIERS
            )
        problem = self._text_problem(
            element, {**COMPANY_LIMITS, "companyName": None, "country": None}
        )
        if problem:
            return problem
        for name in ("companyWebsiteDomain", "companyDomain", "companyEmailDomain"):
            value = element.get(name)
            if value not in (None, "") and not (isinstance(value, str) and DOMAIN.match(value)):
                return f"ERROR :: /{name} :: {value!r} is not a bare domain such as example.com"
        urn = element.get("organizationUrn")
        if urn not in (None, "") and not (isinstance(urn, str) and ORGANIZATION_URN.match(urn)):
            return f"ERROR :: /organizationUrn :: {urn!r} is not a urn:li:organization URN"
        page = element.get("companyPageUrl")
        if page not in (None, "") and not str(page).startswith(("http://", "https://")):
            return f"ERROR :: /companyPageUrl :: {page!r} is not a URL"
        country = element.get("country")
        if country not in (None, "") and not re.match(r"^[A-Z]{2}$", country):
            return f"ERROR :: /country :: {country!r} is not an ISO 3166-1 alpha-2 code"
        industries = element.get("industries")
        if industries is not None:
            if not isinstance(industries, list) or len(industries) > 3:
                return "ERROR :: /industries :: at most 3 industries are allowed"
            for index, industry in enumerate(industries):
                if not isinstance(industry, str) or len(industry) > 50:
                    return f"ERROR :: /industries/{index} :: must be at most 50 characters"
        return None

    # -- storing members -------------------------------------------------------------------------
    def _apply(self, segment: dict[str, Any], table: str, keys: list[str], record: Any) -> None:
        """ADD stores (or refreshes) one member under its first key; REMOVE drops any match."""
        members = self.table(table)
        prefix = f"{segment['id']}:"
        existing = [prefix + key for key in keys if prefix + key in members]
        if record is None:  # REMOVE
            for key in existing:
                del members[key]
            segment["inputCount"] -= len(existing)
            return
        if existing:
            members[existing[0]].update(record, updated=_millis())
            return
        members[prefix + keys[0]] = {**record, "segment": segment["id"], "added": _millis()}
        segment["inputCount"] += 1

    def _apply_user(self, segment: dict[str, Any], element: dict[str, Any]) -> None:
        user_ids = [
            {"idType": u["idType"], "idValue": u["idValue"].lower()}
            for u in element.get("userIds") or []
        ]
        keys = [f"{u['idType']}:{u['idValue']}" for u in user_ids]
        if not keys:
            # Matched by name: the sandbox keys such a member by first, last and company name
            # (LinkedIn would match a member; an e-mail and a name of one person stay two here).
            names = (element.get(name) or "" for name in ("firstName", "lastName", "company"))
            keys = ["NAME:" + "|".join(name.strip().lower() for name in names)]
        record = None
        if element["action"] == "ADD":
            record = {
                **({"userIds": user_ids} if user_ids else {}),
                **{k: element[k] for k in USER_FIELDS - {"action", "userIds"} if k in element},
            }
        self._apply(segment, "segment_users", keys, record)

    def _apply_company(self, segment: dict[str, Any], element: dict[str, Any]) -> None:
        values = {k: v for k, v in element.items() if k != "action" and v not in (None, "")}
        if "companyDomain" in values:
            values.setdefault("companyWebsiteDomain", values.pop("companyDomain"))
        keys = []
        for name in (
            "organizationUrn",
            "companyWebsiteDomain",
            "companyEmailDomain",
            "companyPageUrl",
            "companyName",
            "stockSymbol",
        ):
            if name in values:
                keys.append(f"{name}:{str(values[name]).strip().lower().rstrip('/')}")
        self._apply(
            segment, "segment_companies", keys, values if element["action"] == "ADD" else None
        )


EMULATOR = LinkedInAdsEmulator
