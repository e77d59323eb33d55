"""Gong API v2, Engage flows (destination-apis.md §2): flows, folders, prospects, users, OAuth.

Docs: https://help.gong.io/docs/gong-engage-api-capabilities (the Engage flow endpoints),
https://help.gong.io/apidocs/assign-prospects-contacts-or-leads-to-an-engage-flow-v2flowsprospectsassign-1
(assignment), https://help.gong.io/docs/create-an-app-for-gong (OAuth apps and the token endpoint).

Gong identifies prospects by their CRM ids, so the sandbox's "CRM linked to Gong" holds the demo
warehouse's Salesforce contact ids (minus a few deleted ones, see sandbox.warehouse_data).

Per-prospect refusals carry Gong's own codes, `InvalidArgument | InvalidState | UnexpectedError`
(the OpenAPI schema `AssignedFlowFailure` of the assignment page above); "Invalid crmId <id>" is
Gong's example message. Gong publishes no wording for its InvalidState messages (a prospect the
flow's rules keep out: already in it, or in an exclusive flow), so the sandbox's are its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
from datetime import UTC, datetime
from typing import Any, ClassVar

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sandbox.emulator import Emulator, Reply, json_response
from sandbox.faults import parse_budget
from sandbox.oauth import OAuthError, OAuthPolicy, Rotation
from sandbox.ratelimit import WindowBudget
from sandbox.warehouse_data import gong_crm_contact_ids

# -- the demo company, documented in docs/sandbox.md and used by the Gong connector's tests ----
COMPANY_ID = "company-17"
COMPANY_NAME = "Acme"
WORKSPACE_ID = "4188592385129478305"
DEMO_OWNER_EMAIL = "rep@acme.example"
MANAGER_EMAIL = "manager@acme.example"
INACTIVE_EMAIL = "former.rep@acme.example"
# An access key pair for Basic auth (Gong: Settings > API > Create access key); sandbox-only.
DEMO_ACCESS_KEY = "SYNCLINE" + hashlib.sha256(b"syncline-gong-key").hexdigest()[:24].upper()
DEMO_ACCESS_KEY_SECRET = "gong-sandbox-" + hashlib.sha256(b"syncline-gong-secret").hexdigest()
DEMO_FLOW_ID = "1695493301223590792"  # "Active Users Onboarding", a Company flow
FLOW_IDS = {
    "Active Users Onboarding": DEMO_FLOW_ID,
    "Trial to Paid Nurture": "1695493301223590805",
    "Enterprise Expansion": "1695493301223590811",
    "Riley's Follow-ups": "1695493301223590823",
    "Renewal Push": "1695493301223590837",
    "Morgan's Personal Outreach": "1695493301223590841",
}
DEFAULT_SCOPE = "api:flows:read api:flows:write api:users:read"
MAX_PROSPECTS = 200  # per assign / unassign request (destination-apis.md §2.3)
PAGE_SIZE = 100  # Gong's list pages hold up to 100 records (assumed for flows and folders)
FLOW_INSTANCE_START = 4769935861624480001

# (id, email, first, last, title, active, manager email)
USERS = (
    ("234599484848423", DEMO_OWNER_EMAIL, "Riley", "Rep", "Account Executive", True, MANAGER_EMAIL),
    ("234599484848431", MANAGER_EMAIL, "Morgan", "Manager", "Sales Manager", True, None),
    ("234599484848447", INACTIVE_EMAIL, "Casey", "Former", "Account Executive", False, None),
)
# (id, name, parent id, visibility, owner email, shared with)
FOLDERS = (
    ("1695493301223573500", "Onboarding", None, "Company", MANAGER_EMAIL, ()),
    ("1695493301223573511", "Nurture", None, "Company", MANAGER_EMAIL, ()),
    ("1695493301223573527", "Enterprise", "1695493301223573511", "Company", MANAGER_EMAIL, ()),
    ("1695493301223573538", "Riley's flows", None, "Personal", DEMO_OWNER_EMAIL, ()),
    ("1695493301223573549", "Team renewals", None, "Shared", MANAGER_EMAIL, (DEMO_OWNER_EMAIL,)),
    ("1695493301223573556", "Morgan's drafts", None, "Personal", MANAGER_EMAIL, ()),
)
# (name, folder id, visibility, owner email, shared with, exclusive, created)
FLOWS = (
    ("Active Users Onboarding", "1695493301223573500", "Company", MANAGER_EMAIL, (), False,
     "2025-03-04T15:20:00Z"),
    ("Trial to Paid Nurture", "1695493301223573511", "Company", MANAGER_EMAIL, (), True,
     "2025-04-11T09:05:00Z"),
    ("Enterprise Expansion", "1695493301223573527", "Company", MANAGER_EMAIL, (), True,
     "2025-05-20T13:45:00Z"),
    ("Riley's Follow-ups", "1695493301223573538", "Personal", DEMO_OWNER_EMAIL, (), False,
     "2025-06-02T08:30:00Z"),
    ("Renewal Push", "1695493301223573549", "Shared", MANAGER_EMAIL, (DEMO_OWNER_EMAIL,), False,
     "2025-07-15T16:10:00Z"),
    ("Morgan's Personal Outreach", "1695493301223573556", "Personal", MANAGER_EMAIL, (), False,
     "2025-08-21T11:00:00Z"),
)  # fmt: skip

_REQUEST_ID_ALPHABET = string.ascii_lowercase + string.digits
# Cursors are signed so a client cannot forge one, and bound to the query they came from
# (Gong: "repeat the same call adding cursor"); the key only has to be stable, not secret.
_CURSOR_KEY = b"syncline-sandbox-gong-cursor"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _request_id() -> str:
    """Gong's request references look like '4al018gzaztcr8nbukw'."""
    return "".join(secrets.choice(_REQUEST_ID_ALPHABET) for _ in range(19))


def _invalid_crm_id(crm_id: str) -> str:
    """Gong's own example (AssignedFlowFailure.errorMessage): "Invalid crmId <not-a-crm-id>"."""
    return f"Invalid crmId <{crm_id}>"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class GongEmulator(Emulator):
    key = "gong"
    title = "Gong"
    account_label = "company"
    # Gong documents no access-token lifetime (§2.1): 1 day is an assumption; clients must use
    # expires_in. Refresh tokens work once; the response carries the next one.
    policy = OAuthPolicy(access_ttl=86400, rotation=Rotation.SINGLE_USE)
    # Per company: 3 calls a second and 10,000 a day (§2.2). Fault budgets `gong` and
    # `gong_daily` override them.
    default_budget: ClassVar[str] = "3/1"
    default_daily_budget: ClassVar[str] = "10000/86400"

    # API paths (under /gong/api) and their methods, also used to answer 404 / 405 Gong-style.
    API_ROUTES: ClassVar[dict[str, tuple[str, str]]] = {
        "/v2/flows": ("flows", "GET"),
        "/v2/flows/folders": ("flow_folders", "GET"),
        "/v2/flows/prospects": ("prospect_flows", "POST"),
        "/v2/flows/prospects/assign": ("assign_prospects", "POST"),
        "/v2/flows/prospects/unassign-flows-by-crm-id": ("unassign_by_crm_id", "POST"),
        "/v2/flows/prospects/unassign-flows-by-instance-id": ("unassign_by_instance_id", "POST"),
        "/v2/users": ("users", "GET"),
    }

    def __init__(self, sandbox: Any) -> None:
        super().__init__(sandbox)
        self._budgets: dict[tuple[str, str], WindowBudget] = {}
        # Tests shrink it to exercise cursors without seeding hundreds of flows.
        self.page_size = PAGE_SIZE
        # CRM ids whose assignment fails on Gong's side (UnexpectedError), until removed.
        self.unexpected_errors: set[str] = set()
        # CRM ids Gong won't unassign: their instance ids are left out of the answer, as Gong
        # does when "a prospect could not be removed from the flow for any reason".
        self.kept_in_flows: set[str] = set()
        # What token responses name as the customer's API host (None: this sandbox's own API);
        # tests set another host to check that Syncline refuses it.
        self.customer_api_base: str | None = None

    def rules(self) -> list[Rule]:
        rules = [
            Rule("/oauth2/authorize", endpoint="oauth_authorize", methods=["GET", "POST"]),
            Rule("/oauth2/generate-customer-token", endpoint="oauth_token", methods=["POST"]),
        ]
        for path, (endpoint, method) in self.API_ROUTES.items():
            rules.append(Rule(f"/api{path}", endpoint=endpoint, methods=[method]))
        # Anything else under the API base gets Gong's error shape instead of the sandbox's.
        rules.append(Rule("/api/<path:rest>", endpoint="api_unknown"))
        return rules

    def default_account(self) -> str:
        return f"{COMPANY_NAME} ({COMPANY_ID})"

    def seed(self) -> None:
        self.table("access_keys")[DEMO_ACCESS_KEY] = {
            "accessKey": DEMO_ACCESS_KEY,
            "accessKeySecret": DEMO_ACCESS_KEY_SECRET,
            "companyId": COMPANY_ID,
        }
        self.table("company")[COMPANY_ID] = {
            "id": COMPANY_ID,
            "name": COMPANY_NAME,
            "workspaces": [{"id": WORKSPACE_ID, "name": "Sales"}],
        }
        created = "2024-11-05T10:00:00Z"
        for user_id, email, first, last, title, active, manager in USERS:
            manager_id = next((u[0] for u in USERS if u[1] == manager), None)
            self.table("users")[user_id] = {
                "id": user_id,
                "emailAddress": email,
                "created": created,
                "active": active,
                "emailAliases": [],
                "trustedEmailAddress": email,
                "firstName": first,
                "lastName": last,
                "title": title,
                "phoneNumber": None,
                "extension": None,
                "personalMeetingUrls": [],
                "settings": {
                    "webConferencesRecorded": True,
                    "preventWebConferenceRecording": False,
                    "telephonyCallsImported": False,
                    "emailsImported": True,
                    "preventEmailImport": False,
                    "nonRecordedMeetingsImported": True,
                    "gongConnectEnabled": True,
                },
                "managerId": manager_id,
                "meetingConsentPageUrl": None,
                "spokenLanguages": [{"language": "en-US", "primary": True}],
            }
        for folder_id, name, parent, visibility, owner, shared in FOLDERS:
            self.table("flow_folders")[folder_id] = {
                "id": folder_id,
                "name": name,
                "parentId": parent,
                "visibility": visibility,
                "ownerEmail": owner,
                "sharedWith": list(shared),
                "workspaceId": WORKSPACE_ID,
            }
        for name, folder_id, visibility, owner, shared, exclusive, creation in FLOWS:
            flow_id = FLOW_IDS[name]
            self.table("flows")[flow_id] = {
                "id": flow_id,
                "name": name,
                "folderId": folder_id,
                "visibility": visibility,
                "ownerEmail": owner,
                "sharedWith": list(shared),
                "exclusive": exclusive,
                "creationDate": creation,
                "workspaceId": WORKSPACE_ID,
            }
        # The CRM linked to Gong: the warehouse's Salesforce contacts, minus a few deleted ones.
        crm = self.table("crm_prospects")
        for crm_id in gong_crm_contact_ids():
            crm[crm_id] = {"crmProspectId": crm_id, "objectType": "Contact"}
        self.table("flow_instances")  # exists (empty) so inspection lists it from the start

    # -- errors in Gong's shape: {"requestId": ..., "errors": [...]} (§2.2) ------------------
    @staticmethod
    def error(status: int, *messages: str, headers: dict[str, str] | None = None) -> Response:
        return json_response(
            {"requestId": _request_id(), "errors": list(messages)}, status, headers
        )

    def fail(self, status: int, *messages: str) -> Reply:
        return Reply(self.error(status, *messages))

    def unauthorized(self, request: Request, reason: str) -> Response:
        messages = {
            "missing": "Missing credentials: send a Bearer access token or Basic access key",
            "invalid": "Invalid access token",
            "expired": "Access token has expired",
            "revoked": "Access token has been revoked",
            "basic": "Invalid access key or access key secret",
        }
        return self.error(401, messages.get(reason, f"Access denied ({reason})"))

    def server_error(self, request: Request) -> Response:
        return self.error(500, "Failed to complete the operation due to an unexpected error")

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        return self.error(
            429, "API request limit exceeded", headers={"Retry-After": str(retry_after)}
        )

    # -- auth and the company's budgets -----------------------------------------------------
    def _budget(self, name: str, default: str) -> WindowBudget:
        text = self.sandbox.faults.budgets.get(name, default)
        if (name, text) not in self._budgets:
            self._budgets[(name, text)] = WindowBudget(*parse_budget(text))
        return self._budgets[(name, text)]

    def _api(self, request: Request) -> str:
        """Authenticate (Bearer token or Basic access key), spend the budgets; the company id."""
        credentials = request.authorization
        if credentials is not None and credentials.type == "basic":
            pair = self.table("access_keys").get(credentials.username or "")
            if pair is None or not secrets.compare_digest(
                pair["accessKeySecret"], credentials.password or ""
            ):
                raise Reply(self.unauthorized(request, "basic"))
            company = pair["companyId"]
        else:
            self.require_token(request)
            company = COMPANY_ID  # one company per sandbox: every grant is for it
        for name, default in (
            (self.key, self.default_budget),
            (f"{self.key}_daily", self.default_daily_budget),
        ):
            decision = self._budget(name, default).consume(company)
            if not decision.allowed:
                raise Reply(self.rate_limited(request, decision.retry_after))
        return company

    def _json(self, request: Request) -> dict[str, Any]:
        """Gong's POST endpoints take a JSON object; anything else is a malformed request."""
        try:
            value = json.loads(request.get_data(as_text=True) or "null")
        except json.JSONDecodeError as error:
            raise self.fail(400, f"Malformed JSON body: {error.msg}") from error
        if not isinstance(value, dict):
            raise self.fail(400, "The request body must be a JSON object")
        return value

    # -- OAuth -----------------------------------------------------------------------------
    def on_oauth_authorize(self, request: Request) -> Response:
        return self.oauth_authorize_page(request, scope=DEFAULT_SCOPE)

    def on_oauth_token(self, request: Request) -> Response:
        """Client auth is HTTP Basic; the other parameters may be in the query or the form."""
        try:
            credentials = request.authorization
            if credentials is None or credentials.type != "basic":
                raise OAuthError(
                    "invalid_client",
                    "Client authentication is required (HTTP Basic client_id:client_secret).",
                    status=401,
                )
            client_id = credentials.username or ""
            named = self.form_or_query(request, "client_id")
            if named and named != client_id:
                raise OAuthError(
                    "invalid_client", "client_id does not match the Basic credentials.", 401
                )
            # A refused refresh is a 400: the person has to authorize again (§2.1).
            grant = self.grant(
                self.form_or_query(request, "grant_type"),
                client_id=client_id,
                client_secret=credentials.password or "",
                param=lambda name: self.form_or_query(request, name),
            )
        except OAuthError as error:
            return self.oauth_error(error)
        return json_response(
            {
                "access_token": grant.access_token,
                "refresh_token": grant.refresh_token,
                "scope": grant.scope,
                "token_type": "bearer",
                "expires_in": grant.expires_in,
                # Every API call must go here (Gong: the customer's regional host).
                "api_base_url_for_customer": self.customer_api_base or f"{self.base_url}/api",
            }
        )

    # -- lookups and rendering ----------------------------------------------------------------
    def _user(self, email: str) -> dict[str, Any] | None:
        wanted = email.strip().lower()
        return next(
            (u for u in self.table("users").values() if u["emailAddress"].lower() == wanted), None
        )

    def _known_user(self, email: str | None, parameter: str) -> dict[str, Any]:
        if not email or not isinstance(email, str):
            raise self.fail(400, f"{parameter} is required")
        user = self._user(email)
        if user is None:
            raise self.fail(400, f"{parameter} {email} does not match any Gong user")
        return user

    @staticmethod
    def _visible(item: dict[str, Any], email: str) -> bool:
        """Company items for all; Personal for the owner; Shared for the owner and sharees."""
        email = email.lower()
        if item["visibility"] == "Company":
            return True
        if item["ownerEmail"].lower() == email:
            return True
        return item["visibility"] == "Shared" and email in {e.lower() for e in item["sharedWith"]}

    def _render_flow(self, flow: dict[str, Any]) -> dict[str, Any]:
        folder = self.table("flow_folders").get(flow["folderId"] or "")
        return {
            "id": flow["id"],
            "name": flow["name"],
            "folderId": flow["folderId"],
            "folderName": folder["name"] if folder else None,
            "visibility": flow["visibility"],
            "creationDate": flow["creationDate"],
            "exclusive": flow["exclusive"],
        }

    @staticmethod
    def _render_folder(folder: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": folder["id"],
            "name": folder["name"],
            "parentId": folder["parentId"],
            "visibility": folder["visibility"],
        }

    def _render_instance(self, instance: dict[str, Any]) -> dict[str, Any]:
        flow = self.table("flows")[instance["flowId"]]
        owner = self._user(instance["flowInstanceOwnerEmail"]) or {}
        return {
            "flowId": flow["id"],
            "flowName": flow["name"],
            "crmProspectId": instance["crmProspectId"],
            "flowInstanceId": instance["flowInstanceId"],
            "flowInstanceOwnerEmail": instance["flowInstanceOwnerEmail"],
            "flowInstanceOwnerFullName": " ".join(
                part for part in (owner.get("firstName"), owner.get("lastName")) if part
            ),
            "flowInstanceCreateDate": instance["flowInstanceCreateDate"],
            "flowInstanceStatus": instance["flowInstanceStatus"],
            "workspaceId": flow["workspaceId"],
            "exclusive": flow["exclusive"],
        }

    # -- cursor paging (§2.2) --------------------------------------------------------------------
    def _cursor(self, query: str, offset: int) -> str:
        header = _b64(b'{"alg":"HS256"}')
        payload = _b64(json.dumps({"q": query, "o": offset}, separators=(",", ":")).encode())
        signature = hmac.new(_CURSOR_KEY, f"{header}.{payload}".encode(), "sha256").digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def _offset(self, cursor: str, query: str) -> int:
        try:
            header, payload, signature = cursor.split(".")
            expected = hmac.new(_CURSOR_KEY, f"{header}.{payload}".encode(), "sha256").digest()
            if not hmac.compare_digest(expected, _unb64(signature)):
                raise ValueError("bad signature")
            data = json.loads(_unb64(payload))
            if data["q"] != query:
                raise ValueError("cursor from another query")
            return int(data["o"])
        except (ValueError, KeyError, TypeError) as error:
            raise self.fail(400, "Invalid cursor: repeat the same call adding cursor") from error

    def _page(
        self, request: Request, items: list[dict[str, Any]], key: str, what: str, query: str
    ) -> Response:
        """One page of `items` under `key`, with Gong's `records`; 404 when there are none."""
        if not items:
            # Gong answers an empty list with 404, not an empty page (§2.2).
            raise self.fail(404, f"No {what} found corresponding to the provided filters")
        cursor = request.args.get("cursor")
        offset = self._offset(cursor, query) if cursor else 0
        size = max(1, self.page_size)
        window = items[offset : offset + size]
        records: dict[str, Any] = {
            "totalRecords": len(items),
            "currentPageSize": len(window),
            "currentPageNumber": offset // size,  # 0-based, as Gong's examples show
        }
        if offset + size < len(items):
            records["cursor"] = self._cursor(query, offset + size)
        return json_response({"requestId": _request_id(), "records": records, key: window})

    # -- flows, folders, users ---------------------------------------------------------------------
    def on_flows(self, request: Request) -> Response:
        self._api(request)
        user = self._known_user(request.args.get("flowOwnerEmail"), "flowOwnerEmail")
        workspace = request.args.get("workspaceId") or ""
        folder = request.args.get("folderId") or ""
        flows = [
            flow
            for flow in sorted(self.table("flows").values(), key=lambda f: f["id"])
            if self._visible(flow, user["emailAddress"])
            and (not workspace or flow["workspaceId"] == workspace)
            and (not folder or flow["folderId"] == folder)
        ]
        query = f"flows|{user['emailAddress']}|{workspace}|{folder}"
        return self._page(request, [self._render_flow(f) for f in flows], "flows", "flows", query)

    def on_flow_folders(self, request: Request) -> Response:
        self._api(request)
        user = self._known_user(request.args.get("flowFolderOwnerEmail"), "flowFolderOwnerEmail")
        parent = request.args.get("parentId") or ""
        workspace = request.args.get("workspaceId") or ""
        folders = sorted(self.table("flow_folders").values(), key=lambda f: f["id"])
        if parent:
            # "only this folder and the child folders of this folder" (Gong docs).
            folders = [f for f in folders if parent in (f["id"], f["parentId"])]
        folders = [
            f
            for f in folders
            if self._visible(f, user["emailAddress"])
            and (not workspace or f["workspaceId"] == workspace)
        ]
        query = f"folders|{user['emailAddress']}|{parent}|{workspace}"
        return self._page(
            request,
            [self._render_folder(f) for f in folders],
            "flowsFolders",
            "flow folders",
            query,
        )

    def on_users(self, request: Request) -> Response:
        self._api(request)
        users = sorted(self.table("users").values(), key=lambda u: u["id"])
        return self._page(request, [dict(u) for u in users], "users", "users", "users")

    # -- prospects ----------------------------------------------------------------------------
    def _id_list(self, values: dict[str, Any], name: str, limit: int | None) -> list[str]:
        ids = values.get(name)
        if not isinstance(ids, list) or not ids:
            raise self.fail(400, f"{name} is required and must be a non-empty array of strings")
        if not all(isinstance(item, str) and item for item in ids):
            raise self.fail(400, f"{name} must contain only non-empty strings")
        if limit is not None and len(ids) > limit:
            raise self.fail(400, f"{name} can hold at most {limit} ids per request, not {len(ids)}")
        return ids

    def _running(self, crm_id: str) -> list[dict[str, Any]]:
        return [
            instance
            for instance in self.table("flow_instances").values()
            if instance["crmProspectId"] == crm_id and instance["flowInstanceStatus"] == "Running"
        ]

    def on_assign_prospects(self, request: Request) -> Response:
        self._api(request)
        values = self._json(request)
        missing = [
            name
            for name in ("crmProspectsIds", "flowId", "flowInstanceOwnerEmail")
            if values.get(name) in (None, "", [])
        ]
        if missing:
            raise self.fail(400, *(f"{name} is required" for name in missing))
        ids = self._id_list(values, "crmProspectsIds", MAX_PROSPECTS)
        flow = self.table("flows").get(str(values["flowId"]))
        if flow is None:
            raise self.fail(400, f"Invalid flowId {values['flowId']}")
        owner = self._known_user(values["flowInstanceOwnerEmail"], "flowInstanceOwnerEmail")
        if not owner["active"]:
            raise self.fail(400, f"flowInstanceOwnerEmail {owner['emailAddress']} is not active")
        if not self._visible(flow, owner["emailAddress"]):
            raise self.fail(400, f"Flow {flow['id']} is not available to {owner['emailAddress']}")
        crm = self.table("crm_prospects")
        flows = self.table("flows")
        assigned: list[dict[str, Any]] = []
        not_assigned: list[dict[str, Any]] = []

        def refuse(crm_id: str, code: str, message: str) -> None:
            not_assigned.append(
                {
                    "flowId": flow["id"],
                    "crmProspectId": crm_id,
                    "errorCode": code,
                    "errorMessage": message,
                }
            )

        # In order, one by one: a duplicate id in the request is refused as already assigned.
        for crm_id in ids:
            if crm_id not in crm:
                refuse(crm_id, "InvalidArgument", _invalid_crm_id(crm_id))
                continue
            if crm_id in self.unexpected_errors:
                refuse(crm_id, "UnexpectedError", "Failed to assign the prospect to the flow")
                continue
            running = self._running(crm_id)
            if any(instance["flowId"] == flow["id"] for instance in running):
                # Gong has no code for it: the flow's rules keep the prospect out (InvalidState);
                # the instance it has is kept. The wording is the sandbox's own.
                refuse(
                    crm_id,
                    "InvalidState",
                    f"Prospect {crm_id} is already assigned to flow {flow['id']}",
                )
                continue
            exclusive = next((i for i in running if flows[i["flowId"]]["exclusive"]), None)
            if exclusive is not None:
                # "exclusive: whether a prospect in this flow can be added to other flows".
                refuse(
                    crm_id,
                    "InvalidState",
                    f"Prospect {crm_id} is assigned to exclusive flow {exclusive['flowId']}",
                )
                continue
            instance_id = str(self.next_id("flow_instances", FLOW_INSTANCE_START))
            instance = {
                "flowInstanceId": instance_id,
                "flowId": flow["id"],
                "crmProspectId": crm_id,
                "flowInstanceOwnerEmail": owner["emailAddress"],
                "flowInstanceCreateDate": _now(),
                "flowInstanceStatus": "Running",
            }
            self.table("flow_instances")[instance_id] = instance
            assigned.append(self._render_instance(instance))
        return json_response(
            {
                "requestId": _request_id(),
                "prospectsAssigned": assigned,
                "prospectsNotAssigned": not_assigned,
            }
        )

    def on_prospect_flows(self, request: Request) -> Response:
        self._api(request)
        ids = self._id_list(self._json(request), "crmProspectsIds", None)
        wanted = set(ids)
        instances = sorted(
            (
                i
                for i in self.table("flow_instances").values()
                if i["crmProspectId"] in wanted and i["flowInstanceStatus"] == "Running"
            ),
            key=lambda i: (ids.index(i["crmProspectId"]), i["flowInstanceId"]),
        )
        return json_response(
            {
                "requestId": _request_id(),
                "prospectsAssigned": [self._render_instance(i) for i in instances],
            }
        )

    def _check_unassigner(self, values: dict[str, Any]) -> None:
        email = values.get("unassignedByUserEmail")
        if email not in (None, ""):
            self._known_user(email, "unassignedByUserEmail")

    def _remove(self, instances: list[dict[str, Any]]) -> Response:
        # Removed instances leave the store: Gong lists running instances only.
        for instance in instances:
            del self.table("flow_instances")[instance["flowInstanceId"]]
        return json_response(
            {
                "requestId": _request_id(),
                "unassignedFlowInstanceIds": [i["flowInstanceId"] for i in instances],
            }
        )

    def on_unassign_by_crm_id(self, request: Request) -> Response:
        """Body {crmProspectId, flowId?, unassignedByUserEmail?}: from one flow, or from all."""
        self._api(request)
        values = self._json(request)
        crm_id = values.get("crmProspectId")
        if not isinstance(crm_id, str) or not crm_id:
            raise self.fail(400, "crmProspectId is required")
        if crm_id not in self.table("crm_prospects"):
            raise self.fail(400, _invalid_crm_id(crm_id))
        flow_id = values.get("flowId")
        if flow_id not in (None, "") and str(flow_id) not in self.table("flows"):
            raise self.fail(400, f"Invalid flowId {flow_id}")
        self._check_unassigner(values)
        instances = [
            i
            for i in self._running(crm_id)
            if (flow_id in (None, "") or i["flowId"] == str(flow_id))
            and crm_id not in self.kept_in_flows
        ]
        return self._remove(instances)

    def on_unassign_by_instance_id(self, request: Request) -> Response:
        """Body {flowInstanceIds, unassignedByUserEmail?}; unknown ids are left out silently."""
        self._api(request)
        values = self._json(request)
        ids = self._id_list(values, "flowInstanceIds", MAX_PROSPECTS)
        self._check_unassigner(values)
        table = self.table("flow_instances")
        instances = [
            table[i]
            for i in dict.fromkeys(ids)
            if i in table and table[i]["crmProspectId"] not in self.kept_in_flows
        ]
        return self._remove(instances)

    def on_api_unknown(self, request: Request, rest: str) -> Response:
        route = self.API_ROUTES.get("/" + rest.rstrip("/"))
        if route is not None:
            return self.error(405, f"Request method {request.method} is not supported")
        return self.error(404, f"No API endpoint /{rest}")


EMULATOR = GongEmulator
