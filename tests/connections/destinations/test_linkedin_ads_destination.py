"""The LinkedIn Ads destination against the sandbox: accounts, audiences, hashed members, tokens."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from connections.destinations.base import RecordResult
from connections.destinations.errors import DestinationError, NeedsReauthorization
from connections.destinations.linkedin_ads.destination import LinkedInAdsDestination
from connections.destinations.registry import destination_for
from connections.models import Connection, RateLimitWindow
from connections.services import connection_create
from sandbox.vendors.linkedinads import MEMBER_URN
from tests.connections.destinations.linkedin_support import linkedin_tokens

pytestmark = pytest.mark.django_db(transaction=True)

ACME = "512630692::urn:li:organization:28818517"
COMPANY_AUDIENCE = f"{ACME}~company_audience.29728356"
USER_AUDIENCE = f"{ACME}~user_audience.29728357"
PARTNER_AUDIENCE = "512630694::urn:li:organization:10482231~user_audience.29728361"
TARGET_ID = re.compile(r"^\d+::urn:li:[a-zA-Z]+:\d+~(user|company)_audience\.\d+$")
AUDIENCE_MODES = [
    {
        "id": mode,
        "requires_identity": False,
        "supports_target_filters": False,
        "supports_per_field_mode": False,
    }
    for mode in ("create", "remove")
]


def _sha256(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _records(sandbox, http, table: str) -> list[dict]:
    return http.get(f"{sandbox.url}/_sandbox/records/linkedinads/{table}").json()["data"]


def _requests(sandbox, http) -> dict:
    return http.get(f"{sandbox.url}/_sandbox/requests", params={"vendor": "linkedinads"}).json()


@pytest.fixture
def tokens(vendors, http) -> dict:
    return linkedin_tokens(http, vendors)


@pytest.fixture
def connect(organization, tokens):
    def make(accounts: list | None = None) -> Connection:
        values = {"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"]}
        if accounts is not None:
            values["accounts"] = accounts
        return connection_create(
            organization=organization,
            name=f"LinkedIn Ads {Connection.objects.count() + 1}",
            type="linkedinads",
            values=values,
        )

    return make


@pytest.fixture
def destination(connect):
    destination = LinkedInAdsDestination(connect(["512630692"]))
    yield destination
    destination.close()


def test_the_registry_builds_it_and_the_check_passes(connect):
    destination = destination_for(connect())
    assert isinstance(destination, LinkedInAdsDestination)
    destination.check()
    assert destination.calls and all(call.status == 200 for call in destination.calls)


def test_parameter_values_list_the_ad_accounts_that_can_hold_audiences(connect):
    values = destination_for(connect()).parameter_values()
    # The Partner Account (512630694) is left out: the member is only a VIEWER there.
    assert values == {
        "accounts": [
            {"value": "512630692", "label": "Acme Ads (512630692)"},
            {"value": "512630693", "label": "Acme EMEA (512630693)"},
            {"value": "512630695", "label": "Acme Test Account (512630695) — test account"},
        ]
    }


def test_target_objects_are_the_chosen_accounts_audiences_in_the_walkthrough_format(destination):
    targets = {target.id: target for target in destination.target_objects()}
    assert set(targets) == {
        COMPANY_AUDIENCE,
        USER_AUDIENCE,
        f"{ACME}~user_audience.29728358",
    }
    company = targets[COMPANY_AUDIENCE].to_json()
    assert company == {
        "id": COMPANY_AUDIENCE,
        "name": "Company Audience: Polytomic-Created Company List",
        "modes": AUDIENCE_MODES,
    }
    assert targets[USER_AUDIENCE].name == "User Audience: Trial Signups"


@pytest.mark.parametrize(
    ("accounts", "expected"),
    [
        (None, {"29728356", "29728357", "29728358", "29728359", "29728360"}),
        ([], {"29728356", "29728357", "29728358", "29728359", "29728360"}),
        (["urn:li:sponsoredAccount:512630693"], {"29728359", "29728360"}),
        ([512630693, "512630694"], {"29728359", "29728360"}),  # the VIEWER account is skipped
    ],
)
def test_the_accounts_setting_picks_whose_audiences_are_listed(connect, accounts, expected):
    targets = destination_for(connect(accounts)).target_objects()
    assert {target.id.rsplit(".", 1)[1] for target in targets} == expected
    assert all(TARGET_ID.match(target.id) for target in targets)


def test_target_creation_has_account_type_and_name_with_their_values(destination):
    assert [(p.id, p.title, p.enum) for p in destination.target_creation()] == [
        ("account", "LinkedIn Ads account ID", True),
        ("type", "Audience type", True),
        ("name", "Audience name", False),
    ]
    assert destination.target_property_values("account") == [
        {"value": ACME, "label": "Acme Ads (512630692)"}
    ]
    assert destination.target_property_values("type") == [
        {"value": "company_audience", "label": "Company Audience"},
        {"value": "user_audience", "label": "User Audience"},
    ]
    assert destination.target_property_values("name") == []


def test_create_target_creates_a_segment_in_linkedin(sandbox, http, destination):
    target = destination.create_target(
        {"account": ACME, "type": "user_audience", "name": "New audience"}
    )
    assert TARGET_ID.match(target.id) and target.id.startswith(f"{ACME}~user_audience.")
    assert target.name == "User Audience: New audience"
    segment_id = target.id.rsplit(".", 1)[1]
    stored = {str(s["id"]): s for s in _records(sandbox, http, "segments")}[segment_id]
    assert stored["name"] == "New audience"
    assert stored["type"] == "USER"
    assert stored["account"] == "urn:li:sponsoredAccount:512630692"
    assert stored["sourcePlatform"] == "SYNCLINE"
    assert stored["accessPolicy"] == "PRIVATE"
    assert target.id in {t.id for t in destination.target_objects()}


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"account": ACME, "type": "user_audience", "name": "  "}, "name"),
        ({"account": ACME, "type": "lookalike", "name": "X"}, "not an audience type"),
        ({"account": "Acme", "type": "user_audience", "name": "X"}, "not a LinkedIn ad account"),
        (
            {"account": "512630694", "type": "user_audience", "name": "X"},
            "can't manage audiences on account Partner Account (512630694): ask an account "
            "manager for any role other than Viewer",
        ),
        ({"account": "512630693", "type": "user_audience", "name": "X"}, "not enabled"),
        ({"account": "999", "type": "user_audience", "name": "X"}, "no access"),
    ],
)
def test_create_target_refuses_properties_outside_the_allowed_values(
    sandbox, http, destination, properties, message
):
    before = len(_records(sandbox, http, "segments"))
    with pytest.raises(DestinationError, match=re.escape(message)):
        destination.create_target(properties)
    assert len(_records(sandbox, http, "segments")) == before


def test_target_fields_follow_the_audience_type(destination):
    user_fields = destination.target_fields(USER_AUDIENCE)
    assert [f.id for f in user_fields] == [
        "Email",
        "FirstName",
        "LastName",
        "Title",
        "Company",
        "Country",
    ]
    email = user_fields[0].to_json()
    assert email["supports_identity"] is True
    assert email["identity_functions"] == [{"id": "Equality", "label": "Equality"}]
    company_fields = {f.id: f for f in destination.target_fields(COMPANY_AUDIENCE)}
    assert list(company_fields) == [
        "CompanyName",
        "CompanyDomain",
        "OrganizationUrn",
        "CompanyPageUrl",
        "Industries",
        "City",
        "State",
        "Country",
        "PostalCode",
        "StockSymbol",
    ]
    assert company_fields["CompanyDomain"].supports_identity
    # A type value describes an audience not created yet.
    assert destination.target_fields("company_audience") == list(company_fields.values())
    with pytest.raises(DestinationError, match="not a LinkedIn audience id"):
        destination.target_fields("people")


def test_users_are_added_then_removed_hashed_so_no_plaintext_email_reaches_linkedin(
    sandbox, http, destination
):
    emails = ["Ada@Example.com ", "grace@example.org", "linus@example.net"]
    records = [
        {"Email": emails[0], "first_name": "A" * 40, "LastName": "Lovelace", "Title": "T" * 60},
        {"Email": emails[1], "FirstName": "Grace", "Country": "US"},
        {"Email": emails[2]},
    ]
    added = destination.write(USER_AUDIENCE, "create", records, identity_field="Email")
    assert [(r.identity, r.ok, r.operation) for r in added.results] == [
        (emails[0], True, "insert"),
        (emails[1], True, "insert"),
        (emails[2], True, "insert"),
    ]
    members = {
        m["userIds"][0]["idValue"]: m
        for m in _records(sandbox, http, "segment_users")
        if m["segment"] == 29728357
    }
    assert {_sha256(email) for email in emails} <= set(members)
    ada = members[_sha256("ada@example.com")]
    assert ada["userIds"] == [{"idType": "SHA256_EMAIL", "idValue": _sha256("ada@example.com")}]
    assert (ada["firstName"], ada["lastName"], ada["title"]) == ("A" * 35, "Lovelace", "T" * 50)

    removed = destination.write(
        USER_AUDIENCE,
        "remove",
        [{"Email": emails[0]}, {"Email": emails[1]}],
        identity_field="Email",
    )
    assert [(r.ok, r.operation) for r in removed.results] == [(True, "delete")] * 2
    remaining = {m["userIds"][0]["idValue"] for m in _records(sandbox, http, "segment_users")}
    assert _sha256(emails[0]) not in remaining and _sha256(emails[1]) not in remaining
    assert _sha256(emails[2]) in remaining

    # The addresses never left Syncline: neither stored by LinkedIn nor seen in any request.
    seen = json.dumps(_records(sandbox, http, "segment_users")) + json.dumps(
        _requests(sandbox, http)
    )
    for email in emails:
        assert email.strip().lower() not in seen.lower()
    assert "@" not in seen


def test_invalid_emails_are_rejected_before_anything_is_sent(sandbox, http, destination):
    http.delete(f"{sandbox.url}/_sandbox/requests")
    batch = destination.write(
        USER_AUDIENCE,
        "create",
        [{"Email": ""}, {"Email": "not-an-email"}, {"Email": None, "FirstName": "Nobody"}],
        identity_field="Email",
    )
    assert [r.ok for r in batch.results] == [False, False, False]
    assert batch.results[1].message == "'not-an-email' is not an e-mail address."
    assert "No Email" in batch.results[0].message
    assert "POST linkedinads.segment_users" not in _requests(sandbox, http)["counts"]


def test_company_audiences_get_normalised_companies_and_per_record_refusals(
    sandbox, http, destination
):
    records = [
        {
            "CompanyDomain": "https://www.Hooli.example/about",
            "CompanyName": "Hooli",
            "OrganizationUrn": "1234567",
            "Industries": "Software Development;Internet",
            "Country": "us",
            "City": "Palo Alto",
        },
        {"CompanyDomain": "piedpiper.example", "Country": "United States"},
        {"CompanyDomain": "not a domain"},
        {"CompanyDomain": "aviato.example", "Industries": ["A", "B", "C", "D"]},
    ]
    batch = destination.write(COMPANY_AUDIENCE, "create", records, identity_field="CompanyDomain")
    assert [r.ok for r in batch.results] == [True, False, False, False]
    assert batch.results[1].message == (
        "Country 'United States' is not an ISO 3166-1 alpha-2 code such as US."
    )
    assert (
        batch.results[2].message
        == "CompanyDomain 'not a domain' is not a domain such as example.com."
    )
    assert batch.results[3].message == "4 Industries; LinkedIn takes at most 3."
    stored = [
        c for c in _records(sandbox, http, "segment_companies") if c.get("companyName") == "Hooli"
    ]
    assert stored == [
        {
            "companyName": "Hooli",
            "companyWebsiteDomain": "hooli.example",
            "organizationUrn": "urn:li:organization:1234567",
            "industries": ["Software Development", "Internet"],
            "city": "Palo Alto",
            "country": "US",
            "segment": 29728356,
            "added": stored[0]["added"],
        }
    ]
    # A removal names the company as its addition did (LinkedIn matches on the identifiers).
    removed = destination.write(
        COMPANY_AUDIENCE, "remove", records[:1], identity_field="CompanyDomain"
    )
    assert removed.results[0].ok
    domains = {c.get("companyWebsiteDomain") for c in _records(sandbox, http, "segment_companies")}
    assert "hooli.example" not in domains and "initech.example" in domains


class Unchecked(LinkedInAdsDestination):
    """Lets one malformed element through, to see LinkedIn's own per-element refusal."""

    @staticmethod
    def element(audience, values, action):
        if values.get("Email") == "broken@example.com":
            return {"action": action, "userIds": [{"idType": "SHA256_EMAIL", "idValue": "0"}]}, ""
        return LinkedInAdsDestination.element(audience, values, action)


def test_linkedins_per_element_refusals_become_the_records_messages(connect):
    destination = Unchecked(connect(["512630692"]))
    batch = destination.write(
        USER_AUDIENCE,
        "create",
        [{"Email": "fine@example.com"}, {"Email": "broken@example.com"}],
        identity_field="Email",
    )
    assert batch.results[0] == RecordResult.accepted("fine@example.com", "insert")
    assert batch.results[1].ok is False
    assert batch.results[1].outcome == "rejected"
    assert batch.results[1].operation == "insert"
    assert batch.results[1].message == (
        "LinkedIn refused this record: ERROR :: /userIds/0/idValue :: is not a valid "
        "SHA256_EMAIL (64 hexadecimal characters)"
    )
    assert batch.results[1].code == "INVALID_VALUE"
    assert batch.results[1].retryable is False


def test_unknown_fields_and_modes_are_refused_with_the_known_ones(destination):
    with pytest.raises(DestinationError, match="'Phone' is not a field of this audience"):
        destination.write(
            USER_AUDIENCE, "create", [{"Email": "a@b.co", "Phone": "1"}], identity_field="Email"
        )
    with pytest.raises(DestinationError, match="create .add members. and remove"):
        destination.write(USER_AUDIENCE, "updateOrCreate", [], identity_field="Email")


def test_a_401_mid_session_triggers_one_refresh_and_the_write_succeeds(
    sandbox, http, destination, tokens
):
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    batch = destination.write(
        USER_AUDIENCE, "create", [{"Email": "late@example.com"}], identity_field="Email"
    )
    assert batch.results[0].ok
    counts = _requests(sandbox, http)["counts"]
    assert counts["POST linkedinads.oauth_token"] == 2  # the code exchange, then one refresh
    stored = Connection.objects.get(pk=destination.connection.pk)
    assert stored.secrets["access_token"] != tokens["access_token"]
    assert stored.secrets["refresh_token"] == tokens["refresh_token"]  # LinkedIn never rotates


def test_a_revoked_refresh_token_turns_the_connection_needs_auth(sandbox, http, destination):
    http.post(f"{sandbox.url}/_sandbox/oauth/revoke-refresh-tokens", json={})
    http.post(f"{sandbox.url}/_sandbox/oauth/expire-access-tokens", json={})
    with pytest.raises(NeedsReauthorization):
        destination.write(
            USER_AUDIENCE, "create", [{"Email": "late@example.com"}], identity_field="Email"
        )
    stored = Connection.objects.get(pk=destination.connection.pk)
    assert stored.status == Connection.Status.NEEDS_AUTH
    assert "Reconnect" in stored.status_error


def test_batch_calls_equal_the_records_over_the_batch_size_rounded_up(
    sandbox, http, destination, settings
):
    # Count windows in the app database (CI otherwise shares them through its Redis broker).
    settings.RATE_LIMIT_REDIS_URL = ""
    destination = destination_for(Connection.objects.get(pk=destination.connection.pk))
    destination.batch_size = 4
    records = [{"Email": f"person{n}@example.com"} for n in range(10)]
    http.delete(f"{sandbox.url}/_sandbox/requests")
    batch = destination.write(USER_AUDIENCE, "create", records, identity_field="Email")
    assert len(batch.accepted) == 10
    assert _requests(sandbox, http)["counts"]["POST linkedinads.segment_users"] == 3  # ⌈10 / 4⌉
    # The calls spent the member's /users budget, not the /companies one.
    window = RateLimitWindow.objects.get(key=f"linkedinads:{MEMBER_URN}:users")
    assert window.used == 3
    assert not RateLimitWindow.objects.filter(key__endswith=":companies").exists()


def test_a_viewer_account_gets_told_which_role_to_ask_for(destination):
    with pytest.raises(DestinationError) as raised:
        destination.write(
            PARTNER_AUDIENCE, "create", [{"Email": "a@example.com"}], identity_field="Email"
        )
    assert raised.value.message.startswith(
        "Your LinkedIn user can't manage audiences on account 512630694: ask an account "
        "manager for any role other than Viewer, such as Creative Manager or Campaign Manager"
    )


def test_a_sunset_api_version_tells_the_admin_which_setting_to_update(vendors, connect):
    vendors["linkedinads"]["api_version"] = "202401"
    with pytest.raises(DestinationError, match="SYNCLINE_LINKEDINADS_API_VERSION") as raised:
        destination_for(connect()).check()
    assert raised.value.status == 426


def test_a_new_segment_that_answers_404_at_first_is_retried(sandbox, http, destination):
    sandbox.app.emulators["linkedinads"].new_segment_stream_delay = 1.0
    target = destination.create_target(
        {"account": ACME, "type": "company_audience", "name": "Fresh accounts"}
    )
    batch = destination.write(
        target.id, "create", [{"CompanyDomain": "fresh.example"}], identity_field="CompanyDomain"
    )
    assert batch.results[0].ok
    statuses = [
        r["status"]
        for r in _requests(sandbox, http)["requests"]
        if r["endpoint"] == "POST linkedinads.segment_companies"
    ]
    assert statuses[0] == 404 and statuses[-1] == 200


def test_a_deleted_segment_is_not_waited_for(destination):
    gone = f"{ACME}~user_audience.99999999"
    with pytest.raises(DestinationError, match="does not exist") as raised:
        destination.write(gone, "create", [{"Email": "a@example.com"}], identity_field="Email")
    assert raised.value.permanent is False
