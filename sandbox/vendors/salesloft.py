"""Salesloft API v2 (destination-apis.md §1): people, accounts, cadences, memberships, OAuth.

Docs: https://developers.salesloft.com/docs/platform/api-basics/ (conventions, rate limits, OAuth).
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sandbox.emulator import Emulator, Reply, json_response
from sandbox.faults import parse_budget
from sandbox.oauth import OAuthError, OAuthPolicy, Rotation
from sandbox.ratelimit import WindowBudget

# A demo API key in Salesloft's shape ("ak" + 64 hex characters), documented in docs/sandbox.md.
DEMO_API_KEY = "ak" + hashlib.sha256(b"syncline-sandbox").hexdigest()
TEAM_ID = "1"
USER_ID = 1
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOMAIN = re.compile(r"^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$")

PERSON_FIELDS = (
    "email_address",
    "secondary_email_address",
    "personal_email_address",
    "first_name",
    "last_name",
    "phone",
    "phone_extension",
    "mobile_phone",
    "home_phone",
    "linkedin_url",
    "title",
    "city",
    "state",
    "country",
    "work_city",
    "work_state",
    "work_country",
    "person_company_name",
    "person_company_website",
    "person_company_industry",
    "job_seniority",
    "do_not_contact",
    "eu_resident",
    "locale",
    "personal_website",
    "twitter_handle",
    "tags",
    "contact_restrictions",
    "custom_fields",
    "account_id",
    "owner_id",
    "import_id",
    "person_stage_id",
    "crm_id",
    "crm_id_type",
)
ACCOUNT_FIELDS = (
    "name",
    "domain",
    "conversational_name",
    "description",
    "phone",
    "website",
    "linkedin_url",
    "twitter_handle",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "locale",
    "industry",
    "company_type",
    "founded",
    "revenue_range",
    "size",
    "do_not_contact",
    "custom_fields",
    "tags",
    "owner_id",
    "company_stage_id",
    "account_tier_id",
    "crm_id",
    "crm_id_type",
)
JOB_SENIORITIES = {
    "director",
    "executive",
    "individual_contributor",
    "manager",
    "vice_president",
    "unknown",
}
CADENCES = (
    (1001, "Active Users Onboarding"),
    (1002, "Trial to Paid Nurture"),
    (1003, "Enterprise Expansion"),
    (1004, "Re-engage Dormant Accounts"),
)
# Cadence states that take no one: "Valid states are: draft, active, archived, expired, deleted"
# (https://developers.salesloft.com/docs/api/cadences-show/).
CLOSED_STATES = frozenset({"archived", "expired", "deleted"})
# Salesloft doesn't document the body for a person already on the cadence (destination-apis.md
# §6.5); a client must read "already" wherever it is filed, so the sandbox can file it anywhere.
ALREADY_ON_CADENCE: dict[str, dict[str, Any]] = {
    "person_id": {"errors": {"person_id": ["is already on this cadence"]}},
    "base": {"errors": {"base": ["Person is already on this cadence"]}},
    "cadence_id": {"errors": {"cadence_id": ["already has this person on it"]}},
    "error": {"error": "Person is already on this cadence"},
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _paging_cost(page: int) -> int:
    """Deep pages cost more (destination-apis.md §1.3)."""
    if page <= 100:
        return 1
    if page <= 150:
        return 3
    if page <= 250:
        return 8
    if page <= 500:
        return 10
    return 30


class SalesloftEmulator(Emulator):
    key = "salesloft"
    title = "Salesloft"
    account_label = "team"
    # Access tokens live 2 hours; each refresh revokes every older refresh token.
    policy = OAuthPolicy(access_ttl=7200, rotation=Rotation.REVOKE_OLDER)
    default_budget: ClassVar[str] = "600/60"

    def __init__(self, sandbox: Any) -> None:
        super().__init__(sandbox)
        self._budgets: dict[str, WindowBudget] = {}
        # Which ALREADY_ON_CADENCE shape a repeated membership gets; tests change it.
        self.already_on_cadence_under = "person_id"

    def rules(self) -> list[Rule]:
        rules = [
            Rule("/oauth/authorize", endpoint="oauth_authorize", methods=["GET", "POST"]),
            Rule("/oauth/token", endpoint="oauth_token", methods=["POST"]),
        ]
        api = [
            ("/v2/me", "me", ["GET"]),
            ("/v2/people", "people", ["GET", "POST"]),
            ("/v2/people/<int:record_id>", "person", ["GET", "PUT", "DELETE"]),
            ("/v2/person_upserts", "person_upserts", ["POST"]),
            ("/v2/accounts", "accounts", ["GET", "POST"]),
            ("/v2/accounts/<int:record_id>", "account", ["GET", "PUT", "DELETE"]),
            ("/v2/account_upserts", "account_upserts", ["POST"]),
            ("/v2/custom_fields", "custom_fields", ["GET", "POST"]),
            ("/v2/cadences", "cadences", ["GET"]),
            ("/v2/cadences/<int:record_id>", "cadence", ["GET"]),
            ("/v2/cadence_memberships", "cadence_memberships", ["GET", "POST"]),
            ("/v2/cadence_memberships/<int:record_id>", "cadence_membership", ["GET", "DELETE"]),
        ]
        for path, endpoint, methods in api:
            # Swagger paths end in .json, other clients omit it: both are in use (§1.1).
            rules.append(Rule(path, endpoint=endpoint, methods=methods))
            rules.append(Rule(path + ".json", endpoint=endpoint, methods=methods))
        return rules

    def default_account(self) -> str:
        return "Acme Sales (team 1)"

    def authorize_redirect_extras(self, scope: str) -> dict[str, str]:
        return {"context": f"/teams/{TEAM_ID}", "scope": scope}

    def seed(self) -> None:
        self.already_on_cadence_under = "person_id"
        self.table("api_keys")[DEMO_API_KEY] = {"key": DEMO_API_KEY, "team_id": TEAM_ID}
        self.table("users")[str(USER_ID)] = {
            "id": USER_ID,
            "guid": "6f1e2d3c-0000-4000-8000-000000000001",
            "name": "Riley Rep",
            "email": "rep@acme.example",
            "team_id": TEAM_ID,
        }
        created = _now()
        for cadence_id, name in CADENCES:
            self.table("cadences")[str(cadence_id)] = {
                "id": cadence_id,
                "name": name,
                "team_cadence": True,
                "shared": True,
                "archived_at": None,
                "draft": False,
                "cadence_function": "outbound",
                "current_state": "active",
                "created_at": created,
                "updated_at": created,
            }
        self.store.sequences["salesloft/cadences"] = 1004
        for field_id, (name, field_type, value_type) in enumerate(
            (
                ("Plan", "person", "text"),
                ("Last Activity", "person", "date"),
                ("Segment", "company", "text"),
            ),
            start=1,
        ):
            self.table("custom_fields")[str(field_id)] = {
                "id": field_id,
                "name": name,
                "field_type": field_type,
                "value_type": value_type,
                "created_at": created,
                "updated_at": created,
            }
        self.store.sequences["salesloft/custom_fields"] = 3
        account = self._insert_account({"name": "Initech", "domain": "initech.example"})
        for first, last in (("Peter", "Gibbons"), ("Samir", "Nagheenanajar")):
            self._insert_person(
                {
                    "email_address": f"{first.lower()}@initech.example",
                    "first_name": first,
                    "last_name": last,
                    "account_id": account["id"],
                }
            )

    # -- errors in Salesloft's shapes (§1.2) ----------------------------------------------
    def unauthorized(self, request: Request, reason: str) -> Response:
        if reason == "missing":
            message = (
                "No Bearer Token attached to request, please see documentation at "
                "developers.salesloft.com"
            )
        else:
            message = f"The access token is {reason}"
        return json_response({"error": message}, 401, {"WWW-Authenticate": "Bearer"})

    def server_error(self, request: Request) -> Response:
        return json_response({"error": "Internal Server Error"}, 500)

    def rate_limited(
        self, request: Request, retry_after: int, *, cost: int = 1, remaining: int = 0
    ) -> Response:
        # Salesloft documents no Retry-After (§1.3), only its two headers on every answer:
        # https://developers.salesloft.com/docs/platform/api-basics/rate-limits/
        return json_response(
            {"error": "Rate limit exceeded"},
            429,
            {
                "x-ratelimit-endpoint-cost": str(cost),
                "x-ratelimit-remaining-minute": str(remaining),
            },
        )

    @staticmethod
    def invalid(errors: dict[str, list[str]]) -> Reply:
        return Reply(json_response({"errors": errors}, 422))

    @staticmethod
    def not_found(what: str) -> Reply:
        return Reply(json_response({"error": f"{what} not found"}, 404))

    # -- auth and the team's cost budget --------------------------------------------------
    def _budget(self) -> WindowBudget:
        text = self.sandbox.faults.budgets.get(self.key, self.default_budget)
        if text not in self._budgets:
            self._budgets[text] = WindowBudget(*parse_budget(text))
        return self._budgets[text]

    def _api(self, request: Request, cost: int = 1) -> dict[str, str]:
        """Authenticate (OAuth token or API key), spend the team's budget; returns rate headers."""
        token = self.bearer(request)
        if token and token in self.table("api_keys"):
            team = self.table("api_keys")[token]["team_id"]
        else:
            team = TEAM_ID
            self.require_token(request)
        decision = self._budget().consume(team, cost)
        if not decision.allowed:
            raise Reply(
                self.rate_limited(
                    request, decision.retry_after, cost=cost, remaining=decision.remaining
                )
            )
        return {
            "x-ratelimit-endpoint-cost": str(cost),
            "x-ratelimit-remaining-minute": str(decision.remaining),
        }

    # -- OAuth -----------------------------------------------------------------------------
    def on_oauth_authorize(self, request: Request) -> Response:
        return self.oauth_authorize_page(request, scope="people:read people:write cadences:read")

    def on_oauth_token(self, request: Request) -> Response:
        params = self.body(request)
        try:
            grant = self.grant(
                params.get("grant_type", ""),
                client_id=params.get("client_id", ""),
                client_secret=params.get("client_secret", ""),
                param=lambda name: params.get(name, ""),
            )
        except OAuthError as error:
            return self.oauth_error(error)
        return json_response(
            {
                "access_token": grant.access_token,
                "token_type": "bearer",
                "expires_in": grant.expires_in,
                "refresh_token": grant.refresh_token,
                "scope": grant.scope,
                "created_at": int(grant.issued_at),
            }
        )

    # -- envelope and listing helpers -------------------------------------------------------
    def _href(self, kind: str, record_id: Any) -> dict[str, Any] | None:
        if record_id in (None, ""):
            return None
        return {"id": record_id, "_href": f"{self.base_url}/v2/{kind}/{record_id}"}

    def _list(
        self,
        request: Request,
        records: list[dict[str, Any]],
        sortable: tuple[str, ...],
        render: Any,
        filters: dict[str, Any],
    ) -> Response:
        try:
            page = max(1, int(request.args.get("page", 1)))
            per_page = min(100, max(1, int(request.args.get("per_page", 25))))
        except ValueError as error:
            raise self.invalid({"page": ["must be an integer"]}) from error
        headers = self._api(request, _paging_cost(page))
        sort_by = request.args.get("sort_by", "updated_at")
        direction = request.args.get("sort_direction", "DESC").upper()
        if sort_by not in sortable or direction not in {"ASC", "DESC"}:
            raise self.invalid({"sort_by": [f"must be one of {', '.join(sortable)}"]})
        records = sorted(
            records, key=lambda r: (str(r.get(sort_by) or ""), r["id"]), reverse=direction == "DESC"
        )
        total = len(records)
        total_pages = max(1, math.ceil(total / per_page))
        window = records[(page - 1) * per_page : page * per_page]
        paging: dict[str, Any] = {
            "per_page": per_page,
            "current_page": page,
            "next_page": page + 1 if page < total_pages else None,
            "prev_page": page - 1 if page > 1 else None,
        }
        if request.args.get("include_paging_counts") == "true":
            paging.update(total_pages=total_pages, total_count=total)
        metadata = {
            "filtering": filters,
            "paging": paging,
            "sorting": {"sort_by": sort_by, "sort_direction": direction},
        }
        return json_response(
            {"metadata": metadata, "data": [render(record) for record in window]}, 200, headers
        )

    @staticmethod
    def _multi(request: Request, name: str) -> list[str]:
        return request.args.getlist(f"{name}[]") or request.args.getlist(name)

    # -- people ----------------------------------------------------------------------------
    def _render_person(self, person: dict[str, Any]) -> dict[str, Any]:
        first, last = person.get("first_name") or "", person.get("last_name") or ""
        email = person.get("email_address") or ""
        display = f"{first} {last}".strip()
        memberships = [
            m
            for m in self.table("cadence_memberships").values()
            if m["person_id"] == person["id"] and m["currently_on_cadence"]
        ]
        return {
            **{
                name: person.get(name)
                for name in PERSON_FIELDS
                if name not in {"account_id", "owner_id"}
            },
            "id": person["id"],
            "display_name": display or email,
            "full_email_address": f'"{display}" <{email}>' if display and email else email,
            "created_at": person["created_at"],
            "updated_at": person["updated_at"],
            "custom_fields": {k: v for k, v in (person.get("custom_fields") or {}).items() if v},
            "tags": person.get("tags") or [],
            "account": self._href("accounts", person.get("account_id")),
            "owner": self._href("users", person.get("owner_id")),
            "cadences": [self._href("cadences", m["cadence_id"]) for m in memberships],
            "bouncing": False,
            "untouched": True,
            "success_count": 0,
            "counts": {
                "emails_sent": 0,
                "emails_viewed": 0,
                "emails_clicked": 0,
                "emails_replied_to": 0,
                "emails_bounced": 0,
                "calls": 0,
            },
        }

    def _person_errors(
        self, values: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        merged = {**(existing or {}), **values}
        unknown = sorted(set(values) - set(PERSON_FIELDS) - {"autotag_date", "upsert_key", "id"})
        for name in unknown:
            errors.setdefault(name, []).append("is not a valid attribute")
        email = values.get("email_address")
        if email not in (None, ""):
            if not EMAIL.match(str(email)):
                errors.setdefault("email_address", []).append("is invalid")
            else:
                for other in self.table("people").values():
                    if (other["email_address"] or "").lower() == str(email).lower() and (
                        existing is None or other["id"] != existing["id"]
                    ):
                        errors.setdefault("email_address", []).append("is already taken")
        if not merged.get("email_address") and not (
            merged.get("phone") and merged.get("last_name")
        ):
            errors.setdefault("base", []).append(
                "either email_address or phone and last_name must be present"
            )
        seniority = values.get("job_seniority")
        if seniority not in (None, "") and seniority not in JOB_SENIORITIES:
            errors.setdefault("job_seniority", []).append("is not included in the list")
        if (
            values.get("crm_id")
            and values.get("crm_id_type", merged.get("crm_id_type")) != "salesforce"
        ):
            errors.setdefault("crm_id_type", []).append("must be salesforce when crm_id is set")
        account_id = values.get("account_id")
        if account_id not in (None, "") and str(account_id) not in self.table("accounts"):
            errors.setdefault("account_id", []).append("does not exist")
        if not isinstance(values.get("custom_fields", {}), dict):
            errors.setdefault("custom_fields", []).append("must be an object keyed by field name")
        return errors

    def _insert_person(self, values: dict[str, Any]) -> dict[str, Any]:
        person_id = self.next_id("people", 5000)
        now = _now()
        person = {name: values.get(name) for name in PERSON_FIELDS}
        person.update(id=person_id, created_at=now, updated_at=now)
        person["owner_id"] = values.get("owner_id") or USER_ID
        self.table("people")[str(person_id)] = person
        return person

    def _update_person(self, person: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        for name in PERSON_FIELDS:
            if name in values:
                if name == "custom_fields":
                    person["custom_fields"] = {
                        **(person.get("custom_fields") or {}),
                        **values[name],
                    }
                else:
                    person[name] = values[name]
        person["updated_at"] = _now()
        return person

    def _person(self, record_id: int) -> dict[str, Any]:
        person = self.table("people").get(str(record_id))
        if person is None:
            raise self.not_found("Person")
        return person

    def on_people(self, request: Request) -> Response:
        if request.method == "POST":
            headers = self._api(request)
            values = self.body(request)
            errors = self._person_errors(values, None)
            if errors:
                raise self.invalid(errors)
            person = self._insert_person(values)
            return json_response({"data": self._render_person(person)}, 200, headers)
        people = list(self.table("people").values())
        filters: dict[str, Any] = {}
        for arg, field in (
            ("ids", "id"),
            ("email_addresses", "email_address"),
            ("crm_id", "crm_id"),
            ("account_id", "account_id"),
            ("owner_id", "owner_id"),
        ):
            wanted = self._multi(request, arg)
            if wanted:
                filters[arg] = wanted
                lowered = {value.lower() for value in wanted}
                people = [p for p in people if str(p.get(field) or "").lower() in lowered]
        cadence_ids = self._multi(request, "cadence_id")
        if cadence_ids:
            filters["cadence_id"] = cadence_ids
            on = {
                m["person_id"]
                for m in self.table("cadence_memberships").values()
                if str(m["cadence_id"]) in cadence_ids and m["currently_on_cadence"]
            }
            people = [p for p in people if p["id"] in on]
        for operator in ("gt", "gte", "lt", "lte"):
            bound = request.args.get(f"updated_at[{operator}]")
            if bound:
                filters[f"updated_at[{operator}]"] = bound
                compare = {"gt": str.__gt__, "gte": str.__ge__, "lt": str.__lt__, "lte": str.__le__}
                people = [p for p in people if compare[operator](p["updated_at"], bound)]
        return self._list(
            request,
            people,
            ("created_at", "updated_at", "last_contacted_at"),
            self._render_person,
            filters,
        )

    def on_person(self, request: Request, record_id: int) -> Response:
        headers = self._api(request)
        person = self._person(record_id)
        if request.method == "DELETE":
            del self.table("people")[str(record_id)]
            return Response(status=204, headers=headers)
        if request.method == "PUT":
            values = self.body(request)
            errors = self._person_errors(values, person)
            if errors:
                raise self.invalid(errors)
            self._update_person(person, values)
        return json_response({"data": self._render_person(person)}, 200, headers)

    def _upsert_target(
        self, table: str, values: dict[str, Any], keys: tuple[str, ...]
    ) -> dict[str, Any] | None:
        """The record an upsert updates, None to create; 422 for a bad or ambiguous key."""
        upsert_key = values.get("upsert_key")
        if upsert_key is None:
            return None  # without upsert_key an upsert never updates (§1.4)
        if upsert_key not in keys:
            raise self.invalid({"upsert_key": [f"must be one of {', '.join(keys)}"]})
        wanted = values.get(upsert_key)
        if wanted in (None, ""):
            raise self.invalid({upsert_key: ["must be present when used as the upsert_key"]})
        matches = [
            record
            for record in self.table(table).values()
            if str(record.get(upsert_key) or "").lower() == str(wanted).lower()
        ]
        if len(matches) > 1:
            raise self.invalid({upsert_key: ["matches more than one record"]})
        if not matches and upsert_key == "id":
            raise self.invalid({"id": ["does not exist"]})
        return matches[0] if matches else None

    def on_person_upserts(self, request: Request) -> Response:
        headers = self._api(request)
        values = self.body(request)
        existing = self._upsert_target("people", values, ("id", "crm_id", "email_address"))
        errors = self._person_errors(values, existing)
        if errors:
            raise self.invalid(errors)
        if existing is None:
            person, kind = self._insert_person(values), "create"
        else:
            person, kind = self._update_person(existing, values), "update"
        return json_response(
            {"data": {"person": self._render_person(person), "upsert_type": kind}}, 200, headers
        )

    # -- accounts --------------------------------------------------------------------------
    def _render_account(self, account: dict[str, Any]) -> dict[str, Any]:
        return {
            **{name: account.get(name) for name in ACCOUNT_FIELDS if name != "owner_id"},
            "id": account["id"],
            "created_at": account["created_at"],
            "updated_at": account["updated_at"],
            "archived_at": None,
            "custom_fields": {k: v for k, v in (account.get("custom_fields") or {}).items() if v},
            "tags": account.get("tags") or [],
            "owner": self._href("users", account.get("owner_id")),
            "counts": {
                "people": sum(
                    1 for p in self.table("people").values() if p.get("account_id") == account["id"]
                )
            },
        }

    def _account_errors(
        self, values: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        merged = {**(existing or {}), **values}
        for name in sorted(set(values) - set(ACCOUNT_FIELDS) - {"upsert_key", "id"}):
            errors.setdefault(name, []).append("is not a valid attribute")
        if not merged.get("name"):
            errors.setdefault("name", []).append("can't be blank")
        domain = values.get("domain")
        if existing is None and not domain:
            errors.setdefault("domain", []).append("can't be blank")
        if domain:
            if not DOMAIN.match(str(domain)):
                errors.setdefault("domain", []).append(
                    "is invalid (a bare lowercase domain such as example.com, not a URL)"
                )
            for other in self.table("accounts").values():
                if other["domain"] == domain and (
                    existing is None or other["id"] != existing["id"]
                ):
                    errors.setdefault("domain", []).append("has already been taken")
        return errors

    def _insert_account(self, values: dict[str, Any]) -> dict[str, Any]:
        account_id = self.next_id("accounts", 700)
        now = _now()
        account = {name: values.get(name) for name in ACCOUNT_FIELDS}
        account.update(id=account_id, created_at=now, updated_at=now)
        account["owner_id"] = values.get("owner_id") or USER_ID
        self.table("accounts")[str(account_id)] = account
        return account

    def _update_account(self, account: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        for name in ACCOUNT_FIELDS:
            if name in values:
                account[name] = values[name]
        account["updated_at"] = _now()
        return account

    def on_accounts(self, request: Request) -> Response:
        if request.method == "POST":
            headers = self._api(request)
            values = self.body(request)
            errors = self._account_errors(values, None)
            if errors:
                raise self.invalid(errors)
            return json_response(
                {"data": self._render_account(self._insert_account(values))}, 200, headers
            )
        accounts = list(self.table("accounts").values())
        filters: dict[str, Any] = {}
        for arg, field in (
            ("ids", "id"),
            ("crm_id", "crm_id"),
            ("domain", "domain"),
            ("name", "name"),
            ("website", "website"),
        ):
            wanted = self._multi(request, arg)
            if wanted:
                filters[arg] = wanted
                lowered = {value.lower() for value in wanted}
                accounts = [a for a in accounts if str(a.get(field) or "").lower() in lowered]
        return self._list(
            request, accounts, ("created_at", "updated_at", "name"), self._render_account, filters
        )

    def on_account(self, request: Request, record_id: int) -> Response:
        headers = self._api(request)
        account = self.table("accounts").get(str(record_id))
        if account is None:
            raise self.not_found("Account")
        if request.method == "DELETE":
            del self.table("accounts")[str(record_id)]
            return Response(status=204, headers=headers)
        if request.method == "PUT":
            values = self.body(request)
            errors = self._account_errors(values, account)
            if errors:
                raise self.invalid(errors)
            self._update_account(account, values)
        return json_response({"data": self._render_account(account)}, 200, headers)

    def on_account_upserts(self, request: Request) -> Response:
        headers = self._api(request)
        values = self.body(request)
        existing = self._upsert_target("accounts", values, ("id", "crm_id", "domain"))
        errors = self._account_errors(values, existing)
        if errors:
            raise self.invalid(errors)
        if existing is None:
            account, kind = self._insert_account(values), "create"
        else:
            account, kind = self._update_account(existing, values), "update"
        return json_response(
            {"data": {"account": self._render_account(account), "upsert_type": kind}}, 200, headers
        )

    # -- custom fields, cadences, memberships, me ----------------------------------------------
    def on_custom_fields(self, request: Request) -> Response:
        if request.method == "POST":
            headers = self._api(request)
            values = self.body(request)
            errors: dict[str, list[str]] = {}
            if not values.get("name"):
                errors["name"] = ["can't be blank"]
            if values.get("field_type") not in {"person", "company", "opportunity"}:
                errors["field_type"] = ["must be person, company or opportunity"]
            if errors:
                raise self.invalid(errors)
            field_id = self.next_id("custom_fields")
            now = _now()
            field = {
                "id": field_id,
                "name": values["name"],
                "field_type": values["field_type"],
                "value_type": values.get("value_type") or "text",
                "created_at": now,
                "updated_at": now,
            }
            self.table("custom_fields")[str(field_id)] = field
            return json_response({"data": field}, 200, headers)
        fields = list(self.table("custom_fields").values())
        field_type = request.args.get("field_type")
        if field_type:
            fields = [f for f in fields if f["field_type"] == field_type]
        return self._list(
            request,
            fields,
            ("created_at", "updated_at", "name"),
            dict,
            {"field_type": field_type} if field_type else {},
        )

    @staticmethod
    def _addable(cadence: dict[str, Any]) -> bool:
        """Whether people can be added to the cadence, as the list's `people_addable` filter
        reads it ("Filters cadences by whether they are able to have people added to them",
        Salesloft's swagger: https://github.com/paragonsean/openapi-directory/blob/main/APIs/
        salesloft.com/v2/javascript-client/docs/CadencesApi.md; destination-apis.md §1.7).
        Not when archived or closed; a row's own `people_addable: false` stands in for
        Salesloft's permission rules (a teammate's personal cadence:
        https://developers.salesloft.com/docs/api/cadence-memberships-create/). It is a filter,
        not a field of the documented cadence object
        (https://developers.salesloft.com/docs/api/cadences-show/), so it is never rendered."""
        return (
            cadence.get("people_addable", True) is not False
            and not cadence.get("archived_at")
            and cadence.get("current_state") not in CLOSED_STATES
        )

    def _render_cadence(self, cadence: dict[str, Any]) -> dict[str, Any]:
        people = sum(
            1
            for m in self.table("cadence_memberships").values()
            if m["cadence_id"] == cadence["id"] and m["currently_on_cadence"]
        )
        return {
            **{key: value for key, value in cadence.items() if key != "people_addable"},
            "owner": self._href("users", USER_ID),
            "creator": self._href("users", USER_ID),
            "groups": [],
            "tags": [],
            "counts": {"cadence_people": people, "target_daily_people": 0},
        }

    def on_cadences(self, request: Request) -> Response:
        cadences = list(self.table("cadences").values())
        filters: dict[str, Any] = {}
        ids = self._multi(request, "ids")
        if ids:
            filters["ids"] = ids
            cadences = [c for c in cadences if str(c["id"]) in ids]
        name = request.args.get("name")
        if name:
            filters["name"] = name
            cadences = [c for c in cadences if c["name"].lower() == name.lower()]
        addable = request.args.get("people_addable")
        if addable in {"true", "false"}:
            filters["people_addable"] = addable
            cadences = [c for c in cadences if self._addable(c) == (addable == "true")]
        return self._list(
            request, cadences, ("created_at", "updated_at", "name"), self._render_cadence, filters
        )

    def on_cadence(self, request: Request, record_id: int) -> Response:
        headers = self._api(request)
        cadence = self.table("cadences").get(str(record_id))
        if cadence is None:
            raise self.not_found("Cadence")
        return json_response({"data": self._render_cadence(cadence)}, 200, headers)

    def _render_membership(self, membership: dict[str, Any]) -> dict[str, Any]:
        return {
            **{
                k: v
                for k, v in membership.items()
                if k not in {"person_id", "cadence_id", "user_id"}
            },
            "cadence": self._href("cadences", membership["cadence_id"]),
            "person": self._href("people", membership["person_id"]),
            "user": self._href("users", membership["user_id"]),
            "latest_action": None,
            "counts": {
                "views": 0,
                "clicks": 0,
                "replies": 0,
                "calls": 0,
                "sent_emails": 0,
                "bounces": 0,
            },
        }

    def on_cadence_memberships(self, request: Request) -> Response:
        if request.method == "GET":
            memberships = list(self.table("cadence_memberships").values())
            filters: dict[str, Any] = {}
            for arg in ("person_id", "cadence_id"):
                value = request.args.get(arg)
                if value:
                    filters[arg] = value
                    memberships = [m for m in memberships if str(m[arg]) == value]
            current = request.args.get("currently_on_cadence")
            if current in {"true", "false"}:
                filters["currently_on_cadence"] = current
                memberships = [
                    m for m in memberships if m["currently_on_cadence"] == (current == "true")
                ]
            return self._list(
                request, memberships, ("created_at", "updated_at"), self._render_membership, filters
            )
        headers = self._api(request)
        # The spec documents query parameters; other clients send a JSON body: accept both (§1.7).
        values = {**request.args.to_dict(), **self.body(request)}
        errors: dict[str, list[str]] = {}
        person_id, cadence_id = values.get("person_id"), values.get("cadence_id")
        if person_id in (None, ""):
            errors["person_id"] = ["can't be blank"]
        elif str(person_id) not in self.table("people"):
            errors["person_id"] = ["does not exist"]
        if cadence_id in (None, ""):
            errors["cadence_id"] = ["can't be blank"]
        elif str(cadence_id) not in self.table("cadences"):
            errors["cadence_id"] = ["does not exist"]
        if errors:
            raise self.invalid(errors)
        person_id, cadence_id = int(person_id), int(cadence_id)
        if not self._addable(self.table("cadences")[str(cadence_id)]):
            # The exact words are assumed; the key is the cadence's, as for one that is gone.
            raise self.invalid({"cadence_id": ["cannot have people added to it"]})
        existing = next(
            (
                m
                for m in self.table("cadence_memberships").values()
                if m["person_id"] == person_id and m["cadence_id"] == cadence_id
            ),
            None,
        )
        if existing is not None and existing["currently_on_cadence"]:
            raise Reply(json_response(ALREADY_ON_CADENCE[self.already_on_cadence_under], 422))
        now = _now()
        if existing is not None:
            # One membership per person and cadence, reused when re-added (§1.7).
            existing.update(
                currently_on_cadence=True, current_state="staged", updated_at=now, added_at=now
            )
            membership = existing
        else:
            membership_id = self.next_id("cadence_memberships", 90000)
            membership = {
                "id": membership_id,
                "person_id": person_id,
                "cadence_id": cadence_id,
                "user_id": int(values.get("user_id") or USER_ID),
                "added_at": now,
                "created_at": now,
                "updated_at": now,
                "person_deleted": False,
                "currently_on_cadence": True,
                "current_state": "staged",
            }
            self.table("cadence_memberships")[str(membership_id)] = membership
        return json_response({"data": self._render_membership(membership)}, 200, headers)

    def on_cadence_membership(self, request: Request, record_id: int) -> Response:
        headers = self._api(request)
        membership = self.table("cadence_memberships").get(str(record_id))
        if membership is None:
            raise self.not_found("Cadence membership")
        if request.method == "DELETE":
            membership.update(
                currently_on_cadence=False, current_state="removed", updated_at=_now()
            )
            return Response(status=204, headers=headers)
        return json_response({"data": self._render_membership(membership)}, 200, headers)

    def on_me(self, request: Request) -> Response:
        headers = self._api(request)
        user = self.table("users")[str(USER_ID)]
        return json_response(
            {
                "data": {
                    "id": user["id"],
                    "guid": user["guid"],
                    "name": user["name"],
                    "email": user["email"],
                    "team": {"id": int(TEAM_ID), "_href": f"{self.base_url}/v2/team"},
                    "time_zone": "UTC",
                    "active": True,
                }
            },
            200,
            headers,
        )


EMULATOR = SalesloftEmulator
