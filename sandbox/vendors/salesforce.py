"""Salesforce (destination-apis.md §4): OAuth web-server flow, REST API, Bulk API 2.0 ingest.

Docs: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/ (REST),
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm (OAuth),
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/ (Bulk API 2.0).

The token response's `instance_url` points back at this emulator (`<base>/instance`), so the
REST API lives under `/salesforce/instance/services/data/vXX.X/`. Metadata is in
salesforce_schema, validation and writes in salesforce_records, SOQL in salesforce_soql and
Bulk ingest in salesforce_bulk, OAuth and the identity service in salesforce_oauth.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.emulator import Emulator, Reply, json_response
from sandbox.faults import parse_budget
from sandbox.oauth import OAuthPolicy, Rotation
from sandbox.ratelimit import WindowBudget
from sandbox.vendors import salesforce_soql as soql
from sandbox.vendors.salesforce_bulk import BulkIngest
from sandbox.vendors.salesforce_oauth import ORG_ID, ORG_NAME, USER_ID, USERNAME, SalesforceOAuth
from sandbox.vendors.salesforce_records import (
    Org,
    Outcome,
    RequestError,
    duplicate_keys,
    json_object,
    rolled_back,
    timestamp,
)
from sandbox.vendors.salesforce_schema import (
    FIRST_NUMBER,
    OBJECTS,
    SObject,
    full_name,
    record_id,
    sobject,
)
from sandbox.warehouse_data import salesforce_contact_records, salesforce_id

API_VERSION = "v59.0"  # simple-salesforce's default; any v42.0 to v66.0 is served
MIN_VERSION, MAX_VERSION = 42, 66
VERSION = re.compile(r"^v(\d+)\.0$")
DEFAULT_DAILY_LIMIT = "15000/86400"  # Enterprise Edition's floor; override with budget "salesforce"
COLLECTION_LIMIT = 200
QUERY_BATCH = 2000
OPEN_CURSORS = 10  # a user may hold 10 open query cursors; older ones expire
SEED_TIME = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

# (Name, Domain__c, Industry, NumberOfEmployees, Customer_Tier__c): one per warehouse domain
# family, so seeded Contacts hang off the Account their email domain belongs to.
ACCOUNTS = (
    ("Acme Corporation", "acme.example.com", "Technology", 1200, "Gold"),
    ("Globex Corporation", "globex.example.org", "Manufacturing", 340, "Silver"),
    ("Initech", "initech.example.net", "Consulting", 60, "Bronze"),
)
# Jordan Lee is in the org twice (as real CRMs have duplicates): upserting Leads by Email
# then answers 300 Multiple Choices / DUPLICATE_EXTERNAL_ID.
LEADS = (
    ("Jordan", "Lee", "Umbrella Corp", "jordan.lee@example.com", "lead-0001"),
    ("Jordan", "Lee", "Umbrella Corporation", "jordan.lee@example.com", None),
    ("Morgan", "Diaz", "Stark Industries", "morgan.diaz@example.org", "lead-0003"),
    ("Casey", "Nguyen", "Wayne Enterprises", "casey.nguyen@example.net", None),
)
ACCOUNT_IDS = tuple(record_id("Account", n) for n in range(1, len(ACCOUNTS) + 1))
LEAD_IDS = tuple(record_id("Lead", n) for n in range(1, len(LEADS) + 1))


def release(version: int) -> str:
    """v42 is Spring '18; three releases a year since."""
    step = version - MIN_VERSION
    return f"{('Spring', 'Summer', 'Winter')[step % 3]} '{18 + (step + 1) // 3}"


def error_body(code: str, message: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {"message": message, "errorCode": code}
    if fields:
        entry["fields"] = fields
    return [entry]


def not_found(message: str = "The requested resource does not exist") -> Reply:
    return Reply(json_response(error_body("NOT_FOUND", message), 404))


def rest(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A REST or Bulk resource: bearer session, API version, daily API count, limit header."""

    @functools.wraps(handler)
    def wrapper(
        self: SalesforceEmulator, request: Request, version: str, **values: Any
    ) -> Response:
        headers = self.api_call(request, version)
        try:
            response = handler(self, request, version, **values)
        except Reply as reply:
            response = reply.response
        except RequestError as error:
            response = json_response(error.body(), error.status)
        except soql.SoqlError as error:
            response = json_response(error_body(error.code, error.message), 400)
        response.headers.update(headers)
        return response

    return wrapper


class SalesforceEmulator(SalesforceOAuth, BulkIngest, Emulator):
    key = "salesforce"
    title = "Salesforce"
    account_label = "org"
    # Sessions last the org's timeout (2 h here); refresh tokens are not rotated.
    policy = OAuthPolicy(access_ttl=7200, rotation=Rotation.NONE)
    fault_exempt: ClassVar[frozenset[str]] = frozenset({"oauth_authorize", "versions"})

    def __init__(self, sandbox: Any) -> None:
        super().__init__(sandbox)
        self._budgets: dict[str, WindowBudget] = {}
        self._cursors: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._cursor_numbers = itertools.count(1)
        self._known_paths: Map | None = None  # the API's rules without the catch-all
        self.bulk_in_progress_polls = {}

    def rules(self) -> list[Rule]:
        rules = [
            Rule("/services/oauth2/authorize", endpoint="oauth_authorize", methods=["GET", "POST"]),
            Rule("/services/oauth2/token", endpoint="oauth_token", methods=["POST"]),
            Rule("/services/oauth2/revoke", endpoint="oauth_revoke", methods=["GET", "POST"]),
            Rule("/services/oauth2/userinfo", endpoint="userinfo", methods=["GET", "POST"]),
            Rule("/id/<org_id>/<user_id>", endpoint="identity", methods=["GET", "POST"]),
            Rule("/instance/services/data/", endpoint="versions", methods=["GET"]),
        ]
        api = [
            ("/", "resources", ["GET"]),
            ("/limits/", "limits", ["GET"]),
            ("/sobjects/", "describe_global", ["GET"]),
            ("/sobjects/<name>/", "sobject", ["GET", "POST"]),
            ("/sobjects/<name>/describe/", "describe", ["GET"]),
            ("/sobjects/<name>/<record_id>", "record", ["GET", "PATCH", "DELETE"]),
            (
                "/sobjects/<name>/<field_name>/<path:value>",
                "by_external_id",
                ["GET", "PATCH", "DELETE"],
            ),
            ("/query/", "query", ["GET"]),
            ("/query/<locator>", "query_more", ["GET"]),
            ("/queryAll/", "query_all", ["GET"]),
            ("/queryAll/<locator>", "query_more", ["GET"]),
            ("/composite/sobjects", "collections", ["POST", "PATCH", "DELETE"]),
            ("/composite/sobjects/<name>/<field_name>", "collections_upsert", ["PATCH"]),
            ("/jobs/ingest", "ingest_jobs", ["GET", "POST"]),
            ("/jobs/ingest/<job_id>", "ingest_job", ["GET", "PATCH", "DELETE"]),
            ("/jobs/ingest/<job_id>/batches", "ingest_batches", ["PUT"]),
            ("/jobs/ingest/<job_id>/<kind>/", "ingest_results", ["GET"]),
            # Anything else under the API answers in Salesforce's shape, not the sandbox's.
            ("/<path:rest>", "unknown", ["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]
        for path, endpoint, methods in api:
            rules.append(
                Rule(f"/instance/services/data/<version>{path}", endpoint=endpoint, methods=methods)
            )
        return rules

    def default_account(self) -> str:
        return f"{ORG_NAME} ({USERNAME})"

    def org(self) -> Org:
        return Org(
            self.table,
            lambda name: self.next_id(name, FIRST_NUMBER[name]),
            USER_ID,
            record_id,
        )

    # -- seed ------------------------------------------------------------------------------
    def _seed(self, item: SObject, values: dict[str, Any], number: int) -> dict[str, Any]:
        created = timestamp(SEED_TIME + timedelta(minutes=number))
        record = {field.name: field.default for field in item.fields}
        record.update(values)
        record.update(CreatedDate=created, LastModifiedDate=created, SystemModstamp=created)
        if "IsDeleted" in record:
            record["IsDeleted"] = False
        if "OwnerId" in record:
            record["OwnerId"] = USER_ID
        if "Name" in record and not item.by_name["name"].createable:
            record["Name"] = full_name(record)
        self.table(item.name)[record["Id"]] = record
        return record

    def seed(self) -> None:
        self.bulk_in_progress_polls = {}  # a reset lets held Bulk jobs finish again
        self._seed(OBJECTS["Organization"], {
            "Id": ORG_ID, "Name": ORG_NAME, "OrganizationType": "Enterprise Edition",
            "InstanceName": "SYNC1", "IsSandbox": False, "TimeZoneSidKey": "America/Los_Angeles",
        }, 0)  # fmt: skip
        self._seed(OBJECTS["User"], {
            "Id": USER_ID, "Username": USERNAME, "FirstName": "Avery", "LastName": "Admin",
            "Email": USERNAME, "Alias": "aadmin", "IsActive": True,
            "TimeZoneSidKey": "America/Los_Angeles",
        }, 0)  # fmt: skip
        by_domain = {}
        for number, (name, domain, industry, employees, tier) in enumerate(ACCOUNTS, start=1):
            by_domain[domain] = self._seed(OBJECTS["Account"], {
                "Id": ACCOUNT_IDS[number - 1], "Name": name, "Domain__c": domain,
                "Website": f"https://{domain}", "Industry": industry,
                "NumberOfEmployees": employees, "Customer_Tier__c": tier,
                "Type": "Customer - Direct",
            }, number)["Id"]  # fmt: skip
        for number, (first, last, company, email, external) in enumerate(LEADS, start=1):
            self._seed(OBJECTS["Lead"], {
                "Id": LEAD_IDS[number - 1], "FirstName": first, "LastName": last,
                "Company": company, "Email": email, "External_Id__c": external,
                "LeadSource": "Web",
            }, number)  # fmt: skip
        self.store.sequences[f"{self.key}/Account"] = len(ACCOUNTS)
        self.store.sequences[f"{self.key}/Lead"] = len(LEADS)
        # The demo warehouse's salesforce_contacts, minus the ones "deleted after the export".
        for number, contact in enumerate(salesforce_contact_records(), start=1):
            domain = contact["Email"].rsplit("@", 1)[1]
            self._seed(OBJECTS["Contact"], {**contact, "AccountId": by_domain.get(domain)}, number)

    # -- errors in Salesforce's shapes ----------------------------------------------------
    def unauthorized(self, request: Request, reason: str) -> Response:
        return json_response(error_body("INVALID_SESSION_ID", "Session expired or invalid"), 401)

    def server_error(self, request: Request) -> Response:
        if self._is_oauth(request):
            return json_response(
                {"error": "unknown_error", "error_description": "retry your request"}, 500
            )
        message = (
            "An unexpected error occurred. Please include this ErrorId if you contact support: "
            "1921398367-52186 (-1288541209)"
        )
        return json_response(error_body("UNKNOWN_EXCEPTION", message), 500)

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        """Salesforce throttles with 403 REQUEST_LIMIT_EXCEEDED, never 429."""
        budget = self._budget()
        headers = {"Sforce-Limit-Info": f"api-usage={budget.limit}/{budget.limit}"}
        if self._is_oauth(request):
            body: Any = {"error": "rate_limit_exceeded", "error_description": "too many requests"}
            return json_response(body, 403)
        body = error_body("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        return json_response(body, 403, headers)

    # -- the org's daily API budget -------------------------------------------------------
    def _budget(self) -> WindowBudget:
        text = self.sandbox.faults.budgets.get(self.key, DEFAULT_DAILY_LIMIT)
        if text not in self._budgets:
            self._budgets[text] = WindowBudget(*parse_budget(text))
        return self._budgets[text]

    def api_call(self, request: Request, version: str) -> dict[str, str]:
        """Authenticate, check the version, count the call; returns the Sforce-Limit-Info."""
        self.require_token(request)
        match = VERSION.match(version)
        if not match or not MIN_VERSION <= int(match.group(1)) <= MAX_VERSION:
            raise not_found()
        budget = self._budget()
        decision = budget.consume(ORG_ID)
        headers = {"Sforce-Limit-Info": f"api-usage={budget.used(ORG_ID)}/{budget.limit}"}
        if not decision.allowed:
            body = error_body("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            raise Reply(json_response(body, 403, headers))
        return headers

    # -- versions, resources, limits --------------------------------------------------------
    def on_versions(self, request: Request) -> Response:
        return json_response(
            [
                {"label": release(n), "url": f"/services/data/v{n}.0", "version": f"{n}.0"}
                for n in range(MIN_VERSION, MAX_VERSION + 1)
            ]
        )

    @rest
    def on_resources(self, request: Request, version: str) -> Response:
        base = f"/services/data/{version}"
        names = ("sobjects", "query", "queryAll", "limits", "composite", "jobs")
        return json_response({name: f"{base}/{name}" for name in names})

    @rest
    def on_limits(self, request: Request, version: str) -> Response:
        budget = self._budget()
        used = budget.used(ORG_ID)
        records = sum(len(self.table(name)) for name in ("Account", "Contact", "Lead"))
        batches = sum(job.get("batches", 0) for job in self.table("bulk_jobs").values())

        def limit(maximum: int, remaining: int | None = None) -> dict[str, int]:
            return {"Max": maximum, "Remaining": maximum if remaining is None else remaining}

        return json_response(
            {
                "ConcurrentAsyncGetReportInstances": limit(200),
                "DailyApiRequests": limit(budget.limit, max(0, budget.limit - used)),
                "DailyAsyncApexExecutions": limit(250000),
                "DailyBulkApiBatches": limit(15000, 15000 - batches),
                "DailyBulkV2QueryFileStorageMB": limit(976562),
                "DailyBulkV2QueryJobs": limit(10000),
                # Salesforce counts most records as 2 KB of data storage.
                "DataStorageMB": limit(1024, 1024 - records * 2 // 1024),
                "FileStorageMB": limit(2048),
                "HourlyTimeBasedWorkflow": limit(1000),
                "MassEmail": limit(5000),
                "SingleEmail": limit(5000),
            }
        )

    @rest
    def on_unknown(self, request: Request, version: str, rest: str) -> Response:
        if self._known_paths is None:
            self._known_paths = Map(
                [rule.empty() for rule in self.url_map.iter_rules() if rule.endpoint != "unknown"],
                strict_slashes=False,
                merge_slashes=False,
            )
        allowed = self._known_paths.bind("sandbox").allowed_methods(request.path)
        if allowed:
            methods = ",".join(sorted(allowed))
            message = f"HTTP Method '{request.method}' not allowed. Allowed are {methods}"
            raise Reply(json_response(error_body("METHOD_NOT_ALLOWED", message), 405))
        raise not_found()

    # -- describe --------------------------------------------------------------------------
    @staticmethod
    def _sobject(name: str) -> SObject:
        found = sobject(name)
        if found is None:
            raise not_found()
        return found

    @rest
    def on_describe_global(self, request: Request, version: str) -> Response:
        return json_response({
            "encoding": "UTF-8",
            "maxBatchSize": COLLECTION_LIMIT,
            "sobjects": [item.summary(version) for item in OBJECTS.values()],
        })  # fmt: skip

    @rest
    def on_describe(self, request: Request, version: str, name: str) -> Response:
        return json_response(self._sobject(name).describe(version))

    @rest
    def on_sobject(self, request: Request, version: str, name: str) -> Response:
        item = self._sobject(name)
        if request.method == "POST":
            values = self._json_object(request)
            outcome = self.org().create(item, values)
            self._raise_for(outcome)
            return json_response(outcome.result(), 201)
        return json_response({"objectDescribe": item.summary(version), "recentItems": []})

    # -- single records --------------------------------------------------------------------
    def attributes(self, version: str) -> Callable[[str, str], dict[str, str]]:
        def build(name: str, record_id: str) -> dict[str, str]:
            return {"type": name, "url": f"/services/data/{version}/sobjects/{name}/{record_id}"}

        return build

    def _render(self, item: SObject, record: dict[str, Any], version: str, fields: str) -> Response:
        row = item.view(record)
        wanted = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
        body: dict[str, Any] = {"attributes": self.attributes(version)(item.name, row["Id"])}
        for field in item.fields:
            if wanted is None or field.name.lower() in {w.lower() for w in wanted}:
                body[field.name] = row.get(field.name)
        return json_response(body)

    @staticmethod
    def _raise_for(outcome: Outcome) -> None:
        """A single-record call's errors are the response: a JSON array and a 400."""
        if outcome.errors:
            body = [
                {"message": e["message"], "errorCode": e["statusCode"], "fields": e["fields"]}
                for e in outcome.errors
            ]
            raise Reply(json_response(body, 400))

    def _live(self, item: SObject, record_id: str) -> dict[str, Any]:
        found = self.org().find(record_id)
        if found is None or found[0] is not item:
            raise not_found()
        if found[1].get("IsDeleted"):
            raise Reply(json_response(error_body("ENTITY_IS_DELETED", "entity is deleted"), 404))
        return found[1]

    @rest
    def on_record(self, request: Request, version: str, name: str, record_id: str) -> Response:
        item = self._sobject(name)
        record = self._live(item, record_id)
        if request.method == "GET":
            return self._render(item, record, version, request.args.get("fields", ""))
        org = self.org()
        if request.method == "PATCH":
            self._raise_for(org.update(item, record["Id"], self._json_object(request)))
        else:
            self._raise_for(org.delete(record["Id"]))
        return Response(status=204)

    @rest
    def on_by_external_id(
        self, request: Request, version: str, name: str, field_name: str, value: str
    ) -> Response:
        """sObject Rows by External ID: read, upsert or delete through an external id."""
        item = self._sobject(name)
        key = item.field(field_name)
        if key is None or not key.upsert_key:
            raise not_found(
                f"Provided external ID field does not exist or is not accessible: {field_name}"
            )
        org = self.org()
        found = org.matches(item, key, value)
        if len(found) > 1:
            urls = [self.attributes(version)(item.name, r["Id"])["url"] for r in found]
            return json_response(urls, 300)
        if request.method == "GET":
            if not found:
                raise not_found()
            return self._render(item, found[0], version, request.args.get("fields", ""))
        if request.method == "DELETE":
            if not found:
                raise not_found()
            self._raise_for(org.delete(found[0]["Id"]))
            return Response(status=204)
        values = self._json_object(request)
        if any(k.lower() in {key.name.lower(), "id"} for k in values):
            raise RequestError(
                "INVALID_FIELD",
                f"The {key.name} field should not be specified in the sobject data.",
            )
        if not found and request.args.get("updateOnly") == "true":
            raise not_found()
        outcome = org.upsert(item, key, value, values)
        self._raise_for(outcome)
        if outcome.created:
            return json_response(outcome.result(upsert=True), 201)
        # API 46.0 and later answer an update with 200 and a body; older versions with 204.
        if int(version[1:].split(".")[0]) < 46:
            return Response(status=204)
        return json_response(outcome.result(upsert=True), 200)

    # -- SOQL ------------------------------------------------------------------------------
    def _query(self, request: Request, version: str, *, include_deleted: bool) -> Response:
        query = soql.parse(request.args.get("q", ""))
        item = query.sobject

        def parent(parent_id: Any) -> dict[str, Any] | None:
            found = self.org().find(parent_id) if parent_id else None
            return found[0].view(found[1]) if found else None

        rows = (
            item.view(r)
            for r in self.table(item.name).values()
            if include_deleted or not r.get("IsDeleted")
        )
        selected = soql.run(query, rows, parent)
        if query.count:
            return json_response({"totalSize": len(selected), "done": True, "records": []})
        attributes = self.attributes(version)
        records = [soql.render(query, row, parent, attributes) for row in selected]
        family = "queryAll" if include_deleted else "query"
        return self._page(version, family, None, records, 0, self._batch_size(request))

    @staticmethod
    def _batch_size(request: Request) -> int:
        """Sforce-Query-Options: batchSize=N asks for 200 to 2,000 records a page."""
        match = re.search(r"batchSize=(\d+)", request.headers.get("Sforce-Query-Options", ""))
        return min(QUERY_BATCH, max(200, int(match.group(1)))) if match else QUERY_BATCH

    def _page(
        self,
        version: str,
        family: str,
        cursor: str | None,
        records: list[dict[str, Any]],
        start: int,
        size: int,
    ) -> Response:
        """One page of a result; the rest waits behind a cursor in nextRecordsUrl."""
        body: dict[str, Any] = {
            "totalSize": len(records),
            "done": start + size >= len(records),
            "records": records[start : start + size],
        }
        if not body["done"]:
            if cursor is None:
                cursor = salesforce_id("01g", next(self._cursor_numbers))
                self._cursors[cursor] = records
                while len(self._cursors) > OPEN_CURSORS:
                    self._cursors.popitem(last=False)
            body["nextRecordsUrl"] = f"/services/data/{version}/{family}/{cursor}-{start + size}"
        return json_response(body)

    @rest
    def on_query(self, request: Request, version: str) -> Response:
        return self._query(request, version, include_deleted=False)

    @rest
    def on_query_all(self, request: Request, version: str) -> Response:
        return self._query(request, version, include_deleted=True)

    @rest
    def on_query_more(self, request: Request, version: str, locator: str) -> Response:
        cursor, _, offset = locator.rpartition("-")
        records = self._cursors.get(cursor)
        if records is None or not offset.isdigit():
            raise RequestError("INVALID_QUERY_LOCATOR", "invalid query locator")
        family = "queryAll" if "/queryAll/" in request.path else "query"
        size = self._batch_size(request)
        return self._page(version, family, cursor, records, int(offset), size)

    # -- sObject Collections ---------------------------------------------------------------
    @staticmethod
    def _json_object(request: Request) -> dict[str, Any]:
        return json_object(request.get_data(as_text=True))

    def _collection(self, request: Request) -> tuple[list[dict[str, Any]], bool]:
        body = self._json_object(request)
        records = body.get("records")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise RequestError("JSON_PARSER_ERROR", "records must be a list of sObjects")
        if len(records) > COLLECTION_LIMIT:
            raise RequestError(
                "EXCEEDED_ID_LIMIT",
                f"record limit reached. cannot submit more than {COLLECTION_LIMIT} records into "
                "this call",
            )
        return records, bool(body.get("allOrNone", False))

    @staticmethod
    def _typed(record: dict[str, Any]) -> SObject:
        attributes = record.get("attributes")
        name = attributes.get("type") if isinstance(attributes, dict) else None
        if not name:
            raise RequestError("INVALID_TYPE", "Must send a concrete entity type.")
        found = sobject(name)
        if found is None:
            raise RequestError("INVALID_TYPE", f"sObject type '{name}' is not supported.")
        return found

    def _finish(
        self, org: Org, outcomes: list[Outcome], all_or_none: bool, *, upsert: bool = False
    ) -> Response:
        if all_or_none and any(not o.success for o in outcomes):
            org.rollback()
            outcomes = rolled_back(outcomes)
        return json_response([o.result(upsert=upsert) for o in outcomes])

    @rest
    def on_collections(self, request: Request, version: str) -> Response:
        org = self.org()
        if request.method == "DELETE":
            ids = [i for i in request.args.get("ids", "").split(",") if i]
            if len(ids) > COLLECTION_LIMIT:
                raise RequestError(
                    "EXCEEDED_ID_LIMIT", f"more than {COLLECTION_LIMIT} ids in one request"
                )
            all_or_none = request.args.get("allOrNone", "false").lower() == "true"
            org.begin()
            return self._finish(org, [org.delete(i) for i in ids], all_or_none)
        records, all_or_none = self._collection(request)
        typed = [(self._typed(record), record) for record in records]
        for item, record in typed:  # an unknown field refuses the request before any write
            org.check(item, record)
        org.begin()
        outcomes = []
        for item, record in typed:
            if request.method == "POST":
                outcomes.append(org.create(item, record))
                continue
            values = {k: v for k, v in record.items() if k.lower() != "id"}
            record_id = next((v for k, v in record.items() if k.lower() == "id"), None)
            if not record_id:
                message = "Id not specified in an update call"
                outcomes.append(Outcome.failed("MISSING_ARGUMENT", message))
            else:
                outcomes.append(org.update(item, record_id, values))
        return self._finish(org, outcomes, all_or_none)

    @rest
    def on_collections_upsert(
        self, request: Request, version: str, name: str, field_name: str
    ) -> Response:
        item = self._sobject(name)
        key = item.field(field_name)
        if key is None or not key.upsert_key:
            raise not_found(
                f"Provided external ID field does not exist or is not accessible: {field_name}"
            )
        if key.name == "Id":
            # "Only external ids are supported. Don't use record ids.": the request is refused
            # as a whole, a 400 with Salesforce's error array. Salesforce doesn't publish the
            # exact wording; INVALID_FIELD is its code for a field an upsert can't key on.
            # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
            raise RequestError(
                "INVALID_FIELD",
                "Id is not an external ID field: sObject Collections upsert supports external "
                "ids only, not record ids",
                fields=("Id",),
            )
        records, all_or_none = self._collection(request)
        org = self.org()
        for record in records:
            if self._typed(record) is not item:
                raise RequestError(
                    "INVALID_TYPE", f"All records must be of the type in the URI: {item.name}"
                )
            org.check(item, record)

        def value_of(record: dict[str, Any]) -> Any:
            return next((v for k, v in record.items() if k.lower() == key.name.lower()), None)

        repeated = duplicate_keys([value_of(record) for record in records])
        org.begin()
        outcomes = []
        for record in records:
            value = value_of(record)
            if any(k.lower() == "id" for k in record):
                message = f"Id not allowed when upserting by {key.name}"
                outcomes.append(Outcome.failed("INVALID_FIELD", message, ["Id"]))
            elif value is not None and str(value).casefold() in repeated:
                message = f"Duplicate external id specified: {value}"
                outcomes.append(Outcome.failed("DUPLICATE_VALUE", message, [key.name]))
            else:
                outcomes.append(org.upsert(item, key, value, record))
        return self._finish(org, outcomes, all_or_none, upsert=True)

    # -- Bulk API 2.0 (handlers in salesforce_bulk) ----------------------------------------
    on_ingest_jobs = rest(BulkIngest.ingest_jobs)
    on_ingest_job = rest(BulkIngest.ingest_job)
    on_ingest_batches = rest(BulkIngest.ingest_batches)
    on_ingest_results = rest(BulkIngest.ingest_results)


EMULATOR = SalesforceEmulator
