"""A sync as the contract shapes it (reference/polytomic-api.md §5.1) ⇄ the settings the sync
services take. Form only: every rule is the services' (syncs/services.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers import ActorSerializer, ObjectField, StrictBooleanField, StrictCharField
from api.serializers import actor as actor_of
from syncs.models import Sync, SyncMode

FREQUENCIES = (
    "manual",
    "continuous",
    "hourly",
    "daily",
    "weekly",
    "custom",
    "builder",
    "runafter",
    "multi",
    "dbtcloud",
)
# Polytomic fields Syncline keeps and echoes without acting on them (Sync.extra).
ECHOED = (
    "skip_initial_backfill",
    "only_enrich_updates",
    "model_filters",
    "target_filters",
    "filters",
    "filter_logic",
    "overrides",
    "policies",
)
TARGET_ECHOED = ("new_name", "search_values", "filter_logic")


class SourceSerializer(serializers.Serializer):
    field = StrictCharField()
    model_id = StrictCharField()


class IdentitySerializer(serializers.Serializer):
    source = SourceSerializer()
    target = StrictCharField()
    function = StrictCharField()
    remote_field_type_id = StrictCharField(required=False)
    new_field = StrictBooleanField(required=False)


class IdentitiesSerializer(serializers.Serializer):
    mappings = IdentitySerializer(many=True)
    strategy = serializers.ChoiceField(choices=["priority", "and"], required=False)


class SyncFieldSerializer(serializers.Serializer):
    source = SourceSerializer(required=False)
    target = StrictCharField()
    new = StrictBooleanField(required=False)
    sync_mode = StrictCharField(required=False)
    encryption_enabled = StrictBooleanField(required=False)
    override_value = StrictCharField(required=False, allow_blank=True)


class OverrideFieldSerializer(serializers.Serializer):
    target = StrictCharField()
    override_value = StrictCharField(allow_blank=True)
    new = StrictBooleanField(required=False)
    sync_mode = StrictCharField(required=False)


class TargetSerializer(serializers.Serializer):
    connection_id = serializers.UUIDField()
    object = StrictCharField(required=False, allow_blank=True)
    create = serializers.DictField(child=StrictCharField(allow_blank=True), required=False)
    configuration = ObjectField(required=False)
    new_name = StrictCharField(required=False)
    search_values = ObjectField(required=False)
    filter_logic = StrictCharField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("object") and not attrs.get("create"):
            raise serializers.ValidationError(
                "Give the target's object (an id from targetobjects) or create (the "
                "properties of a new one)."
            )
        return attrs


class ScheduleSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=FREQUENCIES)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        checked = super().to_internal_value(data)
        # Echoed exactly as sent: the extra keys (hour, minute, run_after...) are kept.
        return {**data, **checked}


class SyncBodySerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    mode = serializers.ChoiceField(choices=SyncMode.values)
    fields = SyncFieldSerializer(many=True, required=False)
    schedule = ScheduleSerializer(required=False)
    target = TargetSerializer()
    identity = IdentitySerializer(required=False, allow_null=True)
    identities = IdentitiesSerializer(required=False, allow_null=True)
    active = StrictBooleanField(required=False, default=True)
    sync_all_records = StrictBooleanField(required=False, default=False)
    skip_initial_backfill = StrictBooleanField(required=False)
    only_enrich_updates = StrictBooleanField(required=False)
    override_fields = OverrideFieldSerializer(many=True, required=False)
    model_filters = ObjectField(required=False)
    target_filters = ObjectField(required=False)
    filters = serializers.ListField(required=False)
    filter_logic = StrictCharField(required=False, allow_blank=True)
    overrides = serializers.ListField(required=False)
    encryption_passphrase = StrictCharField(required=False, write_only=True)
    policies = serializers.ListField(child=StrictCharField(), required=False)
    organization_id = StrictCharField(required=False)


def referenced_model_ids(body: dict[str, Any]) -> list[str]:
    """The model ids the mappings read from, in the order they first appear."""
    mappings = list(body.get("fields") or [])
    identities = (body.get("identities") or {}).get("mappings") or []
    if body.get("identity"):
        mappings.insert(0, body["identity"])
    mappings = [*identities, *mappings]
    found: list[str] = []
    for mapping in mappings:
        model_id = ((mapping or {}).get("source") or {}).get("model_id")
        if model_id and str(model_id) not in found:
            found.append(str(model_id))
    return found


def _plain(value: Any) -> Any:
    """Serializer output (OrderedDicts, UUIDs) as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def settings_from(body: dict[str, Any]) -> dict[str, Any]:
    """The sync services' settings (all but model and target_connection) from a valid body."""
    body = _plain(body)
    identities = body.get("identities")
    identity = body.get("identity")
    if identities and identities.get("mappings"):
        identity = identities["mappings"][0]
    target = body["target"]
    extra = {key: body[key] for key in ECHOED if key in body}
    if identities is not None:
        extra["identities"] = identities
    target_extra = {key: target[key] for key in TARGET_ECHOED if key in target}
    if target_extra:
        extra["target"] = target_extra
    return {
        "name": body["name"],
        "mode": body["mode"],
        "fields": body.get("fields") or [],
        "override_fields": body.get("override_fields") or [],
        "schedule": body.get("schedule") or {"frequency": "manual"},
        "target_object": target.get("object") or "",
        "target_create": target.get("create") or {},
        "target_configuration": target.get("configuration") or {},
        "identity": identity or None,
        "active": body.get("active", True),
        "sync_all_records": body.get("sync_all_records", False),
        "extra": extra,
    }


def _ts(value: Any) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


def _updated_by(sync: Sync) -> dict[str, str] | None:
    return actor_of(getattr(sync, "updated_by", None))


def sync_json(sync: Sync) -> dict[str, Any]:
    extra = dict(getattr(sync, "extra", None) or {})
    identity = sync.identity or None
    identities = extra.get("identities") or {
        "mappings": [identity] if identity else [],
        "strategy": "priority",
    }
    target: dict[str, Any] = {"connection_id": str(sync.target_connection_id)}
    if sync.target_object:
        target["object"] = sync.target_object
    if sync.target_create:
        target["create"] = {k: str(v) for k, v in sync.target_create.items()}
    if sync.target_configuration:
        target["configuration"] = sync.target_configuration
    target.update(extra.get("target") or {})
    data = {
        "id": str(sync.pk),
        "name": sync.name,
        "organization_id": str(sync.organization_id),
        "active": sync.active,
        "mode": sync.mode,
        "identity": identity,
        "identities": identities,
        "fields": list(sync.fields or []),
        "override_fields": list(sync.override_fields or []),
        "schedule": sync.schedule or {"frequency": "manual"},
        "target": target,
        "model_ids": [str(sync.model_id)],
        "sync_all_records": sync.sync_all_records,
        "skip_initial_backfill": bool(extra.get("skip_initial_backfill", False)),
        "only_enrich_updates": bool(extra.get("only_enrich_updates", False)),
        "policies": list(extra.get("policies") or []),
        "problems": [],
        "created_at": _ts(sync.created_at),
        "updated_at": _ts(sync.updated_at),
        "created_by": actor_of(sync.created_by),
        "updated_by": _updated_by(sync),
    }
    for key in ("model_filters", "target_filters", "filters", "filter_logic", "overrides"):
        if key in extra:
            data[key] = extra[key]
    return data


def sync_list_item(sync: Sync) -> dict[str, Any]:
    full = sync_json(sync)
    keys = (
        "id",
        "name",
        "active",
        "mode",
        "model_ids",
        "schedule",
        "sync_all_records",
        "skip_initial_backfill",
        "only_enrich_updates",
        "organization_id",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    )
    item = {key: full[key] for key in keys}
    item["target_connection_id"] = str(sync.target_connection_id)
    item["target_object"] = sync.target_object or None
    return item


class SyncOutSerializer(serializers.Serializer):
    """The response's shape, for the OpenAPI document (sync_json renders it)."""

    id = serializers.CharField()
    name = serializers.CharField()
    organization_id = serializers.CharField()
    active = serializers.BooleanField()
    mode = serializers.CharField()
    identity = IdentitySerializer(allow_null=True)
    identities = IdentitiesSerializer()
    fields = SyncFieldSerializer(many=True)
    override_fields = OverrideFieldSerializer(many=True)
    schedule = serializers.DictField()
    target = serializers.DictField()
    model_ids = serializers.ListField(child=serializers.CharField())
    sync_all_records = serializers.BooleanField()
    skip_initial_backfill = serializers.BooleanField()
    only_enrich_updates = serializers.BooleanField()
    policies = serializers.ListField(child=serializers.CharField())
    problems = serializers.ListField(child=serializers.DictField())
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    created_by = ActorSerializer(allow_null=True)
    updated_by = ActorSerializer(allow_null=True)


class SyncListItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    active = serializers.BooleanField()
    mode = serializers.CharField()
    model_ids = serializers.ListField(child=serializers.CharField())
    schedule = serializers.DictField()
    target_connection_id = serializers.CharField()
    target_object = serializers.CharField(allow_null=True)
    sync_all_records = serializers.BooleanField()
    skip_initial_backfill = serializers.BooleanField()
    only_enrich_updates = serializers.BooleanField()
    organization_id = serializers.CharField()
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    created_by = ActorSerializer(allow_null=True)
    updated_by = ActorSerializer(allow_null=True)
