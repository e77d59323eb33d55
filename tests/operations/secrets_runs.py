"""What the sweep's organization does with its connections: syncs into every tool, with
rejected rows, token refreshes, a 500 now and then, a dry run and runs that fail on purpose (a
revoked consent, a wrong warehouse password); checks and reconnects; an API key made in the
console; a webhook's deliveries and the e-mails about failed runs. Then the markers: what was
planted, what Syncline stored, what the vendors ever issued, and the server's own keys.
"""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from connections.models import Connection
from models_app.services import sql_model_create
from organizations.models import NotificationSettings
from sandbox.vendors.gong import DEMO_FLOW_ID
from syncs.models import Sync, SyncExecution, WebhookDelivery
from syncs.tasks import deliver_webhook, execute_sync, notify_execution
from tests.api.conftest import Api
from tests.connections.destinations.linkedin_support import USER_AUDIENCE
from tests.connections.wizard_helpers import come_back, consent
from tests.engine_fixtures import sync_over_query
from tests.operations import secrets_scenario
from tests.operations.secrets_scenario import (
    MARK,
    SALESFORCE_APP,
    USER_PASSWORD,
    WEBHOOK_SECRET,
    Scenario,
    connections_make,
    secrets_change,
)
from tests.secret_markers import Markers


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
    planted = {
        name.lower().replace("_", " "): value
        for name, value in vars(secrets_scenario).items()
        if isinstance(value, str) and value.startswith(f"{MARK}-")
    }
    planted["salesforce own app client secret"] = SALESFORCE_APP.client_secret
    assert len(planted) >= 15, planted
    for label, value in planted.items():
        markers.add(label, value)
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
