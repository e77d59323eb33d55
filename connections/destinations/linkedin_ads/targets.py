"""Ad accounts and the audience ids Syncline shows for them.

An audience's target id follows Polytomic's LinkedIn docs (seeds/linkedin-ads-audience-
walkthrough.txt), so ids from their API work unchanged:

    512630692::urn:li:organization:28818517~company_audience.29728356
    <account id>::<account reference>~<user|company>_audience.<DMP segment id>

The reference is the organization the ad account belongs to (adAccounts `reference`). An account
without one uses its own URN there (`urn:li:sponsoredAccount:<id>`), so the id stays parseable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from connections.destinations.errors import DestinationError

ACCOUNT_URN_PREFIX = "urn:li:sponsoredAccount:"
# "Managing audiences is restricted to ad accounts where the authenticated member has a role
# other than VIEWER" (https://learn.microsoft.com/en-us/linkedin/marketing/matched-audiences/create-and-manage-segment-users);
# the roles are ACCOUNT_BILLING_ADMIN, ACCOUNT_MANAGER, CAMPAIGN_MANAGER, CREATIVE_MANAGER and
# VIEWER (https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads/account-structure/create-and-manage-account-users).
READ_ONLY_ROLE = "VIEWER"
# audience type value → (LinkedIn segment type, label, the path its members are streamed to)
AUDIENCE_TYPES: dict[str, tuple[str, str, str]] = {
    "company_audience": ("COMPANY", "Company Audience", "companies"),
    "user_audience": ("USER", "User Audience", "users"),
}
KIND_BY_SEGMENT_TYPE = {segment_type: kind for kind, (segment_type, _, _) in AUDIENCE_TYPES.items()}
TARGET_ID = re.compile(
    r"^(?P<account>\d+)::(?P<reference>[^~]+)~(?P<kind>user_audience|company_audience)"
    r"\.(?P<segment>\d+)$"
)
ACCOUNT_VALUE = re.compile(r"^(?:urn:li:sponsoredAccount:)?(?P<id>\d+)(?:::.*)?$")


def account_id(value: Any) -> str | None:
    """The numeric account id in any of the forms Syncline accepts, else None.

    `configuration["accounts"]` is saved as plain ids ("512630692", as Polytomic's
    parameter_values does), but ints, `urn:li:sponsoredAccount:<id>` and the creation
    property's `<id>::<reference>` are read too.
    """
    if isinstance(value, bool):
        return None
    match = ACCOUNT_VALUE.match(str(value).strip())
    return match.group("id") if match else None


@dataclass(frozen=True)
class AdAccount:
    id: str
    name: str
    reference: str  # the owning organization's URN, or the account's own URN without one
    role: str
    test: bool = False

    @property
    def urn(self) -> str:
        return f"{ACCOUNT_URN_PREFIX}{self.id}"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" + (" — test account" if self.test else "")

    @property
    def creation_value(self) -> str:
        return f"{self.id}::{self.reference}"

    @property
    def manages_audiences(self) -> bool:
        return bool(self.role) and self.role != READ_ONLY_ROLE


@dataclass(frozen=True)
class Audience:
    account_id: str
    reference: str
    kind: str  # a key of AUDIENCE_TYPES
    segment_id: str

    @classmethod
    def parse(cls, target: str) -> Audience:
        match = TARGET_ID.match(str(target).strip())
        if match is None:
            raise DestinationError(
                f"{target!r} is not a LinkedIn audience id: expected "
                "'<account id>::<reference>~<user|company>_audience.<segment id>', as listed "
                "in the target objects."
            )
        return cls(match["account"], match["reference"], match["kind"], match["segment"])

    @property
    def id(self) -> str:
        return f"{self.account_id}::{self.reference}~{self.kind}.{self.segment_id}"

    @property
    def segment_type(self) -> str:
        return AUDIENCE_TYPES[self.kind][0]

    @property
    def stream(self) -> str:
        return AUDIENCE_TYPES[self.kind][2]

    def title(self, name: str) -> str:
        return f"{AUDIENCE_TYPES[self.kind][1]}: {name}"
