"""Two organizations with one of everything: ours (the caller's) and theirs (whose ids we try).

Everything of theirs is named with MARKER, so a page that shows any of it is caught by a
search for that one word. The snapshot is every row of every table a request could write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from connections.models import OAuthLink
from connections.oauth.links import auth_url_for
from organizations.members import invitation_create
from organizations.models import AuditEntry, NotificationSent, NotificationSettings
from organizations.services import api_key_create
from syncs.models import Event, RecordError, SyncState, Webhook, WebhookDelivery
from tests.api.conftest import Api
from tests.factories import (
    ConnectionFactory,
    MembershipFactory,
    OrganizationFactory,
    SqlModelFactory,
    SyncExecutionFactory,
    SyncFactory,
    UserFactory,
)

MARKER = "zebulon"  # in every name of theirs; never on a page of ours

# The tables a request could write; sessions and the login throttle's records aside.
APPS = ("organizations", "connections", "models_app", "syncs", "api", "auth", "admin")
# Columns a request of ours rightly moves: our key's last use, our last login.
VOLATILE = {("organizations.ApiKey", "last_used_at"), ("auth.User", "last_login")}
# The API's per-key request count (embedded mode keeps it in the database).
COUNTERS = {"connections.RateLimitWindow"}


@dataclass
class Organization:
    """One organization's objects, by the names the cases use."""

    organization: Any
    objects: dict[str, Any] = field(default_factory=dict)
    link_token: str = ""
    api_key: str = ""
    invitation_token: str = ""

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]


def _everything(organization: Any, name: str) -> Organization:
    """A warehouse, a tool, a model, a sync with runs, rejected rows and state, an event and
    a webhook delivering it, an API key, a person, an audit entry, notification settings, a
    notification sent, an auth_url link and an idempotent request: one of each table."""
    from api.models import IdempotentRequest

    person = MembershipFactory(
        organization=organization,
        role="admin",
        user=UserFactory(username=f"{name}-admin@{name}.test"),
    ).user
    warehouse = ConnectionFactory(organization=organization, name=f"{name} warehouse")
    tool = ConnectionFactory(
        organization=organization,
        name=f"{name} Salesloft",
        type="salesloft",
        configuration={"auth_method": "oauth"},
        secrets={"access_token": f"{name}-token", "refresh_token": f"{name}-refresh"},
    )
    model = SqlModelFactory(organization=organization, name=f"{name} model", source=warehouse)
    sync = SyncFactory(
        organization=organization,
        name=f"{name} sync",
        model=model,
        target_connection=tool,
        target_object="cadence:1001",
        identity={"source": {"field": "email"}, "target": "email_address", "function": "Equality"},
        fields=[{"source": {"field": "first_name"}, "target": "first_name"}],
    )
    running = SyncExecutionFactory(sync=sync, status="running", started_at=timezone.now())
    finished = SyncExecutionFactory(sync=sync, status="completed", error_count=1)
    rejected = RecordError.objects.create(
        execution=finished,
        identity_value=f"{name}@example.com",
        operation="upsert",
        message=f"{name}: email_address is invalid",
        payload={"email_address": f"{name}@example"},
    )
    state = SyncState.objects.create(
        sync=sync, identity_key=f"{name}@example.com", values_hash="0" * 64
    )
    event = Event.objects.create(
        organization=organization, type="sync.completed", payload={"sync_name": sync.name}
    )
    webhook = Webhook.objects.create(
        organization=organization,
        endpoint=f"https://{name}.example/hook",
        secrets={"secret": f"{name}-signing-secret"},
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event=event, next_attempt_at=timezone.now()
    )
    key, raw_key = api_key_create(organization=organization, name=f"{name} key")
    invitation, invitation_token = invitation_create(
        organization=organization, email=f"invited@{name}.test", role="member", invited_by=person
    )
    audit = AuditEntry.objects.create(
        organization=organization,
        actor_label=person.username,
        action="created",
        object_type="connection",
        object_id=str(warehouse.pk),
        object_name=warehouse.name,
    )
    notifications = NotificationSettings.objects.create(organization=organization)
    notifications.recipients.add(person)
    sent = NotificationSent.objects.create(
        execution_id=finished.pk, organization=organization, reason="failure", recipients=[]
    )
    auth_url = auth_url_for(tool, None)
    link = OAuthLink.objects.get(connection=tool)
    idempotent = IdempotentRequest.objects.create(
        organization=organization, key=f"{name}-key", method="POST", path="/api/syncs", status=201
    )
    made = Organization(
        organization=organization,
        objects={
            "organization": organization,
            "person": person,
            "membership": person.membership,
            "warehouse": warehouse,
            "tool": tool,
            "model": model,
            "sync": sync,
            "running": running,
            "execution": finished,
            "rejected": rejected,
            "state": state,
            "event": event,
            "webhook": webhook,
            "delivery": delivery,
            "api_key": key,
            "audit": audit,
            "notifications": notifications,
            "sent": sent,
            "link": link,
            "idempotent": idempotent,
            "invitation": invitation,
        },
        link_token=urlsplit(auth_url).path.rsplit("/", 1)[-1],
        api_key=raw_key,
        invitation_token=invitation_token,
    )
    return made


@dataclass
class World:
    ours: Organization
    theirs: Organization
    staff: Any  # ours: staff, not a superuser, with every model permission

    def person(self) -> Client:
        """Signed in as an admin (the strongest role) of our organization."""
        client = Client()
        client.force_login(self.ours["person"])
        return client

    def staff_client(self) -> Client:
        client = Client()
        client.force_login(self.staff)
        return client

    def api(self) -> Api:
        return Api(Client(), self.ours.api_key, self.ours.organization)


def world_make() -> World:
    ours = _everything(OrganizationFactory(name="Acme Isolation"), "acme")
    theirs = _everything(OrganizationFactory(name=f"{MARKER.title()} Rivers Ltd"), MARKER)
    Group.objects.create(name=f"{MARKER} group")
    staff = MembershipFactory(
        organization=ours.organization,
        role="admin",
        user=UserFactory(username="staff@acme.test", is_staff=True),
    ).user
    staff.user_permissions.set(Permission.objects.all())
    return World(ours=ours, theirs=theirs, staff=staff)


def snapshot() -> dict[str, dict[str, str]]:
    """Every row of every table a request could write: {table: {pk: digest of the row}}."""
    tables: dict[str, dict[str, str]] = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in APPS or label in COUNTERS:
            continue
        rows = {}
        for row in model.objects.values():
            kept = {k: v for k, v in row.items() if (label, k) not in VOLATILE}
            rows[str(row[model._meta.pk.attname])] = hashlib.sha256(
                repr(sorted(kept.items())).encode()
            ).hexdigest()
        tables[label] = rows
        if model._meta.many_to_many:
            for relation in model._meta.many_to_many:
                through = getattr(model, relation.name).through
                tables[through._meta.label] = {
                    str(pk): "" for pk in through.objects.values_list("pk", flat=True)
                }
    return tables


def changes(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> list[str]:
    """What differs, in words: "syncs.Sync: 1 added, 0 removed, 1 changed"."""
    said = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, {}), after.get(table, {})
        added = new.keys() - old.keys()
        removed = old.keys() - new.keys()
        changed = [pk for pk in old.keys() & new.keys() if old[pk] != new[pk]]
        if added or removed or changed:
            said.append(
                f"{table}: {len(added)} added, {len(removed)} removed, {len(changed)} changed"
            )
    return said


def added_rows(
    before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]
) -> dict[str, set[str]]:
    return {
        table: after[table].keys() - before.get(table, {}).keys()
        for table in after
        if after[table].keys() - before.get(table, {}).keys()
    }
