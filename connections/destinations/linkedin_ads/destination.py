"""LinkedIn Ads destination: sync rows into Matched Audiences (DMP segments), or create one.

Connection: secrets `access_token`, `refresh_token` (+ `expires_at`), from the OAuth flow;
configuration `accounts`, the ad accounts chosen from parameter_values, saved as plain id strings
(`["512630692"]`; ints, `urn:li:sponsoredAccount:<id>` and `<id>::<reference>` are read too).
None chosen means every account the member can manage audiences on. An optional `member_urn`
saves the /rest/me call that keys the rate limits; optional `rate_limit` and `company_rate_limit`
("LIMIT/SECONDS") replace LinkedIn's /users and /companies limits for this connection.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django.conf import settings

from connections.destinations.base import (
    CreationProperty,
    Destination,
    Mode,
    Operation,
    RecordResult,
    Removal,
    TargetField,
    TargetObject,
    WriteBatch,
    identity_as_given,
    unsent_after,
)
from connections.destinations.errors import DestinationError
from connections.destinations.http import CallRecord, VendorHTTP, vendor_words
from connections.destinations.linkedin_ads.client import (
    COMPANIES_RATE,
    ROLE_ADVICE,
    USERS_RATE,
    LinkedInClient,
    stream_rates,
    urn_param,
)
from connections.destinations.linkedin_ads.members import (
    COMPANY_FIELDS,
    USER_FIELDS,
    canonical_field,
    canonical_values,
    company_element,
    identity_key,
    user_element,
)
from connections.destinations.linkedin_ads.targets import (
    AUDIENCE_TYPES,
    KIND_BY_SEGMENT_TYPE,
    AdAccount,
    Audience,
    account_id,
)
from connections.destinations.linkedin_ads.writes import element_result, not_sent_after
from connections.destinations.ratelimit import RateLimit, WindowLimiter
from connections.models import Connection

# "The sourcePlatform is an ENUM value that is provided by your LinkedIn contact after you have
# been granted access to the Audience APIs" (LinkedIn's Postman collection,
# https://developers.qodex.ai/linkedin-marketing-solutions-versioned-apis/audiences/use-cases-streaming-users-contact-targeting/6-create-a-user-dmp-segment-skip-this-step-if-the-user-chose-to-update-an-existing-audience):
# each install's own, so it is a setting with no default (the sandbox's settings supply one).
SOURCE_PLATFORM_SETTING = "SYNCLINE_LINKEDINADS_SOURCE_PLATFORM"
# Neither mode needs the identity field: a member without an e-mail is matched by first and last
# name, a company by any identifier (members.py), so records without one are sent, not refused.
MODES = (Mode("create", requires_identity=False), Mode("remove", requires_identity=False))
ACTIONS = {"create": "ADD", "remove": "REMOVE"}
OPERATIONS = {"create": Operation.INSERT, "remove": Operation.DELETE}
# A member whose row leaves the model is streamed out of the audience (action REMOVE).
REMOVAL = Removal(mode="remove", default=True, says="removed from the audience")
# Accounts that are being set up can hold audiences; canceled or removed ones cannot.
ACCOUNT_SEARCH = (
    "q=search&search=(status:(values:List(ACTIVE,DRAFT)))&fields=id,name,reference,test"
)


class LinkedInAdsDestination(Destination):
    title = "LinkedIn Ads"
    # LinkedIn documents no maximum per BATCH_CREATE; 5,000 is what integrators (and the sandbox)
    # hold to. A test may lower it on an instance.
    batch_size: ClassVar[int] = 5000
    # Per member and minute: /users is `rate_limit`, /companies `company_rate_limit`; each write
    # goes through the VendorHTTP holding its own limit and bucket (client.py). A connection may
    # set its own of either (configuration `rate_limit` / `company_rate_limit`, "LIMIT/SECONDS").
    rate_limit: ClassVar[RateLimit | None] = USERS_RATE
    company_rate_limit: ClassVar[RateLimit] = COMPANIES_RATE
    # LinkedIn answers 404 to streams into a segment for a minute or two after creating it
    # (destination-apis.md §3.4): a write waits this long past creation before giving up.
    new_segment_wait_seconds: ClassVar[float] = 180.0

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._client: LinkedInClient | None = None
        self.limiter: WindowLimiter | None = None  # the shared windows' default, or a test's
        self._accounts: list[AdAccount] | None = None

    @property
    def client(self) -> LinkedInClient:
        if self._client is None:
            declared = {
                "users": self.rate_limit or USERS_RATE,
                "companies": self.company_rate_limit,
            }
            self._client = LinkedInClient(
                self.connection,
                rates=stream_rates(self.connection, declared),
                limiter=self.limiter,
            )
        return self._client

    @property
    def http(self) -> VendorHTTP:
        return self.client.api

    @property
    def calls(self) -> list[CallRecord]:
        return self.client.calls  # reads and both streams share the one list

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # -- accounts --------------------------------------------------------------------------
    def reachable_accounts(self) -> list[AdAccount]:
        """Every ad account the member has a role on, whatever the role."""
        if self._accounts is None:
            roles = {
                key: str(entry.get("role") or "")
                for entry in self.client.pages("adAccountUsers", "q=authenticatedUser")
                if (key := account_id(entry.get("account")))
            }
            accounts = []
            if roles:
                for found in self.client.search("adAccounts", ACCOUNT_SEARCH):
                    key = account_id(found.get("id"))
                    if key in roles:
                        accounts.append(
                            AdAccount(
                                id=key,
                                name=str(found.get("name") or f"Ad account {key}"),
                                reference=str(found.get("reference") or "")
                                or f"urn:li:sponsoredAccount:{key}",
                                role=roles[key],
                                test=bool(found.get("test")),
                            )
                        )
            self._accounts = accounts
        return self._accounts

    def usable_accounts(self) -> list[AdAccount]:
        """The accounts whose audiences the member may change: any role but VIEWER."""
        return [account for account in self.reachable_accounts() if account.manages_audiences]

    def chosen_accounts(self) -> list[AdAccount]:
        chosen = self.configuration.get("accounts") or []
        if isinstance(chosen, str):
            chosen = re.split(r"[,\s]+", chosen)
        wanted = {key for value in chosen if (key := account_id(value))}
        usable = self.usable_accounts()
        return [account for account in usable if account.id in wanted] if wanted else usable

    # -- discovery ---------------------------------------------------------------------------
    def check(self) -> None:
        if not self.reachable_accounts():
            raise DestinationError(
                "Your LinkedIn user has no ad account. Ask a Campaign Manager admin to add you "
                "to one, then reconnect."
            )
        if not self.usable_accounts():
            raise DestinationError(
                "Your LinkedIn user can only view its ad accounts, so it can't manage "
                f"audiences: {ROLE_ADVICE}."
            )

    def parameter_values(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "accounts": [
                {"value": account.id, "label": account.label} for account in self.usable_accounts()
            ]
        }

    def target_objects(self) -> list[TargetObject]:
        targets = []
        for account in self.chosen_accounts():
            segments = self.client.pages(
                "dmpSegments", f"q=account&account={urn_param(account.urn)}", account=account.label
            )
            for segment in segments:
                kind = KIND_BY_SEGMENT_TYPE.get(str(segment.get("type")))
                if kind is None:  # not a list LinkedIn lets anyone stream members into
                    continue
                audience = Audience(account.id, account.reference, kind, str(segment["id"]))
                name = audience.title(str(segment.get("name") or segment["id"]))
                targets.append(TargetObject(audience.id, name, MODES))
        return targets

    def target_creation(self) -> list[CreationProperty]:
        return [
            CreationProperty("account", "LinkedIn Ads account ID", enum=True),
            CreationProperty("type", "Audience type", enum=True),
            CreationProperty("name", "Audience name", enum=False),
        ]

    def target_property_values(self, property_id: str) -> list[dict[str, str]]:
        if property_id == "account":
            return [
                {"value": account.creation_value, "label": account.label}
                for account in self.chosen_accounts()
            ]
        if property_id == "type":
            return [
                {"value": kind, "label": label} for kind, (_, label, _) in AUDIENCE_TYPES.items()
            ]
        return []

    def planned_target(self, properties: dict[str, str]) -> TargetObject | None:
        """A new audience is known by its type until LinkedIn gives it an id: target_fields
        and removal_for take the type value."""
        kind = str(properties.get("type") or "")
        if kind not in AUDIENCE_TYPES:
            return None
        name = str(properties.get("name") or "").strip() or "New audience"
        return TargetObject(kind, f"{AUDIENCE_TYPES[kind][1]}: {name}", MODES)

    def field_for(
        self, target: str, name: str, fields: Sequence[TargetField]
    ) -> TargetField | None:
        """As write() reads a mapping: "first_name" is FirstName, "domain" is CompanyDomain."""
        wanted = canonical_field(name, [field.id for field in fields])
        return next((field for field in fields if field.id == wanted), None)

    def target_fields(self, target: str) -> list[TargetField]:
        """Fields of an audience id, or of a type value (an audience not yet created)."""
        kind = target if target in AUDIENCE_TYPES else Audience.parse(target).kind
        return list(USER_FIELDS if kind == "user_audience" else COMPANY_FIELDS)

    # -- creating an audience ------------------------------------------------------------------
    def create_target(self, properties: dict[str, str]) -> TargetObject:
        platform = str(settings.VENDORS["linkedinads"].get("source_platform") or "").strip()
        if not platform:
            raise DestinationError(
                "Syncline can't create LinkedIn audiences yet: LinkedIn gives each app approved "
                "for its Audiences API its own source platform value, and none is configured. "
                f"An administrator must set {SOURCE_PLATFORM_SETTING} to the value LinkedIn gave "
                "and restart Syncline. Syncing into existing audiences works meanwhile."
            )
        name = str(properties.get("name") or "").strip()
        if not name:
            raise DestinationError("Give the new audience a name.")
        kind = self._audience_type(properties.get("type"))
        account = self._creation_account(properties.get("account"))
        response = self.client.request(
            "POST",
            "dmpSegments",
            json={
                "name": name,
                "account": account.urn,
                "type": AUDIENCE_TYPES[kind][0],
                "sourcePlatform": platform,
                "accessPolicy": "PRIVATE",
                "destinations": [{"destination": "LINKEDIN"}],
            },
        )
        if not response.is_success:
            raise self.client.fail(response, account=account.label)
        created = (
            response.headers.get("x-linkedin-id")
            or response.headers.get("x-restli-id")
            or response.headers.get("Location", "")
        )
        segment_id = re.split(r"[/:]", created)[-1]
        if not segment_id.isdigit():
            raise DestinationError(
                f"LinkedIn created the audience {name!r} but did not say its id; "
                "pick it from the audience list instead of creating it again.",
                permanent=False,
            )
        audience = Audience(account.id, account.reference, kind, segment_id)
        return TargetObject(audience.id, audience.title(name), MODES)

    def existing_target(self, properties: dict[str, str]) -> TargetObject | None:
        """The audience an earlier create_target with these properties made: a segment of that
        name and type in that account, made through the Audiences API with this install's
        source platform (a list uploaded in Campaign Manager under the same name is another
        audience). The newest wins: a run that died after creating made the newest one.

        LinkedIn's segment finder lists an account's segments (`q=account`,
        https://learn.microsoft.com/en-us/linkedin/marketing/matched-audiences/create-and-manage-segments);
        name, type and platform are compared here rather than trusted to finder filters.
        """
        name = str(properties.get("name") or "").strip()
        if not name:
            return None
        kind = self._audience_type(properties.get("type"))
        account = self._creation_account(properties.get("account"))
        platform = str(settings.VENDORS["linkedinads"].get("source_platform") or "").strip()
        segments = self.client.pages(
            "dmpSegments", f"q=account&account={urn_param(account.urn)}", account=account.label
        )
        matching = [
            segment
            for segment in segments
            if str(segment.get("name") or "").strip() == name
            and segment.get("type") == AUDIENCE_TYPES[kind][0]
            and (not platform or segment.get("sourcePlatform") in (None, platform))
        ]
        if not matching:
            return None
        newest = max(matching, key=_created_order)
        audience = Audience(account.id, account.reference, kind, str(newest["id"]))
        return TargetObject(audience.id, audience.title(name), MODES)

    @staticmethod
    def _audience_type(value: Any) -> str:
        text = str(value or "").strip().lower()
        kind = text if text in AUDIENCE_TYPES else f"{text}_audience"
        if kind not in AUDIENCE_TYPES:
            raise DestinationError(
                f"{value!r} is not an audience type: use one of " + ", ".join(AUDIENCE_TYPES)
            )
        return kind

    def _creation_account(self, value: Any) -> AdAccount:
        key = account_id(value)
        if key is None:
            raise DestinationError(
                f"{value!r} is not a LinkedIn ad account: use a value listed for 'account'."
            )
        for account in self.chosen_accounts():
            if account.id == key:
                return account
        reachable = {account.id: account for account in self.reachable_accounts()}
        if key in reachable and not reachable[key].manages_audiences:
            raise DestinationError(
                f"Your LinkedIn user can't manage audiences on account {reachable[key].label}: "
                f"{ROLE_ADVICE}."
            )
        if key in reachable:
            raise DestinationError(
                f"Account {reachable[key].label} is not enabled on this connection: add it to "
                "its accounts first."
            )
        raise DestinationError(f"Your LinkedIn user has no access to ad account {key}.")

    # -- writing -------------------------------------------------------------------------------
    def normalize_identity(self, target: str, identity_field: str, value: Any) -> str:
        """E-mails trimmed and lower-cased (the hash LinkedIn matches is taken from that), company
        domains bare and lower-cased, organization ids as URNs: as the elements send them."""
        field_id = canonical_field(identity_field, [f.id for f in (*USER_FIELDS, *COMPANY_FIELDS)])
        return identity_key(field_id, value)

    def write(
        self,
        target: str,
        mode: str,
        records: list[dict[str, Any]],
        *,
        identity_field: str,
        options: Mapping[str, Any] | None = None,
        known_ids: Mapping[str, str] | None = None,
    ) -> WriteBatch:
        """Members in BATCH_CREATE calls of up to batch_size elements. LinkedIn gives members no
        id of their own (it matches them by hash or name), so `known_ids` have no use here."""
        audience = Audience.parse(target)
        action = ACTIONS.get(mode)
        if action is None:
            raise DestinationError(
                f"LinkedIn audiences take the modes create (add members) and remove, not {mode!r}."
            )
        operation = OPERATIONS[mode]
        fields = [
            field.id
            for field in (USER_FIELDS if audience.kind == "user_audience" else COMPANY_FIELDS)
        ]
        identity_key_field = canonical_field(identity_field, fields)
        results: list[RecordResult | None] = [None] * len(records)
        identities: list[str] = []
        pending: list[tuple[int, dict[str, Any]]] = []
        for index, record in enumerate(records):
            values = canonical_values(record, fields)
            # The identity as Syncline keyed it; a record may have none (requires_identity=False).
            identity = identity_as_given(record.get(identity_field, values.get(identity_key_field)))
            identities.append(identity)
            element, problem = self.element(audience, values, action)
            if element is None:
                results[index] = RecordResult.rejected(identity, operation, problem)
            else:
                pending.append((index, element))
        chunks = [
            pending[start : start + self.batch_size]
            for start in range(0, len(pending), self.batch_size)
        ]
        failure: DestinationError | None = None
        for number, chunk in enumerate(chunks):
            try:
                statuses = self._send(audience, [element for _, element in chunk])
            except DestinationError as error:
                if number == 0 and not error.in_doubt:
                    raise  # nothing reached LinkedIn's audience: the whole call was refused
                failure = error
                unsent = unsent_after(error, [identities[i] for i, _ in chunk], operation)
                for (index, _), result in zip(chunk, unsent, strict=True):
                    results[index] = result
                for later in chunks[number + 1 :]:
                    for index, _ in later:
                        results[index] = not_sent_after(identities[index], operation, error)
                break
            for (index, _), status in zip(chunk, statuses, strict=True):
                results[index] = element_result(identities[index], operation, status)
        return WriteBatch([result for result in results if result is not None], failure=failure)

    def removal_for(self, target: str) -> Removal | None:
        return REMOVAL

    @staticmethod
    def element(
        audience: Audience, values: dict[str, Any], action: str
    ) -> tuple[dict[str, Any] | None, str]:
        """The LinkedIn element for one record, or why it can't be sent (members.py)."""
        if audience.kind == "user_audience":
            return user_element(values, action)
        return company_element(values, action)

    def _send(self, audience: Audience, elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One BATCH_CREATE; LinkedIn's per-element statuses, in order."""
        path = f"dmpSegments/{audience.segment_id}/{audience.stream}"
        pause, deadline, looked = 1.0, None, False
        while True:
            response = self.client.request(
                "POST",
                path,
                stream=audience.stream,
                headers={"X-RestLi-Method": "BATCH_CREATE"},
                json={"elements": elements},
                idempotent=True,  # adding or removing a member twice leaves the same audience
            )
            if response.status_code != 404:
                break
            if not looked:
                deadline, looked = self._new_segment_deadline(audience), True
            if deadline is None or time.time() + pause > deadline:
                raise DestinationError(
                    f"LinkedIn says audience {audience.segment_id} does not exist "
                    f"({vendor_words(response)}). If it was deleted in Campaign Manager, "
                    "choose another audience.",
                    permanent=False,
                    status=404,
                )
            self.client.sleep(pause)
            pause = min(pause * 2, 30.0)
        if not response.is_success:
            raise self.client.fail(response, account=audience.account_id)
        statuses = response.json().get("elements")
        if not isinstance(statuses, list) or len(statuses) != len(elements):
            raise DestinationError(
                f"LinkedIn answered {len(statuses or [])} statuses for {len(elements)} records; "
                "they will be sent again on the next run.",
                permanent=False,
            )
        return [status if isinstance(status, dict) else {} for status in statuses]

    def _new_segment_deadline(self, audience: Audience) -> float | None:
        """Until when a 404 may be LinkedIn still setting up a new segment; None if it isn't new.

        Assumed (LinkedIn documents only the streaming 404s): the segment answers GET as soon as
        it exists, so its `created` tells one LinkedIn is still setting up from one that is gone,
        which must not hold a worker for minutes. Retries back off 1, 2, 4 … 30 s.
        """
        response = self.client.request("GET", f"dmpSegments/{audience.segment_id}")
        created = response.json().get("created") if response.is_success else None
        if not isinstance(created, int | float):
            return None
        deadline = created / 1000 + self.new_segment_wait_seconds
        return deadline if deadline > time.time() else None


def _created_order(segment: dict[str, Any]) -> tuple[float, int]:
    """Segments by creation time (epoch milliseconds), then id, for "the newest"."""
    created = segment.get("created")
    when = float(created) if isinstance(created, int | float) else 0.0
    key = str(segment.get("id") or "")
    return when, int(key) if key.isdigit() else 0
