"""An organization that uses everything with secrets in it, for the sweep that looks for them.

Here: the marker secrets, and one connection of every registered type made as people make them
(the console's forms and its OAuth wizard against the sandbox, the API), secrets changed
afterwards and wrong ones refused. What is done with them (syncs, runs, webhooks, the API key)
is in tests/operations/secrets_runs.py.

Every answer Syncline gave along the way is kept (`answers`) to be searched too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from connections.models import Connection
from connections.registry import CONNECTION_TYPES
from models_app.models import SqlModel
from organizations.models import AuditEntry
from sandbox.oauth import Client as OAuthClient
from sandbox.server import RunningSandbox
from sandbox.vendors.salesloft import TEAM_ID
from syncs.models import Sync
from tests.api.conftest import Api
from tests.connections.wizard_helpers import begin, come_back, connect, consent
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
