"""Shapes of the API's bodies (reference/polytomic-api.md): what comes in is checked here for
its form only (types, required keys); what it means is the services' to decide. What goes out
is rendered here, secrets never among it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from connections.services import looks_secret
from models_app.models import SqlModel

# -- shared ----------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    message = serializers.CharField()
    key = serializers.CharField(required=False)
    metadata = serializers.DictField(required=False)


class ActorSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()


def actor(user: Any) -> dict[str, str] | None:
    if user is None:
        return None
    return {"id": str(user.pk), "name": user.get_full_name() or user.get_username(), "type": "user"}


class StrictBooleanField(serializers.BooleanField):
    """true/false only: DRF's BooleanField would also take "yes", 1 or "on"."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)
        raise AssertionError  # fail() raises


class StrictCharField(serializers.CharField):
    """A JSON string only: DRF would turn 5 into "5"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(f"must be a string, not {type(data).__name__}.")
        return super().to_internal_value(data)


class ObjectField(serializers.DictField):
    """A JSON object of anything."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError("must be a JSON object, e.g. {}.")
        return dict(data)


# -- connections -----------------------------------------------------------------------------

OPERATIONS = {Role.SOURCE: "SupportsSQL"}


class ConnectionTypeSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    operations = serializers.ListField(child=serializers.CharField(), required=False)


def connection_type(type_key: str) -> dict[str, Any]:
    spec = CONNECTION_TYPES[type_key]
    return {
        "id": spec.key,
        "name": spec.name,
        "operations": [OPERATIONS[role] for role in spec.roles if role in OPERATIONS],
    }


def public_configuration(connection: Connection) -> dict[str, Any]:
    """The configuration without anything secret: the type's secret keys, and — belt and
    braces — any key whose name says it holds a credential."""
    secret_keys = set(CONNECTION_TYPES[connection.type].secret_keys)
    return {
        key: value
        for key, value in connection.configuration.items()
        if key not in secret_keys and not looks_secret(key)
    }


class ConnectionSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    type = serializers.SerializerMethodField()
    configuration = serializers.SerializerMethodField()
    organization_id = serializers.CharField()
    status = serializers.CharField()
    status_error = serializers.SerializerMethodField()
    saved = serializers.SerializerMethodField()
    policies = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    created_by = serializers.SerializerMethodField()

    @extend_schema_field(ConnectionTypeSerializer)
    def get_type(self, connection: Connection) -> dict[str, Any]:
        return connection_type(connection.type)

    @extend_schema_field(serializers.DictField())
    def get_configuration(self, connection: Connection) -> dict[str, Any]:
        return public_configuration(connection)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_status_error(self, connection: Connection) -> str | None:
        return connection.status_error or None

    def get_saved(self, connection: Connection) -> bool:
        return True

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_policies(self, connection: Connection) -> list[str]:
        return []

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_created_by(self, connection: Connection) -> dict[str, str] | None:
        return actor(connection.created_by)


class CreatedConnectionSerializer(ConnectionSerializer):
    healthcheck_interval = serializers.SerializerMethodField()
    auth_url = serializers.SerializerMethodField()

    def get_healthcheck_interval(self, connection: Connection) -> str:
        return "1h"

    @extend_schema_field(serializers.CharField(required=False))
    def get_auth_url(self, connection: Connection) -> str | None:
        return self.context.get("auth_url")

    def to_representation(self, instance: Connection) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data.get("auth_url") is None:
            data.pop("auth_url", None)
        return data


class ConnectionCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    type = StrictCharField()
    configuration = ObjectField()
    redirect_url = StrictCharField(required=False, allow_blank=True)
    validate = StrictBooleanField(required=False, default=True)
    healthcheck_interval = StrictCharField(required=False)
    organization_id = StrictCharField(required=False)
    policies = serializers.ListField(child=StrictCharField(), required=False)


class ConnectionUpdateSerializer(ConnectionCreateSerializer):
    type = StrictCharField(required=False)  # type: ignore[assignment]
    reconnect = StrictBooleanField(required=False, default=False)


class ParameterValueSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.JSONField()


class ParameterSerializer(serializers.Serializer):
    allows_creation = serializers.BooleanField()
    values = ParameterValueSerializer(many=True)


class CapabilitiesSerializer(serializers.Serializer):
    source = serializers.BooleanField()
    destination = serializers.BooleanField()
    enrichment = serializers.BooleanField()
    logging = serializers.BooleanField()
    orchestration = serializers.BooleanField()


class ConnectionTypeDetailSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    use_oauth = serializers.BooleanField()
    capabilities = CapabilitiesSerializer()


# -- models ----------------------------------------------------------------------------------


class ModelFieldSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    remote_type = serializers.CharField()
    unique = serializers.BooleanField()
    user_added = serializers.BooleanField()


def spelled_as_in(query: str, name: str) -> str:
    """A column as the query spells it: Snowflake answers EMAIL for `email` (unquoted names
    are upper-cased), and the docs' syncs refer to `email` (reference/polytomic-api.md §3.1)."""
    found = re.search(rf"(?<![\w\"]){re.escape(name)}(?![\w\"])", query, flags=re.IGNORECASE)
    return found.group(0) if found else name


def model_fields(
    model_id: object, fields: list[dict[str, Any]], query: str = ""
) -> list[dict[str, Any]]:
    """Discovered columns with a stable id each (the same name gives the same id)."""
    return [
        {
            "id": str(uuid.uuid5(uuid.UUID(str(model_id)), field["name"].lower())),
            "name": spelled_as_in(query, field["name"]),
            "label": spelled_as_in(query, field["name"]),
            "type": field.get("type") or "unknown",
            "remote_type": field.get("remote_type") or "",
            "unique": False,
            "user_added": False,
        }
        for field in fields
    ]


class ModelSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    connection_id = serializers.CharField(source="source_id")
    organization_id = serializers.CharField()
    configuration = serializers.SerializerMethodField()
    # Not get_fields: that name is the Serializer's own method.
    fields = serializers.SerializerMethodField(method_name="discovered_fields")
    identifier = serializers.SerializerMethodField()
    tracking_columns = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    relations = serializers.SerializerMethodField()
    policies = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    created_by = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField())
    def get_configuration(self, model: SqlModel) -> dict[str, Any]:
        return {"query": model.query}

    @extend_schema_field(ModelFieldSerializer(many=True))
    def discovered_fields(self, model: SqlModel) -> list[dict[str, Any]]:
        return model_fields(model.pk, model.fields, model.query)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_identifier(self, model: SqlModel) -> str | None:
        return spelled_as_in(model.query, model.identifier) if model.identifier else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tracking_columns(self, model: SqlModel) -> list[str]:
        return []

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_labels(self, model: SqlModel) -> list[dict[str, str]]:
        return []

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_relations(self, model: SqlModel) -> list[dict[str, Any]]:
        return []

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_policies(self, model: SqlModel) -> list[str]:
        return []

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_created_by(self, model: SqlModel) -> dict[str, str] | None:
        return actor(model.created_by)


class ModelConfigurationSerializer(serializers.Serializer):
    query = StrictCharField(trim_whitespace=False)


class ModelCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    connection_id = serializers.UUIDField()
    configuration = ModelConfigurationSerializer()
    fields = serializers.ListField(child=StrictCharField(), required=False)
    additional_fields = serializers.ListField(child=ObjectField(), required=False)
    identifier = StrictCharField(required=False, allow_blank=True)
    tracking_columns = serializers.ListField(child=StrictCharField(), required=False)
    labels = serializers.ListField(child=StrictCharField(), required=False)
    relations = serializers.ListField(child=ObjectField(), required=False)
    policies = serializers.ListField(child=StrictCharField(), required=False)
    organization_id = StrictCharField(required=False)


class ModelUpdateSerializer(ModelCreateSerializer):
    refresh = StrictBooleanField(required=False, default=False)


class ModelPreviewSerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    connection_id = serializers.CharField()
    configuration = serializers.DictField()
    fields = ModelFieldSerializer(many=True)
