from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from connections.models import Connection
from models_app.models import SqlModel
from organizations.models import Membership, Organization
from syncs.models import RecordError, Sync, SyncExecution, SyncState

PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"person{n}@example.com")
    email = factory.SelfAttribute("username")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER


class ConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connection

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    type = "postgresql"
    configuration = factory.LazyFunction(lambda: {"host": "127.0.0.1", "database": "analytics"})
    secrets = factory.LazyFunction(lambda: {"password": "s3cret"})


class SqlModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SqlModel

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Model {n}")
    source = factory.SubFactory(
        ConnectionFactory, organization=factory.SelfAttribute("..organization")
    )
    query = "SELECT email, first_name FROM users"
    fields = factory.LazyFunction(
        lambda: [{"name": "email", "type": "string"}, {"name": "first_name", "type": "string"}]
    )


class SyncFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sync

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Sync {n}")
    model = factory.SubFactory(
        SqlModelFactory, organization=factory.SelfAttribute("..organization")
    )
    target_connection = factory.SubFactory(
        ConnectionFactory,
        organization=factory.SelfAttribute("..organization"),
        type="salesloft",
        secrets={"api_key": "sl-api-key"},
    )
    target_object = "people"
    mode = Sync.Mode.UPDATE_OR_CREATE
    schedule = factory.LazyFunction(lambda: {"frequency": "manual"})


class SyncExecutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncExecution

    sync = factory.SubFactory(SyncFactory)
    status = SyncExecution.Status.QUEUED


class RecordErrorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordError

    execution = factory.SubFactory(SyncExecutionFactory)
    identity_value = factory.Sequence(lambda n: f"person{n}@example")
    operation = RecordError.Operation.UPSERT
    message = "email_address: is invalid"
    payload = factory.LazyFunction(lambda: {"email_address": "person@example"})


class SyncStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncState

    sync = factory.SubFactory(SyncFactory)
    identity_key = factory.Sequence(lambda n: f"person{n}@example.com")
    values_hash = "0" * 64
