"""An organization that uses everything with secrets in it, for the sweep that looks for them.

One connection of every registered type, made as people make them (the console's forms and its
OAuth wizard against the sandbox), each with marker secrets; a secret changed afterwards; syncs
into every tool, with rejected rows, token refreshes, a dry run and runs that fail on purpose;
an API key, a webhook with a secret, its deliveries, and the e-mails about failed runs.

Every answer Syncline gave along the way is kept (`answers`) to be searched too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail
from django.test import Client
from django.urls import reverse

from connections.models import Connection
from connections.registry import CONNECTION_TYPES
from models_app.models import SqlModel
from models_app.services import sql_model_create
from organizations.models import AuditEntry, NotificationSettings
from sandbox.oauth import Client as OAuthClient
from sandbox.server import RunningSandbox
from sandbox.vendors.gong import DEMO_FLOW_ID
from sandbox.vendors.salesloft import TEAM_ID
from syncs.models import Sync, SyncExecution, WebhookDelivery
from syncs.tasks import deliver_webhook, execute_sync, notify_execution
from tests.api.conftest import Api
from tests.connections.destinations.linkedin_support import USER_AUDIENCE
from tests.connections.wizard_helpers import begin, come_back, connect, consent
from tests.engine_fixtures import sync_over_query
from tests.secret_markers import Markers
from tests.syncs.webhook_receiver import Receiver

MARK = "MARKER"  # every planted secret says so, so a hit is easy to read in a failure
POSTGRES_PASSWORD = f"{MARK}-pg-password-4c1d8e"
POSTGRES_PASSWORD_CHANGED = f"{MARK}-pg-password-changed-93b2f7"
SNOWFLAKE_PASSPHRASE = f"{MARK}-sf-passphrase-d41e0a"
SNOWFLAKE_WRONG_PASSWORD = f"{MARK}-sf-password-6a0c3b"
SALESLOFT_API_KEY = f"{MARK}-salesloft-api-key-0b7d2e91"
SALESFORCE_APP = OAuthClient("marker-connected-app", f"{MARK}-sf-client-secret-5e2a90", "Own app")
WEBHOOK_SECRET = f"{MARK}-webhook-secret-1f6c4d"
USER_PASSWORD = f"{MARK}-login-password-77aa01"
# Secrets in attempts Syncline refuses (a wrong key, a bad key file, an endpoint with a
# password in it), and under the names other tools give them (a TLS client key, camelCase).
SALESLOFT_WRONG_API_KEY = f"{MARK}-salesloft-wrong-key-3e9d51"
SNOWFLAKE_NOT_A_KEY = f"{MARK}-sf-not-a-pem-key-8b1f06"
POSTGRES_API_PASSWORD = f"{MARK}-pg-api-password-2d7c4a"
POSTGRES_CLIENT_KEY = f"{MARK}-pg-tls-client-key-61e0b9"
POSTGRES_SSH_KEY = f"{MARK}-pg-ssh-private-key-c3a8f2"
ENDPOINT_PASSWORD = f"{MARK}-endpoint-password-9f02ab"
BROKEN_JSON_PASSWORD = f"{MARK}-broken-json-password-47c1e5"
ADMIN_SET_PASSWORD = f"{MARK}-pg-password-set-in-the-admin-0e4b7d"
ADMIN_MISPLACED_PASSWORD = f"{MARK}-pg-password-in-configuration-5a1c2e"


@dataclass
class Scenario:
    organization: Any
    admin: Any  # a superuser and the organization's admin
    member: Any
    sandbox: RunningSandbox
    http: httpx.Client
    warehouse: dict[str, Any]  # the demo warehouse's settings
    postgres: dict[str, Any]  # the postgres_warehouse fixture
    receiver: Receiver
    admin_client: Client = field(init=False)
    member_client: Client = field(init=False)
    api: Api = field(init=False)
    markers: Markers = field(default_factory=Markers)
    connections: dict[str, Connection] = field(default_factory=dict)  # by recipe label
    models: dict[str, SqlModel] = field(default_factory=dict)
    syncs: dict[str, Sync] = field(default_factory=dict)
    # (where, text): every answer Syncline gave while this was built, searched like the pages.
    answers: list[tuple[str, str]] = field(default_factory=list)
    # Answers that show a secret on purpose (the new API key, once), and which marker.
    shown_once: dict[str, str] = field(default_factory=dict)
    auth_link: str = ""
    webhook_id: str = ""

    def __post_init__(self) -> None:
        self.admin_client = Client(HTTP_HOST="127.0.0.1")
        self.member_client = Client(HTTP_HOST="127.0.0.1")

    def keep(self, where: str, response: Any) -> Any:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = "\n".join(f"{k}: {v}" for k, v in response.items())
        self.answers.append((where, f"{response.status_code}\n{headers}\n{body.decode()}"))
        return response

    def post(self, client: Client, url: str, data: dict[str, Any]) -> Any:
        return self.keep(f"POST {url}", client.post(url, data))


# -- connections: one recipe per connection type --------------------------------------------


def _snowflake_key_pair() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(SNOWFLAKE_PASSPHRASE.encode()),
    ).decode()


def _warehouse_form(scenario: Scenario, type_key: str, values: dict[str, Any]) -> Connection:
    url = reverse("connections:create", args=[type_key])
    response = scenario.post(scenario.admin_client, url, {"action": "save", **values})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Connection.objects.get(organization=scenario.organization, name=values["name"])


def snowflake_connections(scenario: Scenario) -> dict[str, Connection]:
    settings = {k: v for k, v in scenario.warehouse.items() if k not in ("password",)}
    key_pair = _warehouse_form(
        scenario,
        "snowflake",
        {
            **settings,
            "name": "Snowflake key pair",
            "private_key": _snowflake_key_pair(),
            "private_key_passphrase": SNOWFLAKE_PASSPHRASE,
        },
    )
    # Its password is changed to a wrong (marker) one once its model exists: the run that
    # follows fails at the warehouse's login.
    password = _warehouse_form(
        scenario,
        "snowflake",
        {**settings, "name": "Snowflake password", "password": scenario.warehouse["password"]},
    )
    # A wrong password typed and tested in the form: the page that says so.
    scenario.post(
        scenario.admin_client,
        reverse("connections:create", args=["snowflake"]),
        {**settings, "name": "Snowflake typo", "password": SNOWFLAKE_WRONG_PASSWORD},
    )
    return {"snowflake key pair": key_pair, "snowflake password": password}


def postgres_connections(scenario: Scenario) -> dict[str, Connection]:
    pg = scenario.postgres
    values = {
        "name": "PostgreSQL",
        "host": pg["host"],
        "port": pg["port"],
        "database": pg["database"],
        "username": pg["username"],
        # The test server trusts local connections: any password logs in, so a marker one works.
        "password": POSTGRES_PASSWORD,
        "sslmode": "disable",
    }
    return {"postgresql": _warehouse_form(scenario, "postgresql", values)}


def _tool(scenario: Scenario, type_key: str, name: str, **form: Any) -> Connection:
    answer = connect(scenario.admin_client, scenario.http, type_key, name=name, **form)
    scenario.keep(f"OAuth callback of {name}", answer)
    connection = Connection.objects.get(organization=scenario.organization, name=name)
    assert connection.status == Connection.Status.HEALTHY, connection.status_error
    return connection


def salesloft_connections(scenario: Scenario) -> dict[str, Connection]:
    with scenario.sandbox.app.store.lock:  # the sandbox's team knows the marker key
        keys = scenario.sandbox.app.emulators["salesloft"].table("api_keys")
        keys[SALESLOFT_API_KEY] = {"key": SALESLOFT_API_KEY, "team_id": TEAM_ID}
    url = reverse("connections:create", args=["salesloft"])
    answer = scenario.post(
        scenario.admin_client,
        url,
        {"name": "Salesloft key", "api_key": SALESLOFT_API_KEY, "action": "api_key"},
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    key = Connection.objects.get(organization=scenario.organization, name="Salesloft key")
    return {"salesloft key": key, "salesloft oauth": _tool(scenario, "salesloft", "Salesloft")}


def gong_connections(scenario: Scenario) -> dict[str, Connection]:
    return {"gong": _tool(scenario, "gong", "Gong")}


def linkedin_connections(scenario: Scenario) -> dict[str, Connection]:
    connection = _tool(scenario, "linkedinads", "LinkedIn Ads")
    url = reverse("connections:accounts", args=[connection.pk])
    scenario.post(scenario.admin_client, url, {"accounts": ["512630692"]})
    connection.refresh_from_db()
    return {"linkedinads": connection}


def salesforce_connections(scenario: Scenario) -> dict[str, Connection]:
    browser = _tool(scenario, "salesforce", "Salesforce")
    # The organization's own connected app: its client secret is the connection's.
    name = "Salesforce own app"
    authorize = begin(
        scenario.admin_client,
        "salesforce",
        name=name,
        connect_mode="api",
        client_id=SALESFORCE_APP.client_id,
        client_secret=SALESFORCE_APP.client_secret,
    )
    scenario.keep(
        f"OAuth callback of {name}",
        come_back(scenario.admin_client, consent(scenario.http, authorize)),
    )
    own = Connection.objects.get(organization=scenario.organization, name=name)
    assert own.status == Connection.Status.HEALTHY, own.status_error
    return {"salesforce": browser, "salesforce own app": own}


# A new connection type needs a recipe here: the sweep fails until it has one.
CONNECTION_RECIPES: dict[str, Callable[[Scenario], dict[str, Connection]]] = {
    "snowflake": snowflake_connections,
    "postgresql": postgres_connections,
    "salesloft": salesloft_connections,
    "gong": gong_connections,
    "linkedinads": linkedin_connections,
    "salesforce": salesforce_connections,
}


def connections_make(scenario: Scenario) -> None:
    missing = sorted(set(CONNECTION_TYPES) - set(CONNECTION_RECIPES))
    assert not missing, (
        f"No recipe makes a {', '.join(missing)} connection for the secrets sweep: add one to "
        "CONNECTION_RECIPES in tests/operations/secrets_scenario.py (with marker secrets)."
    )
    for type_key in CONNECTION_TYPES:
        scenario.connections.update(CONNECTION_RECIPES[type_key](scenario))
    # An OAuth tool added through the API waits for its consent: its auth_url page is walked.
    answer = scenario.api.post(
        "/api/connections", {"name": "Gong later", "type": "gong", "configuration": {}}
    )
    scenario.keep("POST /api/connections (awaiting consent)", answer)
    scenario.auth_link = answer.json()["data"]["auth_url"]
    api_warehouse(scenario)
    attempts_refused(scenario)
    # Someone without a console login opens it, consents at Gong, and lands back.
    browser = Client(HTTP_HOST="127.0.0.1")
    opened = scenario.keep("GET the auth_url", browser.get(urlsplit(scenario.auth_link).path))
    assert opened.status_code == 302, opened.content.decode()[:2000]
    back = come_back(browser, consent(scenario.http, opened["Location"]))
    scenario.keep("the auth_url's consent comes back", back)
    while back.status_code == 302 and back["Location"].startswith("/"):
        back = scenario.keep(f"GET {back['Location']}", browser.get(back["Location"]))
    later = Connection.objects.get(organization=scenario.organization, name="Gong later")
    assert later.status == Connection.Status.HEALTHY, later.status_error


def attempts_refused(scenario: Scenario) -> None:
    """Wrong and malformed secrets, typed and sent: the refusals must not repeat them."""
    settings = {k: v for k, v in scenario.warehouse.items() if k != "password"}
    admin = scenario.admin_client
    scenario.post(
        admin,
        reverse("connections:create", args=["salesloft"]),
        {"name": "Wrong key", "api_key": SALESLOFT_WRONG_API_KEY, "action": "api_key"},
    )
    scenario.post(
        admin,
        reverse("connections:create", args=["snowflake"]),
        {**settings, "name": "Bad key file", "private_key": SNOWFLAKE_NOT_A_KEY},
    )
    api = scenario.api
    bodies = [
        {
            "name": "Wrong key",
            "type": "salesloft",
            "configuration": {"auth_method": "api_key", "api_key": SALESLOFT_WRONG_API_KEY},
        },
        {
            "name": "Bad key file",
            "type": "snowflake",
            "configuration": {**settings, "private_key": SNOWFLAKE_NOT_A_KEY},
        },
        {
            "name": "Wrong password",
            "type": "snowflake",
            "configuration": {**settings, "password": SNOWFLAKE_WRONG_PASSWORD},
        },
        {
            "name": "Own app in browser mode",
            "type": "salesforce",
            "configuration": {
                "connect_mode": "browser",
                "client_id": SALESFORCE_APP.client_id,
                "client_secret": SALESFORCE_APP.client_secret,
            },
        },
    ]
    for body in bodies:
        scenario.keep(f"POST /api/connections ({body['name']})", api.post("/api/connections", body))
    endpoint = f"https://syncline:{ENDPOINT_PASSWORD}@example.com/events"
    for method, path in (
        ("POST", "/api/webhooks"),
        ("PUT", f"/api/webhooks/{scenario.webhook_id}"),
    ):
        answer = api.send(method, path, {"endpoint": endpoint, "secret": WEBHOOK_SECRET})
        scenario.keep(f"{method} {path} (a password in the endpoint)", answer)
    broken = '{"name": "Broken", "type": "postgresql", "configuration": {"password": "%s" "x"}}'
    answer = api.post("/api/connections", raw=broken % BROKEN_JSON_PASSWORD)
    scenario.keep("POST /api/connections (broken JSON)", answer)


def api_warehouse(scenario: Scenario) -> None:
    """A PostgreSQL connection made through the API with the secrets other tools send too."""
    pg = scenario.postgres
    configuration = {
        "hostname": pg["host"],
        "port": pg["port"],
        "database": pg["database"],
        "username": pg["username"],
        "password": POSTGRES_API_PASSWORD,
        "ssl": False,
        "client_key": POSTGRES_CLIENT_KEY,
        "sshPrivateKey": POSTGRES_SSH_KEY,
    }
    answer = scenario.api.post(
        "/api/connections",
        {"name": "PostgreSQL by API", "type": "postgresql", "configuration": configuration},
        **{"Idempotency-Key": "sweep-postgresql-by-api"},  # its answer is kept in a table
    )
    assert answer.status_code == 200, answer.content
    scenario.keep("POST /api/connections (PostgreSQL by API)", answer)


def secrets_change(scenario: Scenario) -> None:
    """A secret changed in the console (the audit trail says "changed"), one through the API."""
    connection = scenario.connections["postgresql"]
    pg = scenario.postgres
    url = reverse("connections:detail", args=[connection.pk])
    values = {
        "name": connection.name,
        "host": pg["host"],
        "port": pg["port"],
        "database": pg["database"],
        "username": pg["username"],
        "password": POSTGRES_PASSWORD_CHANGED,
        "sslmode": "disable",
        "action": "save",
    }
    assert scenario.post(scenario.admin_client, url, values).status_code == 302
    entry = AuditEntry.objects.filter(object_id=str(connection.pk), action="changed").latest(
        "created_at"
    )
    assert entry.changes.get("password") == "changed", entry.changes
    # An administrator sets one in the Django admin, and types another into the configuration.
    by_api = Connection.objects.get(organization=scenario.organization, name="PostgreSQL by API")
    url = reverse("admin:connections_connection_change", args=[by_api.pk])
    configuration = {**by_api.configuration, "db_password": ADMIN_MISPLACED_PASSWORD}
    answer = scenario.post(
        scenario.admin_client,
        url,
        {
            "organization": by_api.organization_id,
            "name": by_api.name,
            "type": by_api.type,
            "configuration": json.dumps(configuration),
            "status": by_api.status,
            "status_error": "",
            "new_secrets": json.dumps({"password": ADMIN_SET_PASSWORD}),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    by_api.refresh_from_db()
    assert by_api.secrets["password"] == ADMIN_SET_PASSWORD
    wrong = scenario.connections["snowflake password"]
    configuration = {k: v for k, v in scenario.warehouse.items() if k != "password"}
    answer = scenario.api.put(
        f"/api/connections/{wrong.pk}",
        {
            "name": wrong.name,
            "configuration": {**configuration, "password": SNOWFLAKE_WRONG_PASSWORD},
            "validate": False,
        },
    )
    assert answer.status_code == 200, answer.content
    scenario.keep(f"PUT /api/connections/{wrong.pk}", answer)


# -- models, syncs and their runs ------------------------------------------------------------


def _people(scenario: Scenario) -> str:
    """Eight people, one address a vendor refuses and one row without an address."""
    schema = scenario.postgres["schema"]
    return (
        "SELECT email, first_name, last_name FROM (SELECT email, first_name, last_name FROM "
        f"{schema}.users ORDER BY email LIMIT 8) AS people UNION ALL "
        "SELECT 'not-an-email', 'Bad', 'Address' UNION ALL SELECT NULL, 'No', 'Address'"
    )


def _contacts(scenario: Scenario) -> str:
    crm = scenario.sandbox.app.emulators["gong"].table("crm_prospects")
    ids = [f"003SECRETS{n:08d}" for n in range(1, 5)]
    with scenario.sandbox.app.store.lock:
        for crm_id in ids:
            crm[crm_id] = {"crmProspectId": crm_id, "objectType": "Contact"}
    known = " UNION ALL ".join(f"SELECT '{crm_id}' AS contact_id" for crm_id in ids)
    return f"{known} UNION ALL SELECT 'not-a-crm-id'"


def _sync(scenario: Scenario, label: str, source: str, query: str, target: str, **kw: Any) -> Sync:
    sync = sync_over_query(
        scenario.organization,
        source=scenario.connections[source],
        query=query,
        target_connection=scenario.connections[label.split(" → ")[1]],
        target=target,
        name=label,
        **kw,
    )
    scenario.syncs[label] = sync
    scenario.models[label] = sync.model
    return sync


def run(scenario: Scenario, sync: Sync, **options: Any) -> SyncExecution:
    """A run through the worker's task, in this process, then its notification."""
    execution = SyncExecution.objects.create(
        sync=sync, status=SyncExecution.Status.QUEUED, **options
    )
    execute_sync.apply(args=[str(execution.pk)])
    notify_execution.apply(args=[str(execution.pk)])
    execution.refresh_from_db()
    return execution


def _oauth_expire(scenario: Scenario, vendor: str) -> None:
    scenario.sandbox.app.oauth.expire_access_tokens(vendor)


def syncs_run(scenario: Scenario) -> dict[str, SyncExecution]:
    people = _people(scenario)
    names = [("first_name", "first_name"), ("last_name", "last_name")]
    contact = [("email", "Email"), ("first_name", "FirstName"), ("last_name", "LastName")]
    sf = {"target_configuration": {"ingestion_api": "rest"}}
    _sync(
        scenario,
        "people → salesloft key",
        "postgresql",
        people,
        "people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=names,
    )
    _sync(
        scenario,
        "cadence → salesloft oauth",
        "postgresql",
        people,
        "cadence:1001",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=names,
    )
    _sync(
        scenario,
        "flow → gong",
        "postgresql",
        _contacts(scenario),
        DEMO_FLOW_ID,
        mode="updateOrCreate",
        identity=("contact_id", "Id"),
        fields=[],
    )
    _sync(
        scenario,
        "audience → linkedinads",
        "postgresql",
        people,
        USER_AUDIENCE,
        mode="create",
        identity=("email", "Email"),
        fields=[],
    )
    _sync(
        scenario,
        "contacts → salesforce",
        "postgresql",
        people,
        "Contact",
        mode="updateOrCreate",
        identity=("email", "External_Id__c"),
        fields=contact,
        **sf,
    )
    _sync(
        scenario,
        "bulk contacts → salesforce own app",
        "postgresql",
        people,
        "Contact",
        mode="updateOrCreate",
        identity=("email", "External_Id__c"),
        fields=contact,
        target_configuration={"ingestion_api": "bulk"},
    )
    warehouse_people = "SELECT email, first_name, last_name FROM users LIMIT 5"
    _sync(
        scenario,
        "warehouse → salesloft key",
        "snowflake key pair",
        warehouse_people,
        "people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=names,
    )
    _sync(
        scenario,
        "wrong password → salesloft oauth",
        "snowflake password",
        warehouse_people,
        "people",
        mode="updateOrCreate",
        identity=("email", "email_address"),
        fields=names,
    )
    leads = sql_model_create(
        organization=scenario.organization,
        name="Salesforce leads",
        source=scenario.connections["salesforce"],
        query="SELECT Id, Email FROM Lead WHERE Email != null",
    )
    scenario.models["salesforce leads"] = leads

    NotificationSettings.objects.update_or_create(
        organization=scenario.organization, defaults={"on_failure": True, "rejected_percent": 1}
    )[0].recipients.set([scenario.admin])
    secrets_change(scenario)

    executions = {}
    # Expired access tokens: the runs refresh them first (Salesforce with the app's secret).
    _oauth_expire(scenario, "salesloft")
    _oauth_expire(scenario, "salesforce")
    for label, sync in scenario.syncs.items():
        if label == "audience → linkedinads":
            # LinkedIn answers some calls with a 500 (the same ones each time): retried.
            faults = scenario.sandbox.app.faults
            faults.update({"error_rate": 0.3, "seed": 13, "vendors": ["linkedinads"]})
            executions[label] = run(scenario, sync)
            faults.update({"error_rate": 0.0, "vendors": []})
            assert any(entry["fault"] == "server_error" for entry in scenario.sandbox.app.log)
        elif label != "warehouse → salesloft key":
            executions[label] = run(scenario, sync)
    executions["dry run"] = run(scenario, scenario.syncs["warehouse → salesloft key"], test=True)
    # Gong's consent revoked at the vendor: the next run fails and the connection needs auth.
    _oauth_expire(scenario, "gong")
    scenario.sandbox.app.oauth.revoke_refresh_tokens("gong")
    executions["revoked"] = run(scenario, scenario.syncs["flow → gong"])
    checks_and_reconnects(scenario)
    # A run started through the API, as a script would.
    sync = scenario.syncs["people → salesloft key"]
    answer = scenario.api.post(f"/api/syncs/{sync.pk}/executions", {})
    scenario.keep(f"POST /api/syncs/{sync.pk}/executions", answer)
    execute_sync.apply(args=[answer.json()["data"]["id"]])
    return executions


def checks_and_reconnects(scenario: Scenario) -> None:
    """Every connection checked from its page (what each says when it fails is kept), then
    Gong, whose consent was revoked, and Salesforce with its own app connected again."""
    for connection in Connection.objects.filter(organization=scenario.organization):
        scenario.post(scenario.admin_client, reverse("connections:check", args=[connection.pk]), {})
    for label in ("gong", "salesforce own app"):
        connection = scenario.connections[label]
        url = reverse("connections:reconnect", args=[connection.pk])
        authorize = scenario.post(scenario.admin_client, url, {})
        assert authorize.status_code == 302, authorize.content.decode()[:2000]
        back = come_back(scenario.admin_client, consent(scenario.http, authorize["Location"]))
        scenario.keep(f"OAuth callback of {connection.name} reconnected", back)
        connection.refresh_from_db()
        assert connection.status == Connection.Status.HEALTHY, connection.status_error


def webhook_deliver(scenario: Scenario) -> None:
    """Every event's delivery sent to the receiver (the task, in this process)."""
    for delivery in WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING):
        deliver_webhook.apply(args=[str(delivery.pk)])


def api_key_create_in_console(scenario: Scenario) -> Api:
    url = reverse("console:api_keys")
    answer = scenario.admin_client.post(url, {"action": "create", "name": "Sweep key"})
    raw = re.search(r'id="new-key">([^<]+)<', answer.content.decode())
    assert raw, answer.content.decode()[:3000]
    where = f"POST {url} (the new key, shown once)"
    scenario.shown_once[where] = raw.group(1)
    scenario.keep(where, answer)
    return Api(Client(), raw.group(1), scenario.organization)


def markers_collect(scenario: Scenario) -> Markers:
    """What was planted, what Syncline stored (decrypted), what the vendor ever issued."""
    from django.conf import settings

    markers = scenario.markers
    for name, value in globals().items():
        if isinstance(value, str) and value.startswith(f"{MARK}-"):
            markers.add(name.lower().replace("_", " "), value)
    markers.add("salesforce own app client secret", SALESFORCE_APP.client_secret)
    for label, connection in scenario.connections.items():
        connection.refresh_from_db()
        markers.add_secrets(label, connection.secrets)
    for connection in Connection.objects.filter(organization=scenario.organization):
        markers.add_secrets(connection.name, connection.secrets)
    oauth = scenario.sandbox.app.store.oauth
    with scenario.sandbox.app.store.lock:
        for kind in ("access", "refresh"):
            for token, entry in oauth[kind].items():
                markers.add(f"{entry['vendor']} {kind} token issued by the vendor", token)
    markers.add("API key", scenario.api.key)
    for values in settings.VENDORS.values():
        markers.add("an OAuth client secret in settings.VENDORS", values.get("client_secret"))
    markers.add("SECRET_KEY", settings.SECRET_KEY)
    for number, key in enumerate(settings.FIELD_ENCRYPTION_KEYS):
        markers.add(f"FIELD_ENCRYPTION_KEYS[{number}]", key)
    return markers


def scenario_build(scenario: Scenario) -> Scenario:
    scenario.admin.set_password(USER_PASSWORD)
    scenario.admin.save()
    login = scenario.admin_client.post(
        reverse("login"), {"username": scenario.admin.username, "password": USER_PASSWORD}
    )
    assert login.status_code == 302, login.content.decode()[:2000]
    scenario.keep("POST /login/", login)
    scenario.member_client.force_login(scenario.member)
    scenario.api = api_key_create_in_console(scenario)
    answer = scenario.api.post(
        "/api/webhooks", {"endpoint": scenario.receiver.url, "secret": WEBHOOK_SECRET}
    )
    assert answer.status_code == 200, answer.content
    scenario.keep("POST /api/webhooks", answer)
    scenario.webhook_id = answer.json()["data"]["id"]
    connections_make(scenario)
    executions = syncs_run(scenario)
    statuses = {label: e.status for label, e in executions.items()}
    assert statuses["revoked"] == SyncExecution.Status.FAILED, statuses
    assert statuses["wrong password → salesloft oauth"] == SyncExecution.Status.FAILED, statuses
    assert executions["people → salesloft key"].error_count >= 2, statuses
    webhook_deliver(scenario)
    assert scenario.receiver.received, "no webhook delivery reached the receiver"
    assert mail.outbox, "no e-mail about the failed runs"
    markers_collect(scenario)
    return scenario
