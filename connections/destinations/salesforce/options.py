"""The Salesforce connection's settings and a sync target's settings, typed and checked.

Names and accepted values follow Polytomic's Salesforce connection page
(reference/seeds/salesforce-connection-config.txt), so its clients can send the same JSON.
Parsing collects every problem before refusing, so a person fixes them in one go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from config.vendors import sandbox_answers_for_salesforce_domain
from connections.destinations.errors import DestinationError

CONNECT_MODES = ("browser", "code", "api", "clientcredentials")
INGESTION_APIS = ("automatic", "bulk", "rest")
CONCURRENCY_MODES = ("Parallel", "Serial")
INVALID_RELATIONSHIPS = ("error", "omit_values", "omit_records")
CREATE_RECORDS_AS = ("Contact", "Lead", "ContactIfAccountId")

LEAD_OR_CONTACT = "multi:leadOrContact"
COLLECTION_LIMIT = 200  # sObject Collections take at most 200 records a call
BULK_SUGGESTED_ABOVE = 2_000  # Salesforce: Bulk API for more than 2,000 records
BULK_JOB_MAX = 1_000_000  # ours: a bigger job would outlive a sync run's patience


class OptionsError(DestinationError):
    """Settings a person must correct; `problems` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems), permanent=True, status=400)
        self.problems = problems


class _Reader:
    """Reads loosely typed JSON (forms send "true" and "200") and notes what is wrong."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.problems: list[str] = []

    def given(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str, default: str = "") -> str:
        value = self.values.get(name)
        return default if value in (None, "") else str(value).strip()

    def choice(self, name: str, accepted: tuple[str, ...], default: str) -> str:
        value = self.text(name, default)
        match = next((a for a in accepted if a.lower() == value.lower()), None)
        if match is None:
            self.problems.append(f"{name} must be one of {', '.join(accepted)}, not {value!r}")
            return default
        return match

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in {"true", "1", "yes", "on"}:
            return True
        if str(value).strip().lower() in {"false", "0", "no", "off"}:
            return False
        self.problems.append(f"{name} must be true or false, not {value!r}")
        return default

    def integer(self, name: str, default: int, low: int, high: int | None = None) -> int:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
            if isinstance(value, bool) or number != float(value):
                raise ValueError(value)
        except (TypeError, ValueError):
            self.problems.append(f"{name} must be a whole number, not {value!r}")
            return default
        if number < low or (high is not None and number > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.problems.append(f"{name} must be {bound}, not {number}")
            return default
        return number


# Hosts Salesforce serves logins and orgs from. Anything else could be an attacker's server that
# would receive Syncline's client secret and tokens, or a way to make Syncline call internal URLs.
SALESFORCE_HOST = re.compile(
    r"^([a-z0-9-]+\.)*(salesforce\.com|force\.com|cloudforce\.com|salesforce\.mil|"
    r"sfcrmproducts\.cn)$"
)


def is_salesforce_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(SALESFORCE_HOST.match((parts.hostname or "").lower()))


def login_host(domain: str) -> str:
    """A login URL from the `domain` option: login, test, a My Domain host, or a full URL.

    Raises ValueError for anything that is not a Salesforce host over https.
    """
    value = domain.strip().rstrip("/")
    if sandbox_answers_for_salesforce_domain(value):
        # Sandbox mode: the seeds' http://instance.my.salesforce.com is the sandbox's org.
        return str(settings.VENDORS["salesforce"]["login_url"]).rstrip("/")
    if value.lower() in {"login", "test"}:  # simple-salesforce's shorthand
        value = f"{value.lower()}.salesforce.com"
    if "://" not in value:
        value = f"https://{value}"
    scheme, _, rest = value.partition("://")
    url = f"{scheme}://{rest.split('/', 1)[0]}"
    if not is_salesforce_url(url):
        raise ValueError(
            f"domain must be a Salesforce login host such as login.salesforce.com, "
            f"test.salesforce.com or acme.my.salesforce.com, not {domain!r}"
        )
    return url


@dataclass(frozen=True)
class ConnectionOptions:
    """The connection's non-secret settings (client_secret and tokens are secrets)."""

    # The login host: login.salesforce.com, test.salesforce.com or the org's My Domain.
    domain: str = ""
    # browser and code: Syncline's own connected app; api: the customer's (client_id/secret).
    connect_mode: str = "browser"
    client_id: str = ""
    # When on, Syncline stops starting calls once today's count reaches daily_api_calls.
    enforce_api_limits: bool = False
    daily_api_calls: int = 0
    # Read-only in Polytomic: API calls go here instead of the OAuth answer's instance_url.
    instance_url_override: str = ""
    # The model source's default for queryAll (deleted and archived records too).
    include_deleted: bool = False
    # Accepted for compatibility; both concern Polytomic's bulk-sync source, which Syncline
    # does not have (model sources read through SOQL, where neither changes anything).
    enable_tooling: bool = False
    enable_multicurrency_lookup: bool = False

    @classmethod
    def parse(
        cls, configuration: Mapping[str, Any], secrets: Mapping[str, Any] | None = None
    ) -> ConnectionOptions:
        read = _Reader(configuration)
        secrets = secrets or {}
        options = cls(
            domain=read.text("domain"),
            connect_mode=read.choice("connect_mode", CONNECT_MODES, "browser"),
            client_id=read.text("client_id"),
            enforce_api_limits=read.boolean("enforce_api_limits"),
            daily_api_calls=read.integer("daily_api_calls", 0, 0),
            instance_url_override=read.text("instance_url_override").rstrip("/"),
            include_deleted=read.boolean("include_deleted"),
            enable_tooling=read.boolean("enable_tooling"),
            enable_multicurrency_lookup=read.boolean("enable_multicurrency_lookup"),
        )
        problems = read.problems
        if options.domain:
            try:
                login_host(options.domain)
            except ValueError as error:
                problems.append(str(error))
        if options.instance_url_override and not is_salesforce_url(options.instance_url_override):
            problems.append("instance_url_override must be an https Salesforce host")
        has_secret = bool(secrets.get("client_secret"))
        if options.connect_mode == "clientcredentials":
            problems.append(
                "connect_mode 'clientcredentials' is not supported: connect through OAuth "
                "(browser or code), or with your own connected app's client_id and "
                "client_secret (api)"
            )
        elif options.connect_mode == "api" and not (options.client_id and has_secret):
            problems.append(
                "connect_mode 'api' needs your connected app's client_id and client_secret"
            )
        elif options.connect_mode != "api" and (options.client_id or has_secret):
            problems.append(
                "client_id and client_secret are used only with connect_mode 'api'; set "
                "connect_mode to 'api' or leave them out"
            )
        if options.enforce_api_limits and options.daily_api_calls <= 0:
            problems.append(
                "enforce_api_limits needs daily_api_calls: the number of API calls a day "
                "Syncline may use"
            )
        if problems:
            raise OptionsError(problems)
        return options


@dataclass(frozen=True)
class TargetOptions:
    """A sync target's settings (`target.configuration` in the API)."""

    # rest: sObject Collections; bulk: Bulk API 2.0; automatic: Bulk above bulk_threshold.
    ingestion_api: str = "automatic"
    # Syncline's own: how many records a write must hold before automatic picks Bulk 2.0.
    bulk_threshold: int = BULK_SUGGESTED_ABOVE
    rest_batch_size: int = COLLECTION_LIMIT
    bulk_batch_size: int = 10_000  # records per Bulk job (Salesforce batches them by 10,000)
    # Bulk 2.0 always runs a job's batches in parallel and Syncline sends one call at a time,
    # so Serial is always satisfied; the value is accepted and echoed.
    concurrency_mode: str = "Parallel"
    insert_null_values: bool = False  # send nulls (clearing fields) instead of leaving them out
    invalid_relationships: str = "error"  # what to do with records whose lookups are invalid
    only_sync_different: bool = False  # read Salesforce first; skip records already equal
    sort_batches_by: str = ""  # a field: records sharing a parent land in the same call
    # Lead only.
    ignore_invalid_references: bool = False  # drop external-id references that match nothing
    skip_converted: bool = False  # never match converted Leads; pick the newest of duplicates
    # Lead or Contact only: what a record matching neither becomes.
    create_records_as: str = "Contact"

    @classmethod
    def parse(cls, configuration: Mapping[str, Any] | None, *, target: str) -> TargetOptions:
        values = dict(configuration or {})
        read = _Reader(values)
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            read.problems.append(
                f"unknown target option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        options = cls(
            ingestion_api=read.choice("ingestion_api", INGESTION_APIS, "automatic"),
            bulk_threshold=read.integer("bulk_threshold", BULK_SUGGESTED_ABOVE, 0),
            rest_batch_size=read.integer("rest_batch_size", COLLECTION_LIMIT, 1, COLLECTION_LIMIT),
            bulk_batch_size=read.integer("bulk_batch_size", 10_000, 1, BULK_JOB_MAX),
            concurrency_mode=read.choice("concurrency_mode", CONCURRENCY_MODES, "Parallel"),
            insert_null_values=read.boolean("insert_null_values"),
            invalid_relationships=read.choice(
                "invalid_relationships", INVALID_RELATIONSHIPS, "error"
            ),
            only_sync_different=read.boolean("only_sync_different"),
            sort_batches_by=read.text("sort_batches_by"),
            ignore_invalid_references=read.boolean("ignore_invalid_references"),
            skip_converted=read.boolean("skip_converted"),
            create_records_as=read.choice("create_records_as", CREATE_RECORDS_AS, "Contact"),
        )
        is_lead = target.lower() == "lead"
        for name in ("ignore_invalid_references", "skip_converted"):
            if getattr(options, name) and not is_lead:
                read.problems.append(f"{name} applies only to the Lead target")
        if read.given("create_records_as") and target != LEAD_OR_CONTACT:
            read.problems.append("create_records_as applies only to the Lead or Contact target")
        if read.problems:
            raise OptionsError(read.problems)
        return options

    def uses_bulk(self, count: int) -> bool:
        if self.ingestion_api == "bulk":
            return True
        return self.ingestion_api == "automatic" and count > self.bulk_threshold
